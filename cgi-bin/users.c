/*
 * users.fcgi -- the /api/users routes, a user's orders among them.
 */
#include "userapi/routers.h"
#include "userapi/worker.h"

static const struct ua_router *const routers[] = {
	&ua_router_users,
	&ua_router_user_orders,
	&ua_router_user_sessions,
};

int
main(int argc, char *argv[])
{
	return ua_worker_main(argc, argv, routers,
	    sizeof(routers) / sizeof(routers[0]));
}
