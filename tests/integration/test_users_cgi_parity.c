/*
 * test_users_cgi_parity.c -- users.fcgi run as plain CGI answers as it does
 * behind lighttpd and Apache: the same bytes (or, for a new User, the
 * same shape) for a registration, a duplicate, a 422 of the body and of
 * malformed JSON, a read, a 404, a 422 of the path, a 401 and a 422 of
 * the list's query, with the headers of every response.
 *
 * Each iteration puts one request of the table to lighttpd (mod_fastcgi)
 * or Apache (mod_fcgid), from the shipped configs, and the same request
 * to users.fcgi run as plain CGI.  The database is shared with every
 * other suite: each case makes its own accounts and never assumes an
 * empty table.  Run: make check-integration (through scripts/test).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

/*
 * "a" and "b" have the same shape: the same JSON types, objects with the
 * same keys in the same order, arrays of the same length.
 */
static bool
same_shape(struct json_object *a, struct json_object *b)
{
	struct json_object_iterator ia, ea, ib, eb;
	size_t			    i;

	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	if (json_object_is_type(a, json_type_array)) {
		if (json_object_array_length(a) != json_object_array_length(b))
			return false;
		for (i = 0; i < json_object_array_length(a); i++)
			if (!same_shape(json_object_array_get_idx(a, i),
				json_object_array_get_idx(b, i)))
				return false;
		return true;
	}
	if (!json_object_is_type(a, json_type_object))
		return true;
	ia = json_object_iter_begin(a);
	ea = json_object_iter_end(a);
	ib = json_object_iter_begin(b);
	eb = json_object_iter_end(b);
	while (!json_object_iter_equal(&ia, &ea) &&
	    !json_object_iter_equal(&ib, &eb)) {
		if (strcmp(json_object_iter_peek_name(&ia),
			json_object_iter_peek_name(&ib)) != 0 ||
		    !same_shape(json_object_iter_peek_value(&ia),
			json_object_iter_peek_value(&ib)))
			return false;
		json_object_iter_next(&ia);
		json_object_iter_next(&ib);
	}
	return json_object_iter_equal(&ia, &ea) &&
	    json_object_iter_equal(&ib, &eb);
}

enum parity_row {
	PAR_REGISTER,	/* 201 User: same shape */
	PAR_DUPLICATE,	/* 409: same bytes */
	PAR_VALIDATION, /* 422: same bytes */
	PAR_MALFORMED,	/* 422 json_invalid: same bytes */
	PAR_GET,	/* 200 User: same bytes */
	PAR_GET_404,	/* same bytes */
	PAR_GET_ABC,	/* 422 int_parsing: same bytes */
	PAR_NO_TOKEN,	/* 401: same bytes */
	PAR_LIST_BAD,	/* 422 query: same bytes */
	PAR__MAX
};

/* Iteration _i: row _i / 2 against server _i % 2, and the same as CGI. */
START_TEST(cgi_same_as_server)
{
	enum parity_row	    row = (enum parity_row)(_i / TARGET_SERVERS_MAX);
	enum target	    srv = (enum target)(_i % TARGET_SERVERS_MAX);
	struct api_user	    u;
	struct xchg	    s, c;
	struct json_object *js, *jc;
	char		    body[1024], dup[1024], path[64];
	bool		    exact = true, same;

	api_user_new(srv, &u, "parity", false);
	valid_body(dup, sizeof(dup), "pardup");
	switch (row) {
	case PAR_REGISTER:
		exact = false;
		post_user(&s, srv, valid_body(body, sizeof(body), "par"));
		post_user(&c, TARGET_CGI,
		    valid_body(body, sizeof(body), "par"));
		break;
	case PAR_DUPLICATE:
		post_user(&s, srv, dup);
		xchg_free(&s);
		post_user(&s, srv, dup);
		post_user(&c, TARGET_CGI, dup);
		break;
	case PAR_VALIDATION:
		post_user(&s, srv, "{\"name\":\"A\",\"password\":\"short\"}");
		post_user(&c, TARGET_CGI,
		    "{\"name\":\"A\",\"password\":\"short\"}");
		break;
	case PAR_MALFORMED:
		post_user(&s, srv, "{\"a\":1,}");
		post_user(&c, TARGET_CGI, "{\"a\":1,}");
		break;
	case PAR_GET:
		user_path(path, sizeof(path), u.id, "");
		api_call(&s, srv, "GET", path, u.token, NULL);
		api_call(&c, TARGET_CGI, "GET", path, u.token, NULL);
		break;
	case PAR_GET_404:
		api_call(&s, srv, "GET", "/api/users/" NO_USER_ID, u.token,
		    NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/" NO_USER_ID,
		    u.token, NULL);
		break;
	case PAR_GET_ABC:
		api_call(&s, srv, "GET", "/api/users/abc", u.token, NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/abc", u.token,
		    NULL);
		break;
	case PAR_NO_TOKEN:
		api_call(&s, srv, "GET", "/api/users/", NULL, NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/", NULL, NULL);
		break;
	case PAR_LIST_BAD:
		api_call(&s, srv, "GET", "/api/users/?page=0&limit=abc",
		    u.token, NULL);
		api_call(&c, TARGET_CGI, "GET", "/api/users/?page=0&limit=abc",
		    u.token, NULL);
		break;
	case PAR__MAX:
		ck_abort();
	}
	ck_assert_msg(c.resp.status == s.resp.status,
	    "%s: status %ld, %s "
	    "gave %ld",
	    c.label, c.resp.status, target_name(srv), s.resp.status);
	if (exact)
		ck_assert_msg(c.resp.body_len == s.resp.body_len &&
			memcmp(c.resp.body, s.resp.body, c.resp.body_len) == 0,
		    "%s: body %.400s, %s gave %.400s", c.label, c.resp.body,
		    target_name(srv), s.resp.body);
	js = want_json(&s);
	jc = want_json(&c);
	same = same_shape(js, jc);
	json_object_put(js);
	json_object_put(jc);
	ck_assert_msg(same,
	    "%s: body %.400s has another shape than %s's "
	    "%.400s",
	    c.label, c.resp.body, target_name(srv), s.resp.body);
	want_api_json_headers(&c);
	xchg_free(&s);
	xchg_free(&c);
}
END_TEST

static Suite *
cgi_parity_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("cgi_parity");

	tc = tcase_create("same_answers");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, cgi_same_as_server, 0,
	    (int)(PAR__MAX * TARGET_SERVERS_MAX));
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(cgi_parity_suite);
}
