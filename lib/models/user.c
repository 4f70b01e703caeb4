/*
 * user.c -- roles, and the User model's table.
 */
#include "config.h"

#include <string.h>

#include "userapi/user.h"

static const char *const role_api_names[UA_ROLE__MAX] = {
	[UA_ROLE_ADMIN] = "admin",
	[UA_ROLE_USER] = "user",
};

static const char *const role_db_names[UA_ROLE__MAX] = {
	[UA_ROLE_ADMIN] = "ADMIN",
	[UA_ROLE_USER] = "USER",
};

const char *
ua_role_name(enum ua_role r)
{
	return (unsigned)r < UA_ROLE__MAX ? role_api_names[r] : "?";
}

const char *
ua_role_db_name(enum ua_role r)
{
	return (unsigned)r < UA_ROLE__MAX ? role_db_names[r] : "?";
}

static enum ua_err
role_lookup(const char *const *names, const char *s, enum ua_role *out)
{
	int i;

	for (i = 0; s != NULL && i < UA_ROLE__MAX; i++)
		if (strcmp(names[i], s) == 0) {
			*out = (enum ua_role)i;
			return UA_OK;
		}
	return UA_ERR_INVALID;
}

enum ua_err
ua_role_from_api(const char *s, enum ua_role *out)
{
	return role_lookup(role_api_names, s, out);
}

enum ua_err
ua_role_from_db(const char *s, enum ua_role *out)
{
	return role_lookup(role_db_names, s, out);
}

UA_MODEL_ASSERTS(UA_USER_MODEL, struct ua_user)

static const struct ua_mfield user_fields[] = { UA_MODEL_FIELDS(UA_USER_MODEL,
    struct ua_user) };

const struct ua_model ua_user_model =
    UA_MODEL_INIT("User", user_fields, UA_USER_MODEL, struct ua_user);

void
ua_user_append_json(struct ua_buf *b, const struct ua_user *u)
{
	ua_model_append_json(b, &ua_user_model, u);
}
