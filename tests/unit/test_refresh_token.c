/*
 * test_refresh_token.c -- refresh tokens: 256 random bits as 43
 * characters of base64url, different every time, and their SHA-256.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/sha.h>

#include "userapi/refresh_token.h"
#include "userapi/session.h"
#include "security-private.h"

#define NTOKENS 1000

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* "hash" as lower-case hex, into "out" (65 bytes). */
static void
hex(const struct ua_refresh_hash *hash, char *out)
{
	size_t i;

	for (i = 0; i < UA_REFRESH_HASH_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02x", hash->b[i]);
}

START_TEST(token_is_43_base64url_characters)
{
	char		       token[UA_REFRESH_TOKEN_LEN + 1];
	struct ua_refresh_hash hash;
	unsigned char	      *raw;
	size_t		       n;
	int		       i;

	ck_assert_int_eq(UA_REFRESH_TOKEN_LEN, 43);
	for (i = 0; i < 100; i++) {
		memset(token, 'x', sizeof(token));
		ck_assert_int_eq(ua_refresh_token_new(token, &hash), UA_OK);
		ck_assert_uint_eq(strlen(token), UA_REFRESH_TOKEN_LEN);
		ck_assert_uint_eq(strspn(token, b64url), UA_REFRESH_TOKEN_LEN);
		/* No padding; it decodes to the 32 bytes it encodes. */
		ck_assert_ptr_null(strchr(token, '='));
		ck_assert(ua_b64url_decode(token, strlen(token), &raw, &n));
		ck_assert_uint_eq(n, UA_REFRESH_TOKEN_BYTES);
		free(raw);
	}
}
END_TEST

static int
cmp_token(const void *a, const void *b)
{
	return strcmp(a, b);
}

START_TEST(tokens_differ)
{
	static char	       tokens[NTOKENS][UA_REFRESH_TOKEN_LEN + 1];
	struct ua_refresh_hash hash;
	unsigned	       seen[64];
	size_t		       i, j;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NTOKENS; i++) {
		ck_assert_int_eq(ua_refresh_token_new(tokens[i], &hash), UA_OK);
		for (j = 0; j < UA_REFRESH_TOKEN_LEN; j++)
			seen[strchr(b64url, tokens[i][j]) - b64url]++;
	}
	qsort(tokens, NTOKENS, sizeof(tokens[0]), cmp_token);
	for (i = 1; i < NTOKENS; i++)
		ck_assert_str_ne(tokens[i - 1], tokens[i]);
	/*
	 * 43000 characters, all 64 in use: a stuck or narrow source would
	 * show.  (The last character carries 4 bits, but the other 42 cover
	 * the whole alphabet.)
	 */
	for (i = 0; i < 64; i++)
		ck_assert_msg(seen[i] > 0, "'%c' never drawn", b64url[i]);
}
END_TEST

/* The hash a new token comes with is SHA-256 of its text. */
START_TEST(new_token_hash_is_sha256_of_its_text)
{
	char		       token[UA_REFRESH_TOKEN_LEN + 1];
	struct ua_refresh_hash hash, again;
	unsigned char	       want[SHA256_DIGEST_LENGTH];
	int		       i;

	ck_assert_int_eq(UA_REFRESH_HASH_BYTES, SHA256_DIGEST_LENGTH);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(ua_refresh_token_new(token, &hash), UA_OK);
		SHA256((const unsigned char *)token, strlen(token), want);
		ck_assert_mem_eq(hash.b, want, sizeof(want));
		ua_refresh_token_hash(token, strlen(token), &again);
		ck_assert_mem_eq(again.b, hash.b, sizeof(hash.b));
	}
}
END_TEST

/* FIPS 180-2's "abc" and the empty string, and OpenSSL agreeing. */
START_TEST(hash_known_vectors)
{
	struct ua_refresh_hash hash;
	unsigned char	       want[SHA256_DIGEST_LENGTH];
	char		       got[2 * UA_REFRESH_HASH_BYTES + 1];

	ua_refresh_token_hash("abc", 3, &hash);
	hex(&hash, got);
	ck_assert_str_eq(got,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	SHA256((const unsigned char *)"abc", 3, want);
	ck_assert_mem_eq(hash.b, want, sizeof(want));

	ua_refresh_token_hash("", 0, &hash);
	hex(&hash, got);
	ck_assert_str_eq(got,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	/* A token-shaped text, against OpenSSL's one-shot SHA256(). */
	ua_refresh_token_hash("dGhpcyBpcyBub3QgYSByZWFsIHJlZnJlc2ggdG9rZW4", 43,
	    &hash);
	SHA256((const unsigned char
		       *)"dGhpcyBpcyBub3QgYSByZWFsIHJlZnJlc2ggdG9rZW4",
	    43, want);
	ck_assert_mem_eq(hash.b, want, sizeof(want));
}
END_TEST

/*
 * Exactly "len" bytes are hashed: not up to a NUL, not beyond; a client's
 * text with a NUL inside or a byte more is another token.
 */
START_TEST(hash_is_of_exactly_len_bytes)
{
	static const char      text[] = "abcdef\0ghi";
	struct ua_refresh_hash h3, h6, h10, abc;
	unsigned char	       want[SHA256_DIGEST_LENGTH];

	ua_refresh_token_hash(text, 3, &h3);
	ua_refresh_token_hash("abc", 3, &abc);
	ck_assert_mem_eq(h3.b, abc.b, sizeof(abc.b));

	ua_refresh_token_hash(text, 6, &h6);
	ck_assert_mem_ne(h6.b, h3.b, sizeof(h3.b));
	SHA256((const unsigned char *)"abcdef", 6, want);
	ck_assert_mem_eq(h6.b, want, sizeof(want));

	/* Past the NUL: all ten bytes count. */
	ua_refresh_token_hash(text, 10, &h10);
	SHA256((const unsigned char *)text, 10, want);
	ck_assert_mem_eq(h10.b, want, sizeof(want));
	ck_assert_mem_ne(h10.b, h6.b, sizeof(h6.b));
}
END_TEST

static Suite *
refresh_token_suite(void)
{
	Suite *s = suite_create("refresh_token");
	TCase *tc;

	tc = tcase_create("ua_refresh_token_new");
	tcase_add_test(tc, token_is_43_base64url_characters);
	tcase_add_test(tc, tokens_differ);
	tcase_add_test(tc, new_token_hash_is_sha256_of_its_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_refresh_token_hash");
	tcase_add_test(tc, hash_known_vectors);
	tcase_add_test(tc, hash_is_of_exactly_len_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(refresh_token_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
