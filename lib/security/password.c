/*
 * password.c -- libcrypt's bcrypt and yescrypt behind four calls.
 */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "userapi/alloc.h"
#include "userapi/log.h"
#include "userapi/password.h"

static const char *const prefixes[UA_PW__MAX] = {
	[UA_PW_BCRYPT] = "$2b$",
	[UA_PW_YESCRYPT] = "$y$",
};

enum ua_err
ua_password_hash_with(const char *setting, const char *pw,
    char out[UA_PASSWORD_HASH_MAX])
{
	struct crypt_data *cd;
	enum ua_err	   er = UA_ERR_INTERNAL;

	/* struct crypt_data is 32 KiB: keep it off the stack. */
	cd = ua_xcalloc(1, sizeof(*cd));
	if (crypt_rn(pw, setting, cd, sizeof(*cd)) == NULL ||
	    cd->output[0] == '*') {
		out[0] = '\0';
		goto out;
	}
	snprintf(out, UA_PASSWORD_HASH_MAX, "%s", cd->output);
	er = UA_OK;
out:
	ua_secure_zero(cd, sizeof(*cd));
	free(cd);
	return er;
}

enum ua_err
ua_password_hash(enum ua_pw_scheme scheme, int cost, const char *pw,
    char out[UA_PASSWORD_HASH_MAX])
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];

	if ((unsigned)scheme >= UA_PW__MAX)
		return UA_ERR_INTERNAL;
	/* NULL entropy: libcrypt draws the salt from the kernel. */
	if (crypt_gensalt_rn(prefixes[scheme],
		scheme == UA_PW_BCRYPT ? (unsigned long)cost : 0, NULL, 0,
		setting, sizeof(setting)) == NULL) {
		ua_log_err("password: cannot make a %s salt: %s",
		    ua_pw_scheme_name(scheme), strerror(errno));
		return UA_ERR_INTERNAL;
	}
	return ua_password_hash_with(setting, pw, out);
}

bool
ua_password_verify(const char *pw, const char *hash)
{
	char   got[UA_PASSWORD_HASH_MAX];
	size_t n = strlen(hash);
	bool   ok;

	if (n == 0 || n >= sizeof(got) ||
	    ua_password_hash_with(hash, pw, got) != UA_OK)
		return false;
	ok = strlen(got) == n && CRYPTO_memcmp(got, hash, n) == 0;
	ua_secure_zero(got, sizeof(got));
	return ok;
}

bool
ua_password_needs_rehash(enum ua_pw_scheme scheme, int cost, const char *hash)
{
	int have;

	if (strncmp(hash, prefixes[scheme], strlen(prefixes[scheme])) != 0)
		return true;
	if (scheme != UA_PW_BCRYPT)
		return false;
	/* "$2b$NN$": the cost is two digits. */
	if (strlen(hash) < 7 || hash[6] != '$' || hash[4] < '0' ||
	    hash[4] > '9' || hash[5] < '0' || hash[5] > '9')
		return true;
	have = (hash[4] - '0') * 10 + (hash[5] - '0');
	return have < cost;
}

const char *
ua_password_dummy_hash(enum ua_pw_scheme scheme, int cost)
{
	static char		 dummy[CRYPT_GENSALT_OUTPUT_SIZE];
	static enum ua_pw_scheme dscheme;
	static int		 dcost = -1;

	if (dcost == cost && dscheme == scheme && dummy[0] != '\0')
		return dummy;
	/*
	 * A bare setting ("$2b$12$" and a salt): verifying against it runs
	 * the full hash at that cost, and its output can never equal the
	 * setting, so no password matches.  Making it costs no hashing.
	 */
	if ((unsigned)scheme >= UA_PW__MAX ||
	    crypt_gensalt_rn(prefixes[scheme],
		scheme == UA_PW_BCRYPT ? (unsigned long)cost : 0, NULL, 0,
		dummy, sizeof(dummy)) == NULL)
		snprintf(dummy, sizeof(dummy), "%s", "*");
	dscheme = scheme;
	dcost = cost;
	return dummy;
}
