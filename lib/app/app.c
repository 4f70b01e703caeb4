/*
 * app.c -- the composition root: a worker's services, built once, and
 * the life of one request through them.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "userapi/cors.h"
#include "userapi/db.h"
#include "userapi/dependencies.h"
#include "userapi/log.h"
#include "userapi/request.h"
#include "userapi/worker.h"

void
ua_app_init(struct ua_app *app, const struct ua_settings *settings,
    const struct ua_services *svc, const struct ua_router *const *routers,
    size_t nrouters)
{
	memset(app, 0, sizeof(*app));
	app->settings = settings;
	app->svc = *svc;
	app->routers = routers;
	app->nrouters = nrouters;
}

void
ua_app_init_pg(struct ua_app *app, const struct ua_settings *settings,
    const struct ua_router *const *routers, size_t nrouters)
{
	struct ua_services svc;
	struct ua_db	  *db = ua_db_new(settings);

	ua_services_init_pg(&svc, settings, db);
	ua_app_init(app, settings, &svc, routers, nrouters);
	app->db = db;
}

void
ua_app_cleanup(struct ua_app *app)
{
	ua_db_free(app->db);
	memset(app, 0, sizeof(*app));
}

static double
elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

void
ua_app_handle(const struct ua_app *app, char *const *envp,
    const struct ua_input *in, struct ua_buf *out)
{
	struct ua_req req;
	enum ua_err   er;

	ua_req_init(&req);
	er = ua_req_parse(&req, envp, in, app->settings);
	ua_log_set_request_id(req.request_id);
	if (er != UA_OK)
		ua_resp_error(&req, er);
	else if (!ua_cors_preflight(&req))
		ua_dispatch(&app->svc, app->routers, app->nrouters, &req);
	ua_cors_headers(&req);
	ua_resp_serialize(&req, out);
	ua_log_info("%s %s %s %d %.3fms",
	    req.client[0] != '\0' ? req.client : "-", req.method_name,
	    req.path != NULL ? req.path : "-", req.resp.status,
	    elapsed_ms(&req.started));
	ua_log_set_request_id(NULL);
	ua_req_cleanup(&req);
}
