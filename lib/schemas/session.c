/*
 * session.c -- the refresh request of API.md "Sessions" as field
 * tables: the JSON body and the OAuth2 form.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/schemas.h"

#define SIZE(type, member) sizeof(((type *)0)->member)
#define AT(type, member) \
	.off = offsetof(type, member), .size = SIZE(type, member)
#define NO_HAS ((size_t)-1)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* OAuth2's grant type, of which a refresh has exactly one. */
static const char *
grant_type_name(int g)
{
	return g == 0 ? "refresh_token" : "?";
}

#define REFRESH_TOKEN_FIELD \
	{ \
		.name = "refresh_token", .type = UA_F_STRING, \
		.required = true, .max_bytes = UA_LOGIN_ID_MAX, \
		AT(struct ua_refresh_request, refresh_token), \
		.has_off = NO_HAS, \
		.description = "The refresh token of the latest login or " \
			       "refresh" \
	}

static const struct ua_field refresh_json[] = { REFRESH_TOKEN_FIELD };

static const struct ua_field refresh_form[] = {
	{ .name = "grant_type",
	    .type = UA_F_ENUM,
	    .enum_name = grant_type_name,
	    .enum_max = 1,
	    AT(struct ua_refresh_request, grant_type),
	    .has_off = offsetof(struct ua_refresh_request, has_grant_type),
	    .description = "OAuth2's grant type: refresh_token" },
	REFRESH_TOKEN_FIELD,
};

/* UA_F_ENUM stores an int. */
_Static_assert(SIZE(struct ua_refresh_request, grant_type) == sizeof(int),
    "grant_type");

const struct ua_schema ua_schema_refresh_json = { "RefreshRequest",
	refresh_json, NELEM(refresh_json), sizeof(struct ua_refresh_request) };

const struct ua_schema ua_schema_refresh_form = { "RefreshForm", refresh_form,
	NELEM(refresh_form), sizeof(struct ua_refresh_request) };
