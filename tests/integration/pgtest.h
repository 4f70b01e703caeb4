/*
 * pgtest.h -- helpers of the integration tests that make scratch
 * databases (test_repo_pg, test_admin).
 */
#ifndef PGTEST_H
#define PGTEST_H

#include <stdbool.h>

/* printf into a new string (abort on out of memory); free it. */
char *pgt_fmt(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * "conninfo" (URI or key=value) with its dbname replaced by "db", as a
 * key=value string, or NULL if it cannot be parsed; free it.
 */
char *pgt_conninfo_for(const char *conninfo, const char *db);

/* True if the environment entry "e" ("NAME=value") sets "name", any case. */
bool pgt_env_is(const char *e, const char *name);

#endif
