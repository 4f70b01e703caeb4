/*
 * session.h -- sessions: one per login, holding one refresh token at a
 * time, and what services may ask of their storage.
 *
 * A session's id is the access token's "sid" claim.  Refresh tokens are
 * never stored, only their SHA-256 (struct ua_refresh_hash): the
 * current one, the one the latest rotation spent, and the one a grace
 * answer replaced.  The rules (API.md "Sessions") are the service's
 * (ua_session_refresh() in services.h); each operation here is one
 * atomic step of them, so two workers refreshing with the same token at
 * once see each other's result, never the same state twice.
 */
#ifndef USERAPI_SESSION_H
#define USERAPI_SESSION_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/model.h"
#include "userapi/netaddr.h"

#define UA_SESSION_ID_LEN 36	    /* a UUID as text */
#define UA_REFRESH_TOKEN_BYTES 32   /* 256 bits from the OS */
#define UA_REFRESH_TOKEN_LEN 43	    /* their base64url, unpadded */
#define UA_REFRESH_HASH_BYTES 32    /* SHA-256 */
#define UA_USER_AGENT_MAX_CHARS 256 /* code points kept of User-Agent */
#define UA_SESSIONS_PER_USER 50	    /* live ones; older ones end */

/*
 * The Session model, declared once (see userapi/model.h): API.md's
 * session object, keys in this order.  "current" is a column the list
 * query computes (is_current), not one of the table's.
 */
/* clang-format off */
/* F/N kind      member        JSON key        SQL column     (attributes), extra */
#define UA_SESSION_MODEL(F, N, x)					\
	F(x, TEXT,     id,           "id",           "id",		\
	    (.format = "uuid"), UA_SESSION_ID_LEN + 1)			\
	N(x, TIME,     created_us,   "created_at",   "created_at",   ())	\
	N(x, TIME,     last_used_us, "last_used_at", "last_used_at", ())	\
	N(x, TIME,     expires_us,   "expires_at",   "expires_at",   ())	\
	N(x, TEXT_PTR, user_agent,   "user_agent",   "user_agent",	\
	    (UA_LEN(0, UA_USER_AGENT_MAX_CHARS)))			\
	N(x, TEXT,     ip,           "ip",           "ip",  (), UA_ADDR_STRLEN) \
	N(x, BOOL,     current,      "current",      "is_current",   ())
/* clang-format on */

/*
 * A session as the user sees it: char id[]; int64_t created_us,
 * last_used_us, expires_us; char *user_agent (heap, NULL: none);
 * char ip[]; bool current.  Release with ua_session_cleanup().
 */
struct ua_session {
	UA_MODEL_MEMBERS(UA_SESSION_MODEL)
};

extern const struct ua_model ua_session_model;

/* Free what "s" holds (its user agent); "s" may be reused after. */
void ua_session_cleanup(struct ua_session *s);

/* Is "s" a session id as this API writes them (a UUID's text)? */
bool ua_session_id_valid(const char *s);

struct ua_refresh_hash {
	unsigned char b[UA_REFRESH_HASH_BYTES];
};

/* What a new session starts with. */
struct ua_session_start {
	int64_t		       user_id;
	int64_t		       token_version; /* the login's */
	struct ua_refresh_hash refresh;
	const char	      *user_agent; /* cut already; NULL: none */
	const char	      *ip;
	int		       lifetime_days;
};

/* What a refresh grants: whose session it is and what it has left. */
struct ua_session_grant {
	char	sid[UA_SESSION_ID_LEN + 1];
	int64_t user_id;
	int64_t token_version; /* the user's, for the new access token */
	int64_t expires_in;    /* seconds until the session expires */
};

/* Which of a user's sessions to end. */
enum ua_session_scope {
	UA_SESSIONS_ONE,    /* the one named */
	UA_SESSIONS_OTHERS, /* every one but the one named */
	UA_SESSIONS_ALL,
	UA_SESSIONS__MAX
};

/*
 * "Live" below: not ended and not expired.  Every operation is one
 * atomic step; UA_ERR_DB_UNAVAILABLE and UA_ERR_DB as ever.
 */
struct ua_session_repo_ops {
	/*
	 * A new live session from "in", its id into "sid".  In the same
	 * step: the user's ended and expired sessions are deleted, and the
	 * oldest live ones beyond "cap" - 1 are ended.  UA_ERR_NOT_FOUND if
	 * the user is gone or its token version is no longer the login's
	 * (a password changed meanwhile).
	 */
	enum ua_err (*start)(void *arg, const struct ua_session_start *in,
	    int cap, char sid[UA_SESSION_ID_LEN + 1]);

	/*
	 * Rotation: the live session whose current hash is "old" takes
	 * "fresh" as its current hash and keeps "old" as the spent one;
	 * its grace answer is available again.  UA_ERR_NOT_FOUND if no
	 * live session's current hash is "old".
	 */
	enum ua_err (*rotate)(void *arg, const struct ua_refresh_hash *old,
	    const struct ua_refresh_hash *fresh, struct ua_session_grant *out);

	/*
	 * The grace answer: the live session whose spent hash is "old",
	 * spent at most "reuse_s" seconds ago, and whose grace answer has
	 * not been given, takes "fresh" as its current hash; the current
	 * one it replaces is kept as replaced.  UA_ERR_NOT_FOUND otherwise.
	 */
	enum ua_err (*grace)(void *arg, const struct ua_refresh_hash *old,
	    const struct ua_refresh_hash *fresh, int reuse_s,
	    struct ua_session_grant *out);

	/*
	 * Reuse: end the live session whose spent or replaced hash is
	 * "old".  "*ended": one was.
	 */
	enum ua_err (*end_spent)(void *arg, const struct ua_refresh_hash *old,
	    bool *ended);

	/*
	 * End the live sessions of "user_id" that "scope" names ("sid" for
	 * ONE and OTHERS); with "revoke_tokens", also bump the user's token
	 * version, in the same step, so that every access token issued to
	 * the user before is refused.  "*ended": how many ended.
	 */
	enum ua_err (*end)(void *arg, int64_t user_id, const char *sid,
	    enum ua_session_scope scope, bool revoke_tokens, int64_t *ended);

	/*
	 * The live sessions of "user_id", newest first, at most "max" into
	 * "items" ("current" set on the one whose id is "sid", which may be
	 * NULL); "*n" how many.  Release each with ua_session_cleanup().
	 */
	enum ua_err (*list)(void *arg, int64_t user_id, const char *sid,
	    struct ua_session *items, size_t max, size_t *n);

	/* Delete every ended or expired session; "*deleted" how many. */
	enum ua_err (*prune)(void *arg, int64_t *deleted);
};

struct ua_session_repo {
	const struct ua_session_repo_ops *ops;
	void				 *arg;
};

/* The PostgreSQL implementation; "arg" is the worker's struct ua_db. */
extern const struct ua_session_repo_ops ua_session_repo_pg;

#pragma GCC visibility pop
#endif
