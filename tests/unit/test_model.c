/*
 * test_model.c -- models declared once: the JSON writer byte for byte,
 * the row reader on results built without a server, the SQL lists, and
 * each model's struct, field table, columns and keys agreeing.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libpq-fe.h>

#include "userapi/buf.h"
#include "userapi/json_out.h"
#include "userapi/model.h"
#include "userapi/order.h"
#include "userapi/session.h"
#include "userapi/user.h"
#include "model-private.h"

/* A model that is not the service's: a noexport field, and a list. */
/* clang-format off */
#define TEST_PART_MODEL(F, N, x)					\
	F(x, TEXT, code, "code", "code", (), 8)
#define TEST_THING_MODEL(F, N, x)					\
	F(x, INT,          id,     "id",     "id",     ())		\
	N(x, TEXT,         secret, "secret", "secret",		\
	    (.noexport = true), 16)					\
	N(x, NULLABLE_INT, rank,   "rank",   "rank",   (), has_rank) \
	N(x, LIST,         parts,  "parts",  NULL,     (), nparts,	\
	    struct test_part, test_part_model)				\
	N(x, TEXT_PTR,     label,  "label",  "label",  ())
/* clang-format on */

struct test_part {
	UA_MODEL_MEMBERS(TEST_PART_MODEL)
};

struct test_thing {
	UA_MODEL_MEMBERS(TEST_THING_MODEL)
};

static const struct ua_mfield test_part_fields[] = {
	UA_MODEL_FIELDS(TEST_PART_MODEL, struct test_part)
};
static const struct ua_model test_part_model =
    UA_MODEL_INIT("Part", test_part_fields, TEST_PART_MODEL, struct test_part);

static const struct ua_mfield test_thing_fields[] = {
	UA_MODEL_FIELDS(TEST_THING_MODEL, struct test_thing)
};
static const struct ua_model test_thing_model = UA_MODEL_INIT("Thing",
    test_thing_fields, TEST_THING_MODEL, struct test_thing);

enum test_thing_col { UA_MODEL_COL_ENUM(TEST_THING_MODEL, TCOL_) TCOL__MAX };

/* "m" of "obj" as JSON, in a new string. */
static char *
to_json(const struct ua_model *m, const void *obj)
{
	struct ua_buf b;

	ua_buf_init(&b);
	ua_model_append_json(&b, m, obj);
	return b.data;
}

static void
assert_json(const struct ua_model *m, const void *obj, const char *want)
{
	char *got = to_json(m, obj);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(user_json_byte_for_byte)
{
	struct ua_user u;
	struct ua_buf  b;

	memset(&u, 0, sizeof(u));
	u.id = 7;
	snprintf(u.email, sizeof(u.email), "%s", "\"o'neil\"@example.com");
	snprintf(u.name, sizeof(u.name), "%s", "Zo\xc3\xab \\ /\t\x01");
	u.role = UA_ROLE_ADMIN;
	u.created_us = INT64_C(1795687200123456);
	assert_json(&ua_user_model, &u,
	    "{\"id\":7,\"email\":\"\\\"o'neil\\\"@example.com\","
	    "\"name\":\"Zo\xc3\xab \\\\ /\\t\\u0001\",\"role\":\"admin\","
	    "\"created_at\":\"2026-11-26T10:00:00.123456Z\","
	    "\"updated_at\":null}");

	u.role = UA_ROLE_USER;
	u.created_us = INT64_C(1795687200123450);
	u.has_updated = true;
	u.updated_us = INT64_C(1795687201000000);
	assert_json(&ua_user_model, &u,
	    "{\"id\":7,\"email\":\"\\\"o'neil\\\"@example.com\","
	    "\"name\":\"Zo\xc3\xab \\\\ /\\t\\u0001\",\"role\":\"user\","
	    "\"created_at\":\"2026-11-26T10:00:00.123450Z\","
	    "\"updated_at\":\"2026-11-26T10:00:01Z\"}");

	/* ua_user_append_json() is the same writer, appending. */
	ua_buf_init(&b);
	ua_buf_puts(&b, "[");
	ua_user_append_json(&b, &u);
	ck_assert_ptr_nonnull(strstr(b.data, "[{\"id\":7,"));
	ck_assert_ptr_nonnull(strstr(b.data, "01Z\"}"));
	ua_buf_cleanup(&b);
}
END_TEST

/* API.md's session object: a BOOL is a JSON true or false. */
START_TEST(session_json_as_api_md)
{
	struct ua_session se;

	memset(&se, 0, sizeof(se));
	snprintf(se.id, sizeof(se.id), "%s",
	    "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
	se.created_us = INT64_C(1795687200123456);
	se.last_used_us = INT64_C(1795687260000000);
	se.expires_us = INT64_C(1798279200123456);
	snprintf(se.ip, sizeof(se.ip), "%s", "192.0.2.7");
	se.current = true;
	assert_json(&ua_session_model, &se,
	    "{\"id\":\"6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f\","
	    "\"created_at\":\"2026-11-26T10:00:00.123456Z\","
	    "\"last_used_at\":\"2026-11-26T10:01:00Z\","
	    "\"expires_at\":\"2026-12-26T10:00:00.123456Z\","
	    "\"user_agent\":null,\"ip\":\"192.0.2.7\",\"current\":true}");

	se.user_agent = strdup("curl/8.5 \"x\"");
	ck_assert_ptr_nonnull(se.user_agent);
	se.current = false;
	assert_json(&ua_session_model, &se,
	    "{\"id\":\"6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f\","
	    "\"created_at\":\"2026-11-26T10:00:00.123456Z\","
	    "\"last_used_at\":\"2026-11-26T10:01:00Z\","
	    "\"expires_at\":\"2026-12-26T10:00:00.123456Z\","
	    "\"user_agent\":\"curl/8.5 \\\"x\\\"\",\"ip\":\"192.0.2.7\","
	    "\"current\":false}");
	ua_session_cleanup(&se);
	ck_assert_ptr_null(se.user_agent);
}
END_TEST

/* API.md's example order, with "n" items of "items". */
static void
example_order(struct ua_order *o, struct ua_order_item *items, size_t n)
{
	memset(o, 0, sizeof(*o));
	o->id = 12;
	o->has_user = true;
	o->user_id = 7;
	o->status = UA_ORDER_PENDING;
	memcpy(o->currency, "EUR", 4);
	o->items = items;
	o->nitems = n;
	o->total_cents = 2598;
	o->version = 1;
	o->created_us = INT64_C(1796551200500000);
}

START_TEST(order_json_as_api_md)
{
	struct ua_order_item it;
	struct ua_order	     o;
	struct ua_buf	     b;

	memset(&it, 0, sizeof(it));
	memcpy(it.sku, "BK-1", 5);
	memcpy(it.name, "Book", 5);
	it.unit_price_cents = 1299;
	it.quantity = 2;
	it.line_total_cents = 2598;
	example_order(&o, &it, 1);
	ua_buf_init(&b);
	ua_order_append_json(&b, &o);
	ck_assert_str_eq(b.data,
	    "{\"id\":12,\"user_id\":7,\"status\":\"pending\","
	    "\"currency\":\"EUR\",\"items\":[{\"sku\":\"BK-1\","
	    "\"name\":\"Book\",\"unit_price_cents\":1299,\"quantity\":2,"
	    "\"line_total_cents\":2598}],\"total_cents\":2598,"
	    "\"note\":null,\"version\":1,"
	    "\"created_at\":\"2026-12-06T10:00:00.500000Z\","
	    "\"updated_at\":null}");
	ua_buf_cleanup(&b);
}
END_TEST

START_TEST(order_json_nulls_and_no_items)
{
	struct ua_order o;
	char		note[] = "a \"gift\"\n\\ \xe2\x82\xac";

	example_order(&o, NULL, 0);
	o.has_user = false;
	o.user_id = 99; /* not shown: the owner is gone */
	o.status = UA_ORDER_CANCELLED;
	o.total_cents = 0;
	o.note = note;
	o.version = 3;
	o.has_updated = true;
	o.updated_us = INT64_C(1796551260000001);
	assert_json(&ua_order_model, &o,
	    "{\"id\":12,\"user_id\":null,\"status\":\"cancelled\","
	    "\"currency\":\"EUR\",\"items\":[],\"total_cents\":0,"
	    "\"note\":\"a \\\"gift\\\"\\n\\\\ \xe2\x82\xac\",\"version\":3,"
	    "\"created_at\":\"2026-12-06T10:00:00.500000Z\","
	    "\"updated_at\":\"2026-12-06T10:01:00.000001Z\"}");
}
END_TEST

START_TEST(order_json_several_items)
{
	struct ua_order_item it[3];
	struct ua_order	     o;
	size_t		     i;

	memset(it, 0, sizeof(it));
	for (i = 0; i < 3; i++) {
		snprintf(it[i].sku, sizeof(it[i].sku), "S-%zu", i);
		snprintf(it[i].name, sizeof(it[i].name), "n\"%zu", i);
		it[i].unit_price_cents = (int64_t)i * 100;
		it[i].quantity = 1000;
		it[i].line_total_cents = (int64_t)i * 100000;
	}
	it[2].unit_price_cents = UA_UNIT_PRICE_MAX;
	it[2].line_total_cents = UA_UNIT_PRICE_MAX * UA_QUANTITY_MAX;
	example_order(&o, it, 3);
	o.status = UA_ORDER_DELIVERED;
	assert_json(&ua_order_model, &o,
	    "{\"id\":12,\"user_id\":7,\"status\":\"delivered\","
	    "\"currency\":\"EUR\",\"items\":["
	    "{\"sku\":\"S-0\",\"name\":\"n\\\"0\",\"unit_price_cents\":0,"
	    "\"quantity\":1000,\"line_total_cents\":0},"
	    "{\"sku\":\"S-1\",\"name\":\"n\\\"1\",\"unit_price_cents\":100,"
	    "\"quantity\":1000,\"line_total_cents\":100000},"
	    "{\"sku\":\"S-2\",\"name\":\"n\\\"2\","
	    "\"unit_price_cents\":100000000000,\"quantity\":1000,"
	    "\"line_total_cents\":100000000000000}],"
	    "\"total_cents\":2598,\"note\":null,\"version\":1,"
	    "\"created_at\":\"2026-12-06T10:00:00.500000Z\","
	    "\"updated_at\":null}");
}
END_TEST

START_TEST(noexport_is_never_written)
{
	struct test_part  p[2];
	struct test_thing t;

	memset(&t, 0, sizeof(t));
	memset(p, 0, sizeof(p));
	t.id = -1;
	memcpy(t.secret, "hunter2", 8);
	assert_json(&test_thing_model, &t,
	    "{\"id\":-1,\"rank\":null,\"parts\":[],\"label\":null}");
	memcpy(p[0].code, "a", 2);
	memcpy(p[1].code, "b", 2);
	t.parts = p;
	t.nparts = 2;
	t.has_rank = true;
	t.rank = INT64_MIN;
	t.label = t.secret + 6;
	assert_json(&test_thing_model, &t,
	    "{\"id\":-1,\"rank\":-9223372036854775808,"
	    "\"parts\":[{\"code\":\"a\"},{\"code\":\"b\"}],\"label\":\"2\"}");
}
END_TEST

START_TEST(out_of_range_enum_is_a_question_mark)
{
	struct ua_user u;
	char	      *s;

	memset(&u, 0, sizeof(u));
	u.role = UA_ROLE__MAX;
	s = to_json(&ua_user_model, &u);
	ck_assert_ptr_nonnull(strstr(s, "\"role\":\"?\""));
	free(s);
}
END_TEST

/* The SQL text is what the queries had before the declaration. */
START_TEST(select_lists)
{
	ck_assert_str_eq(UA_USER_COLS_OF("c"),
	    "c.id, c.email, c.name, c.role::text AS role,"
	    " (extract(epoch FROM c.created_at) * 1000000)::bigint"
	    " AS created_us,"
	    " (extract(epoch FROM c.updated_at) * 1000000)::bigint"
	    " AS updated_us");
	ck_assert_str_eq(UA_ORDER_COLS_OF("o"),
	    "o.id, o.user_id, o.status::text AS status, o.currency,"
	    " o.total_cents, o.note, o.version,"
	    " (extract(epoch FROM o.created_at) * 1000000)::bigint"
	    " AS created_us,"
	    " (extract(epoch FROM o.updated_at) * 1000000)::bigint"
	    " AS updated_us");
	ck_assert_str_eq(UA_ORDER_ITEM_COLS_OF("i"),
	    "i.sku, i.name, i.unit_price_cents, i.quantity,"
	    " i.line_total_cents");
	ck_assert_str_eq(UA_SESSION_COLS_OF("s"),
	    "s.id,"
	    " (extract(epoch FROM s.created_at) * 1000000)::bigint"
	    " AS created_us,"
	    " (extract(epoch FROM s.last_used_at) * 1000000)::bigint"
	    " AS last_used_us,"
	    " (extract(epoch FROM s.expires_at) * 1000000)::bigint"
	    " AS expires_us,"
	    " s.user_agent, s.ip, s.is_current");
	ck_assert_str_eq(UA_MODEL_COLS_OF(TEST_THING_MODEL, "t"),
	    "t.id, t.secret, t.rank, t.label");
}
END_TEST

/* Field table, struct, columns and keys of "m" agree. */
static void
assert_consistent(const struct ua_model *m, size_t ncol_enum)
{
	const struct ua_mfield *f;
	struct ua_buf		b;
	size_t			i, j, ncol = 0, prev_end = 0;
	char			want[128];

	ck_assert_uint_gt(m->nfields, 0);
	ck_assert_uint_le(m->nfields, UA_MODEL_FIELDS_MAX);
	ck_assert_ptr_nonnull(m->fields[0].column); /* the first has one */
	ua_buf_init(&b);
	for (i = 0; i < m->nfields; i++) {
		f = &m->fields[i];
		/* Members in declaration order, inside the struct. */
		ck_assert_uint_ge(f->off, prev_end);
		ck_assert_uint_le(f->off + f->size, m->size);
		prev_end = f->off + f->size;
		if (f->nullable && f->kind != UA_MK_TEXT_PTR) {
			ck_assert_uint_le(f->has_off + sizeof(bool), f->off);
		}
		/* Keys plain JSON, unique; the writer's prefix matches. */
		ua_buf_reset(&b);
		ua_json_append_str(&b, f->key);
		snprintf(want, sizeof(want), "\"%s\"", f->key);
		ck_assert_str_eq(b.data, want);
		snprintf(want, sizeof(want), ",\"%s\":", f->key);
		ck_assert_str_eq(f->jkey, want);
		ck_assert_uint_eq(f->jkeylen, strlen(want));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(m->fields[j].key, f->key);
		switch (f->kind) {
		case UA_MK_INT:
		case UA_MK_TIME:
			ck_assert_uint_eq(f->size, sizeof(int64_t));
			break;
		case UA_MK_TEXT:
			ck_assert_uint_gt(f->size, 1);
			break;
		case UA_MK_TEXT_PTR:
			ck_assert_uint_eq(f->size, sizeof(char *));
			ck_assert(f->nullable);
			break;
		case UA_MK_BOOL:
			ck_assert_uint_eq(f->size, sizeof(bool));
			break;
		case UA_MK_ENUM:
			ck_assert_uint_eq(f->size, sizeof(int));
			ck_assert_int_gt(f->nnames, 0);
			for (j = 0; j < (size_t)f->nnames; j++) {
				ck_assert_ptr_nonnull(f->names[j]);
				ck_assert_ptr_nonnull(f->db_names[j]);
			}
			break;
		case UA_MK_LIST:
			ck_assert_ptr_null(f->column);
			ck_assert_ptr_nonnull(f->item);
			ck_assert_uint_le(f->count_off + sizeof(size_t),
			    m->size);
			break;
		case UA_MK__MAX:
		default:
			ck_abort_msg("%s: no kind", f->key);
		}
		if (f->column != NULL)
			ncol++;
	}
	ck_assert_uint_eq(ncol, m->ncolumns);
	ck_assert_uint_eq(ncol, ncol_enum);
	ua_buf_cleanup(&b);
}

START_TEST(models_are_consistent)
{
	assert_consistent(&ua_user_model, UA_USER_COL__MAX);
	assert_consistent(&ua_order_model, UA_ORDER_COL__MAX);
	assert_consistent(&ua_order_item_model, UA_ORDER_ITEM_COL__MAX);
	assert_consistent(&ua_session_model, UA_SESSION_COL__MAX);
	assert_consistent(&test_thing_model, TCOL__MAX);
	ck_assert_uint_eq(ua_session_model.nfields, 7);
	ck_assert_uint_eq(ua_session_model.ncolumns, 7);
	ck_assert_int_eq(UA_SESSION_COL_user_agent, 4);
	ck_assert_int_eq(UA_SESSION_COL_current, 6);
	ck_assert_uint_eq(ua_user_model.nfields, 6);
	ck_assert_uint_eq(ua_order_model.nfields, 10);
	ck_assert_uint_eq(ua_order_model.ncolumns, 9); /* items: none */
	ck_assert_uint_eq(ua_order_item_model.nfields, 5);
	ck_assert_ptr_eq(ua_order_model.fields[4].item, &ua_order_item_model);
	/* The column enums follow the SELECT lists. */
	ck_assert_int_eq(UA_USER_COL_id, 0);
	ck_assert_int_eq(UA_USER_COL_role, 3);
	ck_assert_int_eq(UA_USER_COL_updated_us, 5);
	ck_assert_int_eq(UA_ORDER_COL_currency, 3);
	ck_assert_int_eq(UA_ORDER_COL_total_cents, 4); /* after no items */
	ck_assert_int_eq(UA_ORDER_COL_updated_us, 8);
	ck_assert_int_eq(UA_ORDER_ITEM_COL_line_total_cents, 4);
	ck_assert_int_eq(TCOL_label, 3);
}
END_TEST

/* The structs as their headers spelled them out before the lists. */
struct old_user {
	int64_t	     id;
	char	     email[UA_EMAIL_MAX + 1];
	char	     name[UA_NAME_MAX_BYTES + 1];
	enum ua_role role;
	int64_t	     created_us;
	bool	     has_updated;
	int64_t	     updated_us;
};

struct old_order_item {
	char	sku[UA_SKU_MAX_BYTES + 1];
	char	name[UA_ITEM_NAME_MAX_BYTES + 1];
	int64_t unit_price_cents;
	int64_t quantity;
	int64_t line_total_cents;
};

struct old_order {
	int64_t		      id;
	bool		      has_user;
	int64_t		      user_id;
	enum ua_order_status  status;
	char		      currency[UA_CURRENCY_LEN + 1];
	struct ua_order_item *items;
	size_t		      nitems;
	int64_t		      total_cents;
	char		     *note;
	int64_t		      version;
	int64_t		      created_us;
	bool		      has_updated;
	int64_t		      updated_us;
};

#define SAME_MEMBER(A, B, m) \
	do { \
		ck_assert_uint_eq(offsetof(A, m), offsetof(B, m)); \
		ck_assert_uint_eq(sizeof(((A *)NULL)->m), \
		    sizeof(((B *)NULL)->m)); \
	} while (0)

START_TEST(structs_keep_their_members)
{
	ck_assert_uint_eq(sizeof(struct ua_user), sizeof(struct old_user));
	SAME_MEMBER(struct ua_user, struct old_user, id);
	SAME_MEMBER(struct ua_user, struct old_user, email);
	SAME_MEMBER(struct ua_user, struct old_user, name);
	SAME_MEMBER(struct ua_user, struct old_user, role);
	SAME_MEMBER(struct ua_user, struct old_user, created_us);
	SAME_MEMBER(struct ua_user, struct old_user, has_updated);
	SAME_MEMBER(struct ua_user, struct old_user, updated_us);

	ck_assert_uint_eq(sizeof(struct ua_order_item),
	    sizeof(struct old_order_item));
	SAME_MEMBER(struct ua_order_item, struct old_order_item, sku);
	SAME_MEMBER(struct ua_order_item, struct old_order_item, name);
	SAME_MEMBER(struct ua_order_item, struct old_order_item,
	    unit_price_cents);
	SAME_MEMBER(struct ua_order_item, struct old_order_item, quantity);
	SAME_MEMBER(struct ua_order_item, struct old_order_item,
	    line_total_cents);

	ck_assert_uint_eq(sizeof(struct ua_order), sizeof(struct old_order));
	SAME_MEMBER(struct ua_order, struct old_order, id);
	SAME_MEMBER(struct ua_order, struct old_order, has_user);
	SAME_MEMBER(struct ua_order, struct old_order, user_id);
	SAME_MEMBER(struct ua_order, struct old_order, status);
	SAME_MEMBER(struct ua_order, struct old_order, currency);
	SAME_MEMBER(struct ua_order, struct old_order, items);
	SAME_MEMBER(struct ua_order, struct old_order, nitems);
	SAME_MEMBER(struct ua_order, struct old_order, total_cents);
	SAME_MEMBER(struct ua_order, struct old_order, note);
	SAME_MEMBER(struct ua_order, struct old_order, version);
	SAME_MEMBER(struct ua_order, struct old_order, created_us);
	SAME_MEMBER(struct ua_order, struct old_order, has_updated);
	SAME_MEMBER(struct ua_order, struct old_order, updated_us);
}
END_TEST

/* A result of text columns, one row, built without a server. */
static PGresult *
result_of(int n, const char *const *values)
{
	PGresAttDesc attrs[16];
	PGresult    *res;
	char	     names[16][8];
	int	     i;

	ck_assert_int_le(n, 16);
	memset(attrs, 0, sizeof(attrs));
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	ck_assert_ptr_nonnull(res);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "c%d", i);
		attrs[i].name = names[i];
		attrs[i].typid = 25; /* text */
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	ck_assert(PQsetResultAttrs(res, n, attrs));
	for (i = 0; i < n; i++)
		ck_assert(PQsetvalue(res, 0, i, (char *)(uintptr_t)values[i],
		    values[i] == NULL ? -1 : (int)strlen(values[i])));
	return res;
}

START_TEST(reader_fills_a_user)
{
	const char    *v[] = { "7", "ann@example.com", "Ann Lee", "ADMIN",
		   "1795687200123456", NULL, "extra" };
	struct ua_user u;
	PGresult      *res = result_of(7, v);

	memset(&u, 0, sizeof(u));
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_user_model, &u), UA_OK);
	ck_assert_int_eq(u.id, 7);
	ck_assert_str_eq(u.email, "ann@example.com");
	ck_assert_str_eq(u.name, "Ann Lee");
	ck_assert_int_eq(u.role, UA_ROLE_ADMIN);
	ck_assert_int_eq(u.created_us, INT64_C(1795687200123456));
	ck_assert(!u.has_updated);
	PQclear(res);

	v[3] = "USER";
	v[5] = "1795687201000000";
	res = result_of(7, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_user_model, &u), UA_OK);
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	ck_assert(u.has_updated);
	ck_assert_int_eq(u.updated_us, INT64_C(1795687201000000));
	PQclear(res);
}
END_TEST

START_TEST(reader_refuses_drift)
{
	const char    *v[] = { "7", "ann@example.com", "Ann Lee", "USER",
		   "1795687200123456", NULL };
	char	       longname[UA_NAME_MAX_BYTES + 2];
	struct ua_user u;
	PGresult      *res;

	/* An API spelling where the database's is expected. */
	v[3] = "user";
	res = result_of(6, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_user_model, &u), UA_ERR_DB);
	PQclear(res);
	v[3] = NULL;
	res = result_of(6, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_user_model, &u), UA_ERR_DB);
	PQclear(res);
	v[3] = "USER";
	v[4] = NULL; /* created_at may not be null */
	res = result_of(6, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_user_model, &u), UA_ERR_DB);
	PQclear(res);
	v[4] = "12abc";
	res = result_of(6, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_user_model, &u), UA_ERR_DB);
	PQclear(res);
	v[4] = "1";
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	v[2] = longname;
	res = result_of(6, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_user_model, &u), UA_ERR_DB);
	PQclear(res);
}
END_TEST

START_TEST(reader_fills_an_order_after_other_columns)
{
	/* Two columns of the query's own first, then the order's. */
	const char     *v[] = { "x", "y", "12", NULL, "paid", "EUR", "2598",
		    "a note", "2", "1796551200500000", "1796551260000000" };
	const char     *iv[] = { "BK-1", "Book", "1299", "2", "2598" };
	struct ua_order o;
	PGresult       *res = result_of(11, v);

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(ua_pg_model(res, 0, 2, &ua_order_model, &o), UA_OK);
	PQclear(res);
	ck_assert_int_eq(o.id, 12);
	ck_assert(!o.has_user);
	ck_assert_int_eq(o.status, UA_ORDER_PAID);
	ck_assert_str_eq(o.currency, "EUR");
	ck_assert_int_eq(o.total_cents, 2598);
	ck_assert_str_eq(o.note, "a note");
	ck_assert_int_eq(o.version, 2);
	ck_assert(o.has_updated);
	ck_assert_ptr_null(o.items); /* the repository's to fill */

	o.items = calloc(1, sizeof(*o.items));
	ck_assert_ptr_nonnull(o.items);
	o.nitems = 1;
	res = result_of(5, iv);
	ck_assert_int_eq(ua_pg_model(res, 0, 0, &ua_order_item_model,
			     &o.items[0]),
	    UA_OK);
	PQclear(res);
	ck_assert_str_eq(o.items[0].sku, "BK-1");
	ck_assert_int_eq(o.items[0].line_total_cents, 2598);
	ua_order_cleanup(&o);

	/* A NULL note is a NULL pointer. */
	v[7] = NULL;
	res = result_of(11, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 2, &ua_order_model, &o), UA_OK);
	PQclear(res);
	ck_assert_ptr_null(o.note);
	ua_order_cleanup(&o);
}
END_TEST

START_TEST(reader_fills_a_session)
{
	const char	 *v[] = { "x", "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
		      "1795687200123456", "1795687260000000", "1798279200123456",
		      NULL, "192.0.2.7", "t" };
	char		  longip[UA_ADDR_STRLEN + 2];
	struct ua_session se;
	PGresult	 *res = result_of(8, v);

	memset(&se, 0, sizeof(se));
	ck_assert_int_eq(ua_pg_model(res, 0, 1, &ua_session_model, &se), UA_OK);
	PQclear(res);
	ck_assert_str_eq(se.id, "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
	ck_assert_int_eq(se.created_us, INT64_C(1795687200123456));
	ck_assert_int_eq(se.last_used_us, INT64_C(1795687260000000));
	ck_assert_int_eq(se.expires_us, INT64_C(1798279200123456));
	ck_assert_ptr_null(se.user_agent);
	ck_assert_str_eq(se.ip, "192.0.2.7");
	ck_assert(se.current);

	/* PostgreSQL's text for false, and a user agent. */
	v[5] = "Mozilla/5.0";
	v[7] = "f";
	res = result_of(8, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 1, &ua_session_model, &se), UA_OK);
	PQclear(res);
	ck_assert_str_eq(se.user_agent, "Mozilla/5.0");
	ck_assert(!se.current);
	ua_session_cleanup(&se);

	/* A NULL boolean, and an address too long for the model: drift. */
	v[7] = NULL;
	res = result_of(8, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 1, &ua_session_model, &se),
	    UA_ERR_DB);
	PQclear(res);
	ua_session_cleanup(&se);
	v[7] = "t";
	memset(longip, '1', sizeof(longip) - 1);
	longip[sizeof(longip) - 1] = '\0';
	v[6] = longip;
	res = result_of(8, v);
	ck_assert_int_eq(ua_pg_model(res, 0, 1, &ua_session_model, &se),
	    UA_ERR_DB);
	PQclear(res);
	ua_session_cleanup(&se);
}
END_TEST

/* The item row's SQL has one element per item column, in order. */
START_TEST(item_row_lists_every_column)
{
	ck_assert_str_eq(UA_ORDER_ITEM_ROW_OF("i"),
	    "ARRAY[i.sku::text, i.name::text, i.unit_price_cents::text,"
	    " i.quantity::text, i.line_total_cents::text]");
}
END_TEST

/* "text" as the one column of a result; the items it holds into "o". */
static enum ua_err
read_items(const char *text, size_t max, struct ua_order *o)
{
	const char *v[] = { text };
	PGresult   *res = result_of(1, v);
	void	   *items;
	enum ua_err er;

	memset(o, 0, sizeof(*o));
	er = ua_pg_model_array(res, 0, 0, &ua_order_item_model, max, &items,
	    &o->nitems);
	o->items = items;
	PQclear(res);
	return er;
}

START_TEST(array_reader_fills_items_in_order)
{
	struct ua_order o;

	/* What PostgreSQL writes: quoted where needed, escaped inside. */
	ck_assert_int_eq(read_items("{{BK-1,Book,1299,2,2598},"
				    "{\"a,b\",\"say \\\"hi\\\" \\\\ {x}\","
				    "0,1,0},{\"NULL\",\" \",5,3,15}}",
			     100, &o),
	    UA_OK);
	ck_assert_uint_eq(o.nitems, 3);
	ck_assert_str_eq(o.items[0].sku, "BK-1");
	ck_assert_str_eq(o.items[0].name, "Book");
	ck_assert_int_eq(o.items[0].unit_price_cents, 1299);
	ck_assert_int_eq(o.items[0].quantity, 2);
	ck_assert_int_eq(o.items[0].line_total_cents, 2598);
	ck_assert_str_eq(o.items[1].sku, "a,b");
	ck_assert_str_eq(o.items[1].name, "say \"hi\" \\ {x}");
	ck_assert_int_eq(o.items[1].unit_price_cents, 0);
	ck_assert_str_eq(o.items[2].sku, "NULL"); /* quoted: a string */
	ck_assert_str_eq(o.items[2].name, " ");
	ck_assert_int_eq(o.items[2].line_total_cents, 15);
	ua_order_cleanup(&o);

	/* No items. */
	ck_assert_int_eq(read_items("{}", 100, &o), UA_OK);
	ck_assert_uint_eq(o.nitems, 0);
	ck_assert_ptr_null(o.items);
}
END_TEST

START_TEST(array_reader_refuses_drift)
{
	static const char *const bad[] = {
		NULL,			       /* SQL NULL */
		"",			       /* not an array */
		"{",			       /* cut short */
		"{}x",			       /* junk after */
		"{{BK-1,Book,1299,2}}",	       /* a column missing */
		"{{BK-1,Book,1299,2,2598,9}}", /* one too many */
		"{{BK-1,Book,1299,2,2598},}",  /* an empty row */
		"{{BK-1,Book,1299,2,2598}",    /* unclosed */
		"{{BK-1,Book,1299,2,2598}}}",  /* closed twice */
		"{BK-1,Book,1299,2,2598}",     /* one dimension */
		"{{\"BK-1,Book,1299,2,2598}}", /* unterminated quote */
		"{{BK-1,Book,12x,2,2598}}",    /* not a number */
		"{{NULL,Book,1299,2,2598}}",   /* NULL where none may be */
		"{{BK-1,,1299,2,2598}}",       /* empty, unquoted */
		"{{BK-1,Book,1299,2,2598}{a,b,1,1,1}}", /* no comma */
	};
	struct ua_order o;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(read_items(bad[i], 100, &o) == UA_ERR_DB,
		    "accepted %s", bad[i] != NULL ? bad[i] : "NULL");
		ua_order_cleanup(&o);
	}
	/* More rows than allowed. */
	ck_assert_int_eq(read_items("{{a,b,1,1,1},{c,d,1,1,1}}", 1, &o),
	    UA_ERR_DB);
	ua_order_cleanup(&o);
	/* A name too long for the model. */
	{
		char text[UA_ITEM_NAME_MAX_BYTES + 64];

		snprintf(text, sizeof(text), "{{a,%0*d,1,1,1}}",
		    UA_ITEM_NAME_MAX_BYTES + 1, 0);
		ck_assert_int_eq(read_items(text, 100, &o), UA_ERR_DB);
		ua_order_cleanup(&o);
	}
}
END_TEST

static Suite *
model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("ua_model_append_json");

	tcase_add_test(tc, user_json_byte_for_byte);
	tcase_add_test(tc, order_json_as_api_md);
	tcase_add_test(tc, session_json_as_api_md);
	tcase_add_test(tc, order_json_nulls_and_no_items);
	tcase_add_test(tc, order_json_several_items);
	tcase_add_test(tc, noexport_is_never_written);
	tcase_add_test(tc, out_of_range_enum_is_a_question_mark);
	suite_add_tcase(s, tc);

	tc = tcase_create("declarations");
	tcase_add_test(tc, select_lists);
	tcase_add_test(tc, models_are_consistent);
	tcase_add_test(tc, structs_keep_their_members);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_pg_model");
	tcase_add_test(tc, reader_fills_a_user);
	tcase_add_test(tc, reader_refuses_drift);
	tcase_add_test(tc, reader_fills_an_order_after_other_columns);
	tcase_add_test(tc, reader_fills_a_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_pg_model_array");
	tcase_add_test(tc, item_row_lists_every_column);
	tcase_add_test(tc, array_reader_fills_items_in_order);
	tcase_add_test(tc, array_reader_refuses_drift);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(model_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
