/*
 * worker.h -- the accept loop every worker program runs.
 *
 * A worker's main() is a few lines:
 *
 *	static const struct ua_router *const routers[] = { &ua_router_health };
 *	int main(int argc, char *argv[])
 *	{
 *		return ua_worker_main(argc, argv, routers, 1);
 *	}
 */
#ifndef USERAPI_WORKER_H
#define USERAPI_WORKER_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "userapi/buf.h"
#include "userapi/request.h"
#include "userapi/router.h"

struct ua_router;
struct ua_settings;
struct ua_db;

/* What a worker keeps across requests: its settings and its connection. */
struct ua_app {
	const struct ua_settings      *settings;
	struct ua_db		      *db;
	const struct ua_router *const *routers;
	size_t			       nrouters;
	ua_authenticator	       authenticate; /* bearer routes */
};

/*
 * Serve one request: parse it from "envp" and "in", route it, and append
 * the whole CGI response to "out".  Logs the request line.  Never fails:
 * every problem becomes an HTTP answer.
 */
void ua_app_handle(const struct ua_app *app, char *const *envp,
    const struct ua_input *in, struct ua_buf *out);

/*
 * Load settings, then serve: under a FastCGI manager, request after
 * request until SIGTERM (the request in flight is finished, then exit 0);
 * as plain CGI, the one request in the environment.  Returns the exit
 * status for main().  Bad settings: one log line, status 1.
 */
int ua_worker_main(int argc, char *argv[],
    const struct ua_router *const *routers, size_t nrouters);

#pragma GCC visibility pop
#endif
