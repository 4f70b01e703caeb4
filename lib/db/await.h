/*
 * await.h -- a statement's answer, awaited for a bounded time
 * (lib/db/await.c).
 */
#ifndef USERAPI_DB_AWAIT_H
#define USERAPI_DB_AWAIT_H

#include <stdbool.h>

#include <libpq-fe.h>

/*
 * The last result of the statement just sent on "conn" (PQsend*), or
 * NULL.  Waits "timeout_ms" and a grace; past that the statement is
 * cancelled, and if no answer comes within a second grace either,
 * "*gave_up" is set and NULL returned: the connection is then in an
 * unknown state and must be closed.  timeout_ms <= 0 waits for as long
 * as it takes.
 */
PGresult *ua_db_await(PGconn *conn, int timeout_ms, bool *gave_up);

#endif
