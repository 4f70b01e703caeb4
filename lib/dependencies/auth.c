/*
 * auth.c -- bearer token -> current user.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "userapi/dependencies.h"
#include "userapi/services.h"
#include "userapi/settings.h"

/* The token of "Authorization: Bearer <token>", or NULL. */
static const char *
bearer_token(const struct ua_req *req)
{
	const char *h = ua_req_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		continue;
	return *h != '\0' ? h : NULL;
}

enum ua_err
ua_bearer_authenticate(struct ua_req *req)
{
	struct ua_services svc;
	const char	  *token;
	enum ua_err	   er;

	req->authenticated = false;
	if ((token = bearer_token(req)) == NULL)
		return UA_ERR_UNAUTHENTICATED;
	ua_services_init_pg(&svc, req->settings, req->db);
	if ((er = ua_auth_verify_token(&svc, token, &req->auth_sub,
		 &req->auth_ver)) != UA_OK)
		return er;
	req->authenticated = true;
	return UA_OK;
}

enum ua_err
ua_current_user(struct ua_req *req, const struct ua_services *svc,
    struct ua_user *caller, int64_t target_id, struct ua_user *target,
    bool *target_found)
{
	/* The router lets no bearer route through without this. */
	if (!req->authenticated)
		return UA_ERR_UNAUTHENTICATED;
	return ua_auth_current_user(svc, req->auth_sub, req->auth_ver, caller,
	    target_id, target, target_found);
}
