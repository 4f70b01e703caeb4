/*
 * pgtest.c -- what the integration tests that make scratch databases
 * share: formatting, connection strings, environment entries, and the
 * scratch database itself.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgtest.h"

/* "fmt" into a fresh string; free it. */
char *
pgt_fmt(const char *f, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		abort();
	return s;
}

char *
pgt_add_session(PGconn *conn, long long user_id)
{
	PGresult   *res;
	char	    buf[32];
	const char *p = buf;
	char	   *id = NULL;

	snprintf(buf, sizeof(buf), "%lld", user_id);
	res = PQexecParams(conn,
	    "INSERT INTO sessions (user_id, expires_at, ip, refresh_hash,"
	    " token_version) SELECT id, now() + interval '1 hour',"
	    " '127.0.0.1', sha256(random()::text::bytea), token_version"
	    " FROM users WHERE id = $1::bigint RETURNING id",
	    1, NULL, &p, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = pgt_fmt("%s", PQgetvalue(res, 0, 0));
	else
		fprintf(stderr, "pgt_add_session: %s",
		    PQresultErrorMessage(res));
	PQclear(res);
	return id;
}

/*
 * "conninfo" (URI or key=value) with its dbname replaced by "db", as a
 * key=value string, or NULL if it cannot be parsed; free it.
 */
char *
pgt_conninfo_for(const char *conninfo, const char *db)
{
	PQconninfoOption *opts, *o;
	char		 *err = NULL, *out, *tmp;
	const char	 *v, *k;
	size_t		  i;

	if ((opts = PQconninfoParse(conninfo, &err)) == NULL) {
		PQfreemem(err);
		return NULL;
	}
	out = pgt_fmt("%s", "");
	for (o = opts;; o++) {
		if (o->keyword == NULL) {
			k = "dbname";
			v = db;
		} else if (o->val == NULL || strcmp(o->keyword, "dbname") == 0)
			continue;
		else {
			k = o->keyword;
			v = o->val;
		}
		tmp = pgt_fmt("%s%s='", out, k);
		free(out);
		out = tmp;
		for (i = 0; v[i] != '\0'; i++) {
			tmp = pgt_fmt("%s%s%c", out,
			    v[i] == '\'' || v[i] == '\\' ? "\\" : "", v[i]);
			free(out);
			out = tmp;
		}
		tmp = pgt_fmt("%s' ", out);
		free(out);
		out = tmp;
		if (o->keyword == NULL)
			break;
	}
	PQconninfoFree(opts);
	return out;
}

/* True if the environment entry "e" sets "name" (any case). */
bool
pgt_env_is(const char *e, const char *name)
{
	size_t len = strlen(name);

	return strncasecmp(e, name, len) == 0 && e[len] == '=';
}

extern char **environ;

bool
pgt_admin_db(PGconn *admin, const char *db, const char *verb, const char *tail)
{
	PGresult *res;
	char	 *id, *q;
	bool	  ok;

	if ((id = PQescapeIdentifier(admin, db, strlen(db))) == NULL)
		return false;
	q = pgt_fmt("%s DATABASE %s%s", verb, id, tail);
	res = PQexec(admin, q);
	if (!(ok = PQresultStatus(res) == PGRES_COMMAND_OK))
		fprintf(stderr, "%s: %s", q, PQerrorMessage(admin));
	PQclear(res);
	free(q);
	PQfreemem(id);
	return ok;
}

/*
 * Run "userapi-migrate --dir SRC upgrade head" on the scratch database,
 * with none of the caller's settings.  True if it exited 0.
 */
static bool
migrate(const struct pgt_scratch *s)
{
	static const char *const drop[] = { "DATABASE_URL", "JWT_SECRET",
		"USERAPI_ENV_FILE", "USERAPI_MIGRATIONS_DIR", NULL };
	char			*argv[6], **env;
	size_t			 n, i, j, k;
	pid_t			 pid;
	int			 st, fd;
	bool			 keep;

	for (n = 0; environ[n] != NULL; n++)
		continue;
	if ((env = calloc(n + 3, sizeof(*env))) == NULL)
		return false;
	for (i = j = 0; i < n; i++) {
		keep = true;
		for (k = 0; drop[k] != NULL; k++)
			if (pgt_env_is(environ[i], drop[k]))
				keep = false;
		if (keep)
			env[j++] = environ[i];
	}
	env[j++] = pgt_fmt("USERAPI_ENV_FILE=%s", s->envfile);
	env[j++] = pgt_fmt("DATABASE_URL=%s", s->conninfo);
	env[j] = NULL;
	argv[0] = pgt_fmt("%s", s->tool);
	argv[1] = pgt_fmt("%s", "--dir");
	argv[2] = pgt_fmt("%s", s->src);
	argv[3] = pgt_fmt("%s", "upgrade");
	argv[4] = pgt_fmt("%s", "head");
	argv[5] = NULL;

	if ((pid = fork()) == -1)
		return false;
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(fd, STDOUT_FILENO) == -1)
			_exit(126);
		execve(s->tool, argv, env);
		_exit(127);
	}
	free(env[j - 1]);
	free(env[j - 2]);
	free(env);
	for (i = 0; i < 5; i++)
		free(argv[i]);
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

bool
pgt_through_pgbouncer(void)
{
	const char *v = getenv("UA_TEST_THROUGH_PGBOUNCER");

	return v != NULL && strcmp(v, "1") == 0;
}

void
pgt_direct(const char *prog, const char *what, const char *why)
{
	if (!pgt_through_pgbouncer())
		return;
	printf("not through PgBouncer: %s%s%s: %s\n", prog,
	    what[0] != '\0' ? ", " : "", what, why);
	fflush(stdout);
}

char *
pgt_pooled_conninfo(const char *prog, const char *db, const char *user)
{
	const char *url = getenv("UA_TEST_PGBOUNCER_URL");
	char	   *ci, *out;

	if (url == NULL || url[0] == '\0') {
		fprintf(stderr,
		    "%s: UA_TEST_THROUGH_PGBOUNCER=1 but UA_TEST_PGBOUNCER_URL "
		    "is not set\n",
		    prog);
		return NULL;
	}
	if ((ci = pgt_conninfo_for(url, db)) == NULL) {
		fprintf(stderr, "%s: UA_TEST_PGBOUNCER_URL cannot be parsed\n",
		    prog);
		return NULL;
	}
	/* The last "user" of a conninfo string wins. */
	out = pgt_fmt("%suser='%s'", ci, user);
	free(ci);
	return out;
}

bool
pgt_scratch_open(struct pgt_scratch *s, const char *prog, const char *src)
{
	const char *tool, *tmp, *dir;
	int	    fd;

	memset(s, 0, sizeof(*s));
	if ((s->admin_url = getenv("UA_TEST_PG_ADMIN_URL")) == NULL ||
	    s->admin_url[0] == '\0') {
		fprintf(stderr,
		    "%s: UA_TEST_PG_ADMIN_URL is not set: give it the libpq "
		    "conninfo of a PostgreSQL role that may create "
		    "databases\n",
		    prog);
		return false;
	}
	if ((tool = getenv("UA_TEST_MIGRATE")) == NULL || tool[0] == '\0')
		tool = "./userapi-migrate";
	if (realpath(tool, s->tool) == NULL || access(s->tool, X_OK) != 0) {
		fprintf(stderr,
		    "%s: %s: not an executable (set UA_TEST_MIGRATE)\n", prog,
		    tool);
		return false;
	}
	if ((dir = getenv("UA_TEST_MIGRATIONS_DIR")) != NULL && dir[0] != '\0')
		src = dir;
	if (realpath(src, s->src) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, src, strerror(errno));
		return false;
	}
	s->admin = PQconnectdb(s->admin_url);
	if (PQstatus(s->admin) != CONNECTION_OK) {
		fprintf(stderr,
		    "%s: cannot connect with UA_TEST_PG_ADMIN_URL: %s", prog,
		    PQerrorMessage(s->admin));
		goto fail;
	}
	snprintf(s->db, sizeof(s->db), "ua_%s_%ld", prog, (long)getpid());
	if ((s->conninfo = pgt_conninfo_for(s->admin_url, s->db)) == NULL) {
		fprintf(stderr, "%s: UA_TEST_PG_ADMIN_URL cannot be parsed\n",
		    prog);
		goto fail;
	}
	if (!pgt_admin_db(s->admin, s->db, "CREATE", "")) {
		s->db[0] = '\0'; /* nothing to drop */
		goto fail;
	}
	if ((tmp = getenv("TMPDIR")) == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	snprintf(s->dir, sizeof(s->dir), "%s/ua-%s-XXXXXX", tmp, prog);
	if (mkdtemp(s->dir) == NULL) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n", prog, s->dir,
		    strerror(errno));
		s->dir[0] = '\0';
		goto fail;
	}
	snprintf(s->envfile, sizeof(s->envfile), "%s/empty.env", s->dir);
	if ((fd = open(s->envfile, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    close(fd) == -1) {
		fprintf(stderr, "%s: %s: %s\n", prog, s->envfile,
		    strerror(errno));
		goto fail;
	}
	/* Migrations go directly to the server, never through a pooler. */
	if (!migrate(s)) {
		fprintf(stderr, "%s: %s upgrade head failed\n", prog, s->tool);
		goto fail;
	}
	/* As the admin role: the owner of what the migrations made. */
	if (pgt_through_pgbouncer() &&
	    (s->pooled = pgt_pooled_conninfo(prog, s->db, PQuser(s->admin))) ==
		NULL)
		goto fail;
	return true;
fail:
	pgt_scratch_close(s);
	return false;
}

void
pgt_scratch_close(struct pgt_scratch *s)
{
	if (s->admin != NULL && s->db[0] != '\0' &&
	    PQstatus(s->admin) == CONNECTION_OK)
		pgt_admin_db(s->admin, s->db, "DROP", " WITH (FORCE)");
	PQfinish(s->admin);
	s->admin = NULL;
	if (s->envfile[0] != '\0')
		unlink(s->envfile);
	if (s->dir[0] != '\0')
		rmdir(s->dir);
	free(s->conninfo);
	s->conninfo = NULL;
	free(s->pooled);
	s->pooled = NULL;
}
