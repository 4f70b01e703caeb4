/*
 * await.c -- waiting for a statement's answer, for a bounded time.
 *
 * The server's statement_timeout ends a statement that runs too long,
 * but not every wait: a commit waiting for a synchronous standby that is
 * gone (PostgreSQL turns the timeout off before it commits), a pooler
 * holding a statement until it finds a server, a peer silent on the
 * network.  A worker waiting on those would hang with its request, and
 * the web server's timeout would answer for it.  So the answer is awaited
 * for the statement timeout and a grace; then the statement is cancelled
 * (a commit waiting for its standby then ends with a warning, committed
 * on the primary alone: lib/db/db.c answers 503 for it), and without an
 * answer within a second grace the connection is given up.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>

#include "await.h"

/* After the statement timeout: the server's own cancel comes first. */
#define GRACE_MS 1000
/* After our cancel request: time for the answer to it. */
#define CANCEL_GRACE_MS 2000

static long long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Ask the server to cancel what runs on "conn"; its answer says more. */
static void
cancel(PGconn *conn)
{
	PGcancel *c;
	char	  err[256];

	if ((c = PQgetCancel(conn)) == NULL)
		return;
	(void)PQcancel(c, err, sizeof(err));
	PQfreeCancel(c);
}

PGresult *
ua_db_await(PGconn *conn, int timeout_ms, bool *gave_up)
{
	struct pollfd p;
	PGresult     *r, *last = NULL;
	long long     deadline = now_ms() + timeout_ms + GRACE_MS, left;
	bool	      cancelled = false;
	int	      n;

	*gave_up = false;
	p.fd = PQsocket(conn);
	p.events = POLLIN;
	while (PQisBusy(conn)) {
		left = timeout_ms > 0 ? deadline - now_ms() : -1;
		if (timeout_ms > 0 && left <= 0) {
			if (cancelled) {
				*gave_up = true;
				return NULL;
			}
			cancel(conn);
			cancelled = true;
			deadline = now_ms() + CANCEL_GRACE_MS;
			continue;
		}
		p.revents = 0;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		/* A broken connection: PQgetResult() says how. */
		if (n < 0 || (n > 0 && !PQconsumeInput(conn)))
			break;
	}
	while ((r = PQgetResult(conn)) != NULL) {
		PQclear(last);
		last = r;
	}
	return last;
}
