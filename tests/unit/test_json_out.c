/*
 * test_json_out.c -- the direct JSON writer writes what json-c writes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <json-c/json.h>

#include "userapi/buf.h"
#include "userapi/json_out.h"
#include "userapi/user.h"

#define JSONC_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* What json-c writes for the string "s". */
static char *
jsonc_str(const char *s)
{
	struct json_object *o = json_object_new_string(s);
	char *v = strdup(json_object_to_json_string_ext(o, JSONC_FLAGS));

	json_object_put(o);
	ck_assert_ptr_nonnull(v);
	return v;
}

static void
assert_str_as_jsonc(const char *s)
{
	struct ua_buf b;
	char	     *want = jsonc_str(s);

	ua_buf_init(&b);
	ua_json_append_str(&b, s);
	ck_assert_str_eq(b.data, want);
	ua_buf_cleanup(&b);
	free(want);
}

START_TEST(every_byte_escaped_as_jsonc_does)
{
	char s[4];
	int  c;

	for (c = 1; c < 256; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = 'z';
		s[3] = '\0';
		assert_str_as_jsonc(s);
	}
}
END_TEST

START_TEST(strings_as_jsonc_writes_them)
{
	assert_str_as_jsonc("");
	assert_str_as_jsonc("plain@example.com");
	assert_str_as_jsonc("\"quoted\\back\"slash/");
	assert_str_as_jsonc("\n\r\t\b\f\x01\x1f\x7f");
	assert_str_as_jsonc("Zoë 東京 \xf0\x9f\x98\x80");
	assert_str_as_jsonc("\\\\\"\"");
}
END_TEST

START_TEST(numbers_as_jsonc_writes_them)
{
	static const int64_t v[] = { 0, 1, -1, 42, INT64_MAX, INT64_MIN };
	struct json_object  *o;
	struct ua_buf	     b;
	size_t		     i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		o = json_object_new_int64(v[i]);
		ua_buf_init(&b);
		ua_json_append_int64(&b, v[i]);
		ck_assert_str_eq(b.data,
		    json_object_to_json_string_ext(o, JSONC_FLAGS));
		ua_buf_cleanup(&b);
		json_object_put(o);
	}
}
END_TEST

/* What ua_fmt_timestamp() writes, the slow way: gmtime_r(), strftime(). */
static void
libc_timestamp(char *buf, int64_t us)
{
	int64_t	  secs = us / 1000000, frac = us % 1000000;
	time_t	  t;
	struct tm tm;
	size_t	  n;

	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	t = (time_t)secs;
	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	n = strftime(buf, UA_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac != 0)
		snprintf(buf + n, UA_TIMESTAMP_LEN - n, ".%06lldZ",
		    (long long)frac);
	else
		snprintf(buf + n, UA_TIMESTAMP_LEN - n, "Z");
}

static void
assert_timestamp_as_libc(int64_t us)
{
	char got[UA_TIMESTAMP_LEN], want[UA_TIMESTAMP_LEN];

	ua_fmt_timestamp(got, us);
	libc_timestamp(want, us);
	ck_assert_msg(strcmp(got, want) == 0, "%lld: got %s, want %s",
	    (long long)us, got, want);
}

START_TEST(timestamps_as_libc_writes_them)
{
	static const int64_t v[] = {
		0, 1, -1, 999999, -999999, 1000000, -1000000,
		INT64_C(1795687200123456),   /* 2026-11-26T10:00:00.123456 */
		INT64_C(951782400000000),    /* 2000-02-29 */
		INT64_C(-2203891200000000),  /* 1900-02-28 */
		INT64_C(4107456000000000),   /* 2100-02-28 */
		INT64_C(253402300799999999), /* 9999-12-31T23:59:59.999999 */
		INT64_C(253402300800000000), /* 10000-01-01 */
		INT64_C(-30610224000000000), /* 1000-01-01 */
		INT64_C(-30610224000000001), /* 999-12-31 */
		INT64_C(-62135596800000000), /* 0001-01-01 */
	};
	uint64_t x = 88172645463325252u;
	int64_t	 us;
	size_t	 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_timestamp_as_libc(v[i]);
	/* Every day of 1999 to 2001 (leap and centennial rules), mid-day. */
	for (us = INT64_C(915148800000000); us < INT64_C(1009843200000000);
	     us += INT64_C(86400000000))
		assert_timestamp_as_libc(us + INT64_C(43199500000));
	/* And 100,000 instants anywhere in years 1000 to 9999. */
	for (i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		assert_timestamp_as_libc(INT64_C(-30610224000000000) +
		    (int64_t)(x % UINT64_C(284012524800000000)));
	}
}
END_TEST

/* The User object, built field by field with json-c, as a reference. */
static char *
jsonc_user(const struct ua_user *u)
{
	const char	   *k[6];
	struct json_object *o = json_object_new_object();
	char		    ts[UA_TIMESTAMP_LEN], *v;
	size_t		    i;

	ck_assert_uint_eq(ua_user_model.nfields, 6);
	for (i = 0; i < 6; i++)
		k[i] = ua_user_model.fields[i].key;

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
	v = strdup(json_object_to_json_string_ext(o, JSONC_FLAGS));
	json_object_put(o);
	ck_assert_ptr_nonnull(v);
	return v;
}

START_TEST(user_object_as_jsonc_writes_it)
{
	struct ua_user u;
	struct ua_buf  b;
	char	      *want;

	memset(&u, 0, sizeof(u));
	u.id = 7;
	snprintf(u.email, sizeof(u.email), "%s", "\"o'neil\"@example.com");
	snprintf(u.name, sizeof(u.name), "%s", "Zoë \\ Tab\there");
	u.role = UA_ROLE_ADMIN;
	u.created_us = INT64_C(1795687200123456);
	ua_buf_init(&b);
	ua_user_append_json(&b, &u);
	want = jsonc_user(&u);
	ck_assert_str_eq(b.data, want);
	ck_assert_ptr_nonnull(strstr(b.data, "\"updated_at\":null}"));
	free(want);

	u.role = UA_ROLE_USER;
	u.has_updated = true;
	u.updated_us = INT64_C(1795687201000000);
	ua_buf_reset(&b);
	ua_user_append_json(&b, &u);
	want = jsonc_user(&u);
	ck_assert_str_eq(b.data, want);
	ck_assert_ptr_nonnull(
	    strstr(b.data, "\"updated_at\":\"2026-11-26T10:00:01Z\"}"));
	free(want);
	ua_buf_cleanup(&b);
}
END_TEST

static Suite *
json_out_suite(void)
{
	Suite *s = suite_create("json_out");
	TCase *tc = tcase_create("as_jsonc");

	tcase_add_test(tc, every_byte_escaped_as_jsonc_does);
	tcase_add_test(tc, strings_as_jsonc_writes_them);
	tcase_add_test(tc, numbers_as_jsonc_writes_them);
	tcase_add_test(tc, timestamps_as_libc_writes_them);
	tcase_add_test(tc, user_object_as_jsonc_writes_it);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(json_out_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
