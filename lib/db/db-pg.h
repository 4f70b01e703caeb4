/*
 * db-pg.h -- statements on the worker's connection, in libpq's types.
 * Only lib/db/ and lib/repositories/ (and the tools and tests that
 * speak SQL themselves) include this; above them the connection is the
 * opaque struct ua_db of userapi/db.h.
 */
#ifndef USERAPI_DB_PG_H
#define USERAPI_DB_PG_H

#include <libpq-fe.h>

#include "userapi/db.h"
#include "userapi/errors.h"

/*
 * Run one statement with text parameters ($1::bigint etc.).  UA_OK:
 * "*res" holds the result (the caller PQclear()s it).  Otherwise "*res"
 * is NULL and the cause is logged: UA_ERR_DB_UNAVAILABLE (cannot
 * connect, connection lost, statement timeout), UA_ERR_CONFLICT (unique
 * violation) or UA_ERR_DB (anything else).
 */
enum ua_err ua_db_exec(struct ua_db *, const char *sql, int nparams,
    const char *const *params, enum ua_db_flags flags, PGresult **res);

#endif
