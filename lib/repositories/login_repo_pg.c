/*
 * login_repo_pg.c -- the PostgreSQL implementation of ua_login_repo_ops:
 * failed logins per e-mail address and client address, for throttling.
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
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/user_repo.h"
#include "repositories-private.h"	/* ua_pg_int64() */

/* Columns of SQL_COUNT_RECENT. */
enum	fcol {
	FCOL_COUNT,
	FCOL_RETRY,	/* seconds until the oldest leaves, at least 1 */
	FCOL__MAX
};

#define IN_WINDOW	"failed_at > now() - $3::integer * interval '1 second'"
#define PAST_WINDOW	"failed_at <= now() - $3::integer * interval '1 second'"

static const char SQL_COUNT_RECENT[] =
    "SELECT count(*), greatest(1, ceil(extract(epoch FROM"
    " min(failed_at) + $3::integer * interval '1 second' - now())))::bigint"
    " FROM login_failures"
    " WHERE email = lower($1::text) AND client = $2::text AND " IN_WINDOW;

/*
 * Insert the failure and, in the same statement, delete the rows of
 * this address and client that have left the window, plus a bounded
 * batch of the oldest stale rows of anyone, so that addresses that are
 * never tried again do not stay behind.  SKIP LOCKED: a statement that
 * deletes never waits for another, so they cannot deadlock.
 */
static const char SQL_RECORD_FAILURE[] =
    "WITH stale AS ("
    " DELETE FROM login_failures WHERE id IN ("
    "  SELECT id FROM login_failures"
    "  WHERE email = lower($1::text) AND client = $2::text"
    "  AND " PAST_WINDOW
    "  FOR UPDATE SKIP LOCKED)"
    " OR id IN ("
    "  SELECT id FROM login_failures WHERE " PAST_WINDOW
    "  ORDER BY failed_at LIMIT 64"
    "  FOR UPDATE SKIP LOCKED))"
    " INSERT INTO login_failures (email, client)"
    " VALUES (lower($1::text), $2::text)";

static const char SQL_CLEAR[] =
    "DELETE FROM login_failures"
    " WHERE email = lower($1::text) AND client = $2::text";

/*
 * Failures of ("email", "client") in the last "window_s" seconds into
 * "*count", and the seconds until the oldest of them leaves the window
 * into "*retry_after_s" (at least 1, also when there are none).
 * Returns UA_OK or a database error; on error both are 0.
 */
static enum ua_err
pg_count_recent(void *arg, const char *email, const char *client,
    int window_s, int *count, int *retry_after_s)
{
	struct ua_db	*db = arg;
	PGresult	*res;
	enum ua_err	 er;
	int64_t		 c, r;
	char		 wbuf[16];
	const char	*params[3] = { email, client, wbuf };

	*count = 0;
	*retry_after_s = 0;
	snprintf(wbuf, sizeof(wbuf), "%d", window_s);

	if ((er = ua_db_exec(db, SQL_COUNT_RECENT, 3, params,
	    UA_DB_READ_ONLY, &res)) != UA_OK)
		return er;

	if ((er = ua_pg_shape(res, FCOL__MAX, 1, 1,
	    "login_failures: count_recent")) != UA_OK ||
	    (er = ua_pg_int64(res, 0, FCOL_COUNT, &c)) != UA_OK ||
	    (er = ua_pg_int64(res, 0, FCOL_RETRY, &r)) != UA_OK)
		goto out;
	er = UA_ERR_DB;
	if (c < 0 || c > INT_MAX || r < 1 || r > INT_MAX) {
		ua_log_err("login_failures: count_recent: out of range");
		goto out;
	}
	*count = (int)c;
	*retry_after_s = (int)r;
	er = UA_OK;
out:
	PQclear(res);
	return er;
}

/*
 * Record one failure of ("email", "client") now, and forget those that
 * have left the last "window_s" seconds.  Returns UA_OK or a database
 * error.
 */
static enum ua_err
pg_record_failure(void *arg, const char *email, const char *client,
    int window_s)
{
	struct ua_db	*db = arg;
	PGresult	*res;
	enum ua_err	 er;
	char		 wbuf[16];
	const char	*params[3] = { email, client, wbuf };

	snprintf(wbuf, sizeof(wbuf), "%d", window_s);
	if ((er = ua_db_exec(db, SQL_RECORD_FAILURE, 3, params, UA_DB_WRITE,
	    &res)) != UA_OK)
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
	struct ua_db	*db = arg;
	PGresult	*res;
	enum ua_err	 er;
	const char	*params[2] = { email, client };

	if ((er = ua_db_exec(db, SQL_CLEAR, 2, params, UA_DB_WRITE,
	    &res)) != UA_OK)
		return er;
	PQclear(res);
	return UA_OK;
}

const struct ua_login_repo_ops ua_login_repo_pg = {
	.count_recent = pg_count_recent,
	.record_failure = pg_record_failure,
	.clear = pg_clear,
};
