/*
 * test_router.c -- path templates, methods, 404 and 405; dispatch and
 * the declared access check, on the in-memory fake repositories.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <json-c/json.h>

#include "userapi/buf.h"
#include "userapi/dependencies.h"
#include "userapi/jwt.h"
#include "userapi/request.h"
#include "userapi/response.h"
#include "userapi/router.h"
#include "userapi/services.h"
#include "userapi/settings.h"
#include "fake_repo.h"
#include "fake_session_repo.h"

static void
h_list(struct ua_req *req, const struct ua_call *call)
{
	(void)call;
	ua_resp_detail(req, 200, "list");
}

static void
h_get(struct ua_req *req, const struct ua_call *call)
{
	ck_assert_ptr_nonnull(call->caller);
	ua_resp_detail(req, 200, ua_req_param(req, "user_id"));
}

static void
h_patch(struct ua_req *req, const struct ua_call *call)
{
	(void)call;
	ua_resp_detail(req, 200, "patch");
}

static void
h_pair(struct ua_req *req, const struct ua_call *call)
{
	(void)call;
	ua_resp_header(req, "X-B", "%s", ua_req_param(req, "b"));
	ua_resp_detail(req, 200, ua_req_param(req, "a"));
}

static void
h_silent(struct ua_req *req, const struct ua_call *call)
{
	(void)req;
	(void)call;
}

/* Path, handler, access; the rest as an open route without a body. */
#define ROUTE(m, p, h, a) \
	{ \
		m, p, h, a, NULL, "", UA_BODY_NONE, NULL, NULL, 200, NULL, 0, \
		    NULL, NULL, false, false \
	}

static const struct ua_route user_routes[] = {
	ROUTE(UA_METHOD_GET, "/api/users", h_list, UA_ACCESS_BEARER),
	ROUTE(UA_METHOD_POST, "/api/users", h_list, UA_ACCESS_NONE),
	ROUTE(UA_METHOD_GET, "/api/users/{user_id}", h_get, UA_ACCESS_BEARER),
	ROUTE(UA_METHOD_PATCH, "/api/users/{user_id}", h_patch,
	    UA_ACCESS_SELF_OR_ADMIN),
	ROUTE(UA_METHOD_DELETE, "/api/users/{user_id}", h_patch,
	    UA_ACCESS_ADMIN),
};
static const struct ua_route other_routes[] = {
	ROUTE(UA_METHOD_GET, "/x/{a}/y/{b}", h_pair, UA_ACCESS_NONE),
	ROUTE(UA_METHOD_GET, "/silent", h_silent, UA_ACCESS_NONE),
	ROUTE(UA_METHOD_GET, "/slashed/", h_list, UA_ACCESS_NONE),
	/* Declared wrongly: owner-or-admin without a fetch naming the owner. */
	ROUTE(UA_METHOD_GET, "/owned/{id}", h_list, UA_ACCESS_OWNER_OR_ADMIN),
};
static const struct ua_router	     users = { "users", user_routes, 5, NULL };
static const struct ua_router	     other = { "other", other_routes, 4, NULL };
static const struct ua_router *const routers[] = { &users, &other };

#define SECRET "0123456789abcdef0123456789abcdef"

static struct fake_repo		*fr;
static struct fake_session_repo *fs;
static struct ua_settings	 settings;
static struct ua_services	 svc;
static char			 secret[] = SECRET;
static int64_t			 alice, admin; /* user ids */

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

/* "Authorization: Bearer <a token of user "id">" into req's env. */
static char *env[4];

static void
bearer(struct ua_req *r, int64_t id)
{
	struct ua_jwt_claims c = { id, 0, wall_clock() + 600, 0, "", "" };
	char  *token = ua_jwt_sign(UA_JWT_HS256, SECRET, strlen(SECRET), &c);
	size_t n = strlen(token) + 64;

	free(env[0]);
	env[0] = malloc(n);
	snprintf(env[0], n, "HTTP_AUTHORIZATION=Bearer %s", token);
	free(token);
	r->envp = env;
}

static struct ua_req req;
static struct ua_buf allow;

static void
setup(void)
{
	ua_req_init(&req);
	ua_buf_init(&allow);
	fr = fake_repo_new();
	fs = fake_session_repo_new(fr);
	memset(&settings, 0, sizeof(settings));
	settings.jwt_secret = secret;
	settings.jwt_secret_len = strlen(secret);
	settings.jwt_algorithm = UA_JWT_HS256;
	memset(&svc, 0, sizeof(svc));
	svc.users = fake_repo_users(fr);
	svc.logins = fake_repo_logins(fr);
	svc.sessions = fake_session_repo_sessions(fs);
	svc.settings = &settings;
	svc.now = wall_clock;
	alice =
	    fake_repo_add(fr, "alice@example.com", "Alice", "x", UA_ROLE_USER);
	admin =
	    fake_repo_add(fr, "root@example.com", "Root", "x", UA_ROLE_ADMIN);
	req.envp = env;
}

static void
teardown(void)
{
	ua_req_cleanup(&req);
	ua_buf_cleanup(&allow);
	fake_session_repo_free(fs);
	fake_repo_free(fr);
	free(env[0]);
	env[0] = NULL;
}

/* Dispatch "method path" as it comes. */
static void
dispatch(enum ua_method m, const char *path)
{
	ua_resp_cleanup(&req.resp);
	free(req.path);
	req.path = strdup(path);
	req.method = m;
	ua_dispatch(&svc, routers, 2, &req);
}

/* Route "method path"; returns the result of ua_router_match(). */
static enum ua_err
route(enum ua_method m, const char *path, const struct ua_route **r)
{
	free(req.path);
	req.path = strdup(path);
	req.method = m;
	ua_buf_reset(&allow);
	return ua_router_match(routers, 2, &req, r, &allow);
}

START_TEST(exact_path_matches)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_GET, "/api/users", &r), UA_OK);
	ck_assert_ptr_eq(r, &user_routes[0]);
	ck_assert_int_eq(route(UA_METHOD_POST, "/api/users", &r), UA_OK);
	ck_assert_ptr_eq(r, &user_routes[1]);
}
END_TEST

START_TEST(trailing_slash_is_optional)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_GET, "/api/users/", &r), UA_OK);
	ck_assert_ptr_eq(r, &user_routes[0]);
	ck_assert_int_eq(route(UA_METHOD_GET, "/api/users/7/", &r), UA_OK);
	ck_assert_ptr_eq(r, &user_routes[2]);
	ck_assert_str_eq(ua_req_param(&req, "user_id"), "7");
}
END_TEST

START_TEST(only_one_trailing_slash_is_optional)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_GET, "/api/users//", &r),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(route(UA_METHOD_GET, "/api/users/7//", &r),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(template_slash_is_optional_too)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_GET, "/slashed", &r), UA_OK);
	ck_assert_ptr_eq(r, &other_routes[2]);
	ck_assert_int_eq(route(UA_METHOD_GET, "/slashed/", &r), UA_OK);
	ck_assert_int_eq(route(UA_METHOD_GET, "/slashed//", &r),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(parameters_are_captured)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_GET, "/x/one/y/two", &r), UA_OK);
	ck_assert_ptr_eq(r, &other_routes[0]);
	ck_assert_uint_eq(req.nparams, 2);
	ck_assert_str_eq(ua_req_param(&req, "a"), "one");
	ck_assert_str_eq(ua_req_param(&req, "b"), "two");
	ck_assert_ptr_null(ua_req_param(&req, "c"));
}
END_TEST

START_TEST(parameter_never_empty_or_multi_segment)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_GET, "/api/users/7/extra", &r),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(route(UA_METHOD_GET, "/x//y/b", &r), UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(unknown_paths_are_404)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_GET, "/api/user", &r),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(route(UA_METHOD_GET, "/api/usersx", &r),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(route(UA_METHOD_GET, "/", &r), UA_ERR_NOT_FOUND);
	ck_assert_int_eq(route(UA_METHOD_GET, "relative", &r),
	    UA_ERR_NOT_FOUND);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(head_is_served_by_get)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_HEAD, "/api/users/3", &r), UA_OK);
	ck_assert_ptr_eq(r, &user_routes[2]);
}
END_TEST

START_TEST(other_method_is_405_with_allow)
{
	const struct ua_route *r;

	ck_assert_int_eq(route(UA_METHOD_PUT, "/api/users/3", &r),
	    UA_ERR_METHOD);
	ck_assert_str_eq(allow.data, "GET, HEAD, PATCH, DELETE");
	ck_assert_int_eq(route(UA_METHOD_DELETE, "/api/users", &r),
	    UA_ERR_METHOD);
	ck_assert_str_eq(allow.data, "GET, HEAD, POST");
}
END_TEST

START_TEST(dispatch_answers_404_405_and_calls_handler)
{
	dispatch(UA_METHOD_POST, "/api/users/42");
	ck_assert_int_eq(req.resp.status, 405);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Method Not Allowed\"}");
	ck_assert_ptr_nonnull(strstr(req.resp.headers.data,
	    "Allow: GET, HEAD, PATCH, DELETE\r\n"));

	bearer(&req, alice);
	dispatch(UA_METHOD_GET, "/api/users/42");
	ck_assert_int_eq(req.resp.status, 200);
	ck_assert_str_eq(req.resp.body.data, "{\"detail\":\"42\"}");

	dispatch(UA_METHOD_GET, "/nope");
	ck_assert_int_eq(req.resp.status, 404);
	ck_assert_str_eq(req.resp.body.data, "{\"detail\":\"Not Found\"}");
}
END_TEST

START_TEST(bearer_route_denied_without_token)
{
	dispatch(UA_METHOD_GET, "/api/users/1");
	ck_assert_int_eq(req.resp.status, 401);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Not authenticated\"}");
	ck_assert_ptr_nonnull(
	    strstr(req.resp.headers.data, "WWW-Authenticate: Bearer\r\n"));
}
END_TEST

START_TEST(bad_token_is_the_answer)
{
	env[0] = strdup("HTTP_AUTHORIZATION=Bearer not.a.token");
	dispatch(UA_METHOD_DELETE, "/api/users/1");
	ck_assert_int_eq(req.resp.status, 401);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Could not validate credentials\"}");
}
END_TEST

/* A good signature is not enough: the caller's row is checked too. */
START_TEST(token_of_a_deleted_user_is_refused)
{
	bearer(&req, 999);
	dispatch(UA_METHOD_GET, "/api/users/1");
	ck_assert_int_eq(req.resp.status, 401);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Could not validate credentials\"}");
}
END_TEST

/* Only after the caller is known does a bad path id get its 422. */
START_TEST(bad_path_id_is_422_after_the_caller)
{
	dispatch(UA_METHOD_GET, "/api/users/abc");
	ck_assert_int_eq(req.resp.status, 401);
	bearer(&req, alice);
	dispatch(UA_METHOD_GET, "/api/users/abc");
	ck_assert_int_eq(req.resp.status, 422);
	ck_assert_ptr_nonnull(strstr(req.resp.body.data, "int_parsing"));
}
END_TEST

START_TEST(rules_self_or_admin_and_admin)
{
	char path[64];

	bearer(&req, alice);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)alice);
	dispatch(UA_METHOD_PATCH, path);
	ck_assert_int_eq(req.resp.status, 200);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)admin);
	dispatch(UA_METHOD_PATCH, path);
	ck_assert_int_eq(req.resp.status, 403);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Not enough permissions\"}");
	dispatch(UA_METHOD_DELETE, path);
	ck_assert_int_eq(req.resp.status, 403);

	bearer(&req, admin);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)alice);
	dispatch(UA_METHOD_PATCH, path);
	ck_assert_int_eq(req.resp.status, 200);
	dispatch(UA_METHOD_DELETE, path);
	ck_assert_int_eq(req.resp.status, 200);
}
END_TEST

START_TEST(owner_rule_without_owner_is_refused)
{
	bearer(&req, admin);
	dispatch(UA_METHOD_GET, "/owned/1");
	ck_assert_int_eq(req.resp.status, 500);
}
END_TEST

START_TEST(open_route_needs_no_token)
{
	env[0] = strdup("HTTP_AUTHORIZATION=Bearer not.a.token");
	dispatch(UA_METHOD_POST, "/api/users");
	ck_assert_int_eq(req.resp.status, 200);
}
END_TEST

START_TEST(handler_without_response_is_500)
{
	dispatch(UA_METHOD_GET, "/silent");
	ck_assert_int_eq(req.resp.status, 500);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Internal Server Error\"}");
}
END_TEST

static Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc;

	tc = tcase_create("ua_router_match");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, exact_path_matches);
	tcase_add_test(tc, trailing_slash_is_optional);
	tcase_add_test(tc, only_one_trailing_slash_is_optional);
	tcase_add_test(tc, template_slash_is_optional_too);
	tcase_add_test(tc, parameters_are_captured);
	tcase_add_test(tc, parameter_never_empty_or_multi_segment);
	tcase_add_test(tc, unknown_paths_are_404);
	tcase_add_test(tc, head_is_served_by_get);
	tcase_add_test(tc, other_method_is_405_with_allow);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dispatch_answers_404_405_and_calls_handler);
	tcase_add_test(tc, bearer_route_denied_without_token);
	tcase_add_test(tc, bad_token_is_the_answer);
	tcase_add_test(tc, token_of_a_deleted_user_is_refused);
	tcase_add_test(tc, bad_path_id_is_422_after_the_caller);
	tcase_add_test(tc, rules_self_or_admin_and_admin);
	tcase_add_test(tc, owner_rule_without_owner_is_refused);
	tcase_add_test(tc, open_route_needs_no_token);
	tcase_add_test(tc, handler_without_response_is_500);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(router_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
