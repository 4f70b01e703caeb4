/*
 * migrate.c -- userapi-migrate: apply and revert the SQL migrations of
 * db/migrations against DATABASE_URL.
 *
 *	userapi-migrate [--dir DIR] upgrade [head|N]
 *	userapi-migrate [--dir DIR] downgrade [-1|N|base]
 *	userapi-migrate [--dir DIR] current | history
 *	userapi-migrate [--dir DIR] new NAME
 *
 * Exit status: 0 on success, 1 on failure, 2 on a usage error.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/settings.h"

#include "migrate.h"

#define EXIT_USAGE 2

extern char **environ;

/* A command: its name, whether it takes an argument, and its runner. */
struct cmd {
	const char *name;
	int	    minargs;
	int	    maxargs;
	enum ua_err (*db)(PGconn *, const struct mig_opts *);
	enum ua_err (*nodb)(const struct mig_opts *);
};

static const struct cmd cmds[] = { { "upgrade", 0, 1, mig_cmd_upgrade, NULL },
	{ "downgrade", 0, 1, mig_cmd_downgrade, NULL },
	{ "current", 0, 0, mig_cmd_current, NULL },
	{ "history", 0, 0, mig_cmd_history, NULL },
	{ "new", 1, 1, NULL, mig_cmd_new }, { NULL, 0, 0, NULL, NULL } };

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
	    "usage: %s [--dir DIR] COMMAND [ARG]\n"
	    "\n"
	    "  upgrade [head|N]       apply pending migrations up to N "
	    "(default: head)\n"
	    "  downgrade [-1|N|base]  revert the latest one (-1, the "
	    "default),\n"
	    "                         all above N, or all (base)\n"
	    "  current                print the current version, or base\n"
	    "  history                list every migration: applied or "
	    "pending\n"
	    "  new NAME               write the next NNNN_NAME.up.sql and "
	    ".down.sql\n"
	    "\n"
	    "  -d, --dir DIR          the migrations directory (default:\n"
	    "                         $USERAPI_MIGRATIONS_DIR, else %s)\n"
	    "  -h, --help             show this help\n"
	    "\n"
	    "The database is DATABASE_URL, from the environment or the "
	    ".env file.\n",
	    prog, UA_MIGRATIONS_DIR);
}

/*
 * Load the settings (DATABASE_URL only), connect and run "c".  Returns
 * the command's result, or the error (logged) that came before it.
 */
static enum ua_err
run_db(const struct cmd *c, const struct mig_opts *o, const char *argv0)
{
	struct ua_settings s;
	PGconn		  *conn = NULL;
	enum ua_err	   er;
	char		   err[256];

	if ((er = ua_settings_load(&s, environ, argv0, UA_NEED_DB_ONLY, err,
		 sizeof(err))) != UA_OK) {
		ua_log_err("%s", err);
		return er;
	}
	if ((er = mig_db_connect(s.database_url, &conn)) != UA_OK)
		goto out;
	er = c->db(conn, o);
out:
	PQfinish(conn);
	ua_settings_cleanup(&s);
	return er;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = { { "dir", required_argument,
						      NULL, 'd' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const struct cmd	  *c;
	struct mig_opts		   o;
	const char		  *argv0 = argv[0], *prog;
	int			   ch;

	prog =
	    strrchr(argv[0], '/') != NULL ? strrchr(argv[0], '/') + 1 : argv[0];
	ua_log_init("userapi-migrate", false);

	memset(&o, 0, sizeof(o));
	if ((o.dir = getenv("USERAPI_MIGRATIONS_DIR")) == NULL ||
	    o.dir[0] == '\0')
		o.dir = UA_MIGRATIONS_DIR;

	/* "+": stop at the command, so "downgrade -1" is an argument. */
	while ((ch = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1)
		switch (ch) {
		case 'd':
			o.dir = optarg;
			break;
		case 'h':
			usage(stdout, prog);
			return EXIT_SUCCESS;
		default:
			usage(stderr, prog);
			return EXIT_USAGE;
		}
	argc -= optind;
	argv += optind;

	if (argc < 1) {
		usage(stderr, prog);
		return EXIT_USAGE;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[0]) == 0)
			break;
	if (c->name == NULL) {
		ua_log_err("unknown command \"%s\"; see --help", argv[0]);
		return EXIT_USAGE;
	}
	if (argc - 1 < c->minargs || argc - 1 > c->maxargs) {
		ua_log_err("%s: wrong number of arguments; see --help",
		    c->name);
		return EXIT_USAGE;
	}
	o.arg = argc > 1 ? argv[1] : NULL;
	if (o.dir[0] == '\0') {
		ua_log_err("--dir: empty directory name");
		return EXIT_USAGE;
	}

	if (c->nodb != NULL)
		return c->nodb(&o) == UA_OK ? EXIT_SUCCESS : EXIT_FAILURE;
	return run_db(c, &o, argv0) == UA_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
