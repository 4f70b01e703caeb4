/*
 * user_repo_pg.c -- the PostgreSQL implementation of ua_user_repo_ops.
 * Only lib/db/ and lib/repositories/ may include <libpq-fe.h>.
 *
 * Every statement goes through ua_db_exec() with its parameters as text
 * and cast in the SQL.  Times are read as microseconds since the epoch.
 * Emails are compared as lower(email) = lower($1), which the unique
 * index on lower(email) serves and enforces.
 *
 * The last admin: every change that can take an admin away (a demotion,
 * a deletion) runs in a transaction that first takes one transaction-
 * scoped advisory lock (ADMIN_LOCK_KEY), then locks the target row, then
 * counts the other admins.  Those changes therefore run one at a time,
 * and each counts with a snapshot taken after the previous one
 * committed, so two admins demoting each other at once leave one.  The
 * lock is transaction-scoped so that it also holds behind a
 * transaction-pooling PgBouncer.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"
#include "userapi/db.h"
#include "db/db-pg.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/numparse.h"
#include "userapi/password.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"
#include "model-private.h"	  /* UA_USER_COLS_OF, ua_pg_model() */
#include "repositories-private.h" /* ua_pg_int64(), ua_pg_text() */

/* Queries returning credentials add these after the user's columns. */
enum ccol {
	/* The hash: NULL for a row that is not the caller. */
	CCOL_HASH = UA_USER_COL__MAX,
	CCOL_VERSION,
	CCOL_SESSION, /* the caller's session is live; NULL elsewhere */
	CCOL__MAX
};

/* The list adds the number of all users, and which row is the caller. */
enum lcol {
	LCOL_TOTAL = CCOL__MAX, /* NULL on the caller's row */
	LCOL_IS_CALLER,
	LCOL__MAX
};

/* Columns of SQL_ADMIN_GUARD. */
enum gcol {
	GCOL_ROLE,
	GCOL_OTHERS, /* admins besides the target */
	GCOL__MAX
};

/*
 * The user columns of the table named "t" (a string literal), in the
 * order of enum ua_user_col: expanded from the User model's
 * declaration (userapi/user.h).
 */
#define USER_COLS_OF(t) UA_USER_COLS_OF(t)

/* The same of "users", as every other query selects or returns them. */
#define USER_COLS USER_COLS_OF("users")

static const char SQL_GET_BY_ID[] =
    "SELECT " USER_COLS " FROM users WHERE id = $1::bigint";

/* $3: the caller's session, or NULL. */
static const char SQL_GET_CALLER_AND_TARGET[] =
    "SELECT " USER_COLS ","
    " CASE WHEN id = $1::bigint THEN hashed_password END,"
    " token_version::bigint,"
    " CASE WHEN id = $1::bigint THEN " UA_PG_SESSION_LIVE_OF("users",
	"$3") " END"
	      " FROM users WHERE id IN ($1::bigint, $2::bigint)";

static const char SQL_GET_BY_EMAIL[] =
    "SELECT " USER_COLS ", hashed_password, token_version::bigint, false"
    " FROM users WHERE lower(email) = lower($1::text)";

/*
 * The caller's row with its credentials first (none if the caller is
 * gone), then one row per user of the page, or a single row of NULLs if
 * the page is empty; the page's rows carry the total.  All from one
 * snapshot.  The total is the row the triggers of migration 0004 keep,
 * not a count(*) of the whole table.  The offset is walked on the
 * primary key alone (an index-only scan once vacuumed), and only the
 * page's rows are read and converted: a projection under the LIMIT
 * would convert every skipped row too.
 */
static const char SQL_LIST[] = "SELECT " UA_PG_CALLER_COLS_OF("c",
    "$4") ", NULL::bigint, true AS is_caller"
	  " FROM users AS c WHERE c.id = $3::bigint"
	  " UNION ALL"
	  " SELECT " USER_COLS_OF(
	      "u") ", NULL, NULL, NULL, t.n, false"
		   " FROM user_count AS t"
		   " LEFT JOIN users AS u ON u.id = ANY (ARRAY("
		   "  SELECT id FROM users ORDER BY id LIMIT $2::bigint OFFSET $1::bigint))"
		   " ORDER BY is_caller DESC, id";

static const char SQL_INSERT[] =
    "INSERT INTO users (email, hashed_password, name, role)"
    " VALUES ($1::text, $2::text, $3::text, $4::userrole)"
    " RETURNING " USER_COLS;

/* A NULL parameter leaves its column alone. */
static const char SQL_UPDATE[] = "UPDATE users SET"
				 " email = coalesce($2::text, email),"
				 " name = coalesce($3::text, name),"
				 " role = coalesce($4::userrole, role)"
				 " WHERE id = $1::bigint"
				 " RETURNING " USER_COLS;

static const char SQL_DELETE[] = "DELETE FROM users WHERE id = $1::bigint";

/* $4: the hash it replaces, or NULL for any. */
static const char SQL_SET_PASSWORD[] =
    "UPDATE users SET hashed_password = $2::text,"
    " token_version = token_version"
    " + CASE WHEN $3::boolean THEN 1 ELSE 0 END"
    " WHERE id = $1::bigint"
    " AND ($4::text IS NULL OR hashed_password = $4::text)";

/* "ua_admin" in ASCII, as a bigint; migrations use another key. */
#define ADMIN_LOCK_KEY "8458146447079860590"

static const char SQL_ADMIN_LOCK[] =
    "SELECT pg_advisory_xact_lock(" ADMIN_LOCK_KEY ")";

static const char SQL_ADMIN_GUARD[] =
    "SELECT role::text,"
    " (SELECT count(*) FROM users"
    "  WHERE role = 'ADMIN' AND id <> $1::bigint)"
    " FROM users WHERE id = $1::bigint FOR UPDATE";

/*
 * Copy row "row" of "res" into "u".  A NULL in a NOT NULL column, text
 * too long for its buffer or an unknown role is schema drift: UA_ERR_DB.
 */
static enum ua_err
row_to_user(const PGresult *res, int row, struct ua_user *u)
{
	return ua_pg_model(res, row, 0, &ua_user_model, u);
}

/*
 * Copy the credential columns of row "row" of "res" into "c".  A NULL
 * hash, one too long for the buffer or a bad version: UA_ERR_DB.
 */
static enum ua_err
row_to_cred(const PGresult *res, int row, struct ua_credentials *c)
{
	enum ua_err er;

	if ((er = ua_pg_text(res, row, CCOL_HASH, c->hash, sizeof(c->hash))) !=
	    UA_OK)
		return er;
	c->session_live = !PQgetisnull(res, row, CCOL_SESSION) &&
	    strcmp(PQgetvalue(res, row, CCOL_SESSION), "t") == 0;
	return ua_pg_int64(res, row, CCOL_VERSION, &c->token_version);
}

/*
 * Run "sql", which takes no parameters and whose rows are not wanted
 * (the admin lock).  Returns UA_OK or the error of ua_db_exec()
 * (already logged).
 */
static enum ua_err
exec_no_rows(struct ua_db *db, const char *sql)
{
	PGresult   *res;
	enum ua_err er;

	if ((er = ua_db_exec(db, sql, 0, NULL, UA_DB_WRITE, &res)) != UA_OK)
		return er;
	PQclear(res);
	return UA_OK;
}

/*
 * Inside a transaction: take the admin lock, lock row "idbuf" and tell
 * whether it is the last admin.  Returns UA_OK if it may stop being an
 * admin (or is none), UA_ERR_NOT_FOUND, UA_ERR_LAST_ADMIN, or a
 * database error.  The caller rolls back on anything but UA_OK.
 */
static enum ua_err
admin_guard(struct ua_db *db, const char *idbuf)
{
	PGresult    *res = NULL;
	enum ua_err  er;
	enum ua_role role;
	int64_t	     others;
	const char  *params[1] = { idbuf };

	if ((er = exec_no_rows(db, SQL_ADMIN_LOCK)) != UA_OK)
		return er;
	if ((er = ua_db_exec(db, SQL_ADMIN_GUARD, 1, params, UA_DB_WRITE,
		 &res)) != UA_OK)
		return er;

	er = UA_ERR_DB;
	if (ua_pg_shape(res, GCOL__MAX, 0, 1, "users: admin guard") != UA_OK)
		goto out;
	if (PQntuples(res) == 0) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	if (PQgetisnull(res, 0, GCOL_ROLE) ||
	    ua_role_from_db(PQgetvalue(res, 0, GCOL_ROLE), &role) != UA_OK) {
		ua_log_err("users: admin guard: unknown role");
		goto out;
	}
	if (ua_pg_int64(res, 0, GCOL_OTHERS, &others) != UA_OK)
		goto out;
	if (role == UA_ROLE_ADMIN && others == 0) {
		er = UA_ERR_LAST_ADMIN;
		goto out;
	}
	er = UA_OK;
out:
	PQclear(res);
	return er;
}

/*
 * Fill "out" (caller storage) with the user whose id is "id".
 * Returns UA_OK, UA_ERR_NOT_FOUND, or a database error (already logged
 * by ua_db_exec() or here).  On error "out" is zeroed.
 */
static enum ua_err
pg_get_by_id(void *arg, int64_t id, struct ua_user *out)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	char	      idbuf[UA_INT64_STRLEN];
	const char   *params[1] = { idbuf };

	memset(out, 0, sizeof(*out));
	ua_fmt_int64(idbuf, sizeof(idbuf), id);

	if ((er = ua_db_exec(db, SQL_GET_BY_ID, 1, params, UA_DB_READ_ONLY,
		 &res)) != UA_OK)
		return er; /* nothing to release yet */

	if ((er = ua_pg_shape(res, UA_USER_COL__MAX, 0, 1,
		 "users: get_by_id")) != UA_OK)
		goto out;
	if (PQntuples(res) == 0) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	er = row_to_user(res, 0, out);
out:
	PQclear(res);
	if (er != UA_OK)
		memset(out, 0, sizeof(*out));
	return er;
}

/*
 * The caller's row and credentials, and the target's row, in one round
 * trip.  Returns UA_OK ("*target_found" says whether "target" was
 * filled), UA_ERR_NOT_FOUND if the caller is gone, or a database error.
 * On error every out-parameter is zeroed.
 */
static enum ua_err
pg_get_caller_and_target(void *arg, int64_t caller_id, const char *sid,
    struct ua_user *caller, struct ua_credentials *caller_cred,
    int64_t target_id, struct ua_user *target, bool *target_found)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	bool	      caller_found = false;
	int	      i;
	int64_t	      id;
	char	      cbuf[UA_INT64_STRLEN], tbuf[UA_INT64_STRLEN];
	const char   *params[3] = { cbuf, tbuf, ua_pg_sid_param(sid) };

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	memset(target, 0, sizeof(*target));
	*target_found = false;
	ua_fmt_int64(cbuf, sizeof(cbuf), caller_id);
	ua_fmt_int64(tbuf, sizeof(tbuf), target_id);

	if ((er = ua_db_exec(db, SQL_GET_CALLER_AND_TARGET, 3, params,
		 UA_DB_READ_ONLY, &res)) != UA_OK)
		return er;

	if ((er = ua_pg_shape(res, CCOL__MAX, 0, 2,
		 "users: get_caller_and_target")) != UA_OK)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		if ((er = ua_pg_int64(res, i, UA_USER_COL_id, &id)) != UA_OK)
			goto out;
		if (id == caller_id) {
			if ((er = row_to_user(res, i, caller)) != UA_OK ||
			    (er = row_to_cred(res, i, caller_cred)) != UA_OK)
				goto out;
			caller_found = true;
		}
		if (id == target_id) {
			if ((er = row_to_user(res, i, target)) != UA_OK)
				goto out;
			*target_found = true;
		}
	}
	er = caller_found ? UA_OK : UA_ERR_NOT_FOUND;
out:
	PQclear(res);
	if (er != UA_OK) {
		memset(caller, 0, sizeof(*caller));
		ua_secure_zero(caller_cred, sizeof(*caller_cred));
		memset(target, 0, sizeof(*target));
		*target_found = false;
	}
	return er;
}

/*
 * The user whose email is "email", compared case-insensitively, with
 * credentials.  Returns UA_OK, UA_ERR_NOT_FOUND, or a database error;
 * on error "out" and "cred" are zeroed.
 */
static enum ua_err
pg_get_by_email(void *arg, const char *email, struct ua_user *out,
    struct ua_credentials *cred)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	const char   *params[1] = { email };

	memset(out, 0, sizeof(*out));
	memset(cred, 0, sizeof(*cred));

	if ((er = ua_db_exec(db, SQL_GET_BY_EMAIL, 1, params, UA_DB_READ_ONLY,
		 &res)) != UA_OK)
		return er;

	if ((er = ua_pg_shape(res, CCOL__MAX, 0, 1, "users: get_by_email")) !=
	    UA_OK)
		goto out;
	if (PQntuples(res) == 0) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	if ((er = row_to_user(res, 0, out)) != UA_OK)
		goto out;
	er = row_to_cred(res, 0, cred);
out:
	PQclear(res);
	if (er != UA_OK) {
		memset(out, 0, sizeof(*out));
		ua_secure_zero(cred, sizeof(*cred));
	}
	return er;
}

/*
 * The caller's row and credentials, and up to "limit" users ordered by
 * id after skipping "offset", into "items" (room for "limit"), with the
 * number of all users, from one snapshot in one round trip.  Returns
 * UA_OK, UA_ERR_NOT_FOUND if the caller is gone, UA_ERR_INVALID for a
 * negative "offset" or "limit", or a database error; on error every
 * out-parameter is zeroed.
 */
static enum ua_err
pg_list(void *arg, int64_t caller_id, const char *sid, struct ua_user *caller,
    struct ua_credentials *caller_cred, int64_t offset, int64_t limit,
    struct ua_user *items, size_t *n, int64_t *total)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	const int     first = 1; /* the page's rows follow the caller's */
	int	      i, rows, maxrows;
	char	      obuf[UA_INT64_STRLEN], lbuf[UA_INT64_STRLEN];
	char	      cbuf[UA_INT64_STRLEN];
	const char   *params[4] = { obuf, lbuf, cbuf, ua_pg_sid_param(sid) };

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	*n = 0;
	*total = 0;
	if (offset < 0 || limit < 0)
		return UA_ERR_INVALID;
	ua_fmt_int64(obuf, sizeof(obuf), offset);
	ua_fmt_int64(lbuf, sizeof(lbuf), limit);
	ua_fmt_int64(cbuf, sizeof(cbuf), caller_id);

	if ((er = ua_db_exec(db, SQL_LIST, 4, params, UA_DB_READ_ONLY, &res)) !=
	    UA_OK)
		return er;

	/* The row carrying the total, at most "limit" rows and the caller. */
	maxrows = limit < INT_MAX - 1 ? (int)limit + 1 : INT_MAX;
	if ((er = ua_pg_shape(res, LCOL__MAX, 1, maxrows < 2 ? 2 : maxrows,
		 "users: list")) != UA_OK)
		goto out;
	if (strcmp(PQgetvalue(res, 0, LCOL_IS_CALLER), "t") != 0) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	if ((er = row_to_user(res, 0, caller)) != UA_OK ||
	    (er = row_to_cred(res, 0, caller_cred)) != UA_OK)
		goto out;
	rows = PQntuples(res) - first;
	if (rows < 1) {
		ua_log_err("users: list: no total");
		er = UA_ERR_DB;
		goto out;
	}
	if ((er = ua_pg_int64(res, first, LCOL_TOTAL, total)) != UA_OK)
		goto out;
	if (rows == 1 && PQgetisnull(res, first, UA_USER_COL_id))
		rows = 0; /* the page is empty */
	for (i = 0; i < rows; i++) {
		memset(&items[i], 0, sizeof(items[i]));
		if ((er = row_to_user(res, first + i, &items[i])) != UA_OK)
			goto out;
	}
	*n = (size_t)rows;
	er = UA_OK;
out:
	PQclear(res);
	if (er != UA_OK) {
		memset(caller, 0, sizeof(*caller));
		ua_secure_zero(caller_cred, sizeof(*caller_cred));
		*n = 0;
		*total = 0;
	}
	return er;
}

/*
 * Store a new user and fill "out" with its row as stored.  Returns
 * UA_OK, UA_ERR_CONFLICT if the email is taken in any case (the unique
 * index decides, so concurrent inserts of one email give one UA_OK),
 * UA_ERR_INVALID for a field longer than the model holds,
 * UA_ERR_INTERNAL for a role out of range, or a database error.  On
 * error "out" is zeroed.
 */
static enum ua_err
pg_insert(void *arg, const char *email, const char *name, const char *hash,
    enum ua_role role, struct ua_user *out)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	const char   *params[4];

	memset(out, 0, sizeof(*out));
	if (!ua_pg_fits(email, UA_EMAIL_MAX) ||
	    !ua_pg_fits(name, UA_NAME_MAX_BYTES) ||
	    !ua_pg_fits(hash, UA_PASSWORD_HASH_MAX - 1))
		return UA_ERR_INVALID;
	if ((unsigned)role >= UA_ROLE__MAX)
		return UA_ERR_INTERNAL;
	params[0] = email;
	params[1] = hash;
	params[2] = name;
	params[3] = ua_role_db_name(role);

	if ((er = ua_db_exec(db, SQL_INSERT, 4, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;

	if ((er = ua_pg_shape(res, UA_USER_COL__MAX, 1, 1, "users: insert")) !=
	    UA_OK)
		goto out;
	er = row_to_user(res, 0, out);
out:
	PQclear(res);
	if (er != UA_OK)
		memset(out, 0, sizeof(*out));
	return er;
}

/*
 * Apply the has_* fields of "patch" to user "id" and fill "out" with
 * the row as stored (an empty patch returns the row unchanged, and the
 * trigger leaves updated_at alone).  A demotion runs under the admin
 * guard in a transaction; anything else is one statement.  Returns
 * UA_OK, UA_ERR_NOT_FOUND, UA_ERR_CONFLICT (email taken in any case),
 * UA_ERR_LAST_ADMIN, UA_ERR_INVALID for a field longer than the model
 * holds, UA_ERR_INTERNAL for a role out of range, or a database error
 * (UA_ERR_DB_UNAVAILABLE if the outcome of the COMMIT is unknown).  On
 * error "out" is zeroed and nothing was changed, except after such a
 * COMMIT.
 */
static enum ua_err
pg_update(void *arg, int64_t id, const struct ua_user_patch *patch,
    struct ua_user *out)
{
	struct ua_db *db = arg;
	PGresult     *res = NULL;
	enum ua_err   er = UA_ERR_DB;
	bool	      guarded;
	char	      idbuf[UA_INT64_STRLEN];
	const char   *params[4];

	memset(out, 0, sizeof(*out));
	if ((patch->has_email && !ua_pg_fits(patch->email, UA_EMAIL_MAX)) ||
	    (patch->has_name && !ua_pg_fits(patch->name, UA_NAME_MAX_BYTES)))
		return UA_ERR_INVALID;
	if (patch->has_role && (unsigned)patch->role >= UA_ROLE__MAX)
		return UA_ERR_INTERNAL;
	ua_fmt_int64(idbuf, sizeof(idbuf), id);
	params[0] = idbuf;
	params[1] = patch->has_email ? patch->email : NULL;
	params[2] = patch->has_name ? patch->name : NULL;
	params[3] = patch->has_role ? ua_role_db_name(patch->role) : NULL;

	guarded = patch->has_role && patch->role != UA_ROLE_ADMIN;
	if (guarded) {
		if ((er = ua_db_begin(db)) != UA_OK)
			return er;
		if ((er = admin_guard(db, idbuf)) != UA_OK)
			goto out;
	}
	if ((er = ua_db_exec(db, SQL_UPDATE, 4, params, UA_DB_WRITE, &res)) !=
		UA_OK ||
	    (er = ua_pg_shape(res, UA_USER_COL__MAX, 0, 1, "users: update")) !=
		UA_OK)
		goto out;
	if (PQntuples(res) == 0) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	if ((er = row_to_user(res, 0, out)) != UA_OK)
		goto out;
	if (guarded)
		er = ua_db_commit(db);
out:
	PQclear(res);
	ua_db_rollback(db); /* no-op unless a step above failed */
	if (er != UA_OK)
		memset(out, 0, sizeof(*out));
	return er;
}

/*
 * Delete user "id" under the admin guard, in a transaction.  Returns
 * UA_OK, UA_ERR_NOT_FOUND, UA_ERR_LAST_ADMIN, or a database error
 * (UA_ERR_DB_UNAVAILABLE if the outcome of the COMMIT is unknown).
 */
static enum ua_err
pg_remove(void *arg, int64_t id)
{
	struct ua_db *db = arg;
	PGresult     *res = NULL;
	enum ua_err   er = UA_ERR_DB;
	char	      idbuf[UA_INT64_STRLEN];
	const char   *params[1] = { idbuf };

	ua_fmt_int64(idbuf, sizeof(idbuf), id);
	if ((er = ua_db_begin(db)) != UA_OK)
		return er;
	if ((er = admin_guard(db, idbuf)) != UA_OK ||
	    (er = ua_db_exec(db, SQL_DELETE, 1, params, UA_DB_WRITE, &res)) !=
		UA_OK)
		goto out;
	er = ua_db_commit(db);
out:
	PQclear(res);
	ua_db_rollback(db); /* no-op unless a step above failed */
	return er;
}

/*
 * Store "hash" for user "id"; with "revoke_tokens" also bump its token
 * version, in the same statement; with "expected", only if that is the
 * hash stored now.  Returns UA_OK, UA_ERR_NOT_FOUND (no such user, or
 * another hash),
 * UA_ERR_INVALID for a hash longer than the credentials hold, or a
 * database error.
 */
static enum ua_err
pg_set_password(void *arg, int64_t id, const char *hash, const char *expected,
    bool revoke_tokens)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	int64_t	      n;
	char	      idbuf[UA_INT64_STRLEN];
	const char *params[4] = { idbuf, hash, revoke_tokens ? "true" : "false",
		expected };

	if (!ua_pg_fits(hash, UA_PASSWORD_HASH_MAX - 1))
		return UA_ERR_INVALID;
	ua_fmt_int64(idbuf, sizeof(idbuf), id);

	if ((er = ua_db_exec(db, SQL_SET_PASSWORD, 4, params, UA_DB_WRITE,
		 &res)) != UA_OK)
		return er;

	if ((er = ua_pg_affected(res, &n)) != UA_OK)
		goto out;
	er = n == 0 ? UA_ERR_NOT_FOUND : UA_OK;
out:
	PQclear(res);
	return er;
}

const struct ua_user_repo_ops ua_user_repo_pg = {
	.get_by_id = pg_get_by_id,
	.get_caller_and_target = pg_get_caller_and_target,
	.get_by_email = pg_get_by_email,
	.list = pg_list,
	.insert = pg_insert,
	.update = pg_update,
	.remove = pg_remove,
	.set_password = pg_set_password,
};
