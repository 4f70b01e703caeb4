/*
 * routers.h -- the route tables the worker programs choose from.
 */
#ifndef USERAPI_ROUTERS_H
#define USERAPI_ROUTERS_H
#pragma GCC visibility push(default)

#include "userapi/router.h"

/* GET /health, GET /health/ready */
extern const struct ua_router ua_router_health;

/* /api/users: POST, GET (page); /api/users/{user_id}: GET, PATCH, DELETE */
extern const struct ua_router ua_router_users;

/*
 * /api/orders: POST, GET (page); /api/orders/{order_id}: GET, PATCH,
 * DELETE; POST /api/orders/{order_id}/status
 */
extern const struct ua_router ua_router_orders;

/* GET /api/users/{user_id}/orders: served by the users worker */
extern const struct ua_router ua_router_user_orders;

/* /api/auth: POST login, POST refresh, GET me, POST password */
extern const struct ua_router ua_router_auth;

/*
 * /api/auth: POST logout, GET sessions, DELETE sessions/{session_id}:
 * served by the auth worker
 */
extern const struct ua_router ua_router_sessions;

/* DELETE /api/users/{user_id}/sessions: served by the users worker */
extern const struct ua_router ua_router_user_sessions;

/* GET /openapi.json, /api/docs, /api/redoc */
extern const struct ua_router ua_router_docs;

#pragma GCC visibility pop
#endif
