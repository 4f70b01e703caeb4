/*
 * fake_session_repo.c -- an in-memory session repository with the
 * observable behaviour of the PostgreSQL one (see fake_session_repo.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/netaddr.h"
#include "userapi/session.h"
#include "userapi/user.h"
#include "fake_repo.h"
#include "fake_session_repo.h"

/* One row of sessions (0006_sessions.up.sql). */
struct fsess {
	char			id[UA_SESSION_ID_LEN + 1];
	int64_t			seq; /* order of creation */
	int64_t			user_id;
	int64_t			created_us;
	int64_t			last_used_us;
	int64_t			expires_us;
	char		       *user_agent; /* NULL: none */
	char		       *ip;
	bool			ended;
	struct ua_refresh_hash	refresh;
	bool			has_previous;
	struct ua_refresh_hash	previous;
	struct ua_refresh_hash *spent; /* session_spent_tokens: every hash
					  it spent */
	size_t			nspent;
	bool			has_rotated;
	int64_t			rotated_us;
	bool			grace_used;
	int64_t			token_version;
};

struct fake_session_repo {
	struct fake_repo *users;
	struct fsess	 *rows;
	size_t		  nrows;
	int64_t		  next_seq;
	enum ua_err	  fail_op[FAKE_SESSION__MAX];
	unsigned	  calls[FAKE_SESSION__MAX];
};

static bool attached_live(void *arg, int64_t user_id, const char *sid);

struct fake_session_repo *
fake_session_repo_new(struct fake_repo *users)
{
	struct fake_session_repo *fs = ua_xcalloc(1, sizeof(*fs));

	fs->users = users;
	fs->next_seq = 1;
	fake_repo_set_sessions(users, attached_live, fs);
	return fs;
}

static void
row_free(struct fsess *r)
{
	free(r->user_agent);
	free(r->ip);
	free(r->spent);
}

/* Keep "h" among the hashes "r" spent. */
static void
spend(struct fsess *r, const struct ua_refresh_hash *h)
{
	r->spent = ua_xrealloc(r->spent, (r->nspent + 1) * sizeof(*r->spent));
	r->spent[r->nspent++] = *h;
}

void
fake_session_repo_free(struct fake_session_repo *fs)
{
	size_t i;

	if (fs == NULL)
		return;
	fake_repo_set_sessions(fs->users, NULL, NULL);
	for (i = 0; i < fs->nrows; i++)
		row_free(&fs->rows[i]);
	free(fs->rows);
	free(fs);
}

struct ua_session_repo
fake_session_repo_sessions(struct fake_session_repo *fs)
{
	struct ua_session_repo r = { &fake_session_repo_ops, fs };

	return r;
}

void
fake_session_repo_fail_op(struct fake_session_repo *fs, enum fake_session_op op,
    enum ua_err er)
{
	if ((unsigned)op < FAKE_SESSION__MAX)
		fs->fail_op[op] = er;
}

unsigned
fake_session_repo_calls(const struct fake_session_repo *fs,
    enum fake_session_op				op)
{
	return (unsigned)op < FAKE_SESSION__MAX ? fs->calls[op] : 0;
}

/* ---------------------------------------------------------------- */
/* Helpers. */

static int64_t
now_us(const struct fake_session_repo *fs)
{
	return fake_repo_now(fs->users) * 1000000;
}

/*
 * The user's token version into "*ver"; false if the user is gone
 * (whose sessions the database deletes with the row).
 */
static bool
user_version(const struct fake_session_repo *fs, int64_t user_id, int64_t *ver)
{
	struct ua_credentials cred;

	if (!fake_repo_peek(fs->users, user_id, NULL, &cred))
		return false;
	*ver = cred.token_version;
	return true;
}

/* session_repo_pg.c's LIVE(): not ended, not expired, the user's version. */
static bool
is_live(const struct fake_session_repo *fs, const struct fsess *r)
{
	int64_t ver;

	return !r->ended && r->expires_us > now_us(fs) &&
	    user_version(fs, r->user_id, &ver) && ver == r->token_version;
}

/* ON DELETE CASCADE: drop the rows of users no longer there. */
static void
cascade(struct fake_session_repo *fs)
{
	size_t	i, j;
	int64_t ver;

	for (i = j = 0; i < fs->nrows; i++)
		if (user_version(fs, fs->rows[i].user_id, &ver))
			fs->rows[j++] = fs->rows[i];
		else
			row_free(&fs->rows[i]);
	fs->nrows = j;
}

/* Count a call of "op"; the error it must give, or UA_OK to go on. */
static enum ua_err
enter(struct fake_session_repo *fs, enum fake_session_op op)
{
	enum ua_err er;

	fs->calls[op]++;
	er = fs->fail_op[op];
	fs->fail_op[op] = UA_OK;
	cascade(fs);
	return er;
}

static bool
hash_eq(const struct ua_refresh_hash *a, const struct ua_refresh_hash *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/* The row holding "h" as its current hash (the unique index), or NULL. */
static struct fsess *
find_current(const struct fake_session_repo *fs,
    const struct ua_refresh_hash	    *h)
{
	size_t i;

	for (i = 0; i < fs->nrows; i++)
		if (hash_eq(&fs->rows[i].refresh, h))
			return &fs->rows[i];
	return NULL;
}

/* Is row "a" newer than row "b" (created_at DESC)? */
static bool
newer(const struct fsess *a, const struct fsess *b)
{
	if (a->created_us != b->created_us)
		return a->created_us > b->created_us;
	return a->seq > b->seq;
}

static int
cmp_newest_first(const void *pa, const void *pb)
{
	const struct fsess *const *a = pa, *const *b = pb;

	return newer(*a, *b) ? -1 : newer(*b, *a) ? 1 : 0;
}

/*
 * The live sessions of "user_id" newest first into "*out" (caller
 * frees the array, not the rows); how many.
 */
static size_t
live_of(const struct fake_session_repo *fs, int64_t user_id,
    struct fsess ***out)
{
	size_t i, n = 0;

	*out = ua_xcalloc(fs->nrows + 1, sizeof(**out));
	for (i = 0; i < fs->nrows; i++)
		if (fs->rows[i].user_id == user_id && is_live(fs, &fs->rows[i]))
			(*out)[n++] = &fs->rows[i];
	qsort(*out, n, sizeof(**out), cmp_newest_first);
	return n;
}

/* What a refresh grants from row "r", as GRANT_COLS. */
static void
grant(const struct fake_session_repo *fs, const struct fsess *r,
    struct ua_session_grant *out)
{
	int64_t left = r->expires_us - now_us(fs);

	memset(out, 0, sizeof(*out));
	memcpy(out->sid, r->id, sizeof(out->sid));
	out->user_id = r->user_id;
	(void)user_version(fs, r->user_id, &out->token_version);
	/* ceil() of the seconds left, as the query computes it. */
	out->expires_in = left > 0 ? (left + 999999) / 1000000 : left / 1000000;
}

static bool
attached_live(void *arg, int64_t user_id, const char *sid)
{
	return fake_session_repo_live(arg, user_id, sid);
}

bool
fake_session_repo_live(const struct fake_session_repo *fs, int64_t user_id,
    const char *sid)
{
	size_t i;

	/* ua_pg_sid_param(): anything else is no session. */
	if (sid == NULL || !ua_session_id_valid(sid))
		return false;
	for (i = 0; i < fs->nrows; i++)
		if (strcmp(fs->rows[i].id, sid) == 0 &&
		    fs->rows[i].user_id == user_id)
			return is_live(fs, &fs->rows[i]);
	return false;
}

size_t
fake_session_repo_nrows(const struct fake_session_repo *fs)
{
	int64_t ver;
	size_t	i, n = 0;

	for (i = 0; i < fs->nrows; i++)
		if (user_version(fs, fs->rows[i].user_id, &ver))
			n++;
	return n;
}

size_t
fake_session_repo_nlive(const struct fake_session_repo *fs, int64_t user_id)
{
	size_t i, n = 0;

	for (i = 0; i < fs->nrows; i++)
		if (fs->rows[i].user_id == user_id && is_live(fs, &fs->rows[i]))
			n++;
	return n;
}

/* ---------------------------------------------------------------- */
/*
 * struct ua_session_repo_ops.  Each operation counts its call, gives a
 * pending failure instead of doing anything, and otherwise does what
 * session_repo_pg.c's statement does to the same rows; out-parameters
 * are zeroed on every error.
 */

static enum ua_err
fake_start(void *arg, const struct ua_session_start *in, int cap,
    char sid[UA_SESSION_ID_LEN + 1])
{
	struct fake_session_repo *fs = arg;
	struct fsess		 *r, **live;
	enum ua_err		  er;
	int64_t			  ver, keep = cap > 1 ? cap - 1 : 0;
	size_t			  i, j, n;

	sid[0] = '\0';
	if ((er = enter(fs, FAKE_SESSION_START)) != UA_OK)
		return er;
	/* NOT NULL ip and the unique index on refresh_hash. */
	if (in->ip == NULL || find_current(fs, &in->refresh) != NULL)
		return UA_ERR_DB;
	if (!user_version(fs, in->user_id, &ver) || ver != in->token_version)
		return UA_ERR_NOT_FOUND;

	/* The user's ended, expired and superseded sessions go. */
	for (i = j = 0; i < fs->nrows; i++) {
		r = &fs->rows[i];
		if (r->user_id == in->user_id &&
		    (r->ended || r->expires_us <= now_us(fs) ||
			r->token_version != in->token_version))
			row_free(r);
		else
			fs->rows[j++] = *r;
	}
	fs->nrows = j;

	/* The oldest live ones beyond cap - 1 end. */
	n = live_of(fs, in->user_id, &live);
	for (i = (size_t)keep; i < n; i++)
		live[i]->ended = true;
	free(live);

	fs->rows = ua_xrealloc(fs->rows, (fs->nrows + 1) * sizeof(*fs->rows));
	r = &fs->rows[fs->nrows++];
	memset(r, 0, sizeof(*r));
	r->seq = fs->next_seq++;
	/* A version 4 UUID's shape, made from the sequence. */
	snprintf(r->id, sizeof(r->id), "%08llx-0000-4000-8000-%012llx",
	    (unsigned long long)(r->seq * 2654435761u & 0xffffffffu),
	    (unsigned long long)r->seq);
	r->user_id = in->user_id;
	r->created_us = r->last_used_us = now_us(fs);
	r->expires_us =
	    now_us(fs) + (int64_t)in->lifetime_days * 86400 * 1000000;
	r->user_agent =
	    in->user_agent != NULL ? ua_xstrdup(in->user_agent) : NULL;
	r->ip = ua_xstrdup(in->ip);
	r->refresh = in->refresh;
	r->token_version = in->token_version;
	memcpy(sid, r->id, UA_SESSION_ID_LEN + 1);
	return UA_OK;
}

static enum ua_err
fake_rotate(void *arg, const struct ua_refresh_hash *old,
    const struct ua_refresh_hash *fresh, struct ua_session_grant *out)
{
	struct fake_session_repo *fs = arg;
	struct fsess		 *r;
	enum ua_err		  er;

	memset(out, 0, sizeof(*out));
	if ((er = enter(fs, FAKE_SESSION_ROTATE)) != UA_OK)
		return er;
	if ((r = find_current(fs, old)) == NULL || !is_live(fs, r))
		return UA_ERR_NOT_FOUND;
	if (!hash_eq(old, fresh) && find_current(fs, fresh) != NULL)
		return UA_ERR_DB; /* the unique index */
	r->previous = r->refresh;
	r->has_previous = true;
	spend(r, &r->refresh);
	r->refresh = *fresh;
	r->has_rotated = true;
	r->rotated_us = now_us(fs);
	r->grace_used = false;
	r->last_used_us = now_us(fs);
	grant(fs, r, out);
	return UA_OK;
}

static enum ua_err
fake_grace(void *arg, const struct ua_refresh_hash *old,
    const struct ua_refresh_hash *fresh, int reuse_s,
    struct ua_session_grant *out)
{
	struct fake_session_repo *fs = arg;
	struct fsess		 *r;
	enum ua_err		  er;
	size_t			  i;

	memset(out, 0, sizeof(*out));
	if ((er = enter(fs, FAKE_SESSION_GRACE)) != UA_OK)
		return er;
	if (reuse_s < 0)
		reuse_s = 0;
	for (i = 0; i < fs->nrows; i++) {
		r = &fs->rows[i];
		if (!r->has_previous || !hash_eq(&r->previous, old) ||
		    r->grace_used || !r->has_rotated ||
		    r->rotated_us < now_us(fs) - (int64_t)reuse_s * 1000000 ||
		    !is_live(fs, r))
			continue;
		if (find_current(fs, fresh) != NULL)
			return UA_ERR_DB; /* the unique index */
		spend(r, &r->refresh);
		r->refresh = *fresh;
		r->grace_used = true;
		r->last_used_us = now_us(fs);
		grant(fs, r, out);
		return UA_OK;
	}
	return UA_ERR_NOT_FOUND;
}

/* Did "r" ever spend "h"? */
static bool
spent(const struct fsess *r, const struct ua_refresh_hash *h)
{
	size_t i;

	for (i = 0; i < r->nspent; i++)
		if (hash_eq(&r->spent[i], h))
			return true;
	return false;
}

static enum ua_err
fake_end_spent(void *arg, const struct ua_refresh_hash *old, bool *ended)
{
	struct fake_session_repo *fs = arg;
	struct fsess		 *r;
	enum ua_err		  er;
	size_t			  i;

	*ended = false;
	if ((er = enter(fs, FAKE_SESSION_END_SPENT)) != UA_OK)
		return er;
	/* As SQL_END_SPENT: any session not yet ended, expired or not. */
	for (i = 0; i < fs->nrows; i++) {
		r = &fs->rows[i];
		if (r->ended || !spent(r, old))
			continue;
		r->ended = true;
		*ended = true;
	}
	return UA_OK;
}

static enum ua_err
fake_end(void *arg, int64_t user_id, const char *sid,
    enum ua_session_scope scope, bool revoke_tokens, int64_t *ended)
{
	struct fake_session_repo *fs = arg;
	struct fsess		**live;
	enum ua_err		  er;
	size_t			  i, n;
	bool			  named, hit;

	*ended = 0;
	if ((er = enter(fs, FAKE_SESSION_END)) != UA_OK)
		return er;
	if ((unsigned)scope >= UA_SESSIONS__MAX)
		return UA_ERR_INTERNAL;
	/* As pg_end(): only an id this API wrote reaches the ::uuid cast. */
	named = sid != NULL && sid[0] != '\0';
	if (named && !ua_session_id_valid(sid))
		return scope == UA_SESSIONS_ONE ? UA_OK : UA_ERR_INTERNAL;

	/* One statement: which sessions are live is read before the bump. */
	n = live_of(fs, user_id, &live);
	for (i = 0; i < n; i++) {
		switch (scope) {
		case UA_SESSIONS_ONE:
			hit = named && strcmp(live[i]->id, sid) == 0;
			break;
		case UA_SESSIONS_OTHERS:
			hit = !named || strcmp(live[i]->id, sid) != 0;
			break;
		default:
			hit = true;
			break;
		}
		if (hit) {
			live[i]->ended = true;
			(*ended)++;
		}
	}
	free(live);
	if (revoke_tokens)
		(void)fake_repo_bump_token_version(fs->users, user_id);
	return UA_OK;
}

static enum ua_err
fake_list(void *arg, int64_t user_id, const char *sid, struct ua_session *items,
    size_t max, size_t *n)
{
	struct fake_session_repo *fs = arg;
	struct fsess		**live;
	struct ua_session	 *s;
	enum ua_err		  er;
	size_t			  i, nlive;

	*n = 0;
	if ((er = enter(fs, FAKE_SESSION_LIST)) != UA_OK)
		return er;
	if (sid != NULL && !ua_session_id_valid(sid))
		sid = NULL;
	nlive = live_of(fs, user_id, &live);
	for (i = 0; i < nlive && i < max; i++) {
		s = &items[i];
		memset(s, 0, sizeof(*s));
		/* A row the model cannot hold is schema drift, as ua_pg_model(). */
		if (strlen(live[i]->ip) >= sizeof(s->ip)) {
			er = UA_ERR_DB;
			break;
		}
		memcpy(s->id, live[i]->id, sizeof(s->id));
		s->created_us = live[i]->created_us;
		s->last_used_us = live[i]->last_used_us;
		s->expires_us = live[i]->expires_us;
		s->user_agent = live[i]->user_agent != NULL ?
		    ua_xstrdup(live[i]->user_agent) :
		    NULL;
		strcpy(s->ip, live[i]->ip);
		s->current = sid != NULL && strcmp(live[i]->id, sid) == 0;
		*n = i + 1;
	}
	free(live);
	if (er != UA_OK) {
		for (i = 0; i < *n; i++)
			ua_session_cleanup(&items[i]);
		*n = 0;
	}
	return er;
}

static enum ua_err
fake_prune(void *arg, int64_t *deleted)
{
	struct fake_session_repo *fs = arg;
	struct fsess		 *r;
	enum ua_err		  er;
	size_t			  i, j;

	*deleted = 0;
	if ((er = enter(fs, FAKE_SESSION_PRUNE)) != UA_OK)
		return er;
	for (i = j = 0; i < fs->nrows; i++) {
		r = &fs->rows[i];
		if (!is_live(fs, r)) {
			row_free(r);
			(*deleted)++;
		} else
			fs->rows[j++] = *r;
	}
	fs->nrows = j;
	return UA_OK;
}

const struct ua_session_repo_ops fake_session_repo_ops = {
	.start = fake_start,
	.rotate = fake_rotate,
	.grace = fake_grace,
	.end_spent = fake_end_spent,
	.end = fake_end,
	.list = fake_list,
	.prune = fake_prune,
};
