/*
 * test_request.c -- request parsing, body limits and the response every
 * request gets, driven through ua_app_handle() on memory buffers.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/buf.h"
#include "userapi/cors.h"
#include "userapi/netaddr.h"
#include "userapi/request.h"
#include "userapi/routers.h"
#include "userapi/settings.h"
#include "userapi/worker.h"
#include "unit-app.h"
#include "unit-env.h"

#define LIMIT 16 /* MAX_BODY_BYTES in these tests */

static struct ua_settings settings;
static struct ua_req	  req;
static struct ua_buf	  out;
static struct unit_memin  body;
static struct ua_input	  in;

static void
setup(void)
{
	memset(&settings, 0, sizeof(settings));
	settings.max_body_bytes = LIMIT;
	ua_req_init(&req);
	ua_buf_init(&out);
	memset(&body, 0, sizeof(body));
	in.read = unit_mem_read;
	in.arg = &body;
	in.is_cgi = false;
}

static void
teardown(void)
{
	ua_req_cleanup(&req);
	ua_buf_cleanup(&out);
	unit_env_free();
}

static void
set_body(const char *s)
{
	body.data = s;
	body.len = strlen(s);
	body.pos = 0;
}

/* Run the whole health worker on "envp"; the CGI output is in "out". */
static void
serve(char **envp)
{
	static const struct ua_router *const routers[] = { &ua_router_health };
	struct ua_services		     svc;
	struct ua_app			     app;

	memset(&svc, 0, sizeof(svc));
	ua_app_init(&app, &settings, &svc, routers, 1);
	ua_buf_reset(&out);
	ua_app_handle(&app, envp, &in, &out);
	ua_app_cleanup(&app);
}

/* The body of the CGI response in "out". */
static const char *
out_body(void)
{
	const char *p = strstr(out.data, "\r\n\r\n");

	ck_assert_ptr_nonnull(p);
	return p + 4;
}

/* True if the CGI headers in "out" contain the line "line". */
static bool
has_header(const char *line)
{
	char  want[300];
	char *end = strstr(out.data, "\r\n\r\n");
	char *hit;

	snprintf(want, sizeof(want), "%s\r\n", line);
	hit = strstr(out.data, want);
	return hit != NULL && hit < end;
}

START_TEST(parses_method_path_query)
{
	char **env = ENV("REQUEST_METHOD=PATCH",
	    "REQUEST_URI=/api/users/%37?page=2&name=Ann+Lee",
	    "QUERY_STRING=page=2&name=Ann+Lee", "CONTENT_LENGTH=0");

	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings), UA_OK);
	ck_assert_int_eq(req.method, UA_METHOD_PATCH);
	ck_assert_str_eq(req.path, "/api/users/7");
	ck_assert_str_eq(ua_kvlist_get(&req.query, "page"), "2");
	ck_assert_str_eq(ua_kvlist_get(&req.query, "name"), "Ann Lee");
}
END_TEST

/* X-Forwarded-For is believed only from a trusted proxy. */
START_TEST(client_address_behind_trusted_proxies)
{
	char err[128];

	ck_assert(ua_netlist_parse("127.0.0.1 10.0.0.0/8",
	    &settings.trusted_proxies, err, sizeof(err)));
	ck_assert_int_eq(
	    ua_req_parse(&req,
		ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
		    "REMOTE_ADDR=127.0.0.1",
		    "HTTP_X_FORWARDED_FOR=1.1.1.1, 203.0.113.9, 10.1.2.3"),
		&in, &settings),
	    UA_OK);
	ck_assert_str_eq(req.client, "203.0.113.9");
	ua_req_cleanup(&req);
	ua_req_init(&req);
	/* From anyone else the header is the client's own word: ignored. */
	ck_assert_int_eq(ua_req_parse(&req,
			     ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
				 "REMOTE_ADDR=198.51.100.4",
				 "HTTP_X_FORWARDED_FOR=203.0.113.9"),
			     &in, &settings),
	    UA_OK);
	ck_assert_str_eq(req.client, "198.51.100.4");
}
END_TEST

START_TEST(path_from_script_name_without_request_uri)
{
	char **env = ENV("REQUEST_METHOD=GET", "SCRIPT_NAME=/health",
	    "PATH_INFO=/ready");

	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings), UA_OK);
	ck_assert_str_eq(req.path, "/health/ready");
}
END_TEST

START_TEST(headers_by_any_spelling)
{
	char **env = ENV("REQUEST_METHOD=GET", "REQUEST_URI=/",
	    "HTTP_AUTHORIZATION=Bearer x", "CONTENT_TYPE=application/json");

	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings), UA_OK);
	ck_assert_str_eq(ua_req_header(&req, "authorization"), "Bearer x");
	ck_assert_str_eq(ua_req_header(&req, "Authorization"), "Bearer x");
	ck_assert_str_eq(ua_req_header(&req, "Content-Type"),
	    "application/json");
	ck_assert_ptr_null(ua_req_header(&req, "X-Missing"));
}
END_TEST

START_TEST(body_read_exactly_to_content_length)
{
	char **env =
	    ENV("REQUEST_METHOD=POST", "REQUEST_URI=/", "CONTENT_LENGTH=5");

	in.is_cgi = true;
	set_body("hello, and more that is not ours");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings), UA_OK);
	ck_assert_uint_eq(req.body_len, 5);
	ck_assert_str_eq(req.body, "hello");
	ck_assert_uint_eq(body.pos, 5);
}
END_TEST

START_TEST(body_at_the_limit_is_accepted)
{
	char **env =
	    ENV("REQUEST_METHOD=POST", "REQUEST_URI=/", "CONTENT_LENGTH=16");

	set_body("0123456789abcdef");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings), UA_OK);
	ck_assert_uint_eq(req.body_len, LIMIT);
}
END_TEST

START_TEST(declared_oversize_refused_unread_in_cgi)
{
	char **env =
	    ENV("REQUEST_METHOD=POST", "REQUEST_URI=/", "CONTENT_LENGTH=17");

	in.is_cgi = true;
	set_body("0123456789abcdefX");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings),
	    UA_ERR_TOO_LARGE);
	ck_assert_uint_eq(body.pos, 0);
	ck_assert_ptr_null(req.body);
}
END_TEST

START_TEST(undeclared_oversize_refused_under_fastcgi)
{
	char **env = ENV("REQUEST_METHOD=POST", "REQUEST_URI=/");

	set_body("0123456789abcdefXYZ");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings),
	    UA_ERR_TOO_LARGE);
	ck_assert_ptr_null(req.body);
}
END_TEST

START_TEST(undeclared_body_read_to_end_under_fastcgi)
{
	char **env = ENV("REQUEST_METHOD=POST", "REQUEST_URI=/");

	set_body("{\"a\":1}");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings), UA_OK);
	ck_assert_str_eq(req.body, "{\"a\":1}");
}
END_TEST

/*
 * Plain CGI, a POST without CONTENT_LENGTH: nothing is read, and the
 * route decides (a route that takes a body answers 411, see
 * test_router; the health worker's routes take none: 405).
 */
START_TEST(cgi_body_without_length_is_left_to_the_route)
{
	char **env = ENV("REQUEST_METHOD=POST", "REQUEST_URI=/");

	in.is_cgi = true;
	set_body("{}");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings), UA_OK);
	ck_assert(req.length_unknown);
	ck_assert_ptr_null(req.body);
	ck_assert_uint_eq(body.pos, 0);
	serve(ENV("REQUEST_METHOD=POST", "REQUEST_URI=/health"));
	ck_assert_msg(strncmp(out.data, "Status: 405", 11) == 0, "%s",
	    out.data);
	ck_assert_uint_eq(body.pos, 0);
}
END_TEST

/* ROOT_PATH: routed without it when a path carries it, else as is. */
START_TEST(root_path_is_stripped_when_present)
{
	static const char *const cases[][2] = {
		{ "REQUEST_URI=/~ann/api/users/7?x=1", "/api/users/7" },
		{ "REQUEST_URI=/~ann", "/" },
		{ "REQUEST_URI=/~ann/", "/" },
		{ "REQUEST_URI=/api/users/7", "/api/users/7" },
		{ "REQUEST_URI=/~annie/api", "/~annie/api" },
		{ "REQUEST_URI=/x/~ann/api", "/x/~ann/api" },
	};
	static char root[] = "/~ann";
	size_t	    i;

	settings.root_path = root;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ua_req_cleanup(&req);
		ua_req_init(&req);
		ck_assert_int_eq(ua_req_parse(&req,
				     ENV("REQUEST_METHOD=GET", cases[i][0]),
				     &in, &settings),
		    UA_OK);
		ck_assert_msg(strcmp(req.path, cases[i][1]) == 0,
		    "%s: routed as %s", cases[i][0], req.path);
	}
	settings.root_path = NULL;
}
END_TEST

START_TEST(junk_content_length_refused)
{
	char **env =
	    ENV("REQUEST_METHOD=POST", "REQUEST_URI=/", "CONTENT_LENGTH=12abc");

	set_body("{}");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings),
	    UA_ERR_BAD_REQUEST);
}
END_TEST

START_TEST(short_body_is_bad_request)
{
	char **env =
	    ENV("REQUEST_METHOD=POST", "REQUEST_URI=/", "CONTENT_LENGTH=10");

	in.is_cgi = true;
	set_body("{}");
	ck_assert_int_eq(ua_req_parse(&req, env, &in, &settings),
	    UA_ERR_BAD_REQUEST);
}
END_TEST

START_TEST(health_answers_with_standard_headers)
{
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health"));
	ck_assert(strncmp(out.data, "Status: 200 OK\r\n", 16) == 0);
	ck_assert(has_header("Content-Type: application/json"));
	ck_assert(has_header("X-Content-Type-Options: nosniff"));
	ck_assert(!has_header("Cache-Control: no-store"));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nX-Request-ID: "));
	ck_assert_str_eq(out_body(), "{\"status\":\"healthy\"}");
}
END_TEST

START_TEST(api_paths_are_never_cached)
{
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/api/nothing"));
	ck_assert(strncmp(out.data, "Status: 404 Not Found\r\n", 23) == 0);
	ck_assert(has_header("Cache-Control: no-store"));
	ck_assert_str_eq(out_body(), "{\"detail\":\"Not Found\"}");
}
END_TEST

START_TEST(sane_request_id_is_echoed)
{
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
	    "HTTP_X_REQUEST_ID=abc-123_XYZ"));
	ck_assert(has_header("X-Request-ID: abc-123_XYZ"));
}
END_TEST

START_TEST(insane_request_id_is_replaced)
{
	char longid[160], var[200];

	memset(longid, 'a', 129);
	longid[129] = '\0';
	snprintf(var, sizeof(var), "HTTP_X_REQUEST_ID=%s", longid);
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health", var));
	ck_assert_ptr_null(strstr(out.data, longid));
	ck_assert_ptr_nonnull(strstr(out.data, "\r\nX-Request-ID: "));

	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
	    "HTTP_X_REQUEST_ID=has space"));
	ck_assert_ptr_null(strstr(out.data, "has space"));
	ck_assert(!ua_request_id_valid(""));
	ck_assert(!ua_request_id_valid("tab\there"));
	ck_assert(ua_request_id_valid("x"));
}
END_TEST

START_TEST(generated_request_ids_differ)
{
	char a[UA_REQUEST_ID_MAX + 1], b[UA_REQUEST_ID_MAX + 1];

	ua_request_id_new(a);
	ua_request_id_new(b);
	ck_assert_uint_eq(strlen(a), 32);
	ck_assert(ua_request_id_valid(a));
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(head_has_headers_and_no_body)
{
	serve(ENV("REQUEST_METHOD=HEAD", "REQUEST_URI=/health"));
	ck_assert(strncmp(out.data, "Status: 200 OK\r\n", 16) == 0);
	ck_assert(has_header("Content-Type: application/json"));
	ck_assert_str_eq(out_body(), "");
}
END_TEST

START_TEST(wrong_method_gets_405_and_allow)
{
	serve(ENV("REQUEST_METHOD=DELETE", "REQUEST_URI=/health/"));
	ck_assert(strncmp(out.data, "Status: 405 ", 12) == 0);
	ck_assert(has_header("Allow: GET, HEAD"));
	ck_assert_str_eq(out_body(), "{\"detail\":\"Method Not Allowed\"}");
}
END_TEST

START_TEST(oversize_gets_413_json)
{
	serve(ENV("REQUEST_METHOD=POST", "REQUEST_URI=/health",
	    "CONTENT_LENGTH=100000"));
	ck_assert(strncmp(out.data, "Status: 413 ", 12) == 0);
	ck_assert_str_eq(out_body(), "{\"detail\":\"Request body too large\"}");
}
END_TEST

START_TEST(cors_off_leaves_options_to_the_router)
{
	settings.cors_origins = (char *)(uintptr_t) "";
	serve(ENV("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/health",
	    "HTTP_ORIGIN=https://a.example",
	    "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET"));
	ck_assert(strncmp(out.data, "Status: 405 ", 12) == 0);
	ck_assert_ptr_null(strstr(out.data, "Access-Control-"));
}
END_TEST

START_TEST(cors_preflight_from_allowed_origin)
{
	settings.cors_origins =
	    (char *)(uintptr_t) "https://b.example, https://a.example/";
	serve(ENV("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/api/users/",
	    "HTTP_ORIGIN=https://a.example",
	    "HTTP_ACCESS_CONTROL_REQUEST_METHOD=PATCH",
	    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS=authorization, content-type"));
	ck_assert(strncmp(out.data, "Status: 200 ", 12) == 0);
	ck_assert(has_header("Access-Control-Allow-Origin: https://a.example"));
	ck_assert(has_header("Vary: Origin"));
	ck_assert(has_header("Access-Control-Max-Age: 600"));
	ck_assert(has_header("Access-Control-Allow-Headers: authorization, "
			     "content-type"));
	ck_assert_ptr_nonnull(strstr(out.data,
	    "Access-Control-Allow-Methods: GET, HEAD, POST, PATCH, DELETE"));
}
END_TEST

START_TEST(cors_preflight_from_other_origin_is_400)
{
	settings.cors_origins = (char *)(uintptr_t) "https://a.example";
	serve(ENV("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/api/users/",
	    "HTTP_ORIGIN=https://evil.example",
	    "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET"));
	ck_assert(strncmp(out.data, "Status: 400 ", 12) == 0);
	ck_assert_str_eq(out_body(), "{\"detail\":\"Disallowed CORS origin\"}");
	ck_assert_ptr_null(strstr(out.data, "Access-Control-Allow-Origin"));
}
END_TEST

START_TEST(cors_simple_request_gets_origin_only_when_allowed)
{
	settings.cors_origins = (char *)(uintptr_t) "https://a.example";
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
	    "HTTP_ORIGIN=https://a.example"));
	ck_assert(has_header("Access-Control-Allow-Origin: https://a.example"));
	ck_assert(has_header("Vary: Origin"));
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
	    "HTTP_ORIGIN=https://a.example.evil.test"));
	ck_assert_ptr_null(strstr(out.data, "Access-Control-Allow-Origin"));
	/* Errors carry it too, so a browser can read them. */
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/nope",
	    "HTTP_ORIGIN=https://a.example"));
	ck_assert(strncmp(out.data, "Status: 404 ", 12) == 0);
	ck_assert(has_header("Access-Control-Allow-Origin: https://a.example"));
}
END_TEST

START_TEST(cors_wildcard_never_with_credentials)
{
	settings.cors_origins = (char *)(uintptr_t) "*";
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
	    "HTTP_ORIGIN=https://any.example"));
	ck_assert(has_header("Access-Control-Allow-Origin: *"));
	ck_assert_ptr_null(strstr(out.data, "Allow-Credentials"));
}
END_TEST

/* A list that holds "*" besides origins is "*": no credentials, ever. */
START_TEST(cors_mixed_list_is_a_wildcard_without_credentials)
{
	settings.cors_origins = (char *)(uintptr_t) "https://a.example, *";
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
	    "HTTP_ORIGIN=https://evil.example"));
	ck_assert(has_header("Access-Control-Allow-Origin: *"));
	ck_assert_ptr_null(strstr(out.data, "Allow-Credentials"));
	ck_assert_ptr_null(strstr(out.data, "https://evil.example"));
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health",
	    "HTTP_ORIGIN=https://a.example"));
	ck_assert(has_header("Access-Control-Allow-Origin: *"));
	ck_assert_ptr_null(strstr(out.data, "Allow-Credentials"));
	serve(ENV("REQUEST_METHOD=OPTIONS", "REQUEST_URI=/api/users/",
	    "HTTP_ORIGIN=https://evil.example",
	    "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET"));
	ck_assert(strncmp(out.data, "Status: 200 ", 12) == 0);
	ck_assert(has_header("Access-Control-Allow-Origin: *"));
	ck_assert_ptr_null(strstr(out.data, "Allow-Credentials"));
	ck_assert(ua_cors_wildcard_mixed("https://a.example, *"));
	ck_assert(ua_cors_wildcard_mixed("*,https://a.example"));
	ck_assert(!ua_cors_wildcard_mixed("*"));
	ck_assert(!ua_cors_wildcard_mixed(" * , "));
	ck_assert(!ua_cors_wildcard_mixed("https://a.example"));
}
END_TEST

/* "?page=1%00" would be read as "1": refused whole, path or query. */
START_TEST(encoded_nul_in_path_or_query_is_400)
{
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health?x=1%00",
	    "QUERY_STRING=x=1%00"));
	ck_assert(strncmp(out.data, "Status: 400 ", 12) == 0);
	ck_assert_str_eq(out_body(), "{\"detail\":\"Bad Request\"}");
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health%00"));
	ck_assert(strncmp(out.data, "Status: 400 ", 12) == 0);
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health?a=%00b",
	    "QUERY_STRING=a=%00b"));
	ck_assert(strncmp(out.data, "Status: 400 ", 12) == 0);
	/* A percent sign that is itself encoded is no NUL. */
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health?x=%2500",
	    "QUERY_STRING=x=%2500"));
	ck_assert(strncmp(out.data, "Status: 200 ", 12) == 0 ||
	    strstr(out.data, "Status:") == NULL);
	/* Cut short at the end: no NUL either. */
	serve(ENV("REQUEST_METHOD=GET", "REQUEST_URI=/health?x=%0",
	    "QUERY_STRING=x=%0"));
	ck_assert_ptr_null(strstr(out.data, "Status: 400 "));
}
END_TEST

START_TEST(header_values_cannot_split_lines)
{
	ua_resp_header(&req, "X-Test", "a\r\nSet-Cookie: b");
	ck_assert_str_eq(req.resp.headers.data, "X-Test: a  Set-Cookie: b\r\n");
}
END_TEST

static Suite *
request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc;

	tc = tcase_create("ua_req_parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parses_method_path_query);
	tcase_add_test(tc, client_address_behind_trusted_proxies);
	tcase_add_test(tc, path_from_script_name_without_request_uri);
	tcase_add_test(tc, headers_by_any_spelling);
	tcase_add_test(tc, body_read_exactly_to_content_length);
	tcase_add_test(tc, body_at_the_limit_is_accepted);
	tcase_add_test(tc, declared_oversize_refused_unread_in_cgi);
	tcase_add_test(tc, undeclared_oversize_refused_under_fastcgi);
	tcase_add_test(tc, undeclared_body_read_to_end_under_fastcgi);
	tcase_add_test(tc, cgi_body_without_length_is_left_to_the_route);
	tcase_add_test(tc, root_path_is_stripped_when_present);
	tcase_add_test(tc, junk_content_length_refused);
	tcase_add_test(tc, short_body_is_bad_request);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_app_handle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, health_answers_with_standard_headers);
	tcase_add_test(tc, api_paths_are_never_cached);
	tcase_add_test(tc, sane_request_id_is_echoed);
	tcase_add_test(tc, insane_request_id_is_replaced);
	tcase_add_test(tc, generated_request_ids_differ);
	tcase_add_test(tc, head_has_headers_and_no_body);
	tcase_add_test(tc, wrong_method_gets_405_and_allow);
	tcase_add_test(tc, oversize_gets_413_json);
	tcase_add_test(tc, header_values_cannot_split_lines);
	tcase_add_test(tc, cors_off_leaves_options_to_the_router);
	tcase_add_test(tc, cors_preflight_from_allowed_origin);
	tcase_add_test(tc, cors_preflight_from_other_origin_is_400);
	tcase_add_test(tc, cors_simple_request_gets_origin_only_when_allowed);
	tcase_add_test(tc, cors_wildcard_never_with_credentials);
	tcase_add_test(tc, cors_mixed_list_is_a_wildcard_without_credentials);
	tcase_add_test(tc, encoded_nul_in_path_or_query_is_400);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(request_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
