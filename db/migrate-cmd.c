/*
 * migrate-cmd.c -- the commands that read or change the database:
 * upgrade, downgrade, current and history.
 *
 * Each compares the directory with schema_migrations first.  A file that
 * was applied and is now missing or different makes upgrade and
 * downgrade refuse to run; current and history only warn.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/numparse.h"

#include "migrate.h"

enum state {
	STATE_OK,      /* the file is there, as it was applied */
	STATE_CHANGED, /* the file is there, with another checksum */
	STATE_MISSING  /* no file of that number and name */
};

/* Room for "base" or "NNNN". */
#define VERSION_STRLEN 8

/*
 * Parse a version number: digits only, leading zeros allowed ("0002"),
 * from "min" to MIG_VERSION_MAX.  Returns false, "*out" untouched,
 * unless "s" is exactly that.
 */
static bool
parse_version(const char *s, int min, int *out)
{
	int64_t v;

	if (s[0] == '-')
		return false;
	while (s[0] == '0' && s[1] != '\0')
		s++;
	if (!ua_parse_int64_range(s, min, MIG_VERSION_MAX, &v))
		return false;
	*out = (int)v;
	return true;
}

/* Write the version the database is at ("0002" or "base") into "buf". */
static void
current_str(const struct mig_rows *rows, char buf[VERSION_STRLEN])
{
	if (rows->n == 0)
		snprintf(buf, VERSION_STRLEN, "base");
	else
		snprintf(buf, VERSION_STRLEN, "%04d",
		    rows->v[rows->n - 1].version);
}

/*
 * How the file of the applied row "r" compares with what was applied.
 * Returns UA_OK with "*st" set, or the error (logged) of reading it.
 */
static enum ua_err
row_state(const struct mig_set *set, const struct mig_row *r, enum state *st)
{
	const struct mig *m;
	char		  sum[MIG_SUM_LEN];
	enum ua_err	  er;

	m = mig_find(set, r->version);
	if (m == NULL || strcmp(m->name, r->name) != 0) {
		*st = STATE_MISSING;
		return UA_OK;
	}
	if ((er = mig_read(m->up, NULL, sum)) != UA_OK)
		return er;
	*st = strcmp(sum, r->sum) == 0 ? STATE_OK : STATE_CHANGED;
	return UA_OK;
}

/*
 * Check every applied row against its file, naming each one that is
 * missing or changed: as errors when "strict", else as warnings.
 * Returns UA_OK, UA_ERR_INVALID (strict, and something differs) or the
 * error of reading a file; all logged.
 */
static enum ua_err
verify(const struct mig_set *set, const struct mig_rows *rows, bool strict)
{
	enum ua_err er = UA_OK, rer;
	enum state  st;
	size_t	    i;
	const char *why;

	for (i = 0; i < rows->n; i++) {
		if ((rer = row_state(set, &rows->v[i], &st)) != UA_OK)
			return rer;
		if (st == STATE_OK)
			continue;
		why = st == STATE_MISSING ? "is missing but was applied" :
					    "has changed since it was applied";
		if (strict) {
			ua_log_err("migration %04d_%s.up.sql %s; "
				   "refusing to run",
			    rows->v[i].version, rows->v[i].name, why);
			er = UA_ERR_INVALID;
		} else
			ua_log_warn("migration %04d_%s.up.sql %s",
			    rows->v[i].version, rows->v[i].name, why);
	}
	return er;
}

/* True if version "v" is among "rows". */
static bool
is_applied(const struct mig_rows *rows, int v)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		if (rows->v[i].version == v)
			return true;
	return false;
}

/*
 * Read the directory of "o" and, under the lock, the applied rows, and
 * verify them ("strict" for the commands that change the database).
 * On UA_OK both are filled; on error both are already freed.
 */
static enum ua_err
load(PGconn *conn, const struct mig_opts *o, bool write, struct mig_set *set,
    struct mig_rows *rows)
{
	enum ua_err er;

	memset(rows, 0, sizeof(*rows));
	if ((er = mig_scan(o->dir, set)) != UA_OK)
		goto out;
	if (write && (er = mig_db_lock(conn)) != UA_OK)
		goto out;
	if ((er = mig_db_rows(conn, write, rows)) != UA_OK)
		goto out;
	er = verify(set, rows, write);
out:
	if (er != UA_OK) {
		mig_set_free(set);
		mig_rows_free(rows);
	}
	return er;
}

/*
 * upgrade [head|N]: apply, in order, every migration not yet applied
 * whose version is at most N (head: the last file), printing one line
 * for each.  Stops at the first failure.  Returns UA_OK or the error,
 * logged.
 */
enum ua_err
mig_cmd_upgrade(PGconn *conn, const struct mig_opts *o)
{
	struct mig_set	set;
	struct mig_rows rows;
	enum ua_err	er;
	size_t		i;
	int		target, top, done = 0;
	char		cur[VERSION_STRLEN];

	if ((er = load(conn, o, true, &set, &rows)) != UA_OK)
		return er;
	er = UA_ERR_INVALID;
	if (o->arg == NULL || strcmp(o->arg, "head") == 0)
		target = set.n > 0 ? set.v[set.n - 1].version : 0;
	else if (!parse_version(o->arg, 1, &target) ||
	    mig_find(&set, target) == NULL) {
		ua_log_err("upgrade: \"%s\" is not head nor the number of a "
			   "migration in %s",
		    o->arg, o->dir);
		goto out;
	}

	top = rows.n > 0 ? rows.v[rows.n - 1].version : 0;
	for (i = 0; i < set.n && set.v[i].version <= target; i++) {
		if (is_applied(&rows, set.v[i].version))
			continue;
		if (set.v[i].version < top)
			ua_log_warn("applying %04d_%s after the later %04d",
			    set.v[i].version, set.v[i].name, top);
		if ((er = mig_db_apply(conn, &set.v[i])) != UA_OK)
			goto out;
		printf("applied %04d_%s\n", set.v[i].version, set.v[i].name);
		fflush(stdout);
		done++;
	}
	if (done == 0) {
		current_str(&rows, cur);
		printf("nothing to apply; at %s\n", cur);
	}
	er = UA_OK;
out:
	mig_set_free(&set);
	mig_rows_free(&rows);
	return er;
}

/*
 * Parse the argument of downgrade into either "*count" (-K: the K latest
 * applied) or "*target" (N, or base as 0: everything above it), the
 * other left at -1.  Returns false on anything else.
 */
static bool
parse_down_arg(const char *arg, const struct mig_set *set, int *count,
    int *target)
{
	*count = *target = -1;
	if (arg == NULL) {
		*count = 1;
		return true;
	}
	if (strcmp(arg, "base") == 0) {
		*target = 0;
		return true;
	}
	if (arg[0] == '-')
		return parse_version(arg + 1, 1, count);
	return parse_version(arg, 0, target) &&
	    (*target == 0 || mig_find(set, *target) != NULL);
}

/*
 * downgrade [-1|N|base]: revert the latest applied migration (-K: the K
 * latest), or every applied one above N (base: all), newest first,
 * printing one line for each.  Stops at the first failure.  Returns
 * UA_OK or the error, logged.
 */
enum ua_err
mig_cmd_downgrade(PGconn *conn, const struct mig_opts *o)
{
	struct mig_set	      set;
	struct mig_rows	      rows;
	const struct mig_row *r;
	enum ua_err	      er;
	size_t		      i;
	int		      count, target, done = 0;
	char		      cur[VERSION_STRLEN];

	if ((er = load(conn, o, true, &set, &rows)) != UA_OK)
		return er;
	er = UA_ERR_INVALID;
	if (!parse_down_arg(o->arg, &set, &count, &target)) {
		ua_log_err("downgrade: \"%s\" is not -1, base nor the number "
			   "of a migration in %s",
		    o->arg, o->dir);
		goto out;
	}

	for (i = rows.n; i > 0; i--) {
		r = &rows.v[i - 1];
		if (count >= 0 ? done >= count : r->version <= target)
			break;
		/* verify() made sure that the file is there. */
		if ((er = mig_db_revert(conn, mig_find(&set, r->version))) !=
		    UA_OK)
			goto out;
		printf("reverted %04d_%s\n", r->version, r->name);
		fflush(stdout);
		done++;
	}
	if (done == 0) {
		current_str(&rows, cur);
		printf("nothing to revert; at %s\n", cur);
	}
	er = UA_OK;
out:
	mig_set_free(&set);
	mig_rows_free(&rows);
	return er;
}

/*
 * current: print the latest applied version ("0002"), or "base".
 * Returns UA_OK or the error, logged.
 */
enum ua_err
mig_cmd_current(PGconn *conn, const struct mig_opts *o)
{
	struct mig_set	set;
	struct mig_rows rows;
	enum ua_err	er;
	char		cur[VERSION_STRLEN];

	if ((er = load(conn, o, false, &set, &rows)) != UA_OK)
		return er;
	current_str(&rows, cur);
	printf("%s\n", cur);
	mig_set_free(&set);
	mig_rows_free(&rows);
	return UA_OK;
}

/* Print one line of history; "at" is "-" when not applied. */
static void
history_line(int version, const char *name, int width, const char *what,
    const char *at)
{
	printf("%04d  %-*s  %-7s  %s\n", version, width, name, what, at);
}

/*
 * history: one line per migration, files and applied rows merged in
 * version order: number, name, state (applied, pending, changed or
 * missing) and applied_at (UTC) or "-".  Returns UA_OK or the error,
 * logged.
 */
enum ua_err
mig_cmd_history(PGconn *conn, const struct mig_opts *o)
{
	static const char *const names[] = {
		"applied", /* STATE_OK */
		"changed", /* STATE_CHANGED */
		"missing"  /* STATE_MISSING */
	};
	struct mig_set	      set;
	struct mig_rows	      rows;
	const struct mig     *m;
	const struct mig_row *r;
	enum ua_err	      er;
	enum state	      st;
	size_t		      i, j;
	int		      width = 4;

	if ((er = load(conn, o, false, &set, &rows)) != UA_OK)
		return er;
	for (i = 0; i < set.n; i++)
		if ((int)strlen(set.v[i].name) > width)
			width = (int)strlen(set.v[i].name);
	for (i = 0; i < rows.n; i++)
		if ((int)strlen(rows.v[i].name) > width)
			width = (int)strlen(rows.v[i].name);

	for (i = j = 0; i < set.n || j < rows.n;) {
		m = i < set.n ? &set.v[i] : NULL;
		r = j < rows.n ? &rows.v[j] : NULL;
		if (r == NULL || (m != NULL && m->version < r->version)) {
			history_line(m->version, m->name, width, "pending",
			    "-");
			i++;
			continue;
		}
		if ((er = row_state(&set, r, &st)) != UA_OK)
			goto out;
		history_line(r->version, r->name, width, names[st], r->at);
		/* A file of the same number but another name is pending. */
		if (m != NULL && m->version == r->version) {
			if (st == STATE_MISSING)
				history_line(m->version, m->name, width,
				    "pending", "-");
			i++;
		}
		j++;
	}
	er = UA_OK;
out:
	mig_set_free(&set);
	mig_rows_free(&rows);
	return er;
}
