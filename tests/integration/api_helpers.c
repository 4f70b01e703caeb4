/*
 * api_helpers.c -- requests, assertions, accounts, settings and tokens
 * for the users and auth integration suites, and the main() of a program
 * of one suite.  See api_helpers.h.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

/* Longest a plain CGI run may take; bcrypt at a high cost is slow. */
#define CGI_TIMEOUT_S 60
/* Longest a parallel batch may take on a server. */
#define MULTI_TIMEOUT_S 120
#define HDR_MAX 16

static char	run_tag[16];
static unsigned email_seq;
static char	pg_marker[256];
static char	pg_dir[64];

static struct api_settings settings;
static bool		   settings_loaded;

/* ------------------------------------------------------------------ */
/* Set-up                                                              */
/* ------------------------------------------------------------------ */

void
api_init(void)
{
	unsigned char rnd[4];
	int	      fd;
	ssize_t	      n = -1;

	http_global_init();
	if ((fd = open("/dev/urandom", O_RDONLY)) != -1) {
		n = read(fd, rnd, sizeof(rnd));
		close(fd);
	}
	if (n != (ssize_t)sizeof(rnd)) {
		unsigned long v =
		    (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);

		memcpy(rnd, &v, sizeof(rnd));
	}
	snprintf(run_tag, sizeof(run_tag), "%02x%02x%02x%02x", rnd[0], rnd[1],
	    rnd[2], rnd[3]);

	snprintf(pg_dir, sizeof(pg_dir), "/tmp/ua-test-api.XXXXXX");
	if (mkdtemp(pg_dir) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	snprintf(pg_marker, sizeof(pg_marker), "%s/pg-down", pg_dir);
}

void
api_cleanup(void)
{
	unlink(pg_marker);
	rmdir(pg_dir);
	http_global_cleanup();
}

int
api_run_suite(Suite *(*make)(void))
{
	SRunner *sr;
	int	 failed;

	api_init();
	api_prepare();
	sr = srunner_create(make());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	api_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *
api_email(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "%s-%s-%ld-%u@example.com", tag, run_tag,
	    (long)getpid(), email_seq++);
	return buf;
}

double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */
/* ------------------------------------------------------------------ */

/* "v" as python-dotenv reads it: quotes and escapes undone, comments cut. */
static void
dotenv_value(const char *v, char *out, size_t len)
{
	size_t o = 0;
	char   q;

	v += strspn(v, " \t");
	if (*v == '\'' || *v == '"') {
		q = *v++;
		while (*v != '\0' && *v != q && o + 1 < len) {
			if (*v == '\\' && v[1] != '\0' &&
			    (v[1] == q || v[1] == '\\'))
				v++;
			out[o++] = *v++;
		}
	} else {
		while (*v != '\0' && *v != '\n' && *v != '\r' &&
		    !(*v == '#' && o > 0 &&
			(out[o - 1] == ' ' || out[o - 1] == '\t')) &&
		    o + 1 < len)
			out[o++] = *v++;
		while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
			o--;
	}
	out[o] = '\0';
}

/* Copy "src" into "dst" of "len" bytes; false if it does not fit. */
static bool
scopy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

static bool
setting_long(const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	return errno == 0 && end != v && *end == '\0';
}

/* One NAME=value of the settings file into "s"; false if unusable. */
static bool
setting_set(struct api_settings *s, const char *name, const char *val)
{
	long n;

	if (strcasecmp(name, "DATABASE_URL") == 0)
		return scopy(s->database_url, sizeof(s->database_url), val);
	if (strcasecmp(name, "JWT_SECRET") == 0)
		return scopy(s->jwt_secret, sizeof(s->jwt_secret), val);
	if (strcasecmp(name, "JWT_ALGORITHM") == 0)
		return *val == '\0' ||
		    scopy(s->jwt_algorithm, sizeof(s->jwt_algorithm), val);
	if (strcasecmp(name, "ACCESS_TOKEN_EXPIRE_MINUTES") == 0) {
		if (!setting_long(val, &n))
			return false;
		s->expire_minutes = n;
	} else if (strcasecmp(name, "BCRYPT_COST") == 0) {
		if (!setting_long(val, &n))
			return false;
		s->bcrypt_cost = n;
	} else if (strcasecmp(name, "LOGIN_MAX_FAILURES") == 0) {
		if (!setting_long(val, &n) || n < 1)
			return false;
		s->max_failures = n;
	} else if (strcasecmp(name, "LOGIN_WINDOW_SECONDS") == 0) {
		if (!setting_long(val, &n) || n < 1)
			return false;
		s->window_s = n;
	} else if (strcasecmp(name, "MAX_BODY_BYTES") == 0) {
		if (!setting_long(val, &n) || n < 1)
			return false;
		s->max_body = (size_t)n;
	} else if (strcasecmp(name, "REFRESH_TOKEN_EXPIRE_DAYS") == 0) {
		if (!setting_long(val, &n) || n < 1)
			return false;
		s->refresh_days = n;
	} else if (strcasecmp(name, "REFRESH_TOKEN_REUSE_SECONDS") == 0) {
		if (!setting_long(val, &n) || n < 0)
			return false;
		s->reuse_s = n;
	}
	return true;
}

int
api_load_settings(char *err, size_t errlen)
{
	const char	   *file;
	FILE		   *f;
	char		    line[2048], name[64], val[1024], *p, *eq;
	size_t		    n;
	struct api_settings s;

	if (settings_loaded)
		return 0;
	memset(&s, 0, sizeof(s));
	snprintf(s.jwt_algorithm, sizeof(s.jwt_algorithm), "HS256");
	s.expire_minutes = 30;
	s.bcrypt_cost = 12;
	s.max_failures = 5;
	s.window_s = 900;
	s.max_body = 1048576;
	s.refresh_days = 30;
	s.reuse_s = 10;

	if ((file = getenv("UA_TEST_ENV_FILE")) == NULL || *file == '\0') {
		snprintf(err, errlen,
		    "UA_TEST_ENV_FILE is not set: run the "
		    "integration tests through scripts/test");
		return -1;
	}
	if ((f = fopen(file, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "export ", 7) == 0)
			p += 7 + strspn(p + 7, " \t");
		if (*p == '#' || (eq = strchr(p, '=')) == NULL)
			continue;
		n = (size_t)(eq - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, p, n);
		name[n] = '\0';
		dotenv_value(eq + 1, val, sizeof(val));
		if (!setting_set(&s, name, val)) {
			snprintf(err, errlen,
			    "%s: %s=\"%.200s\" is not usable "
			    "here",
			    file, name, val);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	for (p = s.jwt_algorithm; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	if (s.database_url[0] == '\0' || strlen(s.jwt_secret) < 32) {
		snprintf(err, errlen,
		    "%s lacks DATABASE_URL or a JWT_SECRET "
		    "of 32 bytes or more",
		    file);
		return -1;
	}
	settings = s;
	settings_loaded = true;
	return 0;
}

const struct api_settings *
api_settings(void)
{
	char err[1024];

	ck_assert_msg(api_load_settings(err, sizeof(err)) == 0, "%s", err);
	return &settings;
}

int
api_prepare(void)
{
	char err[1024];

	if (api_load_settings(err, sizeof(err)) != 0 ||
	    api_warm_up(err, sizeof(err)) != 0) {
		fprintf(stderr, "preparing the stack: %s\n", err);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/* Header lines of "r" into "lines" (storage) and "hdr" (NULL-ended). */
static void
build_headers(const struct api_req *r, char lines[][2200], const char **hdr)
{
	size_t n = 0, i;

	if (r->body != NULL || r->ctype != NULL)
		snprintf(lines[n], sizeof(lines[n]), "Content-Type: %s",
		    r->ctype != NULL ? r->ctype : "application/json");
	if (r->body != NULL || r->ctype != NULL) {
		hdr[n] = lines[n];
		n++;
	}
	if (r->token != NULL) {
		snprintf(lines[n], sizeof(lines[n]), "Authorization: Bearer %s",
		    r->token);
		hdr[n] = lines[n];
		n++;
	}
	for (i = 0;
	     r->headers != NULL && r->headers[i] != NULL && n + 1 < HDR_MAX;
	     i++)
		hdr[n++] = r->headers[i];
	hdr[n] = NULL;
}

static void
fill_http_req(struct http_req *hr, const struct api_req *r,
    const char *const *hdr)
{
	memset(hr, 0, sizeof(*hr));
	hr->method = r->method;
	hr->target = r->path;
	hr->headers = hdr;
	hr->body = r->body;
	hr->body_len = r->body == NULL ? 0 :
	    r->body_len != 0	       ? r->body_len :
					 strlen(r->body);
	hr->chunked = r->chunked;
	hr->chunk_max = r->chunk_max;
	hr->cut_short = r->cut_short;
}

/* The worker program that serves "path" under plain CGI. */
static void
cgi_program(char *buf, size_t len, const char *path)
{
	const char *w = "health.fcgi";

	if (strncmp(path, "/api/auth", 9) == 0)
		w = "auth.fcgi";
	else if (strncmp(path, "/api/users", 10) == 0)
		w = "users.fcgi";
	else if (strncmp(path, "/api/orders", 11) == 0)
		w = "orders.fcgi";
	snprintf(buf, len, "%s/%s", stack_env("UA_TEST_CGI_BIN"), w);
}

void
api_send(struct xchg *x, enum target t, const struct api_req *r)
{
	char		lines[3][2200], err[1024], prog[1024];
	const char     *hdr[HDR_MAX];
	struct http_req hr;
	int		rc;

	ck_assert_msg(t < TARGET_FASTCGI, "bad target %d", (int)t);
	ck_assert_msg(t != TARGET_CGI || (!r->chunked && !r->cut_short),
	    "chunked bodies are for the servers: plain CGI has no framing");
	build_headers(r, lines, hdr);
	fill_http_req(&hr, r, hdr);
	memset(x, 0, sizeof(*x));
	x->target = t;
	snprintf(x->label, sizeof(x->label), "%s %s %.120s%s", target_name(t),
	    r->method, r->path, r->token != NULL ? " (bearer)" : "");
	err[0] = '\0';

	if (t < TARGET_SERVERS_MAX) {
		rc = http_do(target_url(t), &hr, &x->resp, err, sizeof(err));
		ck_assert_msg(rc == 0, "%s: no answer: %s", x->label, err);
		return;
	}
	cgi_program(prog, sizeof(prog), r->path);
	rc = http_cgi(prog, stack_env("UA_TEST_ENV_FILE"), &hr, &x->resp,
	    CGI_TIMEOUT_S, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s: %s", x->label, err);
	ck_assert_msg(WIFEXITED(x->resp.wstatus) &&
		WEXITSTATUS(x->resp.wstatus) == 0,
	    "%s: worker %s %d after answering %ld; stderr: %.500s", x->label,
	    WIFEXITED(x->resp.wstatus) ? "exited" : "died of signal",
	    WIFEXITED(x->resp.wstatus) ? WEXITSTATUS(x->resp.wstatus) :
					 WTERMSIG(x->resp.wstatus),
	    x->resp.status, x->resp.log);
}

void
api_call(struct xchg *x, enum target t, const char *method, const char *path,
    const char *token, const char *json)
{
	struct api_req r;

	memset(&r, 0, sizeof(r));
	r.method = method;
	r.path = path;
	r.token = token;
	r.body = json;
	api_send(x, t, &r);
}

/* ---- the workers' request lines ----------------------------------- */

size_t
worker_logged(enum target t, const char *rid, long *status, size_t max)
{
	char	    path[1024], line[4096], key[200];
	const char *p, *sp;
	FILE	   *f;
	size_t	    n = 0;

	ck_assert_msg(t < TARGET_SERVERS_MAX,
	    "worker_logged: %s has no server log", target_name(t));
	target_worker_log(t, path, sizeof(path));
	snprintf(key, sizeof(key), " rid=%s ", rid);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	/* "... info rid=<rid> CLIENT METHOD PATH STATUS 0.123ms" */
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((p = strstr(line, key)) == NULL)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if ((sp = strrchr(line, ' ')) == NULL || sp == line ||
		    strcmp(sp + strlen(sp) - 2, "ms") != 0)
			continue; /* not a request line */
		while (sp > p && sp[-1] != ' ')
			sp--;
		if (n < max)
			status[n] = strtol(sp, NULL, 10);
		n++;
	}
	fclose(f);
	return n;
}

/* ---- many at once ------------------------------------------------- */

struct mbuf {
	char  *p;
	size_t len;
};

static size_t
mbuf_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct mbuf *b = arg;
	size_t	     n = size * nmemb;
	char	    *q;

	if ((q = realloc(b->p, b->len + n + 1)) == NULL)
		return 0;
	b->p = q;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

int
api_parallel_try(enum target t, const struct api_req *r, size_t n, long *status,
    char **bodies, char *err, size_t errlen)
{
	CURLM		   *m;
	CURL		  **h;
	struct curl_slist **hl;
	struct mbuf	   *b;
	CURLMsg		   *msg;
	char		    url[2048], lines[3][2200];
	const char	   *base, *hdr[HDR_MAX];
	size_t		    i, j;
	int		    running, nfds, left, rc = -1;
	double		    deadline;

	if ((base = target_url_quiet(t)) == NULL) {
		snprintf(err, errlen, "%s: no URL in the environment",
		    target_name(t));
		return -1;
	}
	m = curl_multi_init();
	h = calloc(n, sizeof(*h));
	hl = calloc(n, sizeof(*hl));
	b = calloc(n, sizeof(*b));
	if (m == NULL || h == NULL || hl == NULL || b == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((h[i] = curl_easy_init()) == NULL) {
			snprintf(err, errlen, "curl_easy_init failed");
			goto out;
		}
		build_headers(&r[i], lines, hdr);
		hl[i] = curl_slist_append(NULL, "Expect:");
		for (j = 0; hl[i] != NULL && hdr[j] != NULL; j++)
			hl[i] = curl_slist_append(hl[i], hdr[j]);
		if (hl[i] == NULL) {
			snprintf(err, errlen, "curl_slist_append failed");
			goto out;
		}
		snprintf(url, sizeof(url), "%s%s", base, r[i].path);
		curl_easy_setopt(h[i], CURLOPT_URL, url);
		curl_easy_setopt(h[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h[i], CURLOPT_PROXY, "");
		http_resolve(h[i]);
		curl_easy_setopt(h[i], CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(h[i], CURLOPT_TIMEOUT, (long)MULTI_TIMEOUT_S);
		curl_easy_setopt(h[i], CURLOPT_HTTPHEADER, hl[i]);
		curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, mbuf_write);
		curl_easy_setopt(h[i], CURLOPT_WRITEDATA, &b[i]);
		if (r[i].body != NULL) {
			curl_easy_setopt(h[i], CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)(r[i].body_len != 0 ?
				    r[i].body_len :
				    strlen(r[i].body)));
			curl_easy_setopt(h[i], CURLOPT_COPYPOSTFIELDS,
			    r[i].body);
		}
		if (strcmp(r[i].method, "GET") != 0 &&
		    !(strcmp(r[i].method, "POST") == 0 && r[i].body != NULL))
			curl_easy_setopt(h[i], CURLOPT_CUSTOMREQUEST,
			    r[i].method);
		curl_multi_add_handle(m, h[i]);
	}
	deadline = stack_now() + MULTI_TIMEOUT_S + 10;
	do {
		curl_multi_perform(m, &running);
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 200, &nfds);
		if (stack_now() > deadline) {
			snprintf(err, errlen,
			    "%s: %zu parallel requests still "
			    "running after %d s",
			    target_name(t), n, MULTI_TIMEOUT_S);
			goto out;
		}
	} while (running > 0);
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE || msg->data.result == CURLE_OK)
			continue;
		for (i = 0; i < n && h[i] != msg->easy_handle; i++)
			continue;
		snprintf(err, errlen, "%s %s %s (parallel request %zu): %s",
		    target_name(t), i < n ? r[i].method : "?",
		    i < n ? r[i].path : "?", i,
		    curl_easy_strerror(msg->data.result));
		goto out;
	}
	for (i = 0; i < n; i++) {
		status[i] = 0;
		curl_easy_getinfo(h[i], CURLINFO_RESPONSE_CODE, &status[i]);
		if (status[i] == 0) {
			snprintf(err, errlen,
			    "%s %s %s (parallel request "
			    "%zu): no answer",
			    target_name(t), r[i].method, r[i].path, i);
			goto out;
		}
	}
	for (i = 0; bodies != NULL && i < n; i++) {
		bodies[i] = b[i].p != NULL ? b[i].p : strdup("");
		b[i].p = NULL;
	}
	rc = 0;
out:
	for (i = 0; h != NULL && i < n; i++) {
		if (h[i] != NULL) {
			curl_multi_remove_handle(m, h[i]);
			curl_easy_cleanup(h[i]);
		}
		if (hl != NULL)
			curl_slist_free_all(hl[i]);
		if (b != NULL)
			free(b[i].p);
	}
	if (m != NULL)
		curl_multi_cleanup(m);
	free(h);
	free(hl);
	free(b);
	return rc;
}

/* Write all of "p" to "fd"; false on a failure. */
static bool
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t	    w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return false;
		}
		c += w;
		n -= (size_t)w;
	}
	return true;
}

static void
parallel_cgi(const struct api_req *r, size_t n, long *status, char **bodies)
{
	char		 lines[3][2200], prog[1024], err[512], chunk[4096];
	const char	*hdr[HDR_MAX], *envf;
	struct http_req	 hr;
	struct http_resp resp;
	struct mbuf	 in;
	pid_t		*pids;
	int		*fds, p[2], st;
	size_t		 i;
	ssize_t		 got;

	envf = stack_env("UA_TEST_ENV_FILE");
	stack_env("UA_TEST_CGI_BIN");
	pids = calloc(n, sizeof(*pids));
	fds = calloc(n, sizeof(*fds));
	ck_assert_msg(pids != NULL && fds != NULL, "calloc");
	fflush(NULL);
	for (i = 0; i < n; i++) {
		ck_assert_msg(pipe(p) == 0, "pipe: %s", strerror(errno));
		ck_assert_msg((pids[i] = fork()) != -1, "fork: %s",
		    strerror(errno));
		if (pids[i] == 0) {
			long s = 0;

			close(p[0]);
			build_headers(&r[i], lines, hdr);
			fill_http_req(&hr, &r[i], hdr);
			cgi_program(prog, sizeof(prog), r[i].path);
			if (http_cgi(prog, envf, &hr, &resp, CGI_TIMEOUT_S, err,
				sizeof(err)) == 0) {
				s = resp.status;
				if (!WIFEXITED(resp.wstatus) ||
				    WEXITSTATUS(resp.wstatus) != 0)
					s = -1;
			}
			if (!write_all(p[1], &s, sizeof(s)) ||
			    (s > 0 &&
				!write_all(p[1], resp.body, resp.body_len)))
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		fds[i] = p[0];
	}
	for (i = 0; i < n; i++) {
		memset(&in, 0, sizeof(in));
		while ((got = read(fds[i], chunk, sizeof(chunk))) != 0) {
			if (got == -1 && errno == EINTR)
				continue;
			if (got == -1)
				break;
			mbuf_write(chunk, 1, (size_t)got, &in);
		}
		close(fds[i]);
		while (waitpid(pids[i], &st, 0) == -1 && errno == EINTR)
			continue;
		status[i] = 0;
		if (in.len >= sizeof(long))
			memcpy(&status[i], in.p, sizeof(long));
		ck_assert_msg(status[i] > 0,
		    "cgi %s %s (parallel run %zu): "
		    "no answer, or the worker did not exit 0",
		    r[i].method, r[i].path, i);
		if (bodies != NULL)
			bodies[i] = strdup(
			    in.len > sizeof(long) ? in.p + sizeof(long) : "");
		free(in.p);
	}
	free(pids);
	free(fds);
}

void
api_parallel(enum target t, const struct api_req *r, size_t n, long *status,
    char **bodies)
{
	char err[1024];

	if (t == TARGET_CGI) {
		parallel_cgi(r, n, status, bodies);
		return;
	}
	ck_assert_msg(api_parallel_try(t, r, n, status, bodies, err,
			  sizeof(err)) == 0,
	    "%s", err);
}

/* ------------------------------------------------------------------ */
/* Assertions                                                          */
/* ------------------------------------------------------------------ */

void
want_status(const struct xchg *x, long status)
{
	ck_assert_msg(x->resp.status == status,
	    "%s: status %ld, want %ld; body: %.400s", x->label, x->resp.status,
	    status, x->resp.body);
}

struct json_object *
want_json(const struct xchg *x)
{
	struct json_tokener    *tok;
	struct json_object     *o;
	enum json_tokener_error e;

	ck_assert_msg((tok = json_tokener_new()) != NULL, "json_tokener_new");
	o = json_tokener_parse_ex(tok, x->resp.body, (int)x->resp.body_len);
	e = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (o == NULL || e != json_tokener_success)
		json_object_put(o);
	ck_assert_msg(o != NULL && e == json_tokener_success,
	    "%s: (status %ld) body is not JSON (%s): %.400s", x->label,
	    x->resp.status, json_tokener_error_desc(e), x->resp.body);
	return o;
}

void
want_body(const struct xchg *x, const char *json)
{
	json_object_put(want_json(x));
	ck_assert_msg(strlen(json) == x->resp.body_len &&
		memcmp(json, x->resp.body, x->resp.body_len) == 0,
	    "%s: (status %ld) body\n  %.1500s\nwant\n  %.1500s", x->label,
	    x->resp.status, x->resp.body, json);
}

void
want_detail(const struct xchg *x, long status, const char *detail)
{
	char json[512];

	snprintf(json, sizeof(json), "{\"detail\":\"%s\"}", detail);
	want_status(x, status);
	want_body(x, json);
}

void
want_header(const struct xchg *x, const char *name, const char *value)
{
	const char *v;
	size_t	    n;

	n = http_header_count(&x->resp, name);
	ck_assert_msg(n == 1, "%s: (status %ld) %zu %s headers, want 1",
	    x->label, x->resp.status, n, name);
	v = http_header(&x->resp, name);
	ck_assert_msg(strcmp(v, value) == 0,
	    "%s: (status %ld) %s: \"%s\", "
	    "want \"%s\"",
	    x->label, x->resp.status, name, v, value);
}

void
want_empty_body(const struct xchg *x)
{
	ck_assert_msg(x->resp.body_len == 0,
	    "%s: (status %ld) %zu body "
	    "bytes, want none: %.200s",
	    x->label, x->resp.status, x->resp.body_len, x->resp.body);
}

const char *
want_request_id(const struct xchg *x)
{
	const char *id;
	size_t	    n, i;

	n = http_header_count(&x->resp, "X-Request-ID");
	ck_assert_msg(n == 1,
	    "%s: (status %ld) %zu X-Request-ID headers, "
	    "want 1",
	    x->label, x->resp.status, n);
	id = http_header(&x->resp, "X-Request-ID");
	for (i = 0; id[i] != '\0'; i++)
		ck_assert_msg((unsigned char)id[i] > 0x20 &&
			(unsigned char)id[i] < 0x7f,
		    "%s: X-Request-ID \"%s\" "
		    "has a character that is not visible ASCII",
		    x->label, id);
	ck_assert_msg(i >= 1 && i <= 128,
	    "%s: X-Request-ID \"%s\" is not "
	    "1..128 characters",
	    x->label, id);
	return id;
}

void
want_api_headers(const struct xchg *x)
{
	want_request_id(x);
	want_header(x, "X-Content-Type-Options", "nosniff");
	want_header(x, "Cache-Control", "no-store");
}

void
want_api_json_headers(const struct xchg *x)
{
	want_api_headers(x);
	want_header(x, "Content-Type", "application/json");
}

void
want_401(const struct xchg *x, const char *detail)
{
	want_detail(x, 401, detail);
	want_header(x, "WWW-Authenticate", "Bearer");
}

long
want_number_header(const struct xchg *x, const char *name)
{
	const char *v;
	char	   *end;
	long	    n;

	v = http_header(&x->resp, name);
	ck_assert_msg(v != NULL, "%s: (status %ld) no %s header", x->label,
	    x->resp.status, name);
	errno = 0;
	n = strtol(v, &end, 10);
	ck_assert_msg(errno == 0 && end != v && *end == '\0' &&
		isdigit((unsigned char)*v),
	    "%s: %s \"%s\" is not a whole "
	    "number",
	    x->label, name, v);
	return n;
}

void
want_header_lists(const struct xchg *x, const char *name, const char *methods)
{
	const char *v, *m, *p;
	size_t	    len;
	bool	    found;

	v = http_header(&x->resp, name);
	ck_assert_msg(v != NULL, "%s: (status %ld) no %s header", x->label,
	    x->resp.status, name);
	for (m = methods; *m != '\0'; m += len + (m[len] == ',')) {
		m += strspn(m, " ");
		len = strcspn(m, ",");
		found = false;
		for (p = v; *p != '\0' && !found;) {
			size_t l;

			p += strspn(p, " ,");
			l = strcspn(p, " ,");
			found = l == len && strncmp(p, m, len) == 0;
			p += l;
		}
		ck_assert_msg(found, "%s: %s \"%s\" does not name %.*s",
		    x->label, name, v, (int)len, m);
	}
}

/* ---- JSON --------------------------------------------------------- */

const char *
json_str(struct json_object *o, const char *key, const char *label)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v) &&
		json_object_is_type(v, json_type_string),
	    "%s: \"%s\" is not a "
	    "string in %s",
	    label, key, json_object_to_json_string(o));
	return json_object_get_string(v);
}

int64_t
json_int(struct json_object *o, const char *key, const char *label)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v) &&
		json_object_is_type(v, json_type_int),
	    "%s: \"%s\" is not an "
	    "integer in %s",
	    label, key, json_object_to_json_string(o));
	return json_object_get_int64(v);
}

char *
json_quote(char *buf, size_t len, const char *s)
{
	struct json_object *o;

	o = json_object_new_string(s);
	snprintf(buf, len, "%s",
	    json_object_to_json_string_ext(o,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return buf;
}

static bool
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

double
rfc3339_epoch(const char *s)
{
	struct tm tm;
	size_t	  len = strlen(s);
	double	  frac = 0;
	time_t	  t;

	/* YYYY-MM-DDTHH:MM:SS[.ffffff]Z */
	if ((len != 20 && len != 27) || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) ||
	    s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2) ||
	    s[len - 1] != 'Z')
		return -1;
	if (len == 27) {
		if (s[19] != '.' || !digits(s + 20, 6) ||
		    strncmp(s + 20, "000000", 6) == 0)
			return -1;
		frac = strtod(s + 19, NULL);
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	t = timegm(&tm);
	return (double)t + frac;
}

/* A time member: an RFC 3339 string within a day of now. */
static void
want_time(const struct xchg *x, struct json_object *v, const char *key)
{
	const char *s;
	double	    e;

	ck_assert_msg(json_object_is_type(v, json_type_string),
	    "%s: \"%s\" is not a string: %.300s", x->label, key, x->resp.body);
	s = json_object_get_string(v);
	e = rfc3339_epoch(s);
	ck_assert_msg(e > 0,
	    "%s: \"%s\": \"%s\" is not RFC 3339 UTC as "
	    "Pydantic prints it (YYYY-MM-DDTHH:MM:SS[.ffffff]Z, six digits, "
	    "left out when zero)",
	    x->label, key, s);
	ck_assert_msg(e > wall_now() - 86400 && e < wall_now() + 300,
	    "%s: \"%s\": %s is not about now (a time zone mix-up?)", x->label,
	    key, s);
}

struct json_object *
want_user(const struct xchg *x)
{
	static const char *const keys[] = { "id", "email", "name", "role",
		"created_at", "updated_at" };
	struct json_object	*o;
	const char		*role;
	size_t			 i = 0;

	o = want_json(x);
	ck_assert_msg(json_object_is_type(o, json_type_object),
	    "%s: not a JSON object: %.300s", x->label, x->resp.body);
	{
		json_object_object_foreach(o, k, v)
		{
			(void)v;
			ck_assert_msg(i < 6 && strcmp(k, keys[i]) == 0,
			    "%s: key %zu is \"%s\", want the keys id, email, "
			    "name, role, created_at, updated_at in that order:"
			    " %.400s",
			    x->label, i, k, x->resp.body);
			i++;
		}
	}
	ck_assert_msg(i == 6, "%s: %zu keys, want 6: %.400s", x->label, i,
	    x->resp.body);
	ck_assert_msg(json_int(o, "id", x->label) > 0, "%s: id <= 0", x->label);
	json_str(o, "email", x->label);
	json_str(o, "name", x->label);
	role = json_str(o, "role", x->label);
	ck_assert_msg(strcmp(role, "user") == 0 || strcmp(role, "admin") == 0,
	    "%s: role \"%s\", want \"user\" or \"admin\"", x->label, role);
	{
		struct json_object *v;

		json_object_object_get_ex(o, "created_at", &v);
		want_time(x, v, "created_at");
		json_object_object_get_ex(o, "updated_at", &v);
		if (v != NULL)
			want_time(x, v, "updated_at");
	}
	ck_assert_msg(strstr(x->resp.body, "password") == NULL &&
		strstr(x->resp.body, "$2b$") == NULL &&
		strstr(x->resp.body, "$2a$") == NULL &&
		strstr(x->resp.body, "$y$") == NULL &&
		strstr(x->resp.body, "hash") == NULL,
	    "%s: a password or hash in a User: %.400s", x->label, x->resp.body);
	return o;
}

struct json_object *
want_422_entry(const struct xchg *x, size_t idx, struct json_object **root)
{
	struct json_object *d;
	size_t		    n;

	want_status(x, 422);
	*root = want_json(x);
	ck_assert_msg(json_object_object_get_ex(*root, "detail", &d) &&
		json_object_is_type(d, json_type_array),
	    "%s: 422 without a "
	    "\"detail\" array: %.400s",
	    x->label, x->resp.body);
	n = json_object_array_length(d);
	ck_assert_msg(idx < n,
	    "%s: 422 with %zu entries, want entry %zu: "
	    "%.400s",
	    x->label, n, idx, x->resp.body);
	return json_object_array_get_idx(d, idx);
}

size_t
want_422_count(const struct xchg *x)
{
	struct json_object *root, *d;
	size_t		    n;

	want_422_entry(x, 0, &root);
	json_object_object_get_ex(root, "detail", &d);
	n = json_object_array_length(d);
	json_object_put(root);
	return n;
}

void
want_entry(const struct xchg *x, struct json_object *e, const char *type,
    const char *where, const char *field)
{
	struct json_object *loc, *v;
	const char	   *got;
	size_t		    n;

	got = json_str(e, "type", x->label);
	ck_assert_msg(strcmp(got, type) == 0,
	    "%s: type \"%s\", want \"%s\":"
	    " %.400s",
	    x->label, got, type, x->resp.body);
	ck_assert_msg(json_object_object_get_ex(e, "loc", &loc) &&
		json_object_is_type(loc, json_type_array),
	    "%s: no \"loc\" "
	    "array: %.400s",
	    x->label, x->resp.body);
	n = json_object_array_length(loc);
	ck_assert_msg(n == (field != NULL ? 2u : 1u),
	    "%s: loc has %zu "
	    "items: %.400s",
	    x->label, n, x->resp.body);
	v = json_object_array_get_idx(loc, 0);
	ck_assert_msg(json_object_is_type(v, json_type_string) &&
		strcmp(json_object_get_string(v), where) == 0,
	    "%s: loc[0] is "
	    "not \"%s\": %.400s",
	    x->label, where, x->resp.body);
	if (field == NULL)
		return;
	v = json_object_array_get_idx(loc, 1);
	ck_assert_msg(json_object_is_type(v, json_type_string) &&
		strcmp(json_object_get_string(v), field) == 0,
	    "%s: loc[1] is "
	    "not \"%s\": %.400s",
	    x->label, field, x->resp.body);
}

/* ------------------------------------------------------------------ */
/* Accounts                                                            */
/* ------------------------------------------------------------------ */

void
api_register(enum target t, struct api_user *u, const char *tag)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024], qe[400], qn[200], qp[200];

	memset(u, 0, sizeof(*u));
	api_email(u->email, sizeof(u->email), tag);
	snprintf(u->name, sizeof(u->name), "Test %s", tag);
	snprintf(u->password, sizeof(u->password), "pw-%s-%u-secret", run_tag,
	    (unsigned)getpid());
	snprintf(body, sizeof(body),
	    "{\"email\":%s,\"name\":%s,"
	    "\"password\":%s}",
	    json_quote(qe, sizeof(qe), u->email),
	    json_quote(qn, sizeof(qn), u->name),
	    json_quote(qp, sizeof(qp), u->password));
	api_call(&x, t, "POST", "/api/users/", NULL, body);
	ck_assert_msg(x.resp.status == 201,
	    "set-up: %s: registering %s: "
	    "status %ld, want 201: %.400s",
	    x.label, u->email, x.resp.status, x.resp.body);
	o = want_json(&x);
	u->id = json_int(o, "id", x.label);
	snprintf(u->body, sizeof(u->body), "%s", x.resp.body);
	json_object_put(o);
	xchg_free(&x);
}

void
api_login(enum target t, struct api_user *u)
{
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024], qe[400], qp[200];

	snprintf(body, sizeof(body), "{\"email\":%s,\"password\":%s}",
	    json_quote(qe, sizeof(qe), u->email),
	    json_quote(qp, sizeof(qp), u->password));
	api_call(&x, t, "POST", "/api/auth/login", NULL, body);
	ck_assert_msg(x.resp.status == 200,
	    "set-up: %s: logging in %s: "
	    "status %ld, want 200: %.400s",
	    x.label, u->email, x.resp.status, x.resp.body);
	o = want_json(&x);
	snprintf(u->token, sizeof(u->token), "%s",
	    json_str(o, "access_token", x.label));
	json_object_put(o);
	xchg_free(&x);
}

void
api_user_new(enum target t, struct api_user *u, const char *tag, bool admin)
{
	api_register(t, u, tag);
	if (admin)
		db_make_admin(u->id);
	api_login(t, u);
}

long
api_me_status(enum target t, const char *token)
{
	struct xchg x;
	long	    st;

	api_call(&x, t, "GET", "/api/auth/me", token, NULL);
	st = x.resp.status;
	xchg_free(&x);
	return st;
}

/* ------------------------------------------------------------------ */
/* The users routes                                                    */
/* ------------------------------------------------------------------ */

/* A registration body: "email" as given, the JSON texts of name/password. */
char *
reg_body(char *buf, size_t len, const char *email, const char *name_json,
    const char *password_json)
{
	char qe[1200];

	snprintf(buf, len, "{\"email\":%s,\"name\":%s,\"password\":%s}",
	    json_quote(qe, sizeof(qe), email), name_json, password_json);
	return buf;
}

/* A valid registration body with a fresh address. */
char *
valid_body(char *buf, size_t len, const char *tag)
{
	char email[320];

	return reg_body(buf, len, api_email(email, sizeof(email), tag),
	    "\"Valid Name\"", "\"correct-horse-1\"");
}

void
post_user(struct xchg *x, enum target t, const char *body)
{
	api_call(x, t, "POST", "/api/users/", NULL, body);
}

/* "path" under $UA_TEST_ROOT_PATH, as the API writes it, into "buf". */
char *
api_url(char *buf, size_t len, const char *path)
{
	snprintf(buf, len, "%s%s", stack_root_path(), path);
	return buf;
}

/* "/api/users/<id><suffix>" into "buf". */
char *
user_path(char *buf, size_t len, int64_t id, const char *suffix)
{
	snprintf(buf, len, "/api/users/%lld%s", (long long)id, suffix);
	return buf;
}

/* One 422 entry as compact JSON (ctx_json NULL: none). */
char *
entry_json(char *buf, size_t len, const char *type, const char *loc_json,
    const char *msg, const char *input_json, const char *ctx_json)
{
	if (ctx_json != NULL)
		snprintf(buf, len,
		    "{\"type\":\"%s\",\"loc\":%s,\"msg\":\"%s\","
		    "\"input\":%s,\"ctx\":%s}",
		    type, loc_json, msg, input_json, ctx_json);
	else
		snprintf(buf, len,
		    "{\"type\":\"%s\",\"loc\":%s,\"msg\":\"%s\","
		    "\"input\":%s}",
		    type, loc_json, msg, input_json);
	return buf;
}

/* 422 with exactly {"detail":[<e1>]} or [<e1>,<e2>] byte for byte. */
void
want_422_exact(const struct xchg *x, const char *e1, const char *e2)
{
	char body[8192];

	if (e2 != NULL)
		snprintf(body, sizeof(body), "{\"detail\":[%s,%s]}", e1, e2);
	else
		snprintf(body, sizeof(body), "{\"detail\":[%s]}", e1);
	want_status(x, 422);
	want_body(x, body);
}

/* 422 whose only entry has "type" at ["body", field]. */
void
want_422_one(const struct xchg *x, const char *type, const char *field)
{
	struct json_object *root, *e;

	ck_assert_msg(want_422_count(x) == 1,
	    "%s: want exactly one 422 "
	    "entry: %.600s",
	    x->label, x->resp.body);
	e = want_422_entry(x, 0, &root);
	want_entry(x, e, type, "body", field);
	json_object_put(root);
}

/* The member "key" of the body, which is a User, as a string. */
void
user_field(const struct xchg *x, const char *key, char *buf, size_t len)
{
	struct json_object *o, *v;

	o = want_user(x);
	ck_assert_msg(json_object_object_get_ex(o, key, &v), "%s: no %s",
	    x->label, key);
	snprintf(buf, len, "%s",
	    json_object_is_type(v, json_type_null) ? "null" :
						     json_object_get_string(v));
	json_object_put(o);
}

/* GET user "id" as "token": the User's member "key", want 200. */
void
get_user_field(enum target t, const char *token, int64_t id, const char *key,
    char *buf, size_t len)
{
	struct xchg x;
	char	    path[64];

	api_call(&x, t, "GET", user_path(path, sizeof(path), id, ""), token,
	    NULL);
	want_status(&x, 200);
	user_field(&x, key, buf, len);
	xchg_free(&x);
}

void
delete_user(struct xchg *x, enum target t, const char *token, int64_t id)
{
	char path[64];

	api_call(x, t, "DELETE", user_path(path, sizeof(path), id, ""), token,
	    NULL);
}

/* The detail of a 409 says something about an admin. */
void
want_409_admin(const struct xchg *x)
{
	struct json_object *o;
	const char	   *d;
	bool		    ok;

	want_status(x, 409);
	o = want_json(x);
	d = json_str(o, "detail", x->label);
	ok = strcasestr(d, "admin") != NULL;
	json_object_put(o);
	ck_assert_msg(ok, "%s: 409 detail does not mention the admin: %.300s",
	    x->label, x->resp.body);
}

/*
 * json_invalid: "msg" "JSON decode error", loc ["body", offset], input
 * {} and a ctx "error", as FastAPI reports a body json.loads() refuses.
 */
void
want_json_invalid(const struct xchg *x, long offset)
{
	struct json_object *root, *e, *loc, *v, *ctx;

	ck_assert_msg(want_422_count(x) == 1, "%s: want one entry: %s",
	    x->label, x->resp.body);
	e = want_422_entry(x, 0, &root);
	ck_assert_str_eq(json_str(e, "type", x->label), "json_invalid");
	ck_assert_str_eq(json_str(e, "msg", x->label), "JSON decode error");
	ck_assert_msg(json_object_object_get_ex(e, "loc", &loc) &&
		json_object_is_type(loc, json_type_array) &&
		json_object_array_length(loc) == 2,
	    "%s: loc is not [\"body\", "
	    "offset]: %s",
	    x->label, x->resp.body);
	v = json_object_array_get_idx(loc, 0);
	ck_assert_msg(json_object_is_type(v, json_type_string) &&
		strcmp(json_object_get_string(v), "body") == 0,
	    "%s: loc[0] is "
	    "not \"body\": %s",
	    x->label, x->resp.body);
	v = json_object_array_get_idx(loc, 1);
	ck_assert_msg(json_object_is_type(v, json_type_int),
	    "%s: loc[1] is not a byte offset: %s", x->label, x->resp.body);
	ck_assert_msg(json_object_get_int64(v) == offset,
	    "%s: offset %lld, "
	    "want %ld (where json.loads stops): %s",
	    x->label, (long long)json_object_get_int64(v), offset,
	    x->resp.body);
	ck_assert_msg(json_object_object_get_ex(e, "input", &v) &&
		json_object_is_type(v, json_type_object) &&
		json_object_object_length(v) == 0,
	    "%s: input is not {}: %s", x->label, x->resp.body);
	ck_assert_msg(json_object_object_get_ex(e, "ctx", &ctx) &&
		json_object_object_get_ex(ctx, "error", &v) &&
		json_object_is_type(v, json_type_string),
	    "%s: no ctx "
	    "{\"error\": ...}: %s",
	    x->label, x->resp.body);
	json_object_put(root);
}

/* ------------------------------------------------------------------ */
/* The database                                                        */
/* ------------------------------------------------------------------ */

/* libpq takes no "postgresql+driver://": drop the driver, in place. */
static void
libpq_url(char *url)
{
	char *plus, *sep;

	plus = strchr(url, '+');
	sep = strstr(url, "://");
	if (plus != NULL && sep != NULL && plus < sep)
		memmove(plus, sep, strlen(sep) + 1);
}

void
db_exec_id(const char *sql, int64_t id)
{
	PGconn	   *c;
	PGresult   *r;
	char	    url[1024], idbuf[32];
	const char *params[1] = { idbuf };
	bool	    ok;

	ck_assert_msg(scopy(url, sizeof(url), api_settings()->database_url),
	    "DATABASE_URL too long");
	libpq_url(url);
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		PQfinish(c);
		ck_abort_msg("set-up: connecting to DATABASE_URL of "
			     "UA_TEST_ENV_FILE: %s",
		    msg);
	}
	r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		ck_abort_msg("set-up: %s: %s", sql, msg);
	}
	PQclear(r);
	PQfinish(c);
}

void
db_make_admin(int64_t id)
{
	db_exec_id("UPDATE users SET role = 'ADMIN' WHERE id = $1::bigint", id);
}

void
db_demote_other_admins(int64_t keep)
{
	db_exec_id("UPDATE users SET role = 'USER' WHERE role = 'ADMIN' "
		   "AND id <> $1::bigint",
	    keep);
}

/* ------------------------------------------------------------------ */
/* Tokens                                                              */
/* ------------------------------------------------------------------ */

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * base64url without padding of "n" bytes at "p", appended at out[*o].
 * Returns false if "out" is too small.  (No ck_assert here or below:
 * api_warm_up() signs a token from main(), outside any case.)
 */
static bool
b64url_enc(char *out, size_t len, size_t *o, const unsigned char *p, size_t n)
{
	size_t	 i;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		if (*o + 5 >= len)
			return false;
		out[(*o)++] = b64url[(v >> 18) & 63];
		out[(*o)++] = b64url[(v >> 12) & 63];
		if (i + 1 < n)
			out[(*o)++] = b64url[(v >> 6) & 63];
		if (i + 2 < n)
			out[(*o)++] = b64url[v & 63];
	}
	out[*o] = '\0';
	return true;
}

/* jwt_make() without failing the case: false on a bad "alg" or no room. */
static bool
jwt_make_try(char *out, size_t len, const char *header_json,
    const char *payload_json, const char *alg, const char *secret)
{
	const EVP_MD *md = NULL;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int  maclen = 0;
	size_t	      o = 0, signed_len;

	if (!b64url_enc(out, len, &o, (const unsigned char *)header_json,
		strlen(header_json)) ||
	    o + 2 >= len)
		return false;
	out[o++] = '.';
	if (!b64url_enc(out, len, &o, (const unsigned char *)payload_json,
		strlen(payload_json)) ||
	    o + 2 >= len)
		return false;
	signed_len = o;
	out[o++] = '.';
	out[o] = '\0';
	if (alg == NULL)
		return true;
	if (strcmp(alg, "HS256") == 0)
		md = EVP_sha256();
	else if (strcmp(alg, "HS384") == 0)
		md = EVP_sha384();
	else if (strcmp(alg, "HS512") == 0)
		md = EVP_sha512();
	if (md == NULL ||
	    HMAC(md, secret, (int)strlen(secret), (const unsigned char *)out,
		signed_len, mac, &maclen) == NULL)
		return false;
	return b64url_enc(out, len, &o, mac, maclen);
}

void
jwt_make(char *out, size_t len, const char *header_json,
    const char *payload_json, const char *alg, const char *secret)
{
	ck_assert_msg(jwt_make_try(out, len, header_json, payload_json, alg,
			  secret),
	    "jwt_make: algorithm %s unknown, HMAC failed, or the "
	    "token does not fit in %zu bytes",
	    alg != NULL ? alg : "none", len);
}

static int
b64url_val(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64url, c)) == NULL)
		return -1;
	return (int)(p - b64url);
}

/* Decode part "which" (0 header, 1 payload) of "token" and parse it. */
static struct json_object *
jwt_part(const char *token, int which)
{
	const char	   *s = token, *e;
	char		    buf[4096];
	size_t		    o = 0, i, n;
	unsigned	    acc = 0;
	int		    bits = 0, v;
	struct json_object *obj;

	if (which == 1) {
		ck_assert_msg((s = strchr(token, '.')) != NULL,
		    "token without '.': %s", token);
		s++;
	}
	e = strchr(s, '.');
	ck_assert_msg(e != NULL, "token without 3 parts: %s", token);
	n = (size_t)(e - s);
	for (i = 0; i < n; i++) {
		v = b64url_val(s[i]);
		ck_assert_msg(v >= 0, "token part %d is not base64url: %s",
		    which, token);
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			ck_assert_msg(o + 1 < sizeof(buf), "token too big");
			buf[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	buf[o] = '\0';
	obj = json_tokener_parse(buf);
	ck_assert_msg(obj != NULL, "token part %d is not JSON: %s", which, buf);
	return obj;
}

struct json_object *
jwt_payload(const char *token)
{
	return jwt_part(token, 1);
}

struct json_object *
jwt_header(const char *token)
{
	return jwt_part(token, 0);
}

/* ------------------------------------------------------------------ */
/* PostgreSQL down and up again                                        */
/* ------------------------------------------------------------------ */

void
pg_stop(void)
{
	int fd;

	fd = open(pg_marker, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_msg(fd != -1, "%s: %s", pg_marker, strerror(errno));
	close(fd);
	stack_ctl("pg-stop");
}

void
pg_start_cold(void)
{
	stack_ctl("pg-start");
	unlink(pg_marker);
}

void
pg_start(void)
{
	char err[1024];

	pg_start_cold();
	ck_assert_msg(api_warm_up(err, sizeof(err)) == 0, "%s", err);
}

/*
 * Rounds of WARM_BATCH requests at once, per server and worker kind: as
 * many as each server runs processes of a kind (max-procs 2 in
 * lighttpd.conf, FcgidMaxProcessesPerClass 2 in apache.conf), since
 * mod_fcgid makes any request beyond those wait a second for a process.
 */
#define WARM_BATCH 2
#define WARM_ROUNDS_MIN 4
#define WARM_ROUNDS_MAX 60

int
api_warm_up(char *err, size_t errlen)
{
	static const char *const   paths[] = { "/api/users/1", "/api/auth/me" };
	const struct api_settings *s;
	struct api_req		   r[WARM_BATCH];
	long			   st[WARM_BATCH];
	char			   tok[1024], pl[128];
	size_t			   p, i, clean, round;
	long			   now = (long)time(NULL);
	enum target		   t;

	if (!settings_loaded) {
		snprintf(err, errlen, "warm-up: settings not loaded");
		return -1;
	}
	s = &settings;
	snprintf(pl, sizeof(pl), "{\"sub\":\"1\",\"iat\":%ld,\"exp\":%ld}", now,
	    now + 600);
	{
		char hdr[128];

		snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
		    s->jwt_algorithm);
		if (!jwt_make_try(tok, sizeof(tok), hdr, pl, s->jwt_algorithm,
			s->jwt_secret)) {
			snprintf(err, errlen,
			    "warm-up: cannot sign a token "
			    "with %s",
			    s->jwt_algorithm);
			return -1;
		}
	}
	for (t = TARGET_LIGHTTPD; t < TARGET_SERVERS_MAX; t++)
		for (p = 0;
		     target_in_run(t) && p < sizeof(paths) / sizeof(paths[0]);
		     p++) {
			memset(r, 0, sizeof(r));
			for (i = 0; i < WARM_BATCH; i++) {
				r[i].method = "GET";
				r[i].path = paths[p];
				r[i].token = tok;
			}
			for (clean = 0, round = 0; clean < WARM_ROUNDS_MIN;
			     round++) {
				if (round == WARM_ROUNDS_MAX) {
					snprintf(err, errlen,
					    "warm-up: %s GET "
					    "%s still 503 after %d rounds",
					    target_name(t), paths[p],
					    WARM_ROUNDS_MAX);
					return -1;
				}
				if (api_parallel_try(t, r, WARM_BATCH, st, NULL,
					err, errlen) != 0)
					return -1;
				clean++;
				for (i = 0; i < WARM_BATCH; i++)
					if (st[i] == 503)
						clean = 0;
				if (clean == 0)
					usleep(100000);
			}
		}
	return 0;
}

void
pg_setup(void)
{
	if (access(pg_marker, F_OK) == 0)
		pg_start();
}

void
pg_teardown(void)
{
	if (access(pg_marker, F_OK) != 0)
		return;
	if (stack_ctl_quiet("pg-start"))
		unlink(pg_marker);
	else
		fprintf(stderr,
		    "PostgreSQL could not be started again; the "
		    "cases after this one will fail\n");
}

long
api_race_rounds(const char *var, double *budget_s)
{
	const char *s = getenv(var);
	char	   *end;
	long	    n;

	*budget_s = 0;
	if (s == NULL || *s == '\0') {
		*budget_s = API_RACE_DEFAULT_SECONDS;
		return 100;
	}
	n = strtol(s, &end, 10);
	ck_assert_msg(*end == '\0' && n >= 1,
	    "%s=\"%s\": want a whole number >= 1", var, s);
	return n;
}
