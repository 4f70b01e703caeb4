/*
 * pgtest.h -- helpers of the integration tests that make scratch
 * databases (test_repo_pg, test_admin).
 */
#ifndef PGTEST_H
#define PGTEST_H

#include <limits.h>
#include <stdbool.h>

#include <libpq-fe.h>

/* printf into a new string (abort on out of memory); free it. */
char *pgt_fmt(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * A live session of user "user_id" (an access token's sid), made on
 * "conn": its id (free it), or NULL with the server's message on stderr.
 */
char *pgt_add_session(PGconn *conn, long long user_id);

/*
 * "conninfo" (URI or key=value) with its dbname replaced by "db", as a
 * key=value string, or NULL if it cannot be parsed; free it.
 */
char *pgt_conninfo_for(const char *conninfo, const char *db);

/* True if the environment entry "e" ("NAME=value") sets "name", any case. */
bool pgt_env_is(const char *e, const char *name);

/*
 * A scratch database of one test program: created on the role of
 * UA_TEST_PG_ADMIN_URL, migrated to head by UA_TEST_MIGRATE (from
 * UA_TEST_MIGRATIONS_DIR, else "src") with an empty settings file and
 * none of the caller's settings, dropped by pgt_scratch_close().
 */
struct pgt_scratch {
	const char *admin_url;
	char	    tool[PATH_MAX]; /* absolute */
	char	    src[PATH_MAX];  /* absolute */
	char	    db[64];	    /* "<prog>_<pid>" */
	char	   *conninfo;	    /* to it */
	char	   *pooled; /* to it through PgBouncer, as the same role,
			       when pgt_through_pgbouncer(); else NULL */
	char	    envfile[PATH_MAX + 16]; /* an empty .env */
	char	    dir[PATH_MAX];	    /* holding it */
	PGconn	   *admin;
};

/*
 * Make "s" for program "prog".  false: why is on stderr, and nothing is
 * left behind.
 */
bool pgt_scratch_open(struct pgt_scratch *s, const char *prog, const char *src);

/*
 * Does this run of the suite go through PgBouncer (scripts/test sets
 * UA_TEST_THROUGH_PGBOUNCER=1 for one build)?  Then UA_TEST_PGBOUNCER_URL
 * is the PgBouncer in transaction pooling mode in front of the server.
 */
bool pgt_through_pgbouncer(void);

/*
 * The conninfo of database "db" as role "user" through the PgBouncer of
 * UA_TEST_PGBOUNCER_URL (free it), or NULL after saying on stderr, as
 * program "prog", why not.
 */
char *pgt_pooled_conninfo(const char *prog, const char *db, const char *user);

/*
 * When the run goes through PgBouncer, say on stdout, in the one line
 * scripts/test gathers into its summary, that "what" of program "prog"
 * goes directly to PostgreSQL, and "why".
 */
void pgt_direct(const char *prog, const char *what, const char *why);

/* Drop the database and the settings file; "s" may be half made. */
void pgt_scratch_close(struct pgt_scratch *s);

/* "<verb> DATABASE <db><tail>" on "admin" (CREATE, DROP, ALTER). */
bool pgt_admin_db(PGconn *admin, const char *db, const char *verb,
    const char *tail);

#endif
