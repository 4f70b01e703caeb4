/*
 * verrs.c -- validation problems in Pydantic v2's shape: the list of
 * one request's problems, their locations and their contexts.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "userapi/validate.h"
#include "schemas-private.h"

void
ua_verrs_init(struct ua_verrs *errs)
{
	errs->list = NULL;
}

void
ua_verrs_cleanup(struct ua_verrs *errs)
{
	json_object_put(errs->list);
	errs->list = NULL;
}

bool
ua_verrs_empty(const struct ua_verrs *errs)
{
	return errs->list == NULL || json_object_array_length(errs->list) == 0;
}

size_t
ua_verrs_count(const struct ua_verrs *errs)
{
	return errs->list == NULL ? 0 : json_object_array_length(errs->list);
}

/*
 * Append {"type","loc","msg","input"[,"ctx"]}, keys in Pydantic's
 * order.  Takes the references to "loc", "input" and "ctx".
 */
void
ua_verrs_add(struct ua_verrs *errs, const char *type, struct json_object *loc,
    const char *msg, struct json_object *input, struct json_object *ctx)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "loc", loc);
	json_object_object_add(o, "msg", json_object_new_string(msg));
	json_object_object_add(o, "input", input);
	if (ctx != NULL)
		json_object_object_add(o, "ctx", ctx);
	if (errs->list == NULL)
		errs->list = json_object_new_array();
	json_object_array_add(errs->list, o);
}

/*
 * ["where", "name"], or just ["where"] when "name" is NULL.  Returns a
 * new array the caller owns (ua_verrs_add takes it).
 */
struct json_object *
ua_loc(const char *where, const char *name)
{
	struct json_object *a = json_object_new_array_ext(2);

	json_object_array_add(a, json_object_new_string(where));
	if (name != NULL)
		json_object_array_add(a, json_object_new_string(name));
	return a;
}

struct json_object *
ua_verrs_to_json(struct ua_verrs *errs)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "detail",
	    errs->list != NULL ? errs->list : json_object_new_array());
	errs->list = NULL;
	return o;
}

/* {"key": v} */
struct json_object *
ua_verrs_ctx_int(const char *key, int64_t v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_int64(v));
	return o;
}

struct json_object *
ua_verrs_ctx_str(const char *key, const char *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_string(v));
	return o;
}
