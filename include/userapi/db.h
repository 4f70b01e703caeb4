/*
 * db.h -- the worker's one PostgreSQL connection.
 *
 * Connected lazily on first use, with connect_timeout and
 * statement_timeout; after a failure it is reset on the next use, so a
 * PostgreSQL restart costs one failed request, not a worker restart.
 * An opaque handle: libpq's types stay behind it, in lib/db/db-pg.h,
 * which only lib/db/ and lib/repositories/ include.
 */
#ifndef USERAPI_DB_H
#define USERAPI_DB_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "userapi/errors.h"

struct ua_db;
struct ua_settings;

/* Seconds libpq waits for a connection before giving up. */
#define UA_DB_CONNECT_TIMEOUT_S 2

enum ua_db_flags {
	UA_DB_WRITE = 0,    /* never re-sent: a lost COMMIT is unknown */
	UA_DB_READ_ONLY = 1 /* safe to re-send once after a reconnect */
};

/* A handle; nothing is connected yet.  Free with ua_db_free(). */
struct ua_db *ua_db_new(const struct ua_settings *);
void	      ua_db_free(struct ua_db *);

/*
 * Transactions.  ua_db_begin() starts one at READ COMMITTED whatever
 * the server's or the role's default, since the guards that run in
 * them rely on each statement seeing what committed before it began.
 * While one is open the connection is never replaced: a statement
 * after a lost connection fails (UA_ERR_DB_UNAVAILABLE) instead of
 * running outside the transaction on a new one.
 *
 * ua_db_commit() ends it whatever happens: UA_OK, UA_ERR_DB if the
 * server rolled it back, UA_ERR_DB_UNAVAILABLE if the outcome is
 * unknown (the COMMIT is never sent again).  ua_db_rollback() ends it
 * too; on a lost connection it was already gone, and nothing is sent.
 */
enum ua_err ua_db_begin(struct ua_db *);
enum ua_err ua_db_commit(struct ua_db *);
void	    ua_db_rollback(struct ua_db *);

/* True between ua_db_begin() and the end of that transaction. */
bool ua_db_in_transaction(const struct ua_db *);

/* One round trip ("SELECT 1"): UA_OK or UA_ERR_DB_UNAVAILABLE. */
enum ua_err ua_db_ping(struct ua_db *);

/* True while the connection is believed good (no round trip). */
bool ua_db_connected(const struct ua_db *);

/*
 * Check that "conninfo" is something libpq can parse, before a worker
 * serves.  On failure writes one line into "err" (never the password).
 */
enum ua_err ua_db_check_conninfo(const char *conninfo, char *err,
    size_t errlen);

/*
 * True once a new connection found the server's statement_timeout
 * other than DB_STATEMENT_TIMEOUT_MS (and said so in the log): a pooler
 * dropped the connection's "options" and the role has no such default.
 */
bool ua_db_timeout_differs(const struct ua_db *);

/*
 * Make DB_STATEMENT_TIMEOUT_MS the default of the connection's role in
 * its database (ALTER ROLE ... IN DATABASE ... SET statement_timeout),
 * which every server connection opened afterwards gets, through a
 * pooler too.  "where" gets "role X in database Y".  UA_OK, or an error
 * already logged (UA_ERR_DB: the role may not, say).
 */
enum ua_err ua_db_store_timeout(struct ua_db *, char *where, size_t len);

/* SQLSTATE of the last failure, "" if none (e.g. "23505"). */
const char *ua_db_sqlstate(const struct ua_db *);

#pragma GCC visibility pop
#endif
