/*
 * fcgi_loop.c -- the FastCGI accept loop, over every connection the
 * front keeps open.
 *
 * A front that sets FCGI_KEEP_CONN (nginx's fastcgi_keep_conn, Apache's
 * mod_proxy_fcgi with enablereuse) sends its next request on the same
 * connection, and opens new ones whenever its idle ones are all busy:
 * it may hold more connections than there are worker processes.
 * libfcgi's own loop would wait on the kept connection alone, and a new
 * connection queued behind it would wait until the front closed that
 * one (nginx: only once more connections are idle than its keepalive
 * cache holds, never under steady load).  So each process waits on the
 * listening socket and on all of its kept connections at once, and
 * serves whichever speaks first, one request at a time.  Fronts that
 * close after every request (lighttpd's mod_fastcgi, mod_fcgid) leave
 * the set empty: the loop is then the plain accept loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "userapi/buf.h"
#include "userapi/log.h"
#include "userapi/worker.h"

#include "app-private.h"

/*
 * Connections one process keeps.  A front holds about as many as it has
 * requests in flight.  At this many the process stops accepting (the
 * other processes of the pool take the new ones) rather than close one:
 * a front may already have sent its next request on a connection the
 * worker closes, and a POST is not sent again.
 */
#define KEPT_MAX 512

/*
 * The set: slot 0 is the listening socket and the request that accepts
 * from it; slots 1..n-1 are kept connections, each with the request
 * that reads its next one.
 */
struct conn_set {
	struct pollfd fds[1 + KEPT_MAX];
	FCGX_Request  reqs[1 + KEPT_MAX];
	nfds_t	      n;
};

static int
fcgx_read(void *arg, char *buf, int len)
{
	FCGX_Stream *in = arg;
	int	     n;

	n = FCGX_GetStr(buf, len, in);
	if (n == 0 && FCGX_GetError(in) != 0)
		return -1;
	return n;
}

enum served { SERVED, NO_REQUEST, ACCEPT_FAILED };

/*
 * Read the next request of "r" (accepting a connection first when it
 * has none), answer it and finish it.  NO_REQUEST: nothing queued on
 * the listening socket, or the front closed the kept connection.
 */
static enum served
serve_one(const struct ua_app *app, FCGX_Request *r, bool may_keep,
    struct ua_buf *out)
{
	struct ua_input in;
	int		rc;

	/*
	 * On a kept connection that the front has closed, libfcgi closes it
	 * and tries the listening socket, which is non-blocking.
	 */
	if ((rc = FCGX_Accept_r(r)) < 0) {
		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			return NO_REQUEST;
		ua_log_err("cannot accept a connection: %s",
		    rc > -9000 ? strerror(-rc) : "libfcgi error");
		return ACCEPT_FAILED;
	}
	in.read = fcgx_read;
	in.arg = r->in;
	in.is_cgi = false;
	ua_buf_reset(out);
	ua_app_handle(app, r->envp, &in, out);
	if (!may_keep)
		r->keepConnection = 0;
	/* A failed write means the client left: carry on. */
	FCGX_PutStr(out->data, (int)out->len, r->out);
	FCGX_Finish_r(r);
	return SERVED;
}

static void
set_drop(struct conn_set *s, nfds_t i)
{
	FCGX_Free(&s->reqs[i], 1);
	s->n--;
	s->fds[i] = s->fds[s->n];
	s->reqs[i] = s->reqs[s->n];
}

/*
 * Serve what slot 0 accepts, and keep its connection if the front asks
 * (there is room: the listening socket is polled only then).
 */
static enum served
serve_new(const struct ua_app *app, struct conn_set *s, struct ua_buf *out)
{
	FCGX_Request *r = &s->reqs[0];
	enum served   e;

	if ((e = serve_one(app, r, true, out)) != SERVED || r->ipcFd < 0)
		return e;
	/* Finished, so nothing in it points into itself: it can move. */
	s->reqs[s->n] = *r;
	s->fds[s->n].fd = r->ipcFd;
	s->fds[s->n].events = POLLIN;
	s->n++;
	FCGX_InitRequest(r, FCGI_LISTENSOCK_FILENO, 0);
	return SERVED;
}

/*
 * One request from each connection that has one, then from the
 * listening socket: no connection waits behind another for more than a
 * turn.  Returns false when the listening socket fails, as the plain
 * accept loop would exit: the process manager starts another.
 */
static bool
serve_ready(const struct ua_app *app, struct conn_set *s, struct ua_buf *out)
{
	bool   listen_ready = s->fds[0].revents != 0;
	nfds_t i;

	for (i = s->n - 1; i >= 1; i--) {
		if (s->fds[i].revents == 0)
			continue;
		if (serve_one(app, &s->reqs[i], true, out) != SERVED ||
		    s->reqs[i].ipcFd < 0)
			set_drop(s, i);
		else
			s->fds[i].fd = s->reqs[i].ipcFd;
	}
	return !listen_ready || serve_new(app, s, out) != ACCEPT_FAILED;
}

int
ua_fcgi_serve(const struct ua_app *app, volatile sig_atomic_t *stop)
{
	static const struct timespec now = { 0, 0 };
	/* Static: only the slots in use are ever touched. */
	static struct conn_set s;
	struct ua_buf	       out;
	sigset_t	       term, waitmask;
	nfds_t		       i;
	int		       flags;

	/*
	 * The stop signals are blocked except while waiting, so they never
	 * land between accept() and the answer: a request being read or
	 * served is finished first.
	 */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGUSR1);
	sigprocmask(SIG_BLOCK, &term, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGUSR1);
	if ((flags = fcntl(FCGI_LISTENSOCK_FILENO, F_GETFL)) == -1 ||
	    fcntl(FCGI_LISTENSOCK_FILENO, F_SETFL, flags | O_NONBLOCK) == -1) {
		ua_log_err("cannot set up the listening socket: %s",
		    strerror(errno));
		return 1;
	}
	if (FCGX_InitRequest(&s.reqs[0], FCGI_LISTENSOCK_FILENO, 0) != 0) {
		ua_log_err("cannot set up the FastCGI request");
		return 1;
	}
	s.fds[0].fd = FCGI_LISTENSOCK_FILENO;
	s.fds[0].events = POLLIN;
	s.n = 1;
	ua_buf_init(&out);
	while (!*stop) {
		s.fds[0].events = s.n < 1 + KEPT_MAX ? POLLIN : 0;
		if (ppoll(s.fds, s.n, NULL, &waitmask) == -1) {
			if (errno == EINTR)
				continue;
			ua_log_err("cannot wait for requests: %s",
			    strerror(errno));
			break;
		}
		if (!serve_ready(app, &s, &out))
			break;
	}
	/*
	 * Told to stop: the requests already sent on kept connections and
	 * the connections already queued are still answered (the listening
	 * socket is non-blocking, so this ends when the queue does), then
	 * the kept connections are closed.
	 */
	if (*stop) {
		if (ppoll(s.fds, s.n, &now, NULL) > 0)
			serve_ready(app, &s, &out);
		while (serve_one(app, &s.reqs[0], false, &out) == SERVED)
			;
	}
	for (i = 1; i < s.n; i++)
		FCGX_Free(&s.reqs[i], 1);
	FCGX_Free(&s.reqs[0], 1);
	ua_buf_cleanup(&out);
	return 0;
}
