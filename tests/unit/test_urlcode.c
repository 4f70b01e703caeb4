/*
 * test_urlcode.c -- percent-decoding and query splitting.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/urlcode.h"

static char *
dec(const char *s, bool plus)
{
	return ua_url_decode(s, strlen(s), plus, NULL);
}

START_TEST(decodes_escapes)
{
	char *s;

	s = dec("a%20b%2Fc%e2%82%AC", false);
	ck_assert_str_eq(s, "a b/c\xe2\x82\xac");
	free(s);
}
END_TEST

START_TEST(plus_only_in_queries)
{
	char *s;

	s = dec("a+b", true);
	ck_assert_str_eq(s, "a b");
	free(s);
	s = dec("a+b", false);
	ck_assert_str_eq(s, "a+b");
	free(s);
}
END_TEST

START_TEST(keeps_malformed_escapes)
{
	char *s;

	s = dec("100%", true);
	ck_assert_str_eq(s, "100%");
	free(s);
	s = dec("%4", true);
	ck_assert_str_eq(s, "%4");
	free(s);
	s = dec("%zz%2", true);
	ck_assert_str_eq(s, "%zz%2");
	free(s);
}
END_TEST

START_TEST(reports_length_with_nul)
{
	size_t n;
	char  *s = ua_url_decode("a%00b", 5, false, &n);

	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(s[1], '\0');
	ck_assert_int_eq(s[2], 'b');
	free(s);
}
END_TEST

START_TEST(splits_query)
{
	struct ua_kvlist l;
	const char	*qs = "page=2&limit=%32%30&&flag&name=Ann+Lee&page=9";

	ua_kvlist_init(&l);
	ua_query_parse(qs, strlen(qs), &l);
	ck_assert_uint_eq(l.len, 5);
	ck_assert_str_eq(ua_kvlist_get(&l, "page"), "2"); /* first wins */
	ck_assert_str_eq(ua_kvlist_get(&l, "limit"), "20");
	ck_assert_str_eq(ua_kvlist_get(&l, "flag"), "");
	ck_assert_str_eq(ua_kvlist_get(&l, "name"), "Ann Lee");
	ck_assert_ptr_null(ua_kvlist_get(&l, "missing"));
	ua_kvlist_cleanup(&l);
}
END_TEST

START_TEST(values_keep_decoded_nul_length)
{
	struct ua_kvlist l;
	const char	*qs = "password=pass%00x&u=a", *v;
	size_t		 n;

	ua_kvlist_init(&l);
	ua_query_parse(qs, strlen(qs), &l);
	v = ua_kvlist_get_len(&l, "password", &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(v[4], '\0');
	ck_assert_int_eq(v[5], 'x');
	ck_assert_ptr_null(ua_kvlist_get_len(&l, "none", &n));
	ck_assert_uint_eq(n, 0);
	ua_kvlist_cleanup(&l);
}
END_TEST

START_TEST(empty_query_has_no_pairs)
{
	struct ua_kvlist l;

	ua_kvlist_init(&l);
	ua_query_parse("", 0, &l);
	ck_assert_uint_eq(l.len, 0);
	ua_query_parse("&&&", 3, &l);
	ck_assert_uint_eq(l.len, 0);
	ua_kvlist_cleanup(&l);
}
END_TEST

static Suite *
urlcode_suite(void)
{
	Suite *s = suite_create("urlcode");
	TCase *tc;

	tc = tcase_create("ua_url_decode");
	tcase_add_test(tc, decodes_escapes);
	tcase_add_test(tc, plus_only_in_queries);
	tcase_add_test(tc, keeps_malformed_escapes);
	tcase_add_test(tc, reports_length_with_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_query_parse");
	tcase_add_test(tc, splits_query);
	tcase_add_test(tc, values_keep_decoded_nul_length);
	tcase_add_test(tc, empty_query_has_no_pairs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(urlcode_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
