/*
 * pg_result.c -- strict readers of libpq results for the repositories.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/numparse.h"
#include "userapi/user.h"
#include "userapi/session.h"
#include "repositories-private.h"

enum ua_err
ua_pg_shape(const PGresult *res, int nfields, int minrows, int maxrows,
    const char *what)
{
	int n = PQntuples(res);

	if (PQnfields(res) == nfields && n >= minrows && n <= maxrows)
		return UA_OK;
	ua_log_err("%s: unexpected result: %d column(s), %d row(s)", what,
	    PQnfields(res), n);
	return UA_ERR_DB;
}

enum ua_err
ua_pg_int64_null(const PGresult *res, int row, int col, int64_t *out,
    bool *isnull)
{
	*out = 0;
	if ((*isnull = PQgetisnull(res, row, col)))
		return UA_OK;
	if (ua_parse_int64(PQgetvalue(res, row, col), out))
		return UA_OK;
	ua_log_err("database: column %d is not a bigint", col);
	return UA_ERR_DB;
}

enum ua_err
ua_pg_int64(const PGresult *res, int row, int col, int64_t *out)
{
	enum ua_err er;
	bool	    isnull;

	if ((er = ua_pg_int64_null(res, row, col, out, &isnull)) != UA_OK)
		return er;
	if (!isnull)
		return UA_OK;
	ua_log_err("database: column %d is NULL", col);
	return UA_ERR_DB;
}

enum ua_err
ua_pg_text(const PGresult *res, int row, int col, char *buf, size_t len)
{
	size_t n;

	buf[0] = '\0';
	if (PQgetisnull(res, row, col)) {
		ua_log_err("database: column %d is NULL", col);
		return UA_ERR_DB;
	}
	if ((n = (size_t)PQgetlength(res, row, col)) >= len) {
		ua_log_err("database: column %d holds %zu bytes, room "
			   "for %zu",
		    col, n, len - 1);
		return UA_ERR_DB;
	}
	memcpy(buf, PQgetvalue(res, row, col), n);
	buf[n] = '\0';
	return UA_OK;
}

enum ua_err
ua_pg_affected(PGresult *res, int64_t *out)
{
	*out = 0;
	if (ua_parse_int64(PQcmdTuples(res), out))
		return UA_OK;
	ua_log_err("database: no row count in the command status");
	return UA_ERR_DB;
}

bool
ua_pg_fits(const char *s, size_t max)
{
	return s != NULL && strnlen(s, max + 1) <= max;
}

enum ua_err
ua_pg_caller(const PGresult *res, int row, int base, struct ua_user *u,
    struct ua_credentials *cred)
{
	enum ua_err er;

	if ((er = ua_pg_model(res, row, base, &ua_user_model, u)) != UA_OK ||
	    (er = ua_pg_text(res, row, base + UA_USER_COL__MAX, cred->hash,
		 sizeof(cred->hash))) != UA_OK ||
	    (er = ua_pg_int64(res, row, base + UA_USER_COL__MAX + 1,
		 &cred->token_version)) != UA_OK)
		return er;
	cred->session_live =
	    !PQgetisnull(res, row, base + UA_USER_COL__MAX + 2) &&
	    strcmp(PQgetvalue(res, row, base + UA_USER_COL__MAX + 2), "t") == 0;
	return UA_OK;
}

/*
 * "No session" is the nil UUID, which gen_random_uuid() never makes,
 * rather than NULL: with NULL, PostgreSQL folds the session's probe
 * away in a custom plan, every custom plan then looks cheaper than the
 * generic one, and the statement is planned anew on every call (for
 * every caller of that worker, tokens with a session included).
 */
#define NO_SESSION "00000000-0000-0000-0000-000000000000"

const char *
ua_pg_sid_param(const char *sid)
{
	return sid != NULL && ua_session_id_valid(sid) ? sid : NO_SESSION;
}
