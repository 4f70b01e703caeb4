/*
 * worker.c -- settings, then the FastCGI loop (fcgi_loop.c) or one CGI
 * request.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "userapi/buf.h"
#include "userapi/cors.h"
#include "userapi/db.h"
#include "userapi/log.h"
#include "userapi/request.h"
#include "userapi/settings.h"
#include "userapi/worker.h"

#include "app-private.h"

extern char **environ;

/*
 * Set by SIGTERM, or SIGUSR1 (the graceful stop of libfcgi's protocol,
 * which multiwatch and mod_fastcgi send): the manager wants us gone.
 */
static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* A client that hangs up mid-response must not kill us. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Restart interrupted I/O so the request in flight completes. */
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	/* Replaces libfcgi's own, which only its accept loop would see. */
	sigaction(SIGUSR1, &sa, NULL);
}

static int
fd_read(void *arg, char *buf, int len)
{
	int	fd = *(int *)arg;
	ssize_t n;

	do
		n = read(fd, buf, (size_t)len);
	while (n == -1 && errno == EINTR);
	return (int)n;
}

/* Plain CGI: one request from environ and fd 0, answer on stdout. */
static int
serve_cgi(const struct ua_app *app)
{
	struct ua_buf	out;
	struct ua_input in;
	int		fd = STDIN_FILENO;
	size_t		off = 0;
	ssize_t		n;

	in.read = fd_read;
	in.arg = &fd;
	in.is_cgi = true;
	ua_buf_init(&out);
	ua_app_handle(app, environ, &in, &out);
	while (off < out.len) {
		n = write(STDOUT_FILENO, out.data + off, out.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the client left; nothing to do */
		off += (size_t)n;
	}
	ua_buf_cleanup(&out);
	return 0;
}

/* Under CGI the server still wants an answer, not a broken pipe. */
static void
cgi_refuse(void)
{
	static const char body[] = "{\"detail\":\"Internal Server Error\"}";

	printf("Status: 500 Internal Server Error\r\n"
	       "Content-Type: application/json\r\n"
	       "Content-Length: %zu\r\n\r\n%s",
	    sizeof(body) - 1, body);
	fflush(stdout);
}

int
ua_worker_main(int argc, char *argv[], const struct ua_router *const *routers,
    size_t nrouters)
{
	struct ua_settings settings;
	struct ua_app	   app;
	char		   err[512];
	size_t		   i;
	int		   cgi, rc;

	(void)argc;
	ua_log_init(argv[0], false);
	if (FCGX_Init() != 0) {
		ua_log_err("cannot initialise libfcgi");
		return 1;
	}
	cgi = FCGX_IsCGI();
	install_signals();

	if (ua_settings_load(&settings, environ, argv[0], UA_NEED_ALL, err,
		sizeof(err)) != UA_OK) {
		ua_log_err("not serving: %s", err);
		if (cgi)
			cgi_refuse();
		return 1;
	}
	if (ua_db_check_conninfo(settings.database_url, err, sizeof(err)) !=
	    UA_OK) {
		ua_log_err("not serving: %s", err);
		ua_settings_cleanup(&settings);
		if (cgi)
			cgi_refuse();
		return 1;
	}
	ua_log_init(argv[0], settings.debug);
	if (!cgi)
		ua_log_info("serving (settings from %s)",
		    settings.env_file != NULL ? settings.env_file :
						"the environment");
	if (ua_cors_wildcard_mixed(settings.cors_origins))
		ua_log_warn(
		    "setting CORS_ORIGINS holds \"*\" besides "
		    "origins: any origin is allowed, never with credentials");

	for (i = 0; i < nrouters; i++)
		if (routers[i]->warm_up != NULL)
			routers[i]->warm_up(&settings);
	/*
	 * A CGI process serves one request on a connection of its own: a
	 * prepared statement would never run twice, and preparing it costs
	 * a round trip of its own.  Send statements with their text, as
	 * DB_PREPARED_STATEMENTS=false does.
	 */
	if (cgi)
		settings.db_prepared_statements = false;
	ua_app_init_pg(&app, &settings, routers, nrouters);
	rc = cgi ? serve_cgi(&app) : ua_fcgi_serve(&app, &stop_requested);
	ua_app_cleanup(&app);
	ua_settings_cleanup(&settings);
	return rc;
}
