/*
 * migrate-db.c -- the libpq side of userapi-migrate: connect, serialise
 * runs with an advisory lock, read schema_migrations, and apply or
 * revert one migration inside one transaction.
 *
 * Every statement built here is a constant with $n parameters.  Only
 * the migration files themselves go through PQexec(): they are part of
 * the installation, not input from a client.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/numparse.h"

#include "migrate.h"

/* Columns of SQL_ROWS, in SELECT order. */
enum rcol {
	RCOL_VERSION,
	RCOL_NAME,
	RCOL_CHECKSUM,
	RCOL_APPLIED_AT,
	RCOL__MAX
};

static const char SQL_HAS_TABLE[] =
    "SELECT to_regclass('schema_migrations') IS NOT NULL";
static const char SQL_CREATE[] =
    "CREATE TABLE schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_ROWS[] = "SELECT version, name, checksum,"
			       " to_char(applied_at AT TIME ZONE 'UTC',"
			       " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
			       " FROM schema_migrations ORDER BY version";
static const char SQL_TRY_LOCK[] = "SELECT pg_try_advisory_lock($1::bigint)";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock($1::bigint)";
static const char SQL_INSERT[] =
    "INSERT INTO schema_migrations (version, name, checksum)"
    " VALUES ($1::integer, $2::text, $3::text)";
static const char SQL_DELETE[] =
    "DELETE FROM schema_migrations WHERE version = $1::integer";

/*
 * Log "msg" (a libpq message, possibly several lines) one line at a
 * time, each after "prefix".
 */
static void
log_lines(const char *prefix, const char *msg)
{
	const char *nl;

	while (msg != NULL && *msg != '\0') {
		nl = strchr(msg, '\n');
		if (nl == NULL)
			nl = msg + strlen(msg);
		if (nl > msg)
			ua_log_err("%s%.*s", prefix, (int)(nl - msg), msg);
		msg = *nl == '\0' ? nl : nl + 1;
	}
}

/*
 * Server messages below ERROR go to the log as one line each: WARNINGs
 * as warnings, the rest (NOTICE, INFO) as information.
 */
static void
notice(void *arg, const PGresult *res)
{
	const char *sev, *raw, *msg;

	(void)arg;
	sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	raw = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (sev == NULL || msg == NULL)
		return;
	if (raw != NULL && strcmp(raw, "WARNING") == 0)
		ua_log_warn("%s: %s", sev, msg);
	else
		ua_log_info("%s: %s", sev, msg);
}

/*
 * Connect to "conninfo" (a libpq URI or key=value string), naming the
 * session userapi-migrate unless "conninfo" names it otherwise.  On
 * UA_OK "*conn" is open and the caller PQfinish()es it; otherwise it is
 * NULL and the cause is logged: UA_ERR_DB_UNAVAILABLE.
 */
enum ua_err
mig_db_connect(const char *conninfo, PGconn **conn)
{
	const char *const keys[] = { "application_name", "dbname", NULL };
	const char *const vals[] = { "userapi-migrate", conninfo, NULL };
	PGresult	 *res;
	char		 *msg, *p, *q;

	*conn = PQconnectdbParams(keys, vals, 1);
	if (*conn == NULL || PQstatus(*conn) != CONNECTION_OK) {
		/* libpq's message, its lines and indents joined into one. */
		msg = ua_xstrdup(
		    *conn != NULL ? PQerrorMessage(*conn) : "out of memory");
		for (p = q = msg; *p != '\0'; p++) {
			if (*p == '\n') {
				while (p[1] == ' ' || p[1] == '\t')
					p++;
				if (p[1] != '\0')
					*q++ = ' ';
			} else
				*q++ = *p;
		}
		*q = '\0';
		ua_log_err("cannot connect to the database: %s", msg);
		free(msg);
		PQfinish(*conn);
		*conn = NULL;
		return UA_ERR_DB_UNAVAILABLE;
	}
	PQsetNoticeReceiver(*conn, notice, NULL);
	/*
	 * The workers' statement timeout may be the role's default in the
	 * database (userapi-admin set-statement-timeout); a migration that
	 * builds an index, or waits for another run's lock, must outlast it.
	 */
	res = PQexec(*conn, "SET statement_timeout = 0");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_lines("", PQerrorMessage(*conn));
		PQclear(res);
		PQfinish(*conn);
		*conn = NULL;
		return UA_ERR_DB_UNAVAILABLE;
	}
	PQclear(res);
	return UA_OK;
}

/*
 * Run the constant statement "sql" with "n" text parameters and expect
 * "want".  Returns the result, which the caller PQclear()s, or NULL
 * with the server's message logged.
 */
static PGresult *
query(PGconn *conn, const char *sql, int n, const char *const *params,
    ExecStatusType want)
{
	PGresult *res;

	res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	if (res != NULL && PQresultStatus(res) == want)
		return res;
	log_lines("",
	    res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	PQclear(res);
	return NULL;
}

/*
 * Take the session-level advisory lock MIG_LOCK_KEY, waiting for as long
 * as another run holds it (and saying so).  It is held until the
 * connection closes.  Returns UA_OK or UA_ERR_DB (logged).
 */
enum ua_err
mig_db_lock(PGconn *conn)
{
	const char *const params[1] = { MIG_LOCK_KEY };
	PGresult	 *res;
	bool		  got;

	if ((res = query(conn, SQL_TRY_LOCK, 1, params, PGRES_TUPLES_OK)) ==
	    NULL)
		return UA_ERR_DB;
	got = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (got)
		return UA_OK;

	ua_log_info("another migration run holds the lock; waiting for it");
	if ((res = query(conn, SQL_LOCK, 1, params, PGRES_TUPLES_OK)) == NULL)
		return UA_ERR_DB;
	PQclear(res);
	return UA_OK;
}

/*
 * Copy row "i" of "res" (SQL_ROWS) into "r".  Returns false on a NULL, a
 * version out of range or a checksum of the wrong size.
 */
static bool
row_get(const PGresult *res, int i, struct mig_row *r)
{
	int64_t v;
	int	c;

	for (c = 0; c < RCOL__MAX; c++)
		if (PQgetisnull(res, i, c))
			return false;
	if (!ua_parse_int64_range(PQgetvalue(res, i, RCOL_VERSION), 1,
		MIG_VERSION_MAX, &v))
		return false;
	if (strlen(PQgetvalue(res, i, RCOL_CHECKSUM)) >= sizeof(r->sum) ||
	    strlen(PQgetvalue(res, i, RCOL_APPLIED_AT)) >= sizeof(r->at))
		return false;
	r->version = (int)v;
	r->name = ua_xstrdup(PQgetvalue(res, i, RCOL_NAME));
	snprintf(r->sum, sizeof(r->sum), "%s",
	    PQgetvalue(res, i, RCOL_CHECKSUM));
	snprintf(r->at, sizeof(r->at), "%s",
	    PQgetvalue(res, i, RCOL_APPLIED_AT));
	return true;
}

/*
 * Fill "rows" from schema_migrations, sorted by version.  A missing
 * table is created when "create" is true and read as empty otherwise,
 * so read-only commands write nothing.  Returns UA_OK or UA_ERR_DB
 * (logged).  Free "rows" with mig_rows_free() in every case.
 */
enum ua_err
mig_db_rows(PGconn *conn, bool create, struct mig_rows *rows)
{
	PGresult   *res;
	enum ua_err er = UA_ERR_DB;
	bool	    exists;
	int	    i, n;

	memset(rows, 0, sizeof(*rows));
	if ((res = query(conn, SQL_HAS_TABLE, 0, NULL, PGRES_TUPLES_OK)) ==
	    NULL)
		return UA_ERR_DB;
	exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!exists && !create)
		return UA_OK;
	if (!exists) {
		if ((res = query(conn, SQL_CREATE, 0, NULL,
			 PGRES_COMMAND_OK)) == NULL)
			return UA_ERR_DB;
		PQclear(res);
	}

	if ((res = query(conn, SQL_ROWS, 0, NULL, PGRES_TUPLES_OK)) == NULL)
		return UA_ERR_DB;
	if (PQnfields(res) != RCOL__MAX) {
		ua_log_err("schema_migrations: unexpected columns");
		goto out;
	}
	n = PQntuples(res);
	rows->v = ua_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*rows->v));
	for (i = 0; i < n; i++) {
		if (!row_get(res, i, &rows->v[i])) {
			ua_log_err("schema_migrations: row %d is not a "
				   "migration record",
			    i + 1);
			goto out;
		}
		rows->n++;
	}
	er = UA_OK;
out:
	PQclear(res);
	return er;
}

/*
 * Release what "rows" holds and empty it; safe on an empty one.
 */
void
mig_rows_free(struct mig_rows *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		free(rows->v[i].name);
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}

/*
 * The line of "sql" that holds character "pos" (1-based, counted in
 * characters as PostgreSQL reports an error position, UTF-8 assumed).
 */
static int
line_of(const char *sql, long pos)
{
	int  line = 1;
	long chars = 0;

	for (; *sql != '\0'; sql++) {
		if (((unsigned char)*sql & 0xc0) != 0x80 && ++chars >= pos)
			break;
		if (*sql == '\n')
			line++;
	}
	return line;
}

/*
 * Log the failure "res" of the file "path" whose text is "sql": the
 * position as path:line when the server gives one, then the message,
 * detail, hint and context, one line each.
 */
static void
log_sql_error(const char *path, const char *sql, const PGresult *res)
{
	const char *sev, *msg, *detail, *hint, *ctx, *pos;
	char	   *prefix;
	int64_t	    p;

	sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
	pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);

	if (msg == NULL) {
		prefix = ua_xasprintf("%s: ", path);
		log_lines(prefix, PQresultErrorMessage(res));
		free(prefix);
		return;
	}
	if (pos != NULL && ua_parse_int64_range(pos, 1, INT32_MAX, &p))
		ua_log_err("%s:%d: %s: %s", path, line_of(sql, (long)p),
		    sev != NULL ? sev : "ERROR", msg);
	else
		ua_log_err("%s: %s: %s", path, sev != NULL ? sev : "ERROR",
		    msg);
	if (detail != NULL) {
		prefix = ua_xasprintf("%s: DETAIL: ", path);
		log_lines(prefix, detail);
		free(prefix);
	}
	if (hint != NULL) {
		prefix = ua_xasprintf("%s: HINT: ", path);
		log_lines(prefix, hint);
		free(prefix);
	}
	if (ctx != NULL) {
		prefix = ua_xasprintf("%s: CONTEXT: ", path);
		log_lines(prefix, ctx);
		free(prefix);
	}
}

/*
 * Apply ("up") or revert "m" in one transaction: its file, then its row
 * in schema_migrations inserted (with the checksum of exactly the text
 * that ran) or deleted.  Anything failing rolls the whole transaction
 * back, and a line says what state "m" is left in.  Returns UA_OK or
 * UA_ERR_IO / UA_ERR_INVALID (the file) / UA_ERR_DB, logged.
 */
static enum ua_err
run(PGconn *conn, const struct mig *m, bool up)
{
	char	       vbuf[UA_INT64_STRLEN];
	char	       sum[MIG_SUM_LEN];
	const char    *params[3] = { vbuf, m->name, sum };
	const char    *path = up ? m->up : m->down;
	PGresult      *res = NULL;
	char	      *sql = NULL;
	enum ua_err    er;
	ExecStatusType st;
	bool	       ended = false;

	ua_fmt_int64(vbuf, sizeof(vbuf), m->version);
	if ((er = mig_read(path, &sql, sum)) != UA_OK)
		goto out;
	er = UA_ERR_DB;
	if ((res = query(conn, "BEGIN", 0, NULL, PGRES_COMMAND_OK)) == NULL)
		goto out;
	PQclear(res);

	res = PQexec(conn, sql);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    st != PGRES_EMPTY_QUERY) {
		if (res != NULL)
			log_sql_error(path, sql, res);
		else
			log_lines("", PQerrorMessage(conn));
		goto out;
	}
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		ua_log_err("%s: ends the transaction itself (COMMIT or "
			   "ROLLBACK in the file)",
		    path);
		ended = true;
		goto out;
	}
	PQclear(res);

	if ((res = query(conn, up ? SQL_INSERT : SQL_DELETE, up ? 3 : 1, params,
		 PGRES_COMMAND_OK)) == NULL)
		goto out;
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		ua_log_err("schema_migrations: version %s is not recorded",
		    vbuf);
		goto out;
	}
	PQclear(res);

	if ((res = query(conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK)) == NULL)
		goto out;
	er = UA_OK;
out:
	PQclear(res);
	if (er != UA_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	if (er != UA_OK && ended)
		ua_log_err("migration %04d_%s is not recorded, but part of "
			   "it may have been committed; check the database",
		    m->version, m->name);
	else if (er != UA_OK)
		ua_log_err("migration %04d_%s rolled back; %s", m->version,
		    m->name,
		    up ? "nothing of it was applied" : "it is still applied");
	free(sql);
	return er;
}

/*
 * Apply "m".  Returns UA_OK, or an error (logged) after which nothing
 * of "m" remains, unless its file holds a COMMIT of its own.
 */
enum ua_err
mig_db_apply(PGconn *conn, const struct mig *m)
{
	return run(conn, m, true);
}

/*
 * Revert "m".  Returns UA_OK, or an error (logged) after which "m" is
 * still fully applied, unless its file holds a COMMIT of its own.
 */
enum ua_err
mig_db_revert(PGconn *conn, const struct mig *m)
{
	return run(conn, m, false);
}
