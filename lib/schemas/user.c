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
#define AT(type, member) offsetof(type, member), SIZE(type, member)
#define NO_HAS ((size_t)-1)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct ua_field user_create[] = {
	{ "email", UA_F_EMAIL, true, false, 0, 0, 0,
	    AT(struct ua_user_create, email), NO_HAS,
	    "Email address; the part after the @-sign is lower-cased" },
	{ "name", UA_F_STRING, true, false, UA_NAME_MIN_CHARS,
	    UA_NAME_MAX_CHARS, 0, AT(struct ua_user_create, name), NO_HAS,
	    "Display name, 2 to 100 characters" },
	{ "password", UA_F_PASSWORD, true, false, UA_PASSWORD_MIN_CHARS, 0,
	    UA_PASSWORD_MAX_BYTES, AT(struct ua_user_create, password), NO_HAS,
	    "At least 8 characters and at most 72 bytes of UTF-8" },
};

static const struct ua_field user_update[] = {
	{ "name", UA_F_STRING, false, true, UA_NAME_MIN_CHARS,
	    UA_NAME_MAX_CHARS, 0, AT(struct ua_user_update, name),
	    offsetof(struct ua_user_update, has_name),
	    "New display name, 2 to 100 characters; null or absent: unchanged" },
	{ "email", UA_F_EMAIL, false, true, 0, 0, 0,
	    AT(struct ua_user_update, email),
	    offsetof(struct ua_user_update, has_email),
	    "New email address; null or absent: unchanged" },
	{ "role", UA_F_ROLE, false, true, 0, 0, 0,
	    AT(struct ua_user_update, role),
	    offsetof(struct ua_user_update, has_role),
	    "\"admin\" or \"user\"; only an admin may send it" },
};

/* The address is looked up, not validated: any text up to the limit. */
static const struct ua_field login_json[] = {
	{ "email", UA_F_STRING, true, false, 0, 0, UA_LOGIN_ID_MAX,
	    AT(struct ua_login, email), NO_HAS,
	    "Email address of the account" },
	{ "password", UA_F_STRING, true, false, 0, 0, UA_LOGIN_ID_MAX,
	    AT(struct ua_login, password), NO_HAS, "Its password" },
};

/* OAuth2 password form: the address comes as "username". */
static const struct ua_field login_form[] = {
	{ "username", UA_F_STRING, true, false, 0, 0, UA_LOGIN_ID_MAX,
	    AT(struct ua_login, email), NO_HAS,
	    "Email address of the account" },
	{ "password", UA_F_STRING, true, false, 0, 0, UA_LOGIN_ID_MAX,
	    AT(struct ua_login, password), NO_HAS, "Its password" },
};

static const struct ua_field password_change[] = {
	{ "current_password", UA_F_STRING, true, false, 0, 0, UA_LOGIN_ID_MAX,
	    AT(struct ua_password_change, current_password), NO_HAS,
	    "The password now in use" },
	{ "new_password", UA_F_PASSWORD, true, false, UA_PASSWORD_MIN_CHARS, 0,
	    UA_PASSWORD_MAX_BYTES, AT(struct ua_password_change, new_password),
	    NO_HAS, "At least 8 characters and at most 72 bytes of UTF-8" },
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
	NELEM(user_create) };

const struct ua_schema ua_schema_user_update = { "UserUpdate", user_update,
	NELEM(user_update) };

const struct ua_schema ua_schema_login_json = { "LoginRequest", login_json,
	NELEM(login_json) };

const struct ua_schema ua_schema_login_form = { "LoginForm", login_form,
	NELEM(login_form) };

const struct ua_schema ua_schema_password_change = { "PasswordChange",
	password_change, NELEM(password_change) };
