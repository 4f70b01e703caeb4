/*
 * fake_repo.c -- in-memory user and login-failure repositories with
 * the observable behaviour of the PostgreSQL ones (see fake_repo.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/password.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"
#include "fake_repo.h"

/* One row of users: the model, and what only authentication sees. */
struct frow {
	struct ua_user	      u;
	struct ua_credentials cred;
};

/* One row of login_failures. */
struct ffail {
	int64_t id;
	char   *email; /* lower-cased */
	char   *client;
	int64_t at_s;
};

struct fake_repo {
	struct frow	     *rows; /* ordered by id */
	size_t		      nrows;
	int64_t		      next_id;
	struct ffail	     *fails;
	size_t		      nfails;
	int64_t		      last_fail_id;
	int64_t		      now_s;
	fake_session_live_fn *session_live; /* NULL: no session is live */
	void		     *session_arg;
	enum ua_err	      fail_next; /* UA_OK: none pending */
	enum ua_err	      fail_op[FAKE_OP__MAX];
	unsigned	      calls[FAKE_OP__MAX];
};

struct fake_repo *
fake_repo_new(void)
{
	struct fake_repo *fr = ua_xcalloc(1, sizeof(*fr));

	fr->next_id = 1;
	fr->now_s = FAKE_REPO_EPOCH_S;
	return fr;
}

void
fake_repo_free(struct fake_repo *fr)
{
	size_t i;

	if (fr == NULL)
		return;
	for (i = 0; i < fr->nfails; i++) {
		free(fr->fails[i].email);
		free(fr->fails[i].client);
	}
	free(fr->rows);
	free(fr->fails);
	free(fr);
}

struct ua_user_repo
fake_repo_users(struct fake_repo *fr)
{
	struct ua_user_repo r = { &fake_user_repo_ops, fr };

	return r;
}

struct ua_login_repo
fake_repo_logins(struct fake_repo *fr)
{
	struct ua_login_repo r = { &fake_login_repo_ops, fr };

	return r;
}

void
fake_repo_set_now(struct fake_repo *fr, int64_t s)
{
	fr->now_s = s;
}

int64_t
fake_repo_now(const struct fake_repo *fr)
{
	return fr->now_s;
}

void
fake_repo_fail_next(struct fake_repo *fr, enum ua_err er)
{
	fr->fail_next = er;
}

void
fake_repo_fail_op(struct fake_repo *fr, enum fake_op op, enum ua_err er)
{
	if ((unsigned)op < FAKE_OP__MAX)
		fr->fail_op[op] = er;
}

unsigned
fake_repo_calls(const struct fake_repo *fr, enum fake_op op)
{
	return (unsigned)op < FAKE_OP__MAX ? fr->calls[op] : 0;
}

unsigned
fake_repo_total_calls(const struct fake_repo *fr)
{
	unsigned n = 0;
	int	 i;

	for (i = 0; i < FAKE_OP__MAX; i++)
		n += fr->calls[i];
	return n;
}

void
fake_repo_reset_calls(struct fake_repo *fr)
{
	memset(fr->calls, 0, sizeof(fr->calls));
}

void
fake_repo_set_sessions(struct fake_repo *fr, fake_session_live_fn *fn,
    void *arg)
{
	fr->session_live = fn;
	fr->session_arg = fn != NULL ? arg : NULL;
}

bool
fake_repo_session_live(const struct fake_repo *fr, int64_t user_id,
    const char *sid)
{
	if (fr->session_live == NULL || sid == NULL || sid[0] == '\0')
		return false;
	return fr->session_live(fr->session_arg, user_id, sid);
}

size_t
fake_repo_nusers(const struct fake_repo *fr)
{
	return fr->nrows;
}

size_t
fake_repo_nfailures(const struct fake_repo *fr)
{
	return fr->nfails;
}

/*
 * Count a call of "op" and consume a pending failure for it.  Returns
 * the error the call must give, or UA_OK to go on.
 */
static enum ua_err
enter(struct fake_repo *fr, enum fake_op op)
{
	enum ua_err er;

	fr->calls[op]++;
	if ((er = fr->fail_op[op]) != UA_OK) {
		fr->fail_op[op] = UA_OK;
		return er;
	}
	if ((er = fr->fail_next) != UA_OK)
		fr->fail_next = UA_OK;
	return er;
}

/* Is "s" at most "max" bytes long (and not NULL)? */
static bool
fits(const char *s, size_t max)
{
	return s != NULL && strnlen(s, max + 1) <= max;
}

static int64_t
now_us(const struct fake_repo *fr)
{
	return fr->now_s * 1000000;
}

/* The row of user "id", or NULL. */
static struct frow *
find_id(const struct fake_repo *fr, int64_t id)
{
	size_t i;

	for (i = 0; i < fr->nrows; i++)
		if (fr->rows[i].u.id == id)
			return &fr->rows[i];
	return NULL;
}

/* The row whose email is "email" in any case, other than "except". */
static struct frow *
find_email(const struct fake_repo *fr, const char *email, int64_t except)
{
	size_t i;

	for (i = 0; i < fr->nrows; i++)
		if (fr->rows[i].u.id != except &&
		    strcasecmp(fr->rows[i].u.email, email) == 0)
			return &fr->rows[i];
	return NULL;
}

/* Admins other than user "except". */
static size_t
other_admins(const struct fake_repo *fr, int64_t except)
{
	size_t i, n = 0;

	for (i = 0; i < fr->nrows; i++)
		if (fr->rows[i].u.id != except &&
		    fr->rows[i].u.role == UA_ROLE_ADMIN)
			n++;
	return n;
}

/*
 * As 0002's trigger, as 0006 narrowed it: if "after" differs from
 * "before" in any column but the token version, stamp updated_at with
 * now.
 */
static void
touch(const struct fake_repo *fr, const struct frow *before, struct frow *after)
{
	if (strcmp(before->u.email, after->u.email) == 0 &&
	    strcmp(before->u.name, after->u.name) == 0 &&
	    before->u.role == after->u.role &&
	    strcmp(before->cred.hash, after->cred.hash) == 0)
		return;
	after->u.has_updated = true;
	after->u.updated_us = now_us(fr);
}

/*
 * The insert itself, shared by the operation and fake_repo_add().
 * Returns UA_OK, UA_ERR_INVALID, UA_ERR_INTERNAL or UA_ERR_CONFLICT,
 * as the PostgreSQL implementation does.
 */
static enum ua_err
do_insert(struct fake_repo *fr, const char *email, const char *name,
    const char *hash, enum ua_role role, struct ua_user *out)
{
	struct frow *r;

	if (!fits(email, UA_EMAIL_MAX) || !fits(name, UA_NAME_MAX_BYTES) ||
	    !fits(hash, UA_PASSWORD_HASH_MAX - 1))
		return UA_ERR_INVALID;
	if ((unsigned)role >= UA_ROLE__MAX)
		return UA_ERR_INTERNAL;
	if (find_email(fr, email, 0) != NULL)
		return UA_ERR_CONFLICT;
	fr->rows = ua_xrealloc(fr->rows, (fr->nrows + 1) * sizeof(*fr->rows));
	r = &fr->rows[fr->nrows++];
	memset(r, 0, sizeof(*r));
	r->u.id = fr->next_id++;
	strcpy(r->u.email, email);
	strcpy(r->u.name, name);
	r->u.role = role;
	r->u.created_us = now_us(fr);
	strcpy(r->cred.hash, hash);
	*out = r->u;
	return UA_OK;
}

int64_t
fake_repo_add(struct fake_repo *fr, const char *email, const char *name,
    const char *hash, enum ua_role role)
{
	struct ua_user u;

	if (do_insert(fr, email, name, hash, role, &u) != UA_OK)
		return 0;
	return u.id;
}

bool
fake_repo_peek(const struct fake_repo *fr, int64_t id, struct ua_user *u,
    struct ua_credentials *cred)
{
	const struct frow *r;

	if ((r = find_id(fr, id)) == NULL)
		return false;
	if (u != NULL)
		*u = r->u;
	if (cred != NULL)
		*cred = r->cred;
	return true;
}

bool
fake_repo_bump_token_version(struct fake_repo *fr, int64_t id)
{
	struct frow *r;

	if ((r = find_id(fr, id)) == NULL)
		return false;
	r->cred.token_version++;
	return true;
}

/* ---------------------------------------------------------------- */
/*
 * struct ua_user_repo_ops.  Each operation counts its call, gives a
 * pending failure instead of doing anything, and otherwise returns what
 * user_repo_pg.c's does for the same data, checks in the same order
 * (not found, then last admin, then a taken email); out-parameters are
 * zeroed on every error.
 */

static enum ua_err
fake_get_by_id(void *arg, int64_t id, struct ua_user *out)
{
	struct fake_repo *fr = arg;
	struct frow	 *r;
	enum ua_err	  er;

	memset(out, 0, sizeof(*out));
	if ((er = enter(fr, FAKE_OP_GET_BY_ID)) != UA_OK)
		return er;
	if ((r = find_id(fr, id)) == NULL)
		return UA_ERR_NOT_FOUND;
	*out = r->u;
	return UA_OK;
}

static enum ua_err
fake_get_caller_and_target(void *arg, int64_t caller_id, const char *sid,
    struct ua_user *caller, struct ua_credentials *caller_cred,
    int64_t target_id, struct ua_user *target, bool *target_found)
{
	struct fake_repo *fr = arg;
	struct frow	 *c, *t;
	enum ua_err	  er;

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	memset(target, 0, sizeof(*target));
	*target_found = false;
	if ((er = enter(fr, FAKE_OP_GET_CALLER_AND_TARGET)) != UA_OK)
		return er;
	if ((c = find_id(fr, caller_id)) == NULL)
		return UA_ERR_NOT_FOUND;
	*caller = c->u;
	*caller_cred = c->cred;
	caller_cred->session_live = fake_repo_session_live(fr, caller_id, sid);
	if ((t = find_id(fr, target_id)) != NULL) {
		*target = t->u;
		*target_found = true;
	}
	return UA_OK;
}

static enum ua_err
fake_get_by_email(void *arg, const char *email, struct ua_user *out,
    struct ua_credentials *cred)
{
	struct fake_repo *fr = arg;
	struct frow	 *r;
	enum ua_err	  er;

	memset(out, 0, sizeof(*out));
	memset(cred, 0, sizeof(*cred));
	if ((er = enter(fr, FAKE_OP_GET_BY_EMAIL)) != UA_OK)
		return er;
	if ((r = find_email(fr, email, 0)) == NULL)
		return UA_ERR_NOT_FOUND;
	*out = r->u;
	*cred = r->cred;
	return UA_OK;
}

static enum ua_err
fake_list(void *arg, int64_t caller_id, const char *sid, struct ua_user *caller,
    struct ua_credentials *caller_cred, int64_t offset, int64_t limit,
    struct ua_user *items, size_t *n, int64_t *total)
{
	struct fake_repo *fr = arg;
	struct frow	 *c;
	enum ua_err	  er;
	size_t		  i;

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	*n = 0;
	*total = 0;
	if ((er = enter(fr, FAKE_OP_LIST)) != UA_OK)
		return er;
	if (offset < 0 || limit < 0)
		return UA_ERR_INVALID;
	if ((c = find_id(fr, caller_id)) == NULL)
		return UA_ERR_NOT_FOUND;
	*caller = c->u;
	*caller_cred = c->cred;
	caller_cred->session_live = fake_repo_session_live(fr, caller_id, sid);
	for (i = 0; (int64_t)i < limit && (uint64_t)offset + i < fr->nrows; i++)
		items[i] = fr->rows[offset + i].u;
	*n = i;
	*total = (int64_t)fr->nrows;
	return UA_OK;
}

static enum ua_err
fake_insert(void *arg, const char *email, const char *name, const char *hash,
    enum ua_role role, struct ua_user *out)
{
	struct fake_repo *fr = arg;
	enum ua_err	  er;

	memset(out, 0, sizeof(*out));
	if ((er = enter(fr, FAKE_OP_INSERT)) != UA_OK)
		return er;
	if ((er = do_insert(fr, email, name, hash, role, out)) != UA_OK)
		memset(out, 0, sizeof(*out));
	return er;
}

static enum ua_err
fake_update(void *arg, int64_t id, const struct ua_user_patch *patch,
    struct ua_user *out)
{
	struct fake_repo *fr = arg;
	struct frow	 *r, before;
	enum ua_err	  er;

	memset(out, 0, sizeof(*out));
	if ((er = enter(fr, FAKE_OP_UPDATE)) != UA_OK)
		return er;
	if ((patch->has_email && !fits(patch->email, UA_EMAIL_MAX)) ||
	    (patch->has_name && !fits(patch->name, UA_NAME_MAX_BYTES)))
		return UA_ERR_INVALID;
	if (patch->has_role && (unsigned)patch->role >= UA_ROLE__MAX)
		return UA_ERR_INTERNAL;
	if ((r = find_id(fr, id)) == NULL)
		return UA_ERR_NOT_FOUND;
	if (patch->has_role && patch->role != UA_ROLE_ADMIN &&
	    r->u.role == UA_ROLE_ADMIN && other_admins(fr, id) == 0)
		return UA_ERR_LAST_ADMIN;
	if (patch->has_email && find_email(fr, patch->email, id) != NULL)
		return UA_ERR_CONFLICT;

	before = *r;
	if (patch->has_email)
		strcpy(r->u.email, patch->email);
	if (patch->has_name)
		strcpy(r->u.name, patch->name);
	if (patch->has_role)
		r->u.role = patch->role;
	touch(fr, &before, r);
	*out = r->u;
	return UA_OK;
}

static enum ua_err
fake_remove(void *arg, int64_t id)
{
	struct fake_repo *fr = arg;
	struct frow	 *r;
	enum ua_err	  er;
	size_t		  i;

	if ((er = enter(fr, FAKE_OP_REMOVE)) != UA_OK)
		return er;
	if ((r = find_id(fr, id)) == NULL)
		return UA_ERR_NOT_FOUND;
	if (r->u.role == UA_ROLE_ADMIN && other_admins(fr, id) == 0)
		return UA_ERR_LAST_ADMIN;
	i = (size_t)(r - fr->rows);
	memmove(&fr->rows[i], &fr->rows[i + 1],
	    (fr->nrows - i - 1) * sizeof(*fr->rows));
	fr->nrows--;
	return UA_OK;
}

static enum ua_err
fake_set_password(void *arg, int64_t id, const char *hash, const char *expected,
    bool revoke_tokens)
{
	struct fake_repo *fr = arg;
	struct frow	 *r, before;
	enum ua_err	  er;

	if ((er = enter(fr, FAKE_OP_SET_PASSWORD)) != UA_OK)
		return er;
	if (!fits(hash, UA_PASSWORD_HASH_MAX - 1))
		return UA_ERR_INVALID;
	if ((r = find_id(fr, id)) == NULL ||
	    (expected != NULL && strcmp(r->cred.hash, expected) != 0))
		return UA_ERR_NOT_FOUND;
	before = *r;
	strcpy(r->cred.hash, hash);
	if (revoke_tokens)
		r->cred.token_version++;
	touch(fr, &before, r);
	return UA_OK;
}

const struct ua_user_repo_ops fake_user_repo_ops = {
	.get_by_id = fake_get_by_id,
	.get_caller_and_target = fake_get_caller_and_target,
	.get_by_email = fake_get_by_email,
	.list = fake_list,
	.insert = fake_insert,
	.update = fake_update,
	.remove = fake_remove,
	.set_password = fake_set_password,
};

/* ---------------------------------------------------------------- */
/*
 * struct ua_login_repo_ops, as login_repo_pg.c's, on the fake's clock
 * in whole seconds: a failure at "t" counts while t > now - window, and
 * retry-after is its t + window - now, at least 1.
 */

static void
fail_free(struct ffail *f)
{
	free(f->email);
	free(f->client);
}

/* Does failure "f" belong to ("email", "client")? */
static bool
fail_is(const struct ffail *f, const char *email, const char *client)
{
	return strcasecmp(f->email, email) == 0 &&
	    strcmp(f->client, client) == 0;
}

static enum ua_err
fake_reserve(void *arg, const char *email, const char *client, int window_s,
    int max, int64_t *attempt, int *retry_after_s)
{
	struct fake_repo *fr = arg;
	struct ffail	 *f;
	enum ua_err	  er;
	int64_t		  oldest = 0, since = fr->now_s - window_s;
	size_t		  i, j;
	int		  n = 0;
	char		 *p;

	*attempt = 0;
	*retry_after_s = 0;
	if ((er = enter(fr, FAKE_OP_RESERVE)) != UA_OK)
		return er;

	/* Forget every failure that has left the window. */
	for (i = j = 0; i < fr->nfails; i++)
		if (fr->fails[i].at_s > since)
			fr->fails[j++] = fr->fails[i];
		else
			fail_free(&fr->fails[i]);
	fr->nfails = j;

	for (i = 0; i < fr->nfails; i++) {
		if (!fail_is(&fr->fails[i], email, client))
			continue;
		if (n++ == 0 || fr->fails[i].at_s < oldest)
			oldest = fr->fails[i].at_s;
	}
	if (n >= max) {
		*retry_after_s = 1;
		if (oldest + window_s - fr->now_s > 1)
			*retry_after_s = (int)(oldest + window_s - fr->now_s);
		return UA_ERR_TOO_MANY;
	}

	fr->fails =
	    ua_xrealloc(fr->fails, (fr->nfails + 1) * sizeof(*fr->fails));
	f = &fr->fails[fr->nfails++];
	f->id = ++fr->last_fail_id;
	f->email = ua_xstrdup(email);
	for (p = f->email; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	f->client = ua_xstrdup(client);
	f->at_s = fr->now_s;
	*attempt = f->id;
	return UA_OK;
}

static enum ua_err
fake_release(void *arg, int64_t attempt)
{
	struct fake_repo *fr = arg;
	enum ua_err	  er;
	size_t		  i, j;

	if ((er = enter(fr, FAKE_OP_RELEASE)) != UA_OK)
		return er;
	for (i = j = 0; i < fr->nfails; i++)
		if (fr->fails[i].id != attempt)
			fr->fails[j++] = fr->fails[i];
		else
			fail_free(&fr->fails[i]);
	fr->nfails = j;
	return UA_OK;
}

static enum ua_err
fake_clear(void *arg, const char *email, const char *client)
{
	struct fake_repo *fr = arg;
	enum ua_err	  er;
	size_t		  i, j;

	if ((er = enter(fr, FAKE_OP_CLEAR)) != UA_OK)
		return er;
	for (i = j = 0; i < fr->nfails; i++)
		if (!fail_is(&fr->fails[i], email, client))
			fr->fails[j++] = fr->fails[i];
		else
			fail_free(&fr->fails[i]);
	fr->nfails = j;
	return UA_OK;
}

static enum ua_err
fake_prune(void *arg, int window_s, int64_t *deleted)
{
	struct fake_repo *fr = arg;
	size_t		  i, j;

	*deleted = 0;
	for (i = j = 0; i < fr->nfails; i++)
		if (fr->fails[i].at_s > fr->now_s - window_s)
			fr->fails[j++] = fr->fails[i];
		else
			fail_free(&fr->fails[i]);
	*deleted = (int64_t)(fr->nfails - j);
	fr->nfails = j;
	return UA_OK;
}

const struct ua_login_repo_ops fake_login_repo_ops = {
	.reserve = fake_reserve,
	.release = fake_release,
	.clear = fake_clear,
	.prune = fake_prune,
};
