/*
 * test_handlers.c -- the real route handlers, through ua_app_handle(),
 * on the in-memory fake repositories: what the composition root makes
 * possible without a database or a web server.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "userapi/buf.h"
#include "userapi/jwt.h"
#include "userapi/password.h"
#include "userapi/routers.h"
#include "userapi/services.h"
#include "userapi/settings.h"
#include "userapi/worker.h"
#include "fake_repo.h"
#include "fake_session_repo.h"
#include "unit-app.h"

#define SECRET "0123456789abcdef0123456789abcdef"

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

static const struct ua_router *const routers[] = {
	&ua_router_users,
	&ua_router_auth,
};

static struct fake_repo		*fr;
static struct fake_session_repo *fs;
static struct ua_settings	 settings;
static struct ua_app		 app;
static struct ua_buf		 out;
static char			 secret[] = SECRET;
static int64_t			 ann, bob; /* user ids; ann is an admin */

static void
setup(void)
{
	struct ua_services svc;

	fr = fake_repo_new();
	fs = fake_session_repo_new(fr);
	memset(&settings, 0, sizeof(settings));
	settings.jwt_secret = secret;
	settings.jwt_secret_len = strlen(secret);
	settings.jwt_algorithm = UA_JWT_HS256;
	settings.access_token_expire_minutes = 30;
	settings.password_hash = UA_PW_BCRYPT;
	settings.bcrypt_cost = 4;
	settings.max_body_bytes = 4096;
	settings.login_max_failures = 5;
	settings.login_window_seconds = 60;
	settings.refresh_token_expire_days = 30;
	settings.refresh_token_reuse_seconds = 10;
	memset(&svc, 0, sizeof(svc));
	svc.users = fake_repo_users(fr);
	svc.logins = fake_repo_logins(fr);
	svc.sessions = fake_session_repo_sessions(fs);
	svc.settings = &settings;
	svc.now = wall_clock;
	ua_app_init(&app, &settings, &svc, routers, 2);
	ua_buf_init(&out);
	ann =
	    fake_repo_add(fr, "ann@example.com", "Ann Lee", "x", UA_ROLE_ADMIN);
	bob =
	    fake_repo_add(fr, "bob@example.com", "Bob Ray", "x", UA_ROLE_USER);
}

static void
teardown(void)
{
	ua_buf_cleanup(&out);
	ua_app_cleanup(&app);
	fake_session_repo_free(fs);
	fake_repo_free(fr);
}

/*
 * Serve "method path" as user "as" (0: no token) with JSON "body" (or
 * NULL); returns the status, the body in "*resp" (points into "out").
 */
static int
serve(const char *method, const char *path, int64_t as, const char *body,
    const char **resp)
{
	struct ua_jwt_claims c = { as, 0, wall_clock() + 600, 0, "", "" };
	struct unit_request  r = { method, path, NULL, NULL, body };
	char		    *token = NULL;
	int		     status;

	if (as != 0)
		r.token = token =
		    ua_jwt_sign(UA_JWT_HS256, SECRET, strlen(SECRET), &c);
	status = unit_serve(&app, &out, &r, resp);
	free(token);
	return status;
}

START_TEST(register_then_conflict)
{
	const char *b;

	ck_assert_int_eq(serve("POST", "/api/users/", 0,
			     "{\"email\":\"cy@example.com\",\"name\":\"Cy\","
			     "\"password\":\"password123\"}",
			     &b),
	    201);
	ck_assert_ptr_nonnull(strstr(b, "\"email\":\"cy@example.com\""));
	ck_assert_ptr_null(strstr(b, "password"));
	ck_assert_int_eq(serve("POST", "/api/users/", 0,
			     "{\"email\":\"CY@example.com\",\"name\":\"Cy\","
			     "\"password\":\"password123\"}",
			     &b),
	    409);
	ck_assert_str_eq(b, "{\"detail\":\"Email already registered\"}");
}
END_TEST

START_TEST(read_a_user_with_the_caller)
{
	char	    path[64];
	const char *b;

	snprintf(path, sizeof(path), "/api/users/%lld", (long long)ann);
	ck_assert_int_eq(serve("GET", path, bob, NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, "\"role\":\"admin\""));
	ck_assert_int_eq(serve("GET", "/api/users/999", bob, NULL, &b), 404);
	ck_assert_str_eq(b, "{\"detail\":\"User not found\"}");
	ck_assert_int_eq(serve("GET", path, 0, NULL, &b), 401);
	/* The fetch read the caller and the target in one call. */
	fake_repo_reset_calls(fr);
	ck_assert_int_eq(serve("GET", path, bob, NULL, &b), 200);
	ck_assert_int_eq(fake_repo_calls(fr, FAKE_OP_GET_CALLER_AND_TARGET), 1);
}
END_TEST

START_TEST(self_or_admin_is_declared)
{
	char	    path[64];
	const char *b;

	snprintf(path, sizeof(path), "/api/users/%lld", (long long)ann);
	ck_assert_int_eq(serve("PATCH", path, bob, "{\"name\":\"Mallory\"}",
			     &b),
	    403);
	ck_assert_int_eq(serve("DELETE", path, bob, NULL, &b), 403);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)bob);
	ck_assert_int_eq(serve("PATCH", path, bob, "{\"name\":\"Bobby\"}", &b),
	    200);
	ck_assert_ptr_nonnull(strstr(b, "\"name\":\"Bobby\""));
	ck_assert_int_eq(serve("PATCH", path, ann, "{\"role\":\"admin\"}", &b),
	    200);
}
END_TEST

START_TEST(list_and_me)
{
	const char *b;

	ck_assert_int_eq(serve("GET", "/api/users/?limit=1", bob, NULL, &b),
	    200);
	ck_assert_ptr_nonnull(strstr(b,
	    "\"meta\":{\"page\":1,\"limit\":1,\"total\":2,\"total_pages\":2}"));
	ck_assert_ptr_nonnull(strstr(out.data, "X-Total-Count: 2\r\n"));
	ck_assert_int_eq(serve("GET", "/api/users/?limit=0", bob, NULL, &b),
	    422);
	ck_assert_int_eq(serve("GET", "/api/users/?limit=0", 0, NULL, &b), 401);
	ck_assert_int_eq(serve("GET", "/api/auth/me", bob, NULL, &b), 200);
	ck_assert_ptr_nonnull(strstr(b, "\"email\":\"bob@example.com\""));
}
END_TEST

/*
 * ROOT_PATH: a path under it is routed without it, and the page links
 * carry it.
 */
START_TEST(root_path_routes_and_links)
{
	static char root[] = "/~ann";
	const char *b;

	settings.root_path = root;
	ck_assert_int_eq(serve("GET", "/~ann/api/users/?limit=1", bob, NULL,
			     &b),
	    200);
	ck_assert_ptr_nonnull(strstr(out.data,
	    "Link: </~ann/api/users/?page=1&limit=1>; rel=\"first\", "
	    "</~ann/api/users/?page=2&limit=1>; rel=\"last\", "
	    "</~ann/api/users/?page=2&limit=1>; rel=\"next\"\r\n"));
	/* A proxy that strips the prefix: the same route. */
	ck_assert_int_eq(serve("GET", "/api/auth/me", bob, NULL, &b), 200);
	ck_assert_int_eq(serve("GET", "/~annie/api/auth/me", bob, NULL, &b),
	    404);
	settings.root_path = NULL;
}
END_TEST

/* A token of a deleted user is refused by the step, not by a handler. */
START_TEST(deleted_caller_is_refused_everywhere)
{
	char	    path[64];
	const char *b;

	snprintf(path, sizeof(path), "/api/users/%lld", (long long)bob);
	ck_assert_int_eq(serve("DELETE", path, bob, NULL, &b), 204);
	ck_assert_int_eq(serve("GET", "/api/auth/me", bob, NULL, &b), 401);
	ck_assert_int_eq(serve("GET", "/api/users/", bob, NULL, &b), 401);
	ck_assert_int_eq(serve("PATCH", path, bob, "{\"name\":\"Bo\"}", &b),
	    401);
}
END_TEST

static Suite *
handlers_suite(void)
{
	Suite *s = suite_create("handlers");
	TCase *tc = tcase_create("users_and_auth_on_the_fake");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, register_then_conflict);
	tcase_add_test(tc, read_a_user_with_the_caller);
	tcase_add_test(tc, self_or_admin_is_declared);
	tcase_add_test(tc, list_and_me);
	tcase_add_test(tc, root_path_routes_and_links);
	tcase_add_test(tc, deleted_caller_is_refused_everywhere);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(handlers_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
