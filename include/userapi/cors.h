/*
 * cors.h -- cross-origin requests, off unless CORS_ORIGINS lists
 * origins (comma-separated) or is "*".  Origins are checked against that
 * list; nothing a client sends is reflected unchecked.
 */
#ifndef USERAPI_CORS_H
#define USERAPI_CORS_H
#pragma GCC visibility push(default)

#include <stdbool.h>

#include "userapi/request.h"

/*
 * Answer a preflight (OPTIONS with Access-Control-Request-Method) when
 * CORS is on: 200 with the allowed methods and headers for an allowed
 * origin, 400 {"detail":"Disallowed CORS origin"} for another.  Returns
 * true if it answered; false: route the request as usual.
 */
bool ua_cors_preflight(struct ua_req *req);

/*
 * Add Access-Control-Allow-Origin (and Vary: Origin) to the response of
 * an allowed origin.  Call after the handler has answered.
 */
void ua_cors_headers(struct ua_req *req);

/* Is "origin" allowed by "list" (the CORS_ORIGINS setting)? */
bool ua_cors_origin_allowed(const char *list, const char *origin);

/*
 * Does "list" hold "*"?  Then any origin is allowed, and never with
 * credentials, whatever else the list names.
 */
bool ua_cors_wildcard(const char *list);

/* Does "list" hold "*" and origins too (worth a warning at start)? */
bool ua_cors_wildcard_mixed(const char *list);

#pragma GCC visibility pop
#endif
