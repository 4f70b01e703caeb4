/*
 * request.h -- one HTTP request, as the web server hands it over.
 *
 * Everything a request allocates hangs off struct ua_req and is released
 * by ua_req_cleanup(); nothing survives into the next request.
 */
#ifndef USERAPI_REQUEST_H
#define USERAPI_REQUEST_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "userapi/errors.h"
#include "userapi/netaddr.h"
#include "userapi/response.h"
#include "userapi/urlcode.h"

struct ua_settings;
struct ua_route;

enum ua_method {
	UA_METHOD_GET,
	UA_METHOD_HEAD,
	UA_METHOD_POST,
	UA_METHOD_PUT,
	UA_METHOD_PATCH,
	UA_METHOD_DELETE,
	UA_METHOD_OPTIONS,
	UA_METHOD_OTHER,
	UA_METHOD__MAX
};

/* Longest X-Request-ID accepted from a caller (API.md). */
#define UA_REQUEST_ID_MAX 128
/* Most {name} parameters one path template may hold. */
#define UA_ROUTE_MAX_PARAMS 4

/*
 * Where the body comes from.  "read" fills up to "len" bytes and returns
 * how many it gave, 0 at the end, -1 on error.  Under plain CGI
 * ("is_cgi") the body is never read past CONTENT_LENGTH, and a body
 * without one is refused (411); under FastCGI a missing length means
 * "read to the end of stdin", which mod_fcgid does for chunked bodies.
 */
struct ua_input {
	int (*read)(void *arg, char *buf, int len);
	void *arg;
	bool  is_cgi;
};

struct ua_req {
	const struct ua_settings *settings; /* borrowed, worker-long */
	char *const		 *envp;	    /* borrowed CGI variables */

	enum ua_method	 method;
	const char	*method_name; /* from envp */
	char		*path;	      /* decoded, no query */
	const char	*raw_query;   /* from envp, "" if none */
	struct ua_kvlist query;	      /* decoded query pairs */
	char		*body;	      /* NUL-terminated, or NULL */
	size_t		 body_len;
	/* Plain CGI, a POST/PUT/PATCH without CONTENT_LENGTH: its body, if
	   any, cannot be read.  A route that takes one answers 411. */
	bool length_unknown;
	char request_id[UA_REQUEST_ID_MAX + 1];
	char client[UA_ADDR_STRLEN]; /* see netaddr.h */

	const struct ua_route *route; /* matched, or NULL */
	const char	      *params[UA_ROUTE_MAX_PARAMS]; /* {name} values */
	size_t		       nparams;
	char		      *param_store; /* storage behind params */

	struct ua_resp	resp;
	struct timespec started; /* CLOCK_MONOTONIC */
};

/* Zero "req", start its clock.  Always pair with ua_req_cleanup(). */
void ua_req_init(struct ua_req *req);

/*
 * Read method, path, query and headers from "envp" and the body from
 * "in", enforcing settings->max_body_bytes.  Returns UA_OK,
 * UA_ERR_TOO_LARGE (413, the rest of the body left unread or discarded
 * in small chunks), UA_ERR_LENGTH_REQUIRED (411), UA_ERR_BAD_REQUEST
 * (400: a body shorter than its CONTENT_LENGTH, or a length that is not
 * a number) or UA_ERR_IO.  The
 * request id is set even on failure, so the error can be logged with it.
 */
enum ua_err ua_req_parse(struct ua_req *req, char *const *envp,
    const struct ua_input *in, const struct ua_settings *settings);

void ua_req_cleanup(struct ua_req *req);

/*
 * The value of request header "name" (any case, '-' or '_'), or NULL.
 * Content-Type and Content-Length come from their CGI variables.
 */
const char *ua_req_header(const struct ua_req *req, const char *name);

/* A CGI variable ("REMOTE_ADDR"), or NULL. */
const char *ua_req_env(const struct ua_req *req, const char *name);

/* "GET" -> UA_METHOD_GET; unknown names give UA_METHOD_OTHER. */
enum ua_method ua_method_from_str(const char *);
const char    *ua_method_name(enum ua_method);

/*
 * True if "id" may be echoed as X-Request-ID: 1..128 visible ASCII
 * characters.  Otherwise the worker makes a new one.
 */
bool ua_request_id_valid(const char *id);

/* Write a fresh random request id (32 hex digits) into "buf". */
void ua_request_id_new(char buf[UA_REQUEST_ID_MAX + 1]);

#pragma GCC visibility pop
#endif
