/*
 * fake_session_repo.h -- an in-memory stand-in for the session
 * repository, for unit tests of the session service and of the bearer
 * step.
 *
 * It behaves as ua_session_repo_pg does, as far as a caller can
 * observe: a session is live while it has not ended, has not expired
 * and its token version is still its user's (as the user fake holds
 * it, so a password change through the user fake's set_password with
 * "revoke_tokens" kills every session of the user at once, and a
 * deleted user's sessions go with it); start deletes the user's dead
 * sessions and ends the oldest live ones beyond "cap" - 1; rotate,
 * grace, end_spent, end, list and prune as userapi/session.h and
 * session_repo_pg.c say.  Session ids are UUID text, distinct and
 * never reused.
 *
 * Time is the clock of the user fake (fake_repo_set_now()), which a
 * test moves; sessions made within the same second are ordered by when
 * they were made.  While it lives, the fake answers the user fake's
 * bearer reads (caller_cred->session_live) and those of an order fake
 * over the same user fake.  Every struct fake_session_repo is
 * independent; nothing is global.
 */
#ifndef FAKE_SESSION_REPO_H
#define FAKE_SESSION_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/session.h"
#include "fake_repo.h"

/* The operations, to count and to fail. */
enum fake_session_op {
	FAKE_SESSION_START,
	FAKE_SESSION_ROTATE,
	FAKE_SESSION_GRACE,
	FAKE_SESSION_END_SPENT,
	FAKE_SESSION_END,
	FAKE_SESSION_LIST,
	FAKE_SESSION_PRUNE,
	FAKE_SESSION__MAX
};

struct fake_session_repo;

/* The operation table; "arg" is a struct fake_session_repo. */
extern const struct ua_session_repo_ops fake_session_repo_ops;

/*
 * An empty store whose users (and clock) are those of "users", which
 * must outlive it; it attaches itself to "users" for the bearer reads
 * (fake_repo_set_sessions()).  Free with fake_session_repo_free()
 * (NULL: no-op), which detaches it.
 */
struct fake_session_repo *fake_session_repo_new(struct fake_repo *users);
void			  fake_session_repo_free(struct fake_session_repo *);

/* The interface over "fs", as the services hold it. */
struct ua_session_repo fake_session_repo_sessions(struct fake_session_repo *fs);

/*
 * Make the next call of "op" return "er" (not UA_OK), out-parameters
 * zeroed and nothing changed.  Fires once.
 */
void fake_session_repo_fail_op(struct fake_session_repo *fs,
    enum fake_session_op op, enum ua_err er);

/* Calls of "op" so far, failed ones included. */
unsigned fake_session_repo_calls(const struct fake_session_repo *fs,
    enum fake_session_op					 op);

/* Rows stored, dead ones not yet deleted included. */
size_t fake_session_repo_nrows(const struct fake_session_repo *fs);

/* Live sessions of user "user_id", uncounted. */
size_t fake_session_repo_nlive(const struct fake_session_repo *fs,
    int64_t						       user_id);

/* Is session "sid" of user "user_id" live?  Uncounted. */
bool fake_session_repo_live(const struct fake_session_repo *fs, int64_t user_id,
    const char *sid);

#endif
