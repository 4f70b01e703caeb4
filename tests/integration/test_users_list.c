/*
 * test_users_list.c -- GET /api/users/, the paginated list, over 45
 * users this run registers once for the tcase (an unchecked fixture):
 * the page/limit/total/pages members and their defaults, the path
 * without its slash, pages full, partial and past the end, the order by
 * id, where each of our users lands, the items being Users,
 * X-Total-Count, the Link header (first, prev, next, last; the exact
 * text of API.md's example; the default limit carried), limits 1 and
 * 100, the 422s of page and limit out of range or not integers, and 401
 * without a token.
 *
 * Every case that applies runs against lighttpd (mod_fastcgi) and
 * Apache (mod_fcgid) from the shipped configs and users.fcgi run as
 * plain CGI (a Check loop over enum target, see API_TARGETS).  The
 * database is shared with every other suite: each case makes its own
 * accounts and never assumes an empty table.  Run: make
 * check-integration (through scripts/test).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

/* Users the list cases page through, made once for the tcase. */
#define SEED_USERS 45

/*
 * Made by the unchecked fixture in the runner, so every forked case
 * sees them: the 45 ids in ascending order, and a token to list with.
 */
static int64_t seed_ids[SEED_USERS];
static char    seed_token[2048];
static char    seed_err[1024];

/* One page as the API gave it. */
struct page {
	int64_t page, limit, total, pages;
	int64_t ids[100];
	size_t	n;
	long	x_total;
	char	first[128], last[128], prev[128], next[128];
	char	first_item_keys[128];
};

/*
 * Register SEED_USERS users at once through the first server of the
 * run (target_first_server()); no ck_assert here.
 */
static void
seed_setup(void)
{
	struct api_req	    r[SEED_USERS];
	char		    bodies_in[SEED_USERS][512], email[320];
	char		   *bodies[SEED_USERS], login[1024], qe[400];
	long		    st[SEED_USERS], lst;
	struct json_object *o, *v;
	size_t		    i, j;
	int64_t		    tmp;

	seed_err[0] = '\0';
	memset(r, 0, sizeof(r));
	for (i = 0; i < SEED_USERS; i++) {
		snprintf(bodies_in[i], sizeof(bodies_in[i]),
		    "{\"email\":%s,"
		    "\"name\":\"Page User %zu\",\"password\":"
		    "\"correct-horse-1\"}",
		    json_quote(qe, sizeof(qe),
			api_email(email, sizeof(email), "page")),
		    i);
		r[i].method = "POST";
		r[i].path = "/api/users/";
		r[i].body = bodies_in[i];
		if (i == 0)
			snprintf(login, sizeof(login),
			    "{\"email\":%s,"
			    "\"password\":\"correct-horse-1\"}",
			    qe);
	}
	if (api_parallel_try(target_first_server(), r, SEED_USERS, st, bodies,
		seed_err, sizeof(seed_err)) != 0)
		return;
	for (i = 0; i < SEED_USERS; i++) {
		o = json_tokener_parse(bodies[i]);
		if (st[i] != 201 || o == NULL ||
		    !json_object_object_get_ex(o, "id", &v)) {
			if (seed_err[0] == '\0')
				snprintf(seed_err, sizeof(seed_err),
				    "seeding "
				    "user %zu: status %ld: %.300s",
				    i, st[i], bodies[i]);
		} else
			seed_ids[i] = json_object_get_int64(v);
		json_object_put(o);
		free(bodies[i]);
	}
	if (seed_err[0] != '\0')
		return;
	for (i = 1; i < SEED_USERS; i++)
		for (j = i; j > 0 && seed_ids[j - 1] > seed_ids[j]; j--) {
			tmp = seed_ids[j];
			seed_ids[j] = seed_ids[j - 1];
			seed_ids[j - 1] = tmp;
		}

	r[0].path = "/api/auth/login";
	r[0].body = login;
	if (api_parallel_try(target_first_server(), r, 1, &lst, bodies,
		seed_err, sizeof(seed_err)) != 0)
		return;
	o = json_tokener_parse(bodies[0]);
	if (lst != 200 || o == NULL ||
	    !json_object_object_get_ex(o, "access_token", &v))
		snprintf(seed_err, sizeof(seed_err),
		    "seeding: login: status "
		    "%ld: %.300s",
		    lst, bodies[0]);
	else
		snprintf(seed_token, sizeof(seed_token), "%s",
		    json_object_get_string(v));
	json_object_put(o);
	free(bodies[0]);
}

static void
want_seeded(void)
{
	ck_assert_msg(seed_err[0] == '\0' && seed_token[0] != '\0',
	    "set-up of the %d list users failed: %s", SEED_USERS,
	    seed_err[0] != '\0' ? seed_err : "no token");
}

/* Split every Link header of "x" into the four relations of "p". */
static void
parse_links(const struct xchg *x, struct page *p)
{
	size_t	    h;
	const char *v, *lt, *gt, *rel, *q;
	char	   *dst;

	p->first[0] = p->last[0] = p->prev[0] = p->next[0] = '\0';
	for (h = 0; h < x->resp.nheaders; h++) {
		if (strcasecmp(x->resp.headers[h].name, "Link") != 0)
			continue;
		for (v = x->resp.headers[h].value;
		     (lt = strchr(v, '<')) != NULL; v = gt + 1) {
			ck_assert_msg((gt = strchr(lt, '>')) != NULL,
			    "%s: Link without '>': %s", x->label,
			    x->resp.headers[h].value);
			rel = strstr(gt, "rel=\"");
			ck_assert_msg(rel != NULL,
			    "%s: Link value without "
			    "rel=\"...\": %s",
			    x->label, x->resp.headers[h].value);
			rel += 5;
			q = strchr(rel, '"');
			ck_assert_msg(q != NULL, "%s: bad Link: %s", x->label,
			    x->resp.headers[h].value);
			if (strncmp(rel, "first\"", 6) == 0)
				dst = p->first;
			else if (strncmp(rel, "last\"", 5) == 0)
				dst = p->last;
			else if (strncmp(rel, "prev\"", 5) == 0)
				dst = p->prev;
			else if (strncmp(rel, "next\"", 5) == 0)
				dst = p->next;
			else
				continue;
			ck_assert_msg(dst[0] == '\0',
			    "%s: rel=\"%.*s\" twice "
			    "in Link",
			    x->label, (int)(q - rel), rel);
			snprintf(dst, 128, "%.*s", (int)(gt - lt - 1), lt + 1);
		}
	}
}

/* GET /api/users/<query> as "token" on "t"; 200 and the page, or fail. */
static void
list_get(enum target t, const char *token, const char *query, struct page *p)
{
	struct xchg	    x;
	struct json_object *o, *data, *meta, *it;
	char		    path[256];
	size_t		    i, k = 0;

	snprintf(path, sizeof(path), "/api/users/%s", query);
	api_call(&x, t, "GET", path, token, NULL);
	want_status(&x, 200);
	o = want_json(&x);
	ck_assert_msg(json_object_object_get_ex(o, "data", &data) &&
		json_object_is_type(data, json_type_array) &&
		json_object_object_get_ex(o, "meta", &meta) &&
		json_object_is_type(meta, json_type_object),
	    "%s: not a page "
	    "{\"data\": [...], \"meta\": {...}}: %.300s",
	    x.label, x.resp.body);
	memset(p, 0, sizeof(*p));
	p->page = json_int(meta, "page", x.label);
	p->limit = json_int(meta, "limit", x.label);
	p->total = json_int(meta, "total", x.label);
	p->pages = json_int(meta, "total_pages", x.label);
	p->n = json_object_array_length(data);
	ck_assert_msg(p->n <= 100, "%s: %zu items", x.label, p->n);
	for (i = 0; i < p->n; i++) {
		it = json_object_array_get_idx(data, i);
		p->ids[i] = json_int(it, "id", x.label);
		if (i == 0) {
			json_object_object_foreach(it, key, val)
			{
				(void)val;
				k += (size_t)snprintf(p->first_item_keys + k,
				    sizeof(p->first_item_keys) - k, "%s%s",
				    k > 0 ? "," : "", key);
				if (k >= sizeof(p->first_item_keys))
					break;
			}
		}
	}
	p->x_total = want_number_header(&x, "X-Total-Count");
	parse_links(&x, p);
	json_object_put(o);
	xchg_free(&x);
}

static int64_t
ceil_div(int64_t a, int64_t b)
{
	return a / b + (a % b != 0);
}

/* Every id, in the API's order, paging with limit 100. */
static int64_t *
list_all(enum target t, size_t *n, int64_t *total)
{
	struct page p;
	int64_t	   *ids = NULL, pg;
	char	    q[64];

	*n = 0;
	for (pg = 1;; pg++) {
		snprintf(q, sizeof(q), "?page=%lld&limit=100", (long long)pg);
		list_get(t, seed_token, q, &p);
		if (pg == 1)
			*total = p.total;
		ck_assert_msg(p.total == *total,
		    "the total changed while "
		    "paging: %lld then %lld",
		    (long long)*total, (long long)p.total);
		if (p.n == 0)
			break;
		ids = realloc(ids, (*n + p.n) * sizeof(*ids));
		ck_assert(ids != NULL);
		memcpy(ids + *n, p.ids, p.n * sizeof(*ids));
		*n += p.n;
		if (pg >= p.pages)
			break;
	}
	return ids;
}

static void
want_link(const char *got, const char *rel, int64_t page, int64_t limit,
    const char *label)
{
	char path[128], want[256];

	snprintf(path, sizeof(path), "/api/users/?page=%lld&limit=%lld",
	    (long long)page, (long long)limit);
	api_url(want, sizeof(want), path);
	ck_assert_msg(strcmp(got, want) == 0,
	    "%s: Link rel=\"%s\" <%s>, "
	    "want <%s>",
	    label, rel, got, want);
}

START_TEST(list_default_meta)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "", &p);
	ck_assert_int_eq(p.page, 1);
	ck_assert_int_eq(p.limit, 20);
	ck_assert_msg(p.total >= SEED_USERS, "total %lld < %d",
	    (long long)p.total, SEED_USERS);
	ck_assert_int_eq(p.pages, ceil_div(p.total, 20));
}
END_TEST

START_TEST(list_no_slash_200)
{
	struct xchg x;

	want_seeded();
	api_call(&x, TGT, "GET", "/api/users", seed_token, NULL);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(list_total_pages_limit_7)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=1&limit=7", &p);
	ck_assert_int_eq(p.limit, 7);
	ck_assert_int_eq(p.pages, ceil_div(p.total, 7));
	ck_assert_uint_eq(p.n, 7);
}
END_TEST

START_TEST(list_first_page_full)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=1&limit=20", &p);
	ck_assert_uint_eq(p.n, 20);
}
END_TEST

START_TEST(list_last_page_remainder)
{
	struct page p;
	char	    q[64];
	int64_t	    total, pages;

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	total = p.total;
	pages = p.pages;
	snprintf(q, sizeof(q), "?page=%lld&limit=20", (long long)pages);
	list_get(TGT, seed_token, q, &p);
	ck_assert_int_eq(p.total, total);
	ck_assert_int_eq((int64_t)p.n, total - 20 * (pages - 1));
}
END_TEST

START_TEST(list_past_end_empty)
{
	struct xchg x;
	struct page p;
	char	    path[96];

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	snprintf(path, sizeof(path), "/api/users/?page=%lld&limit=20",
	    (long long)p.pages + 1);
	api_call(&x, TGT, "GET", path, seed_token, NULL);
	want_status(&x, 200);
	ck_assert_msg(strncmp(x.resp.body, "{\"data\":[],\"meta\":", 18) == 0,
	    "%s: want {\"data\":[],\"meta\":...}: %.300s", x.label,
	    x.resp.body);
	xchg_free(&x);
}
END_TEST

START_TEST(list_past_end_meta)
{
	struct page p, q;
	char	    query[64];

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	snprintf(query, sizeof(query), "?page=%lld&limit=20",
	    (long long)p.pages + 1);
	list_get(TGT, seed_token, query, &q);
	ck_assert_int_eq(q.page, p.pages + 1);
	ck_assert_int_eq(q.total, p.total);
	ck_assert_int_eq(q.pages, p.pages);
}
END_TEST

/* Every page joined: ascending ids, "total" of them, ours among them. */
START_TEST(list_ordered_by_id)
{
	int64_t *ids, total;
	size_t	 n, i, k = 0;

	want_seeded();
	ids = list_all(TGT, &n, &total);
	ck_assert_int_eq((int64_t)n, total);
	for (i = 1; i < n; i++)
		ck_assert_msg(ids[i - 1] < ids[i],
		    "ids not ascending at %zu: "
		    "%lld then %lld",
		    i, (long long)ids[i - 1], (long long)ids[i]);
	for (i = 0; i < n && k < SEED_USERS; i++)
		if (ids[i] == seed_ids[k])
			k++;
	ck_assert_msg(k == SEED_USERS,
	    "only %zu of the %d users made for "
	    "this case were listed",
	    k, SEED_USERS);
	free(ids);
}
END_TEST

/* Our users sit on the page their position says, at the index it says. */
START_TEST(list_positions_of_ours)
{
	static const size_t pick[] = { 0, 9, 10, 22, SEED_USERS - 1 };
	struct page	    p;
	int64_t		   *ids, total;
	size_t		    n, i, k, pos;
	char		    q[64];

	want_seeded();
	ids = list_all(TGT, &n, &total);
	for (k = 0; k < sizeof(pick) / sizeof(pick[0]); k++) {
		for (pos = 0; pos < n && ids[pos] != seed_ids[pick[k]]; pos++)
			continue;
		ck_assert_msg(pos < n, "user %lld not listed",
		    (long long)seed_ids[pick[k]]);
		snprintf(q, sizeof(q), "?page=%zu&limit=10", pos / 10 + 1);
		list_get(TGT, seed_token, q, &p);
		i = pos % 10;
		ck_assert_msg(i < p.n && p.ids[i] == seed_ids[pick[k]],
		    "%s: user %lld (position %zu) is not item %zu", q,
		    (long long)seed_ids[pick[k]], pos, i);
	}
	free(ids);
}
END_TEST

/* Page 2 at limit 20 is items 20..39 of the whole list. */
START_TEST(list_page_2_slice)
{
	struct page p;
	int64_t	   *ids, total;
	size_t	    n, i;

	want_seeded();
	ids = list_all(TGT, &n, &total);
	list_get(TGT, seed_token, "?page=2&limit=20", &p);
	ck_assert_uint_eq(p.n, 20);
	for (i = 0; i < 20; i++)
		ck_assert_msg(p.ids[i] == ids[20 + i],
		    "page 2 item %zu: id "
		    "%lld, want %lld",
		    i, (long long)p.ids[i], (long long)ids[20 + i]);
	free(ids);
}
END_TEST

START_TEST(list_items_are_users)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?limit=5", &p);
	ck_assert_str_eq(p.first_item_keys,
	    "id,email,name,role,created_at,updated_at");
}
END_TEST

START_TEST(list_x_total_count)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=2&limit=20", &p);
	ck_assert_int_eq(p.x_total, p.total);
}
END_TEST

START_TEST(list_headers)
{
	struct xchg x;

	want_seeded();
	api_call(&x, TGT, "GET", "/api/users/", seed_token, NULL);
	want_status(&x, 200);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(list_links_first_page)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=1&limit=20", &p);
	want_link(p.first, "first", 1, 20, "page 1");
	want_link(p.last, "last", p.pages, 20, "page 1");
	want_link(p.next, "next", 2, 20, "page 1");
	ck_assert_msg(p.prev[0] == '\0', "page 1 has rel=\"prev\" <%s>",
	    p.prev);
}
END_TEST

START_TEST(list_links_middle_page)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=2&limit=20", &p);
	ck_assert_msg(p.pages >= 3, "%lld pages", (long long)p.pages);
	want_link(p.first, "first", 1, 20, "page 2");
	want_link(p.last, "last", p.pages, 20, "page 2");
	want_link(p.prev, "prev", 1, 20, "page 2");
	want_link(p.next, "next", 3, 20, "page 2");
}
END_TEST

START_TEST(list_links_last_page)
{
	struct page p;
	char	    q[64];
	int64_t	    pages;

	want_seeded();
	list_get(TGT, seed_token, "?limit=20", &p);
	pages = p.pages;
	snprintf(q, sizeof(q), "?page=%lld&limit=20", (long long)pages);
	list_get(TGT, seed_token, q, &p);
	want_link(p.first, "first", 1, 20, "last page");
	want_link(p.last, "last", pages, 20, "last page");
	want_link(p.prev, "prev", pages - 1, 20, "last page");
	ck_assert_msg(p.next[0] == '\0',
	    "the last page has rel=\"next\" "
	    "<%s>",
	    p.next);
}
END_TEST

/* The exact header text of the example in API.md. */
START_TEST(list_link_next_exact_text)
{
	struct xchg x;
	const char *v;
	char	    url[200], next[256];

	want_seeded();
	api_call(&x, TGT, "GET", "/api/users/?page=1&limit=20", seed_token,
	    NULL);
	want_status(&x, 200);
	v = http_header(&x.resp, "Link");
	snprintf(next, sizeof(next), "<%s>; rel=\"next\"",
	    api_url(url, sizeof(url), "/api/users/?page=2&limit=20"));
	ck_assert_msg(v != NULL && strstr(v, next) != NULL,
	    "%s: Link \"%s\" lacks %s", x.label, v != NULL ? v : "(none)",
	    next);
	xchg_free(&x);
}
END_TEST

/* Only "page" given: the links carry the default limit. */
START_TEST(list_links_default_limit)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?page=2", &p);
	ck_assert_int_eq(p.limit, 20);
	want_link(p.prev, "prev", 1, 20, "?page=2");
	want_link(p.next, "next", 3, 20, "?page=2");
}
END_TEST

START_TEST(list_limit_100_ok)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?limit=100", &p);
	ck_assert_int_eq(p.limit, 100);
	ck_assert_uint_eq(p.n, (size_t)(p.total < 100 ? p.total : 100));
}
END_TEST

START_TEST(list_limit_1_ok)
{
	struct page p;

	want_seeded();
	list_get(TGT, seed_token, "?limit=1", &p);
	ck_assert_int_eq(p.limit, 1);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_int_eq(p.pages, p.total);
}
END_TEST

static void
list_422(enum target t, const char *query, const char *e1, const char *e2)
{
	struct xchg x;
	char	    path[128];

	want_seeded();
	snprintf(path, sizeof(path), "/api/users/%s", query);
	api_call(&x, t, "GET", path, seed_token, NULL);
	want_422_exact(&x, e1, e2);
	xchg_free(&x);
}

START_TEST(list_page_0_422)
{
	char e[512];

	list_422(TGT, "?page=0",
	    entry_json(e, sizeof(e), "greater_than_equal",
		"[\"query\",\"page\"]", MSG_GE1, "\"0\"", "{\"ge\":1}"),
	    NULL);
}
END_TEST

START_TEST(list_page_negative_422)
{
	char e[512];

	list_422(TGT, "?page=-1",
	    entry_json(e, sizeof(e), "greater_than_equal",
		"[\"query\",\"page\"]", MSG_GE1, "\"-1\"", "{\"ge\":1}"),
	    NULL);
}
END_TEST

START_TEST(list_limit_101_422)
{
	char e[512];

	list_422(TGT, "?limit=101",
	    entry_json(e, sizeof(e), "less_than_equal", "[\"query\",\"limit\"]",
		MSG_LE100, "\"101\"", "{\"le\":100}"),
	    NULL);
}
END_TEST

START_TEST(list_limit_0_422)
{
	char e[512];

	list_422(TGT, "?limit=0",
	    entry_json(e, sizeof(e), "greater_than_equal",
		"[\"query\",\"limit\"]", MSG_GE1, "\"0\"", "{\"ge\":1}"),
	    NULL);
}
END_TEST

START_TEST(list_page_abc_422)
{
	char e[512];

	list_422(TGT, "?page=abc",
	    entry_json(e, sizeof(e), "int_parsing", "[\"query\",\"page\"]",
		MSG_INT_PARSE, "\"abc\"", NULL),
	    NULL);
}
END_TEST

START_TEST(list_limit_abc_422)
{
	char e[512];

	list_422(TGT, "?limit=2x",
	    entry_json(e, sizeof(e), "int_parsing", "[\"query\",\"limit\"]",
		MSG_INT_PARSE, "\"2x\"", NULL),
	    NULL);
}
END_TEST

START_TEST(list_both_bad_422)
{
	char e1[512], e2[512];

	list_422(TGT, "?page=0&limit=101",
	    entry_json(e1, sizeof(e1), "greater_than_equal",
		"[\"query\",\"page\"]", MSG_GE1, "\"0\"", "{\"ge\":1}"),
	    entry_json(e2, sizeof(e2), "less_than_equal",
		"[\"query\",\"limit\"]", MSG_LE100, "\"101\"", "{\"le\":100}"));
}
END_TEST

START_TEST(list_no_token_401)
{
	struct xchg x;

	api_call(&x, TGT, "GET", "/api/users/", NULL, NULL);
	want_401(&x, "Not authenticated");
	xchg_free(&x);
}
END_TEST

static Suite *
list_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("list");

	tc = tcase_create("pagination");
	tcase_set_timeout(tc, 180);
	tcase_add_unchecked_fixture(tc, seed_setup, NULL);
	tcase_add_loop_test(tc, list_default_meta, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_no_slash_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_total_pages_limit_7, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_first_page_full, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_last_page_remainder, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_past_end_empty, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_past_end_meta, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_ordered_by_id, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_positions_of_ours, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_2_slice, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_items_are_users, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_x_total_count, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_first_page, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_middle_page, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_last_page, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_link_next_exact_text, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_links_default_limit, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_100_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_1_ok, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_0_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_negative_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_101_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_0_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_page_abc_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_limit_abc_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_both_bad_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, list_no_token_401, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(list_suite);
}
