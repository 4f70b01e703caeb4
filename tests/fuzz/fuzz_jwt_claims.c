/*
 * fuzz_jwt_claims.c -- the claims of a correctly signed token, from
 * arbitrary bytes: ua_jwt_verify() (which reads userapi's own token
 * shape without the JSON parser) must accept exactly what the rules say
 * of the payload as json-c parses it, with the same values, "sid"
 * included ("jti" is never checked: it only makes tokens differ).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "userapi/jwt.h"
#include "userapi/numparse.h"
#include "security-private.h"

#define NOW 1800000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char secret[] = "fuzz-secret-0123456789abcdef012345";

/* header.payload.signature over "payload", signed with "secret". */
static char *
signed_token(const uint8_t *payload, size_t size)
{
	static const char hdr[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	unsigned char	  mac[EVP_MAX_MD_SIZE];
	unsigned int	  maclen = 0;
	char  *h = ua_b64url_encode((const unsigned char *)hdr, strlen(hdr));
	char  *p = ua_b64url_encode(payload, size);
	char  *s, *tok;
	size_t n = strlen(h) + strlen(p) + 2;

	tok = malloc(n + 2 * EVP_MAX_MD_SIZE);
	if (tok == NULL)
		abort();
	strcpy(tok, h);
	strcat(tok, ".");
	strcat(tok, p);
	HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)tok, strlen(tok), mac, &maclen);
	s = ua_b64url_encode(mac, maclen);
	strcat(tok, ".");
	strcat(tok, s);
	free(h);
	free(p);
	free(s);
	return tok;
}

static int
int_claim(struct json_object *o, const char *k, int64_t *v)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, k, &x) ||
	    !json_object_is_type(x, json_type_int))
		return 0;
	*v = json_object_get_int64(x);
	return 1;
}

/*
 * "sid": absent (""), or a string that is a session id as userapi
 * writes them (a lower-case UUID), with no NUL inside.
 */
static int
sid_claim(struct json_object *o, char sid[UA_SESSION_ID_LEN + 1])
{
	struct json_object *x;

	sid[0] = '\0';
	if (!json_object_object_get_ex(o, "sid", &x))
		return 1;
	if (!json_object_is_type(x, json_type_string) ||
	    json_object_get_string_len(x) != UA_SESSION_ID_LEN ||
	    !ua_session_id_valid(json_object_get_string(x)))
		return 0;
	memcpy(sid, json_object_get_string(x), UA_SESSION_ID_LEN + 1);
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_jwt_claims got, want;
	struct json_object  *pl = NULL, *v;
	char		    *tok;
	int		     ok_got, ok_want;

	if (size > 4096)
		return 0;
	tok = signed_token(data, size);
	ok_got = ua_jwt_verify(UA_JWT_HS256, secret, strlen(secret), tok, NOW,
		     &got) == UA_OK;

	/* The rules, on json-c's reading of the same payload. */
	memset(&want, 0, sizeof(want));
	ok_want = ua_jws_verify(UA_JWT_HS256, secret, strlen(secret), tok,
		      &pl) == UA_OK &&
	    json_object_object_get_ex(pl, "sub", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strlen(json_object_get_string(v)) ==
		(size_t)json_object_get_string_len(v) &&
	    ua_parse_int64_range(json_object_get_string(v), 1, INT64_MAX,
		&want.sub) &&
	    int_claim(pl, "exp", &want.exp) &&
	    (!json_object_object_get_ex(pl, "iat", NULL) ||
		int_claim(pl, "iat", &want.iat)) &&
	    (!json_object_object_get_ex(pl, "ver", NULL) ||
		int_claim(pl, "ver", &want.ver)) &&
	    sid_claim(pl, want.sid) && want.exp > NOW && want.iat <= NOW + 60;
	if (ok_got != ok_want)
		abort();
	if (ok_got &&
	    (got.sub != want.sub || got.iat != want.iat ||
		got.exp != want.exp || got.ver != want.ver ||
		strcmp(got.sid, want.sid) != 0))
		abort();
	json_object_put(pl);
	free(tok);
	return 0;
}
