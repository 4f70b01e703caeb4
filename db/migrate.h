/*
 * migrate.h -- the parts of userapi-migrate, shared between its files.
 *
 * A migration is a pair of files in one directory,
 * NNNN_name.up.sql and NNNN_name.down.sql (NNNN: four digits, 0001 and
 * up; name: [a-z0-9_]).  The database records each applied one in
 * schema_migrations with the SHA-256 of its .up.sql file.
 */
#ifndef USERAPI_MIGRATE_H
#define USERAPI_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "userapi/errors.h"

/*
 * The pg_advisory_lock() key every run takes before it reads or changes
 * the migration state: "userapi" in ASCII, as a bigint.
 */
#define MIG_LOCK_KEY "33053366227890281"

#define MIG_VERSION_MAX 9999
#define MIG_NAME_MAX 64			/* bytes of the name part */
#define MIG_SUM_LEN (64 + 1)		/* SHA-256 in hex, and a NUL */
#define MIG_TIME_LEN (32)		/* "2026-11-26T10:00:00Z" and room */
#define MIG_FILE_MAX (16 * 1024 * 1024) /* largest .sql accepted */

/* One migration found in the directory. */
struct mig {
	int   version;
	char *name; /* "create_users" */
	char *up;   /* path of NNNN_name.up.sql */
	char *down; /* path of NNNN_name.down.sql */
};

/* Every migration of the directory, sorted by version. */
struct mig_set {
	struct mig *v;
	size_t	    n;
};

/* One row of schema_migrations. */
struct mig_row {
	int   version;
	char *name;
	char  sum[MIG_SUM_LEN];
	char  at[MIG_TIME_LEN]; /* applied_at, UTC, RFC 3339 */
};

/* Every row of schema_migrations, sorted by version. */
struct mig_rows {
	struct mig_row *v;
	size_t		n;
};

/* What the command line asked for. */
struct mig_opts {
	const char *dir; /* the migrations directory */
	const char *arg; /* the command's argument, or NULL */
};

/* migrate-files.c */
enum ua_err	  mig_scan(const char *dir, struct mig_set *set);
void		  mig_set_free(struct mig_set *set);
const struct mig *mig_find(const struct mig_set *set, int version);
enum ua_err	  mig_read(const char *path, char **sql, char sum[MIG_SUM_LEN]);
bool		  mig_name_valid(const char *name);

/* migrate-db.c */
enum ua_err mig_db_connect(const char *conninfo, PGconn **conn);
enum ua_err mig_db_lock(PGconn *conn);
enum ua_err mig_db_rows(PGconn *conn, bool create, struct mig_rows *rows);
void	    mig_rows_free(struct mig_rows *rows);
enum ua_err mig_db_apply(PGconn *conn, const struct mig *m);
enum ua_err mig_db_revert(PGconn *conn, const struct mig *m);

/* migrate-cmd.c */
enum ua_err mig_cmd_upgrade(PGconn *conn, const struct mig_opts *o);
enum ua_err mig_cmd_downgrade(PGconn *conn, const struct mig_opts *o);
enum ua_err mig_cmd_current(PGconn *conn, const struct mig_opts *o);
enum ua_err mig_cmd_history(PGconn *conn, const struct mig_opts *o);

/* migrate-new.c */
enum ua_err mig_cmd_new(const struct mig_opts *o);

#endif
