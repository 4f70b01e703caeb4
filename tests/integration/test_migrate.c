/*
 * test_migrate.c -- userapi-migrate against a real PostgreSQL server.
 *
 * Every test gets a database of its own (created from the admin
 * connection in UA_TEST_PG_ADMIN_URL, dropped afterwards) and a private
 * copy of the migrations, and runs the built program as a child process
 * with DATABASE_URL pointing at that database and no JWT_SECRET.
 *
 * Environment:
 *	UA_TEST_PG_ADMIN_URL	libpq conninfo of a role that may CREATE
 *				DATABASE; required: without it, or without
 *				a reachable server, the run fails
 *	UA_TEST_MIGRATE		the program (default ./userapi-migrate)
 *	UA_TEST_MIGRATIONS_DIR	the migrations to copy (default: the
 *				source tree's db/migrations)
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "migrate.h" /* MIG_LOCK_KEY */

#ifndef UA_TEST_SRC_MIGRATIONS
#define UA_TEST_SRC_MIGRATIONS "db/migrations"
#endif

#define TEST_TIMEOUT_S 120
#define LOCK_WAIT_S 30

extern char **environ;

/* The migrations of the source directory, in version order. */
struct srcmig {
	int  version;
	char name[MIG_NAME_MAX + 1];
};

/* Set once by main() before any test runs; read-only afterwards. */
static struct {
	const char    *admin_url;
	char	       tool[PATH_MAX];	 /* absolute */
	char	       src[PATH_MAX];	 /* absolute */
	char	       rundir[PATH_MAX]; /* holds every test's files */
	char	       prefix[64];	 /* of every database made */
	struct srcmig *mig;
	size_t	       nmig;
} cfg;

/* The running test's database, files and connection. */
static struct {
	char	db[96];
	char   *conninfo; /* for the scratch database */
	char   *work;	  /* this test's directory */
	char   *dir;	  /* work/migrations */
	char   *envfile;  /* work/empty.env */
	PGconn *admin;
	PGconn *conn; /* to the scratch database */
	int	runs;
} fx;

/* What one run of the program did. */
struct run {
	int   status; /* exit status, or -1 if killed */
	char *out;
	char *err;
};

#define RUN_NO_DB 0x1  /* leave DATABASE_URL unset */
#define RUN_NO_DIR 0x2 /* no --dir option */

/* ---------------------------------------------------------------- */
/* Small helpers. */

/* The whole file "path" as a string (empty if unreadable); free it. */
static char *
slurp(const char *path)
{
	FILE *f;
	char *buf;
	long  len;

	if ((f = fopen(path, "r")) == NULL)
		return strdup("");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)(len > 0 ? len : 0) + 1);
	ck_assert_ptr_nonnull(buf);
	if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

/* Write "text" to "path", replacing it. */
static void
spew(const char *path, const char *text)
{
	FILE *f;

	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* "fmt" into a fresh string; free it. */
static char *fmt(const char *, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, f);
	ck_assert_int_ge(vasprintf(&s, f, ap), 0);
	va_end(ap);
	return s;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* rm -rf "path". */
static void
rm_tree(const char *path)
{
	if (path[0] != '\0')
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Path of migration file "v"_"name"."kind".sql in the test's copy. */
static char *
mig_path(int v, const char *name, const char *kind)
{
	return fmt("%s/%04d_%s.%s.sql", fx.dir, v, name, kind);
}

static int
head(void)
{
	return cfg.nmig > 0 ? cfg.mig[cfg.nmig - 1].version : 0;
}

/* ---------------------------------------------------------------- */
/* PostgreSQL. */

/*
 * "conninfo" (URI or key=value) with its dbname replaced by "db", as a
 * key=value string; free it.
 */
static char *
conninfo_for(const char *conninfo, const char *db)
{
	PQconninfoOption *opts, *o;
	char		 *err = NULL, *out, *tmp;
	const char	 *v;
	size_t		  i;

	opts = PQconninfoParse(conninfo, &err);
	ck_assert_msg(opts != NULL, "UA_TEST_PG_ADMIN_URL: %s",
	    err != NULL ? err : "cannot parse");
	out = strdup("");
	for (o = opts;; o++) {
		if (o->keyword == NULL) {
			v = db;
		} else if (o->val == NULL || strcmp(o->keyword, "dbname") == 0)
			continue;
		else
			v = o->val;
		tmp = fmt("%s%s='", out,
		    o->keyword != NULL ? o->keyword : "dbname");
		free(out);
		out = tmp;
		for (i = 0; v[i] != '\0'; i++) {
			tmp = fmt("%s%s%c", out,
			    v[i] == '\'' || v[i] == '\\' ? "\\" : "", v[i]);
			free(out);
			out = tmp;
		}
		tmp = fmt("%s' ", out);
		free(out);
		out = tmp;
		if (o->keyword == NULL)
			break;
	}
	PQconninfoFree(opts);
	return out;
}

/* A connection to "conninfo", or a failed test. */
static PGconn *
connect_or_fail(const char *conninfo, const char *what)
{
	PGconn *c;

	c = PQconnectdb(conninfo);
	ck_assert_msg(c != NULL && PQstatus(c) == CONNECTION_OK,
	    "cannot connect to %s: %s", what,
	    c != NULL ? PQerrorMessage(c) : "out of memory");
	return c;
}

/*
 * Run the constant statement "sql" on "c".  Returns the SQLSTATE of a
 * failure, or "" on success; "*val" (if not NULL) gets a copy of the
 * first value, NULL when there is none or it is SQL NULL.
 */
static const char *
sql_on(PGconn *c, const char *sql, char **val)
{
	static char state[6];
	PGresult   *res;
	const char *s;

	if (val != NULL)
		*val = NULL;
	res = PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		snprintf(state, sizeof(state), "%s", s != NULL ? s : "?????");
		PQclear(res);
		return state;
	}
	if (val != NULL && PQntuples(res) > 0 && PQnfields(res) > 0 &&
	    !PQgetisnull(res, 0, 0))
		*val = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return "";
}

/* Run "sql" on the scratch database, which must succeed. */
static void
sql_ok(const char *sql)
{
	const char *st;

	st = sql_on(fx.conn, sql, NULL);
	ck_assert_msg(st[0] == '\0', "%s: SQLSTATE %s: %s", sql, st,
	    PQerrorMessage(fx.conn));
}

/* The first value of "sql" on the scratch database; free it. */
static char *
sql_val(const char *sql)
{
	const char *st;
	char	   *v;

	st = sql_on(fx.conn, sql, &v);
	ck_assert_msg(st[0] == '\0', "%s: SQLSTATE %s: %s", sql, st,
	    PQerrorMessage(fx.conn));
	return v != NULL ? v : strdup("(null)");
}

/* Assert that "sql" on the scratch database yields "want". */
static void
sql_is(const char *sql, const char *want)
{
	char *v;

	v = sql_val(sql);
	ck_assert_msg(strcmp(v, want) == 0, "%s: got \"%s\", want \"%s\"", sql,
	    v, want);
	free(v);
}

/* The versions recorded in schema_migrations, "1,2", or "" if none. */
static char *
recorded(void)
{
	return sql_val("SELECT coalesce((SELECT string_agg(version::text,"
		       " ',' ORDER BY version) FROM schema_migrations), '')");
}

static void
recorded_is(const char *want)
{
	char *v;

	v = recorded();
	ck_assert_msg(strcmp(v, want) == 0,
	    "schema_migrations holds \"%s\", want \"%s\"", v, want);
	free(v);
}

/* "1,2,...,N" for the source migrations up to version "upto". */
static char *
versions_upto(int upto)
{
	char  *out = strdup(""), *tmp;
	size_t i;

	for (i = 0; i < cfg.nmig && cfg.mig[i].version <= upto; i++) {
		tmp = fmt("%s%s%d", out, out[0] != '\0' ? "," : "",
		    cfg.mig[i].version);
		free(out);
		out = tmp;
	}
	return out;
}

/*
 * Everything about the user schema that a migration can change, as one
 * text: relations, columns, defaults, indexes, constraints, triggers,
 * functions and enum labels; schema_migrations itself left out.
 */
static char *
schema_print(void)
{
	return sql_val(
	    "SELECT coalesce(string_agg(x, E'\\n' ORDER BY x), '') FROM ("
	    " SELECT 'rel ' || relname || ' ' || relkind::text"
	    "  FROM pg_class"
	    "  WHERE relnamespace = 'public'::regnamespace"
	    "  AND relname NOT LIKE 'schema_migrations%'"
	    " UNION ALL SELECT 'col ' || table_name || '.' || column_name"
	    "  || ' ' || udt_name || ' ' || is_nullable || ' '"
	    "  || coalesce(column_default, '-')"
	    "  FROM information_schema.columns WHERE table_schema = 'public'"
	    "  AND table_name <> 'schema_migrations'"
	    " UNION ALL SELECT 'idx ' || indexdef FROM pg_indexes"
	    "  WHERE schemaname = 'public'"
	    "  AND tablename <> 'schema_migrations'"
	    " UNION ALL SELECT 'con ' || conrelid::regclass::text || ' '"
	    "  || conname || ' ' || pg_get_constraintdef(oid)"
	    "  FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
	    "  AND conrelid::regclass::text <> 'schema_migrations'"
	    " UNION ALL SELECT 'trg ' || pg_get_triggerdef(oid)"
	    "  FROM pg_trigger WHERE NOT tgisinternal"
	    " UNION ALL SELECT 'fn ' || oid::regprocedure::text || ' '"
	    "  || md5(prosrc) FROM pg_proc"
	    "  WHERE pronamespace = 'public'::regnamespace"
	    " UNION ALL SELECT 'enum ' || t.typname || ' ' || e.enumlabel"
	    "  || ' ' || e.enumsortorder FROM pg_enum e"
	    "  JOIN pg_type t ON t.oid = e.enumtypid) AS s(x)");
}

/* ---------------------------------------------------------------- */
/* Running the program. */

/* True if the environment entry "e" sets "name" (any case). */
static bool
env_is(const char *e, const char *name)
{
	size_t len = strlen(name);

	return strncasecmp(e, name, len) == 0 && e[len] == '=';
}

/*
 * The environment of the program: ours without the settings it could
 * pick up by accident, plus DATABASE_URL (unless RUN_NO_DB), an empty
 * .env file, and "extra" ("NAME=value") if not NULL.
 */
static char **
child_env(unsigned flags, const char *extra)
{
	static const char *const drop[] = { "DATABASE_URL", "JWT_SECRET",
		"USERAPI_ENV_FILE", "USERAPI_MIGRATIONS_DIR", NULL };
	char		       **env;
	size_t			 n, i, j, k;
	bool			 keep;

	for (n = 0; environ[n] != NULL; n++)
		continue;
	env = calloc(n + 4, sizeof(*env));
	ck_assert_ptr_nonnull(env);
	for (i = j = 0; i < n; i++) {
		keep = true;
		for (k = 0; drop[k] != NULL; k++)
			if (env_is(environ[i], drop[k]))
				keep = false;
		if (keep)
			env[j++] = environ[i];
	}
	env[j++] = fmt("USERAPI_ENV_FILE=%s", fx.envfile);
	if (!(flags & RUN_NO_DB))
		env[j++] = fmt("DATABASE_URL=%s", fx.conninfo);
	if (extra != NULL)
		env[j++] = strdup(extra);
	env[j] = NULL;
	return env;
}

/*
 * Start the program with "cmd" and "arg" (may be NULL), its output
 * going to files numbered "slot".  Returns its pid.
 */
static pid_t
spawn(unsigned flags, const char *extra, int slot, const char *cmd,
    const char *arg)
{
	char *argv[6];
	char *out, *err;
	pid_t pid;
	int   i = 0, fd;

	out = fmt("%s/out.%d", fx.work, slot);
	err = fmt("%s/err.%d", fx.work, slot);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (chdir(fx.work) == -1 ||
		    (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) ==
			-1 ||
		    dup2(fd, STDOUT_FILENO) == -1 || close(fd) == -1 ||
		    (fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) ==
			-1 ||
		    dup2(fd, STDERR_FILENO) == -1 || close(fd) == -1)
			_exit(126);
		argv[i++] = cfg.tool;
		if (!(flags & RUN_NO_DIR)) {
			argv[i++] = strdup("--dir");
			argv[i++] = fx.dir;
		}
		argv[i++] = strdup(cmd);
		if (arg != NULL)
			argv[i++] = strdup(arg);
		argv[i] = NULL;
		execve(cfg.tool, argv, child_env(flags, extra));
		_exit(127);
	}
	free(out);
	free(err);
	return pid;
}

/* Wait for "pid", started with "slot", and fill "r". */
static void
collect(pid_t pid, int slot, struct run *r)
{
	char *path;
	int   st;

	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	path = fmt("%s/out.%d", fx.work, slot);
	r->out = slurp(path);
	free(path);
	path = fmt("%s/err.%d", fx.work, slot);
	r->err = slurp(path);
	free(path);
}

/* Run the program to the end, with "flags" and "extra" environment. */
static void
migrate_x(struct run *r, unsigned flags, const char *extra, const char *cmd,
    const char *arg)
{
	int slot = fx.runs++;

	collect(spawn(flags, extra, slot, cmd, arg), slot, r);
}

/* Run the program on the scratch database and the test's copy. */
static void
migrate(struct run *r, const char *cmd, const char *arg)
{
	migrate_x(r, 0, NULL, cmd, arg);
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Run "cmd arg", which must exit 0. */
static void
migrate_ok(const char *cmd, const char *arg)
{
	struct run r;

	migrate(&r, cmd, arg);
	ck_assert_msg(r.status == 0, "%s %s: exit %d\n%s", cmd,
	    arg != NULL ? arg : "", r.status, r.err);
	run_free(&r);
}

/* Run "cmd arg", which must exit 1 with "needle" in its stderr. */
static void
migrate_fails(const char *cmd, const char *arg, const char *needle)
{
	struct run r;

	migrate(&r, cmd, arg);
	ck_assert_msg(r.status == 1, "%s %s: exit %d, want 1\n%s", cmd,
	    arg != NULL ? arg : "", r.status, r.err);
	ck_assert_msg(strstr(r.err, needle) != NULL,
	    "%s %s: stderr lacks \"%s\":\n%s", cmd, arg != NULL ? arg : "",
	    needle, r.err);
	run_free(&r);
}

/* "current" must print "want". */
static void
current_is(const char *want)
{
	struct run r;
	char	  *line;

	migrate(&r, "current", NULL);
	line = fmt("%s\n", want);
	ck_assert_msg(r.status == 0, "current: exit %d\n%s", r.status, r.err);
	ck_assert_msg(strcmp(r.out, line) == 0,
	    "current printed \"%s\", "
	    "want \"%s\"",
	    r.out, want);
	free(line);
	run_free(&r);
}

/* The lines "applied NNNN_name" for source migrations a < v <= b. */
static char *
applied_lines(const char *verb, int a, int b)
{
	char  *out = strdup(""), *tmp;
	size_t i;

	for (i = 0; i < cfg.nmig; i++) {
		if (cfg.mig[i].version <= a || cfg.mig[i].version > b)
			continue;
		tmp = fmt("%s%s %04d_%s\n", out, verb, cfg.mig[i].version,
		    cfg.mig[i].name);
		free(out);
		out = tmp;
	}
	return out;
}

/* Number of lines of "s" starting with "prefix". */
static int
count_lines(const char *s, const char *prefix)
{
	int n = 0;

	while (*s != '\0') {
		if (strncmp(s, prefix, strlen(prefix)) == 0)
			n++;
		if ((s = strchr(s, '\n')) == NULL)
			break;
		s++;
	}
	return n;
}

/* ---------------------------------------------------------------- */
/* The fixture: a database and a copy of the migrations per test. */

static void
copy_migrations(void)
{
	DIR	      *d;
	struct dirent *de;
	char	      *from, *to, *text;
	size_t	       len;

	d = opendir(cfg.src);
	ck_assert_msg(d != NULL, "%s: %s", cfg.src, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		from = fmt("%s/%s", cfg.src, de->d_name);
		to = fmt("%s/%s", fx.dir, de->d_name);
		text = slurp(from);
		spew(to, text);
		free(text);
		free(from);
		free(to);
	}
	closedir(d);
}

static void
setup(void)
{
	static int n;
	char	  *q, *id;

	ck_assert_msg(cfg.admin_url != NULL, "UA_TEST_PG_ADMIN_URL is not set");
	memset(&fx, 0, sizeof(fx));
	fx.admin = connect_or_fail(cfg.admin_url, "UA_TEST_PG_ADMIN_URL");

	snprintf(fx.db, sizeof(fx.db), "%s%ld_%d", cfg.prefix, (long)getpid(),
	    n++);
	id = PQescapeIdentifier(fx.admin, fx.db, strlen(fx.db));
	ck_assert_ptr_nonnull(id);
	q = fmt("CREATE DATABASE %s", id);
	ck_assert_msg(sql_on(fx.admin, q, NULL)[0] == '\0', "%s: %s", q,
	    PQerrorMessage(fx.admin));
	free(q);
	PQfreemem(id);

	fx.conninfo = conninfo_for(cfg.admin_url, fx.db);
	fx.conn = connect_or_fail(fx.conninfo, "the test database");

	fx.work = fmt("%s/t-XXXXXX", cfg.rundir);
	ck_assert_msg(mkdtemp(fx.work) != NULL, "mkdtemp: %s", strerror(errno));
	fx.dir = fmt("%s/migrations", fx.work);
	ck_assert_int_eq(mkdir(fx.dir, 0755), 0);
	fx.envfile = fmt("%s/empty.env", fx.work);
	spew(fx.envfile, "");
	copy_migrations();
}

static void
teardown(void)
{
	char *q, *id;

	PQfinish(fx.conn);
	fx.conn = NULL;
	if (fx.admin != NULL && fx.db[0] != '\0') {
		id = PQescapeIdentifier(fx.admin, fx.db, strlen(fx.db));
		if (id != NULL) {
			q = fmt("DROP DATABASE IF EXISTS %s WITH (FORCE)", id);
			sql_on(fx.admin, q, NULL);
			free(q);
			PQfreemem(id);
		}
	}
	PQfinish(fx.admin);
	fx.admin = NULL;
	if (fx.work != NULL)
		rm_tree(fx.work);
	free(fx.work);
	free(fx.dir);
	free(fx.envfile);
	free(fx.conninfo);
	memset(&fx, 0, sizeof(fx));
}

/* ---------------------------------------------------------------- */
/* upgrade, current, history */

START_TEST(test_upgrade_head_applies_every_migration_in_order)
{
	struct run r;
	char	  *want, *vers;

	migrate(&r, "upgrade", "head");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	want = applied_lines("applied", 0, head());
	ck_assert_str_eq(r.out, want);
	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
	free(want);
	run_free(&r);
}
END_TEST

START_TEST(test_upgrade_without_argument_means_head)
{
	char *vers;

	migrate_ok("upgrade", NULL);
	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
}
END_TEST

START_TEST(test_upgrade_head_makes_template_columns)
{
	static const char *const want[] = {
		"id integer NO nextval('users_id_seq'::regclass)",
		"email character varying NO -",
		"hashed_password character varying NO -",
		"name character varying NO -",
		"role userrole NO 'USER'::userrole",
		"created_at timestamp with time zone NO now()",
		"updated_at timestamp with time zone YES -", NULL
	};
	char  *cols, *line;
	size_t i;

	migrate_ok("upgrade", "head");
	cols =
	    sql_val("SELECT E'\\n' || string_agg(column_name || ' '"
		    " || CASE data_type WHEN 'USER-DEFINED' THEN udt_name"
		    " ELSE data_type END || ' ' || is_nullable || ' '"
		    " || coalesce(column_default, '-'), E'\\n') || E'\\n'"
		    " FROM information_schema.columns"
		    " WHERE table_schema = 'public' AND table_name = 'users'");
	for (i = 0; want[i] != NULL; i++) {
		line = fmt("\n%s\n", want[i]);
		ck_assert_msg(strstr(cols, line) != NULL,
		    "users lacks \"%s\"; it has:%s", want[i], cols);
		free(line);
	}
	free(cols);
}
END_TEST

START_TEST(test_upgrade_head_makes_userrole_enum)
{
	migrate_ok("upgrade", "head");
	sql_is("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)"
	       " FROM pg_enum WHERE enumtypid = 'userrole'::regtype",
	    "ADMIN,USER");
}
END_TEST

START_TEST(test_upgrade_head_makes_indexes)
{
	migrate_ok("upgrade", "head");
	sql_is("SELECT indexdef FROM pg_indexes WHERE indexname ="
	       " 'ix_users_email'",
	    "CREATE UNIQUE INDEX ix_users_email ON public.users"
	    " USING btree (email)");
	sql_is("SELECT indexdef FROM pg_indexes WHERE indexname ="
	       " 'ix_users_id'",
	    "CREATE INDEX ix_users_id ON public.users USING btree (id)");
	sql_is("SELECT count(*) FROM pg_indexes WHERE tablename = 'users'"
	       " AND indexdef LIKE 'CREATE UNIQUE INDEX % ON public.users"
	       " USING btree (lower((email)::text))'",
	    "1");
}
END_TEST

START_TEST(test_current_prints_last_version)
{
	char *v;

	migrate_ok("upgrade", "head");
	v = fmt("%04d", head());
	current_is(v);
	free(v);
}
END_TEST

START_TEST(test_current_on_empty_database_prints_base_and_writes_nothing)
{
	current_is("base");
	sql_is("SELECT to_regclass('schema_migrations') IS NULL", "t");
}
END_TEST

START_TEST(test_upgrade_to_n_stops_at_n)
{
	struct run r;
	char	  *want;

	migrate(&r, "upgrade", "1");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	want = applied_lines("applied", 0, 1);
	ck_assert_str_eq(r.out, want);
	free(want);
	run_free(&r);
	recorded_is("1");
	current_is("0001");
	sql_is("SELECT to_regclass('users') IS NOT NULL", "t");
	sql_is("SELECT count(*) FROM pg_indexes WHERE tablename = 'users'"
	       " AND indexdef LIKE '%lower(%'",
	    "0");
}
END_TEST

START_TEST(test_upgrade_takes_zero_padded_version)
{
	migrate_ok("upgrade", "0001");
	recorded_is("1");
}
END_TEST

START_TEST(test_upgrade_again_applies_nothing)
{
	struct run r;

	migrate_ok("upgrade", "head");
	migrate(&r, "upgrade", "head");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	ck_assert_int_eq(count_lines(r.out, "applied "), 0);
	run_free(&r);
}
END_TEST

START_TEST(test_upgrade_to_unknown_version_refused)
{
	char *v;

	v = fmt("%d", head() + 1);
	migrate_fails("upgrade", v, "upgrade");
	migrate_fails("upgrade", "12abc", "upgrade");
	migrate_fails("upgrade", "-1", "upgrade");
	sql_is("SELECT to_regclass('users') IS NULL", "t");
	free(v);
}
END_TEST

/* The line of "out" that starts with "NNNN " for version "v"; free it. */
static char *
version_line(const char *out, int v)
{
	char	    key[8];
	const char *p, *nl;

	snprintf(key, sizeof(key), "%04d ", v);
	for (p = out; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (strncmp(p, key, strlen(key)) == 0)
			return strndup(p,
			    nl != NULL ? (size_t)(nl - p) : strlen(p));
	}
	return strdup("");
}

START_TEST(test_history_lists_applied_and_pending)
{
	struct run r;
	char	  *line;
	size_t	   i;

	migrate_ok("upgrade", "1");
	migrate(&r, "history", NULL);
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	ck_assert_int_eq(count_lines(r.out, ""), (int)cfg.nmig);
	for (i = 0; i < cfg.nmig; i++) {
		line = version_line(r.out, cfg.mig[i].version);
		ck_assert_msg(strstr(line, cfg.mig[i].name) != NULL,
		    "no line for %s:\n%s", cfg.mig[i].name, r.out);
		if (i == 0)
			ck_assert_msg(strstr(line, " applied ") != NULL &&
				strstr(line, "Z") != NULL,
			    "%s", line);
		else
			ck_assert_msg(strstr(line, " pending ") != NULL, "%s",
			    line);
		free(line);
	}
	run_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- */
/* downgrade */

START_TEST(test_downgrade_default_reverts_latest)
{
	struct run r;
	char	  *want, *vers, *cur;

	ck_assert_int_ge((int)cfg.nmig, 2);
	migrate_ok("upgrade", "head");
	migrate(&r, "downgrade", NULL);
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	want = applied_lines("reverted", cfg.mig[cfg.nmig - 2].version, head());
	ck_assert_str_eq(r.out, want);
	vers = versions_upto(cfg.mig[cfg.nmig - 2].version);
	recorded_is(vers);
	cur = fmt("%04d", cfg.mig[cfg.nmig - 2].version);
	current_is(cur);
	free(cur);
	free(vers);
	free(want);
	run_free(&r);
}
END_TEST

START_TEST(test_downgrade_minus_one_reverts_latest)
{
	char *vers;

	migrate_ok("upgrade", "head");
	migrate_ok("downgrade", "-1");
	vers = versions_upto(cfg.mig[cfg.nmig - 2].version);
	recorded_is(vers);
	free(vers);
}
END_TEST

START_TEST(test_downgrade_to_n_reverts_everything_above)
{
	struct run r;

	migrate_ok("upgrade", "head");
	migrate(&r, "downgrade", "1");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	/* Newest first. */
	if (cfg.nmig >= 3)
		ck_assert_msg(strstr(r.out, cfg.mig[cfg.nmig - 1].name) <
			strstr(r.out, cfg.mig[1].name),
		    "%s", r.out);
	ck_assert_int_eq(count_lines(r.out, "reverted "), (int)cfg.nmig - 1);
	recorded_is("1");
	current_is("0001");
	run_free(&r);
}
END_TEST

START_TEST(test_downgrade_to_n_restores_schema_of_n)
{
	char *at1, *back;

	migrate_ok("upgrade", "1");
	at1 = schema_print();
	migrate_ok("upgrade", "head");
	migrate_ok("downgrade", "1");
	back = schema_print();
	ck_assert_str_eq(back, at1);
	free(at1);
	free(back);
}
END_TEST

START_TEST(test_downgrade_base_reverts_all)
{
	struct run r;

	migrate_ok("upgrade", "head");
	migrate(&r, "downgrade", "base");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	ck_assert_int_eq(count_lines(r.out, "reverted "), (int)cfg.nmig);
	run_free(&r);
	recorded_is("");
	current_is("base");
	sql_is("SELECT to_regclass('users') IS NULL", "t");
	sql_is("SELECT to_regtype('userrole') IS NULL", "t");
}
END_TEST

START_TEST(test_downgrade_at_base_does_nothing)
{
	struct run r;

	migrate(&r, "downgrade", "base");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	ck_assert_int_eq(count_lines(r.out, "reverted "), 0);
	run_free(&r);
}
END_TEST

START_TEST(test_downgrade_bad_argument_refused)
{
	char *v;

	migrate_ok("upgrade", "head");
	v = fmt("%d", head() + 1);
	migrate_fails("downgrade", v, "downgrade");
	migrate_fails("downgrade", "-x", "downgrade");
	migrate_fails("downgrade", "1.0", "downgrade");
	free(v);
	v = versions_upto(head());
	recorded_is(v);
	free(v);
}
END_TEST

START_TEST(test_round_trip_base_head_base_head)
{
	char *empty, *h1, *b, *h2;

	empty = schema_print();
	migrate_ok("upgrade", "head");
	h1 = schema_print();
	migrate_ok("downgrade", "base");
	b = schema_print();
	ck_assert_str_eq(b, empty);
	migrate_ok("upgrade", "head");
	h2 = schema_print();
	ck_assert_str_eq(h2, h1);
	migrate_ok("downgrade", "base");
	migrate_ok("upgrade", "head");
	free(h2);
	h2 = schema_print();
	ck_assert_str_eq(h2, h1);
	free(empty);
	free(h1);
	free(b);
	free(h2);
}
END_TEST

/* ---------------------------------------------------------------- */
/* What 0001 and 0002 give the application. */

START_TEST(test_email_unique_whatever_the_case)
{
	migrate_ok("upgrade", "head");
	sql_ok("INSERT INTO users (email, hashed_password, name)"
	       " VALUES ('Ann@x.org', 'h', 'Ann')");
	ck_assert_str_eq(sql_on(fx.conn,
			     "INSERT INTO users"
			     " (email, hashed_password, name)"
			     " VALUES ('ann@x.org', 'h', 'Ann')",
			     NULL),
	    "23505");
	sql_is("SELECT count(*) FROM users", "1");
}
END_TEST

START_TEST(test_created_at_set_by_database)
{
	migrate_ok("upgrade", "head");
	sql_ok("INSERT INTO users (email, hashed_password, name)"
	       " VALUES ('a@x.org', 'h', 'A')");
	sql_is("SELECT created_at BETWEEN now() - interval '1 minute'"
	       " AND now() FROM users",
	    "t");
}
END_TEST

START_TEST(test_created_at_never_null)
{
	migrate_ok("upgrade", "head");
	ck_assert_str_eq(sql_on(fx.conn,
			     "INSERT INTO users"
			     " (email, hashed_password, name, created_at)"
			     " VALUES ('a@x.org', 'h', 'A', NULL)",
			     NULL),
	    "23502");
}
END_TEST

START_TEST(test_role_defaults_to_user)
{
	migrate_ok("upgrade", "head");
	sql_ok("INSERT INTO users (email, hashed_password, name)"
	       " VALUES ('a@x.org', 'h', 'A')");
	sql_is("SELECT role FROM users", "USER");
}
END_TEST

START_TEST(test_updated_at_null_until_update)
{
	migrate_ok("upgrade", "head");
	sql_ok("INSERT INTO users (email, hashed_password, name)"
	       " VALUES ('a@x.org', 'h', 'A')");
	sql_is("SELECT updated_at IS NULL FROM users", "t");
	sql_ok("UPDATE users SET name = 'B'");
	sql_is("SELECT updated_at BETWEEN now() - interval '1 minute'"
	       " AND now() FROM users",
	    "t");
}
END_TEST

START_TEST(test_updated_at_kept_by_update_that_changes_nothing)
{
	migrate_ok("upgrade", "head");
	sql_ok("INSERT INTO users (email, hashed_password, name)"
	       " VALUES ('a@x.org', 'h', 'A')");
	sql_ok("UPDATE users SET name = name");
	sql_is("SELECT updated_at IS NULL FROM users", "t");
}
END_TEST

/* ---------------------------------------------------------------- */
/* What 0005 gives the application: orders. */

/* A user (id 1) and a pending order of theirs (id 1) with one item. */
static void
one_order(void)
{
	sql_ok("INSERT INTO users (email, hashed_password, name)"
	       " VALUES ('a@x.org', 'h', 'A')");
	sql_ok("INSERT INTO orders (user_id, currency, total_cents)"
	       " VALUES (1, 'EUR', 2598)");
	sql_ok("INSERT INTO order_items (order_id, position, sku, name,"
	       " unit_price_cents, quantity, line_total_cents)"
	       " VALUES (1, 0, 'BK-1', 'Book', 1299, 2, 2598)");
}

START_TEST(test_orders_down_up_down)
{
	char *at4, *back;

	migrate_ok("upgrade", "4");
	at4 = schema_print();
	migrate_ok("upgrade", "5");
	one_order();
	sql_is("SELECT status || ' ' || version || ' ' || (updated_at IS NULL)"
	       " FROM orders",
	    "pending 1 true");
	migrate_ok("downgrade", "4");
	back = schema_print();
	ck_assert_str_eq(back, at4);
	sql_is("SELECT to_regclass('orders') IS NULL"
	       " AND to_regclass('order_items') IS NULL"
	       " AND to_regclass('order_count') IS NULL"
	       " AND to_regclass('idempotency_keys') IS NULL",
	    "t");
	migrate_ok("upgrade", "5");
	sql_is("SELECT count(*) || ' ' || sum(n) FROM order_count", "80 0");
	migrate_ok("downgrade", "4");
	free(back);
	back = schema_print();
	ck_assert_str_eq(back, at4);
	free(at4);
	free(back);
}
END_TEST

START_TEST(test_orders_constraints_refuse_bad_rows)
{
	static const char *const bad[] = {
		"INSERT INTO orders (user_id, status, currency, total_cents)"
		" VALUES (1, 'lost', 'EUR', 0)",
		"INSERT INTO orders (user_id, currency, total_cents)"
		" VALUES (1, 'eur', 0)",
		"INSERT INTO orders (user_id, currency, total_cents)"
		" VALUES (1, 'E1R', 0)",
		"INSERT INTO orders (user_id, currency, total_cents)"
		" VALUES (1, 'EUR', -1)",
		"INSERT INTO orders (user_id, currency, total_cents)"
		" VALUES (1, 'EUR', 10000000000000001)",
		"INSERT INTO orders (user_id, currency, total_cents, note)"
		" VALUES (1, 'EUR', 0, '')",
		"INSERT INTO orders (user_id, currency, total_cents, version)"
		" VALUES (1, 'EUR', 0, 0)",
		"INSERT INTO order_items VALUES (1, 1, 'S', 'N', 5, 0, 0)",
		"INSERT INTO order_items VALUES (1, 1, 'S', 'N', 5, 1001, 5005)",
		"INSERT INTO order_items"
		" VALUES (1, 1, 'S', 'N', 100000000001, 1, 100000000001)",
		"INSERT INTO order_items VALUES (1, 1, 'S', 'N', -1, 1, -1)",
		"INSERT INTO order_items VALUES (1, 1, 'S', 'N', 5, 2, 11)",
		"INSERT INTO order_items VALUES (1, 100, 'S', 'N', 5, 2, 10)",
		"INSERT INTO order_items VALUES (1, 1, '', 'N', 5, 2, 10)",
		"INSERT INTO order_items VALUES (1, 1, 'S', '', 5, 2, 10)",
		"INSERT INTO idempotency_keys (user_id, key, request_hash,"
		" response_status, response_body)"
		" VALUES (1, 'a b', 'h', 201, '{}')",
		"INSERT INTO idempotency_keys (user_id, key, request_hash,"
		" response_status, response_body)"
		" VALUES (1, 'k', 'h', 500, '{}')",
		"UPDATE order_count SET n = -1", NULL
	};
	size_t i;

	migrate_ok("upgrade", "head");
	one_order();
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(strcmp(sql_on(fx.conn, bad[i], NULL), "23514") ==
			0,
		    "not refused by a CHECK: %s", bad[i]);
	/* The limits themselves are allowed. */
	sql_ok("INSERT INTO order_items VALUES (1, 99, 'S', 'N',"
	       " 100000000000, 1000, 100000000000000)");
	sql_ok("INSERT INTO orders (user_id, currency, total_cents)"
	       " VALUES (1, 'USD', 10000000000000000)");
	/* An item of a missing order; the same position twice. */
	ck_assert_str_eq(sql_on(fx.conn,
			     "INSERT INTO order_items"
			     " VALUES (99, 1, 'S', 'N', 5, 2, 10)",
			     NULL),
	    "23503");
	ck_assert_str_eq(sql_on(fx.conn,
			     "INSERT INTO order_items"
			     " VALUES (1, 0, 'S', 'N', 5, 2, 10)",
			     NULL),
	    "23505");
}
END_TEST

START_TEST(test_deleting_a_user_keeps_their_orders_without_owner)
{
	migrate_ok("upgrade", "head");
	one_order();
	sql_ok("INSERT INTO idempotency_keys (user_id, key, request_hash,"
	       " response_status, response_body)"
	       " VALUES (1, 'k', 'h', 201, '{}')");
	sql_ok("DELETE FROM users");
	sql_is("SELECT coalesce(user_id::text, 'null') || ' ' || status"
	       " || ' ' || version FROM orders",
	    "null pending 1");
	sql_is("SELECT count(*) FROM order_items", "1");
	sql_is("SELECT count(*) FROM idempotency_keys", "0");
	/* Deleting the order takes its items along. */
	sql_ok("DELETE FROM orders");
	sql_is("SELECT count(*) FROM order_items", "0");
}
END_TEST

START_TEST(test_order_counts_kept_by_triggers)
{
	migrate_ok("upgrade", "head");
	one_order();
	sql_ok("INSERT INTO orders (user_id, currency, total_cents)"
	       " SELECT 1, 'EUR', 0 FROM generate_series(1, 40)");
	sql_ok("UPDATE orders SET status = 'paid' WHERE id % 3 = 0");
	sql_ok("DELETE FROM orders WHERE id % 5 = 0");
	sql_is("SELECT string_agg(status || '=' || n, ',' ORDER BY status)"
	       " FROM (SELECT status, sum(n) AS n FROM order_count"
	       " GROUP BY status) AS c WHERE n > 0",
	    "paid=11,pending=22");
	sql_is("SELECT count(*) FROM orders", "33");
	sql_ok("TRUNCATE orders CASCADE");
	sql_is("SELECT sum(n) FROM order_count", "0");
}
END_TEST

/* ---------------------------------------------------------------- */
/* Applied files must not change. */

/* Append a comment to the test's copy of 0001's .up.sql. */
static void
edit_0001(void)
{
	char *path, *text, *edited;

	path = mig_path(1, "create_users", "up");
	text = slurp(path);
	edited = fmt("%s-- edited\n", text);
	spew(path, edited);
	free(edited);
	free(text);
	free(path);
}

START_TEST(test_changed_file_refuses_upgrade)
{
	struct run r;

	migrate_ok("upgrade", "1");
	edit_0001();
	migrate(&r, "upgrade", "head");
	ck_assert_msg(r.status == 1, "exit %d\n%s", r.status, r.err);
	ck_assert_msg(
	    strstr(r.err,
		"migration 0001_create_users.up.sql "
		"has changed since it was applied; refusing to run") != NULL,
	    "%s", r.err);
	ck_assert_int_eq(count_lines(r.out, "applied "), 0);
	run_free(&r);
	recorded_is("1");
}
END_TEST

START_TEST(test_changed_file_refuses_downgrade)
{
	char *vers;

	migrate_ok("upgrade", "head");
	edit_0001();
	migrate_fails("downgrade", "base", "0001_create_users.up.sql");
	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
	sql_is("SELECT to_regclass('users') IS NOT NULL", "t");
}
END_TEST

START_TEST(test_missing_applied_file_refuses_upgrade)
{
	char *path;

	migrate_ok("upgrade", "1");
	path = mig_path(1, "create_users", "up");
	ck_assert_int_eq(unlink(path), 0);
	free(path);
	path = mig_path(1, "create_users", "down");
	ck_assert_int_eq(unlink(path), 0);
	free(path);
	migrate_fails("upgrade", "head", "0001_create_users.up.sql");
	recorded_is("1");
}
END_TEST

START_TEST(test_changed_file_shown_by_history)
{
	struct run r;

	migrate_ok("upgrade", "1");
	edit_0001();
	migrate(&r, "history", NULL);
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "changed") != NULL, "%s", r.out);
	ck_assert_msg(strstr(r.err, "0001_create_users.up.sql") != NULL, "%s",
	    r.err);
	run_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- */
/* A failing migration leaves nothing behind. */

/* Add migration head+1 named "name" to the test's copy. */
static int
add_migration(const char *name, const char *up, const char *down)
{
	char *path;
	int   v = head() + 1;

	path = mig_path(v, name, "up");
	spew(path, up);
	free(path);
	path = mig_path(v, name, "down");
	spew(path, down);
	free(path);
	return v;
}

START_TEST(test_failing_migration_leaves_no_trace)
{
	struct run r;
	char	  *file, *vers;
	int	   v;

	v = add_migration("bad",
	    "CREATE TABLE ua_partial (x integer);\n"
	    "SELECT ua_no_such_function();\n",
	    "DROP TABLE ua_partial;\n");
	migrate(&r, "upgrade", "head");
	ck_assert_msg(r.status == 1, "exit %d\n%s", r.status, r.err);
	file = fmt("%04d_bad.up.sql", v);
	ck_assert_msg(strstr(r.err, file) != NULL, "%s", r.err);
	ck_assert_msg(strstr(r.err, "ua_no_such_function") != NULL, "%s",
	    r.err);
	free(file);
	run_free(&r);

	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
	sql_is("SELECT to_regclass('ua_partial') IS NULL", "t");
}
END_TEST

START_TEST(test_failing_downgrade_keeps_migration_applied)
{
	char *vers, *before;
	int   v;

	before = versions_upto(head());
	v = add_migration("bad_down", "CREATE TABLE ua_kept (x integer);\n",
	    "DROP TABLE ua_kept;\nSELECT ua_no_such_function();\n");
	migrate_ok("upgrade", "head");
	migrate_fails("downgrade", NULL, "ua_no_such_function");
	sql_is("SELECT to_regclass('ua_kept') IS NOT NULL", "t");
	vers = fmt("%s,%d", before, v);
	recorded_is(vers);
	free(vers);
	free(before);
}
END_TEST

START_TEST(test_failing_bookkeeping_rolls_back_migration)
{
	char *up, *vers;
	int   v = head() + 1;

	/* The file records itself, so recording it again must fail. */
	up = fmt("CREATE TABLE ua_t (x integer);\n"
		 "INSERT INTO schema_migrations (version, name, checksum)"
		 " VALUES (%d, 'dup', 'x');\n",
	    v);
	add_migration("dup", up, "DROP TABLE ua_t;\n");
	migrate_fails("upgrade", "head", "duplicate key");
	sql_is("SELECT to_regclass('ua_t') IS NULL", "t");
	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
	free(up);
}
END_TEST

START_TEST(test_migration_that_commits_itself_is_not_recorded)
{
	char *vers;

	add_migration("commits", "CREATE TABLE ua_c (x integer);\nCOMMIT;\n",
	    "DROP TABLE ua_c;\n");
	migrate_fails("upgrade", "head", "ends the transaction itself");
	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Two runs at once. */

/*
 * Start two upgrades while this test holds the migration lock, see both
 * wait for it, then let go.  Both must succeed, only one may apply
 * anything, and every migration is recorded once.
 */
START_TEST(test_concurrent_upgrades_serialise)
{
	struct run r[2];
	pid_t	   pid[2];
	char	  *waiting, *vers;
	time_t	   start;
	int	   i, applied;

	sql_ok("SELECT pg_advisory_lock(" MIG_LOCK_KEY ")");
	for (i = 0; i < 2; i++)
		pid[i] = spawn(0, NULL, 100 + i, "upgrade", "head");

	start = time(NULL);
	for (;;) {
		waiting = sql_val("SELECT count(*) FROM pg_locks"
				  " WHERE locktype = 'advisory' AND NOT granted"
				  " AND database = (SELECT oid FROM pg_database"
				  " WHERE datname = current_database())");
		if (strcmp(waiting, "2") == 0)
			break;
		free(waiting);
		ck_assert_msg(waitpid(pid[0], NULL, WNOHANG) == 0 &&
			waitpid(pid[1], NULL, WNOHANG) == 0,
		    "a run finished while the lock was held");
		ck_assert_msg(time(NULL) - start < LOCK_WAIT_S,
		    "the runs never waited for the lock");
		usleep(20000);
	}
	free(waiting);
	sql_ok("SELECT pg_advisory_unlock(" MIG_LOCK_KEY ")");

	for (i = 0; i < 2; i++)
		collect(pid[i], 100 + i, &r[i]);
	applied = 0;
	for (i = 0; i < 2; i++) {
		ck_assert_msg(r[i].status == 0, "run %d: exit %d\n%s", i,
		    r[i].status, r[i].err);
		applied += count_lines(r[i].out, "applied ");
	}
	ck_assert_int_eq(applied, (int)cfg.nmig);
	ck_assert_msg(count_lines(r[0].out, "applied ") == 0 ||
		count_lines(r[1].out, "applied ") == 0,
	    "both runs applied something:\n%s\n%s", r[0].out, r[1].out);
	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
	for (i = 0; i < 2; i++)
		run_free(&r[i]);
}
END_TEST

START_TEST(test_concurrent_upgrades_race)
{
	struct run r[2];
	pid_t	   pid[2];
	char	  *vers;
	int	   i;

	for (i = 0; i < 2; i++)
		pid[i] = spawn(0, NULL, 100 + i, "upgrade", "head");
	for (i = 0; i < 2; i++)
		collect(pid[i], 100 + i, &r[i]);
	for (i = 0; i < 2; i++)
		ck_assert_msg(r[i].status == 0, "run %d: exit %d\n%s", i,
		    r[i].status, r[i].err);
	ck_assert_int_eq(count_lines(r[0].out, "applied ") +
		count_lines(r[1].out, "applied "),
	    (int)cfg.nmig);
	vers = versions_upto(head());
	recorded_is(vers);
	sql_is("SELECT count(*) = count(DISTINCT version)"
	       " FROM schema_migrations",
	    "t");
	free(vers);
	for (i = 0; i < 2; i++)
		run_free(&r[i]);
}
END_TEST

/* ---------------------------------------------------------------- */
/* A database that the FastAPI template created. */

/* What SQLAlchemy's metadata.create_all() emits for the template. */
static void
make_template_schema(void)
{
	sql_ok("CREATE TYPE userrole AS ENUM ('ADMIN', 'USER')");
	sql_ok("CREATE TABLE users ("
	       " id SERIAL NOT NULL,"
	       " email VARCHAR NOT NULL,"
	       " hashed_password VARCHAR NOT NULL,"
	       " name VARCHAR NOT NULL,"
	       " role userrole NOT NULL,"
	       " created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),"
	       " updated_at TIMESTAMP WITH TIME ZONE,"
	       " PRIMARY KEY (id))");
	sql_ok("CREATE UNIQUE INDEX ix_users_email ON users (email)");
	sql_ok("CREATE INDEX ix_users_id ON users (id)");
}

START_TEST(test_adopt_template_database)
{
	char *vers, *cur;

	make_template_schema();
	sql_ok("INSERT INTO users (email, hashed_password, name, role)"
	       " VALUES ('boss@x.org', '$2b$12$hash', 'Boss', 'ADMIN')");
	migrate_ok("upgrade", "head");
	vers = versions_upto(head());
	recorded_is(vers);
	free(vers);
	cur = fmt("%04d", head());
	current_is(cur);
	free(cur);
	sql_is("SELECT id || ' ' || email || ' ' || hashed_password || ' '"
	       " || name || ' ' || role || ' ' || (updated_at IS NULL)"
	       " FROM users",
	    "1 boss@x.org $2b$12$hash Boss ADMIN true");
}
END_TEST

START_TEST(test_adopted_schema_matches_fresh_one)
{
	char *adopted, *fresh;

	make_template_schema();
	migrate_ok("upgrade", "head");
	adopted = schema_print();
	migrate_ok("downgrade", "base");
	migrate_ok("upgrade", "head");
	fresh = schema_print();
	ck_assert_str_eq(adopted, fresh);
	free(adopted);
	free(fresh);
}
END_TEST

START_TEST(test_adopt_fills_missing_created_at)
{
	make_template_schema();
	sql_ok("INSERT INTO users (email, hashed_password, name, role,"
	       " created_at) VALUES ('a@x.org', 'h', 'A', 'USER', NULL)");
	migrate_ok("upgrade", "head");
	sql_is("SELECT created_at IS NOT NULL FROM users", "t");
}
END_TEST

START_TEST(test_adopt_refuses_emails_differing_in_case)
{
	make_template_schema();
	sql_ok("INSERT INTO users (email, hashed_password, name, role)"
	       " VALUES ('Ann@x.org', 'h', 'A', 'USER'),"
	       " ('ann@x.org', 'h', 'B', 'USER')");
	migrate_fails("upgrade", "head", "differ only in case");
	recorded_is("1");
	sql_is("SELECT count(*) FROM users", "2");
}
END_TEST

START_TEST(test_adopt_refuses_other_role_labels)
{
	sql_ok("CREATE TYPE userrole AS ENUM ('admin', 'user')");
	migrate_fails("upgrade", "head", "userrole");
	recorded_is("");
}
END_TEST

/* ---------------------------------------------------------------- */
/* new */

/* Number of entries in the test's migration directory. */
static int
dir_entries(void)
{
	DIR *d;
	int  n = 0;

	ck_assert_ptr_nonnull(d = opendir(fx.dir));
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

START_TEST(test_new_writes_next_pair_without_database)
{
	struct run  r;
	char	   *path, *text;
	const char *kind[2] = { "up", "down" };
	int	    i;

	migrate_x(&r, RUN_NO_DB, NULL, "new", "add_things");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	for (i = 0; i < 2; i++) {
		path = mig_path(head() + 1, "add_things", kind[i]);
		ck_assert_msg(strstr(r.out, path) != NULL, "%s", r.out);
		text = slurp(path);
		ck_assert_msg(strncmp(text, "-- ", 3) == 0 &&
			strchr(text, '\n') == text + strlen(text) - 1,
		    "%s: not one comment line: \"%s\"", path, text);
		free(text);
		free(path);
	}
	run_free(&r);
}
END_TEST

START_TEST(test_new_refuses_bad_names)
{
	static const char *const bad[] = { "Bad", "bad-name", "", "a/b", "../x",
		"a b", "x.up",
		"0123456789012345678901234567890123456789"
		"0123456789012345678901234",
		NULL };
	struct run		 r;
	int			 i, before;

	before = dir_entries();
	for (i = 0; bad[i] != NULL; i++) {
		migrate_x(&r, RUN_NO_DB, NULL, "new", bad[i]);
		ck_assert_msg(r.status == 1, "new \"%s\": exit %d", bad[i],
		    r.status);
		run_free(&r);
	}
	ck_assert_int_eq(dir_entries(), before);
}
END_TEST

START_TEST(test_new_migration_applies_as_is)
{
	char *vers, *before;

	migrate_ok("new", "nothing_yet");
	migrate_ok("upgrade", "head");
	before = versions_upto(head());
	vers = fmt("%s,%d", before, head() + 1);
	recorded_is(vers);
	free(vers);
	free(before);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The command line and the settings. */

START_TEST(test_no_database_url_fails)
{
	struct run r;

	migrate_x(&r, RUN_NO_DB, NULL, "upgrade", "head");
	ck_assert_msg(r.status == 1, "exit %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "DATABASE_URL") != NULL, "%s", r.err);
	run_free(&r);
}
END_TEST

START_TEST(test_unreachable_database_fails)
{
	struct run r;
	char	  *url;

	url = fmt("DATABASE_URL=host=%s/nowhere port=1 dbname=x "
		  "connect_timeout=2",
	    fx.work);
	migrate_x(&r, RUN_NO_DB, url, "current", NULL);
	ck_assert_msg(r.status == 1, "exit %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "cannot connect") != NULL, "%s", r.err);
	free(url);
	run_free(&r);
}
END_TEST

START_TEST(test_unknown_command_is_usage_error)
{
	struct run r;

	migrate(&r, "upgarde", NULL);
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	migrate(&r, "current", "extra");
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
	migrate(&r, "new", NULL);
	ck_assert_int_eq(r.status, 2);
	run_free(&r);
}
END_TEST

START_TEST(test_directory_from_environment)
{
	struct run r;
	char	  *env;

	env = fmt("USERAPI_MIGRATIONS_DIR=%s", fx.dir);
	migrate_x(&r, RUN_NO_DIR, env, "upgrade", "1");
	ck_assert_msg(r.status == 0, "exit %d\n%s", r.status, r.err);
	recorded_is("1");
	free(env);
	run_free(&r);
}
END_TEST

START_TEST(test_bad_file_name_refused)
{
	char *path;

	path = fmt("%s/01_short.up.sql", fx.dir);
	spew(path, "SELECT 1;\n");
	free(path);
	migrate_fails("upgrade", "head", "01_short.up.sql");
	sql_is("SELECT to_regclass('users') IS NULL", "t");
}
END_TEST

START_TEST(test_lone_half_refused)
{
	char *path;

	path = mig_path(head() + 1, "half", "up");
	spew(path, "SELECT 1;\n");
	free(path);
	migrate_fails("upgrade", "head", "half");
	sql_is("SELECT to_regclass('users') IS NULL", "t");
}
END_TEST

/* ---------------------------------------------------------------- */

static TCase *
tcase(const char *name)
{
	TCase *tc;

	tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	return tc;
}

static Suite *
migrate_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("migrate");

	tc = tcase("upgrade");
	tcase_add_test(tc, test_upgrade_head_applies_every_migration_in_order);
	tcase_add_test(tc, test_upgrade_without_argument_means_head);
	tcase_add_test(tc, test_upgrade_head_makes_template_columns);
	tcase_add_test(tc, test_upgrade_head_makes_userrole_enum);
	tcase_add_test(tc, test_upgrade_head_makes_indexes);
	tcase_add_test(tc, test_current_prints_last_version);
	tcase_add_test(tc,
	    test_current_on_empty_database_prints_base_and_writes_nothing);
	tcase_add_test(tc, test_upgrade_to_n_stops_at_n);
	tcase_add_test(tc, test_upgrade_takes_zero_padded_version);
	tcase_add_test(tc, test_upgrade_again_applies_nothing);
	tcase_add_test(tc, test_upgrade_to_unknown_version_refused);
	tcase_add_test(tc, test_history_lists_applied_and_pending);
	suite_add_tcase(s, tc);

	tc = tcase("downgrade");
	tcase_add_test(tc, test_downgrade_default_reverts_latest);
	tcase_add_test(tc, test_downgrade_minus_one_reverts_latest);
	tcase_add_test(tc, test_downgrade_to_n_reverts_everything_above);
	tcase_add_test(tc, test_downgrade_to_n_restores_schema_of_n);
	tcase_add_test(tc, test_downgrade_base_reverts_all);
	tcase_add_test(tc, test_downgrade_at_base_does_nothing);
	tcase_add_test(tc, test_downgrade_bad_argument_refused);
	tcase_add_test(tc, test_round_trip_base_head_base_head);
	suite_add_tcase(s, tc);

	tc = tcase("schema");
	tcase_add_test(tc, test_email_unique_whatever_the_case);
	tcase_add_test(tc, test_created_at_set_by_database);
	tcase_add_test(tc, test_created_at_never_null);
	tcase_add_test(tc, test_role_defaults_to_user);
	tcase_add_test(tc, test_updated_at_null_until_update);
	tcase_add_test(tc, test_updated_at_kept_by_update_that_changes_nothing);
	tcase_add_test(tc, test_orders_down_up_down);
	tcase_add_test(tc, test_orders_constraints_refuse_bad_rows);
	tcase_add_test(tc,
	    test_deleting_a_user_keeps_their_orders_without_owner);
	tcase_add_test(tc, test_order_counts_kept_by_triggers);
	suite_add_tcase(s, tc);

	tc = tcase("checksum");
	tcase_add_test(tc, test_changed_file_refuses_upgrade);
	tcase_add_test(tc, test_changed_file_refuses_downgrade);
	tcase_add_test(tc, test_missing_applied_file_refuses_upgrade);
	tcase_add_test(tc, test_changed_file_shown_by_history);
	suite_add_tcase(s, tc);

	tc = tcase("atomicity");
	tcase_add_test(tc, test_failing_migration_leaves_no_trace);
	tcase_add_test(tc, test_failing_downgrade_keeps_migration_applied);
	tcase_add_test(tc, test_failing_bookkeeping_rolls_back_migration);
	tcase_add_test(tc, test_migration_that_commits_itself_is_not_recorded);
	suite_add_tcase(s, tc);

	tc = tcase("concurrency");
	tcase_add_test(tc, test_concurrent_upgrades_serialise);
	tcase_add_test(tc, test_concurrent_upgrades_race);
	suite_add_tcase(s, tc);

	tc = tcase("adopt");
	tcase_add_test(tc, test_adopt_template_database);
	tcase_add_test(tc, test_adopted_schema_matches_fresh_one);
	tcase_add_test(tc, test_adopt_fills_missing_created_at);
	tcase_add_test(tc, test_adopt_refuses_emails_differing_in_case);
	tcase_add_test(tc, test_adopt_refuses_other_role_labels);
	suite_add_tcase(s, tc);

	tc = tcase("new");
	tcase_add_test(tc, test_new_writes_next_pair_without_database);
	tcase_add_test(tc, test_new_refuses_bad_names);
	tcase_add_test(tc, test_new_migration_applies_as_is);
	suite_add_tcase(s, tc);

	tc = tcase("cli");
	tcase_add_test(tc, test_no_database_url_fails);
	tcase_add_test(tc, test_unreachable_database_fails);
	tcase_add_test(tc, test_unknown_command_is_usage_error);
	tcase_add_test(tc, test_directory_from_environment);
	tcase_add_test(tc, test_bad_file_name_refused);
	tcase_add_test(tc, test_lone_half_refused);
	suite_add_tcase(s, tc);

	return s;
}

/* ---------------------------------------------------------------- */

static int
srcmig_cmp(const void *a, const void *b)
{
	const struct srcmig *ma = a, *mb = b;

	return (ma->version > mb->version) - (ma->version < mb->version);
}

/*
 * Fill cfg.mig from the NNNN_name.up.sql files of cfg.src.  Returns
 * false with a message on stderr if there are none.
 */
static bool
scan_source(void)
{
	DIR	      *d;
	struct dirent *de;
	size_t	       len;
	int	       v;

	if ((d = opendir(cfg.src)) == NULL) {
		fprintf(stderr, "test_migrate: %s: %s\n", cfg.src,
		    strerror(errno));
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 13 || strcmp(de->d_name + len - 7, ".up.sql") != 0 ||
		    sscanf(de->d_name, "%4d_", &v) != 1 ||
		    len - 12 > MIG_NAME_MAX)
			continue;
		cfg.mig = realloc(cfg.mig, (cfg.nmig + 1) * sizeof(*cfg.mig));
		cfg.mig[cfg.nmig].version = v;
		snprintf(cfg.mig[cfg.nmig].name, sizeof(cfg.mig[0].name),
		    "%.*s", (int)(len - 12), de->d_name + 5);
		cfg.nmig++;
	}
	closedir(d);
	if (cfg.nmig == 0) {
		fprintf(stderr, "test_migrate: no migrations in %s\n", cfg.src);
		return false;
	}
	qsort(cfg.mig, cfg.nmig, sizeof(*cfg.mig), srcmig_cmp);
	return true;
}

/* Drop every database this run made that a failed test left behind. */
static void
sweep(void)
{
	const char *const params[1] = { cfg.prefix };
	PGconn		 *c;
	PGresult	 *res;
	char		 *q, *id;
	int		  i;

	c = PQconnectdb(cfg.admin_url);
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return;
	}
	res = PQexecParams(c,
	    "SELECT datname FROM pg_database"
	    " WHERE left(datname, length($1::text)) = $1::text",
	    1, NULL, params, NULL, NULL, 0);
	for (i = 0;
	     PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res);
	     i++) {
		id = PQescapeIdentifier(c, PQgetvalue(res, i, 0),
		    strlen(PQgetvalue(res, i, 0)));
		if (id == NULL)
			continue;
		if (asprintf(&q, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
			id) != -1) {
			PQclear(
			    PQexecParams(c, q, 0, NULL, NULL, NULL, NULL, 0));
			free(q);
		}
		PQfreemem(id);
	}
	PQclear(res);
	PQfinish(c);
}

int
main(void)
{
	SRunner	   *sr;
	PGconn	   *c;
	const char *tool, *src, *tmp;
	int	    failed;

	/* The one line scripts/test gathers when the run uses PgBouncer. */
	if ((tmp = getenv("UA_TEST_THROUGH_PGBOUNCER")) != NULL &&
	    strcmp(tmp, "1") == 0)
		printf("not through PgBouncer: test_migrate: migrations go "
		       "directly to PostgreSQL (README: not through a pooler "
		       "in transaction mode; userapi-migrate holds a "
		       "session-level advisory lock)\n");
	if ((cfg.admin_url = getenv("UA_TEST_PG_ADMIN_URL")) == NULL ||
	    cfg.admin_url[0] == '\0') {
		fprintf(stderr,
		    "test_migrate: UA_TEST_PG_ADMIN_URL is not "
		    "set: give it the libpq conninfo of a PostgreSQL role "
		    "that may create databases\n");
		return EXIT_FAILURE;
	}
	c = PQconnectdb(cfg.admin_url);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr,
		    "test_migrate: cannot connect with "
		    "UA_TEST_PG_ADMIN_URL: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return EXIT_FAILURE;
	}
	PQfinish(c);

	if ((tool = getenv("UA_TEST_MIGRATE")) == NULL || tool[0] == '\0')
		tool = "./userapi-migrate";
	if (realpath(tool, cfg.tool) == NULL || access(cfg.tool, X_OK) != 0) {
		fprintf(stderr,
		    "test_migrate: %s: not an executable "
		    "(set UA_TEST_MIGRATE)\n",
		    tool);
		return EXIT_FAILURE;
	}
	if ((src = getenv("UA_TEST_MIGRATIONS_DIR")) == NULL || src[0] == '\0')
		src = UA_TEST_SRC_MIGRATIONS;
	if (realpath(src, cfg.src) == NULL) {
		fprintf(stderr, "test_migrate: %s: %s\n", src, strerror(errno));
		return EXIT_FAILURE;
	}
	if (!scan_source())
		return EXIT_FAILURE;

	if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	snprintf(cfg.rundir, sizeof(cfg.rundir), "%s/ua-test-migrate-XXXXXX",
	    tmp);
	if (mkdtemp(cfg.rundir) == NULL) {
		fprintf(stderr, "test_migrate: mkdtemp %s: %s\n", cfg.rundir,
		    strerror(errno));
		return EXIT_FAILURE;
	}
	snprintf(cfg.prefix, sizeof(cfg.prefix), "ua_test_migrate_%ld_",
	    (long)getpid());

	sr = srunner_create(migrate_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	sweep();
	rm_tree(cfg.rundir);
	free(cfg.mig);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
