/*
 * kept_loop.h -- the baselines' accept loop.  Under a front that keeps
 * its FastCGI connections (nginx's fastcgi_keep_conn) a process must
 * serve every connection it holds, whichever speaks first, or a
 * connection queued behind a kept one waits for ever; userapi's workers
 * do the same (lib/app/fcgi_loop.c), so the baselines' floor is
 * measured with the same connection handling.  Under lighttpd, which
 * closes after every request, this is libfcgi's plain loop.  Not part
 * of userapi.
 */
#ifndef BENCH_KEPT_LOOP_H
#define BENCH_KEPT_LOOP_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#include <fcgiapp.h>

#define KEPT_MAX 512

/*
 * Read the request's body to its end before answering: a front that
 * sends it in records of its own (mod_proxy_fcgi sends the empty one
 * after the parameters) would otherwise find it read as the start of
 * the next request on a kept connection, which libfcgi then closes.
 */
static void
serve_one(FCGX_Request *req, void (*answer)(FCGX_Request *))
{
	char buf[4096];

	while (FCGX_GetStr(buf, sizeof(buf), req->in) > 0)
		;
	answer(req);
	FCGX_Finish_r(req);
}

/* Answer requests with "answer" until the listening socket fails. */
static int
serve_kept(void (*answer)(FCGX_Request *))
{
	static struct pollfd fds[1 + KEPT_MAX];
	static FCGX_Request  reqs[1 + KEPT_MAX];
	nfds_t		     n = 1, i;
	int		     flags, rc;

	flags = fcntl(0, F_GETFL);
	if (FCGX_Init() != 0 || flags == -1 ||
	    fcntl(0, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    FCGX_InitRequest(&reqs[0], 0, 0) != 0)
		return 1;
	/* libfcgi catches them for its own loop: a baseline just goes. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	fds[0].fd = 0;
	fds[0].events = POLLIN;
	for (;;) {
		/* Full: the other processes take new connections. */
		fds[0].events = n < 1 + KEPT_MAX ? POLLIN : 0;
		if (poll(fds, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = n - 1; i >= 1; i--) {
			if (fds[i].revents == 0)
				continue;
			if (FCGX_Accept_r(&reqs[i]) >= 0)
				serve_one(&reqs[i], answer);
			if (reqs[i].ipcFd >= 0) {
				fds[i].fd = reqs[i].ipcFd;
				continue;
			}
			n--;
			fds[i] = fds[n];
			reqs[i] = reqs[n];
		}
		if (fds[0].revents == 0)
			continue;
		if ((rc = FCGX_Accept_r(&reqs[0])) < 0) {
			if (rc == -EAGAIN || rc == -EWOULDBLOCK)
				continue;
			return 1;
		}
		serve_one(&reqs[0], answer);
		if (reqs[0].ipcFd < 0)
			continue;
		reqs[n] = reqs[0];
		fds[n].fd = reqs[0].ipcFd;
		fds[n].events = POLLIN;
		n++;
		FCGX_InitRequest(&reqs[0], 0, 0);
	}
}

#endif
