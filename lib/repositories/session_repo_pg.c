/*
 * session_repo_pg.c -- the PostgreSQL implementation of
 * ua_session_repo_ops (userapi/session.h).
 *
 * Every operation is one statement.  A refresh is a conditional UPDATE
 * (WHERE refresh_hash = ... AND the session is live): under READ
 * COMMITTED, of two that meet the same row, the second waits for the
 * first and re-checks its condition on the row as committed, so exactly
 * one rotates and the other finds the token spent (the grace case).
 *
 * Hashes travel as hex text and are stored as bytea.  Times are the
 * database's clock (now()), like every other time it keeps.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/db.h"
#include "db/db-pg.h"
#include "userapi/errors.h"
#include "userapi/numparse.h"
#include "userapi/session.h"
#include "model-private.h"
#include "repositories-private.h"

#define HASH_HEX_LEN (2 * UA_REFRESH_HASH_BYTES)

/*
 * A session is live while it has not ended, has not expired, and its
 * user's token version is still the one it started under ("s" the
 * session, "u" its user).
 */
#define LIVE(s, u) \
	s ".ended_at IS NULL AND " s ".expires_at > now() AND " u ".id = " s \
	  ".user_id AND " u ".token_version = " s ".token_version"

/* What a refresh grants, as struct ua_session_grant. */
#define GRANT_COLS(s, u) \
	s ".id::text, " s ".user_id::bigint, " u ".token_version::bigint," \
	  " ceil(extract(epoch FROM " s ".expires_at - now()))::bigint"
enum { GCOL_SID, GCOL_USER, GCOL_VERSION, GCOL_EXPIRES_IN, GCOL__MAX };

/*
 * $1 user, $2 its token version at the login, $3 the live sessions to
 * keep besides the new one, $4 days, $5 user agent, $6 address, $7 hash.
 * Nothing is inserted if the version moved on (a password change).
 */
static const char SQL_START[] =
    "WITH u AS (SELECT id, token_version FROM users"
    "  WHERE id = $1::bigint AND token_version = $2::bigint),"
    " gone AS (DELETE FROM sessions WHERE user_id = $1::bigint"
    "  AND (ended_at IS NOT NULL OR expires_at <= now()"
    "   OR token_version <> $2::bigint)),"
    " capped AS (UPDATE sessions SET ended_at = now() WHERE id IN ("
    "  SELECT id FROM sessions WHERE user_id = $1::bigint"
    "   AND ended_at IS NULL AND expires_at > now()"
    "   AND token_version = $2::bigint"
    "   ORDER BY created_at DESC, id OFFSET $3::bigint))"
    " INSERT INTO sessions (user_id, expires_at, user_agent, ip,"
    "  refresh_hash, token_version)"
    " SELECT u.id, now() + make_interval(days => $4::int), $5::text,"
    "  $6::text, decode($7::text, 'hex'), u.token_version FROM u"
    " RETURNING id::text";

/* $1 the hash presented, $2 the new one. */
static const char SQL_ROTATE[] =
    "UPDATE sessions AS s SET previous_hash = s.refresh_hash,"
    " refresh_hash = decode($2::text, 'hex'), replaced_hash = NULL,"
    " rotated_at = now(), grace_used = false, last_used_at = now()"
    " FROM users AS u"
    " WHERE s.refresh_hash = decode($1::text, 'hex') AND " LIVE("s",
	"u") " RETURNING " GRANT_COLS("s", "u");

/* $1 the spent hash presented, $2 the new one, $3 the window. */
static const char SQL_GRACE[] =
    "UPDATE sessions AS s SET replaced_hash = s.refresh_hash,"
    " refresh_hash = decode($2::text, 'hex'), grace_used = true,"
    " last_used_at = now()"
    " FROM users AS u"
    " WHERE s.previous_hash = decode($1::text, 'hex')"
    " AND NOT s.grace_used"
    " AND s.rotated_at >= now() - make_interval(secs => $3::int)"
    " AND " LIVE("s", "u") " RETURNING " GRANT_COLS("s", "u");

static const char SQL_END_SPENT[] =
    "UPDATE sessions SET ended_at = now()"
    " WHERE (previous_hash = decode($1::text, 'hex')"
    "  OR replaced_hash = decode($1::text, 'hex'))"
    " AND ended_at IS NULL";

/*
 * $1 user, $2 the session named (or NULL), $3 the scope, $4 whether to
 * bump the user's token version in the same statement.
 */
static const char SQL_END[] =
    "WITH bump AS (UPDATE users SET token_version = token_version + 1"
    "  WHERE id = $1::bigint AND $4::boolean RETURNING id)"
    " UPDATE sessions AS s SET ended_at = now() FROM users AS u"
    " WHERE s.user_id = $1::bigint AND " LIVE("s",
	"u") " AND CASE $3::int"
	     "  WHEN 0 THEN s.id = $2::uuid"
	     "  WHEN 1 THEN s.id IS DISTINCT FROM $2::uuid"
	     "  ELSE true END";

/* $1 user, $2 the caller's session (or NULL). */
static const char SQL_LIST[] = "SELECT " UA_SESSION_COLS_OF(
    "s") " FROM ("
	 "  SELECT s.*, s.id IS NOT DISTINCT FROM $2::uuid AS is_current"
	 "  FROM sessions AS s JOIN users AS u ON u.id = s.user_id"
	 "  WHERE s.user_id = $1::bigint AND " LIVE("s",
	     "u") "  ORDER BY s.created_at DESC, s.id LIMIT $3::bigint) AS s"
		  " ORDER BY s.created_at DESC, s.id";

static const char SQL_PRUNE[] =
    "DELETE FROM sessions AS s USING users AS u"
    " WHERE u.id = s.user_id AND (s.ended_at IS NOT NULL"
    "  OR s.expires_at <= now() OR s.token_version <> u.token_version)";

/* "h" as lower-case hex into "out" (HASH_HEX_LEN + 1 bytes). */
static void
hash_hex(const struct ua_refresh_hash *h, char out[HASH_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t		  i;

	for (i = 0; i < UA_REFRESH_HASH_BYTES; i++) {
		out[2 * i] = digits[h->b[i] >> 4];
		out[2 * i + 1] = digits[h->b[i] & 0xf];
	}
	out[HASH_HEX_LEN] = '\0';
}

/* Row 0 of a refresh's RETURNING into "out"; no row: UA_ERR_NOT_FOUND. */
static enum ua_err
read_grant(PGresult *res, const char *what, struct ua_session_grant *out)
{
	enum ua_err er;

	memset(out, 0, sizeof(*out));
	if ((er = ua_pg_shape(res, GCOL__MAX, 0, 1, what)) != UA_OK)
		return er;
	if (PQntuples(res) == 0)
		return UA_ERR_NOT_FOUND;
	if ((er = ua_pg_text(res, 0, GCOL_SID, out->sid, sizeof(out->sid))) !=
		UA_OK ||
	    (er = ua_pg_int64(res, 0, GCOL_USER, &out->user_id)) != UA_OK ||
	    (er = ua_pg_int64(res, 0, GCOL_VERSION, &out->token_version)) !=
		UA_OK ||
	    (er = ua_pg_int64(res, 0, GCOL_EXPIRES_IN, &out->expires_in)) !=
		UA_OK)
		memset(out, 0, sizeof(*out));
	return er;
}

static enum ua_err
pg_start(void *arg, const struct ua_session_start *in, int cap,
    char sid[UA_SESSION_ID_LEN + 1])
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	char	      ubuf[UA_INT64_STRLEN], vbuf[UA_INT64_STRLEN];
	char	      kbuf[UA_INT64_STRLEN], dbuf[UA_INT64_STRLEN];
	char	      hex[HASH_HEX_LEN + 1];
	const char   *params[7] = { ubuf, vbuf, kbuf, dbuf, in->user_agent,
		  in->ip, hex };

	sid[0] = '\0';
	ua_fmt_int64(ubuf, sizeof(ubuf), in->user_id);
	ua_fmt_int64(vbuf, sizeof(vbuf), in->token_version);
	ua_fmt_int64(kbuf, sizeof(kbuf), cap > 1 ? cap - 1 : 0);
	ua_fmt_int64(dbuf, sizeof(dbuf), in->lifetime_days);
	hash_hex(&in->refresh, hex);
	if ((er = ua_db_exec(db, SQL_START, 7, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	if ((er = ua_pg_shape(res, 1, 0, 1, "sessions: start")) == UA_OK) {
		if (PQntuples(res) == 0)
			er = UA_ERR_NOT_FOUND;
		else
			er = ua_pg_text(res, 0, 0, sid, UA_SESSION_ID_LEN + 1);
	}
	PQclear(res);
	return er;
}

/* A refresh statement ("sql") with the hashes and maybe the window. */
static enum ua_err
refresh_exec(struct ua_db *db, const char *sql, const char *what,
    const struct ua_refresh_hash *old, const struct ua_refresh_hash *fresh,
    int reuse_s, struct ua_session_grant *out)
{
	PGresult   *res;
	enum ua_err er;
	char	    ohex[HASH_HEX_LEN + 1], fhex[HASH_HEX_LEN + 1];
	char	    wbuf[UA_INT64_STRLEN];
	const char *params[3] = { ohex, fhex, wbuf };

	memset(out, 0, sizeof(*out));
	hash_hex(old, ohex);
	hash_hex(fresh, fhex);
	ua_fmt_int64(wbuf, sizeof(wbuf), reuse_s);
	if ((er = ua_db_exec(db, sql, reuse_s >= 0 ? 3 : 2, params, UA_DB_WRITE,
		 &res)) != UA_OK)
		return er;
	er = read_grant(res, what, out);
	PQclear(res);
	return er;
}

static enum ua_err
pg_rotate(void *arg, const struct ua_refresh_hash *old,
    const struct ua_refresh_hash *fresh, struct ua_session_grant *out)
{
	return refresh_exec(arg, SQL_ROTATE, "sessions: rotate", old, fresh, -1,
	    out);
}

static enum ua_err
pg_grace(void *arg, const struct ua_refresh_hash *old,
    const struct ua_refresh_hash *fresh, int reuse_s,
    struct ua_session_grant *out)
{
	return refresh_exec(arg, SQL_GRACE, "sessions: grace", old, fresh,
	    reuse_s < 0 ? 0 : reuse_s, out);
}

/* A statement that returns no rows; "*n" the rows it touched. */
static enum ua_err
exec_count(struct ua_db *db, const char *sql, int nparams,
    const char *const *params, int64_t *n)
{
	PGresult   *res;
	enum ua_err er;

	*n = 0;
	if ((er = ua_db_exec(db, sql, nparams, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	er = ua_pg_affected(res, n);
	PQclear(res);
	return er;
}

static enum ua_err
pg_end_spent(void *arg, const struct ua_refresh_hash *old, bool *ended)
{
	char	    hex[HASH_HEX_LEN + 1];
	const char *params[1] = { hex };
	int64_t	    n;
	enum ua_err er;

	hash_hex(old, hex);
	er = exec_count(arg, SQL_END_SPENT, 1, params, &n);
	*ended = er == UA_OK && n > 0;
	return er;
}

static enum ua_err
pg_end(void *arg, int64_t user_id, const char *sid, enum ua_session_scope scope,
    bool revoke_tokens, int64_t *ended)
{
	char	    ubuf[UA_INT64_STRLEN], sbuf[UA_INT64_STRLEN];
	const char *params[4] = { ubuf, NULL, sbuf,
		revoke_tokens ? "true" : "false" };

	*ended = 0;
	if ((unsigned)scope >= UA_SESSIONS__MAX)
		return UA_ERR_INTERNAL;
	/* Only an id this API wrote reaches the ::uuid cast. */
	if (sid != NULL && sid[0] != '\0') {
		if (!ua_session_id_valid(sid))
			return scope == UA_SESSIONS_ONE ? UA_OK :
							  UA_ERR_INTERNAL;
		params[1] = sid;
	}
	ua_fmt_int64(ubuf, sizeof(ubuf), user_id);
	ua_fmt_int64(sbuf, sizeof(sbuf), (int64_t)scope);
	return exec_count(arg, SQL_END, 4, params, ended);
}

static enum ua_err
pg_list(void *arg, int64_t user_id, const char *sid, struct ua_session *items,
    size_t max, size_t *n)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er = UA_OK;
	char	      ubuf[UA_INT64_STRLEN], mbuf[UA_INT64_STRLEN];
	const char   *params[3] = { ubuf,
		  sid != NULL && ua_session_id_valid(sid) ? sid : NULL, mbuf };
	size_t	      i, rows;

	*n = 0;
	ua_fmt_int64(ubuf, sizeof(ubuf), user_id);
	ua_fmt_int64(mbuf, sizeof(mbuf), (int64_t)max);
	if ((er = ua_db_exec(db, SQL_LIST, 3, params, UA_DB_READ_ONLY, &res)) !=
	    UA_OK)
		return er;
	if ((er = ua_pg_shape(res, UA_SESSION_COL__MAX, 0, (int)max,
		 "sessions: list")) != UA_OK)
		goto out;
	rows = (size_t)PQntuples(res);
	for (i = 0; i < rows; i++) {
		if ((er = ua_pg_model(res, (int)i, 0, &ua_session_model,
			 &items[i])) != UA_OK)
			break;
		*n = i + 1;
	}
	if (er != UA_OK) {
		for (i = 0; i < rows; i++)
			ua_session_cleanup(&items[i]);
		*n = 0;
	}
out:
	PQclear(res);
	return er;
}

static enum ua_err
pg_prune(void *arg, int64_t *deleted)
{
	return exec_count(arg, SQL_PRUNE, 0, NULL, deleted);
}

const struct ua_session_repo_ops ua_session_repo_pg = {
	.start = pg_start,
	.rotate = pg_rotate,
	.grace = pg_grace,
	.end_spent = pg_end_spent,
	.end = pg_end,
	.list = pg_list,
	.prune = pg_prune,
};
