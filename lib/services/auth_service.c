/*
 * auth_service.c -- login, the bearer check, password changes.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/jwt.h"
#include "userapi/log.h"
#include "userapi/password.h"
#include "userapi/services.h"

/* Throttling is per address as the user typed it, whatever its case. */
static void
lower_copy(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* After a good password: move an old or cheaper hash to the settings'. */
static void
maybe_rehash(const struct ua_services *svc, const struct ua_user *u,
    const char *hash, const char *password)
{
	const struct ua_settings *s = svc->settings;
	char			  fresh[UA_PASSWORD_HASH_MAX];

	if (!ua_password_needs_rehash(s->password_hash, s->bcrypt_cost, hash))
		return;
	if (ua_password_hash(s->password_hash, s->bcrypt_cost, password,
		fresh) != UA_OK)
		return;
	/*
	 * Best effort: the login succeeds whether or not this lands.  Only
	 * over the hash just verified: a password change that committed
	 * meanwhile must not be undone by the old password's new hash.
	 */
	if (svc->users.ops->set_password(svc->users.arg, u->id, fresh, hash,
		false) == UA_OK)
		ua_log_info("password hash of user %lld upgraded to %s",
		    (long long)u->id, ua_pw_scheme_name(s->password_hash));
	ua_secure_zero(fresh, sizeof(fresh));
}

/*
 * Start an attempt at the password of "email" from "client": counted
 * as a failure from here on, unless finished as a success.  UA_OK,
 * UA_ERR_TOO_MANY with "*retry_after" seconds, or a database error.
 */
static enum ua_err
attempt_begin(const struct ua_services *svc, const char *email,
    const char *client, int64_t *attempt, int *retry_after)
{
	const struct ua_settings *s = svc->settings;
	char			  key[UA_LOGIN_ID_MAX + 1];

	lower_copy(key, sizeof(key), email);
	return svc->logins.ops->reserve(svc->logins.arg, key, client,
	    s->login_window_seconds, s->login_max_failures, attempt,
	    retry_after);
}

enum attempt_outcome {
	ATTEMPT_SUCCEEDED, /* forget the failures of email and client */
	ATTEMPT_UNDECIDED  /* no password was judged: not a failure */
};

/*
 * Finish an attempt that did not fail (a failure needs nothing: it was
 * counted when it began).  Best effort: the answer stands either way.
 */
static void
attempt_end(const struct ua_services *svc, const char *email,
    const char *client, int64_t attempt, enum attempt_outcome outcome)
{
	char key[UA_LOGIN_ID_MAX + 1];

	if (outcome == ATTEMPT_UNDECIDED) {
		(void)svc->logins.ops->release(svc->logins.arg, attempt);
		return;
	}
	lower_copy(key, sizeof(key), email);
	(void)svc->logins.ops->clear(svc->logins.arg, key, client);
}

enum ua_err
ua_auth_login(const struct ua_services *svc, const char *email,
    const char *password, const struct ua_client_info *client,
    struct ua_token_pair *pair, int *retry_after)
{
	const struct ua_settings *s = svc->settings;
	struct ua_user		  u;
	struct ua_credentials	  cred;
	int64_t			  attempt, ver;
	enum ua_err		  er;
	bool			  ok;

	memset(pair, 0, sizeof(*pair));
	*retry_after = 0;
	if ((er = attempt_begin(svc, email, client->address, &attempt,
		 retry_after)) != UA_OK)
		return er;

	memset(&cred, 0, sizeof(cred));
	er = svc->users.ops->get_by_email(svc->users.arg, email, &u, &cred);
	if (er != UA_OK && er != UA_ERR_NOT_FOUND) {
		attempt_end(svc, email, client->address, attempt,
		    ATTEMPT_UNDECIDED);
		return er;
	}
	/*
	 * An unknown email is checked against a dummy hash of the same
	 * scheme and cost, so both failures take the same time.
	 */
	ok = ua_password_verify(password,
		 er == UA_OK ? cred.hash :
			       ua_password_dummy_hash(s->password_hash,
				   s->bcrypt_cost)) &&
	    er == UA_OK;
	if (!ok) {
		ua_secure_zero(&cred, sizeof(cred));
		return UA_ERR_LOGIN_FAILED; /* counted when it began */
	}

	attempt_end(svc, email, client->address, attempt, ATTEMPT_SUCCEEDED);
	maybe_rehash(svc, &u, cred.hash, password);
	ver = cred.token_version;
	ua_secure_zero(&cred, sizeof(cred));
	return ua_session_start(svc, u.id, ver, client, pair);
}

enum ua_err
ua_auth_verify_token(const struct ua_services *svc, const char *token,
    struct ua_jwt_claims *claims)
{
	const struct ua_settings *s = svc->settings;

	if (ua_jwt_verify(s->jwt_algorithm, s->jwt_secret, s->jwt_secret_len,
		token, svc->now(), claims) != UA_OK)
		return UA_ERR_BAD_TOKEN;
	return UA_OK;
}

enum ua_err
ua_auth_current_user(const struct ua_services *svc, int64_t sub, int64_t ver,
    const char *sid, struct ua_user *caller, int64_t target_id,
    struct ua_user *target, bool *target_found)
{
	struct ua_credentials cred;
	enum ua_err	      er;

	er = svc->users.ops->get_caller_and_target(svc->users.arg, sub, sid,
	    caller, &cred, target_id, target, target_found);
	return ua_auth_check_caller(er, &cred, ver, sid);
}

enum ua_err
ua_auth_check_caller(enum ua_err found, struct ua_credentials *cred,
    int64_t ver, const char *sid)
{
	ua_secure_zero(cred->hash, sizeof(cred->hash));
	if (found == UA_ERR_NOT_FOUND)
		return UA_ERR_BAD_TOKEN; /* the user is gone */
	if (found != UA_OK)
		return found;
	/* A password change bumps the version: older tokens are dead. */
	if (cred->token_version != ver)
		return UA_ERR_BAD_TOKEN;
	/* A token of a session that ended (or expired) is dead at once. */
	if (sid != NULL && sid[0] != '\0' && !cred->session_live)
		return UA_ERR_BAD_TOKEN;
	return UA_OK;
}

enum ua_err
ua_auth_change_password(const struct ua_services *svc,
    const struct ua_user *caller, const struct ua_password_change *in,
    const char *client, int *retry_after)
{
	const struct ua_settings *s = svc->settings;
	struct ua_user		  me, none;
	struct ua_credentials	  cred;
	char			  hash[UA_PASSWORD_HASH_MAX];
	int64_t			  attempt;
	enum ua_err		  er;
	bool			  found;

	*retry_after = 0;
	/* A wrong current password counts as a failed login of the user. */
	if ((er = attempt_begin(svc, caller->email, client, &attempt,
		 retry_after)) != UA_OK)
		return er;
	er = svc->users.ops->get_caller_and_target(svc->users.arg, caller->id,
	    NULL, &me, &cred, 0, &none, &found);
	if (er != UA_OK) {
		attempt_end(svc, caller->email, client, attempt,
		    ATTEMPT_UNDECIDED);
		return er == UA_ERR_NOT_FOUND ? UA_ERR_BAD_TOKEN : er;
	}
	if (!ua_password_verify(in->current_password, cred.hash)) {
		ua_secure_zero(&cred, sizeof(cred));
		return UA_ERR_BAD_PASSWORD; /* counted when it began */
	}
	ua_secure_zero(&cred, sizeof(cred));
	attempt_end(svc, caller->email, client, attempt, ATTEMPT_SUCCEEDED);
	if ((er = ua_password_hash(s->password_hash, s->bcrypt_cost,
		 in->new_password, hash)) != UA_OK)
		return er;
	er = svc->users.ops->set_password(svc->users.arg, caller->id, hash,
	    NULL, true);
	ua_secure_zero(hash, sizeof(hash));
	return er;
}

enum ua_err
ua_auth_prune_failures(const struct ua_services *svc, int64_t *deleted)
{
	return svc->logins.ops->prune(svc->logins.arg,
	    svc->settings->login_window_seconds, deleted);
}
