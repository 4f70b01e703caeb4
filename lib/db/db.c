/*
 * db.c -- the worker's one PostgreSQL connection: lazy connect,
 * timeouts, reset after failure, and the single place SQL is sent.
 *
 * Statements are prepared on first use on each connection and run by
 * name afterwards, so the server parses and plans each of them once
 * per connection instead of once per request (most of what a read
 * costs PostgreSQL).  DB_PREPARED_STATEMENTS=false sends every
 * statement with its text, for poolers that cannot keep named
 * statements (PgBouncer before 1.21 in transaction pooling).
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"
#include "userapi/db.h"
#include "userapi/log.h"
#include "userapi/settings.h"

/* More distinct statements than userapi has; past it, text is sent. */
#define STMT_MAX	48

/* A statement prepared on the current connection as "ua<index>". */
struct	stmt {
	char	*sql;
	size_t	 len;
};

struct	ua_db {
	char		*conninfo;
	char		*options;	/* the URL's own, and the timeout */
	PGconn		*conn;		/* NULL until first use */
	char		 sqlstate[6];
	bool		 prepare;	/* DB_PREPARED_STATEMENTS */
	struct stmt	 stmts[STMT_MAX];
	int		 nstmts;
	bool		 in_tx;		/* between ua_db_begin() and its end */
};

/* The "options" of "conninfo", or NULL (the caller frees). */
static char *
conninfo_options(const char *conninfo)
{
	PQconninfoOption	*opts, *o;
	char			*v = NULL;

	if ((opts = PQconninfoParse(conninfo, NULL)) == NULL)
		return NULL;
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val != NULL &&
		    *o->val != '\0')
			v = ua_xstrdup(o->val);
	PQconninfoFree(opts);
	return v;
}

struct ua_db *
ua_db_new(const struct ua_settings *s)
{
	struct ua_db	*db = ua_xcalloc(1, sizeof(*db));
	char		*url_options;

	db->conninfo = ua_xstrdup(s->database_url);
	/*
	 * DB_STATEMENT_TIMEOUT_MS joins whatever "options" DATABASE_URL
	 * carries (a search_path, say) instead of being replaced by them;
	 * a statement_timeout the URL sets itself is left to win.
	 */
	url_options = conninfo_options(s->database_url);
	if (url_options != NULL && strstr(url_options, "statement_timeout"))
		db->options = url_options;
	else {
		db->options = ua_xasprintf("%s%s-c statement_timeout=%d",
		    url_options != NULL ? url_options : "",
		    url_options != NULL ? " " : "",
		    s->db_statement_timeout_ms);
		free(url_options);
	}
	db->prepare = s->db_prepared_statements;
	return db;
}

/* Forget the prepared statements: the connection that held them is gone. */
static void
forget_statements(struct ua_db *db)
{
	int	 i;

	for (i = 0; i < db->nstmts; i++)
		free(db->stmts[i].sql);
	db->nstmts = 0;
}

void
ua_db_free(struct ua_db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	forget_statements(db);
	free(db->options);
	free(db->conninfo);
	free(db);
}

enum ua_err
ua_db_check_conninfo(const char *conninfo, char *err, size_t errlen)
{
	PQconninfoOption	*opts;
	char			*msg = NULL;

	if ((opts = PQconninfoParse(conninfo, &msg)) == NULL) {
		/* libpq's message may quote the string, password included. */
		snprintf(err, errlen, "setting DATABASE_URL is not a valid "
		    "PostgreSQL URI or key=value connection string");
		PQfreemem(msg);
		return UA_ERR_CONFIG;
	}
	PQconninfoFree(opts);
	return UA_OK;
}

bool
ua_db_connected(const struct ua_db *db)
{
	return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

const char *
ua_db_sqlstate(const struct ua_db *db)
{
	return db->sqlstate;
}

/* libpq messages end in a newline; log lines must not. */
static void
log_pq(const char *what, const char *msg)
{
	int	 n = (int)strlen(msg);

	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	ua_log_err("database: %s: %.*s", what, n, msg);
}

/*
 * Has the server hung up on an idle connection?  Between statements
 * the server has nothing to say to us (we use no LISTEN), except when
 * it goes away: a restart sends a FATAL message, then closes the
 * socket.  Anything to read now means that, and one poll() spares the
 * next statement, a write perhaps, from failing on a dead connection.
 */
static bool
server_left(PGconn *conn)
{
	struct pollfd	 p;

	p.fd = PQsocket(conn);
	p.events = POLLIN;
	p.revents = 0;
	if (p.fd < 0)
		return true;
	return poll(&p, 1, 0) != 0;
}

/*
 * Connect, or reset a broken connection.  The settings' connect_timeout
 * comes first so that the URL's own wins; "options" comes after the URL,
 * since it already holds the URL's own with the statement timeout.
 */
static enum ua_err
ensure_connected(struct ua_db *db)
{
	char		 timeout[16];
	const char	*keys[] = { "connect_timeout", "application_name",
	    "dbname", "options", NULL };
	const char	*vals[] = { timeout, "userapi", db->conninfo,
	    db->options, NULL };

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    !server_left(db->conn))
		return UA_OK;
	if (db->in_tx) {
		/* A new connection would run the rest outside the transaction. */
		ua_log_err("database: connection lost inside a transaction");
		return UA_ERR_DB_UNAVAILABLE;
	}
	forget_statements(db);
	if (db->conn != NULL) {
		ua_log_info("database: reconnecting");
		PQreset(db->conn);
	} else {
		snprintf(timeout, sizeof(timeout), "%d",
		    UA_DB_CONNECT_TIMEOUT_S);
		db->conn = PQconnectdbParams(keys, vals, 1);
	}
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		ua_log_info("database: connected");
		return UA_OK;
	}
	log_pq("cannot connect", db->conn != NULL ?
	    PQerrorMessage(db->conn) : "out of memory");
	return UA_ERR_DB_UNAVAILABLE;
}

/* What a failed statement means for the caller. */
static enum ua_err
classify(const char *state)
{
	if (strcmp(state, "23505") == 0)
		return UA_ERR_CONFLICT;		/* unique_violation */
	if (strcmp(state, "57014") == 0 ||	/* statement timeout */
	    strncmp(state, "08", 2) == 0 ||	/* connection exception */
	    strcmp(state, "57P01") == 0 ||	/* admin shutdown */
	    strcmp(state, "57P02") == 0 ||	/* crash shutdown */
	    strcmp(state, "57P03") == 0 ||	/* cannot connect now */
	    strcmp(state, "53300") == 0)	/* too many connections */
		return UA_ERR_DB_UNAVAILABLE;
	return UA_ERR_DB;
}

static bool
result_ok(const PGresult *r)
{
	switch (PQresultStatus(r)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		return true;
	default:
		return false;
	}
}

/*
 * Did the server lose our prepared statements?  A pooler may hand us
 * another server connection (26000), or a migration changed a table a
 * statement returns rows of.  Either way nothing ran: prepare again.
 */
static bool
statements_stale(const PGresult *r)
{
	const char	*state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char	*msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	if (state == NULL)
		return false;
	return strcmp(state, "26000") == 0 ||	/* no such statement */
	    (strcmp(state, "0A000") == 0 && msg != NULL &&
	    strcmp(msg, "cached plan must not change result type") == 0);
}

/*
 * Run "sql" on the current connection: by name if it is prepared,
 * preparing it first if it is new.  Returns the result, or the
 * failed result of the PREPARE.
 */
static PGresult *
send_statement(struct ua_db *db, const char *sql, int nparams,
    const char *const *params)
{
	PGresult	*r;
	char		 name[16];
	size_t		 len = strlen(sql);
	int		 i;

	if (!db->prepare)
		return PQexecParams(db->conn, sql, nparams, NULL, params,
		    NULL, NULL, 0);
	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].len == len &&
		    memcmp(db->stmts[i].sql, sql, len) == 0)
			break;
	if (i == STMT_MAX)
		return PQexecParams(db->conn, sql, nparams, NULL, params,
		    NULL, NULL, 0);
	snprintf(name, sizeof(name), "ua%d", i);
	if (i == db->nstmts) {
		r = PQprepare(db->conn, name, sql, nparams, NULL);
		if (!result_ok(r))
			return r;
		PQclear(r);
		db->stmts[i].sql = ua_xstrdup(sql);
		db->stmts[i].len = len;
		db->nstmts++;
	}
	return PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
}

enum ua_err
ua_db_exec(struct ua_db *db, const char *sql, int nparams,
    const char *const *params, enum ua_db_flags flags, PGresult **res)
{
	PGresult	*r;
	const char	*state;
	enum ua_err	 er;
	int		 attempt;

	*res = NULL;
	db->sqlstate[0] = '\0';
	for (attempt = 0; attempt < 2; attempt++) {
		if ((er = ensure_connected(db)) != UA_OK)
			return er;
		r = send_statement(db, sql, nparams, params);
		if (result_ok(r)) {
			*res = r;
			return UA_OK;
		}
		if (attempt == 0 && db->nstmts > 0 && statements_stale(r) &&
		    PQtransactionStatus(db->conn) == PQTRANS_IDLE) {
			/* Nothing ran, so even a write may go again. */
			ua_log_info("database: preparing statements again");
			PQclear(r);
			forget_statements(db);
			r = PQexec(db->conn, "DEALLOCATE ALL");
			PQclear(r);
			continue;
		}
		if (PQstatus(db->conn) == CONNECTION_BAD) {
			/*
			 * The server went away (a restart, say).  A read can
			 * be sent again on a new connection; a write cannot,
			 * since whether it committed is unknown.
			 */
			log_pq("connection lost", PQerrorMessage(db->conn));
			PQclear(r);
			if ((flags & UA_DB_READ_ONLY) && attempt == 0 &&
			    !db->in_tx)
				continue;
			return UA_ERR_DB_UNAVAILABLE;
		}
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		snprintf(db->sqlstate, sizeof(db->sqlstate), "%s",
		    state != NULL ? state : "");
		er = classify(db->sqlstate);
		if (er == UA_ERR_CONFLICT)
			ua_log_debug("database: unique violation");
		else
			log_pq("statement failed",
			    r != NULL ? PQresultErrorMessage(r) : "no result");
		PQclear(r);
		return er;
	}
	return UA_ERR_DB_UNAVAILABLE;
}

/* Run "sql", which takes no parameters and returns no rows wanted. */
static enum ua_err
exec_command(struct ua_db *db, const char *sql, PGresult **res)
{
	return ua_db_exec(db, sql, 0, NULL, UA_DB_WRITE, res);
}

enum ua_err
ua_db_begin(struct ua_db *db)
{
	PGresult	*res;
	enum ua_err	 er;

	if (db->in_tx) {
		ua_log_err("database: a transaction is already open");
		return UA_ERR_INTERNAL;
	}
	if ((er = exec_command(db, "BEGIN ISOLATION LEVEL READ COMMITTED",
	    &res)) != UA_OK)
		return er;
	PQclear(res);
	db->in_tx = true;
	return UA_OK;
}

enum ua_err
ua_db_commit(struct ua_db *db)
{
	PGresult	*res;
	enum ua_err	 er;

	er = exec_command(db, "COMMIT", &res);
	db->in_tx = false;
	if (er != UA_OK)
		return er;
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		ua_log_err("database: transaction rolled back at commit");
		er = UA_ERR_DB;
	}
	PQclear(res);
	return er;
}

void
ua_db_rollback(struct ua_db *db)
{
	PGresult	*res;

	if (db->in_tx && ua_db_connected(db) &&
	    exec_command(db, "ROLLBACK", &res) == UA_OK)
		PQclear(res);
	db->in_tx = false;
}

bool
ua_db_in_transaction(const struct ua_db *db)
{
	return db->in_tx;
}

enum ua_err
ua_db_ping(struct ua_db *db)
{
	PGresult	*res;

	if (ua_db_exec(db, "SELECT 1", 0, NULL, UA_DB_READ_ONLY,
	    &res) != UA_OK)
		return UA_ERR_DB_UNAVAILABLE;
	PQclear(res);
	return UA_OK;
}
