/*
 * test_db_silent.c -- a database that takes the login and then answers
 * nothing (a frozen server, a pooler waiting for a server it cannot
 * reach): the worker's connection gives up within its deadline, on the
 * checks a new connection makes as on any statement, instead of hanging
 * with its request.
 *
 * The "server" is a thread on a loopback port, and one more for each
 * connection (threads, not processes: a forked copy of the test would
 * write Check's buffered messages a second time): it answers
 * libpq's startup as PostgreSQL does when it asks for no password
 * (AuthenticationOk, a few ParameterStatus, BackendKeyData,
 * ReadyForQuery), then reads whatever comes without a word.  A cancel
 * request is read and closed.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "userapi/db.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/settings.h"

#define TIMEOUT_MS 300
/* ua_db_await's graces after the timeout: 1 s, then 2 s after cancelling. */
#define GIVE_UP_MS (TIMEOUT_MS + 1000 + 2000)
#define SLACK_MS 1500

#define SSL_REQUEST 80877103
#define GSSENC_REQUEST 80877104

static pthread_t server;
static int	 server_fd = -1, server_port, closed_port;

static int
read_all(int fd, void *buf, size_t len)
{
	char   *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = read(fd, p, len)) <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static size_t
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

/* A ParameterStatus message for "name" = "value" at "p". */
static size_t
put_param(unsigned char *p, const char *name, const char *value)
{
	size_t n = strlen(name) + 1, v = strlen(value) + 1, k = 0;

	p[k++] = 'S';
	k += put32(p + k, (uint32_t)(4 + n + v));
	memcpy(p + k, name, n);
	memcpy(p + k + n, value, v);
	return k + n + v;
}

/* One connection: the startup answered, then silence until it closes. */
static void
serve_silently(int fd)
{
	unsigned char hdr[8], body[1024], out[512];
	uint32_t      len, code;
	size_t	      k = 0;
	char	      sink[4096];

	for (;;) {
		if (read_all(fd, hdr, 8) != 0)
			return;
		len = get32(hdr);
		code = get32(hdr + 4);
		if (len < 8 || len - 8 > sizeof(body) ||
		    read_all(fd, body, len - 8) != 0)
			return;
		if (code != SSL_REQUEST && code != GSSENC_REQUEST)
			break;
		if (write(fd, "N", 1) != 1) /* no encryption here */
			return;
	}
	if (code != 196608) /* a cancel request, or not protocol 3.0 */
		return;
	out[k++] = 'R';
	k += put32(out + k, 8);
	k += put32(out + k, 0); /* AuthenticationOk */
	k += put_param(out + k, "server_version", "15.0");
	k += put_param(out + k, "client_encoding", "UTF8");
	k += put_param(out + k, "standard_conforming_strings", "on");
	k += put_param(out + k, "integer_datetimes", "on");
	out[k++] = 'K';
	k += put32(out + k, 12);
	k += put32(out + k, (uint32_t)getpid());
	k += put32(out + k, 42);
	out[k++] = 'Z';
	k += put32(out + k, 5);
	out[k++] = 'I';
	if (write(fd, out, k) != (ssize_t)k)
		return;
	while (read(fd, sink, sizeof(sink)) > 0)
		;
}

/* A loopback listener on a port of the kernel's choosing: its port. */
static int
listen_loopback(int *port)
{
	struct sockaddr_in a;
	socklen_t	   alen = sizeof(a);
	int		   fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* One connection's thread. */
static void *
connection(void *arg)
{
	int fd = (int)(intptr_t)arg;

	serve_silently(fd);
	close(fd);
	return NULL;
}

/* The listener's thread: a thread per connection, until it is shut. */
static void *
accept_loop(void *arg)
{
	pthread_t t;
	int	  cfd;

	(void)arg;
	while ((cfd = accept(server_fd, NULL, NULL)) >= 0) {
		if (pthread_create(&t, NULL, connection,
			(void *)(intptr_t)cfd) != 0) {
			close(cfd);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static void
setup(void)
{
	int c;

	server_fd = listen_loopback(&server_port);
	/* A port nothing listens on: bound, then closed. */
	c = listen_loopback(&closed_port);
	close(c);
	ck_assert_int_eq(pthread_create(&server, NULL, accept_loop, NULL), 0);
}

/*
 * The listener shut wakes its accept(); each connection's thread ends
 * when its client (closed by the test) hangs up.
 */
static void
teardown(void)
{
	shutdown(server_fd, SHUT_RDWR);
	pthread_join(server, NULL);
	close(server_fd);
	server_fd = -1;
}

static long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Ping through "url"; how long it took in "*ms". */
static enum ua_err
ping(char *url, long long *ms)
{
	struct ua_settings s;
	struct ua_db	  *db;
	enum ua_err	   er;
	long long	   t0 = now_ms();

	memset(&s, 0, sizeof(s));
	s.database_url = url;
	s.db_statement_timeout_ms = TIMEOUT_MS;
	s.db_prepared_statements = true;
	db = ua_db_new(&s);
	er = ua_db_ping(db);
	*ms = now_ms() - t0;
	ua_db_free(db);
	return er;
}

/*
 * One host: the connection asks the server its statement timeout, gets
 * no answer, cancels, and gives the connection up.
 */
START_TEST(silent_after_login_is_unavailable_within_the_deadline)
{
	char	  url[256];
	long long ms;

	snprintf(url, sizeof(url),
	    "host=127.0.0.1 port=%d dbname=silent user=userapi"
	    " sslmode=disable gssencmode=disable",
	    server_port);
	ck_assert_int_eq(ping(url, &ms), UA_ERR_DB_UNAVAILABLE);
	ck_assert_msg(ms >= TIMEOUT_MS && ms < GIVE_UP_MS + SLACK_MS,
	    "gave up after %lld ms", ms);
}
END_TEST

/*
 * Several hosts, a writable one wanted: the silent host's check gets no
 * answer, and the next host is tried (here one that refuses at once).
 */
START_TEST(silent_host_is_passed_over_for_the_next)
{
	char	  url[512];
	long long ms;

	snprintf(url, sizeof(url),
	    "postgresql://userapi@127.0.0.1:%d,127.0.0.1:%d/silent"
	    "?target_session_attrs=read-write&sslmode=disable"
	    "&gssencmode=disable",
	    server_port, closed_port);
	ck_assert_int_eq(ping(url, &ms), UA_ERR_DB_UNAVAILABLE);
	ck_assert_msg(ms >= TIMEOUT_MS && ms < GIVE_UP_MS + SLACK_MS,
	    "gave up after %lld ms", ms);
}
END_TEST

static Suite *
silent_suite(void)
{
	Suite *s = suite_create("db_silent");
	TCase *tc = tcase_create("silent");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* The old code waited for ever: Check's timeout ends it. */
	tcase_set_timeout(tc, (GIVE_UP_MS + SLACK_MS) / 1000 + 10);
	tcase_add_test(tc,
	    silent_after_login_is_unavailable_within_the_deadline);
	tcase_add_test(tc, silent_host_is_passed_over_for_the_next);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int	 failed;

	ua_log_init("test_db_silent", false);
	sr = srunner_create(silent_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
