/*
 * user.c -- the request bodies of API.md as field tables: UserCreate,
 * UserUpdate, the two shapes of Login, and PasswordChange.  Each field
 * is declared once here, with its type, limits and one line for the
 * OpenAPI document; lib/schemas/schema.c reads the tables.
 */
#include "config.h"

#include <stddef.h>

#include "userapi/schemas.h"

#define SIZE(type, member) sizeof(((type *)0)->member)
#define AT(type, member) \
	.off = offsetof(type, member), .size = SIZE(type, member)
#define NO_HAS ((size_t)-1)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct ua_field user_create[] = {
	{ .name = "email",
	    .type = UA_F_EMAIL,
	    .required = true,
	    AT(struct ua_user_create, email),
	    .has_off = NO_HAS,
	    .description =
		"Email address; the part after the @-sign is lower-cased" },
	{ .name = "name",
	    .type = UA_F_STRING,
	    .required = true,
	    .min_len = UA_NAME_MIN_CHARS,
	    .max_len = UA_NAME_MAX_CHARS,
	    AT(struct ua_user_create, name),
	    .has_off = NO_HAS,
	    .description = "Display name, 2 to 100 characters" },
	{ .name = "password",
	    .type = UA_F_PASSWORD,
	    .required = true,
	    .min_len = UA_PASSWORD_MIN_CHARS,
	    .max_bytes = UA_PASSWORD_MAX_BYTES,
	    AT(struct ua_user_create, password),
	    .has_off = NO_HAS,
	    .description =
		"At least 8 characters and at most 72 bytes of UTF-8" },
};

static const struct ua_field user_update[] = {
	{ .name = "name",
	    .type = UA_F_STRING,
	    .nullable = true,
	    .min_len = UA_NAME_MIN_CHARS,
	    .max_len = UA_NAME_MAX_CHARS,
	    AT(struct ua_user_update, name),
	    .has_off = offsetof(struct ua_user_update, has_name),
	    .description =
		"New display name, 2 to 100 characters; null or absent: unchanged" },
	{ .name = "email",
	    .type = UA_F_EMAIL,
	    .nullable = true,
	    AT(struct ua_user_update, email),
	    .has_off = offsetof(struct ua_user_update, has_email),
	    .description = "New email address; null or absent: unchanged" },
	{ .name = "role",
	    .type = UA_F_ROLE,
	    .nullable = true,
	    AT(struct ua_user_update, role),
	    .has_off = offsetof(struct ua_user_update, has_role),
	    .description = "\"admin\" or \"user\"; only an admin may send it" },
};

/* The address is looked up, not validated: any text up to the limit. */
static const struct ua_field login_json[] = {
	{ .name = "email",
	    .type = UA_F_STRING,
	    .required = true,
	    .max_bytes = UA_LOGIN_ID_MAX,
	    AT(struct ua_login, email),
	    .has_off = NO_HAS,
	    .description = "Email address of the account" },
	{ .name = "password",
	    .type = UA_F_STRING,
	    .required = true,
	    .max_bytes = UA_LOGIN_ID_MAX,
	    AT(struct ua_login, password),
	    .has_off = NO_HAS,
	    .description = "Its password" },
};

/* OAuth2 password form: the address comes as "username". */
static const struct ua_field login_form[] = {
	{ .name = "username",
	    .type = UA_F_STRING,
	    .required = true,
	    .max_bytes = UA_LOGIN_ID_MAX,
	    AT(struct ua_login, email),
	    .has_off = NO_HAS,
	    .description = "Email address of the account" },
	{ .name = "password",
	    .type = UA_F_STRING,
	    .required = true,
	    .max_bytes = UA_LOGIN_ID_MAX,
	    AT(struct ua_login, password),
	    .has_off = NO_HAS,
	    .description = "Its password" },
};

static const struct ua_field password_change[] = {
	{ .name = "current_password",
	    .type = UA_F_STRING,
	    .required = true,
	    .max_bytes = UA_LOGIN_ID_MAX,
	    AT(struct ua_password_change, current_password),
	    .has_off = NO_HAS,
	    .description = "The password now in use" },
	{ .name = "new_password",
	    .type = UA_F_PASSWORD,
	    .required = true,
	    .min_len = UA_PASSWORD_MIN_CHARS,
	    .max_bytes = UA_PASSWORD_MAX_BYTES,
	    AT(struct ua_password_change, new_password),
	    .has_off = NO_HAS,
	    .description =
		"At least 8 characters and at most 72 bytes of UTF-8" },
};

/* The buffers hold the longest value the limits let through. */
_Static_assert(SIZE(struct ua_user_create, name) > 4 * UA_NAME_MAX_CHARS,
    "name buffer");
_Static_assert(SIZE(struct ua_user_create, password) > UA_PASSWORD_MAX_BYTES,
    "password buffer");
_Static_assert(SIZE(struct ua_user_update, name) > 4 * UA_NAME_MAX_CHARS,
    "name buffer");
_Static_assert(SIZE(struct ua_user_create, email) > UA_EMAIL_MAX,
    "email buffer");
_Static_assert(SIZE(struct ua_user_update, email) > UA_EMAIL_MAX,
    "email buffer");
_Static_assert(SIZE(struct ua_login, email) > UA_LOGIN_ID_MAX, "login buffer");
_Static_assert(SIZE(struct ua_password_change, new_password) >
	UA_PASSWORD_MAX_BYTES,
    "password buffer");

const struct ua_schema ua_schema_user_create = { "UserCreate", user_create,
	NELEM(user_create), sizeof(struct ua_user_create) };

const struct ua_schema ua_schema_user_update = { "UserUpdate", user_update,
	NELEM(user_update), sizeof(struct ua_user_update) };

const struct ua_schema ua_schema_login_json = { "LoginRequest", login_json,
	NELEM(login_json), sizeof(struct ua_login) };

const struct ua_schema ua_schema_login_form = { "LoginForm", login_form,
	NELEM(login_form), sizeof(struct ua_login) };

const struct ua_schema ua_schema_password_change = { "PasswordChange",
	password_change, NELEM(password_change),
	sizeof(struct ua_password_change) };
