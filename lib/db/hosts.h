/*
 * hosts.h -- the servers a multi-host DATABASE_URL lists, for trying
 * them one at a time (lib/db/hosts.c).
 */
#ifndef USERAPI_DB_HOSTS_H
#define USERAPI_DB_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

/* What the URL's target_session_attrs asks of a server. */
enum ua_db_target {
	UA_DB_TARGET_ANY, /* absent, or a value userapi leaves to libpq */
	UA_DB_TARGET_READ_WRITE, /* SHOW transaction_read_only is "off" */
	UA_DB_TARGET_PRIMARY	 /* pg_is_in_recovery() is false */
};

/*
 * The URL's hosts with their ports (and hostaddrs), as libpq pairs
 * them: one port for all or one for each.  An entry may be "" (libpq's
 * default).  "next" is where the next connection starts: the last host
 * that was found to take writes.
 */
struct ua_db_hosts {
	char		**host;
	char		**port;
	char		**hostaddr; /* NULL when the URL gives none */
	size_t		  n;
	enum ua_db_target target;
	size_t		  next;
};

/*
 * Read "conninfo"'s host, port, hostaddr and target_session_attrs into
 * "*h".  h->n is 0 (libpq connects as it sees fit, and says what is
 * wrong) when the string does not parse or its lists do not pair up.
 */
void ua_db_hosts_parse(const char *conninfo, struct ua_db_hosts *h);

/* Whether userapi picks the server itself: several hosts, a target. */
bool ua_db_hosts_choose(const struct ua_db_hosts *h);

void ua_db_hosts_free(struct ua_db_hosts *h);

#endif
