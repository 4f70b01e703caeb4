/*
 * test_password.c -- hashing, verification, passlib compatibility and
 * the rehash rule.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/password.h"

/*
 * Made by Python passlib: bcrypt.hash("password", rounds=12, ident="2b").
 * Verifying it proves passlib's hashes work here; hashing "password"
 * with its salt and getting the same string back proves ours are the
 * bytes passlib makes, so passlib verifies them.
 */
static const char PASSLIB_2B[] =
    "$2b$12$bIRGj4QPPoSUMWsJE.4Pk.T1qTpDWz7HhMnuiQhGzGinKPsx/HQdq";
/* A John-the-Ripper vector from passlib's own test table ($2a$). */
static const char JTR_2A[] =
    "$2a$05$c92SVSfjeiCD6F2nAD6y0uBpJDjdRkt0EgeC4/31Rf2LUZbDRDE.O";

START_TEST(passlib_hash_verifies)
{
	ck_assert(ua_password_verify("password", PASSLIB_2B));
	ck_assert(!ua_password_verify("Password", PASSLIB_2B));
	ck_assert(ua_password_verify("U*U*U*U*", JTR_2A));
}
END_TEST

START_TEST(our_hash_is_passlibs_for_the_same_salt)
{
	char out[UA_PASSWORD_HASH_MAX];

	/* The setting is the first 29 characters: "$2b$12$" + 22 of salt. */
	ck_assert_int_eq(ua_password_hash_with("$2b$12$bIRGj4QPPoSUMWsJE.4Pk.",
			     "password", out),
	    UA_OK);
	ck_assert_str_eq(out, PASSLIB_2B);
}
END_TEST

START_TEST(bcrypt_round_trip_with_cost)
{
	char h[UA_PASSWORD_HASH_MAX], h2[UA_PASSWORD_HASH_MAX];

	ck_assert_int_eq(ua_password_hash(UA_PW_BCRYPT, 5, "s3cret pw", h),
	    UA_OK);
	ck_assert(strncmp(h, "$2b$05$", 7) == 0);
	ck_assert_uint_eq(strlen(h), 60);
	ck_assert(ua_password_verify("s3cret pw", h));
	ck_assert(!ua_password_verify("s3cret pW", h));
	/* A fresh salt every time. */
	ck_assert_int_eq(ua_password_hash(UA_PW_BCRYPT, 5, "s3cret pw", h2),
	    UA_OK);
	ck_assert_str_ne(h, h2);
}
END_TEST

START_TEST(yescrypt_round_trip)
{
	char h[UA_PASSWORD_HASH_MAX];

	ck_assert_int_eq(ua_password_hash(UA_PW_YESCRYPT, 12, "pässwörd", h),
	    UA_OK);
	ck_assert(strncmp(h, "$y$", 3) == 0);
	ck_assert(ua_password_verify("pässwörd", h));
	ck_assert(!ua_password_verify("passwort", h));
}
END_TEST

START_TEST(unreadable_hashes_never_match)
{
	ck_assert(!ua_password_verify("", ""));
	ck_assert(!ua_password_verify("x", "*"));
	ck_assert(!ua_password_verify("x", "plaintext"));
	ck_assert(!ua_password_verify("x", "$2b$99$abc"));
}
END_TEST

START_TEST(rehash_on_lower_cost_or_other_scheme)
{
	ck_assert(ua_password_needs_rehash(UA_PW_BCRYPT, 13, PASSLIB_2B));
	ck_assert(!ua_password_needs_rehash(UA_PW_BCRYPT, 12, PASSLIB_2B));
	ck_assert(!ua_password_needs_rehash(UA_PW_BCRYPT, 10, PASSLIB_2B));
	ck_assert(ua_password_needs_rehash(UA_PW_BCRYPT, 4, JTR_2A));
	ck_assert(ua_password_needs_rehash(UA_PW_YESCRYPT, 12, PASSLIB_2B));
	ck_assert(ua_password_needs_rehash(UA_PW_BCRYPT, 12, "$y$j9T$abc$def"));
	ck_assert(
	    !ua_password_needs_rehash(UA_PW_YESCRYPT, 12, "$y$j9T$abc$def"));
}
END_TEST

START_TEST(dummy_hash_is_real_and_stable)
{
	const char *a = ua_password_dummy_hash(UA_PW_BCRYPT, 4);
	const char *b = ua_password_dummy_hash(UA_PW_BCRYPT, 4);
	char	    out[UA_PASSWORD_HASH_MAX];

	ck_assert(strncmp(a, "$2b$04$", 7) == 0);
	ck_assert_ptr_eq(a, b);
	/* It is a setting libcrypt hashes with, at that cost... */
	ck_assert_int_eq(ua_password_hash_with(a, "password", out), UA_OK);
	ck_assert(strncmp(out, a, strlen(a)) == 0);
	ck_assert_uint_gt(strlen(out), strlen(a));
	/* ...that no password matches. */
	ck_assert(!ua_password_verify("password", a));
	ck_assert(!ua_password_verify("", a));
	ck_assert(strncmp(ua_password_dummy_hash(UA_PW_BCRYPT, 12), "$2b$12$",
		      7) == 0);
	ck_assert(
	    strncmp(ua_password_dummy_hash(UA_PW_YESCRYPT, 12), "$y$", 3) == 0);
}
END_TEST

static Suite *
password_suite(void)
{
	Suite *s = suite_create("password");
	TCase *tc = tcase_create("password");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, passlib_hash_verifies);
	tcase_add_test(tc, our_hash_is_passlibs_for_the_same_salt);
	tcase_add_test(tc, bcrypt_round_trip_with_cost);
	tcase_add_test(tc, yescrypt_round_trip);
	tcase_add_test(tc, unreadable_hashes_never_match);
	tcase_add_test(tc, rehash_on_lower_cost_or_other_scheme);
	tcase_add_test(tc, dummy_hash_is_real_and_stable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(password_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
