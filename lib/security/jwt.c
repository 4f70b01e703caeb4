/*
 * jwt.c -- HS256/384/512 JSON Web Tokens with OpenSSL HMAC.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "userapi/alloc.h"
#include "userapi/jwt.h"
#include "userapi/log.h"
#include "userapi/numparse.h"
#include "security-private.h"

/* Clock skew tolerated for "iat" from another issuer. */
#define IAT_LEEWAY_S 60
/* Nesting allowed in a token's header or claims. */
#define JSON_DEPTH 4

/* OpenSSL's name of the digest of "alg", or NULL. */
static const char *
alg_digest(enum ua_jwt_alg alg)
{
	switch (alg) {
	case UA_JWT_HS256:
		return "SHA256";
	case UA_JWT_HS384:
		return "SHA384";
	case UA_JWT_HS512:
		return "SHA512";
	case UA_JWT__MAX:
		break;
	}
	return NULL;
}

/*
 * An HMAC context keyed once per algorithm and secret.  OpenSSL 3's
 * one-shot HMAC() looks the algorithm up in its providers and sets the
 * key on every call, about half the cost of checking a token; a kept
 * context only starts over (EVP_MAC_init() with no key keeps the key).
 */
struct hmac_ctx {
	EVP_MAC_CTX   *ctx;
	unsigned char *key; /* what "ctx" is keyed with */
	size_t	       keylen;
};

static void
hmac_forget(struct hmac_ctx *h)
{
	EVP_MAC_CTX_free(h->ctx);
	if (h->key != NULL)
		ua_secure_zero(h->key, h->keylen);
	free(h->key);
	memset(h, 0, sizeof(*h));
}

/* "h" keyed with "key" and ready for data; false on failure. */
static bool
hmac_start(struct hmac_ctx *h, enum ua_jwt_alg alg, const char *key,
    size_t keylen)
{
	static EVP_MAC *algo;
	OSSL_PARAM	params[2];
	char		digest[16]; /* OSSL_PARAM wants it writable */

	/* The key is our own setting, not input: memcmp() is fine. */
	if (h->ctx != NULL && h->keylen == keylen &&
	    memcmp(h->key, key, keylen) == 0)
		return EVP_MAC_init(h->ctx, NULL, 0, NULL) == 1;
	hmac_forget(h);
	if (algo == NULL && (algo = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return false;
	if ((h->ctx = EVP_MAC_CTX_new(algo)) == NULL)
		return false;
	snprintf(digest, sizeof(digest), "%s", alg_digest(alg));
	params[0] =
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(h->ctx, (const unsigned char *)key, keylen, params) !=
	    1) {
		hmac_forget(h);
		return false;
	}
	h->key = ua_xmalloc(keylen > 0 ? keylen : 1);
	memcpy(h->key, key, keylen);
	h->keylen = keylen;
	return true;
}

/* HMAC of "data" into "mac" (EVP_MAX_MD_SIZE); false on failure. */
static bool
hmac(enum ua_jwt_alg alg, const char *key, size_t keylen, const char *data,
    size_t len, unsigned char *mac, unsigned int *maclen)
{
	static struct hmac_ctx ctxs[UA_JWT__MAX];
	size_t		       outlen = 0;

	ERR_clear_error();
	if (alg_digest(alg) == NULL ||
	    !hmac_start(&ctxs[alg], alg, key, keylen) ||
	    EVP_MAC_update(ctxs[alg].ctx, (const unsigned char *)data, len) !=
		1 ||
	    EVP_MAC_final(ctxs[alg].ctx, mac, &outlen, EVP_MAX_MD_SIZE) != 1) {
		ua_log_err("jwt: HMAC failed: %s",
		    ERR_reason_error_string(ERR_get_error()));
		return false;
	}
	*maclen = (unsigned int)outlen;
	return true;
}

/*
 * The header and claims exactly as userapi writes them.  Verification
 * recognises these shapes without the JSON parser (header_ok(),
 * own_claims()); any other shape goes through it.
 */
static const char *const own_headers[UA_JWT__MAX] = {
	[UA_JWT_HS256] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	[UA_JWT_HS384] = "{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
	[UA_JWT_HS512] = "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
};
#define OWN_CLAIMS_FMT \
	"{\"sub\":\"%lld\",\"iat\":%lld,\"exp\":%lld,\"ver\":%lld%s%s%s}"
#define OWN_SID ",\"sid\":\""

char *
ua_jwt_sign(enum ua_jwt_alg alg, const char *secret, size_t secretlen,
    const struct ua_jwt_claims *c)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int  maclen = 0;
	char	     *claims, *h64, *p64, *s64, *signing, *tok;

	if ((unsigned)alg >= UA_JWT__MAX)
		abort(); /* the settings allow no other */
	if (c->sid[0] != '\0' && !ua_session_id_valid(c->sid))
		abort(); /* only ids the database made are signed */
	claims = ua_xasprintf(OWN_CLAIMS_FMT, (long long)c->sub,
	    (long long)c->iat, (long long)c->exp, (long long)c->ver,
	    c->sid[0] != '\0' ? OWN_SID : "", c->sid,
	    c->sid[0] != '\0' ? "\"" : "");
	h64 = ua_b64url_encode((const unsigned char *)own_headers[alg],
	    strlen(own_headers[alg]));
	p64 = ua_b64url_encode((const unsigned char *)claims, strlen(claims));
	free(claims);

	signing = ua_xasprintf("%s.%s", h64, p64);
	if (!hmac(alg, secret, secretlen, signing, strlen(signing), mac,
		&maclen))
		abort(); /* HMAC over memory cannot fail but for OOM */
	s64 = ua_b64url_encode(mac, maclen);
	tok = ua_xasprintf("%s.%s", signing, s64);
	ua_secure_zero(mac, sizeof(mac));
	free(h64);
	free(p64);
	free(s64);
	free(signing);
	return tok;
}

/*
 * Parse "raw" as a JSON object, or NULL.  A tokener of its own each
 * time: json_tokener_reset() keeps half a surrogate pair from the text
 * before, which would then change how the next token reads.  Tokens
 * userapi signed never come here (see own_claims()).
 */
static struct json_object *
parse_object(const unsigned char *raw, size_t rawlen)
{
	struct json_tokener *tok;
	struct json_object  *o;

	if (rawlen > INT32_MAX)
		return NULL;
	if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL)
		abort();
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, (const char *)raw, (int)rawlen);
	if (o != NULL &&
	    (json_tokener_get_error(tok) != json_tokener_success ||
		tok->char_offset != (int)rawlen ||
		!json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/*
 * Is the header part "s" acceptable for "alg": the pinned algorithm, no
 * "crit"?  The header ua_jwt_sign() writes is recognised as it is; any
 * other goes through the JSON parser.
 */
static bool
header_ok(enum ua_jwt_alg alg, const char *s, size_t len)
{
	const char	   *own = own_headers[alg];
	struct json_object *hdr, *v;
	unsigned char	   *raw;
	size_t		    rawlen;
	bool		    ok;

	if (!ua_b64url_decode(s, len, &raw, &rawlen))
		return false;
	if (rawlen == strlen(own) && memcmp(raw, own, rawlen) == 0) {
		free(raw);
		return true;
	}
	hdr = parse_object(raw, rawlen);
	free(raw);
	ok = hdr != NULL && json_object_object_get_ex(hdr, "alg", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), ua_jwt_alg_name(alg)) == 0 &&
	    !json_object_object_get_ex(hdr, "crit", NULL);
	json_object_put(hdr);
	return ok;
}

/* The text from "from" to "to" as an integer of at least "min". */
static bool
span_int64(const char *from, const char *to, int64_t min, int64_t *out)
{
	char   buf[UA_INT64_STRLEN];
	size_t n = (size_t)(to - from);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, from, n);
	buf[n] = '\0';
	return ua_parse_int64_range(buf, min, INT64_MAX, out);
}

/*
 * A JSON integer at "*p" as json-c reads one: -?(0|[1-9][0-9]*), no
 * fraction or exponent, within int64.  Advances "*p".
 */
static bool
own_int(const char **p, const char *end, int64_t *out)
{
	const char *q = *p;

	if (q < end && *q == '-')
		q++;
	if (q >= end || *q < '0' || *q > '9' ||
	    (*q == '0' && q + 1 < end && q[1] >= '0' && q[1] <= '9'))
		return false;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (!span_int64(*p, q, INT64_MIN, out))
		return false;
	*p = q;
	return true;
}

/* "lit" at "*p"; advances "*p". */
static bool
own_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/*
 * The claims in exactly the shape of OWN_CLAIMS_FMT.  Our own tokens take
 * this path and skip the JSON parser; a token in any other shape, valid
 * or not, is left to it (false).
 */
static bool
own_claims(const unsigned char *raw, size_t len, struct ua_jwt_claims *c)
{
	const char *p = (const char *)raw, *end = p + len, *sub;

	if (!own_lit(&p, end, "{\"sub\":\""))
		return false;
	for (sub = p; p < end && *p >= '0' && *p <= '9'; p++)
		continue;
	if (!(span_int64(sub, p, 1, &c->sub) &&
		own_lit(&p, end, "\",\"iat\":") && own_int(&p, end, &c->iat) &&
		own_lit(&p, end, ",\"exp\":") && own_int(&p, end, &c->exp) &&
		own_lit(&p, end, ",\"ver\":") && own_int(&p, end, &c->ver)))
		return false;
	if (own_lit(&p, end, OWN_SID)) {
		if ((size_t)(end - p) < UA_SESSION_ID_LEN + 1)
			return false;
		memcpy(c->sid, p, UA_SESSION_ID_LEN);
		c->sid[UA_SESSION_ID_LEN] = '\0';
		p += UA_SESSION_ID_LEN;
		if (!ua_session_id_valid(c->sid) || !own_lit(&p, end, "\""))
			return false;
	}
	return own_lit(&p, end, "}") && p == end;
}

/* An optional "sid" claim: absent, or a session id as this API writes. */
static bool
sid_claim(struct json_object *pl, char sid[UA_SESSION_ID_LEN + 1])
{
	struct json_object *v;

	if (!json_object_object_get_ex(pl, "sid", &v))
		return true;
	if (!json_object_is_type(v, json_type_string) ||
	    !ua_session_id_valid(json_object_get_string(v)) ||
	    json_object_get_string_len(v) != UA_SESSION_ID_LEN)
		return false;
	memcpy(sid, json_object_get_string(v), UA_SESSION_ID_LEN + 1);
	return true;
}

/* An integer claim (JSON integer, not a string or a float). */
static bool
int_claim(struct json_object *pl, const char *name, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(pl, name, &v) ||
	    !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/*
 * Check the header and signature of "token"; UA_OK: "*payload" is the
 * decoded payload part (caller frees).
 */
static enum ua_err
jws_payload(enum ua_jwt_alg alg, const char *secret, size_t secretlen,
    const char *token, unsigned char **payload, size_t *payloadlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE], *sig = NULL;
	unsigned int  maclen = 0;
	size_t	      siglen = 0, len;
	const char   *dot1, *dot2;
	enum ua_err   er = UA_ERR_BAD_TOKEN;

	*payload = NULL;
	*payloadlen = 0;
	if ((unsigned)alg >= UA_JWT__MAX || token == NULL ||
	    (len = strlen(token)) > UA_JWT_MAX_LEN ||
	    (dot1 = strchr(token, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL)
		return UA_ERR_BAD_TOKEN;

	/* The header first: only the pinned algorithm goes further. */
	if (!header_ok(alg, token, (size_t)(dot1 - token)))
		goto out;

	if (!ua_b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), &sig,
		&siglen) ||
	    !hmac(alg, secret, secretlen, token, (size_t)(dot2 - token), mac,
		&maclen) ||
	    siglen != maclen || CRYPTO_memcmp(sig, mac, maclen) != 0)
		goto out;

	if (!ua_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), payload,
		payloadlen))
		goto out;
	er = UA_OK;
out:
	ua_secure_zero(mac, sizeof(mac));
	free(sig);
	return er;
}

enum ua_err
ua_jws_verify(enum ua_jwt_alg alg, const char *secret, size_t secretlen,
    const char *token, struct json_object **payload)
{
	unsigned char *raw;
	size_t	       rawlen;

	*payload = NULL;
	if (jws_payload(alg, secret, secretlen, token, &raw, &rawlen) != UA_OK)
		return UA_ERR_BAD_TOKEN;
	*payload = parse_object(raw, rawlen);
	free(raw);
	return *payload != NULL ? UA_OK : UA_ERR_BAD_TOKEN;
}

/* The claims of a payload in any shape, through the JSON parser. */
static bool
parsed_claims(const unsigned char *raw, size_t rawlen,
    struct ua_jwt_claims *out)
{
	struct json_object *pl, *v;
	bool		    ok;

	if ((pl = parse_object(raw, rawlen)) == NULL)
		return false;
	ok = json_object_object_get_ex(pl, "sub", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    /* "42\u0000" would read as "42" from the C string. */
	    strlen(json_object_get_string(v)) ==
		(size_t)json_object_get_string_len(v) &&
	    ua_parse_int64_range(json_object_get_string(v), 1, INT64_MAX,
		&out->sub) &&
	    int_claim(pl, "exp", &out->exp) &&
	    /* python-jose, as the template uses it, writes no "iat". */
	    (!json_object_object_get_ex(pl, "iat", NULL) ||
		int_claim(pl, "iat", &out->iat)) &&
	    (!json_object_object_get_ex(pl, "ver", NULL) ||
		int_claim(pl, "ver", &out->ver)) &&
	    sid_claim(pl, out->sid);
	json_object_put(pl);
	return ok;
}

enum ua_err
ua_jwt_verify(enum ua_jwt_alg alg, const char *secret, size_t secretlen,
    const char *token, int64_t now, struct ua_jwt_claims *out)
{
	unsigned char *raw;
	size_t	       rawlen;
	bool	       ok;

	memset(out, 0, sizeof(*out));
	if (jws_payload(alg, secret, secretlen, token, &raw, &rawlen) != UA_OK)
		return UA_ERR_BAD_TOKEN;
	if (!(ok = own_claims(raw, rawlen, out))) {
		memset(out, 0, sizeof(*out));
		ok = parsed_claims(raw, rawlen, out);
	}
	free(raw);
	if (!ok || out->exp <= now || out->iat > now + IAT_LEEWAY_S) {
		memset(out, 0, sizeof(*out));
		return UA_ERR_BAD_TOKEN;
	}
	return UA_OK;
}
