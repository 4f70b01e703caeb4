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
#include "userapi/schemas.h"
#include "userapi/settings.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"

struct ua_db;

struct ua_services {
	struct ua_user_repo	  users;
	struct ua_login_repo	  logins;
	const struct ua_settings *settings;
	int64_t (*now)(void); /* seconds */
};

/* The services of a worker: PostgreSQL repositories on "db". */
void ua_services_init_pg(struct ua_services *, const struct ua_settings *,
    struct ua_db *db);

/* --- user_service ---------------------------------------------------- */

/* Register: a "user"; UA_ERR_CONFLICT if the email is taken. */
enum ua_err ua_user_register(const struct ua_services *,
    const struct ua_user_create *in, struct ua_user *out);

/* The same with any role: for the admin tool, never for the API. */
enum ua_err ua_user_create(const struct ua_services *,
    const struct ua_user_create *in, enum ua_role role, struct ua_user *out);

/*
 * One page of users by id, for the bearer of a token of user "sub" at
 * version "ver", whose row is read in the same round trip into
 * "caller" and checked as ua_auth_current_user() checks it
 * (UA_ERR_BAD_TOKEN).  "items" has room for "limit".  A page past the
 * end is empty, not an error.
 */
enum ua_err ua_user_list(const struct ua_services *, int64_t sub, int64_t ver,
    int64_t page, int64_t limit, struct ua_user *caller, struct ua_user *items,
    size_t *n, int64_t *total);

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

/*
 * Check the password of "email" for a login from "client" (an address).
 * UA_OK: "*token" is a new JWT (caller frees).  UA_ERR_LOGIN_FAILED for
 * an unknown email or a wrong password alike, after the same work;
 * UA_ERR_TOO_MANY with "*retry_after" seconds past the failure limit.
 */
enum ua_err ua_auth_login(const struct ua_services *, const char *email,
    const char *password, const char *client, char **token, int *retry_after);

/*
 * The first half of the bearer check, no database: signature, pinned
 * algorithm, expiry.  UA_OK fills "*sub" and "*ver"; else
 * UA_ERR_BAD_TOKEN.
 */
enum ua_err ua_auth_verify_token(const struct ua_services *, const char *token,
    int64_t *sub, int64_t *ver);

/*
 * The second half: load user "sub" and user "target_id" (0: none) in
 * one round trip.  UA_ERR_BAD_TOKEN if the user is gone or the token's
 * version "ver" predates a password change.
 */
enum ua_err ua_auth_current_user(const struct ua_services *, int64_t sub,
    int64_t ver, struct ua_user *caller, int64_t target_id,
    struct ua_user *target, bool *target_found);

/*
 * The end of the bearer check, on the caller's row "cred" as a
 * repository read it ("found": UA_OK, UA_ERR_NOT_FOUND, or the
 * repository's error): UA_ERR_BAD_TOKEN if the user is gone or "ver"
 * predates a password change.  The hash in "cred" is wiped.
 */
enum ua_err ua_auth_check_caller(enum ua_err found, struct ua_credentials *cred,
    int64_t ver);

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

#pragma GCC visibility pop
#endif
