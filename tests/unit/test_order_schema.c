/*
 * test_order_schema.c -- the order bodies of API.md against their field
 * tables: OrderCreate, OrderUpdate, the status change and OrderItem.
 * Every rule has a case that breaks it; the expected problems are the
 * ones Pydantic 2 writes for the same models (FastAPI prefixes "body").
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "userapi/order.h"
#include "userapi/schemas.h"
#include "userapi/validate.h"
#include "openapi-private.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define ITEM \
	"{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299," \
	"\"quantity\":2}"

/* The list in "errs" as compact JSON; "errs" is emptied.  Caller frees. */
static char *
take(struct ua_verrs *errs)
{
	struct json_object *o = ua_verrs_to_json(errs), *d = NULL;
	char		   *s;

	ck_assert(json_object_object_get_ex(o, "detail", &d));
	s = strdup(json_object_to_json_string_ext(d,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/*
 * Parse "body" (NUL-terminated) against "sc" into "out" (sc->size
 * bytes, zeroed first): the problems ("[]" for none), after checking
 * the return value agrees.  Caller frees.
 */
static char *
parse(const struct ua_schema *sc, const char *body, void *out)
{
	struct ua_verrs errs;
	enum ua_err	er;
	char	       *s;

	memset(out, 0, sc->size);
	ua_verrs_init(&errs);
	er = ua_schema_parse(sc, body, strlen(body), out, sc->size, &errs);
	ck_assert_int_eq(er, ua_verrs_empty(&errs) ? UA_OK : UA_ERR_INVALID);
	s = take(&errs);
	ua_verrs_cleanup(&errs);
	return s;
}

#define CK_PROBLEMS(got, want) \
	do { \
		char *got_ = (got); \
		ck_assert_str_eq(got_, (want)); \
		free(got_); \
	} while (0)

/* An OrderCreate body with "n" items, item "bad" (if < n) refused. */
static char *
create_with_items(size_t n, size_t bad)
{
	size_t len = 64 + n * (sizeof(ITEM) + 1), o;
	char  *s = malloc(len);
	size_t i;

	ck_assert_ptr_nonnull(s);
	o = (size_t)snprintf(s, len, "{\"currency\":\"EUR\",\"items\":[");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(s + o, len - o, "%s%s", i ? "," : "",
		    i == bad ? "{}" : ITEM);
	snprintf(s + o, len - o, "]}");
	return s;
}

/* A JSON string of "n" copies of "unit" (NUL-terminated). */
static char *
repeat(const char *unit, size_t n)
{
	size_t k = strlen(unit), i;
	char  *s = malloc(n * k + 3);

	ck_assert_ptr_nonnull(s);
	s[0] = '"';
	for (i = 0; i < n; i++)
		memcpy(s + 1 + i * k, unit, k);
	s[1 + n * k] = '"';
	s[2 + n * k] = '\0';
	return s;
}

/* ---- every rule refused, Pydantic's words ---- */

static const struct order_case {
	const char	       *what;
	const struct ua_schema *sc;
	const char	       *body;
	const char	       *want;
} order_cases[] = {
	{ "both required fields missing", &ua_schema_order_create, "{}",
	    "[{\"type\":\"missing\",\"loc\":[\"body\",\"currency\"],\"msg\":\"Field required\",\"input\":{}},{\"type\":\"missing\",\"loc\":[\"body\",\"items\"],\"msg\":\"Field required\",\"input\":{}}]" },
	{ "note alone is not enough", &ua_schema_order_create,
	    "{\"note\":\"x\"}",
	    "[{\"type\":\"missing\",\"loc\":[\"body\",\"currency\"],\"msg\":\"Field required\",\"input\":{\"note\":\"x\"}},{\"type\":\"missing\",\"loc\":[\"body\",\"items\"],\"msg\":\"Field required\",\"input\":{\"note\":\"x\"}}]" },
	{ "currency a number", &ua_schema_order_create,
	    "{\"currency\":5,\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_type\",\"loc\":[\"body\",\"currency\"],\"msg\":\"Input should be a valid string\",\"input\":5}]" },
	{ "currency null", &ua_schema_order_create,
	    "{\"currency\":null,\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_type\",\"loc\":[\"body\",\"currency\"],\"msg\":\"Input should be a valid string\",\"input\":null}]" },
	{ "currency lower case", &ua_schema_order_create,
	    "{\"currency\":\"eur\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"body\",\"currency\"],\"msg\":\"String should match pattern '^[A-Z]{3}$'\",\"input\":\"eur\",\"ctx\":{\"pattern\":\"^[A-Z]{3}$\"}}]" },
	{ "currency four letters", &ua_schema_order_create,
	    "{\"currency\":\"EURO\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"body\",\"currency\"],\"msg\":\"String should match pattern '^[A-Z]{3}$'\",\"input\":\"EURO\",\"ctx\":{\"pattern\":\"^[A-Z]{3}$\"}}]" },
	{ "currency two letters", &ua_schema_order_create,
	    "{\"currency\":\"EU\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"body\",\"currency\"],\"msg\":\"String should match pattern '^[A-Z]{3}$'\",\"input\":\"EU\",\"ctx\":{\"pattern\":\"^[A-Z]{3}$\"}}]" },
	{ "currency outside A-Z", &ua_schema_order_create,
	    "{\"currency\":\"\xc3"
	    "\x84"
	    "BC\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"body\",\"currency\"],\"msg\":\"String should match pattern '^[A-Z]{3}$'\",\"input\":\"\xc3"
	    "\x84"
	    "BC\",\"ctx\":{\"pattern\":\"^[A-Z]{3}$\"}}]" },
	{ "currency with a newline", &ua_schema_order_create,
	    "{\"currency\":\"EUR\\n\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"body\",\"currency\"],\"msg\":\"String should match pattern '^[A-Z]{3}$'\",\"input\":\"EUR\\n\",\"ctx\":{\"pattern\":\"^[A-Z]{3}$\"}}]" },
	{ "currency empty", &ua_schema_order_create,
	    "{\"currency\":\"\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"body\",\"currency\"],\"msg\":\"String should match pattern '^[A-Z]{3}$'\",\"input\":\"\",\"ctx\":{\"pattern\":\"^[A-Z]{3}$\"}}]" },
	{ "items an object", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":{}}",
	    "[{\"type\":\"list_type\",\"loc\":[\"body\",\"items\"],\"msg\":\"Input should be a valid list\",\"input\":{}}]" },
	{ "items a string", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":\"abc\"}",
	    "[{\"type\":\"list_type\",\"loc\":[\"body\",\"items\"],\"msg\":\"Input should be a valid list\",\"input\":\"abc\"}]" },
	{ "items null", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":null}",
	    "[{\"type\":\"list_type\",\"loc\":[\"body\",\"items\"],\"msg\":\"Input should be a valid list\",\"input\":null}]" },
	{ "items empty", &ua_schema_order_create, "{\"currency\":\"EUR\",\"items\":[]}", "[{\"type\":\"too_short\",\"loc\":[\"body\",\"items\"],\"msg\":\"List should have at least 1 item after validation, not 0\",\"input\":[],\"ctx\":{\"field_type\":\"List\",\"min_length\":1,\"actual_length\":0}}]" },
	{ "items not objects", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[5,null,\"x\",[],true]}",
	    "[{\"type\":\"model_type\",\"loc\":[\"body\",\"items\",0],\"msg\":\"Input should be a valid dictionary or instance of OrderItem\",\"input\":5,\"ctx\":{\"class_name\":\"OrderItem\"}},{\"type\":\"model_type\",\"loc\":[\"body\",\"items\",1],\"msg\":\"Input should be a valid dictionary or instance of OrderItem\",\"input\":null,\"ctx\":{\"class_name\":\"OrderItem\"}},{\"type\":\"model_type\",\"loc\":[\"body\",\"items\",2],\"msg\":\"Input should be a valid dictionary or instance of OrderItem\",\"input\":\"x\",\"ctx\":{\"class_name\":\"OrderItem\"}},{\"type\":\"model_type\",\"loc\":[\"body\",\"items\",3],\"msg\":\"Input should be a valid dictionary or instance of OrderItem\",\"input\":[],\"ctx\":{\"class_name\":\"OrderItem\"}},{\"type\":\"model_type\",\"loc\":[\"body\",\"items\",4],\"msg\":\"Input should be a valid dictionary or instance of OrderItem\",\"input\":true,\"ctx\":{\"class_name\":\"OrderItem\"}}]" },
	{ "item missing every field", &ua_schema_order_create, "{\"currency\":\"EUR\",\"items\":[{}]}", "[{\"type\":\"missing\",\"loc\":[\"body\",\"items\",0,\"sku\"],\"msg\":\"Field required\",\"input\":{}},{\"type\":\"missing\",\"loc\":[\"body\",\"items\",0,\"name\"],\"msg\":\"Field required\",\"input\":{}},{\"type\":\"missing\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Field required\",\"input\":{}},{\"type\":\"missing\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Field required\",\"input\":{}}]" },
	{ "item strings of the wrong type", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":5,\"name\":true,\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_type\",\"loc\":[\"body\",\"items\",0,\"sku\"],\"msg\":\"Input should be a valid string\",\"input\":5},{\"type\":\"string_type\",\"loc\":[\"body\",\"items\",0,\"name\"],\"msg\":\"Input should be a valid string\",\"input\":true}]" },
	{ "item strings empty", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"\",\"name\":\"\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_too_short\",\"loc\":[\"body\",\"items\",0,\"sku\"],\"msg\":\"String should have at least 1 character\",\"input\":\"\",\"ctx\":{\"min_length\":1}},{\"type\":\"string_too_short\",\"loc\":[\"body\",\"items\",0,\"name\"],\"msg\":\"String should have at least 1 character\",\"input\":\"\",\"ctx\":{\"min_length\":1}}]" },
	{ "sku too long", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_too_long\",\"loc\":[\"body\",\"items\",0,\"sku\"],\"msg\":\"String should have at most 64 characters\",\"input\":\"SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS\",\"ctx\":{\"max_length\":64}}]" },
	{ "name too long", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\",\"unit_price_cents\":1299,\"quantity\":2}]}",
	    "[{\"type\":\"string_too_long\",\"loc\":[\"body\",\"items\",0,\"name\"],\"msg\":\"String should have at most 200 characters\",\"input\":\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\",\"ctx\":{\"max_length\":200}}]" },
	{ "second item wrong, first fine",
	    &ua_schema_order_create, "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2},{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":0}]}", "[{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",1,\"quantity\"],\"msg\":\"Input should be greater than or equal to 1\",\"input\":0,\"ctx\":{\"ge\":1}}]" },
	{ "price null, quantity a list", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":null,\"quantity\":[]}]}",
	    "[{\"type\":\"int_type\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be a valid integer\",\"input\":null},{\"type\":\"int_type\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer\",\"input\":[]}]" },
	{ "price an object, quantity a string of junk", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":{},\"quantity\":\"abc\"}]}",
	    "[{\"type\":\"int_type\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be a valid integer\",\"input\":{}},{\"type\":\"int_parsing\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"abc\"}]" },
	{ "price a decimal string, quantity empty", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":\"2.5\",\"quantity\":\"\"}]}",
	    "[{\"type\":\"int_parsing\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"2.5\"},{\"type\":\"int_parsing\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"\"}]" },
	{ "price a fraction, quantity a float exponent string", &ua_schema_order_create, "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":2.5,\"quantity\":\"1e3\"}]}", "[{\"type\":\"int_from_float\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be a valid integer, got a number with a fractional part\",\"input\":2.5},{\"type\":\"int_parsing\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"1e3\"}]" },
	{ "price past int64 as a float", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1e20,\"quantity\":-9.3e18}]}",
	    "[{\"type\":\"int_parsing_size\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Unable to parse input string as an integer, exceeded maximum size\",\"input\":1e+20},{\"type\":\"int_parsing_size\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Unable to parse input string as an integer, exceeded maximum size\",\"input\":-9.3e+18}]" },
	{ "price below zero, quantity zero", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":-1,\"quantity\":0}]}",
	    "[{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be greater than or equal to 0\",\"input\":-1,\"ctx\":{\"ge\":0}},{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be greater than or equal to 1\",\"input\":0,\"ctx\":{\"ge\":1}}]" },
	{ "price above the limit, quantity above 1000", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":100000000001,\"quantity\":1001}]}",
	    "[{\"type\":\"less_than_equal\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be less than or equal to 100000000000\",\"input\":100000000001,\"ctx\":{\"le\":100000000000}},{\"type\":\"less_than_equal\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be less than or equal to 1000\",\"input\":1001,\"ctx\":{\"le\":1000}}]" },
	{ "price past int64 as a string", &ua_schema_order_create, "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":\"99999999999999999999999\",\"quantity\":\"-99999999999999999999\"}]}", "[{\"type\":\"less_than_equal\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be less than or equal to 100000000000\",\"input\":\"99999999999999999999999\",\"ctx\":{\"le\":100000000000}},{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be greater than or equal to 1\",\"input\":\"-99999999999999999999\",\"ctx\":{\"ge\":1}}]" },
	{ "quantity false is 0", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1,\"quantity\":false}]}",
	    "[{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be greater than or equal to 1\",\"input\":false,\"ctx\":{\"ge\":1}}]" },
	{ "quantity a negative fraction", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1,\"quantity\":-0.5}]}",
	    "[{\"type\":\"int_from_float\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer, got a number with a fractional part\",\"input\":-0.5}]" },
	{ "price past int64 as an integer", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":9223372036854775808,\"quantity\":-9223372036854775808}]}",
	    "[{\"type\":\"less_than_equal\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be less than or equal to 100000000000\",\"input\":9223372036854775808,\"ctx\":{\"le\":100000000000}},{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be greater than or equal to 1\",\"input\":-9223372036854775808,\"ctx\":{\"ge\":1}}]" },
	{ "quantity a hex string", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1,\"quantity\":\"0x10\"}]}",
	    "[{\"type\":\"int_parsing\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"0x10\"}]" },
	{ "quantity a string with a NUL", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1,\"quantity\":\"5\\u0000\"}]}",
	    "[{\"type\":\"int_parsing\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"5\\u0000\"}]" },
	{ "note a number",
	    &ua_schema_order_create, "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}],\"note\":5}", "[{\"type\":\"string_type\",\"loc\":[\"body\",\"note\"],\"msg\":\"Input should be a valid string\",\"input\":5}]" },
	{ "note a list", &ua_schema_order_create,
	    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\",\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2}],\"note\":[]}",
	    "[{\"type\":\"string_type\",\"loc\":[\"body\",\"note\"],\"msg\":\"Input should be a valid string\",\"input\":[]}]" },
	{ "every problem at once", &ua_schema_order_create,
	    "{\"currency\":\"eu\",\"items\":[{\"sku\":\"\",\"name\":\"Book\",\"unit_price_cents\":-5,\"quantity\":\"x\"},7],\"note\":false}",
	    "[{\"type\":\"string_pattern_mismatch\",\"loc\":[\"body\",\"currency\"],\"msg\":\"String should match pattern '^[A-Z]{3}$'\",\"input\":\"eu\",\"ctx\":{\"pattern\":\"^[A-Z]{3}$\"}},{\"type\":\"string_too_short\",\"loc\":[\"body\",\"items\",0,\"sku\"],\"msg\":\"String should have at least 1 character\",\"input\":\"\",\"ctx\":{\"min_length\":1}},{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",0,\"unit_price_cents\"],\"msg\":\"Input should be greater than or equal to 0\",\"input\":-5,\"ctx\":{\"ge\":0}},{\"type\":\"int_parsing\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"x\"},{\"type\":\"model_type\",\"loc\":[\"body\",\"items\",1],\"msg\":\"Input should be a valid dictionary or instance of OrderItem\",\"input\":7,\"ctx\":{\"class_name\":\"OrderItem\"}},{\"type\":\"string_type\",\"loc\":[\"body\",\"note\"],\"msg\":\"Input should be a valid string\",\"input\":false}]" },
	{ "update: items empty", &ua_schema_order_update, "{\"items\":[]}",
	    "[{\"type\":\"too_short\",\"loc\":[\"body\",\"items\"],\"msg\":\"List should have at least 1 item after validation, not 0\",\"input\":[],\"ctx\":{\"field_type\":\"List\",\"min_length\":1,\"actual_length\":0}}]" },
	{ "update: items a number, note true", &ua_schema_order_update, "{\"items\":5,\"note\":true}", "[{\"type\":\"string_type\",\"loc\":[\"body\",\"note\"],\"msg\":\"Input should be a valid string\",\"input\":true},{\"type\":\"list_type\",\"loc\":[\"body\",\"items\"],\"msg\":\"Input should be a valid list\",\"input\":5}]" },
	{ "update: an item refused", &ua_schema_order_update,
	    "{\"items\":[{\"sku\":\"a\",\"name\":\"b\",\"unit_price_cents\":1,\"quantity\":1001}]}",
	    "[{\"type\":\"less_than_equal\",\"loc\":[\"body\",\"items\",0,\"quantity\"],\"msg\":\"Input should be less than or equal to 1000\",\"input\":1001,\"ctx\":{\"le\":1000}}]" },
	{ "update: note a list", &ua_schema_order_update, "{\"note\":[\"x\"]}",
	    "[{\"type\":\"string_type\",\"loc\":[\"body\",\"note\"],\"msg\":\"Input should be a valid string\",\"input\":[\"x\"]}]" },
	{ "status missing", &ua_schema_order_status_change, "{}",
	    "[{\"type\":\"missing\",\"loc\":[\"body\",\"status\"],\"msg\":\"Field required\",\"input\":{}}]" },
	{ "status in capitals", &ua_schema_order_status_change,
	    "{\"status\":\"PAID\"}",
	    "[{\"type\":\"enum\",\"loc\":[\"body\",\"status\"],\"msg\":\"Input should be 'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\",\"input\":\"PAID\",\"ctx\":{\"expected\":\"'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\"}}]" },
	{ "status a number", &ua_schema_order_status_change, "{\"status\":1}",
	    "[{\"type\":\"enum\",\"loc\":[\"body\",\"status\"],\"msg\":\"Input should be 'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\",\"input\":1,\"ctx\":{\"expected\":\"'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\"}}]" },
	{ "status null", &ua_schema_order_status_change, "{\"status\":null}",
	    "[{\"type\":\"enum\",\"loc\":[\"body\",\"status\"],\"msg\":\"Input should be 'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\",\"input\":null,\"ctx\":{\"expected\":\"'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\"}}]" },
	{ "status a list", &ua_schema_order_status_change,
	    "{\"status\":[\"paid\"]}",
	    "[{\"type\":\"enum\",\"loc\":[\"body\",\"status\"],\"msg\":\"Input should be 'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\",\"input\":[\"paid\"],\"ctx\":{\"expected\":\"'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\"}}]" },
	{ "status unknown", &ua_schema_order_status_change,
	    "{\"status\":\"lost\"}",
	    "[{\"type\":\"enum\",\"loc\":[\"body\",\"status\"],\"msg\":\"Input should be 'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\",\"input\":\"lost\",\"ctx\":{\"expected\":\"'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\"}}]" },
};

START_TEST(order_rule_table)
{
	union {
		struct ua_order_create	      c;
		struct ua_order_update	      u;
		struct ua_order_status_change s;
	} *out = calloc(1, sizeof(*out));

	ck_assert_ptr_nonnull(out);
	CK_PROBLEMS(parse(order_cases[_i].sc, order_cases[_i].body, out),
	    order_cases[_i].want);
	free(out);
}
END_TEST

/* ---- OrderCreate ---- */

START_TEST(create_accepts_and_stores)
{
	struct ua_order_create *o = malloc(sizeof(*o));

	ck_assert_ptr_nonnull(o);
	CK_PROBLEMS(
	    parse(&ua_schema_order_create,
		"{\"currency\":\"EUR\",\"items\":[" ITEM ","
		"{\"sku\":\"X\",\"name\":\"\xc3\xa9\",\"unit_price_cents\":0,"
		"\"quantity\":1000}],\"note\":\"ring twice\","
		"\"total_cents\":1,\"user_id\":9}",
		o),
	    "[]");
	ck_assert_str_eq(o->currency, "EUR");
	ck_assert_uint_eq(o->nitems, 2);
	ck_assert_str_eq(o->items[0].sku, "BK-1");
	ck_assert_str_eq(o->items[0].name, "Book");
	ck_assert_int_eq(o->items[0].unit_price_cents, 1299);
	ck_assert_int_eq(o->items[0].quantity, 2);
	ck_assert_str_eq(o->items[1].name, "\xc3\xa9");
	ck_assert_int_eq(o->items[1].unit_price_cents, 0);
	ck_assert_int_eq(o->items[1].quantity, 1000);
	ck_assert(o->has_note);
	ck_assert_str_eq(o->note, "ring twice");
	free(o);
}
END_TEST

/* Pydantic's lax mode: bools, whole floats and integer strings. */
START_TEST(create_integers_as_pydantic_reads_them)
{
	static const struct {
		const char *json;
		int64_t	    want;
	} rows[] = {
		{ "true", 1 },
		{ "2.0", 2 },
		{ "1E2", 100 },
		{ "\"5\"", 5 },
		{ "\" 5 \"", 5 },
		{ "\"+5\"", 5 },
		{ "\"1_000\"", 1000 },
		{ "\"5.0\"", 5 },
		{ "\"\\u00a05\\u3000\"", 5 },
	};
	struct ua_order_create *o = malloc(sizeof(*o));
	char			body[256];
	size_t			i;

	ck_assert_ptr_nonnull(o);
	for (i = 0; i < NELEM(rows); i++) {
		snprintf(body, sizeof(body),
		    "{\"currency\":\"EUR\",\"items\":[{\"sku\":\"a\","
		    "\"name\":\"b\",\"unit_price_cents\":%s,"
		    "\"quantity\":%s}]}",
		    rows[i].json, rows[i].json);
		CK_PROBLEMS(parse(&ua_schema_order_create, body, o), "[]");
		ck_assert_int_eq(o->items[0].unit_price_cents, rows[i].want);
		ck_assert_int_eq(o->items[0].quantity, rows[i].want);
	}
	CK_PROBLEMS(parse(&ua_schema_order_create,
			"{\"currency\":\"EUR\",\"items\":[{\"sku\":\"a\","
			"\"name\":\"b\",\"unit_price_cents\":false,"
			"\"quantity\":-0.0e0}]}",
			o),
	    "[{\"type\":\"greater_than_equal\",\"loc\":[\"body\",\"items\",0,"
	    "\"quantity\"],\"msg\":\"Input should be greater than or equal "
	    "to 1\",\"input\":-0.0,\"ctx\":{\"ge\":1}}]");
	CK_PROBLEMS(parse(&ua_schema_order_create,
			"{\"currency\":\"EUR\",\"items\":[{\"sku\":\"a\","
			"\"name\":\"b\",\"unit_price_cents\":100000000000,"
			"\"quantity\":\"1000\"}]}",
			o),
	    "[]");
	ck_assert_int_eq(o->items[0].unit_price_cents, UA_UNIT_PRICE_MAX);
	free(o);
}
END_TEST

START_TEST(create_note_null_empty_or_absent)
{
	struct ua_order_create *o = malloc(sizeof(*o));

	ck_assert_ptr_nonnull(o);
	CK_PROBLEMS(parse(&ua_schema_order_create,
			"{\"currency\":\"EUR\",\"items\":[" ITEM "]}", o),
	    "[]");
	ck_assert(!o->has_note);
	CK_PROBLEMS(parse(&ua_schema_order_create,
			"{\"currency\":\"EUR\",\"items\":[" ITEM
			"],\"note\":null}",
			o),
	    "[]");
	ck_assert(!o->has_note);
	CK_PROBLEMS(parse(&ua_schema_order_create,
			"{\"currency\":\"EUR\",\"items\":[" ITEM
			"],\"note\":\"\"}",
			o),
	    "[]");
	ck_assert(o->has_note);
	ck_assert_str_eq(o->note, "");
	free(o);
}
END_TEST

/* 1000 characters of four bytes each fit; 1001 of one byte do not. */
START_TEST(create_note_length_in_characters)
{
	struct ua_order_create *o = malloc(sizeof(*o));
	char			body[8192], want[2048], *s;

	ck_assert_ptr_nonnull(o);
	s = repeat("\xf0\x9f\x98\x80", 1000);
	snprintf(body, sizeof(body),
	    "{\"currency\":\"EUR\",\"items\":[" ITEM "],\"note\":%s}", s);
	free(s);
	CK_PROBLEMS(parse(&ua_schema_order_create, body, o), "[]");
	ck_assert_uint_eq(strlen(o->note), 4000);
	s = repeat("n", 1001);
	snprintf(body, sizeof(body),
	    "{\"currency\":\"EUR\",\"items\":[" ITEM "],\"note\":%s}", s);
	snprintf(want, sizeof(want),
	    "[{\"type\":\"string_too_long\",\"loc\":[\"body\",\"note\"],"
	    "\"msg\":\"String should have at most 1000 characters\","
	    "\"input\":%s,\"ctx\":{\"max_length\":1000}}]",
	    s);
	CK_PROBLEMS(parse(&ua_schema_order_create, body, o), want);
	free(s);
	free(o);
}
END_TEST

/* Exactly 100 items are taken, each stored. */
START_TEST(create_hundred_items)
{
	struct ua_order_create *o = malloc(sizeof(*o));
	char		       *body = create_with_items(100, 100);

	ck_assert_ptr_nonnull(o);
	CK_PROBLEMS(parse(&ua_schema_order_create, body, o), "[]");
	ck_assert_uint_eq(o->nitems, 100);
	ck_assert_str_eq(o->items[99].sku, "BK-1");
	free(body);
	free(o);
}
END_TEST

/*
 * Past 100 items only too_long is reported, the items unread (as
 * Pydantic does, and so a long list costs nothing).
 */
START_TEST(create_too_many_items)
{
	static const size_t	counts[] = { 101, 150, 5000 };
	struct ua_order_create *o = malloc(sizeof(*o));
	char		       *body, want[256];
	struct ua_verrs		errs;
	struct json_object     *d, *e, *v;
	size_t			i;

	ck_assert_ptr_nonnull(o);
	for (i = 0; i < NELEM(counts); i++) {
		body = create_with_items(counts[i], 3);
		memset(o, 0, sizeof(*o));
		ua_verrs_init(&errs);
		ck_assert_int_eq(ua_schema_parse(&ua_schema_order_create, body,
				     strlen(body), o, sizeof(*o), &errs),
		    UA_ERR_INVALID);
		d = ua_verrs_to_json(&errs);
		ck_assert(json_object_object_get_ex(d, "detail", &v));
		ck_assert_uint_eq(json_object_array_length(v), 1);
		e = json_object_array_get_idx(v, 0);
		ck_assert_str_eq(json_object_get_string(
				     json_object_object_get(e, "type")),
		    "too_long");
		snprintf(want, sizeof(want),
		    "List should have at most 100 items after validation, "
		    "not %zu",
		    counts[i]);
		ck_assert_str_eq(json_object_get_string(
				     json_object_object_get(e, "msg")),
		    want);
		snprintf(want, sizeof(want),
		    "{\"field_type\":\"List\",\"max_length\":100,"
		    "\"actual_length\":%zu}",
		    counts[i]);
		ck_assert_str_eq(json_object_to_json_string_ext(
				     json_object_object_get(e, "ctx"),
				     JSON_C_TO_STRING_PLAIN),
		    want);
		ck_assert_str_eq(json_object_to_json_string_ext(
				     json_object_object_get(e, "loc"),
				     JSON_C_TO_STRING_PLAIN),
		    "[\"body\",\"items\"]");
		ck_assert_uint_eq(json_object_array_length(
				      json_object_object_get(e, "input")),
		    counts[i]);
		ck_assert_uint_eq(o->nitems, 0);
		json_object_put(d);
		ua_verrs_cleanup(&errs);
		free(body);
	}
	free(o);
}
END_TEST

/* Stricter than Pydantic, as for every text field: no NUL. */
START_TEST(create_nul_in_text_is_refused)
{
	struct ua_order_create *o = malloc(sizeof(*o));

	ck_assert_ptr_nonnull(o);
	CK_PROBLEMS(
	    parse(&ua_schema_order_create,
		"{\"currency\":\"EUR\",\"items\":[{\"sku\":\"a\\u0000\","
		"\"name\":\"b\",\"unit_price_cents\":1,\"quantity\":1}]}",
		o),
	    "[{\"type\":\"value_error\",\"loc\":[\"body\",\"items\",0,\"sku\"],"
	    "\"msg\":\"Value error, must not contain NUL characters\","
	    "\"input\":\"a\\u0000\",\"ctx\":{\"error\":\"must not contain NUL "
	    "characters\"}}]");
	free(o);
}
END_TEST

/* Not a finite number: Pydantic's finite_number, echoed as written. */
START_TEST(create_infinite_number)
{
	struct ua_order_create *o = malloc(sizeof(*o));

	ck_assert_ptr_nonnull(o);
	CK_PROBLEMS(parse(&ua_schema_order_create,
			"{\"currency\":\"EUR\",\"items\":[{\"sku\":\"a\","
			"\"name\":\"b\",\"unit_price_cents\":1e400,"
			"\"quantity\":1}]}",
			o),
	    "[{\"type\":\"finite_number\",\"loc\":[\"body\",\"items\",0,"
	    "\"unit_price_cents\"],\"msg\":\"Input should be a finite "
	    "number\",\"input\":1e400}]");
	free(o);
}
END_TEST

/* ---- OrderUpdate ---- */

START_TEST(update_nothing_is_fine)
{
	struct ua_order_update *u = malloc(sizeof(*u));

	ck_assert_ptr_nonnull(u);
	CK_PROBLEMS(parse(&ua_schema_order_update, "{}", u), "[]");
	ck_assert(!u->has_note);
	ck_assert(!u->has_items);
	CK_PROBLEMS(parse(&ua_schema_order_update,
			"{\"note\":null,\"items\":null,\"status\":\"paid\"}",
			u),
	    "[]");
	ck_assert(!u->has_note);
	ck_assert(!u->has_items);
	free(u);
}
END_TEST

START_TEST(update_sets_what_came)
{
	struct ua_order_update *u = malloc(sizeof(*u));

	ck_assert_ptr_nonnull(u);
	CK_PROBLEMS(parse(&ua_schema_order_update, "{\"note\":\"\"}", u), "[]");
	ck_assert(u->has_note);
	ck_assert_str_eq(u->note, "");
	ck_assert(!u->has_items);
	CK_PROBLEMS(parse(&ua_schema_order_update,
			"{\"items\":[" ITEM "," ITEM "," ITEM "]}", u),
	    "[]");
	ck_assert(!u->has_note);
	ck_assert(u->has_items);
	ck_assert_uint_eq(u->nitems, 3);
	ck_assert_int_eq(u->items[2].quantity, 2);
	free(u);
}
END_TEST

/* ---- the status change ---- */

START_TEST(status_every_name)
{
	struct ua_order_status_change s;
	char			      body[64];
	int			      i;

	for (i = 0; i < UA_ORDER_STATUS__MAX; i++) {
		snprintf(body, sizeof(body), "{\"status\":\"%s\"}",
		    ua_order_status_name((enum ua_order_status)i));
		CK_PROBLEMS(parse(&ua_schema_order_status_change, body, &s),
		    "[]");
		ck_assert_int_eq(s.status, i);
	}
}
END_TEST

START_TEST(status_with_a_nul)
{
	struct ua_order_status_change s;

	CK_PROBLEMS(parse(&ua_schema_order_status_change,
			"{\"status\":\"paid\\u0000\"}", &s),
	    "[{\"type\":\"enum\",\"loc\":[\"body\",\"status\"],\"msg\":"
	    "\"Input should be 'pending', 'paid', 'shipped', 'delivered' or "
	    "'cancelled'\",\"input\":\"paid\\u0000\",\"ctx\":{\"expected\":"
	    "\"'pending', 'paid', 'shipped', 'delivered' or 'cancelled'\"}}]");
}
END_TEST

/* ---- the size of the target ---- */

static const char *
no_field(void *arg, const char *name, size_t *len)
{
	(void)arg;
	(void)name;
	*len = 0;
	return NULL;
}

START_TEST(size_mismatch_is_internal)
{
	struct ua_order_status_change s = { UA_ORDER_PAID };
	struct ua_user_create	      c;
	struct ua_verrs		      errs;
	static const char	      body[] = "{\"status\":\"shipped\"}";

	ua_verrs_init(&errs);
	/* A status change given where an OrderCreate belongs. */
	ck_assert_int_eq(ua_schema_parse(&ua_schema_order_create, body,
			     strlen(body), &s, sizeof(s), &errs),
	    UA_ERR_INTERNAL);
	ck_assert(ua_verrs_empty(&errs));
	ck_assert_int_eq(s.status, UA_ORDER_PAID);
	ck_assert_int_eq(ua_schema_parse(&ua_schema_order_status_change, body,
			     strlen(body), &s, sizeof(s) + 1, &errs),
	    UA_ERR_INTERNAL);
	ck_assert(ua_verrs_empty(&errs));
	ck_assert_int_eq(s.status, UA_ORDER_PAID);
	ck_assert_int_eq(ua_schema_parse_form(&ua_schema_login_form, no_field,
			     NULL, &c, sizeof(c), &errs),
	    UA_ERR_INTERNAL);
	ck_assert(ua_verrs_empty(&errs));
	ck_assert_int_eq(ua_schema_parse(&ua_schema_order_status_change, body,
			     strlen(body), &s, sizeof(s), &errs),
	    UA_OK);
	ck_assert_int_eq(s.status, UA_ORDER_SHIPPED);
	ua_verrs_cleanup(&errs);
}
END_TEST

START_TEST(every_schema_knows_its_size)
{
	ck_assert_uint_eq(ua_schema_order_create.size,
	    sizeof(struct ua_order_create));
	ck_assert_uint_eq(ua_schema_order_update.size,
	    sizeof(struct ua_order_update));
	ck_assert_uint_eq(ua_schema_order_status_change.size,
	    sizeof(struct ua_order_status_change));
	ck_assert_uint_eq(ua_schema_order_item.size,
	    sizeof(struct ua_order_item_in));
	ck_assert_uint_eq(ua_schema_user_create.size,
	    sizeof(struct ua_user_create));
	ck_assert_uint_eq(ua_schema_user_update.size,
	    sizeof(struct ua_user_update));
	ck_assert_uint_eq(ua_schema_login_json.size, sizeof(struct ua_login));
	ck_assert_uint_eq(ua_schema_login_form.size, sizeof(struct ua_login));
	ck_assert_uint_eq(ua_schema_password_change.size,
	    sizeof(struct ua_password_change));
}
END_TEST

/* ---- the OpenAPI schemas made from the tables ---- */

static const struct {
	const char *name, *want;
} openapi_rows[] = {
	{ "OrderItem",
	    "{\"type\":\"object\",\"title\":\"OrderItem\",\"properties\":{"
	    "\"sku\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64,"
	    "\"description\":\"Stock-keeping unit, 1 to 64 characters\"},"
	    "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200,"
	    "\"description\":\"What is ordered, 1 to 200 characters\"},"
	    "\"unit_price_cents\":{\"type\":\"integer\",\"minimum\":0,"
	    "\"maximum\":100000000000,\"description\":\"Price of one, in "
	    "minor units of the currency\"},\"quantity\":{\"type\":"
	    "\"integer\",\"minimum\":1,\"maximum\":1000,\"description\":"
	    "\"How many, 1 to 1000\"}},\"required\":[\"sku\",\"name\","
	    "\"unit_price_cents\",\"quantity\"]}" },
	{ "OrderCreate",
	    "{\"type\":\"object\",\"title\":\"OrderCreate\",\"properties\":{"
	    "\"currency\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{3}$\","
	    "\"description\":\"ISO 4217 code, three capital letters\"},"
	    "\"items\":{\"type\":\"array\",\"items\":{\"$ref\":"
	    "\"#/components/schemas/OrderItem\"},\"minItems\":1,"
	    "\"maxItems\":100,\"description\":\"1 to 100 items\"},\"note\":{"
	    "\"anyOf\":[{\"type\":\"string\",\"maxLength\":1000,"
	    "\"description\":\"At most 1000 characters; null, absent or "
	    "\\\"\\\": no note\"},{\"type\":\"null\"}],\"description\":\"At "
	    "most 1000 characters; null, absent or \\\"\\\": no note\"}},"
	    "\"required\":[\"currency\",\"items\"]}" },
	{ "OrderStatusChange",
	    "{\"type\":\"object\",\"title\":\"OrderStatusChange\","
	    "\"properties\":{\"status\":{\"type\":\"string\",\"enum\":["
	    "\"pending\",\"paid\",\"shipped\",\"delivered\",\"cancelled\"],"
	    "\"description\":\"The status to move the order to\"}},"
	    "\"required\":[\"status\"]}" },
};

START_TEST(openapi_order_schemas)
{
	struct json_object *c = ua_openapi_components(), *s;

	ck_assert(json_object_object_get_ex(c, openapi_rows[_i].name, &s));
	ck_assert_str_eq(json_object_to_json_string_ext(s,
			     JSON_C_TO_STRING_PLAIN |
				 JSON_C_TO_STRING_NOSLASHESCAPE),
	    openapi_rows[_i].want);
	json_object_put(c);
}
END_TEST

START_TEST(openapi_order_update_is_all_optional)
{
	struct json_object *c = ua_openapi_components(), *s, *p, *items;

	ck_assert(json_object_object_get_ex(c, "OrderUpdate", &s));
	ck_assert(!json_object_object_get_ex(s, "required", NULL));
	ck_assert(json_object_object_get_ex(s, "properties", &p));
	ck_assert(json_object_object_get_ex(p, "items", &items));
	ck_assert_str_eq(json_object_to_json_string_ext(
			     json_object_array_get_idx(
				 json_object_object_get(items, "anyOf"), 0),
			     JSON_C_TO_STRING_PLAIN |
				 JSON_C_TO_STRING_NOSLASHESCAPE),
	    "{\"type\":\"array\",\"items\":{\"$ref\":"
	    "\"#/components/schemas/OrderItem\"},\"minItems\":1,"
	    "\"maxItems\":100,\"description\":\"1 to 100 items, replacing "
	    "them all; null or absent: unchanged\"}");
	json_object_put(c);
}
END_TEST

static Suite *
order_schema_suite(void)
{
	Suite *s = suite_create("order schemas");
	TCase *tc;

	tc = tcase_create("rules");
	tcase_add_loop_test(tc, order_rule_table, 0, (int)NELEM(order_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("OrderCreate");
	tcase_add_test(tc, create_accepts_and_stores);
	tcase_add_test(tc, create_integers_as_pydantic_reads_them);
	tcase_add_test(tc, create_note_null_empty_or_absent);
	tcase_add_test(tc, create_note_length_in_characters);
	tcase_add_test(tc, create_hundred_items);
	tcase_add_test(tc, create_too_many_items);
	tcase_add_test(tc, create_nul_in_text_is_refused);
	tcase_add_test(tc, create_infinite_number);
	suite_add_tcase(s, tc);

	tc = tcase_create("OrderUpdate");
	tcase_add_test(tc, update_nothing_is_fine);
	tcase_add_test(tc, update_sets_what_came);
	suite_add_tcase(s, tc);

	tc = tcase_create("OrderStatusChange");
	tcase_add_test(tc, status_every_name);
	tcase_add_test(tc, status_with_a_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("target size");
	tcase_add_test(tc, size_mismatch_is_internal);
	tcase_add_test(tc, every_schema_knows_its_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("OpenAPI");
	tcase_add_loop_test(tc, openapi_order_schemas, 0,
	    (int)NELEM(openapi_rows));
	tcase_add_test(tc, openapi_order_update_is_all_optional);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(order_schema_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
