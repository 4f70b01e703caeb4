/*
 * session_service.c -- sessions: the token pair of a login, refresh
 * with rotation and reuse detection, logout, and a user's view of their
 * sessions (API.md "Sessions").
 *
 * A refresh tries, in order, the steps of the repository, each atomic
 * on its own: rotate (the token is a live session's current one), grace
 * (it is the one the latest rotation spent, within the window, the
 * first time), and otherwise end the session it was spent in.  Two
 * refreshes racing with one token thus make one rotation and one grace
 * answer; a third, or a late one, ends the session.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/jwt.h"
#include "userapi/log.h"
#include "userapi/refresh_token.h"
#include "userapi/services.h"
#include "userapi/validate.h"

void
ua_token_pair_cleanup(struct ua_token_pair *p)
{
	if (p == NULL)
		return;
	if (p->access_token != NULL) {
		ua_secure_zero(p->access_token, strlen(p->access_token));
		free(p->access_token);
	}
	ua_secure_zero(p, sizeof(*p));
}

/* The access token of session "sid" of "user_id" at version "ver". */
static char *
access_token(const struct ua_services *svc, int64_t user_id, int64_t ver,
    const char *sid, int64_t *expires_in)
{
	const struct ua_settings *s = svc->settings;
	struct ua_jwt_claims	  claims;

	memset(&claims, 0, sizeof(claims));
	claims.sub = user_id;
	claims.iat = svc->now();
	*expires_in = (int64_t)s->access_token_expire_minutes * 60;
	claims.exp = claims.iat + *expires_in;
	claims.ver = ver;
	memcpy(claims.sid, sid, sizeof(claims.sid) - 1);
	return ua_jwt_sign(s->jwt_algorithm, s->jwt_secret, s->jwt_secret_len,
	    &claims);
}

enum ua_err
ua_session_start(const struct ua_services *svc, int64_t user_id, int64_t ver,
    const struct ua_client_info *client, struct ua_token_pair *pair)
{
	const struct ua_settings *s = svc->settings;
	struct ua_session_start	  in;
	char			  sid[UA_SESSION_ID_LEN + 1];
	char			 *agent = NULL;
	enum ua_err		  er;

	memset(pair, 0, sizeof(*pair));
	memset(&in, 0, sizeof(in));
	if ((er = ua_refresh_token_new(pair->refresh_token, &in.refresh)) !=
	    UA_OK)
		return er;
	if (client->user_agent != NULL)
		agent =
		    ua_utf8_cut(client->user_agent, UA_USER_AGENT_MAX_CHARS);
	in.user_id = user_id;
	in.token_version = ver;
	in.user_agent = agent;
	in.ip = client->address;
	in.lifetime_days = s->refresh_token_expire_days;
	er = svc->sessions.ops->start(svc->sessions.arg, &in,
	    UA_SESSIONS_PER_USER, sid);
	free(agent);
	ua_secure_zero(&in.refresh, sizeof(in.refresh));
	if (er != UA_OK) {
		ua_token_pair_cleanup(pair);
		/* Gone, or its password changed since it was checked. */
		return er == UA_ERR_NOT_FOUND ? UA_ERR_LOGIN_FAILED : er;
	}
	pair->access_token =
	    access_token(svc, user_id, ver, sid, &pair->expires_in);
	pair->refresh_expires_in =
	    (int64_t)s->refresh_token_expire_days * 86400;
	return UA_OK;
}

enum ua_err
ua_session_refresh(const struct ua_services *svc, const char *token, size_t len,
    struct ua_token_pair *pair)
{
	const struct ua_session_repo *r = &svc->sessions;
	struct ua_refresh_hash	      old, fresh;
	struct ua_session_grant	      g;
	enum ua_err		      er;
	bool			      ended = false;

	memset(pair, 0, sizeof(*pair));
	ua_refresh_token_hash(token, len, &old);
	if ((er = ua_refresh_token_new(pair->refresh_token, &fresh)) != UA_OK)
		goto out;

	er = r->ops->rotate(r->arg, &old, &fresh, &g);
	if (er == UA_ERR_NOT_FOUND)
		er = r->ops->grace(r->arg, &old, &fresh,
		    svc->settings->refresh_token_reuse_seconds, &g);
	if (er == UA_ERR_NOT_FOUND) {
		/* Spent, and not a lost answer: someone else has it. */
		er = r->ops->end_spent(r->arg, &old, &ended);
		if (er == UA_OK && ended)
			ua_log_info("session ended: a spent refresh token "
				    "was presented again");
		if (er == UA_OK)
			er = UA_ERR_BAD_REFRESH;
	}
	if (er == UA_OK) {
		pair->access_token = access_token(svc, g.user_id,
		    g.token_version, g.sid, &pair->expires_in);
		pair->refresh_expires_in = g.expires_in > 0 ? g.expires_in : 0;
	}
out:
	ua_secure_zero(&old, sizeof(old));
	ua_secure_zero(&fresh, sizeof(fresh));
	if (er != UA_OK)
		ua_token_pair_cleanup(pair);
	return er;
}

enum ua_err
ua_session_logout(const struct ua_services *svc, const struct ua_user *caller,
    const char *sid, enum ua_session_scope scope)
{
	int64_t n;

	/* A token without a session can only be logged out everywhere. */
	if (sid == NULL || sid[0] == '\0')
		scope = UA_SESSIONS_ALL;
	return svc->sessions.ops->end(svc->sessions.arg, caller->id, sid, scope,
	    scope == UA_SESSIONS_ALL, &n);
}

enum ua_err
ua_session_list(const struct ua_services *svc, const struct ua_user *caller,
    const char *sid, struct ua_session *items, size_t *n)
{
	return svc->sessions.ops->list(svc->sessions.arg, caller->id,
	    sid != NULL && sid[0] != '\0' ? sid : NULL, items,
	    UA_SESSIONS_PER_USER, n);
}

enum ua_err
ua_session_end(const struct ua_services *svc, const struct ua_user *caller,
    const char *id)
{
	int64_t	    n = 0;
	enum ua_err er;

	if (!ua_session_id_valid(id))
		return UA_ERR_SESSION_NOT_FOUND;
	er = svc->sessions.ops->end(svc->sessions.arg, caller->id, id,
	    UA_SESSIONS_ONE, false, &n);
	if (er == UA_OK && n == 0)
		er = UA_ERR_SESSION_NOT_FOUND;
	return er;
}

enum ua_err
ua_session_end_user(const struct ua_services *svc, const struct ua_user *actor,
    int64_t id)
{
	int64_t n;

	if (actor->id != id && actor->role != UA_ROLE_ADMIN)
		return UA_ERR_FORBIDDEN;
	return svc->sessions.ops->end(svc->sessions.arg, id, NULL,
	    UA_SESSIONS_ALL, false, &n);
}

enum ua_err
ua_session_prune(const struct ua_services *svc, int64_t *deleted)
{
	return svc->sessions.ops->prune(svc->sessions.arg, deleted);
}
