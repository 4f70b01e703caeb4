/*
 * userapi-admin -- what a sysadmin does by hand: make the first admin,
 * change a role, check the settings and the database, sweep out ended
 * sessions.
 *
 *	userapi-admin create-user [--admin] EMAIL NAME   (password on stdin)
 *	userapi-admin set-role EMAIL admin|user
 *	userapi-admin check-config
 *	userapi-admin set-statement-timeout
 *	userapi-admin prune		(from a timer or cron)
 *
 * A password is never taken from the command line, where every user of
 * the machine can read it in the process list.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "userapi/alloc.h"
#include "userapi/db.h"
#include "db/db-pg.h"
#include "userapi/log.h"
#include "userapi/schemas.h"
#include "userapi/services.h"
#include "userapi/settings.h"
#include "userapi/validate.h"

extern char **environ;

/* The newest migration this build's code relies on. */
#define SCHEMA_VERSION_NEEDED 6

enum exitcode { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static void
usage(void)
{
	fprintf(stderr,
	    "usage: userapi-admin create-user [--admin] EMAIL NAME"
	    "   (password on standard input)\n"
	    "       userapi-admin set-role EMAIL admin|user\n"
	    "       userapi-admin check-config\n"
	    "       userapi-admin set-statement-timeout\n"
	    "       userapi-admin prune\n");
}

/*
 * Read the password: without echo from a terminal, else the first line
 * of standard input.  false if there is none or it is too long.
 */
static bool
read_password(char *buf, size_t len)
{
	struct termios old, quiet;
	bool	       tty = isatty(STDIN_FILENO);
	size_t	       n;

	if (tty) {
		fprintf(stderr, "Password: ");
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n + 1 == len)
		return false; /* no end of line: longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return n > 0;
}

/* Print each validation problem as "field: message". */
static void
print_problems(struct ua_verrs *errs)
{
	struct json_object *o = ua_verrs_to_json(errs), *list, *e, *v;
	size_t		    i;

	json_object_object_get_ex(o, "detail", &list);
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		json_object_object_get_ex(e, "loc", &v);
		fprintf(stderr, "userapi-admin: %s: ",
		    json_object_get_string(json_object_array_get_idx(v,
			json_object_array_length(v) - 1)));
		json_object_object_get_ex(e, "msg", &v);
		fprintf(stderr, "%s\n", json_object_get_string(v));
	}
	json_object_put(o);
}

static int
create_user(struct ua_services *svc, int argc, char *argv[])
{
	struct ua_user_create in;
	struct ua_user	      u;
	struct ua_verrs	      errs;
	struct json_object   *body;
	char		      pw[UA_PASSWORD_BUF + 2];
	const char	     *text;
	enum ua_role	      role = UA_ROLE_USER;
	enum ua_err	      er;
	int		      rc = EXIT_FAIL;

	if (argc > 1 && strcmp(argv[1], "--admin") == 0) {
		role = UA_ROLE_ADMIN;
		argc--;
		argv++;
	}
	if (argc != 3) {
		usage();
		return EXIT_USAGE;
	}
	if (!read_password(pw, sizeof(pw))) {
		fprintf(stderr,
		    "userapi-admin: no password on standard input"
		    " (one line, at most %d bytes)\n",
		    UA_PASSWORD_MAX_BYTES);
		return EXIT_FAIL;
	}

	/* The API's own rules, through the same schema table. */
	body = json_object_new_object();
	json_object_object_add(body, "email", json_object_new_string(argv[1]));
	json_object_object_add(body, "name", json_object_new_string(argv[2]));
	json_object_object_add(body, "password", json_object_new_string(pw));
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	ua_verrs_init(&errs);
	er = ua_schema_parse(&ua_schema_user_create, text, strlen(text), &in,
	    sizeof(in), &errs);
	ua_secure_zero((void *)(uintptr_t)text, strlen(text));
	json_object_put(body);
	ua_secure_zero(pw, sizeof(pw));
	if (er != UA_OK) {
		print_problems(&errs);
		goto out;
	}

	if ((er = ua_user_create(svc, &in, role, &u)) == UA_ERR_CONFLICT)
		fprintf(stderr, "userapi-admin: %s is already registered\n",
		    in.email);
	else if (er != UA_OK)
		fprintf(stderr, "userapi-admin: cannot create the user: %s\n",
		    ua_strerror(er));
	else {
		printf("created %s %lld %s\n", ua_role_name(u.role),
		    (long long)u.id, u.email);
		rc = EXIT_OK;
	}
out:
	ua_secure_zero(&in, sizeof(in));
	ua_verrs_cleanup(&errs);
	return rc;
}

static int
set_role(struct ua_services *svc, int argc, char *argv[])
{
	struct ua_user_patch  patch;
	struct ua_user	      u, out;
	struct ua_credentials cred;
	enum ua_err	      er;

	memset(&patch, 0, sizeof(patch));
	if (argc != 3 || ua_role_from_api(argv[2], &patch.role) != UA_OK) {
		usage();
		return EXIT_USAGE;
	}
	patch.has_role = true;
	er = svc->users.ops->get_by_email(svc->users.arg, argv[1], &u, &cred);
	ua_secure_zero(&cred, sizeof(cred));
	if (er == UA_OK)
		er = svc->users.ops->update(svc->users.arg, u.id, &patch, &out);
	switch (er) {
	case UA_OK:
		printf("%s is now %s\n", out.email, ua_role_name(out.role));
		return EXIT_OK;
	case UA_ERR_NOT_FOUND:
		fprintf(stderr, "userapi-admin: no user %s\n", argv[1]);
		break;
	case UA_ERR_LAST_ADMIN:
		fprintf(stderr,
		    "userapi-admin: %s is the last admin; make "
		    "another admin first\n",
		    argv[1]);
		break;
	default:
		fprintf(stderr, "userapi-admin: cannot change the role: %s\n",
		    ua_strerror(er));
		break;
	}
	return EXIT_FAIL;
}

/* The settings are good (we got here); now the database and schema. */
static int
check_config(struct ua_settings *s, struct ua_db *db)
{
	PGresult   *res;
	long	    version;
	enum ua_err er;

	if (ua_db_ping(db) != UA_OK) {
		fprintf(stderr,
		    "userapi-admin: cannot reach the database of "
		    "DATABASE_URL (see the line above)\n");
		return EXIT_FAIL;
	}
	er = ua_db_exec(db,
	    "SELECT coalesce(max(version), 0)::bigint FROM "
	    "schema_migrations",
	    0, NULL, UA_DB_READ_ONLY, &res);
	if (er != UA_OK) {
		fprintf(stderr,
		    "userapi-admin: the database has no migrations"
		    " applied: run userapi-migrate upgrade\n");
		return EXIT_FAIL;
	}
	version = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (version < SCHEMA_VERSION_NEEDED) {
		fprintf(stderr,
		    "userapi-admin: the database schema is at %04ld"
		    ", this build needs %04d: run userapi-migrate upgrade\n",
		    version, SCHEMA_VERSION_NEEDED);
		return EXIT_FAIL;
	}
	if (ua_db_timeout_differs(db)) {
		fprintf(stderr,
		    "userapi-admin: the statement timeout would "
		    "not hold (see the line above)\n");
		return EXIT_FAIL;
	}
	printf("ok: settings from %s, database reachable, schema at %04ld, "
	       "JWT %s, passwords %s\n",
	    s->env_file != NULL ? s->env_file : "the environment", version,
	    ua_jwt_alg_name(s->jwt_algorithm),
	    ua_pw_scheme_name(s->password_hash));
	return EXIT_OK;
}

/*
 * DB_STATEMENT_TIMEOUT_MS as the default of DATABASE_URL's role in its
 * database, for poolers that drop the connection's options.
 */
static int
set_statement_timeout(struct ua_settings *s, struct ua_db *db)
{
	char where[512];

	if (ua_db_store_timeout(db, where, sizeof(where)) != UA_OK) {
		fprintf(stderr,
		    "userapi-admin: cannot set the statement "
		    "timeout of %s (see the line above)\n",
		    where);
		return EXIT_FAIL;
	}
	printf("ok: statement_timeout = %d ms is now the default of %s; "
	       "connections opened from now on get it (a pooler's open server "
	       "connections keep the old one: PgBouncer's RECONNECT replaces "
	       "them)\n",
	    s->db_statement_timeout_ms, where);
	return EXIT_OK;
}

/*
 * Delete every session that has ended or expired (such a row only
 * refuses tokens that are refused without it) and every failed login
 * older than LOGIN_WINDOW_SECONDS (it counts no more).  Logins sweep the
 * user's own and a few of everyone's; this sweeps them all, for a timer
 * or cron.
 */
static int
prune(const struct ua_services *svc)
{
	int64_t	    sessions = 0, failures = 0;
	enum ua_err er;

	if ((er = ua_session_prune(svc, &sessions)) != UA_OK ||
	    (er = ua_auth_prune_failures(svc, &failures)) != UA_OK) {
		fprintf(stderr, "userapi-admin: prune: %s\n", ua_strerror(er));
		return EXIT_FAIL;
	}
	printf("ok: %lld ended or expired sessions deleted\n",
	    (long long)sessions);
	printf("ok: %lld failed logins older than the window deleted\n",
	    (long long)failures);
	return EXIT_OK;
}

/*
 * Is the command line well formed?  Checked before any setting is read
 * or any connection made, so a typo gets the usage, not a settings error.
 */
static bool
args_ok(int argc, char *argv[])
{
	enum ua_role role;

	if (argc < 2)
		return false;
	if (strcmp(argv[1], "create-user") == 0) {
		if (argc > 2 && strcmp(argv[2], "--admin") == 0)
			return argc == 5;
		return argc == 4;
	}
	if (strcmp(argv[1], "set-role") == 0)
		return argc == 4 && ua_role_from_api(argv[3], &role) == UA_OK;
	if (strcmp(argv[1], "check-config") == 0 ||
	    strcmp(argv[1], "set-statement-timeout") == 0 ||
	    strcmp(argv[1], "prune") == 0)
		return argc == 2;
	return false;
}

int
main(int argc, char *argv[])
{
	struct ua_settings s;
	struct ua_services svc;
	struct ua_db	  *db;
	char		   err[512];
	int		   rc;

	ua_log_init("userapi-admin", false);
	if (!args_ok(argc, argv)) {
		usage();
		return EXIT_USAGE;
	}
	if (ua_settings_load(&s, environ, argv[0], UA_NEED_ALL, err,
		sizeof(err)) != UA_OK ||
	    ua_db_check_conninfo(s.database_url, err, sizeof(err)) != UA_OK) {
		fprintf(stderr, "userapi-admin: %s\n", err);
		return EXIT_FAIL;
	}
	db = ua_db_new(&s);
	ua_services_init_pg(&svc, &s, db);
	if (strcmp(argv[1], "create-user") == 0)
		rc = create_user(&svc, argc - 1, argv + 1);
	else if (strcmp(argv[1], "set-role") == 0)
		rc = set_role(&svc, argc - 1, argv + 1);
	else if (strcmp(argv[1], "set-statement-timeout") == 0)
		rc = set_statement_timeout(&s, db);
	else if (strcmp(argv[1], "prune") == 0)
		rc = prune(&svc);
	else
		rc = check_config(&s, db);
	ua_db_free(db);
	ua_settings_cleanup(&s);
	return rc;
}
