/*
 * test_email.c -- email addresses by email-validator's syntax rules as
 * Pydantic's EmailStr applies them: what is accepted, its normal form,
 * and the exact reason for what is not.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/user.h"
#include "userapi/validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define A10 "aaaaaaaaaa"
#define A60 A10 A10 A10 A10 A10 A10
#define A63 A60 "aaa"
#define A64 A60 "aaaa"
#define E10 \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
#define E60 E10 E10 E10 E10 E10 E10
#define B63 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C63 "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define D57 "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define D58 D57 "d"
#define D24 "dddddddddddddddddddddddd"
#define BS2 "\\\\" /* one escaped backslash: \\ */
#define BS10 BS2 BS2 BS2 BS2 BS2 BS2 BS2 BS2 BS2 BS2
#define BS30 BS10 BS10 BS10

static const struct {
	const char *in;
	const char *out;
} valid[] = {
	{ "ann@example.com", "ann@example.com" },
	{ "Ann.Lee@Example.COM", "Ann.Lee@example.com" },
	{ "ann+tag@example.com", "ann+tag@example.com" },
	{ "a@b.co", "a@b.co" },
	{ "o'brien@example.ie", "o'brien@example.ie" },
	{ "user_name-1@sub.example.co.uk", "user_name-1@sub.example.co.uk" },
	{ "!#$%&'*+-/=?^_`{|}~@example.org",
	    "!#$%&'*+-/=?^_`{|}~@example.org" },
	{ "a.b.c@example.com", "a.b.c@example.com" },
	{ "ann@EXAMPLE.com", "ann@example.com" },
	{ "ann@sub-domain.example.com", "ann@sub-domain.example.com" },
	{ "ann@123.example.com", "ann@123.example.com" },
	{ "ann@a1.b2c", "ann@a1.b2c" },
	{ "ann@example.museum", "ann@example.museum" },
	{ "ann@localhost.example.com", "ann@localhost.example.com" },
	{ "ann@test.example.com", "ann@test.example.com" },
	{ "test@example.com", "test@example.com" },
	{ "x@xn--bcher-kva.de", "x@xn--bcher-kva.de" },
	{ "  ann@example.com  ", "ann@example.com" },
	{ "\tann@example.com\n", "ann@example.com" },
	{ "\xc2\xa0"
	  "ann@example.com\xe3\x80\x80",
	    "ann@example.com" },
	{ "Ann Lee <ann@Example.com>", "ann@example.com" },
	{ "\"Lee, Ann\" <ann@example.com>", "ann@example.com" },
	{ "<ann@example.com>", "ann@example.com" },
	{ "J\xc3\xb6rg <j@example.com> ", "j@example.com" },
	{ "j\xc3\xb6rg@example.com", "j\xc3\xb6rg@example.com" },
	{ "\xe7\x94\xa8\xe6\x88\xb7@example.com",
	    "\xe7\x94\xa8\xe6\x88\xb7@example.com" },
	{ "\"ann lee\"@example.com", "\"ann lee\"@example.com" },
	{ "\"ann\"@example.com", "ann@example.com" },
	{ "\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com" },
	{ "\"a\\b\"@example.com", "ab@example.com" },
	{ "\"a@b\"@example.com", "\"a@b\"@example.com" },
	{ "Postmaster@Example.com", "postmaster@example.com" },
	{ "INFO@example.com", "info@example.com" },
	{ "Info.Desk@example.com", "Info.Desk@example.com" },
	{ A64 "@example.com", A64 "@example.com" },
	{ "ann@" A63 ".com", "ann@" A63 ".com" },
	{ E60 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9@example.com",
	    E60 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9@example.com" },
	/* 254 octets exactly: 64 + 1 + 189. */
	{ A64 "@" B63 "." C63 "." D57 ".com",
	    A64 "@" B63 "." C63 "." D57 ".com" },
};

START_TEST(accepts_valid)
{
	char	    out[UA_EMAIL_MAX + 1], why[512];
	enum ua_err er;

	er = ua_email_normalise(valid[_i].in, strlen(valid[_i].in), out,
	    sizeof(out), why, sizeof(why));
	ck_assert_msg(er == UA_OK, "%s: %s", valid[_i].in, why);
	ck_assert_str_eq(out, valid[_i].out);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(normal_form_is_stable)
{
	char once[UA_EMAIL_MAX + 1], twice[UA_EMAIL_MAX + 1], why[512];

	ck_assert_int_eq(ua_email_normalise(valid[_i].in, strlen(valid[_i].in),
			     once, sizeof(once), why, sizeof(why)),
	    UA_OK);
	ck_assert_int_eq(ua_email_normalise(once, strlen(once), twice,
			     sizeof(twice), why, sizeof(why)),
	    UA_OK);
	ck_assert_str_eq(once, twice);
}
END_TEST

#define TLD \
	"The part after the @-sign is not valid. It is not within " \
	"a valid top-level domain."
#define PERIOD \
	"The part after the @-sign is not valid. It should have a " \
	"period."
#define SPECIAL \
	"The part after the @-sign is a special-use or reserved " \
	"name that cannot be used with email."
#define NO_IP "A bracketed IP address after the @-sign is not allowed here."
#define NO_AT "An email address must have an @-sign."
#define BAD_IP \
	"The address in brackets after the @-sign is not valid: " \
	"It is not an IPv4 address (%s) or is missing an address " \
	"literal tag."

static const struct {
	const char *in;
	const char *why;
} invalid[] = {
	{ "", NO_AT },
	{ "   ", NO_AT },
	{ "annexample.com", NO_AT },
	{ "\"ann@example.com", NO_AT },
	{ "@example.com", "There must be something before the @-sign." },
	{ "ann@", "There must be something after the @-sign." },
	{ A64 "a@example.com",
	    "The email address is too long before the "
	    "@-sign (1 character too many)." },
	{ A64 "aaaaaa@example.com",
	    "The email address is too long before "
	    "the @-sign (6 characters too many)." },
	{ E60 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9@example.com",
	    "The email address is too long before the @-sign (1 character "
	    "too many)." },
	{ ".ann@example.com", "An email address cannot start with a period." },
	{ "ann.@example.com",
	    "An email address cannot have a period "
	    "immediately before the @-sign." },
	{ ".ann.@example.com",
	    "An email address cannot have a period "
	    "immediately before the @-sign." },
	{ "an..n@example.com",
	    "An email address cannot have two periods in "
	    "a row." },
	{ "an n@example.com",
	    "The email address contains invalid characters "
	    "before the @-sign: SPACE." },
	{ "a,b(c)@example.com",
	    "The email address contains invalid "
	    "characters before the @-sign: '(', ')', ','." },
	{ "ann\\@example.com",
	    "The email address contains invalid "
	    "characters before the @-sign: \"\\\"." },
	{ "a\x01"
	  "b@example.com",
	    "The email address contains invalid "
	    "characters before the @-sign: U+0001." },
	{ "ann@example", PERIOD },
	{ "ann@localhost", PERIOD },
	{ "ann@example.123", TLD },
	{ "ann@example.c0", TLD },
	{ "ann@foo.localhost", SPECIAL },
	{ "ann@x.test", SPECIAL },
	{ "ann@Example.TEST", SPECIAL },
	{ "ann@x.local", SPECIAL },
	{ "ann@x.onion", SPECIAL },
	{ "ann@x.invalid", SPECIAL },
	{ "ann@10.in-addr.arpa", SPECIAL },
	{ "ann@[1.2.3.4]", NO_IP },
	{ "ann@[IPv6:::1]", NO_IP },
	{ "ann@[IPv6:2001:db8::1]", NO_IP },
	{ "ann@[IPv6:zz]",
	    "The IPv6 address in brackets after the @-sign is "
	    "not valid." },
	{ "ann@[foo]",
	    "The part after the @-sign in brackets is not an IPv4 "
	    "address and has no address literal tag." },
	{ "ann@[]",
	    "The part after the @-sign in brackets is not an IPv4 "
	    "address and has no address literal tag." },
	{ "ann@[x:y]",
	    "The part after the @-sign contains an invalid "
	    "address literal tag in brackets." },
	{ "ann@[x: y]",
	    "The part after the @-sign contains invalid "
	    "characters in brackets: SPACE." },
	{ "ann@[1.2.3.4",
	    "The part after the @-sign contains invalid "
	    "characters: '['." },
	{ "ann@b\xc3\xbc"
	  "cher.de",
	    "Internationalized domain names are not "
	    "supported here; write the part after the @-sign in its xn-- "
	    "(Punycode) form." },
	{ "ann@exa mple.com",
	    "The part after the @-sign contains invalid "
	    "characters: SPACE." },
	{ "a@b@c.com",
	    "The part after the @-sign contains invalid "
	    "characters: '@'." },
	{ "ann@exam_ple.com",
	    "The part after the @-sign contains invalid "
	    "characters: '_'." },
	{ "ann@ex!am#ple.com",
	    "The part after the @-sign contains invalid "
	    "characters: '!', '#'." },
	{ "ann@-example.com",
	    "An email address cannot have a hyphen "
	    "immediately after the @-sign." },
	{ "ann@example.com-", "An email address cannot end with a hyphen." },
	{ "ann@example-.com",
	    "An email address cannot have a period and a "
	    "hyphen next to each other." },
	{ "ann@ex.-ample.com",
	    "An email address cannot have a period and a "
	    "hyphen next to each other." },
	{ "ann@ex--ample.com",
	    "An email address cannot have two letters "
	    "followed by two dashes immediately after the @-sign or after a "
	    "period, except Punycode." },
	{ "ann@.example.com",
	    "An email address cannot have a period "
	    "immediately after the @-sign." },
	{ "ann@example.com.", "An email address cannot end with a period." },
	{ "ann@exa..mple.com",
	    "An email address cannot have two periods in "
	    "a row." },
	{ "ann@" A64 ".com",
	    "After the @-sign, periods cannot be separated "
	    "by so many characters (1 character too many)." },
	{ "ann@" A60 "." A60 "." A60 "." A60 "." A60 ".com",
	    "The email "
	    "address is too long after the @-sign (55 characters too many)." },
	{ A60 "@" A63 "." A63 "." A63 ".aa.com",
	    "The email address is too "
	    "long (5 characters too many)." },
	{ A64 "@" B63 "." C63 "." D58 ".com",
	    "The email address is too long "
	    "(1 character too many)." },
	/* 316 octets in 256 characters: 31 to 62 of them too many. */
	{ E60 "@" B63 "." C63 "."
	      "ddd" D57 "ddd.com",
	    "The email address is "
	    "too long (31-62 characters too many)." },
	/* 254 octets as given, 284 once the backslashes are escaped. */
	{ "\"a" BS30 "\"@" B63 "." C63 "." A63 "." D24 ".com",
	    "The email "
	    "address is too long after normalization (30 bytes too many)." },
	{ "j\xc3\xb6rg\xe2\x80\x8b@example.com",
	    "The email address contains "
	    "unsafe characters: ZERO WIDTH SPACE." },
	{ "ann\xe2\x80\xae@example.com",
	    "The email address contains unsafe "
	    "characters: RIGHT-TO-LEFT OVERRIDE." },
	{ "ann@ex\xc2\xa0"
	  "ample.com",
	    "The email address contains unsafe "
	    "characters: NO-BREAK SPACE." },
	{ "\xcc\x81"
	  "ann@example.com",
	    "The email address contains unsafe "
	    "characters: U+0301." },
	{ "\"a\tb\"@example.com",
	    "The email address contains invalid "
	    "characters in quotes before the @-sign: U+0009." },
	{ "\"ann\"x@example.com",
	    "Extra character(s) found after close "
	    "quote: 'x'" },
	{ "a.b <x@example.com>",
	    "The display name contains invalid "
	    "characters when not quoted: '.'." },
	{ "Ann <ann@example.com",
	    "An open angle bracket at the start of the "
	    "email address has to be followed by a close angle bracket at the "
	    "end." },
	{ "Ann <ann@example.com> x",
	    "There can't be anything after the email "
	    "address." },
	{ "\"\" <ann@example.com>",
	    "A display name and angle brackets around "
	    "the email address are not permitted here." },
	{ "Ann <ann@example.com>>",
	    "The part after the @-sign contains "
	    "invalid characters: '>'." },
	{ "\xff@example.com",
	    "The email address contains an invalid "
	    "character." },
	{ "ann@exa\xc0\xafmple.com",
	    "The email address contains an invalid "
	    "character." },
};

START_TEST(refuses_invalid)
{
	char	    out[UA_EMAIL_MAX + 1], why[512];
	enum ua_err er;

	strcpy(out, "untouched");
	er = ua_email_normalise(invalid[_i].in, strlen(invalid[_i].in), out,
	    sizeof(out), why, sizeof(why));
	ck_assert_msg(er == UA_ERR_INVALID, "%s: accepted as %s",
	    invalid[_i].in, out);
	ck_assert_str_eq(why, invalid[_i].why);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Python's ipaddress words for IPv4 addresses it cannot read. */
static const struct {
	const char *in;
	const char *err;
} bad_ipv4[] = {
	{ "ann@[1.2.3]", "Expected 4 octets in '1.2.3'" },
	{ "ann@[1.2.3.4.5]", "Expected 4 octets in '1.2.3.4.5'" },
	{ "ann@[1..3.4]", "Empty octet not permitted in '1..3.4'" },
	{ "ann@[1.2.3.256]",
	    "Octet 256 (> 255) not permitted in "
	    "'1.2.3.256'" },
	{ "ann@[01.2.3.4]",
	    "Leading zeros are not permitted in '01' in "
	    "'01.2.3.4'" },
	{ "ann@[1.2.3.1234]",
	    "At most 3 characters permitted in '1234' in "
	    "'1.2.3.1234'" },
};

START_TEST(refuses_bad_ipv4_literal)
{
	char out[UA_EMAIL_MAX + 1], why[512], want[512];

	snprintf(want, sizeof(want), BAD_IP, bad_ipv4[_i].err);
	ck_assert_int_eq(ua_email_normalise(bad_ipv4[_i].in,
			     strlen(bad_ipv4[_i].in), out, sizeof(out), why,
			     sizeof(why)),
	    UA_ERR_INVALID);
	ck_assert_str_eq(why, want);
}
END_TEST

START_TEST(longer_than_pydantic_reads)
{
	char *in = malloc(2050), out[UA_EMAIL_MAX + 1], why[512];

	ck_assert_ptr_nonnull(in);
	memset(in, 'a', 2049);
	in[2049] = '\0';
	memcpy(in + 2030, "@example.com", 12);
	ck_assert_int_eq(ua_email_normalise(in, 2049, out, sizeof(out), why,
			     sizeof(why)),
	    UA_ERR_INVALID);
	ck_assert_str_eq(why, "Length must not exceed 2048 characters");
	ck_assert_int_eq(ua_email_normalise(in, 2048, out, sizeof(out), why,
			     sizeof(why)),
	    UA_ERR_INVALID);
	ck_assert_str_ne(why, "Length must not exceed 2048 characters");
	free(in);
}
END_TEST

START_TEST(length_is_explicit)
{
	char out[UA_EMAIL_MAX + 1], why[512];

	ck_assert_int_eq(ua_email_normalise("ann@example.comXYZ", 15, out,
			     sizeof(out), why, sizeof(why)),
	    UA_OK);
	ck_assert_str_eq(out, "ann@example.com");
	ck_assert_int_eq(ua_email_normalise("ann@exa\0mple.com", 16, out,
			     sizeof(out), why, sizeof(why)),
	    UA_ERR_INVALID);
	ck_assert_str_eq(why,
	    "The part after the @-sign contains invalid "
	    "characters: U+0000.");
}
END_TEST

START_TEST(small_output_buffer)
{
	char out[8], why[512];

	strcpy(out, "x");
	ck_assert_int_eq(ua_email_normalise("ann@example.com", 15, out,
			     sizeof(out), why, sizeof(why)),
	    UA_ERR_INTERNAL);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(small_reason_buffer)
{
	char out[UA_EMAIL_MAX + 1], why[8];

	ck_assert_int_eq(ua_email_normalise("annexample.com", 14, out,
			     sizeof(out), why, sizeof(why)),
	    UA_ERR_INVALID);
	ck_assert_str_eq(why, "An emai");
	ck_assert_int_eq(ua_email_normalise("annexample.com", 14, out,
			     sizeof(out), NULL, 0),
	    UA_ERR_INVALID);
}
END_TEST

START_TEST(same_address_same_form)
{
	char a[UA_EMAIL_MAX + 1], b[UA_EMAIL_MAX + 1], why[512];

	ck_assert_int_eq(ua_email_normalise("Ann@EXAMPLE.com", 15, a, sizeof(a),
			     why, sizeof(why)),
	    UA_OK);
	ck_assert_int_eq(ua_email_normalise(" Ann <Ann@example.COM>", 22, b,
			     sizeof(b), why, sizeof(why)),
	    UA_OK);
	ck_assert_str_eq(a, b);
}
END_TEST

static Suite *
email_suite(void)
{
	Suite *s = suite_create("email");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_loop_test(tc, accepts_valid, 0, NELEM(valid));
	tcase_add_loop_test(tc, normal_form_is_stable, 0, NELEM(valid));
	tcase_add_test(tc, same_address_same_form);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, refuses_invalid, 0, NELEM(invalid));
	tcase_add_loop_test(tc, refuses_bad_ipv4_literal, 0, NELEM(bad_ipv4));
	tcase_add_test(tc, longer_than_pydantic_reads);
	suite_add_tcase(s, tc);

	tc = tcase_create("buffers");
	tcase_add_test(tc, length_is_explicit);
	tcase_add_test(tc, small_output_buffer);
	tcase_add_test(tc, small_reason_buffer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(email_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
