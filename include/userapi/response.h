/*
 * response.h -- the response being built for a request: a status,
 * extra headers and a body, written out in one piece by the worker.
 *
 * Every response also gets, at serialisation: Status, Content-Type,
 * X-Request-ID, X-Content-Type-Options: nosniff, and Cache-Control:
 * no-store under /api/.  HEAD responses carry the headers only.
 */
#ifndef USERAPI_RESPONSE_H
#define USERAPI_RESPONSE_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "userapi/buf.h"
#include "userapi/errors.h"

struct json_object;
struct ua_req;

struct ua_resp {
	int	      status;	    /* 0 until something is set */
	char	     *content_type; /* NULL: application/json */
	struct ua_buf headers;	    /* "Name: value\r\n" lines */
	struct ua_buf body;
};

void ua_resp_init(struct ua_resp *);
void ua_resp_cleanup(struct ua_resp *);

/* Add a header line.  "name" and the value must hold no CR or LF. */
void ua_resp_header(struct ua_req *, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Answer "status" with "obj" as compact, UTF-8 unescaped JSON.  Takes
 * the caller's reference to "obj" (json_object_put is done here).
 */
void ua_resp_json(struct ua_req *, int status, struct json_object *obj);

/* Answer "status" with JSON text already written into "json". */
void ua_resp_json_text(struct ua_req *, int status, const struct ua_buf *json);

/* Answer {"detail": "<detail>"} with "status". */
void ua_resp_detail(struct ua_req *, int status, const char *detail);

/*
 * Answer the error "er" as API.md says: its status, its detail, and the
 * headers it needs (WWW-Authenticate on 401, Retry-After on 503).
 * Previous body and headers are dropped; X-Request-ID etc. stay.
 */
void ua_resp_error(struct ua_req *, enum ua_err er);

/* Answer "status" with no body (204). */
void ua_resp_empty(struct ua_req *, int status);

/* Answer "status" with a body of another type (the docs' HTML). */
void ua_resp_raw(struct ua_req *, int status, const char *content_type,
    const void *body, size_t len);

/*
 * Append the whole response, as CGI output (a "Status:" header first),
 * to "out".
 */
void ua_resp_serialize(const struct ua_req *, struct ua_buf *out);

#pragma GCC visibility pop
#endif
