/*
 * hosts.c -- the servers a multi-host DATABASE_URL lists.
 *
 * libpq tries a URL's hosts in turn and, with target_session_attrs,
 * keeps the first whose session attributes fit.  It reads them from the
 * parameters the server reports at login (in_hot_standby,
 * default_transaction_read_only), and a pooler answers the login itself
 * with what it kept from its first server connection: PgBouncer 1.18
 * goes on saying "in_hot_standby=off" for a primary that has died and
 * "on" for the standby promoted in its place, and libpq then never
 * leaves the dead one.  So where the URL lists several hosts and asks
 * for a writable one, lib/db/db.c connects to one host at a time and
 * asks the server behind it with a query; this file only reads the
 * lists, pairing hosts and ports as libpq does.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"

#include "hosts.h"

/* The comma-separated entries of "list" ("" is one empty entry). */
static char **
split(const char *list, size_t *n)
{
	char	  **v;
	const char *p, *comma;
	size_t	    i, count = 1;

	for (p = list; *p != '\0'; p++)
		if (*p == ',')
			count++;
	v = ua_xcalloc(count, sizeof(*v));
	for (i = 0, p = list; i < count; i++, p = comma + 1) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		v[i] = ua_xstrndup(p, (size_t)(comma - p));
	}
	*n = count;
	return v;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "list" as "n" entries: one value given for all, or one for each. */
static char **
paired(const char *list, size_t n)
{
	char **v, **all;
	size_t i, count;

	v = split(list, &count);
	if (count == n)
		return v;
	if (count != 1) {
		free_list(v, count);
		return NULL;
	}
	all = ua_xcalloc(n, sizeof(*all));
	for (i = 0; i < n; i++)
		all[i] = ua_xstrdup(v[0]);
	free_list(v, count);
	return all;
}

static enum ua_db_target
target_of(const char *v)
{
	if (v == NULL)
		return UA_DB_TARGET_ANY;
	if (strcmp(v, "read-write") == 0)
		return UA_DB_TARGET_READ_WRITE;
	if (strcmp(v, "primary") == 0)
		return UA_DB_TARGET_PRIMARY;
	return UA_DB_TARGET_ANY;
}

void
ua_db_hosts_parse(const char *conninfo, struct ua_db_hosts *h)
{
	PQconninfoOption *opts, *o;
	const char	 *host = NULL, *port = NULL, *addr = NULL, *tsa = NULL;
	size_t		  n;

	memset(h, 0, sizeof(*h));
	if ((opts = PQconninfoParse(conninfo, NULL)) == NULL)
		return;
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			addr = o->val;
		else if (strcmp(o->keyword, "target_session_attrs") == 0)
			tsa = o->val;
	}
	h->target = target_of(tsa);
	/* libpq counts the servers by hostaddr when it is given. */
	if (addr != NULL) {
		h->hostaddr = split(addr, &n);
		h->host = paired(host != NULL ? host : "", n);
	} else {
		h->host = split(host != NULL ? host : "", &n);
	}
	h->port = paired(port != NULL ? port : "", n);
	h->n = n;
	if (h->host == NULL || h->port == NULL)
		ua_db_hosts_free(h);
	PQconninfoFree(opts);
}

bool
ua_db_hosts_choose(const struct ua_db_hosts *h)
{
	return h->n > 1 && h->target != UA_DB_TARGET_ANY;
}

void
ua_db_hosts_free(struct ua_db_hosts *h)
{
	free_list(h->host, h->n);
	free_list(h->port, h->n);
	free_list(h->hostaddr, h->n);
	memset(h, 0, sizeof(*h));
}
