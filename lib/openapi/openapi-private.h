/*
 * openapi-private.h -- the parts of the OpenAPI generator.
 */
#ifndef USERAPI_OPENAPI_PRIVATE_H
#define USERAPI_OPENAPI_PRIVATE_H

struct json_object;
struct ua_schema;

/* {"$ref": "#/components/schemas/<name>"}; a new object. */
struct json_object *ua_openapi_ref(const char *name);

/* The JSON Schema of a request body table; a new object. */
struct json_object *ua_openapi_body_schema(const struct ua_schema *);

/* components.schemas: every body and response schema; a new object. */
struct json_object *ua_openapi_components(void);

#endif
