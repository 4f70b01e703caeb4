/*
 * test_numparse.c -- strict integer parsing.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "userapi/numparse.h"

START_TEST(accepts_plain_decimal)
{
	int64_t v = 0;

	ck_assert(ua_parse_int64("0", &v));
	ck_assert_int_eq(v, 0);
	ck_assert(ua_parse_int64("12345", &v));
	ck_assert_int_eq(v, 12345);
	ck_assert(ua_parse_int64("-7", &v));
	ck_assert_int_eq(v, -7);
}
END_TEST

START_TEST(accepts_the_extremes)
{
	int64_t v = 0;

	ck_assert(ua_parse_int64("9223372036854775807", &v));
	ck_assert(v == INT64_MAX);
	ck_assert(ua_parse_int64("-9223372036854775808", &v));
	ck_assert(v == INT64_MIN);
}
END_TEST

START_TEST(rejects_junk)
{
	static const char *const bad[] = {
		"",
		"-",
		"12abc",
		"abc",
		" 1",
		"1 ",
		"+1",
		"1e3",
		"0x10",
		"1.0",
		"--1",
		"9223372036854775808",
		"-9223372036854775809",
		"99999999999999999999999",
	};
	int64_t v = 42;
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!ua_parse_int64(bad[i], &v), "accepted \"%s\"",
		    bad[i]);
		ck_assert_int_eq(v, 42);
	}
	ck_assert(!ua_parse_int64(NULL, &v));
}
END_TEST

START_TEST(range_is_inclusive)
{
	int64_t v = 0;

	ck_assert(ua_parse_int64_range("1", 1, 100, &v));
	ck_assert(ua_parse_int64_range("100", 1, 100, &v));
	ck_assert_int_eq(v, 100);
	ck_assert(!ua_parse_int64_range("0", 1, 100, &v));
	ck_assert(!ua_parse_int64_range("101", 1, 100, &v));
	ck_assert_int_eq(v, 100);
}
END_TEST

START_TEST(formats_round_trip)
{
	char	buf[UA_INT64_STRLEN];
	int64_t v;

	ua_fmt_int64(buf, sizeof(buf), INT64_MIN);
	ck_assert_str_eq(buf, "-9223372036854775808");
	ck_assert(ua_parse_int64(buf, &v));
	ck_assert(v == INT64_MIN);
}
END_TEST

static Suite *
numparse_suite(void)
{
	Suite *s = suite_create("numparse");
	TCase *tc = tcase_create("ua_parse_int64");

	tcase_add_test(tc, accepts_plain_decimal);
	tcase_add_test(tc, accepts_the_extremes);
	tcase_add_test(tc, rejects_junk);
	tcase_add_test(tc, range_is_inclusive);
	tcase_add_test(tc, formats_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(numparse_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
