/*
 * auth.fcgi -- the /api/auth routes.
 */
#include "userapi/routers.h"
#include "userapi/worker.h"

static const struct ua_router *const routers[] = {
	&ua_router_auth,
	&ua_router_sessions,
};

int
main(int argc, char *argv[])
{
	return ua_worker_main(argc, argv, routers,
	    sizeof(routers) / sizeof(routers[0]));
}
