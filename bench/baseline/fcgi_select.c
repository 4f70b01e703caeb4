/*
 * fcgi_select.c -- baseline (b) of bench/run: a libfcgi responder that
 * answers GET .../{id} with one primary-key SELECT on users, run as a
 * prepared statement over one persistent connection (BENCH_DATABASE_URL),
 * and returns the row as JSON.  No authentication, no validation beyond
 * the id.  Not part of userapi.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <libpq-fe.h>

#include "kept_loop.h"

static const char SQL[] =
    "SELECT id, email, name, role::text, created_at, updated_at"
    " FROM users WHERE id = $1::integer";

enum col { C_ID, C_EMAIL, C_NAME, C_ROLE, C_CREATED, C_UPDATED, C__MAX };

static PGconn *conn;

static int
db_open(void)
{
	PGresult *res;
	int	  ok;

	if (conn != NULL)
		PQfinish(conn);
	conn = PQconnectdb(getenv("BENCH_DATABASE_URL") != NULL ?
		getenv("BENCH_DATABASE_URL") :
		"");
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "fcgi_select: %s", PQerrorMessage(conn));
		return 0;
	}
	res = PQprepare(conn, "get_user", SQL, 1, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "fcgi_select: %s", PQerrorMessage(conn));
	PQclear(res);
	return ok;
}

/* The last path segment of "uri" as a positive id, or 0. */
static long
uri_id(const char *uri)
{
	const char *p;
	char	   *end;
	long	    v;

	if (uri == NULL || (p = strrchr(uri, '/')) == NULL || p[1] == '\0')
		return 0;
	errno = 0;
	v = strtol(p + 1, &end, 10);
	if (errno != 0 || (*end != '\0' && *end != '?') || v <= 0 ||
	    v > 2147483647L)
		return 0;
	return v;
}

static void
put_json_string(FCGX_Stream *out, const char *s)
{
	FCGX_PutChar('"', out);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			FCGX_PutChar('\\', out);
			FCGX_PutChar(c, out);
		} else if (c < 0x20)
			FCGX_FPrintF(out, "\\u%04x", c);
		else
			FCGX_PutChar(c, out);
	}
	FCGX_PutChar('"', out);
}

static void
answer(FCGX_Request *req)
{
	static const char notfound[] = "{\"detail\":\"User not found\"}";
	const char	 *params[1];
	char		  idbuf[16];
	PGresult	 *res = NULL;
	long		  id;

	if ((id = uri_id(FCGX_GetParam("REQUEST_URI", req->envp))) == 0)
		goto missing;
	snprintf(idbuf, sizeof(idbuf), "%ld", id);
	params[0] = idbuf;
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		if (!db_open())
			goto fail;
	res = PQexecPrepared(conn, "get_user", 1, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK ||
	    PQnfields(res) != C__MAX) {
		fprintf(stderr, "fcgi_select: %s", PQerrorMessage(conn));
		goto fail;
	}
	if (PQntuples(res) != 1)
		goto missing;
	FCGX_FPrintF(req->out,
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n\r\n{\"id\":%s,\"email\":",
	    PQgetvalue(res, 0, C_ID));
	put_json_string(req->out, PQgetvalue(res, 0, C_EMAIL));
	FCGX_PutS(",\"name\":", req->out);
	put_json_string(req->out, PQgetvalue(res, 0, C_NAME));
	FCGX_PutS(",\"role\":", req->out);
	put_json_string(req->out, PQgetvalue(res, 0, C_ROLE));
	FCGX_PutS(",\"created_at\":", req->out);
	put_json_string(req->out, PQgetvalue(res, 0, C_CREATED));
	FCGX_PutS(",\"updated_at\":", req->out);
	if (PQgetisnull(res, 0, C_UPDATED))
		FCGX_PutS("null", req->out);
	else
		put_json_string(req->out, PQgetvalue(res, 0, C_UPDATED));
	FCGX_PutS("}", req->out);
	PQclear(res);
	return;
missing:
	PQclear(res);
	FCGX_FPrintF(req->out,
	    "Status: 404 Not Found\r\n"
	    "Content-Type: application/json\r\n\r\n%s",
	    notfound);
	return;
fail:
	PQclear(res);
	FCGX_PutS("Status: 503 Service Unavailable\r\n"
		  "Content-Type: application/json\r\n\r\n"
		  "{\"detail\":\"Service temporarily unavailable\"}",
	    req->out);
}

int
main(void)
{
	int rc;

	(void)db_open();
	rc = serve_kept(answer);
	PQfinish(conn);
	return rc;
}
