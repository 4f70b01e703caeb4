/*
 * test_users_chunked.c -- POST /api/users/ with
 * Transfer-Encoding: chunked through lighttpd and Apache (plain CGI has
 * no chunked framing; its 411 is in test_http): the body in one chunk,
 * in one-byte chunks (through multi-byte UTF-8 and escapes) and in
 * seven-byte chunks registers as a plain body would; malformed JSON in
 * chunks is the same 422 json_invalid; a body over MAX_BODY_BYTES is
 * 413 and one of exactly that size 201; a body cut short registers
 * nothing and never makes the worker answer 5xx.
 *
 * The cases loop over lighttpd (mod_fastcgi) and Apache (mod_fcgid)
 * from the shipped configs (0 to TARGET_SERVERS_MAX of enum target).  The
 * database is shared with every other suite: each case makes its own
 * accounts and never assumes an empty table.  Run: make
 * check-integration (through scripts/test).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

/*
 * No Content-Length, the body in chunks, through each server: lighttpd
 * and Apache collect the chunks and hand the worker a plain body, whose
 * answers must be those of a body sent in one piece.  Plain CGI has no
 * chunked framing (it gets 411, see test_http), so these loop over the
 * servers only.
 */

/* How long a server may take to pass on a request cut short, if at all. */
#define CUT_SETTLE_US 1000000

/* A request id unique to this run, process and call. */
static char *
fresh_rid(char *buf, size_t len, const char *tag)
{
	static unsigned seq;

	snprintf(buf, len, "chunked-%s-%ld-%u-%u", tag, (long)time(NULL),
	    (unsigned)getpid(), ++seq);
	return buf;
}

/* POST /api/users/ with "body" chunked, "chunk" bytes a chunk (0: any). */
static void
post_chunked(struct xchg *x, enum target t, const char *body, size_t len,
    size_t chunk, bool cut, const char *rid)
{
	char	       hrid[200];
	const char    *hdr[] = { hrid, NULL };
	struct api_req r = { .method = "POST",
		.path = "/api/users/",
		.body = body,
		.body_len = len,
		.headers = hdr,
		.chunked = true,
		.chunk_max = chunk,
		.cut_short = cut };

	snprintf(hrid, sizeof(hrid), "X-Request-ID: %s", rid);
	api_send(x, t, &r);
}

/* The address is free: a plain registration of it gets 201. */
static void
want_no_account(enum target t, const char *email, const char *why)
{
	struct xchg x;
	char	    body[1024];

	post_user(&x, t,
	    reg_body(body, sizeof(body), email, "\"Valid Name\"",
		"\"correct-horse-1\""));
	ck_assert_msg(x.resp.status == 201,
	    "%s: %s made an account for "
	    "%s: registering it again got %ld, want 201: %.300s",
	    target_name(t), why, email, x.resp.status, x.resp.body);
	xchg_free(&x);
}

/*
 * The worker never answered request "rid" with a 5xx: it logged no line
 * for it, or only lines with another status.  Returns how many it logged.
 */
static size_t
want_no_worker_5xx(enum target t, const char *rid)
{
	long   st[8];
	size_t n, i;

	n = worker_logged(t, rid, st, 8);
	for (i = 0; i < n && i < 8; i++)
		ck_assert_msg(st[i] < 500,
		    "%s: the worker answered request "
		    "%s with %ld",
		    target_name(t), rid, st[i]);
	return n;
}

/*
 * Register "email" with a chunked body of "chunk" bytes a chunk; the 201
 * User names that address and "name" (JSON text), the account logs in
 * with "password", and reading it back gives the same User.
 */
static void
chunked_register_and_use(enum target t, size_t chunk, const char *email,
    const char *name_json, const char *name)
{
	struct api_user	    u;
	struct xchg	    x;
	struct json_object *o;
	char		    body[1024], rid[128], path[64];

	reg_body(body, sizeof(body), email, name_json, "\"correct-horse-1\"");
	post_chunked(&x, t, body, strlen(body), chunk, false,
	    fresh_rid(rid, sizeof(rid), "reg"));
	want_status(&x, 201);
	want_api_json_headers(&x);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "email", x.label), email);
	ck_assert_str_eq(json_str(o, "name", x.label), name);
	ck_assert_str_eq(json_str(o, "role", x.label), "user");
	memset(&u, 0, sizeof(u));
	u.id = json_int(o, "id", x.label);
	snprintf(u.email, sizeof(u.email), "%s", email);
	snprintf(u.password, sizeof(u.password), "correct-horse-1");
	snprintf(u.body, sizeof(u.body), "%s", x.resp.body);
	json_object_put(o);
	xchg_free(&x);
	/* The worker answered it, as one request with one line. */
	ck_assert_uint_eq(want_no_worker_5xx(t, rid), 1);

	api_login(t, &u);
	api_call(&x, t, "GET", user_path(path, sizeof(path), u.id, ""), u.token,
	    NULL);
	want_status(&x, 200);
	want_body(&x, u.body);
	xchg_free(&x);
}

/* The body as one chunk (as libcurl reads it). */
START_TEST(chunked_reg_201)
{
	char email[320];

	chunked_register_and_use(TGT, 0,
	    api_email(email, sizeof(email), "chunk"), "\"Chunked Ann\"",
	    "Chunked Ann");
}
END_TEST

/* One byte a chunk: every chunk boundary inside every token. */
START_TEST(chunked_reg_one_byte_chunks_201)
{
	char email[320];

	chunked_register_and_use(TGT, 1,
	    api_email(email, sizeof(email), "chunk1"), "\"One Byte\"",
	    "One Byte");
}
END_TEST

/* One byte a chunk through multi-byte UTF-8 and escapes: intact. */
START_TEST(chunked_reg_utf8_split_201)
{
	char email[320];

	chunked_register_and_use(TGT, 1,
	    api_email(email, sizeof(email), "chunku"),
	    "\"Zo\xc3\xab \xf0\x9f\x98\x80 \\u00e9\\\"q\\\"\"",
	    "Zo\xc3\xab \xf0\x9f\x98\x80 \xc3\xa9\"q\"");
}
END_TEST

/* Seven-byte chunks, so that chunk sizes are not all one digit. */
START_TEST(chunked_reg_seven_byte_chunks_201)
{
	char email[320];

	chunked_register_and_use(TGT, 7,
	    api_email(email, sizeof(email), "chunk7"), "\"Seven Bytes\"",
	    "Seven Bytes");
}
END_TEST

/*
 * Malformed JSON in one-byte chunks: 422 json_invalid at the offset
 * where json.loads stops, and nothing registered.
 */
START_TEST(chunked_json_invalid_422)
{
	struct xchg x;
	char	    body[1024], email[320], rid[128];
	size_t	    len;

	api_email(email, sizeof(email), "chunkbad");
	reg_body(body, sizeof(body), email, "\"Valid Name\"",
	    "\"correct-horse-1\"");
	/* A complete registration with a trailing comma before its "}". */
	len = strlen(body);
	body[len - 1] = ',';
	body[len] = '}';
	body[len + 1] = '\0';
	post_chunked(&x, TGT, body, len + 1, 1, false,
	    fresh_rid(rid, sizeof(rid), "bad"));
	want_json_invalid(&x, (long)len);
	want_api_json_headers(&x);
	xchg_free(&x);
	want_no_account(TGT, email, "a 422");
}
END_TEST

/* Not even JSON, in chunks: the same json_invalid at offset 0. */
START_TEST(chunked_json_garbage_422)
{
	struct xchg x;
	char	    rid[128];

	post_chunked(&x, TGT, "not json", 8, 3, false,
	    fresh_rid(rid, sizeof(rid), "garbage"));
	want_json_invalid(&x, 0);
	xchg_free(&x);
}
END_TEST

/*
 * A valid registration padded with spaces to "total" bytes, chunked in
 * 64 KiB chunks.  Returns the body (free() it).
 */
static char *
padded_body(const char *email, size_t total)
{
	char   head[1024], *body;
	size_t n;

	reg_body(head, sizeof(head), email, "\"Valid Name\"",
	    "\"correct-horse-1\"");
	n = strlen(head);
	ck_assert(total > n);
	ck_assert((body = malloc(total + 1)) != NULL);
	memcpy(body, head, n - 1); /* without its "}" */
	memset(body + n - 1, ' ', total - n);
	body[total - 1] = '}';
	body[total] = '\0';
	return body;
}

/*
 * One byte over MAX_BODY_BYTES, chunked: both servers pass it on, and
 * the worker answers 413 in JSON (its own log line says so) and
 * registers nothing.
 */
START_TEST(chunked_over_cap_413)
{
	struct xchg x;
	char	    email[320], rid[128], *body;
	long	    st[4];
	size_t	    len = api_settings()->max_body + 1;

	body = padded_body(api_email(email, sizeof(email), "chunkbig"), len);
	post_chunked(&x, TGT, body, len, 65536, false,
	    fresh_rid(rid, sizeof(rid), "big"));
	free(body);
	want_detail(&x, 413, "Request body too large");
	want_api_json_headers(&x);
	xchg_free(&x);
	ck_assert_msg(worker_logged(TGT, rid, st, 4) == 1 && st[0] == 413,
	    "%s: want one worker line with 413 for request %s",
	    target_name(TGT), rid);
	want_no_account(TGT, email, "a 413");
}
END_TEST

/* Exactly MAX_BODY_BYTES, chunked: within the cap, so registered. */
START_TEST(chunked_at_cap_201)
{
	struct xchg	    x;
	struct json_object *o;
	char		    email[320], rid[128], *body;
	size_t		    len = api_settings()->max_body;

	body = padded_body(api_email(email, sizeof(email), "chunkcap"), len);
	post_chunked(&x, TGT, body, len, 65536, false,
	    fresh_rid(rid, sizeof(rid), "cap"));
	free(body);
	want_status(&x, 201);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "email", x.label), email);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/*
 * A chunked stream cut short: the client sends "sent" bytes of a valid
 * registration in "chunk"-byte chunks and hangs up without the last
 * chunk.  Whatever the server does with it, no account is made and no
 * worker answers it with a 5xx.
 */
static void
chunked_cut(enum target t, size_t sent, size_t chunk, const char *tag)
{
	struct xchg x;
	char	    body[1024], email[320], rid[128];
	size_t	    len;

	api_email(email, sizeof(email), tag);
	reg_body(body, sizeof(body), email, "\"Valid Name\"",
	    "\"correct-horse-1\"");
	len = strlen(body);
	post_chunked(&x, t, body, sent < len ? sent : len, chunk, true,
	    fresh_rid(rid, sizeof(rid), tag));
	/* The request is not complete: no answer may say it succeeded. */
	ck_assert_msg(x.resp.status == 0 || x.resp.status >= 400,
	    "%s: a cut-short body got %ld: %.300s", x.label, x.resp.status,
	    x.resp.body);
	ck_assert_msg(x.resp.status < 500 ||
		worker_logged(t, rid, NULL, 0) == 0,
	    "%s: %ld from the worker", x.label, x.resp.status);
	xchg_free(&x);
	/* A worker that got it anyway would have answered by now. */
	usleep(CUT_SETTLE_US);
	want_no_worker_5xx(t, rid);
	want_no_account(t, email, "a cut-short chunked body");
}

/* Every byte of the JSON, but never the last chunk that ends the body. */
START_TEST(chunked_cut_before_last_chunk)
{
	chunked_cut(TGT, SIZE_MAX, 0, "chunkcut");
}
END_TEST

/* Half of the JSON in one-byte chunks, then the connection is gone. */
START_TEST(chunked_cut_mid_body)
{
	chunked_cut(TGT, 40, 1, "chunkhalf");
}
END_TEST

static Suite *
chunked_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("chunked");

	tc = tcase_create("register");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, chunked_reg_201, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_reg_one_byte_chunks_201, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_reg_utf8_split_201, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_reg_seven_byte_chunks_201, 0,
	    TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, chunked_json_invalid_422, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_json_garbage_422, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_over_cap_413, 0, TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_at_cap_201, 0, TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	tc = tcase_create("cut_short");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, chunked_cut_before_last_chunk, 0,
	    TARGET_SERVERS_MAX);
	tcase_add_loop_test(tc, chunked_cut_mid_body, 0, TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(chunked_suite);
}
