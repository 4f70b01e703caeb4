/*
 * http.c -- one HTTP exchange for the integration tests: over the network
 * with libcurl, or by running a worker as plain CGI (RFC 3875) with a
 * fresh environment, a stdin pipe, and its stdout parsed back.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"

/* A growing byte buffer, always NUL-terminated once used. */
struct sbuf {
	char  *p;
	size_t len;
	size_t cap;
};

/* Most bytes a body of a cgi_leftover request may have: one pipe's worth. */
#define LEFTOVER_MAX 4096

/* The entries of $UA_TEST_RESOLVE, for every libcurl handle. */
static struct curl_slist *resolve;

/* Environment variables handed through to a CGI child when set. */
static const char *const passenv[] = { "PATH", "LD_LIBRARY_PATH",
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL };

/* Tests are short-lived children: running out of memory ends them. */
static void *
xrealloc(void *p, size_t n)
{
	void *q;

	if ((q = realloc(p, n == 0 ? 1 : n)) == NULL) {
		perror("realloc");
		abort();
	}
	return q;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p;

	p = xrealloc(NULL, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
sbuf_add(struct sbuf *b, const void *data, size_t n)
{
	size_t want;

	want = b->len + n + 1;
	if (want > b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap;
		while (b->cap < want)
			b->cap *= 2;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Hand the contents of "b" over as a NUL-terminated string, never NULL. */
static char *
sbuf_take(struct sbuf *b, size_t *len)
{
	char *p;

	if (b->p == NULL)
		sbuf_add(b, "", 0);
	p = b->p;
	*len = b->len;
	memset(b, 0, sizeof(*b));
	return p;
}

static void seterr(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
add_header(struct http_resp *resp, const char *name, size_t namelen,
    const char *value, size_t valuelen)
{
	struct http_header *h;

	while (valuelen > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		valuelen--;
	}
	while (valuelen > 0 &&
	    (value[valuelen - 1] == ' ' || value[valuelen - 1] == '\t'))
		valuelen--;
	resp->headers = xrealloc(resp->headers,
	    (resp->nheaders + 1) * sizeof(*resp->headers));
	h = &resp->headers[resp->nheaders++];
	h->name = xstrndup(name, namelen);
	h->value = xstrndup(value, valuelen);
}

static void
free_headers(struct http_resp *resp)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	resp->headers = NULL;
	resp->nheaders = 0;
}

void
http_resp_free(struct http_resp *resp)
{
	if (resp == NULL)
		return;
	free_headers(resp);
	free(resp->body);
	free(resp->log);
	free(resp->stdin_left);
	memset(resp, 0, sizeof(*resp));
}

const char *
http_header(const struct http_resp *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

size_t
http_header_count(const struct http_resp *resp, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			n++;
	return n;
}

void
http_global_init(void)
{
	const char *v = getenv("UA_TEST_RESOLVE");
	char	    entry[512];
	size_t	    len;

	/* A worker that hangs up early must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "curl_global_init failed\n");
		exit(EXIT_FAILURE);
	}
	for (; v != NULL && *v != '\0'; v += len) {
		v += strspn(v, " ");
		if ((len = strcspn(v, " ")) == 0)
			break;
		snprintf(entry, sizeof(entry), "%.*s", (int)len, v);
		if ((resolve = curl_slist_append(resolve, entry)) == NULL) {
			fprintf(stderr, "curl_slist_append failed\n");
			exit(EXIT_FAILURE);
		}
	}
}

void
http_global_cleanup(void)
{
	curl_slist_free_all(resolve);
	resolve = NULL;
	curl_global_cleanup();
}

void
http_resolve(CURL *h)
{
	if (resolve != NULL)
		curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
}

/* ------------------------------------------------------------------ */
/* libcurl                                                             */
/* ------------------------------------------------------------------ */

struct curlctx {
	struct http_resp *resp;
	struct sbuf	  body;
	const char	 *up; /* chunked upload source */
	size_t		  uplen;
	size_t		  upoff;
	size_t		  upmax; /* bytes a call, 0: any */
	bool		  upcut; /* abort instead of ending */
};

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct curlctx *c = arg;

	sbuf_add(&c->body, data, size * nmemb);
	return size * nmemb;
}

/*
 * One header line from libcurl.  A status line starts a new set of
 * headers, so only the final response's (after any 100 Continue) remain.
 */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct curlctx *c = arg;
	size_t		n = size * nmemb, len = n;
	const char     *colon;

	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		free_headers(c->resp);
		return n;
	}
	if (len == 0 || (colon = memchr(data, ':', len)) == NULL)
		return n;
	add_header(c->resp, data, (size_t)(colon - data), colon + 1,
	    len - (size_t)(colon - data) - 1);
	return n;
}

static size_t
on_upload(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct curlctx *c = arg;
	size_t		n = size * nmemb;

	if (n > c->uplen - c->upoff)
		n = c->uplen - c->upoff;
	/* libcurl frames what one call returns as one chunk. */
	if (c->upmax > 0 && n > c->upmax)
		n = c->upmax;
	/* Hang up where the last chunk ("0\r\n\r\n") would go. */
	if (n == 0 && c->upcut)
		return CURL_READFUNC_ABORT;
	memcpy(buf, c->up + c->upoff, n);
	c->upoff += n;
	return n;
}

int
http_do(const char *base_url, const struct http_req *req,
    struct http_resp *resp, char *err, size_t errlen)
{
	CURL		  *h = NULL;
	struct curl_slist *hl = NULL, *tmp;
	struct curlctx	   c;
	struct sbuf	   url;
	char		   cerr[CURL_ERROR_SIZE];
	CURLcode	   cc;
	size_t		   i;
	int		   rc = -1;

	memset(resp, 0, sizeof(*resp));
	memset(&c, 0, sizeof(c));
	memset(&url, 0, sizeof(url));
	c.resp = resp;
	cerr[0] = '\0';

	sbuf_add(&url, base_url, strlen(base_url));
	sbuf_add(&url, req->target, strlen(req->target));

	if ((h = curl_easy_init()) == NULL) {
		seterr(err, errlen, "curl_easy_init failed");
		goto out;
	}

	/* No "Expect: 100-continue" pause before large bodies. */
	if ((hl = curl_slist_append(hl, "Expect:")) == NULL)
		goto nomem;
	if (req->chunked &&
	    (hl = curl_slist_append(hl, "Transfer-Encoding: chunked")) == NULL)
		goto nomem;
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		if ((tmp = curl_slist_append(hl, req->headers[i])) == NULL)
			goto nomem;
		hl = tmp;
	}

	curl_easy_setopt(h, CURLOPT_URL, url.p);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	http_resolve(h);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);

	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (req->body != NULL && req->chunked) {
		c.up = req->body;
		c.uplen = req->body_len;
		c.upmax = req->chunk_max;
		c.upcut = req->cut_short;
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
		curl_easy_setopt(h, CURLOPT_READDATA, &c);
	} else if (req->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
	} else if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0 &&
	    !(strcmp(req->method, "POST") == 0 && req->body != NULL))
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);

	cc = curl_easy_perform(h);
	if (cc == CURLE_ABORTED_BY_CALLBACK && c.upcut && c.upoff == c.uplen) {
		/* Cut short as asked: whatever answer came, if any. */
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
		resp->body = sbuf_take(&c.body, &resp->body_len);
		rc = 0;
		goto out;
	}
	if (cc != CURLE_OK) {
		seterr(err, errlen, "%s: %s", url.p,
		    cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body = sbuf_take(&c.body, &resp->body_len);
	rc = 0;
	goto out;
nomem:
	seterr(err, errlen, "curl_slist_append failed");
out:
	curl_slist_free_all(hl);
	if (h != NULL)
		curl_easy_cleanup(h);
	free(url.p);
	free(c.body.p);
	if (rc != 0)
		http_resp_free(resp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* plain CGI                                                           */
/* ------------------------------------------------------------------ */

struct envv {
	char **v;
	size_t n;
};

static void env_add(struct envv *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
env_add(struct envv *e, const char *fmt, ...)
{
	va_list ap;
	int	n;
	char   *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	s = xrealloc(NULL, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	e->v = xrealloc(e->v, (e->n + 2) * sizeof(*e->v));
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

static void
env_free(struct envv *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

/*
 * Add one request header ("Name: value", or curl's "Name;" for an empty
 * value) as its CGI variable: Content-Type as CONTENT_TYPE, the others as
 * HTTP_NAME.  Content-Length is the caller's business.
 */
static void
env_add_header(struct envv *e, const char *line)
{
	const char *sep, *value;
	char	   *var;
	size_t	    i, namelen;

	if ((sep = strpbrk(line, ":;")) == NULL)
		return;
	namelen = (size_t)(sep - line);
	value = *sep == ':' ? sep + 1 : "";
	while (*value == ' ')
		value++;
	if (namelen == 14 && strncasecmp(line, "Content-Length", 14) == 0)
		return;
	if (namelen == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
		env_add(e, "CONTENT_TYPE=%s", value);
		return;
	}
	var = xstrndup(line, namelen);
	for (i = 0; i < namelen; i++)
		var[i] =
		    var[i] == '-' ? '_' : (char)toupper((unsigned char)var[i]);
	env_add(e, "HTTP_%s=%s", var, value);
	free(var);
}

/* The CGI variables of "req" (RFC 3875, 4.1). */
static void
build_request_env(struct envv *e, const struct http_req *req)
{
	const char *q;
	size_t	    i;

	q = strchr(req->target, '?');
	env_add(e, "GATEWAY_INTERFACE=CGI/1.1");
	env_add(e, "SERVER_PROTOCOL=HTTP/1.1");
	env_add(e, "SERVER_SOFTWARE=userapi-tests");
	env_add(e, "SERVER_NAME=127.0.0.1");
	env_add(e, "SERVER_PORT=80");
	env_add(e, "REQUEST_METHOD=%s", req->method);
	env_add(e, "REQUEST_URI=%s", req->target);
	env_add(e, "QUERY_STRING=%s", q != NULL ? q + 1 : "");
	env_add(e, "SCRIPT_NAME=/cgi-bin/health.fcgi");
	env_add(e, "REMOTE_ADDR=127.0.0.1");
	env_add(e, "REMOTE_PORT=40000");
	if (req->length != NULL)
		env_add(e, "CONTENT_LENGTH=%s", req->length);
	else if (req->body != NULL && !req->no_length)
		env_add(e, "CONTENT_LENGTH=%zu", req->body_len);
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		env_add_header(e, req->headers[i]);
}

/* What the program itself needs: its settings file, and a few basics. */
static void
build_process_env(struct envv *e, const char *env_file)
{
	const char *v;
	size_t	    i;

	if (env_file != NULL)
		env_add(e, "USERAPI_ENV_FILE=%s", env_file);
	for (i = 0; passenv[i] != NULL; i++)
		if ((v = getenv(passenv[i])) != NULL)
			env_add(e, "%s=%s", passenv[i], v);
}

/*
 * Split CGI output into status, headers and body.  Lines may end in CRLF
 * or LF; a missing Status means 200 (RFC 3875, 6.3.3).
 */
static int
parse_cgi_output(struct http_resp *resp, const char *out, size_t len, char *err,
    size_t errlen)
{
	const char *p = out, *end = out + len, *nl, *colon, *v;
	size_t	    linelen;
	char	   *ep;
	long	    st;

	resp->status = 200;
	for (;;) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			seterr(err, errlen,
			    "CGI output has no blank line "
			    "after its headers (%zu bytes)",
			    len);
			return -1;
		}
		linelen = (size_t)(nl - p);
		if (linelen > 0 && p[linelen - 1] == '\r')
			linelen--;
		if (linelen == 0) {
			p = nl + 1;
			break;
		}
		if ((colon = memchr(p, ':', linelen)) == NULL) {
			seterr(err, errlen,
			    "CGI header line without ':': "
			    "%.*s",
			    (int)linelen, p);
			return -1;
		}
		if (colon - p == 6 && strncasecmp(p, "Status", 6) == 0) {
			v = colon + 1;
			while (*v == ' ')
				v++;
			errno = 0;
			st = strtol(v, &ep, 10);
			if (errno != 0 || ep == v || st < 100 || st > 999 ||
			    (*ep != ' ' && *ep != '\r' && *ep != '\n')) {
				seterr(err, errlen,
				    "bad CGI Status line: "
				    "%.*s",
				    (int)linelen, p);
				return -1;
			}
			resp->status = st;
		} else
			add_header(resp, p, (size_t)(colon - p), colon + 1,
			    linelen - (size_t)(colon - p) - 1);
		p = nl + 1;
	}
	resp->body = xstrndup(p, (size_t)(end - p));
	resp->body_len = (size_t)(end - p);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
set_flags(int fd, bool nonblock)
{
	int fl;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	if (!nonblock)
		return 0;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Child side of http_cgi() and http_fcgi(): never returns. */
static void
exec_child(const char *program, int in, int out, int errfd, char **envp)
{
	sigset_t none;
	char	 name[4096], *argv[2];

	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1 ||
	    dup2(errfd, STDERR_FILENO) == -1)
		_exit(126);
	snprintf(name, sizeof(name), "%s", program);
	argv[0] = name;
	argv[1] = NULL;
	execve(program, argv, envp);
	dprintf(STDERR_FILENO, "execve %s: %s\n", program, strerror(errno));
	_exit(127);
}

/*
 * Wait for "pid" until "deadline"; kill it if it is still running then.
 * Returns 0 with its status in "wstatus", or -1 if it had to be killed.
 */
static int
reap(pid_t pid, double deadline, int *wstatus)
{
	pid_t r;

	for (;;) {
		r = waitpid(pid, wstatus, WNOHANG);
		if (r == pid)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
		if (now_s() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, wstatus, 0) == -1 && errno == EINTR)
				continue;
			return -1;
		}
		usleep(10000);
	}
}

int
http_cgi(const char *program, const char *env_file, const struct http_req *req,
    struct http_resp *resp, int timeout_s, char *err, size_t errlen)
{
	struct envv   env;
	struct sbuf   out, log, left;
	struct pollfd pfd[3];
	int	inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int	keep = -1, rc = -1, n, wait_ms;
	size_t	sent = 0, nfd, i;
	ssize_t w, r;
	pid_t	pid = -1;
	double	deadline;
	char	chunk[16384];

	memset(resp, 0, sizeof(*resp));
	memset(&env, 0, sizeof(env));
	memset(&out, 0, sizeof(out));
	memset(&log, 0, sizeof(log));
	memset(&left, 0, sizeof(left));
	deadline = now_s() + timeout_s;

	if (req->cgi_leftover && req->body_len > LEFTOVER_MAX) {
		seterr(err, errlen, "cgi_leftover body over %d bytes",
		    LEFTOVER_MAX);
		goto out;
	}
	build_request_env(&env, req);
	build_process_env(&env, env_file);

	if (pipe(inp) == -1 || pipe(outp) == -1 || pipe(errp) == -1) {
		seterr(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	if (set_flags(inp[0], false) == -1 ||
	    set_flags(inp[1], !req->cgi_leftover) == -1 ||
	    set_flags(outp[0], true) == -1 || set_flags(outp[1], false) == -1 ||
	    set_flags(errp[0], true) == -1 || set_flags(errp[1], false) == -1) {
		seterr(err, errlen, "fcntl: %s", strerror(errno));
		goto out;
	}

	/*
	 * For cgi_leftover the whole body is in the pipe before the worker
	 * starts, and we keep a read end: what is still there afterwards is
	 * what the worker did not read.
	 */
	if (req->cgi_leftover) {
		if (req->body != NULL && req->body_len > 0 &&
		    write(inp[1], req->body, req->body_len) !=
			(ssize_t)req->body_len) {
			seterr(err, errlen, "write: %s", strerror(errno));
			goto out;
		}
		close_fd(&inp[1]);
		if ((keep = dup(inp[0])) == -1 || set_flags(keep, true) == -1) {
			seterr(err, errlen, "dup: %s", strerror(errno));
			goto out;
		}
	}

	fflush(NULL);
	if ((pid = fork()) == -1) {
		seterr(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_child(program, inp[0], outp[1], errp[1], env.v);

	close_fd(&inp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	if (req->body == NULL || req->body_len == 0)
		close_fd(&inp[1]);

	while (outp[0] >= 0 || errp[0] >= 0) {
		nfd = 0;
		if (outp[0] >= 0) {
			pfd[nfd].fd = outp[0];
			pfd[nfd++].events = POLLIN;
		}
		if (errp[0] >= 0) {
			pfd[nfd].fd = errp[0];
			pfd[nfd++].events = POLLIN;
		}
		if (inp[1] >= 0) {
			pfd[nfd].fd = inp[1];
			pfd[nfd++].events = POLLOUT;
		}
		wait_ms = (int)((deadline - now_s()) * 1000);
		if (wait_ms <= 0) {
			seterr(err, errlen, "%s: no answer within %d s",
			    program, timeout_s);
			goto out;
		}
		if ((n = poll(pfd, nfd, wait_ms)) == -1) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == inp[1]) {
				w = write(inp[1], req->body + sent,
				    req->body_len - sent);
				if (w > 0)
					sent += (size_t)w;
				/* EPIPE: the worker stopped reading, fine. */
				if ((w == -1 && errno != EAGAIN &&
					errno != EINTR) ||
				    sent == req->body_len)
					close_fd(&inp[1]);
				continue;
			}
			r = read(pfd[i].fd, chunk, sizeof(chunk));
			if (r > 0) {
				sbuf_add(pfd[i].fd == outp[0] ? &out : &log,
				    chunk, (size_t)r);
				continue;
			}
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (pfd[i].fd == outp[0])
				close_fd(&outp[0]);
			else
				close_fd(&errp[0]);
		}
	}
	close_fd(&inp[1]);
	if (reap(pid, deadline, &resp->wstatus) == -1) {
		pid = -1;
		seterr(err, errlen, "%s: did not exit within %d s", program,
		    timeout_s);
		goto out;
	}
	resp->pid = pid;
	pid = -1;

	if (keep >= 0)
		while ((r = read(keep, chunk, sizeof(chunk))) > 0)
			sbuf_add(&left, chunk, (size_t)r);

	if (parse_cgi_output(resp, out.p != NULL ? out.p : "", out.len, err,
		errlen) == -1)
		goto out;
	resp->log = sbuf_take(&log, &resp->log_len);
	resp->stdin_left = sbuf_take(&left, &resp->stdin_left_len);
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			continue;
	}
	close_fd(&inp[0]);
	close_fd(&inp[1]);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&keep);
	if (rc != 0 && log.len > 0 && strlen(err) + 16 < errlen)
		snprintf(err + strlen(err), errlen - strlen(err),
		    "; stderr: %.*s", (int)(errlen - strlen(err) - 11), log.p);
	free(out.p);
	free(log.p);
	free(left.p);
	env_free(&env);
	if (rc != 0)
		http_resp_free(resp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* direct FastCGI                                                      */
/* ------------------------------------------------------------------ */

/* FastCGI 1.0 record types and the one role used. */
enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7
};

#define FCGI_RESPONDER 1
#define FCGI_KEEP_CONN 1 /* BEGIN_REQUEST flag: keep the connection */
#define FCGI_HEADER_LEN 8
#define FCGI_CHUNK 32768 /* content bytes per record we send */

/* Append one record of "type" for request 1 carrying "data". */
static void
fcgi_record(struct sbuf *b, enum fcgi_type type, const void *data, size_t len)
{
	unsigned char h[FCGI_HEADER_LEN];

	h[0] = 1; /* version */
	h[1] = (unsigned char)type;
	h[2] = 0; /* request id 1 */
	h[3] = 1;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)(len & 0xff);
	h[6] = 0; /* padding */
	h[7] = 0;
	sbuf_add(b, h, sizeof(h));
	sbuf_add(b, data, len);
}

/* Append the records of "type" for all of "data", then the empty one. */
static void
fcgi_stream(struct sbuf *b, enum fcgi_type type, const char *data, size_t len)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off > FCGI_CHUNK ? FCGI_CHUNK : len - off;
		fcgi_record(b, type, data + off, n);
	}
	fcgi_record(b, type, "", 0);
}

static void
fcgi_put_len(struct sbuf *b, size_t n)
{
	unsigned char l[4];

	if (n < 128) {
		l[0] = (unsigned char)n;
		sbuf_add(b, l, 1);
		return;
	}
	l[0] = (unsigned char)(0x80 | ((n >> 24) & 0x7f));
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	sbuf_add(b, l, 4);
}

/*
 * The whole request: BEGIN_REQUEST (with FCGI_KEEP_CONN if "keep"),
 * PARAMS from "vars", STDIN.  Returns the offset in "b" where the STDIN
 * records start.
 */
static size_t
fcgi_build(struct sbuf *b, const struct envv *vars, const struct http_req *req,
    bool keep)
{
	unsigned char begin[8] = { 0, FCGI_RESPONDER, 0 };
	struct sbuf   params;
	const char   *eq;
	size_t	      i, nlen, off;

	memset(&params, 0, sizeof(params));
	for (i = 0; i < vars->n; i++) {
		eq = strchr(vars->v[i], '=');
		nlen = (size_t)(eq - vars->v[i]);
		fcgi_put_len(&params, nlen);
		fcgi_put_len(&params, strlen(eq + 1));
		sbuf_add(&params, vars->v[i], nlen);
		sbuf_add(&params, eq + 1, strlen(eq + 1));
	}
	if (keep)
		begin[2] = FCGI_KEEP_CONN;
	fcgi_record(b, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	fcgi_stream(b, FCGI_PARAMS, params.p, params.len);
	off = b->len;
	fcgi_stream(b, FCGI_STDIN, req->body != NULL ? req->body : "",
	    req->body != NULL ? req->body_len : 0);
	free(params.p);
	return off;
}

/*
 * Take the complete records at the front of "in": STDOUT into "out",
 * STDERR into "log".  Returns 1 once END_REQUEST has come, else 0.
 */
static int
fcgi_take(struct sbuf *in, struct sbuf *out, struct sbuf *log)
{
	const unsigned char *h;
	size_t		     off = 0, clen, total;
	int		     done = 0;

	while (!done && in->len - off >= FCGI_HEADER_LEN) {
		h = (const unsigned char *)in->p + off;
		clen = (size_t)h[4] << 8 | h[5];
		total = FCGI_HEADER_LEN + clen + h[6];
		if (in->len - off < total)
			break;
		if (h[1] == FCGI_STDOUT)
			sbuf_add(out, h + FCGI_HEADER_LEN, clen);
		else if (h[1] == FCGI_STDERR)
			sbuf_add(log, h + FCGI_HEADER_LEN, clen);
		else if (h[1] == FCGI_END_REQUEST)
			done = 1;
		off += total;
	}
	memmove(in->p, in->p + off, in->len - off);
	in->len -= off;
	return done;
}

/*
 * Read the worker's stderr "fd" into "log" until it holds "word" or
 * "deadline" passes.  Returns 0 or -1.
 */
static int
wait_for_log(int fd, struct sbuf *log, const char *word, double deadline)
{
	struct pollfd p;
	char	      chunk[4096];
	ssize_t	      n;

	while (log->len == 0 ||
	    memmem(log->p, log->len, word, strlen(word)) == NULL) {
		p.fd = fd;
		p.events = POLLIN;
		if (now_s() >= deadline ||
		    (poll(&p, 1, 100) == -1 && errno != EINTR))
			return -1;
		n = read(fd, chunk, sizeof(chunk));
		if (n > 0)
			sbuf_add(log, chunk, (size_t)n);
		else if (n == 0)
			return -1;
	}
	return 0;
}

int
http_fcgi(const char *program, const char *env_file, const struct http_req *req,
    struct http_resp *resp, int timeout_s, char *err, size_t errlen)
{
	struct envv	   penv, vars;
	struct sbuf	   tx, rx, out, log;
	struct sockaddr_un addr;
	struct pollfd	   pfd[2];
	char		   dir[] = "/tmp/ua-fcgi.XXXXXX";
	char		   chunk[16384];
	int		   lfd = -1, sfd = -1, errp[2] = { -1, -1 };
	int		   rc = -1, done = 0, wait_ms, made = 0;
	size_t		   sent = 0, hold = 0, nfd, i;
	ssize_t		   n;
	pid_t		   pid = -1;
	double		   deadline;

	memset(resp, 0, sizeof(*resp));
	memset(&penv, 0, sizeof(penv));
	memset(&vars, 0, sizeof(vars));
	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	memset(&out, 0, sizeof(out));
	memset(&log, 0, sizeof(log));
	deadline = now_s() + timeout_s;

	build_process_env(&penv, env_file);
	build_request_env(&vars, req);
	/* Held back until SIGTERM is sent: all of STDIN. */
	hold = fcgi_build(&tx, &vars, req, false);
	hold = req->fcgi_term_in_flight ? tx.len - hold : 0;

	if (mkdtemp(dir) == NULL) {
		seterr(err, errlen, "mkdtemp: %s", strerror(errno));
		goto out;
	}
	made = 1;
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/sock", dir);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) == -1 ||
	    listen(lfd, 8) == -1 || set_flags(lfd, false) == -1) {
		seterr(err, errlen, "listening socket %s: %s", addr.sun_path,
		    strerror(errno));
		goto out;
	}
	if (pipe(errp) == -1 || set_flags(errp[0], true) == -1 ||
	    set_flags(errp[1], false) == -1) {
		seterr(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}

	fflush(NULL);
	if ((pid = fork()) == -1) {
		seterr(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_child(program, lfd, errp[1], errp[1], penv.v);
	close_fd(&lfd);
	close_fd(&errp[1]);

	/*
	 * Queued: once the worker waits for connections, stop it, queue
	 * the whole request, send SIGTERM and let it go.  The signal and
	 * the connection are then both there when it runs again.
	 */
	if (req->fcgi_term_queued) {
		if (wait_for_log(errp[0], &log, "serving", deadline) == -1) {
			seterr(err, errlen, "%s: never said it was serving",
			    program);
			goto out;
		}
		usleep(200000);
		kill(pid, SIGSTOP);
	}

	/* The backlog takes the connection before the worker accepts it. */
	if ((sfd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(sfd, (struct sockaddr *)&addr, sizeof(addr)) == -1 ||
	    set_flags(sfd, true) == -1) {
		seterr(err, errlen, "connect %s: %s", addr.sun_path,
		    strerror(errno));
		goto out;
	}

	if (req->fcgi_term_queued) {
		while (sent < tx.len) {
			n = write(sfd, tx.p + sent, tx.len - sent);
			if (n <= 0) {
				seterr(err, errlen, "queueing the request: %s",
				    strerror(errno));
				goto out;
			}
			sent += (size_t)n;
		}
		kill(pid, SIGTERM);
		kill(pid, SIGCONT);
	}

	while (!done) {
		if (hold > 0 && sent == tx.len - hold) {
			/* Let it accept and block reading the body. */
			usleep(300000);
			kill(pid, SIGTERM);
			usleep(100000);
			hold = 0;
		}
		nfd = 0;
		pfd[nfd].fd = sfd;
		pfd[nfd++].events =
		    POLLIN | (sent < tx.len - hold ? POLLOUT : 0);
		if (errp[0] >= 0) {
			pfd[nfd].fd = errp[0];
			pfd[nfd++].events = POLLIN;
		}
		wait_ms = (int)((deadline - now_s()) * 1000);
		if (wait_ms <= 0) {
			seterr(err, errlen,
			    "%s: no FastCGI answer within "
			    "%d s",
			    program, timeout_s);
			goto out;
		}
		if (poll(pfd, nfd, wait_ms) == -1) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == errp[0]) {
				n = read(errp[0], chunk, sizeof(chunk));
				if (n > 0)
					sbuf_add(&log, chunk, (size_t)n);
				else if (n == 0 ||
				    (errno != EAGAIN && errno != EINTR))
					close_fd(&errp[0]);
				continue;
			}
			if ((pfd[i].revents & POLLOUT) &&
			    sent < tx.len - hold) {
				n = write(sfd, tx.p + sent,
				    tx.len - hold - sent);
				if (n > 0)
					sent += (size_t)n;
				/* The worker answered without reading it all. */
				else if (errno != EAGAIN && errno != EINTR)
					sent = tx.len;
			}
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(sfd, chunk, sizeof(chunk));
			if (n > 0) {
				sbuf_add(&rx, chunk, (size_t)n);
				done = fcgi_take(&rx, &out, &log);
			} else if (n == 0 ||
			    (errno != EAGAIN && errno != EINTR)) {
				seterr(err, errlen,
				    "%s: the FastCGI "
				    "connection closed before END_REQUEST",
				    program);
				goto out;
			}
		}
	}
	close_fd(&sfd);

	/*
	 * Stopped as a web server stops it: SIGTERM, then it must exit.
	 * First give it time to get back to accept(), so this is the idle
	 * case (unless the in-flight one was asked for).
	 */
	usleep(100000);
	kill(pid, SIGTERM);
	if (reap(pid, deadline, &resp->wstatus) == -1) {
		pid = -1;
		seterr(err, errlen,
		    "%s: did not exit within %d s of "
		    "SIGTERM",
		    program, timeout_s);
		goto out;
	}
	resp->pid = pid;
	pid = -1;
	while (errp[0] >= 0 && (n = read(errp[0], chunk, sizeof(chunk))) > 0)
		sbuf_add(&log, chunk, (size_t)n);

	if (parse_cgi_output(resp, out.p != NULL ? out.p : "", out.len, err,
		errlen) == -1)
		goto out;
	resp->log = sbuf_take(&log, &resp->log_len);
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			continue;
	}
	close_fd(&lfd);
	close_fd(&sfd);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	if (made) {
		unlink(addr.sun_path);
		rmdir(dir);
	}
	if (rc != 0 && log.len > 0 && strlen(err) + 16 < errlen)
		snprintf(err + strlen(err), errlen - strlen(err),
		    "; stderr: %.*s", (int)(errlen - strlen(err) - 11), log.p);
	free(tx.p);
	free(rx.p);
	free(out.p);
	free(log.p);
	env_free(&penv);
	env_free(&vars);
	if (rc != 0)
		http_resp_free(resp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* a FastCGI worker serving many requests                              */
/* ------------------------------------------------------------------ */

int
fcgi_worker_start(struct fcgi_worker *w, const char *program,
    const char *env_file, const char *log_path, char *err, size_t errlen)
{
	struct envv	   penv;
	struct sockaddr_un addr;
	int		   lfd = -1, logfd = -1, rc = -1;

	memset(w, 0, sizeof(*w));
	memset(&penv, 0, sizeof(penv));
	w->pid = -1;
	snprintf(w->dir, sizeof(w->dir), "/tmp/ua-fcgiw.XXXXXX");
	if (mkdtemp(w->dir) == NULL) {
		seterr(err, errlen, "mkdtemp: %s", strerror(errno));
		w->dir[0] = '\0';
		return -1;
	}
	snprintf(w->sock, sizeof(w->sock), "%s/sock", w->dir);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", w->sock);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) == -1 ||
	    listen(lfd, 16) == -1 || set_flags(lfd, false) == -1) {
		seterr(err, errlen, "listening socket %s: %s", w->sock,
		    strerror(errno));
		goto out;
	}
	if ((logfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		 0600)) == -1) {
		seterr(err, errlen, "%s: %s", log_path, strerror(errno));
		goto out;
	}
	build_process_env(&penv, env_file);
	fflush(NULL);
	if ((w->pid = fork()) == -1) {
		seterr(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (w->pid == 0)
		exec_child(program, lfd, logfd, logfd, penv.v);
	rc = 0;
out:
	close_fd(&lfd);
	close_fd(&logfd);
	env_free(&penv);
	if (rc != 0) {
		unlink(w->sock);
		rmdir(w->dir);
		w->dir[0] = '\0';
	}
	return rc;
}

int
fcgi_conn_open(const struct fcgi_worker *w, char *err, size_t errlen)
{
	struct sockaddr_un addr;
	int		   sfd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", w->sock);
	if ((sfd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(sfd, (struct sockaddr *)&addr, sizeof(addr)) == -1 ||
	    set_flags(sfd, true) == -1) {
		seterr(err, errlen, "connect %s: %s", w->sock, strerror(errno));
		close_fd(&sfd);
		return -1;
	}
	return sfd;
}

int
fcgi_conn_request(int sfd, bool keep, const struct http_req *req,
    struct http_resp *resp, int timeout_s, char *err, size_t errlen)
{
	struct envv   vars;
	struct sbuf   tx, rx, out, log;
	struct pollfd pfd;
	char	      chunk[16384];
	int	      rc = -1, done = 0, wait_ms;
	size_t	      sent = 0;
	ssize_t	      n;
	double	      deadline = now_s() + timeout_s;

	memset(resp, 0, sizeof(*resp));
	memset(&vars, 0, sizeof(vars));
	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	memset(&out, 0, sizeof(out));
	memset(&log, 0, sizeof(log));
	build_request_env(&vars, req);
	fcgi_build(&tx, &vars, req, keep);
	/*
	 * STDIN's empty end record held back, as a front sends it when the
	 * body filled its buffers: the worker must not take it for the
	 * start of the next request on a kept connection.
	 */
	if (req->fcgi_stdin_end_late) {
		/* A small request: one write fits the socket's buffer. */
		n = write(sfd, tx.p, tx.len - FCGI_HEADER_LEN);
		if (n != (ssize_t)(tx.len - FCGI_HEADER_LEN)) {
			seterr(err, errlen, "write: %s", strerror(errno));
			goto out;
		}
		usleep(300000);
		sent = (size_t)n;
	}
	while (!done) {
		pfd.fd = sfd;
		pfd.events = POLLIN | (sent < tx.len ? POLLOUT : 0);
		if ((wait_ms = (int)((deadline - now_s()) * 1000)) <= 0) {
			seterr(err, errlen, "no FastCGI answer within %d s",
			    timeout_s);
			goto out;
		}
		if (poll(&pfd, 1, wait_ms) == -1) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "poll: %s", strerror(errno));
			goto out;
		}
		if ((pfd.revents & POLLOUT) && sent < tx.len) {
			n = write(sfd, tx.p + sent, tx.len - sent);
			if (n > 0)
				sent += (size_t)n;
			else if (errno != EAGAIN && errno != EINTR)
				sent = tx.len;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(sfd, chunk, sizeof(chunk));
		if (n > 0) {
			sbuf_add(&rx, chunk, (size_t)n);
			done = fcgi_take(&rx, &out, &log);
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			seterr(err, errlen,
			    "the FastCGI connection closed "
			    "before END_REQUEST");
			goto out;
		}
	}
	if (parse_cgi_output(resp, out.p != NULL ? out.p : "", out.len, err,
		errlen) == -1)
		goto out;
	rc = 0;
out:
	free(tx.p);
	free(rx.p);
	free(out.p);
	free(log.p);
	env_free(&vars);
	if (rc != 0)
		http_resp_free(resp);
	return rc;
}

int
fcgi_worker_request(const struct fcgi_worker *w, const struct http_req *req,
    struct http_resp *resp, int timeout_s, char *err, size_t errlen)
{
	int sfd, rc;

	memset(resp, 0, sizeof(*resp));
	if ((sfd = fcgi_conn_open(w, err, errlen)) == -1)
		return -1;
	rc = fcgi_conn_request(sfd, false, req, resp, timeout_s, err, errlen);
	close_fd(&sfd);
	return rc;
}

int
fcgi_worker_stop(struct fcgi_worker *w, int timeout_s, int *wstatus)
{
	return fcgi_worker_stop_by(w, SIGTERM, timeout_s, wstatus);
}

int
fcgi_worker_stop_by(struct fcgi_worker *w, int sig, int timeout_s, int *wstatus)
{
	int rc = 0;

	*wstatus = 0;
	if (w->pid > 0) {
		kill(w->pid, sig);
		rc = reap(w->pid, now_s() + timeout_s, wstatus);
		w->pid = -1;
	}
	if (w->dir[0] != '\0') {
		unlink(w->sock);
		rmdir(w->dir);
		w->dir[0] = '\0';
	}
	return rc;
}
