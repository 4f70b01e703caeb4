/*
 * test_router.c -- path templates, methods, 404 and 405.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "userapi/buf.h"
#include "userapi/request.h"
#include "userapi/response.h"
#include "userapi/router.h"

static void
h_list(struct ua_req *req)
{
	ua_resp_detail(req, 200, "list");
}

static void
h_get(struct ua_req *req)
{
	ua_resp_detail(req, 200, ua_req_param(req, "user_id"));
}

static void
h_patch(struct ua_req *req)
{
	ua_resp_detail(req, 200, "patch");
}

static void
h_pair(struct ua_req *req)
{
	ua_resp_header(req, "X-B", "%s", ua_req_param(req, "b"));
	ua_resp_detail(req, 200, ua_req_param(req, "a"));
}

static void
h_silent(struct ua_req *req)
{
	(void)req;
}

static const struct ua_route user_routes[] = {
	{ UA_METHOD_GET, "/api/users", h_list, UA_AUTH_BEARER, "", UA_BODY_NONE,
	    NULL, NULL, 200, NULL, 0, NULL, NULL, false },
	{ UA_METHOD_POST, "/api/users", h_list, UA_AUTH_NONE, "", UA_BODY_NONE,
	    NULL, NULL, 200, NULL, 0, NULL, NULL, false },
	{ UA_METHOD_GET, "/api/users/{user_id}", h_get, UA_AUTH_BEARER, "",
	    UA_BODY_NONE, NULL, NULL, 200, NULL, 0, NULL, NULL, false },
	{ UA_METHOD_PATCH, "/api/users/{user_id}", h_patch, UA_AUTH_BEARER, "",
	    UA_BODY_NONE, NULL, NULL, 200, NULL, 0, NULL, NULL, false },
	{ UA_METHOD_DELETE, "/api/users/{user_id}", h_patch, UA_AUTH_BEARER, "",
	    UA_BODY_NONE, NULL, NULL, 200, NULL, 0, NULL, NULL, false },
};
static const struct ua_route other_routes[] = {
	{ UA_METHOD_GET, "/x/{a}/y/{b}", h_pair, UA_AUTH_NONE, "", UA_BODY_NONE,
	    NULL, NULL, 200, NULL, 0, NULL, NULL, false },
	{ UA_METHOD_GET, "/silent", h_silent, UA_AUTH_NONE, "", UA_BODY_NONE,
	    NULL, NULL, 200, NULL, 0, NULL, NULL, false },
	{ UA_METHOD_GET, "/slashed/", h_list, UA_AUTH_NONE, "", UA_BODY_NONE,
	    NULL, NULL, 200, NULL, 0, NULL, NULL, false },
};
static const struct ua_router	     users = { "users", user_routes, 5, NULL };
static const struct ua_router	     other = { "other", other_routes, 3, NULL };
static const struct ua_router *const routers[] = { &users, &other };

static enum ua_err
allow_all(struct ua_req *r)
{
	r->authenticated = true;
	return UA_OK;
}

static enum ua_err
refuse_token(struct ua_req *r)
{
	(void)r;
	return UA_ERR_BAD_TOKEN;
}

static struct ua_req req;
static struct ua_buf allow;

static void
setup(void)
{
	ua_req_init(&req);
	ua_buf_init(&allow);
}

static void
teardown(void)
{
	ua_req_cleanup(&req);
	ua_buf_cleanup(&allow);
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
	struct ua_buf out;

	ua_buf_init(&out);
	free(req.path);
	req.path = strdup("/api/users/42");
	req.method = UA_METHOD_POST;
	ua_router_dispatch(routers, 2, &req, NULL);
	ck_assert_int_eq(req.resp.status, 405);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Method Not Allowed\"}");
	ck_assert_ptr_nonnull(strstr(req.resp.headers.data,
	    "Allow: GET, HEAD, PATCH, DELETE\r\n"));

	ua_resp_cleanup(&req.resp);
	req.method = UA_METHOD_GET;
	ua_router_dispatch(routers, 2, &req, allow_all);
	ck_assert_int_eq(req.resp.status, 200);
	ck_assert_str_eq(req.resp.body.data, "{\"detail\":\"42\"}");

	ua_resp_cleanup(&req.resp);
	free(req.path);
	req.path = strdup("/nope");
	ua_router_dispatch(routers, 2, &req, NULL);
	ck_assert_int_eq(req.resp.status, 404);
	ck_assert_str_eq(req.resp.body.data, "{\"detail\":\"Not Found\"}");
	ua_buf_cleanup(&out);
}
END_TEST

START_TEST(bearer_route_denied_by_default)
{
	free(req.path);
	req.path = strdup("/api/users/1");
	req.method = UA_METHOD_GET;
	ua_router_dispatch(routers, 2, &req, NULL);
	ck_assert_int_eq(req.resp.status, 401);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Not authenticated\"}");
	ck_assert_ptr_nonnull(
	    strstr(req.resp.headers.data, "WWW-Authenticate: Bearer\r\n"));
}
END_TEST

START_TEST(authenticator_error_is_the_answer)
{
	free(req.path);
	req.path = strdup("/api/users/1");
	req.method = UA_METHOD_DELETE;
	ua_router_dispatch(routers, 2, &req, refuse_token);
	ck_assert_int_eq(req.resp.status, 401);
	ck_assert_str_eq(req.resp.body.data,
	    "{\"detail\":\"Could not validate credentials\"}");
}
END_TEST

START_TEST(open_route_skips_authenticator)
{
	free(req.path);
	req.path = strdup("/api/users");
	req.method = UA_METHOD_POST;
	ua_router_dispatch(routers, 2, &req, refuse_token);
	ck_assert_int_eq(req.resp.status, 200);
}
END_TEST

START_TEST(handler_without_response_is_500)
{
	free(req.path);
	req.path = strdup("/silent");
	req.method = UA_METHOD_GET;
	ua_router_dispatch(routers, 2, &req, NULL);
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

	tc = tcase_create("ua_router_dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dispatch_answers_404_405_and_calls_handler);
	tcase_add_test(tc, bearer_route_denied_by_default);
	tcase_add_test(tc, authenticator_error_is_the_answer);
	tcase_add_test(tc, open_route_skips_authenticator);
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
