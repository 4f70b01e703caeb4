/*
 * db.c -- the worker's one PostgreSQL connection: lazy connect,
 * timeouts, reset after failure, and the single place SQL is sent.
 *
 * Statements are prepared on first use on each connection and run by
 * name afterwards, so the server parses and plans each of them once
 * per connection instead of once per request (most of what a read
 * costs PostgreSQL).  DB_PREPARED_STATEMENTS=false sends every
 * statement with its text, for poolers that cannot keep named
 * statements (PgBouncer before 1.21 in transaction pooling); a worker
 * that finds its statements lost or shared says so once and does the
 * same from then on.  A worker run as plain CGI, one request per
 * process and connection, sends text too (ua_worker_main()).
 *
 * Behind such a pooler the connection's "options" do not reach the
 * server either, so the statement timeout is also kept as the role's
 * default in the database (ua_db_store_timeout()); each new connection
 * checks that the server's is the one of the settings.
 *
 * A DATABASE_URL that lists several hosts and asks for a writable one
 * (a primary and its standbys) is connected one host at a time, each
 * asked with a query whether it takes writes (hosts.c says why), from
 * the last that did.  A server found read-only under an open connection
 * (a primary turned standby) has the connection replaced.
 *
 * Answers are awaited for the statement timeout and a grace (await.c);
 * a commit that the synchronous standby did not confirm in that time
 * (PostgreSQL warns, and keeps it on the primary) answers 503 rather
 * than claim a write that a failover could lose.
 */
#include "config.h"

#include <sys/random.h>

#include <ctype.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"
#include "userapi/db.h"
#include "db/db-pg.h"
#include "userapi/log.h"
#include "userapi/settings.h"
#include "await.h"
#include "db-private.h"
#include "hosts.h"

/* More distinct statements than userapi has; past it, text is sent. */
#define STMT_MAX 48

/* A statement prepared on the current connection. */
struct stmt {
	char  *sql;
	size_t len;
	char   name[UA_DB_STMT_NAME_MAX];
};

struct ua_db {
	char		  *conninfo;
	char		  *options; /* the URL's own, and the timeout */
	PGconn		  *conn;    /* NULL until first use */
	char		   sqlstate[6];
	bool		   prepare; /* DB_PREPARED_STATEMENTS, until lost */
	struct stmt	   stmts[STMT_MAX];
	int		   nstmts;
	unsigned	   nonce;	/* part of every statement name */
	unsigned long	   seq;		/* statements prepared so far */
	bool		   in_tx;	/* between ua_db_begin() and its end */
	int		   timeout_ms;	/* DB_STATEMENT_TIMEOUT_MS */
	bool		   url_timeout; /* DATABASE_URL sets its own */
	bool		   timeout_checked; /* found right, or said wrong */
	bool		   timeout_differs;
	struct ua_db_hosts hosts;
	bool		   drop;    /* replace the connection before next use */
	bool		   gave_up; /* no answer in time: connection unusable */
	bool unreplicated;	    /* a commit the standby did not confirm */
};

void
ua_db_stmt_name(char *buf, size_t len, long pid, unsigned nonce,
    unsigned long seq)
{
	snprintf(buf, len, "ua_%ld_%08x_%lu", pid, nonce, seq);
}

bool
ua_db_pooler_symptom(const char *state, enum ua_db_step step)
{
	if (state == NULL)
		return false;
	switch (step) {
	case UA_DB_STEP_PREPARE:
		return strcmp(state, "42P05") == 0;
	case UA_DB_STEP_EXECUTE:
		return strcmp(state, "26000") == 0 ||
		    strcmp(state, "08P01") == 0;
	default:
		return false;
	}
}

/* SHOW's units of a setting kept in milliseconds, largest first. */
static const struct {
	const char *name;
	long	    ms;
} time_units[] = {
	{ "d", 86400000L },
	{ "h", 3600000L },
	{ "min", 60000L },
	{ "s", 1000L },
	{ "ms", 1L },
};

bool
ua_db_parse_timeout(const char *s, long *ms)
{
	long   v = 0;
	size_t i;
	int    d;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		d = *s - '0';
		if (v > (INT_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (*s == '\0') {
		/* Only zero is shown without a unit. */
		if (v != 0)
			return false;
		*ms = 0;
		return true;
	}
	for (i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++)
		if (strcmp(s, time_units[i].name) == 0) {
			if (v > INT_MAX / time_units[i].ms)
				return false;
			*ms = v * time_units[i].ms;
			return true;
		}
	return false;
}

/* The "options" of "conninfo", or NULL (the caller frees). */
static char *
conninfo_options(const char *conninfo)
{
	PQconninfoOption *opts, *o;
	char		 *v = NULL;

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
	struct ua_db *db = ua_xcalloc(1, sizeof(*db));
	char	     *url_options;

	db->conninfo = ua_xstrdup(s->database_url);
	/*
	 * DB_STATEMENT_TIMEOUT_MS joins whatever "options" DATABASE_URL
	 * carries (a search_path, say) instead of being replaced by them;
	 * a statement_timeout the URL sets itself is left to win.
	 */
	url_options = conninfo_options(s->database_url);
	db->timeout_ms = s->db_statement_timeout_ms;
	if (url_options != NULL && strstr(url_options, "statement_timeout")) {
		db->options = url_options;
		db->url_timeout = true;
	} else {
		db->options = ua_xasprintf("%s%s-c statement_timeout=%d",
		    url_options != NULL ? url_options : "",
		    url_options != NULL ? " " : "", s->db_statement_timeout_ms);
		free(url_options);
	}
	db->prepare = s->db_prepared_statements;
	ua_db_hosts_parse(s->database_url, &db->hosts);
	if (getrandom(&db->nonce, sizeof(db->nonce), GRND_NONBLOCK) !=
	    sizeof(db->nonce))
		db->nonce = (unsigned)getpid() ^ (unsigned)(uintptr_t)db;
	return db;
}

/* Forget the prepared statements: the connection that held them is gone. */
static void
forget_statements(struct ua_db *db)
{
	int i;

	for (i = 0; i < db->nstmts; i++)
		free(db->stmts[i].sql);
	db->nstmts = 0;
}

/* Close a connection left in an unknown state; the next use reconnects. */
static void
drop_connection(struct ua_db *db)
{
	PQfinish(db->conn);
	db->conn = NULL;
	db->gave_up = false;
	forget_statements(db);
}

void
ua_db_free(struct ua_db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	forget_statements(db);
	ua_db_hosts_free(&db->hosts);
	free(db->options);
	free(db->conninfo);
	free(db);
}

enum ua_err
ua_db_check_conninfo(const char *conninfo, char *err, size_t errlen)
{
	PQconninfoOption *opts;
	char		 *msg = NULL;

	if ((opts = PQconninfoParse(conninfo, &msg)) == NULL) {
		/* libpq's message may quote the string, password included. */
		snprintf(err, errlen,
		    "setting DATABASE_URL is not a valid "
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
	int n = (int)strlen(msg);

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
	struct pollfd p;

	p.fd = PQsocket(conn);
	p.events = POLLIN;
	p.revents = 0;
	if (p.fd < 0)
		return true;
	return poll(&p, 1, 0) != 0;
}

/*
 * Run "sql", which takes no parameters, on "conn", a new connection,
 * its answer awaited as a statement's (ua_db_await): a server or a
 * pooler that took the login and then answers nothing must not hold the
 * worker any more than a statement may.  When no answer came,
 * "*gave_up" is set: "conn" must be closed.
 */
static PGresult *
ask(const struct ua_db *db, PGconn *conn, const char *sql, bool *gave_up)
{
	*gave_up = false;
	if (!PQsendQuery(conn, sql))
		return NULL;
	return ua_db_await(conn, db->url_timeout ? 0 : db->timeout_ms, gave_up);
}

/*
 * The server's statement_timeout on this connection, in milliseconds.
 * UA_ERR_DB_UNAVAILABLE: no answer came, the connection is lost.
 */
static enum ua_err
server_timeout(struct ua_db *db, long *ms)
{
	PGresult   *r;
	enum ua_err er = UA_ERR_DB;
	bool	    gave_up;

	/*
	 * SHOW, not pg_settings: the view costs a new backend catalog
	 * lookups, and a CGI process pays for a new backend every request.
	 */
	r = ask(db, db->conn, "SHOW statement_timeout", &gave_up);
	if (gave_up) {
		ua_log_err("database: no answer to a query within %d ms of "
			   "connecting, even after cancelling it: closing the "
			   "connection",
		    db->timeout_ms);
		er = UA_ERR_DB_UNAVAILABLE;
	} else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		log_pq("reading statement_timeout", PQerrorMessage(db->conn));
	else if (PQntuples(r) != 1 || PQnfields(r) != 1 ||
	    PQgetisnull(r, 0, 0) ||
	    !ua_db_parse_timeout(PQgetvalue(r, 0, 0), ms))
		ua_log_err("database: reading statement_timeout: bad result");
	else
		er = UA_OK;
	PQclear(r);
	return er;
}

/*
 * Is the server's statement timeout the one of the settings?  A pooler
 * may drop the "options" that carry it (PgBouncer's
 * ignore_startup_parameters), and then only the role's default in the
 * database counts.  One query on a new connection, until it is found
 * right or said to be wrong, once.  UA_ERR_DB_UNAVAILABLE: it got no
 * answer, and the connection must be closed.
 */
static enum ua_err
check_timeout(struct ua_db *db)
{
	long	    ms;
	enum ua_err er;

	if (db->timeout_checked || db->url_timeout)
		return UA_OK;
	if ((er = server_timeout(db, &ms)) != UA_OK)
		return er == UA_ERR_DB_UNAVAILABLE ? er : UA_OK;
	db->timeout_checked = true;
	if (ms == db->timeout_ms)
		return UA_OK;
	db->timeout_differs = true;
	ua_log_warn(
	    "database: the server's statement_timeout is %ld ms, not "
	    "DB_STATEMENT_TIMEOUT_MS=%d (a pooler dropping the connection's "
	    "options?): run userapi-admin set-statement-timeout",
	    ms, db->timeout_ms);
	return UA_OK;
}

/*
 * Does the server behind "conn" take writes, as the URL's target wants?
 * Asked with a query, which a pooler passes to a real server.  "why"
 * says what it is when not.
 */
static bool
takes_writes(const struct ua_db *db, PGconn *conn, const char **why)
{
	PGresult   *r;
	const char *want;
	bool	    ok = false, gave_up;

	if (db->hosts.target == UA_DB_TARGET_PRIMARY) {
		r = ask(db, conn, "SELECT pg_catalog.pg_is_in_recovery()",
		    &gave_up);
		want = "f";
	} else {
		r = ask(db, conn, "SHOW transaction_read_only", &gave_up);
		want = "off";
	}
	if (gave_up)
		*why = "no answer to a query in time, even after cancelling it";
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		*why = PQerrorMessage(conn);
	else if (PQntuples(r) != 1 || PQnfields(r) != 1 ||
	    strcmp(PQgetvalue(r, 0, 0), want) != 0)
		*why = "it takes no writes (a standby?)";
	else
		ok = true;
	PQclear(r);
	return ok;
}

/*
 * Connect to the first of the URL's hosts that takes writes, from the
 * one that did last time.  The URL's other settings stay; the host, its
 * port and address replace its lists, and libpq's own check is off
 * (target_session_attrs=any): the query does it.  NULL when none does.
 */
static PGconn *
connect_writable(struct ua_db *db, const char **keys, const char **vals,
    int first)
{
	struct ua_db_hosts *h = &db->hosts;
	PGconn		   *conn;
	const char	   *why;
	size_t		    i, at;
	int		    k;

	for (i = 0; i < h->n; i++) {
		at = (h->next + i) % h->n;
		k = first;
		keys[k] = "host", vals[k++] = h->host[at];
		keys[k] = "port", vals[k++] = h->port[at];
		keys[k] = "target_session_attrs", vals[k++] = "any";
		if (h->hostaddr != NULL)
			keys[k] = "hostaddr", vals[k++] = h->hostaddr[at];
		keys[k] = NULL, vals[k] = NULL;
		conn = PQconnectdbParams(keys, vals, 1);
		if (conn == NULL)
			break;
		if (PQstatus(conn) != CONNECTION_OK)
			why = PQerrorMessage(conn);
		else if (takes_writes(db, conn, &why)) {
			h->next = at;
			return conn;
		}
		ua_log_warn("database: host %zu of %zu (%s%s%s): %s%s", at + 1,
		    h->n, h->host[at], *h->port[at] != '\0' ? ":" : "",
		    h->port[at], why, i + 1 < h->n ? "; trying the next" : "");
		PQfinish(conn);
	}
	return NULL;
}

/*
 * The server's notices and warnings, into the log.  One of them means a
 * commit was cancelled while it waited for the synchronous standby
 * (await.c cancels it when the standby is gone): the primary has it, the
 * standby may not.
 */
static void
on_notice(void *arg, const PGresult *res)
{
	struct ua_db *db = arg;
	const char   *severity, *msg;

	severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (severity != NULL && strcmp(severity, "WARNING") == 0 &&
	    msg != NULL && strstr(msg, "synchronous replication") != NULL)
		db->unreplicated = true;
	if (severity != NULL && strcmp(severity, "WARNING") == 0)
		ua_log_warn("database: the server warns: %s",
		    msg != NULL ? msg : "?");
	else
		ua_log_info("database: the server says: %s",
		    msg != NULL ? msg : "?");
}

/*
 * The keys ensure_connected() always passes; connect_writable() adds a
 * chosen host's after them, in the room left at the end of its arrays.
 */
#define URL_KEYS 4

/*
 * Connect, or reset a broken connection.  The settings' connect_timeout
 * comes first so that the URL's own wins; "options" comes after the URL,
 * since it already holds the URL's own with the statement timeout.
 */
static enum ua_err
ensure_connected(struct ua_db *db)
{
	char	    timeout[16];
	const char *keys[] = { "connect_timeout", "application_name", "dbname",
		"options", NULL, NULL, NULL, NULL, NULL };
	const char *vals[] = { timeout, "userapi", db->conninfo, db->options,
		NULL, NULL, NULL, NULL, NULL };

	if (db->conn != NULL && !db->drop &&
	    PQstatus(db->conn) == CONNECTION_OK && !server_left(db->conn))
		return UA_OK;
	if (db->in_tx) {
		/* A new connection would run the rest outside the transaction. */
		ua_log_err("database: connection lost inside a transaction");
		return UA_ERR_DB_UNAVAILABLE;
	}
	forget_statements(db);
	snprintf(timeout, sizeof(timeout), "%d", UA_DB_CONNECT_TIMEOUT_S);
	if (db->conn != NULL)
		ua_log_info("database: reconnecting");
	db->drop = false;
	if (ua_db_hosts_choose(&db->hosts)) {
		if (db->conn != NULL)
			PQfinish(db->conn);
		if ((db->conn = connect_writable(db, keys, vals, URL_KEYS)) ==
		    NULL) {
			ua_log_err("database: cannot connect: none of the %zu "
				   "hosts takes writes",
			    db->hosts.n);
			return UA_ERR_DB_UNAVAILABLE;
		}
	} else if (db->conn != NULL) {
		PQreset(db->conn);
	} else {
		db->conn = PQconnectdbParams(keys, vals, 1);
	}
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		ua_log_info("database: connected");
		PQsetNoticeReceiver(db->conn, on_notice, db);
		if (check_timeout(db) != UA_OK) {
			drop_connection(db);
			return UA_ERR_DB_UNAVAILABLE;
		}
		return UA_OK;
	}
	log_pq("cannot connect",
	    db->conn != NULL ? PQerrorMessage(db->conn) : "out of memory");
	return UA_ERR_DB_UNAVAILABLE;
}

/* What a failed statement means for the caller. */
static enum ua_err
classify(const char *state)
{
	if (strcmp(state, "23505") == 0)
		return UA_ERR_CONFLICT;	    /* unique_violation */
	if (strcmp(state, "57014") == 0 ||  /* statement timeout */
	    strncmp(state, "08", 2) == 0 || /* connection exception */
	    strcmp(state, "57P01") == 0 ||  /* admin shutdown */
	    strcmp(state, "57P02") == 0 ||  /* crash shutdown */
	    strcmp(state, "57P03") == 0 ||  /* cannot connect now */
	    strcmp(state, "25006") == 0 ||  /* read-only: a standby now */
	    strcmp(state, "53300") == 0)    /* too many connections */
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
 * Are our prepared statements out of date?  A migration changed a table
 * a statement returns rows of.  Nothing ran: prepare again.
 */
static bool
statements_stale(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	if (state == NULL)
		return false;
	return strcmp(state, "0A000") == 0 && msg != NULL &&
	    strcmp(msg, "cached plan must not change result type") == 0;
}

/*
 * Did statement "r", failed at "step" of a named statement, meet a
 * server connection that does not hold what we prepared, or holds
 * another's?  Then a pooler moves us between server connections: say
 * so once and send text from now on.  True if the statement may be
 * sent again as text (nothing ran, and outside a transaction).
 */
static bool
statements_pooled(struct ua_db *db, const PGresult *r, enum ua_db_step step)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	if (!ua_db_pooler_symptom(state, step) ||
	    PQstatus(db->conn) != CONNECTION_OK)
		return false;
	ua_log_warn(
	    "database: prepared statements are being lost or shared "
	    "between connections (a pooler in transaction mode?, SQLSTATE "
	    "%s): sending statements as text from now on; set "
	    "DB_PREPARED_STATEMENTS=false",
	    state);
	db->prepare = false;
	/* Left on the server connections: deallocating would hit others'. */
	forget_statements(db);
	return PQtransactionStatus(db->conn) == PQTRANS_IDLE;
}

/*
 * The answer to the statement just sent, if "sent" (PQsend*'s result).
 * The deadline is the settings' statement timeout; a DATABASE_URL that
 * sets its own is waited on for as long as it takes.
 */
static PGresult *
await(struct ua_db *db, int sent)
{
	bool	  gave_up;
	PGresult *r;

	if (!sent)
		return NULL;
	r = ua_db_await(db->conn, db->url_timeout ? 0 : db->timeout_ms,
	    &gave_up);
	db->gave_up |= gave_up;
	return r;
}

/*
 * Run "sql" on the current connection: by name if it is prepared,
 * preparing it first if it is new.  Returns the result, or the
 * failed result of the PREPARE; "*step" says which failed, or
 * UA_DB_STEP__MAX if the text was sent.
 *
 * Inside a transaction the text is sent: a pooler in transaction mode
 * gives it a server connection of its own, which may not hold what was
 * prepared before, and an error there could not be undone by sending
 * it again.  Transactions are few (the admin guard, the login throttle)
 * and cost a password hash anyway.
 */
static PGresult *
send_statement(struct ua_db *db, const char *sql, int nparams,
    const char *const *params, enum ua_db_step *step)
{
	PGresult    *r;
	struct stmt *st;
	size_t	     len = strlen(sql);
	int	     i;

	*step = UA_DB_STEP__MAX;
	if (!db->prepare || db->in_tx)
		return await(db,
		    PQsendQueryParams(db->conn, sql, nparams, NULL, params,
			NULL, NULL, 0));
	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].len == len &&
		    memcmp(db->stmts[i].sql, sql, len) == 0)
			break;
	if (i == STMT_MAX)
		return await(db,
		    PQsendQueryParams(db->conn, sql, nparams, NULL, params,
			NULL, NULL, 0));
	st = &db->stmts[i];
	if (i == db->nstmts) {
		ua_db_stmt_name(st->name, sizeof(st->name), (long)getpid(),
		    db->nonce, db->seq++);
		*step = UA_DB_STEP_PREPARE;
		r = await(db,
		    PQsendPrepare(db->conn, st->name, sql, nparams, NULL));
		if (!result_ok(r))
			return r;
		PQclear(r);
		st->sql = ua_xstrdup(sql);
		st->len = len;
		db->nstmts++;
	}
	*step = UA_DB_STEP_EXECUTE;
	return await(db,
	    PQsendQueryPrepared(db->conn, st->name, nparams, params, NULL, NULL,
		0));
}

enum ua_err
ua_db_exec(struct ua_db *db, const char *sql, int nparams,
    const char *const *params, enum ua_db_flags flags, PGresult **res)
{
	PGresult       *r;
	const char     *state;
	enum ua_err	er;
	enum ua_db_step step;
	int		attempt;

	*res = NULL;
	db->sqlstate[0] = '\0';
	for (attempt = 0; attempt < 2; attempt++) {
		if ((er = ensure_connected(db)) != UA_OK)
			return er;
		r = send_statement(db, sql, nparams, params, &step);
		if (db->gave_up) {
			ua_log_err(
			    "database: no answer within %d ms, even "
			    "after cancelling the statement: closing the "
			    "connection",
			    db->timeout_ms);
			drop_connection(db);
			PQclear(r);
			return UA_ERR_DB_UNAVAILABLE;
		}
		if (!result_ok(r) && step != UA_DB_STEP__MAX &&
		    statements_pooled(db, r, step)) {
			/* Nothing ran, so even a write may go again. */
			PQclear(r);
			r = send_statement(db, sql, nparams, params, &step);
		}
		if (result_ok(r) && db->unreplicated) {
			db->unreplicated = false;
			ua_log_err("database: the synchronous standby did not "
				   "confirm the commit in time (is it down?): "
				   "the primary has it, the answer is 503");
			PQclear(r);
			return UA_ERR_DB_UNAVAILABLE;
		}
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
		if (strcmp(db->sqlstate, "25006") == 0 && !db->in_tx) {
			/*
			 * The server turned standby under the connection (a
			 * pooler's new server connection, say): find the
			 * primary on the next statement.
			 */
			db->drop = true;
		}
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
	PGresult   *res;
	enum ua_err er;

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
	PGresult   *res;
	enum ua_err er;

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
	PGresult *res;

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
	PGresult *res;

	if (ua_db_exec(db, "SELECT 1", 0, NULL, UA_DB_READ_ONLY, &res) != UA_OK)
		return UA_ERR_DB_UNAVAILABLE;
	PQclear(res);
	return UA_OK;
}

bool
ua_db_timeout_differs(const struct ua_db *db)
{
	return db->timeout_differs;
}

enum ua_err
ua_db_store_timeout(struct ua_db *db, char *where, size_t len)
{
	PGresult   *r = NULL;
	char	   *role = NULL, *dbname = NULL, *sql = NULL;
	enum ua_err er;

	snprintf(where, len, "?");
	/* Not said wrong on the way: this is what puts it right. */
	db->timeout_checked = true;
	if (db->in_tx) {
		ua_log_err("database: a transaction is open");
		return UA_ERR_INTERNAL;
	}
	if (db->timeout_ms < 0 || db->timeout_ms > 86400000) {
		ua_log_err("database: DB_STATEMENT_TIMEOUT_MS=%d is out of "
			   "range",
		    db->timeout_ms);
		return UA_ERR_CONFIG;
	}
	if ((er = ensure_connected(db)) != UA_OK)
		return er;
	er = UA_ERR_DB;
	r = PQexec(db->conn, "SELECT current_user, current_database()");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 ||
	    PQnfields(r) != 2 || PQgetisnull(r, 0, 0) || PQgetisnull(r, 0, 1)) {
		log_pq("reading the role and database",
		    PQerrorMessage(db->conn));
		goto out;
	}
	/* ALTER ROLE takes no parameters: quoted identifiers, a number. */
	role = PQescapeIdentifier(db->conn, PQgetvalue(r, 0, 0),
	    strlen(PQgetvalue(r, 0, 0)));
	dbname = PQescapeIdentifier(db->conn, PQgetvalue(r, 0, 1),
	    strlen(PQgetvalue(r, 0, 1)));
	if (role == NULL || dbname == NULL) {
		log_pq("quoting the role and database",
		    PQerrorMessage(db->conn));
		goto out;
	}
	snprintf(where, len, "role %s in database %s", role, dbname);
	sql = ua_xasprintf("ALTER ROLE %s IN DATABASE %s SET "
			   "statement_timeout = %d",
	    role, dbname, db->timeout_ms);
	PQclear(r);
	r = PQexec(db->conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_pq("setting the role's statement_timeout",
		    PQerrorMessage(db->conn));
		goto out;
	}
	er = UA_OK;
out:
	PQclear(r);
	PQfreemem(role);
	PQfreemem(dbname);
	free(sql);
	return er;
}
