/*
 * fuzz_schema.c -- JSON bodies against every request schema: either
 * UA_OK with NUL-terminated fields, or a 422 list; never a crash.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/schemas.h"
#include "userapi/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ua_schema *const schemas[] = {
		&ua_schema_user_create,
		&ua_schema_user_update,
		&ua_schema_login_json,
		&ua_schema_password_change,
		&ua_schema_order_create,
		&ua_schema_order_update,
		&ua_schema_order_status_change,
	};
	union {
		struct ua_user_create	      c;
		struct ua_user_update	      u;
		struct ua_login		      l;
		struct ua_password_change     p;
		struct ua_order_create	      oc;
		struct ua_order_update	      ou;
		struct ua_order_status_change os;
	} out;
	struct ua_verrs	    errs;
	struct json_object *o;
	size_t		    i;
	enum ua_err	    er;

	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		memset(&out, 0, sizeof(out));
		ua_verrs_init(&errs);
		er = ua_schema_parse(schemas[i], (const char *)data, size, &out,
		    schemas[i]->size, &errs);
		if ((er == UA_OK) != ua_verrs_empty(&errs))
			abort();
		o = ua_verrs_to_json(&errs);
		(void)json_object_to_json_string(o);
		json_object_put(o);
		ua_verrs_cleanup(&errs);
	}
	return 0;
}
