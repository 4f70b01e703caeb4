/*
 * errors.h -- the one error type of libuserapi.
 *
 * Fallible functions return an enum ua_err (UA_OK is 0) and deliver
 * results through out-parameters.  lib/core/errors.c maps each value to
 * its HTTP status and client-facing detail, in one table.
 */
#ifndef USERAPI_ERRORS_H
#define USERAPI_ERRORS_H
#pragma GCC visibility push(default)

enum ua_err {
	UA_OK = 0,
	UA_ERR_INVALID,		  /* 422: input failed validation */
	UA_ERR_BAD_REQUEST,	  /* 400: malformed HTTP (short body) */
	UA_ERR_NOT_FOUND,	  /* 404 */
	UA_ERR_METHOD,		  /* 405 */
	UA_ERR_CONFLICT,	  /* 409: email already registered */
	UA_ERR_LAST_ADMIN,	  /* 409: would leave no admin */
	UA_ERR_UNAUTHENTICATED,	  /* 401: no credentials */
	UA_ERR_BAD_TOKEN,	  /* 401: credentials refused */
	UA_ERR_LOGIN_FAILED,	  /* 401: wrong email or password */
	UA_ERR_BAD_REFRESH,	  /* 401: refresh token refused */
	UA_ERR_SESSION_NOT_FOUND, /* 404: not one of the caller's sessions */
	UA_ERR_BAD_PASSWORD,	  /* 400: current password wrong */
	UA_ERR_FORBIDDEN,	  /* 403 */
	UA_ERR_LENGTH_REQUIRED,	  /* 411: CGI body without CONTENT_LENGTH */
	UA_ERR_TOO_LARGE,	  /* 413 */
	UA_ERR_MEDIA_TYPE,	  /* 415 */
	UA_ERR_TOO_MANY,	  /* 429 */
	UA_ERR_PRECONDITION,	  /* 412: If-Match names another version */
	UA_ERR_ORDER_LOCKED,	  /* 409: the order is no longer pending */
	UA_ERR_BAD_TRANSITION,	  /* 409: that status change is not allowed */
	UA_ERR_IDEM_BUSY,	  /* 409: same Idempotency-Key still running */
	UA_ERR_IDEM_MISMATCH,	  /* 422: same key, another request */
	UA_ERR_IDEM_REPLAY,    /* not an error: the kept answer is replayed */
	UA_ERR_DB_UNAVAILABLE, /* 503: database unreachable or timed out */
	UA_ERR_DB,	       /* 500: the database said something unexpected */
	UA_ERR_IO,	 /* 500 / tool failure: reading or writing failed */
	UA_ERR_CONFIG,	 /* a setting is missing or unusable */
	UA_ERR_INTERNAL, /* 500: a bug of ours */
	UA_ERR__MAX
};

/* A short, fixed, English description; never NULL. */
const char *ua_strerror(enum ua_err);

/* The HTTP status that "er" becomes at the edge (200 for UA_OK). */
int ua_err_http_status(enum ua_err er);

/* The client-facing "detail" string for "er"; never internals. */
const char *ua_err_detail(enum ua_err er);

/* The reason phrase of an HTTP status ("Not Found"), or "Unknown". */
const char *ua_http_reason(int status);

#pragma GCC visibility pop
#endif
