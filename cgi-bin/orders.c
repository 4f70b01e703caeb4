/*
 * orders.fcgi -- the /api/orders routes.
 */
#include "userapi/routers.h"
#include "userapi/worker.h"

static const struct ua_router *const routers[] = {
	&ua_router_orders,
};

int
main(int argc, char *argv[])
{
	return ua_worker_main(argc, argv, routers,
	    sizeof(routers) / sizeof(routers[0]));
}
