/*
 * db.c -- the worker's one PostgreSQL connection: lazy connect,
 * timeouts, reset after failure, and the single place SQL is sent.
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

struct	ua_db {
	char	*conninfo;
	char	 options[64];	/* "-c statement_timeout=..." */
	PGconn	*conn;		/* NULL until first use */
	char	 sqlstate[6];
};

struct ua_db *
ua_db_new(const struct ua_settings *s)
{
	struct ua_db	*db = ua_xcalloc(1, sizeof(*db));

	db->conninfo = ua_xstrdup(s->database_url);
	snprintf(db->options, sizeof(db->options),
	    "-c statement_timeout=%d", s->db_statement_timeout_ms);
	return db;
}

void
ua_db_free(struct ua_db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
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
 * Connect, or reset a broken connection.  The settings' values come
 * first so that the URL's own connect_timeout/options win if it has them.
 */
static enum ua_err
ensure_connected(struct ua_db *db)
{
	char		 timeout[16];
	const char	*keys[] = { "connect_timeout", "options",
	    "application_name", "dbname", NULL };
	const char	*vals[] = { timeout, db->options, "userapi",
	    db->conninfo, NULL };

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    !server_left(db->conn))
		return UA_OK;
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
		r = PQexecParams(db->conn, sql, nparams, NULL, params,
		    NULL, NULL, 0);
		switch (PQresultStatus(r)) {
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK:
			*res = r;
			return UA_OK;
		default:
			break;
		}
		if (PQstatus(db->conn) == CONNECTION_BAD) {
			/*
			 * The server went away (a restart, say).  A read can
			 * be sent again on a new connection; a write cannot,
			 * since whether it committed is unknown.
			 */
			log_pq("connection lost", PQerrorMessage(db->conn));
			PQclear(r);
			if ((flags & UA_DB_READ_ONLY) && attempt == 0)
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

enum ua_err
ua_db_ping(struct ua_db *db)
{
	PGresult	*res;
	enum ua_err	 er;

	if ((er = ua_db_exec(db, "SELECT 1", 0, NULL, UA_DB_READ_ONLY,
	    &res)) != UA_OK)
		return UA_ERR_DB_UNAVAILABLE;
	PQclear(res);
	return UA_OK;
}
