/*
 * user_service.c -- registration and the user directory's rules.
 */
#include "config.h"

#include <string.h>

#include "userapi/alloc.h"
#include "userapi/log.h"
#include "userapi/password.h"
#include "userapi/services.h"

enum ua_err
ua_user_register(const struct ua_services *svc, const struct ua_user_create *in,
    struct ua_user *out)
{
	return ua_user_create(svc, in, UA_ROLE_USER, out);
}

enum ua_err
ua_user_create(const struct ua_services *svc, const struct ua_user_create *in,
    enum ua_role role, struct ua_user *out)
{
	char	    hash[UA_PASSWORD_HASH_MAX];
	enum ua_err er;

	if ((er = ua_password_hash(svc->settings->password_hash,
		 svc->settings->bcrypt_cost, in->password, hash)) != UA_OK)
		return er;
	er = svc->users.ops->insert(svc->users.arg, in->email, in->name, hash,
	    role, out);
	ua_secure_zero(hash, sizeof(hash));
	return er;
}

enum ua_err
ua_user_page_with_caller(const struct ua_services *svc, int64_t caller_id,
    const char *sid, int64_t page, int64_t limit, struct ua_user *caller,
    struct ua_credentials *cred, struct ua_user *items, size_t *n,
    int64_t *total)
{
	int64_t offset;

	/* A page so far out that the offset overflows is just past the end. */
	if (page - 1 > INT64_MAX / limit)
		offset = INT64_MAX;
	else
		offset = (page - 1) * limit;
	return svc->users.ops->list(svc->users.arg, caller_id, sid, caller,
	    cred, offset, limit, items, n, total);
}

enum ua_err
ua_user_list(const struct ua_services *svc, int64_t sub, int64_t ver,
    const char *sid, int64_t page, int64_t limit, struct ua_user *caller,
    struct ua_user *items, size_t *n, int64_t *total)
{
	struct ua_credentials cred;
	enum ua_err	      er;

	er = ua_user_page_with_caller(svc, sub, sid, page, limit, caller, &cred,
	    items, n, total);
	if ((er = ua_auth_check_caller(er, &cred, ver, sid)) != UA_OK) {
		memset(caller, 0, sizeof(*caller));
		*n = 0;
		*total = 0;
	}
	return er;
}

enum ua_err
ua_user_read_with_caller(const struct ua_services *svc, int64_t caller_id,
    const char *sid, int64_t id, struct ua_user *caller,
    struct ua_credentials *cred, struct ua_user *target, bool *found)
{
	return svc->users.ops->get_caller_and_target(svc->users.arg, caller_id,
	    sid, caller, cred, id, target, found);
}

static bool
may_manage(const struct ua_user *actor, int64_t id)
{
	return actor->id == id || actor->role == UA_ROLE_ADMIN;
}

enum ua_err
ua_user_update(const struct ua_services *svc, const struct ua_user *actor,
    int64_t id, const struct ua_user_update *in, struct ua_user *out)
{
	struct ua_user_patch patch;

	if (!may_manage(actor, id))
		return UA_ERR_FORBIDDEN;
	if (in->has_role && actor->role != UA_ROLE_ADMIN)
		return UA_ERR_FORBIDDEN;

	memset(&patch, 0, sizeof(patch));
	if ((patch.has_email = in->has_email))
		memcpy(patch.email, in->email, sizeof(patch.email));
	if ((patch.has_name = in->has_name))
		memcpy(patch.name, in->name, sizeof(patch.name));
	if ((patch.has_role = in->has_role))
		patch.role = in->role;
	return svc->users.ops->update(svc->users.arg, id, &patch, out);
}

enum ua_err
ua_user_delete(const struct ua_services *svc, const struct ua_user *actor,
    int64_t id)
{
	if (!may_manage(actor, id))
		return UA_ERR_FORBIDDEN;
	return svc->users.ops->remove(svc->users.arg, id);
}
