/*
 * user.c -- roles, timestamps and the User JSON object.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "userapi/user.h"

static const char *const api_names[UA_ROLE__MAX] = {
	[UA_ROLE_ADMIN] = "admin",
	[UA_ROLE_USER] = "user",
};

static const char *const db_names[UA_ROLE__MAX] = {
	[UA_ROLE_ADMIN] = "ADMIN",
	[UA_ROLE_USER] = "USER",
};

const char *
ua_role_name(enum ua_role r)
{
	return (unsigned)r < UA_ROLE__MAX ? api_names[r] : "?";
}

const char *
ua_role_db_name(enum ua_role r)
{
	return (unsigned)r < UA_ROLE__MAX ? db_names[r] : "?";
}

static enum ua_err
role_lookup(const char *const *names, const char *s, enum ua_role *out)
{
	int	 i;

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
	return role_lookup(api_names, s, out);
}

enum ua_err
ua_role_from_db(const char *s, enum ua_role *out)
{
	return role_lookup(db_names, s, out);
}

void
ua_fmt_timestamp(char *buf, int64_t us)
{
	int64_t		 secs = us / 1000000, frac = us % 1000000;
	time_t		 t;
	struct tm	 tm;
	size_t		 n;

	if (frac < 0) {		/* before 1970: floor, not truncate */
		frac += 1000000;
		secs--;
	}
	t = (time_t)secs;
	gmtime_r(&t, &tm);
	n = strftime(buf, UA_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac != 0)
		snprintf(buf + n, UA_TIMESTAMP_LEN - n, ".%06lldZ",
		    (long long)frac);
	else
		snprintf(buf + n, UA_TIMESTAMP_LEN - n, "Z");
}

const char *const ua_user_json_keys[6] = {
	"id", "email", "name", "role", "created_at", "updated_at",
};

struct json_object *
ua_user_to_json(const struct ua_user *u)
{
	const char *const	*k = ua_user_json_keys;
	struct json_object	*o = json_object_new_object();
	char			 ts[UA_TIMESTAMP_LEN];

	json_object_object_add(o, k[0], json_object_new_int64(u->id));
	json_object_object_add(o, k[1], json_object_new_string(u->email));
	json_object_object_add(o, k[2], json_object_new_string(u->name));
	json_object_object_add(o, k[3],
	    json_object_new_string(ua_role_name(u->role)));
	ua_fmt_timestamp(ts, u->created_us);
	json_object_object_add(o, k[4], json_object_new_string(ts));
	if (u->has_updated) {
		ua_fmt_timestamp(ts, u->updated_us);
		json_object_object_add(o, k[5], json_object_new_string(ts));
	} else
		json_object_object_add(o, k[5], NULL);
	return o;
}
