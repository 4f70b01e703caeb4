/*
 * services_pg.c -- wire the services to the PostgreSQL repositories.
 */
#include "config.h"

#include <time.h>

#include "userapi/services.h"

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

void
ua_services_init_pg(struct ua_services *svc, const struct ua_settings *s,
    struct ua_db *db)
{
	svc->users.ops = &ua_user_repo_pg;
	svc->users.arg = db;
	svc->logins.ops = &ua_login_repo_pg;
	svc->logins.arg = db;
	svc->orders.ops = &ua_order_repo_pg;
	svc->orders.arg = db;
	svc->settings = s;
	svc->now = wall_clock;
}
