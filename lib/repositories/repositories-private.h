/*
 * repositories-private.h -- reading libpq results, shared by the
 * PostgreSQL repositories; not installed.
 *
 * Every reader takes the result, a row and a column (from the calling
 * file's column enum) and treats anything unexpected (SQL NULL where
 * none may be, text that does not fit, a number that does not parse)
 * as schema drift: UA_ERR_DB, logged here.
 */
#ifndef USERAPI_REPOSITORIES_PRIVATE_H
#define USERAPI_REPOSITORIES_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "userapi/errors.h"
#include "userapi/user.h"
#include "model-private.h"

/*
 * Does "res" have "nfields" columns and between "minrows" and "maxrows"
 * rows?  Logs "what" and returns UA_ERR_DB if not, else UA_OK.
 */
enum ua_err ua_pg_shape(const PGresult *res, int nfields, int minrows,
    int maxrows, const char *what);

/* The bigint at ("row", "col") into "*out"; NULL is an error. */
enum ua_err ua_pg_int64(const PGresult *res, int row, int col, int64_t *out);

/*
 * As ua_pg_int64(), but SQL NULL is allowed: "*isnull" says whether
 * it was, and "*out" is then 0.
 */
enum ua_err ua_pg_int64_null(const PGresult *res, int row, int col,
    int64_t *out, bool *isnull);

/*
 * Copy the text at ("row", "col") into "buf" ("len" bytes, NUL
 * included).  NULL, or text that does not fit, is an error; "buf" is
 * then the empty string.
 */
enum ua_err ua_pg_text(const PGresult *res, int row, int col, char *buf,
    size_t len);

/* Rows an INSERT, UPDATE or DELETE touched (PQcmdTuples) into "*out". */
enum ua_err ua_pg_affected(PGresult *res, int64_t *out);

/*
 * Is "s" a string of at most "max" bytes (NUL not counted)?  Checked
 * before anything is written, so that no row is stored that could not
 * be read back into the fixed buffers of struct ua_user.
 */
bool ua_pg_fits(const char *s, size_t max);

/*
 * Is session "sid" (a parameter such as "$3", a session id or NULL) of
 * the users row "t" live: not ended, not expired, started under the
 * user's token version?  false when there is none: the bearer check's
 * session half, read with the caller's row.
 */
#define UA_PG_SESSION_LIVE_OF(t, sid) \
	"EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = " sid "::uuid" \
	" AND s.user_id = " t ".id AND s.ended_at IS NULL" \
	" AND s.expires_at > now() AND s.token_version = " t ".token_version)"

/*
 * The columns of a caller as the bearer check reads them, of the users
 * row aliased "t" (a string literal), with its session "sid" (a
 * parameter): the User model's columns, then the password hash, the
 * token version and whether the session is live.  UA_PG_CALLER__MAX of
 * them.
 */
#define UA_PG_CALLER_COLS_OF(t, sid) \
	UA_USER_COLS_OF(t) \
	", " t ".hashed_password, " t \
	".token_version::bigint, " UA_PG_SESSION_LIVE_OF(t, sid)
#define UA_PG_CALLER__MAX (UA_USER_COL__MAX + 3)

/*
 * The parameter for a session "sid": the id of no session for none (""
 * or NULL), and for anything but a session id as the API writes them,
 * so that only those reach a ::uuid cast.
 */
const char *ua_pg_sid_param(const char *sid);

/*
 * The caller's columns of row "row", from column "base" on, into "u"
 * and "cred".  NULL where none may be, text too long, an unknown role:
 * UA_ERR_DB.
 */
enum ua_err ua_pg_caller(const PGresult *res, int row, int base,
    struct ua_user *u, struct ua_credentials *cred);

#endif
