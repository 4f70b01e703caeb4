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
	return role_lookup(api_names, s, out);
}

enum ua_err
ua_role_from_db(const char *s, enum ua_role *out)
{
	return role_lookup(db_names, s, out);
}

/*
 * Year, month (1..12) and day of the civil (proleptic Gregorian) date
 * "days" days after 1970-01-01: H. Hinnant's civil_from_days.
 */
static void
civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097; /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) /
	    365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153; /* [0, 11] */

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* "n" as exactly "width" decimal digits at "p". */
static void
put_digits(char *p, int64_t n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

void
ua_fmt_timestamp(char *buf, int64_t us)
{
	int64_t	  secs = us / 1000000, frac = us % 1000000;
	int64_t	  days, sod, year;
	int	  month, day;
	time_t	  t;
	struct tm tm;
	size_t	  n;

	if (frac < 0) { /* before 1970: floor, not truncate */
		frac += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil_from_days(days, &year, &month, &day);
	if (year >= 1000 && year <= 9999) {
		/* By hand: gmtime_r() and strftime() cost more than the rest. */
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the end is written below */
		memcpy(buf, "0000-00-00T00:00:00", 19);
		put_digits(buf, year, 4);
		put_digits(buf + 5, month, 2);
		put_digits(buf + 8, day, 2);
		put_digits(buf + 11, sod / 3600, 2);
		put_digits(buf + 14, sod / 60 % 60, 2);
		put_digits(buf + 17, sod % 60, 2);
		n = 19;
	} else {
		t = (time_t)secs;
		gmtime_r(&t, &tm);
		n = strftime(buf, UA_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	if (frac != 0) {
		buf[n] = '.';
		put_digits(buf + n + 1, frac, 6);
		memcpy(buf + n + 7, "Z", 2);
	} else
		memcpy(buf + n, "Z", 2);
}

const char *const ua_user_json_keys[6] = {
	"id",
	"email",
	"name",
	"role",
	"created_at",
	"updated_at",
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
	const char *const *k = ua_user_json_keys;
	char		   ts[UA_TIMESTAMP_LEN];

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
