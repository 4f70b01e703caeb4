/*
 * pg_plans.h -- what the repositories' own server session says of the
 * statements prepared on it (test_repo_pg, test_order_repo_pg).  Only on
 * a connection made directly to PostgreSQL: a transaction pooler hands
 * each statement a server session of its own.
 */
#ifndef PG_PLANS_H
#define PG_PLANS_H

#include "userapi/db.h"

/* The first value of "sql" run on "db"'s own connection (free it). */
char *pgp_on_session(struct ua_db *db, const char *sql);

/*
 * The statements prepared on "db"'s session that PostgreSQL planned
 * anew more often than the five custom plans it makes before it keeps
 * the generic one: "<custom plans> of <runs>: <start of the text>",
 * joined by "; " (free it); "" when there is none.
 */
char *pgp_replanned(struct ua_db *db);

/* The statements run "runs" times or more that read "table" (free it). */
char *pgp_count_run(struct ua_db *db, int runs, const char *table);

#endif
