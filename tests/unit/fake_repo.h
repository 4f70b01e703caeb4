/*
 * fake_repo.h -- an in-memory stand-in for the user and login-failure
 * repositories, for unit tests of the services.
 *
 * It behaves as ua_user_repo_pg and ua_login_repo_pg do, as far as a
 * caller can observe: ids from 1 upward and never reused, emails unique
 * and found whatever their case (ASCII case only), the last admin
 * neither demoted nor deleted, updated_at set only by a change that
 * changes something, a token version bumped by set_password with
 * "revoke_tokens", failed logins counted per lower-cased email and
 * client in a window measured on a clock the test sets.  The bearer
 * reads (get_caller_and_target, list) tell whether the caller's session
 * is live by asking the session fake attached with
 * fake_repo_set_sessions() (fake_session_repo.h); with none attached,
 * no session is live.
 *
 * Beyond that a test can make calls fail, count the calls of each
 * operation, and seed or inspect the data without either.  Every
 * struct fake_repo is independent; nothing is global.
 */
#ifndef FAKE_REPO_H
#define FAKE_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"

/* The operations of both interfaces, to count and to fail. */
enum fake_op {
	FAKE_OP_GET_BY_ID,
	FAKE_OP_GET_CALLER_AND_TARGET,
	FAKE_OP_GET_BY_EMAIL,
	FAKE_OP_LIST,
	FAKE_OP_INSERT,
	FAKE_OP_UPDATE,
	FAKE_OP_REMOVE,
	FAKE_OP_SET_PASSWORD,
	FAKE_OP_RESERVE,
	FAKE_OP_RELEASE,
	FAKE_OP_CLEAR,
	FAKE_OP__MAX
};

/* The clock a new fake starts at: 2026-01-01T00:00:00Z. */
#define FAKE_REPO_EPOCH_S INT64_C(1767225600)

struct fake_repo;

/* The operation tables; "arg" is a struct fake_repo. */
extern const struct ua_user_repo_ops  fake_user_repo_ops;
extern const struct ua_login_repo_ops fake_login_repo_ops;

/* An empty fake; free with fake_repo_free() (NULL is a no-op). */
struct fake_repo *fake_repo_new(void);
void		  fake_repo_free(struct fake_repo *);

/* The two interfaces over "fr", as the services hold them. */
struct ua_user_repo  fake_repo_users(struct fake_repo *fr);
struct ua_login_repo fake_repo_logins(struct fake_repo *fr);

/*
 * The clock, in seconds since the epoch: rows are created, updated and
 * failed logins recorded at this time (as microseconds, "s" * 1000000).
 */
void	fake_repo_set_now(struct fake_repo *fr, int64_t s);
int64_t fake_repo_now(const struct fake_repo *fr);

/*
 * Make the next call of any operation return "er" (not UA_OK), with
 * its out-parameters zeroed and nothing changed.  Fires once.
 */
void fake_repo_fail_next(struct fake_repo *fr, enum ua_err er);

/*
 * As fake_repo_fail_next(), for the next call of operation "op" only;
 * it takes precedence over fake_repo_fail_next() for that call.
 */
void fake_repo_fail_op(struct fake_repo *fr, enum fake_op op, enum ua_err er);

/* Calls of "op" since creation or the last reset, failed ones included. */
unsigned fake_repo_calls(const struct fake_repo *fr, enum fake_op op);

/* Calls of every operation together. */
unsigned fake_repo_total_calls(const struct fake_repo *fr);

void fake_repo_reset_calls(struct fake_repo *fr);

/*
 * Store a user as insert does, but neither counted nor failed by the
 * above.  Returns the new id, or 0 if the email is taken or a field is
 * too long for the model.
 */
int64_t fake_repo_add(struct fake_repo *fr, const char *email, const char *name,
    const char *hash, enum ua_role role);

/*
 * Copy user "id" into "u" and "cred" (either may be NULL), uncounted.
 * False if there is no such user.
 */
bool fake_repo_peek(const struct fake_repo *fr, int64_t id, struct ua_user *u,
    struct ua_credentials *cred);

/*
 * Whether session "sid" of user "user_id" is live, as a session store
 * answers it; "arg" is that store's.
 */
typedef bool fake_session_live_fn(void *arg, int64_t user_id, const char *sid);

/*
 * Attach the session store the bearer reads ask ("fn" NULL: none, no
 * session is live).  fake_session_repo_new() does this itself.
 */
void fake_repo_set_sessions(struct fake_repo *fr, fake_session_live_fn *fn,
    void *arg);

/* The attached store's answer for "sid" ("" or NULL: false), uncounted. */
bool fake_repo_session_live(const struct fake_repo *fr, int64_t user_id,
    const char *sid);

/*
 * Bump user "id"'s token version as a logout everywhere does, neither
 * counted nor failed, updated_at untouched (migration 0006).  False if
 * there is no such user.
 */
bool fake_repo_bump_token_version(struct fake_repo *fr, int64_t id);

/* Number of users stored. */
size_t fake_repo_nusers(const struct fake_repo *fr);

/* Failed logins stored, those past their window not yet forgotten included. */
size_t fake_repo_nfailures(const struct fake_repo *fr);

#endif
