/*
 * user.c -- roles, timestamps and the User JSON object.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "userapi/json_out.h"
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

/* ",\"key\":" (no comma before the first key). */
static void
append_key(struct ua_buf *b, const char *key, bool first)
{
	if (!first)
		ua_buf_append(b, ",", 1);
	ua_json_append_str(b, key);
	ua_buf_append(b, ":", 1);
}

void
ua_user_append_json(struct ua_buf *b, const struct ua_user *u)
{
	const char *const	*k = ua_user_json_keys;
	char			 ts[UA_TIMESTAMP_LEN];

	ua_buf_append(b, "{", 1);
	append_key(b, k[0], true);
	ua_json_append_int64(b, u->id);
	append_key(b, k[1], false);
	ua_json_append_str(b, u->email);
	append_key(b, k[2], false);
	ua_json_append_str(b, u->name);
	append_key(b, k[3], false);
	ua_json_append_str(b, ua_role_name(u->role));
	append_key(b, k[4], false);
	ua_fmt_timestamp(ts, u->created_us);
	ua_json_append_str(b, ts);
	append_key(b, k[5], false);
	if (u->has_updated) {
		ua_fmt_timestamp(ts, u->updated_us);
		ua_json_append_str(b, ts);
	} else
		ua_buf_puts(b, "null");
	ua_buf_append(b, "}", 1);
}
