/*
 * openapi.h -- the OpenAPI 3.1 document, generated from the route and
 * schema tables that also drive the router and the validator, so the
 * documentation cannot drift from what the service does.
 */
#ifndef USERAPI_OPENAPI_H
#define USERAPI_OPENAPI_H
#pragma GCC visibility push(default)

#include <stddef.h>

struct json_object;
struct ua_router;

/* Every router of userapi, in the document's order. */
extern const struct ua_router *const ua_all_routers[];
extern const size_t		     ua_nall_routers;

/*
 * The document for "routers" (routes marked hidden left out), titled
 * "title", for an API served under "root_path" ("" for none, else its
 * "servers" and the token URL carry it, as FastAPI's root_path).
 * Returns a new object the caller owns.
 */
struct json_object *ua_openapi_document(const char *title,
    const char *root_path, const struct ua_router *const *routers,
    size_t nrouters);

#pragma GCC visibility pop
#endif
