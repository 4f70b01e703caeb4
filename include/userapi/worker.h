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

#include "userapi/services.h"

struct ua_router;
struct ua_settings;
struct ua_db;

/*
 * A worker's composition root: what it keeps across requests (its
 * settings and its one database connection) and the services built on
 * them once, at start; every handler gets these services.
 */
struct ua_app {
	const struct ua_settings      *settings;
	struct ua_db		      *db; /* owned; NULL for other stores */
	struct ua_services	       svc;
	const struct ua_router *const *routers;
	size_t			       nrouters;
};

/*
 * Build "app" on PostgreSQL: a connection handle (connected on first
 * use) and the services on its repositories.  Pair with
 * ua_app_cleanup().
 */
void ua_app_init_pg(struct ua_app *app, const struct ua_settings *settings,
    const struct ua_router *const *routers, size_t nrouters);

/*
 * The same on services someone else built (tests: the in-memory fake
 * repositories).  "svc" is copied.
 */
void ua_app_init(struct ua_app *app, const struct ua_settings *settings,
    const struct ua_services *svc, const struct ua_router *const *routers,
    size_t nrouters);

void ua_app_cleanup(struct ua_app *app);

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
