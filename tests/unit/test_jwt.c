/*
 * test_jwt.c -- tokens: known vectors, tampering, algorithm pinning,
 * expiry and missing claims.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "userapi/jwt.h"
#include "security-private.h"

#define SECRET "userapi-test-secret-0123456789abcdef"
#define NOW 1800000000 /* between the vectors' iat and exp */

/*
 * Made by an independent encoder (Python's hmac, hashlib and json, whose
 * output has spaces and another key order) over sub "42", iat
 * 1700000000, exp 4102444800, with SECRET.
 */
static const char *const foreign[] = {
	"eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzI1NiJ9."
	"eyJzdWIiOiAiNDIiLCAiaWF0IjogMTcwMDAwMDAwMCwgImV4cCI6IDQxMDI0NDQ4MDB9."
	"L3_Tye-EYctKbsAvKgpttNiH6u3jm0GrI4vypLDapkk",
	"eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzM4NCJ9."
	"eyJzdWIiOiAiNDIiLCAiaWF0IjogMTcwMDAwMDAwMCwgImV4cCI6IDQxMDI0NDQ4MDB9."
	"ictUAEqb9MqwoNL_5m557WVB89r7CZsA-aL0nEJ0CJM4DoD56aXba8vGgQuk6ViV",
	"eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJIUzUxMiJ9."
	"eyJzdWIiOiAiNDIiLCAiaWF0IjogMTcwMDAwMDAwMCwgImV4cCI6IDQxMDI0NDQ4MDB9."
	"___1ihKeQ_gD748mHb2nLXQ68D6yFdh7YJv7qRaIW88W-BlkxrZf_9KtuoA2G-ZxJezEn2"
	"gBZZ-IIsKKZHpqRA",
};

static enum ua_err
verify(enum ua_jwt_alg alg, const char *tok, int64_t now,
    struct ua_jwt_claims *c)
{
	return ua_jwt_verify(alg, SECRET, strlen(SECRET), tok, now, c);
}

/* Sign "c" with SECRET under "alg"; caller frees. */
static char *
sign(enum ua_jwt_alg alg, int64_t sub, int64_t iat, int64_t exp)
{
	struct ua_jwt_claims c = { sub, iat, exp, 3, "", "" };

	return ua_jwt_sign(alg, SECRET, strlen(SECRET), &c);
}

START_TEST(rfc7515_a1_signature_verifies)
{
	static const char tok[] =
	    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
	    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
	    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
	static const char k64[] =
	    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0i"
	    "PS4hcgUuTwjAzZr1Z9CAow";
	unsigned char	   *key;
	size_t		    keylen;
	struct json_object *pl, *iss;

	ck_assert(ua_b64url_decode(k64, strlen(k64), &key, &keylen));
	ck_assert_uint_eq(keylen, 64);
	ck_assert_int_eq(ua_jws_verify(UA_JWT_HS256, (const char *)key, keylen,
			     tok, &pl),
	    UA_OK);
	ck_assert(json_object_object_get_ex(pl, "iss", &iss));
	ck_assert_str_eq(json_object_get_string(iss), "joe");
	json_object_put(pl);
	/* One key byte off and the same token fails. */
	key[0] ^= 1;
	ck_assert_int_eq(ua_jws_verify(UA_JWT_HS256, (const char *)key, keylen,
			     tok, &pl),
	    UA_ERR_BAD_TOKEN);
	ck_assert_ptr_null(pl);
	free(key);
}
END_TEST

START_TEST(independent_encoder_tokens_accepted)
{
	static const enum ua_jwt_alg algs[] = {
		UA_JWT_HS256,
		UA_JWT_HS384,
		UA_JWT_HS512,
	};
	struct ua_jwt_claims c;
	size_t		     i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(verify(algs[i], foreign[i], NOW, &c), UA_OK);
		ck_assert_int_eq(c.sub, 42);
		ck_assert_int_eq(c.iat, 1700000000);
		ck_assert_int_eq(c.exp, 4102444800LL);
		ck_assert_int_eq(c.ver, 0); /* absent */
	}
}
END_TEST

START_TEST(round_trip_every_algorithm)
{
	struct ua_jwt_claims c;
	char		    *tok;
	int		     a;

	for (a = 0; a < UA_JWT__MAX; a++) {
		tok = sign((enum ua_jwt_alg)a, 7, NOW, NOW + 1800);
		ck_assert_int_eq(verify((enum ua_jwt_alg)a, tok, NOW, &c),
		    UA_OK);
		ck_assert_int_eq(c.sub, 7);
		ck_assert_int_eq(c.exp, NOW + 1800);
		ck_assert_int_eq(c.ver, 3);
		free(tok);
	}
}
END_TEST

/* Part "i" (0: header, 1: claims) of "tok", decoded; caller frees. */
static char *
part(const char *tok, int i)
{
	const char    *from = tok, *to;
	unsigned char *raw, *txt;
	size_t	       n;

	while (i-- > 0)
		from = strchr(from, '.') + 1;
	to = strchr(from, '.');
	ck_assert(ua_b64url_decode(from, (size_t)(to - from), &raw, &n));
	txt = realloc(raw, n + 1);
	ck_assert_ptr_nonnull(txt);
	txt[n] = '\0';
	return (char *)txt;
}

/* Signed tokens are exactly in the shape verification reads directly. */
START_TEST(signed_tokens_have_the_own_shape)
{
	char *tok = sign(UA_JWT_HS384, 7, NOW, NOW + 1800), *h, *c;

	h = part(tok, 0);
	c = part(tok, 1);
	ck_assert_str_eq(h, "{\"alg\":\"HS384\",\"typ\":\"JWT\"}");
	ck_assert_str_eq(c,
	    "{\"sub\":\"7\",\"iat\":1800000000,"
	    "\"exp\":1800001800,\"ver\":3}");
	free(h);
	free(c);
	free(tok);
}
END_TEST

START_TEST(tampered_signature_refused)
{
	struct ua_jwt_claims c;
	char		    *tok = sign(UA_JWT_HS256, 7, NOW, NOW + 60);
	size_t		     n = strlen(tok);

	tok[n - 2] = tok[n - 2] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(c.sub, 0);
	tok[n - 1] = '\0'; /* truncated */
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	free(tok);
}
END_TEST

START_TEST(tampered_claims_refused)
{
	struct ua_jwt_claims c;
	char		    *tok = sign(UA_JWT_HS256, 7, NOW, NOW + 60);
	char		    *other = sign(UA_JWT_HS256, 1, NOW, NOW + 60);
	char		    *mix;
	const char	    *d1 = strchr(tok, '.'), *o1 = strchr(other, '.');
	const char	    *o2 = strchr(o1 + 1, '.');

	/* tok's header and signature around other's claims. */
	ck_assert_int_ge(asprintf(&mix, "%.*s%.*s%s", (int)(d1 - tok), tok,
			     (int)(o2 - o1), o1, strchr(d1 + 1, '.')),
	    0);
	ck_assert_int_eq(verify(UA_JWT_HS256, mix, NOW, &c), UA_ERR_BAD_TOKEN);
	free(mix);
	free(tok);
	free(other);
}
END_TEST

START_TEST(wrong_secret_refused)
{
	struct ua_jwt_claims c;
	const char	    *s2 = "another-secret-0123456789abcdef0123";

	ck_assert_int_eq(ua_jwt_verify(UA_JWT_HS256, s2, strlen(s2), foreign[0],
			     NOW, &c),
	    UA_ERR_BAD_TOKEN);
}
END_TEST

START_TEST(alg_none_refused)
{
	struct ua_jwt_claims c;
	static const char    none[] =
	    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
	    "eyJzdWIiOiAiNDIiLCAiaWF0IjogMTcwMDAwMDAwMCwgImV4cCI6IDQxMDI0NDQ4MDB9.";

	ck_assert_int_eq(verify(UA_JWT_HS256, none, NOW, &c), UA_ERR_BAD_TOKEN);
}
END_TEST

START_TEST(other_algorithm_refused)
{
	struct ua_jwt_claims c;

	/* A valid HS384 token is refused where HS256 is configured. */
	ck_assert_int_eq(verify(UA_JWT_HS256, foreign[1], NOW, &c),
	    UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(verify(UA_JWT_HS512, foreign[0], NOW, &c),
	    UA_ERR_BAD_TOKEN);
}
END_TEST

START_TEST(expired_refused)
{
	struct ua_jwt_claims c;
	char		    *tok = sign(UA_JWT_HS256, 7, NOW - 100, NOW);

	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW - 1, &c), UA_OK);
	free(tok);
}
END_TEST

START_TEST(issued_in_the_future_refused)
{
	struct ua_jwt_claims c;
	char *tok = sign(UA_JWT_HS256, 7, NOW + 3600, NOW + 7200);

	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	free(tok);
}
END_TEST

/* Sign an arbitrary header and claims with SECRET under HS256. */
static char *
sign_with(const char *header_json, const char *claims_json)
{
	char	     *h = ua_b64url_encode((const unsigned char *)header_json,
		    strlen(header_json));
	char	     *p = ua_b64url_encode((const unsigned char *)claims_json,
		    strlen(claims_json));
	char	     *tok, *si;
	unsigned char mac[32];
	unsigned int  n;
	char	     *s64;

	ck_assert_int_ge(asprintf(&si, "%s.%s", h, p), 0);
	HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (unsigned char *)si,
	    strlen(si), mac, &n);
	s64 = ua_b64url_encode(mac, n);
	ck_assert_int_ge(asprintf(&tok, "%s.%s", si, s64), 0);
	free(h);
	free(p);
	free(si);
	free(s64);
	return tok;
}

/* The same with a minimal header of another issuer. */
static char *
sign_raw(const char *claims_json)
{
	return sign_with("{\"alg\":\"HS256\"}", claims_json);
}

/* Claims of sub "42", iat 1700000000, in the shape ua_jwt_sign() writes. */
#define OWN(rest) "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":" rest

/*
 * Tokens in exactly the shape ua_jwt_sign() writes are read without the
 * JSON parser; their values are held to the same rules, and anything
 * beyond that shape is left to the parser.
 */
START_TEST(own_shape_claims_checked_as_strictly)
{
	static const char own_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	static const char *const bad[] = {
		"{\"sub\":\"0\",\"iat\":1,\"exp\":4102444800,\"ver\":1}",
		"{\"sub\":\"\",\"iat\":1,\"exp\":4102444800,\"ver\":1}",
		OWN("4102444800,\"ver\":1}x"),
		OWN("4102444800.5,\"ver\":1}"),
		OWN("4102444800,\"ver\":1,\"ver\":\"1\"}"),
		OWN("1700000001,\"ver\":1}"),
		OWN("-,\"ver\":1}"),
		OWN("4102444800,\"ver\":}"),
	};
	struct ua_jwt_claims c;
	char		    *tok;
	size_t		     i;

	tok = sign_with(own_header,
	    "{\"sub\":\"42\",\"iat\":-5,\"exp\":4102444800,\"ver\":9}");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_int_eq(c.sub, 42);
	ck_assert_int_eq(c.iat, -5);
	ck_assert_int_eq(c.exp, 4102444800LL);
	ck_assert_int_eq(c.ver, 9);
	free(tok);
	/* Another order, spaces, one more claim: the parser's way. */
	tok = sign_with(own_header,
	    "{ \"ver\": 9, \"exp\": 4102444800,"
	    " \"iat\": -5, \"sub\": \"42\", \"jti\": \"x\" }");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_int_eq(c.sub, 42);
	ck_assert_int_eq(c.iat, -5);
	ck_assert_int_eq(c.ver, 9);
	free(tok);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tok = sign_with(own_header, bad[i]);
		ck_assert_msg(verify(UA_JWT_HS256, tok, NOW, &c) ==
			UA_ERR_BAD_TOKEN,
		    "accepted %s", bad[i]);
		ck_assert_int_eq(c.sub, 0);
		free(tok);
	}
	/* The header's shape is recognised only for the pinned algorithm. */
	tok = sign_with("{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
	    OWN("4102444800,\"ver\":1}"));
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	free(tok);
}
END_TEST

START_TEST(missing_or_mistyped_claims_refused)
{
	static const char *const bad[] = {
		"{\"iat\":1700000000,\"exp\":4102444800}",
		"{\"sub\":\"42\",\"iat\":null,\"exp\":4102444800}",
		"{\"sub\":\"42\",\"iat\":1700000000}",
		"{\"sub\":42,\"iat\":1700000000,\"exp\":4102444800}",
		"{\"sub\":\"abc\",\"iat\":1700000000,\"exp\":4102444800}",
		"{\"sub\":\"0\",\"iat\":1700000000,\"exp\":4102444800}",
		"{\"sub\":\"42\",\"iat\":\"1700000000\",\"exp\":4102444800}",
		"{\"sub\":\"42\",\"iat\":1700000000,\"exp\":4102444800.5}",
		"{\"sub\":\"42\",\"iat\":1700000000,\"exp\":4102444800,"
		"\"ver\":\"1\"}",
		"[\"sub\"]",
		"not json",
	};
	struct ua_jwt_claims c;
	char		    *tok;
	size_t		     i;

	tok =
	    sign_raw("{\"sub\":\"42\",\"iat\":1700000000,\"exp\":4102444800}");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	free(tok);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tok = sign_raw(bad[i]);
		ck_assert_msg(verify(UA_JWT_HS256, tok, NOW, &c) ==
			UA_ERR_BAD_TOKEN,
		    "accepted %s", bad[i]);
		free(tok);
	}
}
END_TEST

/*
 * The template's create_access_token signs {"sub", "exp"} with
 * python-jose, which writes no "iat": accepted, as python-jose does.
 */
START_TEST(token_without_iat_accepted)
{
	struct ua_jwt_claims c;
	char		    *tok;

	tok = sign_with("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    "{\"sub\":\"42\",\"exp\":4102444800}");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_int_eq(c.sub, 42);
	ck_assert_int_eq(c.iat, 0);
	ck_assert_int_eq(c.ver, 0);
	free(tok);
	/* Every other rule still holds: expired is expired. */
	tok = sign_with("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    "{\"sub\":\"42\",\"exp\":1700000000}");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	free(tok);
}
END_TEST

/*
 * A token cut inside a surrogate pair leaves nothing behind for the next
 * token the worker reads (json-c's tokener reset keeps half a pair).
 */
START_TEST(half_surrogate_does_not_reach_the_next_token)
{
	struct ua_jwt_claims c;
	char		    *tok;

	tok = sign_raw("{\"sub\":\"\\ud834");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	free(tok);
	tok = sign_raw("{\"sub\":\"4\\u0032\",\"exp\":4102444800}");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_int_eq(c.sub, 42);
	free(tok);
}
END_TEST

/* "42\u0000" is no user id, though C would read "42" from it. */
START_TEST(sub_with_nul_refused)
{
	struct ua_jwt_claims c;
	char		    *tok;

	tok = sign_raw("{\"sub\":\"42\\u0000\",\"exp\":4102444800}");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_ERR_BAD_TOKEN);
	free(tok);
}
END_TEST

START_TEST(malformed_tokens_refused)
{
	static const char *const bad[] = {
		"",
		".",
		"..",
		"...",
		"a.b",
		"a.b.c.d",
		"abc",
		"eyJhbGciOiJIUzI1NiJ9.e30.",
		"!!!.###.$$$",
		"eyJhbGciOiJIUzI1NiJ9==.e30.AAAA",
	};
	struct ua_jwt_claims c;
	size_t		     i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(verify(UA_JWT_HS256, bad[i], NOW, &c) ==
			UA_ERR_BAD_TOKEN,
		    "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(verify(UA_JWT_HS256, NULL, NOW, &c), UA_ERR_BAD_TOKEN);
}
END_TEST

START_TEST(base64url_round_trip)
{
	unsigned char raw[256], *back;
	size_t	      n, i, len;
	char	     *enc;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)i;
	for (len = 0; len < 8; len++) {
		enc = ua_b64url_encode(raw + 250 - len, len);
		ck_assert_ptr_null(strpbrk(enc, "+/="));
		ck_assert(ua_b64url_decode(enc, strlen(enc), &back, &n));
		ck_assert_uint_eq(n, len);
		ck_assert(memcmp(back, raw + 250 - len, len) == 0);
		free(back);
		free(enc);
	}
	ck_assert(!ua_b64url_decode("A", 1, &back, &n));
	ck_assert(!ua_b64url_decode("AA==", 4, &back, &n));
	ck_assert(!ua_b64url_decode("a+b/", 4, &back, &n));
}
END_TEST

/* --- the "sid" claim -------------------------------------------------- */

#define SID "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"

/* A token of ours naming session SID, in the own shape, read back. */
START_TEST(sid_round_trips_through_the_fast_path)
{
	struct ua_jwt_claims c = { 7, NOW, NOW + 1800, 3, SID, "" };
	struct ua_jwt_claims got;
	char		    *tok, *claims;
	int		     a;

	for (a = 0; a < UA_JWT__MAX; a++) {
		tok =
		    ua_jwt_sign((enum ua_jwt_alg)a, SECRET, strlen(SECRET), &c);
		claims = part(tok, 1);
		/* Exactly the shape own_claims() reads without the parser. */
		ck_assert_str_eq(claims,
		    "{\"sub\":\"7\",\"iat\":1800000000,"
		    "\"exp\":1800001800,\"ver\":3,\"sid\":\"" SID "\"}");
		free(claims);
		ck_assert_int_eq(verify((enum ua_jwt_alg)a, tok, NOW, &got),
		    UA_OK);
		ck_assert_int_eq(got.sub, 7);
		ck_assert_int_eq(got.ver, 3);
		ck_assert_str_eq(got.sid, SID);
		free(tok);
	}
}
END_TEST

/*
 * A token id ("jti") after the sid, in the own shape: read back, and
 * two tokens of the same claims in the same second differ by it.
 */
#define JTI "AAECAwQFBgcICQoLDA0ODw"
START_TEST(jti_round_trips_through_the_fast_path)
{
	struct ua_jwt_claims c = { 7, NOW, NOW + 1800, 3, SID, JTI };
	struct ua_jwt_claims got;
	char		    *tok, *other, *claims;

	tok = ua_jwt_sign(UA_JWT_HS256, SECRET, strlen(SECRET), &c);
	claims = part(tok, 1);
	ck_assert_str_eq(claims,
	    "{\"sub\":\"7\",\"iat\":1800000000,\"exp\":1800001800,"
	    "\"ver\":3,\"sid\":\"" SID "\",\"jti\":\"" JTI "\"}");
	free(claims);
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &got), UA_OK);
	ck_assert_str_eq(got.sid, SID);
	ck_assert_str_eq(got.jti, JTI);
	c.jti[0] = 'B';
	other = ua_jwt_sign(UA_JWT_HS256, SECRET, strlen(SECRET), &c);
	ck_assert_str_ne(tok, other);
	free(other);
	free(tok);
}
END_TEST

/* No "sid", from us or from another signer: "". */
START_TEST(no_sid_is_empty)
{
	struct ua_jwt_claims c;
	char		    *tok;

	tok = sign(UA_JWT_HS256, 7, NOW, NOW + 1800);
	memset(&c, 'x', sizeof(c));
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_str_eq(c.sid, "");
	free(tok);
	memset(&c, 'x', sizeof(c));
	ck_assert_int_eq(verify(UA_JWT_HS256, foreign[0], NOW, &c), UA_OK);
	ck_assert_str_eq(c.sid, "");
	tok = sign_raw("{\"sub\":\"42\",\"exp\":4102444800}");
	memset(&c, 'x', sizeof(c));
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_str_eq(c.sid, "");
	free(tok);
}
END_TEST

/*
 * Another signer's "sid" is read through the parser: a session id as
 * this API writes them is accepted, anything else refuses the token.
 */
START_TEST(foreign_sid_must_be_a_session_id)
{
	static const char *const bad[] = {
		"\"6F1C2D3E-4B5A-4C6D-8E7F-0A1B2C3D4E5F\"", /* upper case */
		"\"6f1c2d3e4b5a4c6d8e7f0a1b2c3d4e5f\"",	    /* no dashes */
		"\"{6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f}\"",
		"\"6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5\"",   /* 35 */
		"\"6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f0\"", /* 37 */
		"\"6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5g\"",
		"\"6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f\\u0000\"",
		"\"\"",
		"\"1\"",
		"42",
		"null",
		"true",
		"[\"" SID "\"]",
		"{\"id\":\"" SID "\"}",
	};
	struct ua_jwt_claims c;
	char		     claims[256];
	char		    *tok;
	size_t		     i;

	/* Another key order and spaces: the parser reads it, as ours. */
	tok = sign_raw("{ \"sid\": \"" SID "\", \"sub\": \"42\","
		       " \"exp\": 4102444800 }");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_int_eq(c.sub, 42);
	ck_assert_str_eq(c.sid, SID);
	free(tok);
	/* An escaped character is the same string once decoded. */
	tok =
	    sign_raw("{\"sub\":\"42\",\"exp\":4102444800,"
		     "\"sid\":\"\\u0036f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f\"}");
	ck_assert_int_eq(verify(UA_JWT_HS256, tok, NOW, &c), UA_OK);
	ck_assert_str_eq(c.sid, SID);
	free(tok);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(claims, sizeof(claims),
		    "{\"sub\":\"42\",\"exp\":4102444800,\"sid\":%s}", bad[i]);
		tok = sign_raw(claims);
		ck_assert_msg(verify(UA_JWT_HS256, tok, NOW, &c) ==
			UA_ERR_BAD_TOKEN,
		    "accepted sid %s", bad[i]);
		ck_assert_int_eq(c.sub, 0);
		ck_assert_str_eq(c.sid, "");
		free(tok);
		/* In our own shape, past the fast path, just the same. */
		snprintf(claims, sizeof(claims),
		    OWN("4102444800,\"ver\":1,\"sid\":%s}"), bad[i]);
		tok = sign_with("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims);
		ck_assert_msg(verify(UA_JWT_HS256, tok, NOW, &c) ==
			UA_ERR_BAD_TOKEN,
		    "accepted own-shape sid %s", bad[i]);
		free(tok);
	}
}
END_TEST

static Suite *
jwt_suite(void)
{
	Suite *s = suite_create("jwt");
	TCase *tc;

	tc = tcase_create("vectors");
	tcase_add_test(tc, rfc7515_a1_signature_verifies);
	tcase_add_test(tc, independent_encoder_tokens_accepted);
	tcase_add_test(tc, round_trip_every_algorithm);
	tcase_add_test(tc, signed_tokens_have_the_own_shape);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_jwt_verify");
	tcase_add_test(tc, tampered_signature_refused);
	tcase_add_test(tc, tampered_claims_refused);
	tcase_add_test(tc, wrong_secret_refused);
	tcase_add_test(tc, alg_none_refused);
	tcase_add_test(tc, other_algorithm_refused);
	tcase_add_test(tc, expired_refused);
	tcase_add_test(tc, issued_in_the_future_refused);
	tcase_add_test(tc, missing_or_mistyped_claims_refused);
	tcase_add_test(tc, token_without_iat_accepted);
	tcase_add_test(tc, half_surrogate_does_not_reach_the_next_token);
	tcase_add_test(tc, sub_with_nul_refused);
	tcase_add_test(tc, own_shape_claims_checked_as_strictly);
	tcase_add_test(tc, malformed_tokens_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("base64url");
	tcase_add_test(tc, base64url_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("sid");
	tcase_add_test(tc, sid_round_trips_through_the_fast_path);
	tcase_add_test(tc, jti_round_trips_through_the_fast_path);
	tcase_add_test(tc, no_sid_is_empty);
	tcase_add_test(tc, foreign_sid_must_be_a_session_id);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(jwt_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
