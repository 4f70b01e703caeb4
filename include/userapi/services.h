/*
 * services.h -- the business rules of userapi.
 *
 * Services know nothing of HTTP, JSON or libpq: they take validated
 * structs, talk to storage through the repository interfaces, and
 * answer with enum ua_err.  Tests run them against an in-memory fake.
 */
#ifndef USERAPI_SERVICES_H
#define USERAPI_SERVICES_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/order.h"
#include "userapi/jwt.h"
#include "userapi/order_repo.h"
#include "userapi/schemas.h"
#include "userapi/session.h"
#include "userapi/settings.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"

struct ua_db;

struct ua_services {
	struct ua_user_repo	  users;
	struct ua_login_repo	  logins;
	struct ua_order_repo	  orders;
	struct ua_session_repo	  sessions;
	const struct ua_settings *settings;
	int64_t (*now)(void); /* seconds */
	/* One round trip to the store: UA_OK or UA_ERR_DB_UNAVAILABLE. */
	enum ua_err (*ping)(void *arg);
	void *ping_arg;
};

/* The services of a worker: PostgreSQL repositories on "db". */
void ua_services_init_pg(struct ua_services *, const struct ua_settings *,
    struct ua_db *db);

/* Readiness: does the store answer?  UA_OK or UA_ERR_DB_UNAVAILABLE. */
enum ua_err ua_services_ping(const struct ua_services *);

/* --- user_service ---------------------------------------------------- */

/* Register: a "user"; UA_ERR_CONFLICT if the email is taken. */
enum ua_err ua_user_register(const struct ua_services *,
    const struct ua_user_create *in, struct ua_user *out);

/* The same with any role: for the admin tool, never for the API. */
enum ua_err ua_user_create(const struct ua_services *,
    const struct ua_user_create *in, enum ua_role role, struct ua_user *out);

/*
 * One page of users by id, for the bearer of a token of user "sub" at
 * version "ver" and of session "sid" ("" or NULL: none), whose row is
 * read in the same round trip into
 * "caller" and checked as ua_auth_current_user() checks it
 * (UA_ERR_BAD_TOKEN).  "items" has room for "limit".  A page past the
 * end is empty, not an error.
 */
enum ua_err ua_user_list(const struct ua_services *, int64_t sub, int64_t ver,
    const char *sid, int64_t page, int64_t limit, struct ua_user *caller,
    struct ua_user *items, size_t *n, int64_t *total);

/*
 * The bearer step's fetch for the list: the caller's row and
 * credentials and one page of users in one round trip, unchecked (the
 * step checks the caller with ua_auth_check_caller()).
 */
enum ua_err ua_user_page_with_caller(const struct ua_services *,
    int64_t caller_id, const char *sid, int64_t page, int64_t limit,
    struct ua_user *caller, struct ua_credentials *cred, struct ua_user *items,
    size_t *n, int64_t *total);

/*
 * The bearer step's fetch for one user: the caller's row and
 * credentials and user "id" (0: none) in one round trip, unchecked.
 * UA_ERR_NOT_FOUND if the caller is gone; "*found": user "id" exists.
 */
enum ua_err ua_user_read_with_caller(const struct ua_services *,
    int64_t caller_id, const char *sid, int64_t id, struct ua_user *caller,
    struct ua_credentials *cred, struct ua_user *target, bool *found);

/*
 * Change user "id" as "actor": self or admin, and only an admin may
 * change a role (UA_ERR_FORBIDDEN).  UA_ERR_NOT_FOUND,
 * UA_ERR_CONFLICT (email taken), UA_ERR_LAST_ADMIN.
 */
enum ua_err ua_user_update(const struct ua_services *,
    const struct ua_user *actor, int64_t id, const struct ua_user_update *in,
    struct ua_user *out);

/* Delete user "id" as "actor", with the same rules. */
enum ua_err ua_user_delete(const struct ua_services *,
    const struct ua_user *actor, int64_t id);

/* --- auth_service ---------------------------------------------------- */

/* What a login or a refresh answers with (API.md's Token). */
struct ua_token_pair {
	char   *access_token; /* heap */
	char	refresh_token[UA_REFRESH_TOKEN_LEN + 1];
	int64_t expires_in;	    /* seconds, the access token's */
	int64_t refresh_expires_in; /* seconds, the session's */
};

/* Free and wipe what "p" holds. */
void ua_token_pair_cleanup(struct ua_token_pair *p);

/* Where a login comes from, as the session will show it. */
struct ua_client_info {
	const char *address;	/* the client address (TRUSTED_PROXIES) */
	const char *user_agent; /* the User-Agent header, or NULL */
};

/*
 * Check the password of "email" for a login from "client" and start a
 * session.  UA_OK: "*pair" holds a new access token (its "sid" the
 * session's) and refresh token.  UA_ERR_LOGIN_FAILED for an unknown
 * email or a wrong password alike, after the same work;
 * UA_ERR_TOO_MANY with "*retry_after" seconds past the failure limit.
 * "*pair": release it with ua_token_pair_cleanup() whatever the result.
 */
enum ua_err ua_auth_login(const struct ua_services *, const char *email,
    const char *password, const struct ua_client_info *client,
    struct ua_token_pair *pair, int *retry_after);

/*
 * The first half of the bearer check, no database: signature, pinned
 * algorithm, expiry.  UA_OK fills "*claims" (sub, ver, sid); else
 * UA_ERR_BAD_TOKEN.
 */
enum ua_err ua_auth_verify_token(const struct ua_services *, const char *token,
    struct ua_jwt_claims *claims);

/*
 * The second half: load user "sub" and user "target_id" (0: none) in
 * one round trip.  UA_ERR_BAD_TOKEN if the user is gone, the token's
 * version "ver" predates a password change, or its session "sid" (""
 * or NULL: none) is no longer live.
 */
enum ua_err ua_auth_current_user(const struct ua_services *, int64_t sub,
    int64_t ver, const char *sid, struct ua_user *caller, int64_t target_id,
    struct ua_user *target, bool *target_found);

/*
 * The end of the bearer check, on the caller's row "cred" as a
 * repository read it ("found": UA_OK, UA_ERR_NOT_FOUND, or the
 * repository's error): UA_ERR_BAD_TOKEN if the user is gone, "ver"
 * predates a password change, or the token names a session "sid" (""
 * or NULL: none) that is no longer live.  The hash in "cred" is wiped.
 */
enum ua_err ua_auth_check_caller(enum ua_err found, struct ua_credentials *cred,
    int64_t ver, const char *sid);

/*
 * Change "caller"'s password, from "client" (an address):
 * UA_ERR_BAD_PASSWORD if "current" is wrong, which counts as a failed
 * login of the caller's email from "client"; UA_ERR_TOO_MANY with
 * "*retry_after" seconds past the limit, as for logins.  Every token
 * issued before is refused afterwards.
 */
enum ua_err ua_auth_change_password(const struct ua_services *,
    const struct ua_user *caller, const struct ua_password_change *in,
    const char *client, int *retry_after);

/*
 * Delete everyone's failed logins older than LOGIN_WINDOW_SECONDS: they
 * count no more.  "*deleted" how many.
 */
enum ua_err ua_auth_prune_failures(const struct ua_services *,
    int64_t *deleted);

/* --- session_service ------------------------------------------------- */

/*
 * Start a session for user "user_id", whose password was just checked
 * at token version "ver", from "client": the pair of a login.
 * UA_ERR_LOGIN_FAILED if the user is gone or its password changed
 * meanwhile.  "*pair": release it with ua_token_pair_cleanup().
 */
enum ua_err ua_session_start(const struct ua_services *, int64_t user_id,
    int64_t ver, const struct ua_client_info *client,
    struct ua_token_pair *pair);

/*
 * Refresh with "token" ("len" bytes, as the client sent it), as API.md
 * "Sessions" says: the session's current token rotates; a spent one
 * within REFRESH_TOKEN_REUSE_SECONDS of its rotation gets the grace
 * answer, once; any other spent one ends its session.  UA_OK with the
 * new pair, or UA_ERR_BAD_REFRESH for anything refused.  "*pair":
 * release it with ua_token_pair_cleanup() whatever the result.
 */
enum ua_err ua_session_refresh(const struct ua_services *, const char *token,
    size_t len, struct ua_token_pair *pair);

/*
 * Log "caller" out of its session "sid" ("" for a token without one,
 * which always means every session), of the others, or of all of them;
 * UA_SESSIONS_ALL also refuses every access token issued to the caller
 * before.
 */
enum ua_err ua_session_logout(const struct ua_services *,
    const struct ua_user *caller, const char *sid, enum ua_session_scope scope);

/*
 * The live sessions of "caller", newest first, into "items" (room for
 * UA_SESSIONS_PER_USER; "current" on "sid"); release each with
 * ua_session_cleanup().
 */
enum ua_err ua_session_list(const struct ua_services *,
    const struct ua_user *caller, const char *sid, struct ua_session *items,
    size_t *n);

/*
 * End "caller"'s live session "id": UA_ERR_SESSION_NOT_FOUND if it is
 * someone else's, unknown, malformed or no longer live.
 */
enum ua_err ua_session_end(const struct ua_services *,
    const struct ua_user *caller, const char *id);

/*
 * End every session of user "id" as "actor" (self or admin:
 * UA_ERR_FORBIDDEN otherwise).
 */
enum ua_err ua_session_end_user(const struct ua_services *,
    const struct ua_user *actor, int64_t id);

/* Delete every ended or expired session; "*deleted" how many. */
enum ua_err ua_session_prune(const struct ua_services *, int64_t *deleted);

/* --- order_service --------------------------------------------------- */

/*
 * Who may see and change an order: its owner or an admin.  Someone
 * else's order, and an order whose owner was deleted (admins' only),
 * reads as UA_ERR_NOT_FOUND to everyone else, on every operation, so
 * a non-owner learns nothing.
 *
 * Status transitions (API.md), anything else UA_ERR_BAD_TRANSITION,
 * including to the same status; an owner who is not an admin asking for
 * one of the admin's gets UA_ERR_FORBIDDEN:
 *
 *	pending -> paid		admin
 *	pending -> cancelled	owner or admin
 *	paid	-> shipped	admin
 *	paid	-> cancelled	admin
 *	shipped -> delivered	admin
 *
 * "if_version" is the version an If-Match names, 0 for none; a mismatch
 * is UA_ERR_PRECONDITION, checked before the order's state.
 */

/* Who asks for a status change, as the table above names them. */
enum ua_order_actor {
	UA_ORDER_ACTOR_OWNER, /* the owner, not an admin */
	UA_ORDER_ACTOR_ADMIN,
	UA_ORDER_ACTOR__MAX
};

/*
 * UA_OK if "who" may make the transition "from" -> "to",
 * UA_ERR_FORBIDDEN if only an admin may, UA_ERR_BAD_TRANSITION if it is
 * not in the table.
 */
enum ua_err ua_order_transition_allowed(enum ua_order_status from,
    enum ua_order_status to, enum ua_order_actor who);

/*
 * An Idempotency-Key header and the body it came with into "idem":
 * the key as is, the fingerprint the SHA-256 of the body's bytes.
 * UA_ERR_INVALID unless "key" is 1 to 255 visible ASCII characters
 * (422 "Invalid Idempotency-Key").
 */
enum ua_err ua_order_idem_init(struct ua_idem *idem, const char *key,
    const void *body, size_t len);

/*
 * The bearer step's fetch for the order routes: the caller's row and
 * credentials and order "id" (any owner's: the step applies the
 * route's rule) in one round trip, unchecked.  UA_ERR_NOT_FOUND if the
 * caller is gone; "*found": the order exists.  "out": clean it
 * whatever the result.
 */
enum ua_err ua_order_fetch_with_caller(const struct ua_services *,
    int64_t caller_id, const char *sid, int64_t id, struct ua_user *caller,
    struct ua_credentials *cred, struct ua_order *out, bool *found);

/*
 * The bearer step's fetch for the lists of orders: the caller's row and
 * credentials and page "page" (from 1) of "limit" orders that "filter"
 * lets the caller see, newest first, in one round trip, unchecked.
 * "*found" false when the filter names a user who does not exist.
 * "items" has room for "limit"; clean each whatever the result.
 */
enum ua_err ua_order_page_with_caller(const struct ua_services *,
    int64_t caller_id, const char *sid, const struct ua_order_filter *filter,
    int64_t page, int64_t limit, struct ua_user *caller,
    struct ua_credentials *cred, struct ua_order *items, size_t *n,
    int64_t *total, bool *found);

/*
 * A new order of "caller" (POST /api/orders/).  "idem" NULL: no
 * Idempotency-Key.  With one, as the repository's insert: UA_OK with
 * the answer kept in "*answer" (send those bytes), UA_ERR_IDEM_REPLAY
 * with the earlier answer in "*answer" (send it with
 * Idempotent-Replayed: true), UA_ERR_IDEM_BUSY, UA_ERR_IDEM_MISMATCH.
 * "render" turns the new order into the kept answer (needed only with
 * "idem").  The caller releases "out" (ua_order_cleanup) and "answer"
 * (ua_idem_answer_cleanup) whatever the result.
 */
enum ua_err ua_order_create(const struct ua_services *,
    const struct ua_user *caller, const struct ua_order_create *in,
    const struct ua_idem *idem, const struct ua_order_render *render,
    struct ua_order *out, struct ua_idem_answer *answer);

/*
 * Keep "caller"'s answer that created nothing ("status" below 500,
 * "body" of "len" bytes: the 422 of an invalid body) under "idem", so
 * that the same request again is answered the same; the results of the
 * repository's keep_answer: UA_OK, UA_ERR_IDEM_REPLAY (the earlier
 * answer in "*answer"), UA_ERR_IDEM_MISMATCH, UA_ERR_IDEM_BUSY.
 */
enum ua_err ua_order_idem_keep(const struct ua_services *,
    const struct ua_user *caller, const struct ua_idem *idem, int status,
    const char *body, size_t len, struct ua_idem_answer *answer);

/*
 * Order "id" as "caller" sees it (owner or admin), into "out" (clean
 * it whatever the result).  UA_ERR_NOT_FOUND.
 */
enum ua_err ua_order_get(const struct ua_services *,
    const struct ua_user *caller, int64_t id, struct ua_order *out);

/*
 * PATCH: UA_ERR_NOT_FOUND, UA_ERR_PRECONDITION, UA_ERR_ORDER_LOCKED
 * (no longer pending), in that order; a patch that changes nothing
 * answers the order as it is.  "out": clean it whatever the result.
 */
enum ua_err ua_order_update(const struct ua_services *,
    const struct ua_user *caller, int64_t id, int64_t if_version,
    const struct ua_order_update *in, struct ua_order *out);

/*
 * POST .../status: UA_ERR_NOT_FOUND, UA_ERR_PRECONDITION, then the
 * table above: UA_ERR_BAD_TRANSITION or UA_ERR_FORBIDDEN.  A change
 * lost to a concurrent one is UA_ERR_BAD_TRANSITION too.  On
 * UA_ERR_BAD_TRANSITION "*current" is the order's status (for "Cannot
 * change status from <current> to <to>").  "out": clean it whatever
 * the result.
 */
enum ua_err ua_order_set_status(const struct ua_services *,
    const struct ua_user *caller, int64_t id, int64_t if_version,
    enum ua_order_status to, struct ua_order *out,
    enum ua_order_status *current);

/*
 * DELETE: UA_ERR_NOT_FOUND, UA_ERR_PRECONDITION, UA_ERR_ORDER_LOCKED,
 * in that order.
 */
enum ua_err ua_order_delete(const struct ua_services *,
    const struct ua_user *caller, int64_t id, int64_t if_version);

#pragma GCC visibility pop
#endif
