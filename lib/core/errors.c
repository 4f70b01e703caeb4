/*
 * errors.c -- the one mapping from enum ua_err to HTTP.
 */
#include "config.h"

#include <stddef.h>

#include "userapi/errors.h"

struct errdef {
	const char *name;   /* for logs and tools */
	int	    status; /* HTTP status at the edge */
	const char *detail; /* what the client reads */
};

static const struct errdef errs[UA_ERR__MAX] = {
	[UA_OK] = { "success", 200, "OK" },
	[UA_ERR_INVALID] = { "invalid input", 422, "Unprocessable Entity" },
	[UA_ERR_BAD_REQUEST] = { "bad request", 400, "Bad Request" },
	[UA_ERR_NOT_FOUND] = { "not found", 404, "Not Found" },
	[UA_ERR_METHOD] = { "method not allowed", 405, "Method Not Allowed" },
	[UA_ERR_CONFLICT] = { "conflict", 409, "Email already registered" },
	[UA_ERR_LAST_ADMIN] = { "last admin", 409,
	    "The last admin cannot be demoted or deleted" },
	[UA_ERR_UNAUTHENTICATED] = { "not authenticated", 401,
	    "Not authenticated" },
	[UA_ERR_BAD_TOKEN] = { "bad credentials", 401,
	    "Could not validate credentials" },
	[UA_ERR_LOGIN_FAILED] = { "login failed", 401,
	    "Incorrect email or password" },
	[UA_ERR_BAD_REFRESH] = { "bad refresh token", 401,
	    "Invalid refresh token" },
	[UA_ERR_SESSION_NOT_FOUND] = { "session not found", 404,
	    "Session not found" },
	[UA_ERR_BAD_PASSWORD] = { "wrong current password", 400,
	    "Incorrect password" },
	[UA_ERR_FORBIDDEN] = { "forbidden", 403, "Not enough permissions" },
	[UA_ERR_LENGTH_REQUIRED] = { "length required", 411,
	    "Length Required" },
	[UA_ERR_TOO_LARGE] = { "body too large", 413,
	    "Request body too large" },
	[UA_ERR_MEDIA_TYPE] = { "unsupported media type", 415,
	    "Unsupported Media Type" },
	[UA_ERR_TOO_MANY] = { "too many requests", 429,
	    "Too many login attempts" },
	[UA_ERR_PRECONDITION] = { "precondition failed", 412,
	    "Precondition Failed" },
	[UA_ERR_ORDER_LOCKED] = { "order locked", 409,
	    "Order can no longer be changed" },
	/* The router words it with both statuses; this is the fallback. */
	[UA_ERR_BAD_TRANSITION] = { "bad status change", 409,
	    "Cannot change status from <from> to <to>" },
	[UA_ERR_IDEM_BUSY] = { "idempotency key busy", 409,
	    "A request with this Idempotency-Key is in progress" },
	[UA_ERR_IDEM_MISMATCH] = { "idempotency key reused", 422,
	    "Idempotency-Key reused with a different request" },
	[UA_ERR_IDEM_REPLAY] = { "replayed", 200, "OK" },
	[UA_ERR_DB_UNAVAILABLE] = { "database unavailable", 503,
	    "Service temporarily unavailable" },
	[UA_ERR_DB] = { "database error", 500, "Internal Server Error" },
	[UA_ERR_IO] = { "input/output error", 500, "Internal Server Error" },
	[UA_ERR_CONFIG] = { "bad configuration", 500, "Internal Server Error" },
	[UA_ERR_INTERNAL] = { "internal error", 500, "Internal Server Error" },
};

static const struct errdef *
lookup(enum ua_err er)
{
	if ((unsigned)er >= UA_ERR__MAX)
		return &errs[UA_ERR_INTERNAL];
	return &errs[er];
}

const char *
ua_strerror(enum ua_err er)
{
	return lookup(er)->name;
}

int
ua_err_http_status(enum ua_err er)
{
	return lookup(er)->status;
}

const char *
ua_err_detail(enum ua_err er)
{
	return lookup(er)->detail;
}

struct reason {
	int	    status;
	const char *text;
};

static const struct reason reasons[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 204, "No Content" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

const char *
ua_http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return "Unknown";
}
