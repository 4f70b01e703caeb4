/*
 * pg_plans.c -- the prepared statements of the repositories' own server
 * session, from pg_prepared_statements (PostgreSQL 14 and later count
 * each statement's generic and custom plans there).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <check.h>
#include <libpq-fe.h>

#include "pg_plans.h"
#include "pgtest.h"
#include "db/db-pg.h"
#include "userapi/errors.h"

char *
pgp_on_session(struct ua_db *db, const char *sql)
{
	PGresult *res;
	char	 *v;

	ck_assert_int_eq(ua_db_exec(db, sql, 0, NULL, UA_DB_READ_ONLY, &res),
	    UA_OK);
	v = pgt_fmt("%s", PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return v;
}

char *
pgp_replanned(struct ua_db *db)
{
	return pgp_on_session(db,
	    "SELECT coalesce(string_agg(custom_plans || ' of '"
	    " || generic_plans + custom_plans || ': ' || left(statement, 60),"
	    " '; '), '') FROM pg_prepared_statements WHERE custom_plans > 5");
}

char *
pgp_count_run(struct ua_db *db, int runs, const char *table)
{
	char *sql, *v;

	/* Test code's own literals: no client text reaches this SQL. */
	sql = pgt_fmt("SELECT count(*) FROM pg_prepared_statements"
		      " WHERE generic_plans + custom_plans >= %d"
		      " AND statement LIKE '%%FROM %s%%'",
	    runs, table);
	v = pgp_on_session(db, sql);
	free(sql);
	return v;
}
