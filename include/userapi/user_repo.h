/*
 * user_repo.h -- what services may ask of user storage.
 *
 * An interface: a const table of operations and the argument they take.
 * ua_user_repo_pg stores users in PostgreSQL; tests use an in-memory
 * fake with the same behaviour.  Emails are stored as given (the domain
 * already lower-cased by the schema layer) and compared case-insensitively.
 */
#ifndef USERAPI_USER_REPO_H
#define USERAPI_USER_REPO_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/user.h"

/* The fields a PATCH may change; has_* false means "leave alone". */
struct ua_user_patch {
	bool	     has_email;
	char	     email[UA_EMAIL_MAX + 1];
	bool	     has_name;
	char	     name[UA_NAME_MAX_BYTES + 1];
	bool	     has_role;
	enum ua_role role;
};

struct ua_user_repo_ops {
	/* UA_OK, UA_ERR_NOT_FOUND, or a database error. */
	enum ua_err (*get_by_id)(void *arg, int64_t id, struct ua_user *out);

	/*
	 * The caller's own row with its credentials, and the row "target"
	 * in the same round trip ("target" may equal "caller_id", or be 0
	 * for none).  UA_ERR_NOT_FOUND if the caller is gone; a missing
	 * target sets "*target_found" false.  "caller_cred->session_live"
	 * tells whether the caller's session "sid" (NULL: none) is live.
	 */
	enum ua_err (*get_caller_and_target)(void *arg, int64_t caller_id,
	    const char *sid, struct ua_user *caller,
	    struct ua_credentials *caller_cred, int64_t target_id,
	    struct ua_user *target, bool *target_found);

	/* By email, case-insensitively, with credentials (login). */
	enum ua_err (*get_by_email)(void *arg, const char *email,
	    struct ua_user *out, struct ua_credentials *cred);

	/*
	 * The caller's row with its credentials, as
	 * get_caller_and_target reads it, and up to "limit" users
	 * ordered by id, skipping "offset", into "items" (room for
	 * "limit"); "*n" how many, "*total" all users.  One round trip.
	 * UA_ERR_NOT_FOUND if the caller is gone.
	 */
	enum ua_err (*list)(void *arg, int64_t caller_id, const char *sid,
	    struct ua_user *caller, struct ua_credentials *caller_cred,
	    int64_t offset, int64_t limit, struct ua_user *items, size_t *n,
	    int64_t *total);

	/* New user; UA_ERR_CONFLICT if the email is taken (any case). */
	enum ua_err (*insert)(void *arg, const char *email, const char *name,
	    const char *hash, enum ua_role role, struct ua_user *out);

	/*
	 * Apply "patch" to user "id" atomically.  UA_ERR_NOT_FOUND,
	 * UA_ERR_CONFLICT (email taken), UA_ERR_LAST_ADMIN (would leave no
	 * admin), or UA_OK with the new row in "out".
	 */
	enum ua_err (*update)(void *arg, int64_t id,
	    const struct ua_user_patch *patch, struct ua_user *out);

	/* Delete; UA_ERR_NOT_FOUND or UA_ERR_LAST_ADMIN as above. */
	enum ua_err (*remove)(void *arg, int64_t id);

	/*
	 * Store a new hash.  With "revoke_tokens", bump the token version
	 * so every token issued before is refused (a password change);
	 * without, it is a silent rehash after login.  With "expected"
	 * (else NULL), only if the stored hash is still exactly that one:
	 * UA_ERR_NOT_FOUND otherwise.
	 */
	enum ua_err (*set_password)(void *arg, int64_t id, const char *hash,
	    const char *expected, bool revoke_tokens);
};

struct ua_user_repo {
	const struct ua_user_repo_ops *ops;
	void			      *arg;
};

/*
 * Failed logins, counted per email and client address.  An attempt is
 * reserved as a failure before the password is checked, in one atomic
 * step with the count, so parallel attempts cannot all pass the limit.
 */
struct ua_login_repo_ops {
	/*
	 * Under "max" failures of ("email", "client") in the last
	 * "window_s" seconds: record this attempt as one more, "*attempt"
	 * naming it, and UA_OK.  Otherwise UA_ERR_TOO_MANY and the seconds
	 * until the oldest leaves the window in "*retry_after_s" (>= 1).
	 */
	enum ua_err (*reserve)(void *arg, const char *email, const char *client,
	    int window_s, int max, int64_t *attempt, int *retry_after_s);
	/* Forget "attempt": it was neither a success nor a failure. */
	enum ua_err (*release)(void *arg, int64_t attempt);
	/* A success: forget the failures of ("email", "client"). */
	enum ua_err (*clear)(void *arg, const char *email, const char *client);
	/*
	 * Delete everyone's failures older than "window_s" seconds (they
	 * count no more), their number in "*deleted".
	 */
	enum ua_err (*prune)(void *arg, int window_s, int64_t *deleted);
};

struct ua_login_repo {
	const struct ua_login_repo_ops *ops;
	void			       *arg;
};

/* The PostgreSQL implementations; "arg" is the worker's struct ua_db. */
extern const struct ua_user_repo_ops  ua_user_repo_pg;
extern const struct ua_login_repo_ops ua_login_repo_pg;

#pragma GCC visibility pop
#endif
