/*
 * test_edge.c -- the web-server edge under faults and hostile clients,
 * through lighttpd (mod_fastcgi) and Apache (mod_fcgid) from the shipped
 * configs.
 *
 * Slow clients (slowloris): SLOW_CONNS connections trickling a request
 * header a byte a second do not delay a normal GET /health past
 * PROBE_MAX_S.  Worker processes: a burst of parallel requests right
 * after a restart of the server, and requests right after every worker
 * was killed with SIGKILL, are answered within PROBE_MAX_S, not held
 * for spawns.  Errors the servers answer themselves (malformed request,
 * URI or headers too long, body over the server's cap, a worker dying
 * mid-request) come as the contract's JSON {"detail":"<reason>"} with
 * Content-Type application/json.
 *
 * Everything goes to 127.0.0.1.  Run: make check-integration (through
 * scripts/test).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>

#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

/* The bound on a normal request's answer, whatever else goes on. */
#define PROBE_MAX_S 1.0
/* Longest a probe may take before it is given up (and fails). */
#define PROBE_GIVEUP_S 10.0

/* Slowloris: connections, how long they press, a probe every PROBE_EVERY_S. */
#define SLOW_CONNS 500
#define SLOW_PRESS_S 14.0
#define PROBE_EVERY_S 0.25
/* At least this many slow connections must be open at once. */
#define SLOW_MIN_OPEN (SLOW_CONNS * 9 / 10)

/* Parallel requests in a burst, and requests once service is back. */
#define BURST 24
#define AFTER_KILL 20
/*
 * mod_fcgid cannot start a worker before a request asks for one, and a
 * request that finds every worker busy sleeps one second (hard-coded)
 * before it asks for a spawn, and again if another request took the
 * worker spawned for it.  So right after a start or a kill a request
 * waits one such second (RESPAWN_MAX_S), and in a burst some wait two
 * (BURST_MAX_S); more is requests queued behind spawns refused by the
 * class's limits or held by slow scans (the old configuration: 3 s).
 */
#define RESPAWN_MAX_S 1.5
#define BURST_MAX_S 2.5

/* Both configs' outer body cap (lighttpd's max-request-size, mod_fcgid's). */
#define SERVER_BODY_CAP 16777216

#define WORKER_COMM "health.fcgi"
#define PIDS_MAX 64

/* ------------------------------------------------------------------ */
/* Raw HTTP over loopback                                              */
/* ------------------------------------------------------------------ */

/* The address of server "t", from its URL ("http://127.0.0.1:PORT"). */
static void
server_addr(enum target t, struct sockaddr_in *sin)
{
	const char *url, *hp, *colon;
	char	    host[64], *end;
	long	    port;

	url = target_url(t);
	ck_assert_msg(strncmp(url, "http://", 7) == 0, "%s: not http://", url);
	hp = url + 7;
	colon = strrchr(hp, ':');
	ck_assert_msg(colon != NULL && (size_t)(colon - hp) < sizeof(host),
	    "%s: no host:port", url);
	memcpy(host, hp, (size_t)(colon - hp));
	host[colon - hp] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	ck_assert_msg(errno == 0 && port > 0 && port < 65536 &&
		(*end == '\0' || *end == '/'),
	    "%s: bad port", url);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	/* Loopback only: these tests flood what they talk to. */
	ck_assert_msg(inet_pton(AF_INET, host, &sin->sin_addr) == 1 &&
		ntohl(sin->sin_addr.s_addr) >> 24 == 127,
	    "%s: the edge tests talk to a 127.x.x.x address only", url);
}

/* A non-blocking socket connecting to "sin"; -1 on failure. */
static int
open_conn(const struct sockaddr_in *sin)
{
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		 0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A response read off a raw connection. */
struct raw_resp {
	long   status;
	char   ctype[128]; /* Content-Type, "" if none */
	char  *body;	   /* NUL-terminated */
	size_t body_len;
};

static void
raw_resp_free(struct raw_resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/*
 * Parse "buf" (a whole response up to the server's close) into "r".
 * Returns false if it is not a response.
 */
static bool
raw_parse(const char *buf, size_t len, struct raw_resp *r)
{
	const char *end, *line, *next, *v;
	size_t	    n, blen;
	long	    clen = -1;

	memset(r, 0, sizeof(*r));
	if ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL ||
	    sscanf(buf, "HTTP/1.%*[01] %ld", &r->status) != 1)
		return false;
	for (line = strstr(buf, "\r\n") + 2; line < end; line = next + 2) {
		next = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		if (next == NULL)
			break;
		if ((v = memchr(line, ':', (size_t)(next - line))) == NULL)
			continue;
		n = (size_t)(v - line);
		for (v++; v < next && (*v == ' ' || *v == '\t'); v++)
			continue;
		if (n == 12 && strncasecmp(line, "Content-Type", 12) == 0)
			snprintf(r->ctype, sizeof(r->ctype), "%.*s",
			    (int)(next - v), v);
		else if (n == 14 &&
		    strncasecmp(line, "Content-Length", 14) == 0)
			clen = strtol(v, NULL, 10);
	}
	blen = len - (size_t)(end + 4 - buf);
	if (clen >= 0 && (size_t)clen < blen)
		blen = (size_t)clen;
	if ((r->body = malloc(blen + 1)) == NULL)
		abort();
	memcpy(r->body, end + 4, blen);
	r->body[blen] = '\0';
	r->body_len = blen;
	return true;
}

/*
 * Send "req" ("len" bytes) to server "t" on a fresh connection and read
 * until the server closes, at most "timeout_s".  Fills "r"; fails the
 * case if no response came.  With "before_read" not NULL, it is called
 * once the request is sent, before reading.
 */
static void
raw_exchange(enum target t, const char *req, size_t len, struct raw_resp *r,
    double timeout_s, void (*before_read)(enum target))
{
	struct sockaddr_in sin;
	struct pollfd	   pfd;
	char		  *buf = NULL, chunk[16384];
	size_t		   got = 0, sent = 0;
	ssize_t		   n;
	double		   deadline;
	int		   fd;

	server_addr(t, &sin);
	ck_assert_msg((fd = open_conn(&sin)) != -1, "%s: connect: %s",
	    target_name(t), strerror(errno));
	deadline = stack_now() + timeout_s;
	while (sent < len) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		ck_assert_msg(stack_now() < deadline,
		    "%s: request not sent "
		    "within %.0f s",
		    target_name(t), timeout_s);
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		/* The server may answer and close before taking it all. */
		if (n == -1)
			break;
		sent += (size_t)n;
	}
	if (before_read != NULL)
		before_read(t);
	for (;;) {
		ck_assert_msg(stack_now() < deadline,
		    "%s: no complete "
		    "answer within %.0f s",
		    target_name(t), timeout_s);
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		if ((buf = realloc(buf, got + (size_t)n + 1)) == NULL)
			abort();
		memcpy(buf + got, chunk, (size_t)n);
		got += (size_t)n;
		buf[got] = '\0';
	}
	close(fd);
	ck_assert_msg(buf != NULL && raw_parse(buf, got, r),
	    "%s: no HTTP response (%zu bytes)", target_name(t), got);
	free(buf);
}

/* The answer is "status" in the contract's JSON: {"detail":"<detail>"}. */
static void
want_json_error(enum target t, const char *what, long status, long got,
    const char *ctype, const char *body, const char *detail)
{
	char want[256];

	snprintf(want, sizeof(want), "{\"detail\":\"%s\"}", detail);
	ck_assert_msg(got == status,
	    "%s %s: status %ld, want %ld; body: "
	    "%.200s",
	    target_name(t), what, got, status, body);
	ck_assert_msg(strncasecmp(ctype, "application/json", 16) == 0,
	    "%s %s: Content-Type \"%s\", want application/json; body: "
	    "%.200s",
	    target_name(t), what, ctype, body);
	ck_assert_msg(strcmp(body, want) == 0, "%s %s: body %.300s, want %s",
	    target_name(t), what, body, want);
}

static void
want_raw_error(enum target t, const char *what, const char *req, size_t len,
    long status, const char *detail)
{
	struct raw_resp r;

	raw_exchange(t, req, len, &r, 30, NULL);
	want_json_error(t, what, status, r.status, r.ctype, r.body, detail);
	raw_resp_free(&r);
}

/* ------------------------------------------------------------------ */
/* Suite errors: what the servers answer themselves, in JSON            */
/* ------------------------------------------------------------------ */

START_TEST(malformed_request_400_json)
{
	static const char req[] = "GARBAGE\r\n\r\n";

	want_raw_error(TGT, "malformed request line", req, sizeof(req) - 1, 400,
	    "Bad Request");
}
END_TEST

START_TEST(bad_header_line_400_json)
{
	static const char req[] = "GET /health HTTP/1.1\r\nHost: x\r\n"
				  "no colon here\r\nConnection: close\r\n\r\n";

	want_raw_error(TGT, "header line without colon", req, sizeof(req) - 1,
	    400, "Bad Request");
}
END_TEST

/* A request line of "n" bytes of path, in "buf". */
static size_t
long_uri_request(char *buf, size_t buflen, size_t n)
{
	size_t len;

	len = (size_t)snprintf(buf, buflen, "GET /health?");
	ck_assert(len + n + 64 < buflen);
	memset(buf + len, 'a', n);
	len += n;
	len += (size_t)snprintf(buf + len, buflen - len,
	    " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	return len;
}

/* Apache and nginx: 414 past their limit; lighttpd has no 414: 431. */
START_TEST(uri_too_long_json)
{
	static char req[32768];
	size_t	    len;

	len = long_uri_request(req, sizeof(req), 20000);
	if (TGT == TARGET_APACHE || TGT == TARGET_NGINX)
		want_raw_error(TGT, "20000-byte URI", req, len, 414,
		    "URI Too Long");
	else
		want_raw_error(TGT, "20000-byte URI", req, len, 431,
		    "Request Header Fields Too Large");
}
END_TEST

/*
 * lighttpd and nginx: 431; Apache says 400 for a header over
 * LimitRequestFieldSize.
 */
START_TEST(header_too_large_json)
{
	static char req[81920];
	size_t	    len;

	len = (size_t)snprintf(req, sizeof(req),
	    "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(req + len, 'a', 70000);
	len += 70000;
	len += (size_t)snprintf(req + len, sizeof(req) - len,
	    "\r\nConnection: close\r\n\r\n");
	if (TGT != TARGET_APACHE)
		want_raw_error(TGT, "70000-byte header", req, len, 431,
		    "Request Header Fields Too Large");
	else
		want_raw_error(TGT, "70000-byte header", req, len, 400,
		    "Bad Request");
}
END_TEST

/* A Content-Length over the server's cap: refused before any body byte. */
START_TEST(length_over_server_cap_413_json)
{
	char req[512];
	int  len;

	len = snprintf(req, sizeof(req),
	    "POST /api/users/ HTTP/1.1\r\n"
	    "Host: x\r\nContent-Type: application/json\r\n"
	    "Content-Length: %d\r\nConnection: close\r\n\r\n",
	    SERVER_BODY_CAP + 1000);
	want_raw_error(TGT, "Content-Length over the server's cap", req,
	    (size_t)len, 413, "Request body too large");
}
END_TEST

/*
 * A chunked body over the cap: lighttpd and nginx count it and answer
 * 413; mod_fcgid finds out only by reading it and answers 500.
 */
START_TEST(chunked_over_server_cap_json)
{
	struct xchg	  x;
	struct http_req	  req;
	const char	 *ct;
	const char *const hdrs[] = { "Content-Type: application/json", NULL };
	size_t		  n = SERVER_BODY_CAP + 65536;
	char		 *body;

	ck_assert((body = malloc(n)) != NULL);
	memset(body, ' ', n);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.target = "/api/users/";
	req.headers = hdrs;
	req.body = body;
	req.body_len = n;
	req.chunked = true;
	xchg_run(&x, TGT, &req);
	ct = http_header(&x.resp, "Content-Type");
	if (TGT != TARGET_APACHE)
		want_json_error(TGT, "chunked body over the server's cap", 413,
		    x.resp.status, ct != NULL ? ct : "", x.resp.body,
		    "Request body too large");
	else
		want_json_error(TGT, "chunked body over the server's cap", 500,
		    x.resp.status, ct != NULL ? ct : "", x.resp.body,
		    "Internal Server Error");
	xchg_free(&x);
	free(body);
}
END_TEST

/* Every worker of "t" gets "sig". Returns how many there were. */
static size_t
signal_workers(enum target t, int sig)
{
	struct worker_proc procs[PIDS_MAX];
	size_t		   n, i;

	n = stack_workers(WORKER_COMM, target_server(t), procs, PIDS_MAX);
	for (i = 0; i < n; i++)
		kill(procs[i].pid, sig);
	return n;
}

/* GET /health through "t" answers 200 within "limit_s"; its time. */
static double
health_within(enum target t, double limit_s, const char *when)
{
	struct xchg x;
	double	    t0, took;

	t0 = stack_now();
	xchg_simple(&x, t, "GET", "/health", NULL);
	took = stack_now() - t0;
	ck_assert_msg(x.resp.status == 200, "%s GET /health %s: status %ld",
	    target_name(t), when, x.resp.status);
	xchg_free(&x);
	ck_assert_msg(took <= limit_s,
	    "%s GET /health %s: answered in "
	    "%.3f s (limit %.1f s)",
	    target_name(t), when, took, limit_s);
	return took;
}

/* The request is in the stopped workers' hands: now they die. */
static void
kill_stopped_workers(enum target t)
{
	usleep(500000);
	signal_workers(t, SIGKILL);
}

/*
 * A worker that dies with the request in hand: the server's own error,
 * in JSON: 500 from lighttpd and mod_fcgid.  nginx sends a GET again on
 * a new connection when a kept one fails (the client gets the answer),
 * but never a POST it has sent: 502.  The workers are stopped first so
 * that the request is surely queued at one of them when they are
 * killed.
 */
START_TEST(worker_killed_mid_request_500_json)
{
	static const char get[] = "GET /health HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";
	static const char post[] = "POST /health HTTP/1.1\r\nHost: x\r\n"
				   "Content-Length: 0\r\n"
				   "Connection: close\r\n\r\n";
	const bool	  nginx = TGT == TARGET_NGINX;
	struct raw_resp	  r;
	double		  t0;

	health_within(TGT, PROBE_GIVEUP_S, "before");
	ck_assert_msg(signal_workers(TGT, SIGSTOP) > 0,
	    "%s: no %s worker "
	    "found",
	    target_name(TGT), WORKER_COMM);
	raw_exchange(TGT, nginx ? post : get,
	    nginx ? sizeof(post) - 1 : sizeof(get) - 1, &r, 30,
	    kill_stopped_workers);
	if (nginx)
		want_json_error(TGT, "worker killed mid-POST", 502, r.status,
		    r.ctype, r.body, "Bad Gateway");
	else
		want_json_error(TGT, "worker killed mid-request", 500, r.status,
		    r.ctype, r.body, "Internal Server Error");
	raw_resp_free(&r);
	/* Leave the server serving for the cases after this one. */
	for (t0 = stack_now(); stack_now() - t0 < 30; usleep(100000)) {
		struct xchg x;

		xchg_simple(&x, TGT, "GET", "/health", NULL);
		if (x.resp.status == 200) {
			xchg_free(&x);
			return;
		}
		xchg_free(&x);
	}
	ck_abort_msg("%s: /health not 200 again within 30 s of the kill",
	    target_name(TGT));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite workers: bursts and kills are not held for spawns              */
/* ------------------------------------------------------------------ */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static size_t
discard(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return size * nmemb;
}

/*
 * "n" GET /health to "t" at once (curl_multi, a connection each); each
 * must be 200 within PROBE_MAX_S.  Says the times on stderr.
 */
static void
burst(enum target t, size_t n, const char *when, double limit_s)
{
	CURLM	*m;
	CURL	*h[BURST];
	CURLMsg *msg;
	char	 url[256];
	double	 took[BURST], t0;
	long	 status;
	size_t	 i, done = 0;
	int	 running, left;

	ck_assert(n <= BURST);
	snprintf(url, sizeof(url), "%s/health", target_url(t));
	ck_assert((m = curl_multi_init()) != NULL);
	for (i = 0; i < n; i++) {
		ck_assert((h[i] = curl_easy_init()) != NULL);
		curl_easy_setopt(h[i], CURLOPT_URL, url);
		curl_easy_setopt(h[i], CURLOPT_PROXY, "");
		curl_easy_setopt(h[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h[i], CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(h[i], CURLOPT_TIMEOUT, (long)PROBE_GIVEUP_S);
		curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(h[i], CURLOPT_PRIVATE, (void *)&took[i]);
		curl_multi_add_handle(m, h[i]);
		took[i] = -1;
	}
	t0 = stack_now();
	do {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			double *slot;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&slot);
			curl_easy_getinfo(msg->easy_handle,
			    CURLINFO_RESPONSE_CODE, &status);
			ck_assert_msg(msg->data.result == CURLE_OK &&
				status == 200,
			    "%s burst %s: a request got %s, "
			    "status %ld",
			    target_name(t), when,
			    curl_easy_strerror(msg->data.result), status);
			*slot = stack_now() - t0;
			done++;
		}
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	} while (running > 0);
	for (i = 0; i < n; i++) {
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
	}
	curl_multi_cleanup(m);
	ck_assert_msg(done == n, "%s burst %s: %zu of %zu answered",
	    target_name(t), when, done, n);
	qsort(took, n, sizeof(took[0]), cmp_double);
	fprintf(stderr, "%s burst of %zu %s: median %.3f s, slowest %.3f s\n",
	    target_name(t), n, when, took[n / 2], took[n - 1]);
	ck_assert_msg(took[n - 1] <= limit_s,
	    "%s burst of %zu %s: the "
	    "slowest answer took %.3f s (median %.3f s; limit %.1f s)",
	    target_name(t), n, when, took[n - 1], took[n / 2], limit_s);
}

/*
 * The PID of the Apache that serves "t": the apache2 process whose
 * parent is not apache2 and whose command line defines USERAPI_LISTEN
 * as the address of "t" (others may run beside it).
 */
static pid_t
apache_parent(enum target t)
{
	struct worker_proc procs[256];
	struct sockaddr_in sin;
	char		   path[64], want[96], cmd[8192], addr[32];
	size_t		   n, i, len, k;
	FILE		  *f;

	server_addr(t, &sin);
	inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof(addr));
	snprintf(want, sizeof(want), "Define USERAPI_LISTEN %s:%u", addr,
	    (unsigned)ntohs(sin.sin_port));
	n = stack_workers("apache2", NULL, procs, 256);
	for (i = 0; i < n; i++) {
		if (strcmp(procs[i].parent, "apache2") == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/cmdline",
		    (long)procs[i].pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		cmd[len] = '\0';
		for (k = 0; k < len; k++)
			if (cmd[k] == '\0')
				cmd[k] = ' ';
		if (strstr(cmd, want) != NULL)
			return procs[i].pid;
	}
	ck_abort_msg("no apache2 process found with \"%s\"", want);
	return -1;
}

/*
 * Right after Apache's restart no worker is running (mod_fcgid starts
 * none before a request asks): a burst waits at most mod_fcgid's
 * sleeps (BURST_MAX_S), not for spawns one after the other; so does the
 * next burst.  lighttpd starts its workers with itself: its bursts wait
 * for none (PROBE_MAX_S).
 */
START_TEST(burst_after_restart_answered_within_bound)
{
	health_within(TGT, PROBE_GIVEUP_S, "before");
	if (TGT == TARGET_APACHE) {
		/* SIGHUP: mod_fcgid's process manager and workers start over. */
		ck_assert(kill(apache_parent(TGT), SIGHUP) == 0);
		/* Time for the new children; nothing asks for a worker. */
		sleep(3);
	}
	burst(TGT, BURST, "right after a restart",
	    TGT == TARGET_APACHE ? BURST_MAX_S : PROBE_MAX_S);
	burst(TGT, BURST, "after the first",
	    TGT == TARGET_APACHE ? BURST_MAX_S : PROBE_MAX_S);
}
END_TEST

/*
 * Whether any of the "n" processes "p" is not yet collected by its
 * parent: still running, or a zombie.
 */
static bool
any_unreaped(const struct worker_proc *p, size_t n)
{
	char   path[64];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%ld", (long)p[i].pid);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/*
 * Every worker killed with SIGKILL.  Apache: a burst right after is not
 * held for spawns (BURST_MAX_S; the old configuration: 4 to 5 s, its
 * two processes per program and three-second scans).  lighttpd restarts
 * the workers once it has collected them: service is back within
 * RESPAWN_MAX_S.  Then, on both, requests one at a time are not held
 * (each within PROBE_MAX_S), nor a burst.
 *
 * The requests wait until the server has collected its dead workers
 * (no zombie left), a few milliseconds on a quiet machine.  A request
 * that reaches lighttpd before then finds the sockets refusing, and
 * lighttpd disables the program for its disable-time and restarts it
 * only on a later once-a-second check: two to four seconds of 503
 * (README, "The web-server edge").  That window is lighttpd's own.
 */
START_TEST(requests_after_sigkill_answered_within_bound)
{
	struct worker_proc procs[PIDS_MAX];
	struct xchg	   x;
	size_t		   n, i, tries = 0;
	double		   t0, back, worst = 0, took;
	char		   when[64];

	burst(TGT, 8, "before the kill", PROBE_MAX_S);
	n = stack_workers(WORKER_COMM, target_server(TGT), procs, PIDS_MAX);
	ck_assert_msg(n > 0, "%s: no %s worker found", target_name(TGT),
	    WORKER_COMM);
	t0 = stack_now();
	for (i = 0; i < n; i++)
		kill(procs[i].pid, SIGKILL);
	/*
	 * A request racing the kill is lost with the worker, and one racing
	 * lighttpd's collecting it meets the window above: wait both out.
	 */
	while (any_unreaped(procs, n) && stack_now() - t0 < 5)
		usleep(10000);
	if (TGT == TARGET_APACHE)
		burst(TGT, 8, "right after SIGKILL", BURST_MAX_S);
	else {
		for (;;) {
			xchg_simple(&x, TGT, "GET", "/health", NULL);
			back = stack_now() - t0;
			tries++;
			if (x.resp.status == 200) {
				xchg_free(&x);
				break;
			}
			xchg_free(&x);
			ck_assert_msg(back <= RESPAWN_MAX_S,
			    "%s: GET /health "
			    "still not 200 %.3f s after SIGKILL to every "
			    "worker",
			    target_name(TGT), back);
			usleep(50000);
		}
		fprintf(stderr,
		    "%s: GET /health 200 again %.3f s after "
		    "SIGKILL (%zu tries)\n",
		    target_name(TGT), back, tries);
		ck_assert_msg(back <= RESPAWN_MAX_S,
		    "%s: GET /health 200 "
		    "again only %.3f s after SIGKILL to every worker (limit "
		    "%.1f s)",
		    target_name(TGT), back, RESPAWN_MAX_S);
	}
	for (i = 0; i < AFTER_KILL; i++) {
		snprintf(when, sizeof(when), "%zu after the kill", i + 1);
		took = health_within(TGT, PROBE_MAX_S, when);
		if (took > worst)
			worst = took;
	}
	burst(TGT, 8, "after the kill",
	    TGT == TARGET_APACHE ? BURST_MAX_S : PROBE_MAX_S);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite slowloris                                                     */
/* ------------------------------------------------------------------ */

static const char SLOW_HEAD[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				"User-Agent: slow\r\nX-Slow: ";

struct slow {
	int    fd;
	bool   connected;
	double next; /* when its next byte goes */
};

/* A probe: a plain GET /health on a connection of its own. */
struct probe {
	int    fd;
	double start;
	size_t sent;
	char   buf[4096];
	size_t got;
};

static const char PROBE_REQ[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				"Connection: close\r\n\r\n";

/* Room for the slow connections, the probes and the rest. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	ck_assert(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		ck_assert(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	}
	ck_assert_msg(rl.rlim_cur >= SLOW_CONNS + 100,
	    "RLIMIT_NOFILE hard "
	    "limit %llu: too low for %d connections",
	    (unsigned long long)rl.rlim_max, SLOW_CONNS);
}

static void
slow_open(struct slow *s, const struct sockaddr_in *sin, double now)
{
	s->fd = open_conn(sin);
	s->connected = false;
	s->next = now;
}

/* One step of slow connection "s" whose poll said "rev". */
static void
slow_step(struct slow *s, short rev, const struct sockaddr_in *sin, double now,
    size_t *reopened)
{
	char	  junk[1024];
	ssize_t	  n;
	int	  err = 0;
	socklen_t elen = sizeof(err);

	if (s->fd == -1) {
		slow_open(s, sin, now);
		return;
	}
	if (!s->connected && (rev & (POLLOUT | POLLERR | POLLHUP))) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &elen) ==
			-1 ||
		    err != 0)
			goto reopen;
		s->connected = true;
		if (send(s->fd, SLOW_HEAD, sizeof(SLOW_HEAD) - 1,
			MSG_NOSIGNAL) != (ssize_t)(sizeof(SLOW_HEAD) - 1))
			goto reopen;
		s->next = now + 1.0;
		return;
	}
	if (!s->connected)
		return;
	if (rev & (POLLIN | POLLHUP | POLLERR)) {
		/* The server answered (408) or hung up: the client comes back. */
		n = recv(s->fd, junk, sizeof(junk), 0);
		if (n == 0 || (n == -1 && errno != EAGAIN))
			goto reopen;
	}
	if (now >= s->next) {
		if (send(s->fd, "a", 1, MSG_NOSIGNAL) != 1 && errno != EAGAIN)
			goto reopen;
		s->next = now + 1.0;
	}
	return;
reopen:
	close(s->fd);
	(*reopened)++;
	slow_open(s, sin, now);
}

/*
 * One step of the probe "p"; returns true when it is over (answered,
 * failed or given up), with its status in "*status" (0: no answer).
 */
static bool
probe_step(struct probe *p, short rev, double now, long *status)
{
	ssize_t	  n;
	int	  err = 0;
	socklen_t elen = sizeof(err);

	*status = 0;
	if (now - p->start > PROBE_GIVEUP_S)
		return true;
	if (p->sent < sizeof(PROBE_REQ) - 1) {
		if (!(rev & (POLLOUT | POLLERR | POLLHUP)))
			return false;
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &elen) ==
			-1 ||
		    err != 0)
			return true;
		n = send(p->fd, PROBE_REQ + p->sent,
		    sizeof(PROBE_REQ) - 1 - p->sent, MSG_NOSIGNAL);
		if (n > 0)
			p->sent += (size_t)n;
		return n == -1 && errno != EAGAIN;
	}
	if (!(rev & (POLLIN | POLLHUP | POLLERR)))
		return false;
	n = recv(p->fd, p->buf + p->got, sizeof(p->buf) - 1 - p->got, 0);
	if (n > 0) {
		p->got += (size_t)n;
		p->buf[p->got] = '\0';
		/* /health's body ends the answer: no need to wait for close. */
		if (strstr(p->buf, "\r\n\r\n") == NULL ||
		    strstr(p->buf, "}") == NULL)
			return p->got == sizeof(p->buf) - 1;
	} else if (n == -1 && errno == EAGAIN)
		return false;
	if (sscanf(p->buf, "HTTP/1.%*[01] %ld", status) != 1)
		*status = 0;
	return true;
}

/*
 * SLOW_CONNS connections each send a request's first lines and then one
 * more header byte a second, never ending it, for SLOW_PRESS_S (one the
 * server closes comes back at once); meanwhile a normal GET /health
 * goes out every PROBE_EVERY_S, one at a time, and each must be answered
 * 200 within PROBE_MAX_S.  One poll loop, non-blocking sockets.
 */
START_TEST(slowloris_does_not_delay_normal_requests)
{
	struct sockaddr_in sin;
	struct slow	  *slow;
	struct pollfd	  *pfd;
	struct probe	   p;
	double		   t0, now, worst = 0, next_probe;
	size_t		   i, open_now, open_max = 0, reopened = 0;
	size_t		   probes = 0, late = 0, bad = 0;
	long		   status;
	bool		   probing = false;

	raise_fd_limit();
	server_addr(TGT, &sin);
	health_within(TGT, PROBE_GIVEUP_S, "before");
	ck_assert((slow = calloc(SLOW_CONNS, sizeof(*slow))) != NULL);
	ck_assert((pfd = calloc(SLOW_CONNS + 1, sizeof(*pfd))) != NULL);
	t0 = stack_now();
	for (i = 0; i < SLOW_CONNS; i++)
		slow_open(&slow[i], &sin, t0);
	/* Probes start once the slow connections are in. */
	next_probe = t0 + 1.5;
	memset(&p, 0, sizeof(p));
	p.fd = -1;

	while ((now = stack_now()) - t0 < SLOW_PRESS_S || probing) {
		for (i = 0; i < SLOW_CONNS; i++) {
			pfd[i].fd = slow[i].fd;
			pfd[i].events = slow[i].connected ? POLLIN : POLLOUT;
			pfd[i].revents = 0;
		}
		if (!probing && now >= next_probe && now - t0 < SLOW_PRESS_S) {
			memset(&p, 0, sizeof(p));
			p.start = now;
			p.fd = open_conn(&sin);
			ck_assert_msg(p.fd != -1, "probe: %s", strerror(errno));
			probing = true;
		}
		pfd[SLOW_CONNS].fd = probing ? p.fd : -1;
		pfd[SLOW_CONNS].events =
		    probing && p.sent < sizeof(PROBE_REQ) - 1 ? POLLOUT :
								POLLIN;
		pfd[SLOW_CONNS].revents = 0;
		poll(pfd, SLOW_CONNS + 1, 20);
		now = stack_now();

		open_now = 0;
		for (i = 0; i < SLOW_CONNS; i++) {
			slow_step(&slow[i], pfd[i].revents, &sin, now,
			    &reopened);
			open_now += slow[i].connected;
		}
		if (open_now > open_max)
			open_max = open_now;

		if (probing &&
		    probe_step(&p, pfd[SLOW_CONNS].revents, now, &status)) {
			double took = stack_now() - p.start;

			close(p.fd);
			probing = false;
			probes++;
			if (took > worst)
				worst = took;
			if (took > PROBE_MAX_S)
				late++;
			if (status != 200)
				bad++;
			next_probe = p.start + PROBE_EVERY_S;
		}
	}
	for (i = 0; i < SLOW_CONNS; i++)
		if (slow[i].fd != -1)
			close(slow[i].fd);
	free(slow);
	free(pfd);

	fprintf(stderr,
	    "%s slowloris: %d slow connections (at most %zu open "
	    "at once, %zu reopened), %zu probes, %zu late, %zu not 200, "
	    "slowest %.3f s\n",
	    target_name(TGT), SLOW_CONNS, open_max, reopened, probes, late, bad,
	    worst);
	ck_assert_msg(open_max >= SLOW_MIN_OPEN,
	    "%s: only %zu of %d slow "
	    "connections were ever open at once: no real pressure",
	    target_name(TGT), open_max, SLOW_CONNS);
	ck_assert_msg(probes >= 10, "%s: only %zu probes in %.0f s",
	    target_name(TGT), probes, SLOW_PRESS_S);
	ck_assert_msg(late == 0 && bad == 0,
	    "%s under %d slow connections: "
	    "%zu of %zu GET /health took over %.1f s (slowest %.3f s), %zu "
	    "not answered 200",
	    target_name(TGT), SLOW_CONNS, late, probes, PROBE_MAX_S, worst,
	    bad);
}
END_TEST

/* ------------------------------------------------------------------ */

static TCase *
tcase(const char *name, int timeout_s)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout_s);
	return tc;
}

static Suite *
edge_suite(void)
{
	Suite *s = suite_create("edge");
	TCase *tc;

	tc = tcase("server_errors_json", 120);
	tcase_add_loop_test(tc, malformed_request_400_json, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, bad_header_line_400_json, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, uri_too_long_json, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, header_too_large_json, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, length_over_server_cap_413_json, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_over_server_cap_json, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, worker_killed_mid_request_500_json, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase("worker_spawns", 120);
	tcase_add_loop_test(tc, burst_after_restart_answered_within_bound, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, requests_after_sigkill_answered_within_bound, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase("slowloris", 90);
	tcase_add_loop_test(tc, slowloris_does_not_delay_normal_requests, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int	 failed;

	http_global_init();
	sr = srunner_create(edge_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	http_global_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
