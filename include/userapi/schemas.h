/*
 * schemas.h -- the request bodies of API.md, as field tables.
 */
#ifndef USERAPI_SCHEMAS_H
#define USERAPI_SCHEMAS_H
#pragma GCC visibility push(default)

#include <stdbool.h>

#include "userapi/order.h"
#include "userapi/password.h"
#include "userapi/user.h"
#include "userapi/validate.h"

/* Room for a password: 72 bytes is the most accepted. */
#define UA_PASSWORD_BUF (UA_PASSWORD_MAX_BYTES + 1)

struct ua_user_create {
	char email[UA_EMAIL_MAX + 1];
	char name[UA_NAME_MAX_BYTES + 1];
	char password[UA_PASSWORD_BUF];
};

struct ua_user_update {
	bool	     has_name;
	char	     name[UA_NAME_MAX_BYTES + 1];
	bool	     has_email;
	char	     email[UA_EMAIL_MAX + 1];
	bool	     has_role;
	enum ua_role role;
};

/*
 * Login: JSON {"email","password"} or the OAuth2 form {"username",
 * "password"}.  The address is looked up, not validated: a malformed
 * one simply matches no account (401), as with the template's form.
 */
#define UA_LOGIN_ID_MAX 1024
struct ua_login {
	char email[UA_LOGIN_ID_MAX + 1];
	char password[UA_LOGIN_ID_MAX + 1];
};

struct ua_password_change {
	char current_password[UA_LOGIN_ID_MAX + 1];
	char new_password[UA_PASSWORD_BUF];
};

extern const struct ua_schema ua_schema_user_create;
extern const struct ua_schema ua_schema_user_update;
extern const struct ua_schema ua_schema_login_json;
extern const struct ua_schema ua_schema_login_form; /* username */
extern const struct ua_schema ua_schema_password_change;

/*
 * Refresh: JSON {"refresh_token"} or the OAuth2 form
 * "grant_type=refresh_token&refresh_token=...", grant_type optional
 * and, when given, that value.  A token is looked up by its hash, not
 * validated: anything else simply matches no session (401).
 */
struct ua_refresh_request {
	char refresh_token[UA_LOGIN_ID_MAX + 1];
	bool has_grant_type;
	int  grant_type; /* 0: "refresh_token", the only one */
};

extern const struct ua_schema ua_schema_refresh_json;
extern const struct ua_schema ua_schema_refresh_form;

/*
 * The order bodies of API.md, parsed into the structs of order.h:
 * OrderCreate (struct ua_order_create), OrderUpdate (struct
 * ua_order_update), the status change (struct ua_order_status_change)
 * and OrderItem, the schema of one element of their "items".
 */
extern const struct ua_schema ua_schema_order_create;
extern const struct ua_schema ua_schema_order_update;
extern const struct ua_schema ua_schema_order_status_change;
extern const struct ua_schema ua_schema_order_item;

#pragma GCC visibility pop
#endif
