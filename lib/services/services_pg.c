/*
 * services_pg.c -- wire the services to the PostgreSQL repositories.
 */
#include "config.h"

#include <time.h>

#include "userapi/db.h"
#include "userapi/services.h"

static enum ua_err
pg_ping(void *arg)
{
	return ua_db_ping(arg);
}

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
	svc->sessions.ops = &ua_session_repo_pg;
	svc->sessions.arg = db;
	svc->settings = s;
	svc->now = wall_clock;
	svc->ping = pg_ping;
	svc->ping_arg = db;
}

enum ua_err
ua_services_ping(const struct ua_services *svc)
{
	return svc->ping != NULL ? svc->ping(svc->ping_arg) :
				   UA_ERR_DB_UNAVAILABLE;
}
