/*
 * stack.c -- the running test stack as scripts/test exports it, and the
 * three targets (lighttpd, Apache, plain CGI) every case can be put to.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "api_helpers.h" /* API_TARGETS */
#include "http.h"
#include "stack.h"

/* Longest a CGI run or a stack command may take before it counts as hung. */
#define CGI_TIMEOUT_S 20
#define CTL_TIMEOUT_S 120

#define MAX_BODY_DEFAULT 1048576

static const char *const target_names[TARGET__MAX] = {
	"lighttpd", /* TARGET_LIGHTTPD */
	"apache",   /* TARGET_APACHE */
	"nginx",    /* TARGET_NGINX */
	"cgi",	    /* TARGET_CGI */
	"fastcgi",  /* TARGET_FASTCGI */
};

static const char *const target_vars[TARGET__MAX] = {
	"UA_TEST_LIGHTTPD_URL", /* TARGET_LIGHTTPD */
	"UA_TEST_APACHE_URL",	/* TARGET_APACHE */
	"UA_TEST_NGINX_URL",	/* TARGET_NGINX */
	"UA_TEST_CGI_BIN",	/* TARGET_CGI */
	"UA_TEST_CGI_BIN",	/* TARGET_FASTCGI */
};

/* Parents of the workers, as /proc/<pid>/comm names them (Debian). */
static const char *const target_servers[TARGET__MAX] = {
	"lighttpd",   /* TARGET_LIGHTTPD: mod_fastcgi spawns them */
	"apache2",    /* TARGET_APACHE: mod_fcgid's process manager */
	"multiwatch", /* TARGET_NGINX: userapi-fcgi-pool's */
	NULL,	      /* TARGET_CGI */
	NULL,	      /* TARGET_FASTCGI */
};

const char *
target_server(enum target t)
{
	if (t >= TARGET__MAX || target_servers[t] == NULL)
		return NULL;
	if (stack_server_cgi()) {
		printf("%s: the workers run as plain CGI, a process a request "
		       "(UA_TEST_SERVER_CGI=1): no worker processes to check\n",
		    target_name(t));
		fflush(stdout);
		return NULL;
	}
	return target_servers[t];
}

const char *
target_name(enum target t)
{
	return t < TARGET__MAX ? target_names[t] : "?";
}

const char *
target_url(enum target t)
{
	ck_assert_msg(t < TARGET_SERVERS_MAX, "%s is not a web server",
	    target_name(t));
	return stack_env(target_vars[t]);
}

const char *
target_url_quiet(enum target t)
{
	const char *v;

	if (t >= TARGET_SERVERS_MAX || (v = getenv(target_vars[t])) == NULL ||
	    *v == '\0')
		return NULL;
	return v;
}

void
target_worker_log(enum target t, char *path, size_t len)
{
	static const char *const names[TARGET_SERVERS_MAX] = {
		"lighttpd-error.log", /* lighttpd passes its stderr on */
		"apache-error.log",   /* mod_fcgid copies it there */
		"nginx-workers.log",  /* the pools' own */
	};

	ck_assert_msg(t < TARGET_SERVERS_MAX, "%s is not a web server",
	    target_name(t));
	snprintf(path, len, "%s/%s", stack_env("UA_TEST_LOG_DIR"), names[t]);
}

const char *
stack_env(const char *name)
{
	const char *v;

	v = getenv(name);
	ck_assert_msg(v != NULL && *v != '\0',
	    "%s is not set: run the integration tests through scripts/test, "
	    "which starts the stack and exports it",
	    name);
	return v;
}

double
stack_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
xchg_run(struct xchg *x, enum target t, const struct http_req *req)
{
	char	    err[1024], prog[1024];
	const char *where;
	int	    rc;

	ck_assert_msg(t < TARGET__MAX, "bad target %d", (int)t);
	memset(x, 0, sizeof(*x));
	x->target = t;
	snprintf(x->label, sizeof(x->label), "%s %s %.120s%s", target_name(t),
	    req->method, req->target, req->chunked ? " (chunked)" : "");
	where = stack_env(target_vars[t]);
	err[0] = '\0';

	if (t < TARGET_SERVERS_MAX) {
		rc = http_do(where, req, &x->resp, err, sizeof(err));
		ck_assert_msg(rc == 0, "%s: %s did not answer: %s", x->label,
		    target_name(t), err);
		return;
	}

	snprintf(prog, sizeof(prog), "%s/health.fcgi", where);
	if (t == TARGET_CGI)
		rc = http_cgi(prog, stack_env("UA_TEST_ENV_FILE"), req,
		    &x->resp, CGI_TIMEOUT_S, err, sizeof(err));
	else
		rc = http_fcgi(prog, stack_env("UA_TEST_ENV_FILE"), req,
		    &x->resp, CGI_TIMEOUT_S, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", x->label, err);
	ck_assert_msg(!WIFSIGNALED(x->resp.wstatus),
	    "%s: worker killed by signal %d; stderr: %s", x->label,
	    WIFSIGNALED(x->resp.wstatus) ? WTERMSIG(x->resp.wstatus) : 0,
	    x->resp.log);
	ck_assert_msg(WIFEXITED(x->resp.wstatus) &&
		WEXITSTATUS(x->resp.wstatus) == 0,
	    "%s: worker exited %d after answering %ld%s; stderr: %s", x->label,
	    WEXITSTATUS(x->resp.wstatus), x->resp.status,
	    t == TARGET_FASTCGI ? " and SIGTERM" : "", x->resp.log);
}

void
xchg_simple(struct xchg *x, enum target t, const char *method, const char *path,
    const char *const *headers)
{
	struct http_req req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.target = path;
	req.headers = headers;
	xchg_run(x, t, &req);
}

void
xchg_free(struct xchg *x)
{
	http_resp_free(&x->resp);
}

/*
 * Run "$UA_TEST_STACK verb", waiting at most CTL_TIMEOUT_S.  Returns its
 * exit status, or -1 with the reason in "err".
 */
static int
run_ctl(const char *verb, char *err, size_t errlen)
{
	const char *cmd;
	char	    c[4096], v[64], *argv[3];
	pid_t	    pid, r;
	int	    st;
	double	    deadline;

	if ((cmd = getenv("UA_TEST_STACK")) == NULL || *cmd == '\0') {
		snprintf(err, errlen,
		    "UA_TEST_STACK is not set: run the "
		    "integration tests through scripts/test");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		snprintf(c, sizeof(c), "%s", cmd);
		snprintf(v, sizeof(v), "%s", verb);
		argv[0] = c;
		argv[1] = v;
		argv[2] = NULL;
		execv(cmd, argv);
		fprintf(stderr, "%s: %s\n", cmd, strerror(errno));
		_exit(127);
	}
	deadline = stack_now() + CTL_TIMEOUT_S;
	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r == -1 && errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (stack_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(err, errlen,
			    "\"%s\" %s: still running after "
			    "%d s, killed",
			    cmd, verb, CTL_TIMEOUT_S);
			return -1;
		}
		usleep(20000);
	}
	if (!WIFEXITED(st)) {
		snprintf(err, errlen, "\"%s\" %s: killed by signal %d", cmd,
		    verb, WTERMSIG(st));
		return -1;
	}
	snprintf(err, errlen, "\"%s\" %s: exit %d", cmd, verb, WEXITSTATUS(st));
	return WEXITSTATUS(st);
}

void
stack_ctl(const char *verb)
{
	char err[512];

	ck_assert_msg(run_ctl(verb, err, sizeof(err)) == 0, "%s", err);
}

bool
stack_ctl_quiet(const char *verb)
{
	char err[512];

	if (run_ctl(verb, err, sizeof(err)) == 0)
		return true;
	fprintf(stderr, "%s\n", err);
	return false;
}

static int
cmp_proc(const void *a, const void *b)
{
	pid_t x = ((const struct worker_proc *)a)->pid;
	pid_t y = ((const struct worker_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

/* Read /proc/<pid>/comm into "buf"; false if the process is gone. */
static bool
proc_comm(long pid, char *buf, size_t len)
{
	char  path[64];
	FILE *f;
	bool  ok;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/*
 * State and parent of "pid" from /proc/<pid>/stat.  Returns false if it
 * is gone or a zombie.
 */
static bool
proc_alive(long pid, long *ppid)
{
	char  path[64], buf[512], *p;
	FILE *f;
	bool  alive = false;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	/* "pid (comm) S ppid ...": comm may hold spaces and parentheses. */
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] != 'Z' &&
	    p[2] != 'X' && sscanf(p + 3, " %ld", ppid) == 1)
		alive = true;
	fclose(f);
	return alive;
}

/*
 * Is process "pid" a program of this stack's cgi-bin?  Other stacks on
 * the same machine (another checkout's tests, a benchmark) run workers
 * of the same names, which a test must neither count nor kill.
 */
static bool
proc_ours(long pid)
{
	const char *bin = getenv("UA_TEST_CGI_BIN");
	char	    link[64], exe[PATH_MAX], dir[PATH_MAX];
	ssize_t	    n;
	size_t	    len;

	if (bin == NULL || realpath(bin, dir) == NULL)
		return true; /* nothing to tell them apart by */
	snprintf(link, sizeof(link), "/proc/%ld/exe", pid);
	if ((n = readlink(link, exe, sizeof(exe) - 1)) <= 0)
		return false;
	exe[n] = '\0';
	len = strlen(dir);
	return strncmp(exe, dir, len) == 0 && exe[len] == '/';
}

size_t
stack_workers(const char *comm, const char *server, struct worker_proc *procs,
    size_t max)
{
	DIR	      *d;
	struct dirent *de;
	char	       name[64], *end;
	size_t	       n = 0;
	long	       pid, ppid;
	/* Worker programs are told apart by their path; servers are not. */
	bool workers = strstr(comm, ".fcgi") != NULL;

	ck_assert_msg((d = opendir("/proc")) != NULL, "opendir /proc: %s",
	    strerror(errno));
	while ((de = readdir(d)) != NULL && n < max) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		errno = 0;
		pid = strtol(de->d_name, &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0)
			continue;
		if (!proc_comm(pid, name, sizeof(name)) ||
		    strcmp(name, comm) != 0 || !proc_alive(pid, &ppid) ||
		    (workers && !proc_ours(pid)))
			continue;
		procs[n].pid = (pid_t)pid;
		if (!proc_comm(ppid, procs[n].parent, sizeof(procs[n].parent)))
			snprintf(procs[n].parent, sizeof(procs[n].parent), "?");
		if (server != NULL && strcmp(procs[n].parent, server) != 0)
			continue;
		n++;
	}
	closedir(d);
	qsort(procs, n, sizeof(*procs), cmp_proc);
	return n;
}

size_t
stack_max_body(void)
{
	const char	  *file;
	FILE		  *f;
	char		   line[1024], *p, *eq, *v, *end;
	size_t		   len, max = MAX_BODY_DEFAULT;
	unsigned long long n;

	file = stack_env("UA_TEST_ENV_FILE");
	ck_assert_msg((f = fopen(file, "r")) != NULL, "%s: %s", file,
	    strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "export ", 7) == 0)
			p += 7 + strspn(p + 7, " \t");
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		len = (size_t)(eq - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len != 14 || strncasecmp(p, "MAX_BODY_BYTES", 14) != 0)
			continue;
		v = eq + 1 + strspn(eq + 1, " \t\"'");
		errno = 0;
		n = strtoull(v, &end, 10);
		ck_assert_msg(errno == 0 && end != v && n > 0,
		    "%s: MAX_BODY_BYTES is not a number", file);
		max = (size_t)n;
	}
	fclose(f);
	return max;
}

bool
target_in_run(enum target t)
{
	const char *list = getenv("UA_TEST_TARGETS"), *p;
	size_t	    len, n;

	if (list == NULL || *list == '\0')
		return true;
	for (p = list; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		for (n = 0; n < TARGET__MAX; n++)
			if (strlen(target_names[n]) == len &&
			    strncmp(p, target_names[n], len) == 0)
				break;
		if (n == TARGET__MAX) {
			fprintf(stderr,
			    "UA_TEST_TARGETS=\"%s\": \"%.*s\" is not "
			    "the name of a target\n",
			    list, (int)len, p);
			exit(EXIT_FAILURE);
		}
		if (n == (size_t)t)
			return true;
	}
	return false;
}

enum target
target_first_server(void)
{
	enum target t;

	for (t = TARGET_LIGHTTPD; t < TARGET_SERVERS_MAX; t++)
		if (target_in_run(t))
			return t;
	return TARGET_LIGHTTPD;
}

/*
 * How loops over the targets write their end (tcase_add_loop_test()
 * keeps the text): the names, and the values they stand for.
 */
static const struct {
	const char *text;
	int	    value;
} target_ends[] = {
	{ "API_TARGETS", API_TARGETS },
	{ "TARGET_SERVERS_MAX", TARGET_SERVERS_MAX },
	{ "TARGET_TABLE_MAX", TARGET_TABLE_MAX },
	{ "TARGET__MAX", TARGET__MAX },
	{ "TARGET_LIGHTTPD + 1", TARGET_LIGHTTPD + 1 },
};

/*
 * The number of targets iteration _i is taken modulo for a loop whose
 * end reads "end_text": 0 for "NAME" (_i is the target), N for
 * "(int)(ROWS * NAME)", -1 if the loop is not over the targets.
 */
static int
target_loop_modulo(const char *end_text)
{
	char   suffix[64];
	size_t i, len, slen;

	len = strlen(end_text);
	for (i = 0; i < sizeof(target_ends) / sizeof(target_ends[0]); i++) {
		if (strcmp(end_text, target_ends[i].text) == 0)
			return 0;
		snprintf(suffix, sizeof(suffix), " * %s)", target_ends[i].text);
		slen = strlen(suffix);
		if (strncmp(end_text, "(int)(", 6) == 0 && len > 6 + slen &&
		    strcmp(end_text + len - slen, suffix) == 0)
			return target_ends[i].value;
	}
	return -1;
}

void
target_add_loop_test(TCase *tc, const TTest *tf, int start, int end,
    const char *end_text)
{
	static bool said;
	int	    mod, i, from;
	enum target t;
	bool	    in;

	if ((mod = target_loop_modulo(end_text)) == -1) {
		_tcase_add_test(tc, tf, 0, 0, start, end);
		return;
	}
	for (from = -1, i = start; i <= end; i++) {
		in = false;
		if (i < end) {
			t = (enum target)(mod > 0 ? i % mod : i);
			if (!(in = target_in_run(t)) && !said) {
				printf("UA_TEST_TARGETS=%s: the iterations "
				       "of the loop tests over the targets "
				       "that it does not name are left out\n",
				    getenv("UA_TEST_TARGETS"));
				said = true;
			}
		}
		if (in && from == -1)
			from = i;
		if (!in && from != -1) {
			_tcase_add_test(tc, tf, 0, 0, from, i);
			from = -1;
		}
	}
}

const char *
stack_root_path(void)
{
	const char *v = getenv("UA_TEST_ROOT_PATH");

	return v != NULL ? v : "";
}

bool
stack_server_cgi(void)
{
	const char *v = getenv("UA_TEST_SERVER_CGI");

	return v != NULL && strcmp(v, "1") == 0;
}
