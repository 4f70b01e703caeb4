/*
 * login_repo_pg.c -- the PostgreSQL implementation of ua_login_repo_ops:
 * failed logins per e-mail address and client address, for throttling.
 *
 * An attempt is counted as a failure before its password is checked
 * (a reservation), so that parallel attempts cannot all pass the count
 * while the slow hash runs; a success then clears the failures.
 *
 * Emails are stored lower-cased and looked up the same way, so every
 * spelling of an address counts against one account.  Times are the
 * database's now(), so every web node counts with the same clock.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "userapi/db.h"
#include "db/db-pg.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/numparse.h"
#include "userapi/user_repo.h"
#include "repositories-private.h" /* ua_pg_int64(), ua_pg_shape() */

/* Columns of SQL_RESERVE. */
enum rcol {
	RCOL_COUNT, /* failures in the window before this attempt */
	RCOL_RETRY, /* seconds until the oldest leaves, at least 1 */
	RCOL_ID,    /* the reservation, or NULL past the limit */
	RCOL__MAX
};

#define IN_WINDOW "failed_at > now() - $3::integer * interval '1 second'"
#define PAST_WINDOW "failed_at <= now() - $3::integer * interval '1 second'"

/*
 * One lock per address and client, so that the count and the
 * reservation below are one step for parallel attempts.  The two-key
 * form: its key space is not that of the admin lock.
 */
static const char SQL_LOCK[] =
    "SELECT pg_advisory_xact_lock(1969319015," /* "ualg" */
    " hashtext(lower($1::text) || ' ' || $2::text))";

/*
 * Count the failures of this address and client in the window and,
 * under the limit, reserve the attempt as one more.  In the same
 * statement, delete the rows of this address and client that have left
 * the window, plus a bounded batch of the oldest stale rows of anyone,
 * so that addresses that are never tried again do not stay behind.
 * SKIP LOCKED: a statement that deletes never waits for another.
 */
static const char SQL_RESERVE[] =
    "WITH stale AS ("
    " DELETE FROM login_failures WHERE id IN ("
    "  SELECT id FROM login_failures"
    "  WHERE email = lower($1::text) AND client = $2::text"
    "  AND " PAST_WINDOW "  FOR UPDATE SKIP LOCKED)"
    " OR id IN ("
    "  SELECT id FROM login_failures WHERE " PAST_WINDOW
    "  ORDER BY failed_at LIMIT 64"
    "  FOR UPDATE SKIP LOCKED)),"
    " recent AS ("
    " SELECT count(*) AS n, min(failed_at) AS oldest FROM login_failures"
    " WHERE email = lower($1::text) AND client = $2::text"
    " AND " IN_WINDOW "),"
    " reserved AS ("
    " INSERT INTO login_failures (email, client)"
    " SELECT lower($1::text), $2::text FROM recent WHERE n < $4::integer"
    " RETURNING id)"
    " SELECT n, greatest(1, ceil(extract(epoch FROM"
    " oldest + $3::integer * interval '1 second' - now())))::bigint,"
    " (SELECT id FROM reserved)"
    " FROM recent";

static const char SQL_RELEASE[] =
    "DELETE FROM login_failures WHERE id = $1::bigint";

static const char SQL_PRUNE[] =
    "DELETE FROM login_failures"
    " WHERE failed_at <= now() - $1::integer * interval '1 second'";

static const char SQL_CLEAR[] =
    "DELETE FROM login_failures"
    " WHERE email = lower($1::text) AND client = $2::text";

/* The reservation of SQL_RESERVE's row, inside the transaction. */
static enum ua_err
read_reservation(const PGresult *res, int64_t *attempt, int *retry_after_s)
{
	enum ua_err er;
	int64_t	    r;

	if ((er = ua_pg_shape(res, RCOL__MAX, 1, 1,
		 "login_failures: reserve")) != UA_OK ||
	    (er = ua_pg_int64(res, 0, RCOL_RETRY, &r)) != UA_OK)
		return er;
	if (r < 1 || r > INT_MAX) {
		ua_log_err("login_failures: reserve: out of range");
		return UA_ERR_DB;
	}
	if (PQgetisnull(res, 0, RCOL_ID)) {
		*retry_after_s = (int)r;
		return UA_ERR_TOO_MANY;
	}
	return ua_pg_int64(res, 0, RCOL_ID, attempt);
}

/*
 * Under the lock of ("email", "client"): fewer than "max" failures in
 * the last "window_s" seconds reserve this attempt as a failure
 * ("*attempt", UA_OK); otherwise UA_ERR_TOO_MANY with the seconds until
 * the oldest leaves the window in "*retry_after_s".  Or a database
 * error, with nothing reserved.
 */
static enum ua_err
pg_reserve(void *arg, const char *email, const char *client, int window_s,
    int max, int64_t *attempt, int *retry_after_s)
{
	struct ua_db *db = arg;
	PGresult     *res = NULL;
	enum ua_err   er, cer;
	char	      wbuf[16], mbuf[16];
	const char   *params[4] = { email, client, wbuf, mbuf };

	*attempt = 0;
	*retry_after_s = 0;
	snprintf(wbuf, sizeof(wbuf), "%d", window_s);
	snprintf(mbuf, sizeof(mbuf), "%d", max);

	if ((er = ua_db_begin(db)) != UA_OK)
		return er;
	if ((er = ua_db_exec(db, SQL_LOCK, 2, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		goto out;
	PQclear(res);
	if ((er = ua_db_exec(db, SQL_RESERVE, 4, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		goto out;
	er = read_reservation(res, attempt, retry_after_s);
	if ((er == UA_OK || er == UA_ERR_TOO_MANY) &&
	    (cer = ua_db_commit(db)) != UA_OK)
		er = cer;
out:
	PQclear(res);
	ua_db_rollback(db); /* no-op unless a step above failed */
	if (er != UA_OK)
		*attempt = 0;
	return er;
}

/*
 * Forget reservation "attempt": it ended in neither a success nor a
 * failure (the database failed in between).  Returns UA_OK or a
 * database error.
 */
static enum ua_err
pg_release(void *arg, int64_t attempt)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	char	      idbuf[UA_INT64_STRLEN];
	const char   *params[1] = { idbuf };

	ua_fmt_int64(idbuf, sizeof(idbuf), attempt);
	if ((er = ua_db_exec(db, SQL_RELEASE, 1, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	PQclear(res);
	return UA_OK;
}

/*
 * A successful login: forget every failure of ("email", "client").
 * Returns UA_OK or a database error.
 */
static enum ua_err
pg_clear(void *arg, const char *email, const char *client)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	const char   *params[2] = { email, client };

	if ((er = ua_db_exec(db, SQL_CLEAR, 2, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	PQclear(res);
	return UA_OK;
}

/*
 * Everyone's failures that have left the window.  Logins sweep a
 * bounded batch as they go; this sweeps the rest, for a timer or cron.
 */
static enum ua_err
pg_prune(void *arg, int window_s, int64_t *deleted)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	char	      wbuf[UA_INT64_STRLEN];
	const char   *params[1] = { wbuf };

	*deleted = 0;
	ua_fmt_int64(wbuf, sizeof(wbuf), window_s);
	if ((er = ua_db_exec(db, SQL_PRUNE, 1, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	er = ua_pg_affected(res, deleted);
	PQclear(res);
	return er;
}

const struct ua_login_repo_ops ua_login_repo_pg = {
	.reserve = pg_reserve,
	.release = pg_release,
	.clear = pg_clear,
	.prune = pg_prune,
};
