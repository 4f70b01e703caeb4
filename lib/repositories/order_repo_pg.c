/*
 * order_repo_pg.c -- the PostgreSQL implementation of ua_order_repo_ops.
 * Only lib/db/ and lib/repositories/ may include <libpq-fe.h>.
 *
 * Every statement goes through ua_db_exec() with its parameters as text
 * and cast in the SQL; a set of items travels as four array parameters
 * (text[] literals written by append_array() below, values only, never
 * SQL).  Times are read as microseconds since the epoch, money as
 * bigint.  An order comes back as one row, its items gathered in one
 * column of that row (a two-dimensional text array in position order,
 * empty for an order without any), and is read by read_orders().  A
 * statement that also reads the caller has it once, in its first row.
 *
 * Atomicity:
 *  - set_status and remove are one conditional statement each (WHERE
 *    status = ... AND version = ...); when it touches no row, the order
 *    is read again to tell the caller why.  Under READ COMMITTED a
 *    conditional UPDATE or DELETE that meets a row changed by a
 *    concurrent transaction waits for it and re-checks its condition on
 *    the row as committed, so of two racing changes exactly one wins.
 *  - update locks the order (SELECT ... FOR UPDATE) in a transaction,
 *    decides in C whether the patch changes anything, and writes items
 *    and order in one statement.
 *  - insert is one statement (the order and its items through CTEs);
 *    with an Idempotency-Key it runs in a transaction that first takes a
 *    transaction-scoped advisory lock on (user, key) without waiting
 *    (so it also holds behind a transaction-pooling PgBouncer, and a
 *    concurrent request is told UA_ERR_IDEM_BUSY at once), then looks
 *    for a kept answer in a new statement (whose snapshot sees what the
 *    lock's previous holder committed), and stores the new answer
 *    before the COMMIT.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"
#include "userapi/db.h"
#include "db/db-pg.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/numparse.h"
#include "userapi/order.h"
#include "userapi/order_repo.h"
#include "userapi/user.h"
#include "model-private.h"
#include "repositories-private.h"

/* The columns of an order: its own, then its items in one. */
enum ocol {
	OCOL_ORDER = 0,			/* UA_ORDER_COL__MAX of them */
	OCOL_ITEMS = UA_ORDER_COL__MAX, /* UA_ORDER_ITEM_ROW_OF rows */
	OCOL__MAX
};

/* Columns of SQL_GET_WITH_CALLER: the caller's, then an order's. */
enum gcol {
	GCOL_CALLER = 0,		/* UA_PG_CALLER__MAX of them */
	GCOL_ORDER = UA_PG_CALLER__MAX, /* OCOL__MAX of them */
	GCOL__MAX = UA_PG_CALLER__MAX + OCOL__MAX
};

/*
 * Columns of the lists: the caller's, the total, then an order's; the
 * first row has the caller and the total and no order, every other row
 * an order and neither.
 */
enum lcol {
	LCOL_TOTAL = UA_PG_CALLER__MAX,
	LCOL_USER_EXISTS,
	LCOL_ORDER,
	LCOL__MAX = LCOL_ORDER + OCOL__MAX
};

/* Columns of SQL_IDEM_GET. */
enum kcol { KCOL_HASH, KCOL_STATUS, KCOL_BODY, KCOL__MAX };

/* Columns of SQL_PEEK. */
enum pcol { PCOL_STATUS, PCOL_VERSION, PCOL__MAX };

/*
 * The columns of enum ocol of the orders row "o": the model's own list
 * (model-private.h), then its items, each one UA_ORDER_ITEM_ROW_OF
 * array, in position order (the order of the primary key's index, so
 * no sort).
 */
#define ORDER_COLS_OF(o) \
	UA_ORDER_COLS_OF(o) \
	", ARRAY(SELECT " UA_ORDER_ITEM_ROW_OF("i") " FROM order_items AS i" \
						    " WHERE i.order_id = " o \
						    ".id ORDER BY i.position)"

/* The same without the items, for the writes that know them already. */
#define ORDER_COLS_NO_ITEMS_OF(o) UA_ORDER_COLS_OF(o) ", '{}'::text[]"

/*
 * The caller, and order $2 with its items: one statement, one row; a
 * missing caller or order leaves its columns NULL.
 */
static const char SQL_GET_WITH_CALLER[] = "SELECT " UA_PG_CALLER_COLS_OF("c",
    "$3") ", " ORDER_COLS_OF("o") " FROM (SELECT 1) AS one"
				  " LEFT JOIN users AS c ON c.id = $1::bigint"
				  " LEFT JOIN orders AS o ON o.id = $2::bigint";

/* Order $1 with its items, locked until the transaction ends. */
static const char SQL_LOCK[] = "SELECT " ORDER_COLS_OF(
    "o") " FROM orders AS o WHERE o.id = $1::bigint FOR UPDATE OF o";

/*
 * The lists.  $1 the caller, $2 the offset, $3 the limit, $4 whether an
 * admin sees everyone's, $5 the caller's session.  "e.everyone" is true for an admin caller who
 * asked for everyone's, from the caller's row as stored.  Each page is
 * one index walk newest first: the primary key, or the indexes of
 * migration 0005 on (status, id), (user_id, id) and (user_id, status,
 * id); the branch that does not apply is cut off before it runs (its
 * condition is a one-time filter).  Only the page's orders are read,
 * with their items.  The total of everyone's orders is the sum of the
 * counters that 0005's triggers keep; a single user's is counted on
 * that user's index entries.  The first row carries the caller and the
 * total (NULL order columns), then one row per order of the page,
 * newest first (NULL caller and total).  The page's ids pass through an
 * array, whose length no plan can see: joined to "p" directly, the
 * orders would be estimated at the generic LIMIT's 10 % of the table,
 * and a plan that costly is compiled (JIT) on every call.
 */
#define LIST_HEAD \
	"WITH c AS (SELECT * FROM users WHERE id = $1::bigint)," \
	" e AS (SELECT coalesce((SELECT role = 'ADMIN' FROM c), false)" \
	"  AND $4::boolean AS everyone),"
#define LIST_TAIL \
	" SELECT " UA_PG_CALLER_COLS_OF("c", \
	    "$5") ", t.n, t.user_exists," \
		  " " ORDER_COLS_OF( \
		      "o") " FROM (SELECT NULL::bigint AS id" \
			   "  UNION ALL SELECT unnest(ARRAY(SELECT id FROM p))) AS k" \
			   " LEFT JOIN c ON k.id IS NULL LEFT JOIN t ON k.id IS NULL" \
			   " LEFT JOIN orders AS o ON o.id = k.id" \
			   " ORDER BY k.id DESC NULLS FIRST"
#define EVERYONE "(SELECT everyone FROM e)"
/*
 * The page's bounds as one-row subqueries: a plan cannot see their
 * values, so every plan of the statement costs the same and PostgreSQL
 * keeps the one it made instead of planning each call anew (a bare
 * "LIMIT $3" makes the generic plan look dearer than a custom one, and
 * re-planning this statement costs more than running it).
 */
#define PAGE \
	" ORDER BY id DESC LIMIT (SELECT $3::bigint) OFFSET (SELECT $2::bigint)"

/* Everyone's or the caller's own; $6 the status, where there is one. */
#define LIST_OWN_OR_ALL(st_and, st_where) \
	LIST_HEAD \
	" p AS ((SELECT id FROM orders WHERE " EVERYONE st_and PAGE ")" \
	"  UNION ALL" \
	"  (SELECT id FROM orders WHERE NOT " EVERYONE \
	"   AND user_id = (SELECT id FROM c)" st_and	       PAGE "))," \
		  " t AS (SELECT CASE WHEN " EVERYONE \
	"  THEN (SELECT sum(n) FROM order_count" st_where ")::bigint" \
	"  ELSE (SELECT count(*) FROM orders" \
	"   WHERE user_id = (SELECT id FROM c)" st_and ") END AS n," \
	"  true AS user_exists)" LIST_TAIL

/* The orders of user $6, for an admin or that user; $7 the status. */
#define LIST_OF_USER(st_and) \
	LIST_HEAD \
	" v AS (SELECT " EVERYONE " OR $6::bigint = (SELECT id FROM c)" \
	"  AS yes)," \
	" p AS (SELECT id FROM orders WHERE (SELECT yes FROM v)" \
	"  AND user_id = $6::bigint" st_and PAGE ")," \
	" t AS (SELECT CASE WHEN (SELECT yes FROM v)" \
	"  THEN (SELECT count(*) FROM orders WHERE user_id = $6::bigint" st_and \
	") ELSE 0 END AS n," \
	"  EXISTS (SELECT 1 FROM users WHERE id = $6::bigint) AS user_exists)" LIST_TAIL

static const char SQL_LIST[] = LIST_OWN_OR_ALL("", "");
static const char SQL_LIST_STATUS[] =
    LIST_OWN_OR_ALL(" AND status = $6::text", " WHERE status = $6::text");
static const char SQL_LIST_USER[] = LIST_OF_USER("");
static const char SQL_LIST_USER_STATUS[] =
    LIST_OF_USER(" AND status = $7::text");

/*
 * A new pending order of user $1 (none if the user is missing) and its
 * items from the arrays $5..$8, in one statement; returns the order's
 * row with no items (the caller has them).
 */
static const char SQL_INSERT[] =
    "WITH o AS ("
    " INSERT INTO orders (user_id, status, currency, total_cents, note)"
    " SELECT u.id, 'pending', $2::text, $3::bigint, $4::text"
    " FROM users AS u WHERE u.id = $1::bigint RETURNING *),"
    " i AS ("
    " INSERT INTO order_items (order_id, position, sku, name,"
    "  unit_price_cents, quantity, line_total_cents)"
    " SELECT o.id, t.n - 1, t.sku, t.name, t.price, t.qty, t.price * t.qty"
    " FROM o, unnest($5::text[], $6::text[], $7::bigint[], $8::integer[])"
    "  WITH ORDINALITY AS t(sku, name, price, qty, n))"
    " SELECT " ORDER_COLS_NO_ITEMS_OF("o") " FROM o";

/*
 * Change order $1: note $2, total $3 and, with $4, the items from the
 * arrays $5..$8 (rewriting the positions they take, deleting those past
 * them: disjoint rows, so one statement can do both); bumps the
 * version; returns the order's row with no items (the caller has them).
 * Run with the order locked.
 */
static const char SQL_UPDATE[] =
    "WITH d AS ("
    " DELETE FROM order_items WHERE $4::boolean AND order_id = $1::bigint"
    "  AND position >= cardinality($5::text[])),"
    " w AS ("
    " INSERT INTO order_items (order_id, position, sku, name,"
    "  unit_price_cents, quantity, line_total_cents)"
    " SELECT $1::bigint, t.n - 1, t.sku, t.name, t.price, t.qty,"
    "  t.price * t.qty"
    " FROM unnest($5::text[], $6::text[], $7::bigint[], $8::integer[])"
    "  WITH ORDINALITY AS t(sku, name, price, qty, n) WHERE $4::boolean"
    " ON CONFLICT (order_id, position) DO UPDATE SET sku = excluded.sku,"
    "  name = excluded.name, unit_price_cents = excluded.unit_price_cents,"
    "  quantity = excluded.quantity,"
    "  line_total_cents = excluded.line_total_cents)"
    " UPDATE orders AS o SET note = $2::text, total_cents = $3::bigint,"
    "  version = o.version + 1, updated_at = now()"
    " WHERE o.id = $1::bigint"
    " RETURNING " ORDER_COLS_NO_ITEMS_OF("o");

/*
 * Move order $1 from status $2 to $3 if its version is $4 (0: any), and
 * return it with its items; no row if it was not in $2 (or the version
 * differs, or it is missing).
 */
static const char SQL_SET_STATUS[] =
    "WITH u AS (UPDATE orders SET status = $3::text,"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1::bigint AND status = $2::text"
    " AND ($4::bigint = 0 OR version = $4::bigint) RETURNING *)"
    " SELECT " ORDER_COLS_OF("u") " FROM u";

/* Delete order $1 if pending and at version $2 (0: any). */
static const char SQL_DELETE[] =
    "DELETE FROM orders WHERE id = $1::bigint AND status = 'pending'"
    " AND ($2::bigint = 0 OR version = $2::bigint)";

/* Why a conditional change of order $1 touched nothing. */
static const char SQL_PEEK[] =
    "SELECT status, version FROM orders WHERE id = $1::bigint";

/*
 * The lock of (user $1, key $2), without waiting; the two-key form
 * with a class of its own ("uaik"), apart from the other locks.
 */
static const char SQL_IDEM_LOCK[] =
    "SELECT pg_try_advisory_xact_lock(1969318251,"
    " hashtext($1::text || ' ' || $2::text))";

/* The answer kept under (user $1, key $2), if younger than 24 hours. */
static const char SQL_IDEM_GET[] =
    "SELECT request_hash, response_status::bigint, response_body"
    " FROM idempotency_keys WHERE user_id = $1::bigint AND key = $2::text"
    " AND created_at > now() - interval '24 hours'";

/*
 * Keep answer ($4, $5) to request $3 under (user $1, key $2), replacing
 * an expired one; and delete a few of anyone's expired answers
 * (never this key's, so that the two never touch one row), oldest
 * first, skipping rows another transaction holds.
 */
static const char SQL_IDEM_PUT[] =
    "WITH old AS (DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY("
    " SELECT ctid FROM idempotency_keys"
    " WHERE created_at <= now() - interval '24 hours'"
    " AND NOT (user_id = $1::bigint AND key = $2::text)"
    " ORDER BY created_at LIMIT 16 FOR UPDATE SKIP LOCKED)))"
    " INSERT INTO idempotency_keys"
    " (user_id, key, request_hash, response_status, response_body)"
    " VALUES ($1::bigint, $2::text, $3::text, $4::smallint, $5::text)"
    " ON CONFLICT (user_id, key) DO UPDATE"
    " SET request_hash = excluded.request_hash,"
    " response_status = excluded.response_status,"
    " response_body = excluded.response_body, created_at = now()";

_Static_assert(UA_IDEM_TTL_S == 24 * 60 * 60,
    "SQL_IDEM_GET and SQL_IDEM_PUT say 24 hours");

/* ---------------------------------------------------------------- */
/* Reading orders. */

/*
 * Read the orders of rows "first".."nrows"-1 of "res" (order columns
 * from "base" on, one row per order) into "out" (room for "max",
 * zeroed), "*n" how many.  Rows with a NULL order id are skipped.  Each
 * order's items are heap memory: on error the caller cleans "out"[0 ..
 * "max").
 */
static enum ua_err
read_orders(const PGresult *res, int first, int base, struct ua_order *out,
    size_t max, size_t *n)
{
	enum ua_err	 er;
	struct ua_order *o;
	void		*items;
	int		 row, nrows = PQntuples(res);

	*n = 0;
	for (row = first; row < nrows; row++) {
		if (PQgetisnull(res, row, base + OCOL_ORDER + UA_ORDER_COL_id))
			continue;
		if (*n >= max) {
			ua_log_err("orders: more rows than expected");
			return UA_ERR_DB;
		}
		o = &out[(*n)++];
		if ((er = ua_pg_model(res, row, base + OCOL_ORDER,
			 &ua_order_model, o)) != UA_OK)
			return er;
		er = ua_pg_model_array(res, row, base + OCOL_ITEMS,
		    &ua_order_item_model, UA_ORDER_ITEMS_MAX, &items,
		    &o->nitems);
		o->items = items;
		if (er != UA_OK)
			return er;
	}
	return UA_OK;
}

/*
 * The one order of rows "first".. of "res" into "o": UA_OK,
 * UA_ERR_NOT_FOUND if there is none, or UA_ERR_DB; "o" is cleaned on
 * error.
 */
static enum ua_err
read_order(const PGresult *res, int first, int base, struct ua_order *o)
{
	enum ua_err er;
	size_t	    n;

	er = read_orders(res, first, base, o, 1, &n);
	if (er == UA_OK && n == 0)
		er = UA_ERR_NOT_FOUND;
	if (er != UA_OK)
		ua_order_cleanup(o);
	return er;
}

/* ---------------------------------------------------------------- */
/* Writing items. */

/* Append "s" to "b" as a double-quoted element of an array literal. */
static void
append_element(struct ua_buf *b, const char *s)
{
	ua_buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			ua_buf_puts(b, "\\");
		ua_buf_append(b, s, 1);
	}
	ua_buf_puts(b, "\"");
}

/* Which column of the items an array parameter holds. */
enum acol { ACOL_SKU, ACOL_NAME, ACOL_PRICE, ACOL_QTY, ACOL__MAX };

/*
 * The four array parameters of "n" items into "arr" (initialised
 * buffers): the values only, each string quoted and escaped, so that
 * the statement stays the same and nothing is parsed as SQL.
 */
static void
items_to_arrays(const struct ua_order_item_in *items, size_t n,
    struct ua_buf arr[ACOL__MAX])
{
	size_t i;
	int    c;

	for (c = 0; c < ACOL__MAX; c++)
		ua_buf_puts(&arr[c], "{");
	for (i = 0; i < n; i++) {
		for (c = 0; c < ACOL__MAX; c++)
			if (i > 0)
				ua_buf_puts(&arr[c], ",");
		append_element(&arr[ACOL_SKU], items[i].sku);
		append_element(&arr[ACOL_NAME], items[i].name);
		ua_buf_printf(&arr[ACOL_PRICE], "%lld",
		    (long long)items[i].unit_price_cents);
		ua_buf_printf(&arr[ACOL_QTY], "%lld",
		    (long long)items[i].quantity);
	}
	for (c = 0; c < ACOL__MAX; c++)
		ua_buf_puts(&arr[c], "}");
}

/*
 * Are "n" items within order.h's limits (which the schema layer has
 * already checked)?  Their total into "*total" when they are.  No sum
 * can overflow: a line is at most UA_UNIT_PRICE_MAX * UA_QUANTITY_MAX =
 * 1e14, 100 lines at most 1e16, far below INT64_MAX (about 9.2e18).
 */
static bool
items_valid(const struct ua_order_item_in *items, size_t n, int64_t *total)
{
	size_t i;

	*total = 0;
	if (n < UA_ORDER_ITEMS_MIN || n > UA_ORDER_ITEMS_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (items[i].sku[0] == '\0' || items[i].name[0] == '\0' ||
		    !ua_pg_fits(items[i].sku, UA_SKU_MAX_BYTES) ||
		    !ua_pg_fits(items[i].name, UA_ITEM_NAME_MAX_BYTES) ||
		    items[i].unit_price_cents < 0 ||
		    items[i].unit_price_cents > UA_UNIT_PRICE_MAX ||
		    items[i].quantity < UA_QUANTITY_MIN ||
		    items[i].quantity > UA_QUANTITY_MAX)
			return false;
		*total += items[i].unit_price_cents * items[i].quantity;
	}
	return true;
}

/* The items "in" as stored: line totals computed. */
static struct ua_order_item *
items_stored(const struct ua_order_item_in *in, size_t n)
{
	struct ua_order_item *it;
	size_t		      i;

	it = ua_xcalloc(n, sizeof(*it));
	for (i = 0; i < n; i++) {
		memcpy(it[i].sku, in[i].sku, sizeof(it[i].sku));
		memcpy(it[i].name, in[i].name, sizeof(it[i].name));
		it[i].unit_price_cents = in[i].unit_price_cents;
		it[i].quantity = in[i].quantity;
		it[i].line_total_cents =
		    in[i].unit_price_cents * in[i].quantity;
	}
	return it;
}

/* Does the Idempotency-Key "idem" look as order_repo.h says? */
static bool
idem_valid(const struct ua_idem *idem)
{
	size_t i, len = strnlen(idem->key, sizeof(idem->key));

	if (len == 0 || len > UA_IDEM_KEY_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (idem->key[i] < '!' || idem->key[i] > '~')
			return false;
	return ua_pg_fits(idem->fingerprint, UA_IDEM_FINGERPRINT_LEN);
}

/* ---------------------------------------------------------------- */
/* The operations. */

/*
 * Caller and order in one statement; see order_repo.h.  On error every
 * out-parameter is zeroed.
 */
static enum ua_err
pg_get_with_caller(void *arg, int64_t caller_id, const char *sid,
    struct ua_user *caller, struct ua_credentials *caller_cred,
    int64_t order_id, struct ua_order *order, bool *found)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	char	      cbuf[UA_INT64_STRLEN], obuf[UA_INT64_STRLEN];
	const char   *params[3] = { cbuf, obuf, ua_pg_sid_param(sid) };

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	memset(order, 0, sizeof(*order));
	*found = false;
	ua_fmt_int64(cbuf, sizeof(cbuf), caller_id);
	ua_fmt_int64(obuf, sizeof(obuf), order_id);

	if ((er = ua_db_exec(db, SQL_GET_WITH_CALLER, 3, params,
		 UA_DB_READ_ONLY, &res)) != UA_OK)
		return er;
	if ((er = ua_pg_shape(res, GCOL__MAX, 1, 1,
		 "orders: get_with_caller")) != UA_OK)
		goto out;
	if (PQgetisnull(res, 0, GCOL_CALLER)) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	if ((er = ua_pg_caller(res, 0, GCOL_CALLER, caller, caller_cred)) !=
	    UA_OK)
		goto out;
	er = read_order(res, 0, GCOL_ORDER, order);
	if (er == UA_ERR_NOT_FOUND)
		er = UA_OK;
	else if (er == UA_OK)
		*found = true;
out:
	PQclear(res);
	if (er != UA_OK) {
		memset(caller, 0, sizeof(*caller));
		ua_secure_zero(caller_cred, sizeof(*caller_cred));
		ua_order_cleanup(order);
		*found = false;
	}
	return er;
}

/* The caller and a page of orders in one statement; see order_repo.h. */
static enum ua_err
pg_list_with_caller(void *arg, int64_t caller_id, const char *sid,
    struct ua_user *caller, struct ua_credentials *caller_cred,
    const struct ua_order_filter *filter, int64_t offset, int64_t limit,
    struct ua_order *items, size_t *n, int64_t *total, bool *user_exists)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	const char   *sql;
	char	      cbuf[UA_INT64_STRLEN], obuf[UA_INT64_STRLEN];
	char	      lbuf[UA_INT64_STRLEN], ubuf[UA_INT64_STRLEN];
	const char   *params[7] = { cbuf, obuf, lbuf,
		  filter->all_users ? "true" : "false", ua_pg_sid_param(sid),
		  NULL, NULL };
	int	      nparams = 5;
	size_t	      i;

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	*n = 0;
	*total = 0;
	*user_exists = true;
	if (offset < 0 || limit < 0)
		return UA_ERR_INVALID;
	for (i = 0; i < (size_t)limit; i++)
		memset(&items[i], 0, sizeof(items[i]));
	if (filter->has_status &&
	    (unsigned)filter->status >= UA_ORDER_STATUS__MAX)
		return UA_ERR_INVALID;
	ua_fmt_int64(cbuf, sizeof(cbuf), caller_id);
	ua_fmt_int64(obuf, sizeof(obuf), offset);
	ua_fmt_int64(lbuf, sizeof(lbuf), limit);
	if (filter->has_user_id) {
		ua_fmt_int64(ubuf, sizeof(ubuf), filter->user_id);
		params[nparams++] = ubuf;
		sql = filter->has_status ? SQL_LIST_USER_STATUS : SQL_LIST_USER;
	} else
		sql = filter->has_status ? SQL_LIST_STATUS : SQL_LIST;
	if (filter->has_status)
		params[nparams++] = ua_order_status_name(filter->status);

	if ((er = ua_db_exec(db, sql, nparams, params, UA_DB_READ_ONLY,
		 &res)) != UA_OK)
		return er;
	if ((er = ua_pg_shape(res, LCOL__MAX, 1, INT_MAX, "orders: list")) !=
	    UA_OK)
		goto out;
	if (PQgetisnull(res, 0, 0)) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	if ((er = ua_pg_caller(res, 0, 0, caller, caller_cred)) != UA_OK ||
	    (er = ua_pg_int64(res, 0, LCOL_TOTAL, total)) != UA_OK)
		goto out;
	*user_exists = strcmp(PQgetvalue(res, 0, LCOL_USER_EXISTS), "t") == 0;
	er = read_orders(res, 0, LCOL_ORDER, items,
	    limit < (int64_t)SIZE_MAX ? (size_t)limit : SIZE_MAX, n);
out:
	PQclear(res);
	if (er != UA_OK) {
		memset(caller, 0, sizeof(*caller));
		ua_secure_zero(caller_cred, sizeof(*caller_cred));
		for (i = 0; i < (size_t)limit; i++)
			ua_order_cleanup(&items[i]);
		*n = 0;
		*total = 0;
		*user_exists = true;
	}
	return er;
}

/*
 * Run SQL_INSERT for "user_id" and "in" (checked, total "total") and
 * fill "out".  Returns UA_OK, UA_ERR_NOT_FOUND (no such user, or it
 * was deleted meanwhile), or a database error.
 */
static enum ua_err
insert_order(struct ua_db *db, int64_t user_id,
    const struct ua_order_create *in, int64_t total, struct ua_order *out)
{
	PGresult     *res;
	enum ua_err   er;
	struct ua_buf arr[ACOL__MAX];
	char	      ubuf[UA_INT64_STRLEN], tbuf[UA_INT64_STRLEN];
	const char   *params[8];
	int	      c;

	for (c = 0; c < ACOL__MAX; c++)
		ua_buf_init(&arr[c]);
	items_to_arrays(in->items, in->nitems, arr);
	ua_fmt_int64(ubuf, sizeof(ubuf), user_id);
	ua_fmt_int64(tbuf, sizeof(tbuf), total);
	params[0] = ubuf;
	params[1] = in->currency;
	params[2] = tbuf;
	params[3] = in->has_note && in->note[0] != '\0' ? in->note : NULL;
	for (c = 0; c < ACOL__MAX; c++)
		params[4 + c] = arr[c].data;

	er = ua_db_exec(db, SQL_INSERT, 8, params, UA_DB_WRITE, &res);
	for (c = 0; c < ACOL__MAX; c++)
		ua_buf_cleanup(&arr[c]);
	if (er != UA_OK) {
		/* The user was deleted between the SELECT and the check. */
		if (strcmp(ua_db_sqlstate(db), "23503") == 0)
			er = UA_ERR_NOT_FOUND;
		return er;
	}
	if ((er = ua_pg_shape(res, OCOL__MAX, 0, 1, "orders: insert")) == UA_OK)
		er = read_order(res, 0, 0, out);
	PQclear(res);
	if (er == UA_OK) {
		out->items = items_stored(in->items, in->nitems);
		out->nitems = in->nitems;
	}
	return er;
}

/* Run a statement of one boolean; "*yes" its value. */
static enum ua_err
exec_bool(struct ua_db *db, const char *sql, int nparams,
    const char *const *params, bool *yes)
{
	PGresult   *res;
	enum ua_err er;

	*yes = false;
	if ((er = ua_db_exec(db, sql, nparams, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	if ((er = ua_pg_shape(res, 1, 1, 1, "orders: lock")) == UA_OK)
		*yes = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return er;
}

/*
 * Inside the transaction, holding the key's lock: the answer kept under
 * (ubuf, idem->key).  UA_OK if there is none; UA_ERR_IDEM_REPLAY with
 * it in "answer"; UA_ERR_IDEM_MISMATCH; or a database error.
 */
static enum ua_err
idem_lookup(struct ua_db *db, const char *ubuf, const struct ua_idem *idem,
    struct ua_idem_answer *answer)
{
	PGresult   *res;
	enum ua_err er;
	int64_t	    status;
	const char *params[2] = { ubuf, idem->key };

	if ((er = ua_db_exec(db, SQL_IDEM_GET, 2, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	if ((er = ua_pg_shape(res, KCOL__MAX, 0, 1, "orders: idem get")) !=
		UA_OK ||
	    PQntuples(res) == 0)
		goto out;
	if (PQgetisnull(res, 0, KCOL_HASH) ||
	    strcmp(PQgetvalue(res, 0, KCOL_HASH), idem->fingerprint) != 0) {
		er = UA_ERR_IDEM_MISMATCH;
		goto out;
	}
	if ((er = ua_pg_int64(res, 0, KCOL_STATUS, &status)) != UA_OK)
		goto out;
	if (PQgetisnull(res, 0, KCOL_BODY)) {
		er = UA_ERR_DB;
		goto out;
	}
	answer->status = (int)status;
	answer->len = (size_t)PQgetlength(res, 0, KCOL_BODY);
	answer->body = ua_xstrndup(PQgetvalue(res, 0, KCOL_BODY), answer->len);
	er = UA_ERR_IDEM_REPLAY;
out:
	PQclear(res);
	return er;
}

/*
 * Turn "o" into the answer with "render" and keep it under (ubuf,
 * idem).  UA_OK with the answer in "answer", or the render's error
 * (UA_ERR_INTERNAL for a status of 500 or more, or a body with a NUL),
 * or a database error.
 */
static enum ua_err
idem_store(struct ua_db *db, const char *ubuf, const struct ua_idem *idem,
    const struct ua_order_render *render, const struct ua_order *o,
    struct ua_idem_answer *answer)
{
	PGresult     *res;
	struct ua_buf body;
	enum ua_err   er;
	int	      status = 0;
	char	      sbuf[UA_INT64_STRLEN];
	const char   *params[5];

	ua_buf_init(&body);
	if (render == NULL || render->fn == NULL) {
		ua_log_err("orders: an Idempotency-Key without a renderer");
		er = UA_ERR_INTERNAL;
		goto out;
	}
	if ((er = render->fn(render->arg, o, &status, &body)) != UA_OK)
		goto out;
	ua_buf_puts(&body, ""); /* data is never NULL from here on */
	if (status < 100 || status > 499 || strlen(body.data) != body.len) {
		ua_log_err("orders: answer %d not kept", status);
		er = UA_ERR_INTERNAL;
		goto out;
	}
	ua_fmt_int64(sbuf, sizeof(sbuf), status);
	params[0] = ubuf;
	params[1] = idem->key;
	params[2] = idem->fingerprint;
	params[3] = sbuf;
	params[4] = body.data;
	if ((er = ua_db_exec(db, SQL_IDEM_PUT, 5, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		goto out;
	PQclear(res);
	answer->status = status;
	answer->len = body.len;
	answer->body = body.data;
	ua_buf_init(&body); /* the answer owns it now */
out:
	ua_buf_cleanup(&body);
	return er;
}

/* A new order, with or without an Idempotency-Key; see order_repo.h. */
static enum ua_err
pg_insert(void *arg, int64_t user_id, const struct ua_order_create *in,
    const struct ua_idem *idem, const struct ua_order_render *render,
    struct ua_order *out, struct ua_idem_answer *answer)
{
	struct ua_db *db = arg;
	enum ua_err   er;
	int64_t	      total;
	bool	      locked;
	char	      ubuf[UA_INT64_STRLEN];
	const char   *params[2] = { ubuf, NULL };

	memset(out, 0, sizeof(*out));
	memset(answer, 0, sizeof(*answer));
	if (!items_valid(in->items, in->nitems, &total) ||
	    strnlen(in->currency, sizeof(in->currency)) != UA_CURRENCY_LEN ||
	    (in->has_note && !ua_pg_fits(in->note, UA_NOTE_MAX_BYTES)) ||
	    (idem != NULL && !idem_valid(idem)))
		return UA_ERR_INVALID;
	if (idem == NULL)
		return insert_order(db, user_id, in, total, out);

	ua_fmt_int64(ubuf, sizeof(ubuf), user_id);
	params[1] = idem->key;
	if ((er = ua_db_begin(db)) != UA_OK)
		return er;
	if ((er = exec_bool(db, SQL_IDEM_LOCK, 2, params, &locked)) != UA_OK)
		goto out;
	if (!locked) {
		er = UA_ERR_IDEM_BUSY;
		goto out;
	}
	if ((er = idem_lookup(db, ubuf, idem, answer)) != UA_OK ||
	    (er = insert_order(db, user_id, in, total, out)) != UA_OK ||
	    (er = idem_store(db, ubuf, idem, render, out, answer)) != UA_OK)
		goto out;
	er = ua_db_commit(db);
out:
	ua_db_rollback(db); /* no-op unless a step above failed */
	if (er != UA_OK)
		ua_order_cleanup(out);
	if (er != UA_OK && er != UA_ERR_IDEM_REPLAY)
		ua_idem_answer_cleanup(answer);
	return er;
}

/* An answer that created nothing, kept under its key; see order_repo.h. */
static enum ua_err
pg_keep_answer(void *arg, int64_t user_id, const struct ua_idem *idem,
    int status, const char *body, size_t len, struct ua_idem_answer *answer)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	bool	      locked;
	char	      ubuf[UA_INT64_STRLEN], sbuf[UA_INT64_STRLEN];
	const char   *params[5];

	memset(answer, 0, sizeof(*answer));
	if (!idem_valid(idem) || status < 100 || status > 499 ||
	    strlen(body) != len)
		return UA_ERR_INVALID;
	ua_fmt_int64(ubuf, sizeof(ubuf), user_id);
	ua_fmt_int64(sbuf, sizeof(sbuf), status);
	params[0] = ubuf;
	params[1] = idem->key;
	params[2] = idem->fingerprint;
	params[3] = sbuf;
	params[4] = body;
	if ((er = ua_db_begin(db)) != UA_OK)
		return er;
	if ((er = exec_bool(db, SQL_IDEM_LOCK, 2, params, &locked)) != UA_OK)
		goto out;
	if (!locked) {
		er = UA_ERR_IDEM_BUSY;
		goto out;
	}
	if ((er = idem_lookup(db, ubuf, idem, answer)) != UA_OK)
		goto out;
	if ((er = ua_db_exec(db, SQL_IDEM_PUT, 5, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		goto out;
	PQclear(res);
	er = ua_db_commit(db);
out:
	ua_db_rollback(db); /* no-op unless a step above failed */
	if (er != UA_ERR_IDEM_REPLAY)
		ua_idem_answer_cleanup(answer);
	return er;
}

/* Order "idbuf" with its items, locked; UA_ERR_NOT_FOUND if missing. */
static enum ua_err
lock_order(struct ua_db *db, const char *idbuf, struct ua_order *o)
{
	PGresult   *res;
	enum ua_err er;
	const char *params[1] = { idbuf };

	memset(o, 0, sizeof(*o));
	if ((er = ua_db_exec(db, SQL_LOCK, 1, params, UA_DB_WRITE, &res)) !=
	    UA_OK)
		return er;
	if ((er = ua_pg_shape(res, OCOL__MAX, 0, 1, "orders: get")) == UA_OK)
		er = read_order(res, 0, 0, o);
	PQclear(res);
	return er;
}

/* Is "o" the same text as "n" (either may be NULL)? */
static bool
same_note(const char *o, const char *n)
{
	if (o == NULL || n == NULL)
		return o == n;
	return strcmp(o, n) == 0;
}

/* Are the stored "have" the items "want"? */
static bool
same_items(const struct ua_order_item *have, size_t nhave,
    const struct ua_order_item_in *want, size_t nwant)
{
	size_t i;

	if (nhave != nwant)
		return false;
	for (i = 0; i < nhave; i++)
		if (strcmp(have[i].sku, want[i].sku) != 0 ||
		    strcmp(have[i].name, want[i].name) != 0 ||
		    have[i].unit_price_cents != want[i].unit_price_cents ||
		    have[i].quantity != want[i].quantity)
			return false;
	return true;
}

/* A PATCH, with the order locked; see order_repo.h. */
static enum ua_err
pg_update(void *arg, int64_t id, int64_t if_version,
    const struct ua_order_update *patch, struct ua_order *out)
{
	struct ua_db   *db = arg;
	PGresult       *res = NULL;
	struct ua_order now, done;
	struct ua_buf	arr[ACOL__MAX];
	enum ua_err	er;
	int64_t		total = 0;
	const char     *note;
	char		idbuf[UA_INT64_STRLEN], tbuf[UA_INT64_STRLEN];
	const char     *params[8];
	int		c;

	memset(out, 0, sizeof(*out));
	memset(&now, 0, sizeof(now));
	memset(&done, 0, sizeof(done));
	for (c = 0; c < ACOL__MAX; c++)
		ua_buf_init(&arr[c]);
	if ((patch->has_items &&
		!items_valid(patch->items, patch->nitems, &total)) ||
	    (patch->has_note && !ua_pg_fits(patch->note, UA_NOTE_MAX_BYTES)))
		return UA_ERR_INVALID;
	ua_fmt_int64(idbuf, sizeof(idbuf), id);

	if ((er = ua_db_begin(db)) != UA_OK)
		return er;
	if ((er = lock_order(db, idbuf, &now)) != UA_OK)
		goto out;
	if (if_version != 0 && if_version != now.version) {
		er = UA_ERR_PRECONDITION;
		goto out;
	}
	if (now.status != UA_ORDER_PENDING) {
		er = UA_ERR_ORDER_LOCKED;
		goto out;
	}
	note = now.note;
	if (patch->has_note)
		note = patch->note[0] != '\0' ? patch->note : NULL;
	if (same_note(now.note, note) &&
	    (!patch->has_items ||
		same_items(now.items, now.nitems, patch->items,
		    patch->nitems))) {
		/* Nothing changes: the order as it is. */
		*out = now;
		memset(&now, 0, sizeof(now));
		er = UA_OK;
		goto out;
	}
	if (!patch->has_items)
		total = now.total_cents;
	else
		items_to_arrays(patch->items, patch->nitems, arr);
	ua_fmt_int64(tbuf, sizeof(tbuf), total);
	params[0] = idbuf;
	params[1] = note;
	params[2] = tbuf;
	params[3] = patch->has_items ? "true" : "false";
	for (c = 0; c < ACOL__MAX; c++)
		params[4 + c] = patch->has_items ? arr[c].data : "{}";
	if ((er = ua_db_exec(db, SQL_UPDATE, 8, params, UA_DB_WRITE, &res)) !=
		UA_OK ||
	    (er = ua_pg_shape(res, OCOL__MAX, 1, 1, "orders: update")) !=
		UA_OK ||
	    (er = read_order(res, 0, 0, &done)) != UA_OK)
		goto out;
	if (patch->has_items) {
		free(done.items);
		done.items = items_stored(patch->items, patch->nitems);
		done.nitems = patch->nitems;
	} else {
		free(done.items);
		done.items = now.items;
		done.nitems = now.nitems;
		now.items = NULL;
		now.nitems = 0;
	}
	if ((er = ua_db_commit(db)) != UA_OK)
		goto out;
	*out = done;
	memset(&done, 0, sizeof(done));
out:
	PQclear(res);
	ua_db_rollback(db); /* ends it if a step above did not */
	for (c = 0; c < ACOL__MAX; c++)
		ua_buf_cleanup(&arr[c]);
	ua_order_cleanup(&now);
	ua_order_cleanup(&done);
	return er;
}

/*
 * Why did a conditional change of order "idbuf" (pending, or "from";
 * version "if_version" or any) touch nothing?  UA_ERR_NOT_FOUND,
 * UA_ERR_PRECONDITION, "locked" if the status is not "from" (with it in
 * "*current"), or UA_OK if it now meets the condition after all (the
 * caller tries again).
 */
static enum ua_err
why_not(struct ua_db *db, const char *idbuf, int64_t if_version,
    enum ua_order_status from, enum ua_err locked,
    enum ua_order_status *current)
{
	PGresult	    *res;
	enum ua_err	     er;
	enum ua_order_status st;
	int64_t		     version;
	const char	    *params[1] = { idbuf };

	if ((er = ua_db_exec(db, SQL_PEEK, 1, params, UA_DB_READ_ONLY, &res)) !=
	    UA_OK)
		return er;
	if ((er = ua_pg_shape(res, PCOL__MAX, 0, 1, "orders: peek")) != UA_OK)
		goto out;
	if (PQntuples(res) == 0) {
		er = UA_ERR_NOT_FOUND;
		goto out;
	}
	if (PQgetisnull(res, 0, PCOL_STATUS) ||
	    ua_order_status_from_name(PQgetvalue(res, 0, PCOL_STATUS), &st) !=
		UA_OK ||
	    ua_pg_int64(res, 0, PCOL_VERSION, &version) != UA_OK) {
		ua_log_err("orders: peek: bad row");
		er = UA_ERR_DB;
		goto out;
	}
	*current = st;
	if (if_version != 0 && if_version != version)
		er = UA_ERR_PRECONDITION;
	else if (st != from)
		er = locked;
	else
		er = UA_OK;
out:
	PQclear(res);
	return er;
}

/* How often a conditional change is tried before giving up. */
#define TRIES 3

/* A status change, one conditional statement; see order_repo.h. */
static enum ua_err
pg_set_status(void *arg, int64_t id, int64_t if_version,
    enum ua_order_status from, enum ua_order_status to, struct ua_order *out,
    enum ua_order_status *current)
{
	struct ua_db *db = arg;
	PGresult     *res;
	enum ua_err   er;
	char	      idbuf[UA_INT64_STRLEN], vbuf[UA_INT64_STRLEN];
	const char   *params[4] = { idbuf, NULL, NULL, vbuf };
	int	      try;

	memset(out, 0, sizeof(*out));
	if ((unsigned)from >= UA_ORDER_STATUS__MAX ||
	    (unsigned)to >= UA_ORDER_STATUS__MAX)
		return UA_ERR_INVALID;
	ua_fmt_int64(idbuf, sizeof(idbuf), id);
	ua_fmt_int64(vbuf, sizeof(vbuf), if_version);
	params[1] = ua_order_status_name(from);
	params[2] = ua_order_status_name(to);

	for (try = 0; try < TRIES; try++) {
		if ((er = ua_db_exec(db, SQL_SET_STATUS, 4, params, UA_DB_WRITE,
			 &res)) != UA_OK)
			return er;
		er = ua_pg_shape(res, OCOL__MAX, 0, 1, "orders: set_status");
		if (er == UA_OK && PQntuples(res) > 0) {
			er = read_order(res, 0, 0, out);
			PQclear(res);
			if (er == UA_OK)
				*current = to;
			return er;
		}
		PQclear(res);
		if (er != UA_OK ||
		    (er = why_not(db, idbuf, if_version, from,
			 UA_ERR_BAD_TRANSITION, current)) != UA_OK)
			return er;
	}
	ua_log_err("orders: set_status: the order keeps changing");
	return UA_ERR_DB;
}

/* A deletion, one conditional statement; see order_repo.h. */
static enum ua_err
pg_remove(void *arg, int64_t id, int64_t if_version)
{
	struct ua_db	    *db = arg;
	PGresult	    *res;
	enum ua_err	     er;
	enum ua_order_status st;
	int64_t		     n;
	char		     idbuf[UA_INT64_STRLEN], vbuf[UA_INT64_STRLEN];
	const char	    *params[2] = { idbuf, vbuf };
	int		     try;

	ua_fmt_int64(idbuf, sizeof(idbuf), id);
	ua_fmt_int64(vbuf, sizeof(vbuf), if_version);
	for (try = 0; try < TRIES; try++) {
		if ((er = ua_db_exec(db, SQL_DELETE, 2, params, UA_DB_WRITE,
			 &res)) != UA_OK)
			return er;
		er = ua_pg_affected(res, &n);
		PQclear(res);
		if (er != UA_OK || n > 0)
			return er;
		if ((er = why_not(db, idbuf, if_version, UA_ORDER_PENDING,
			 UA_ERR_ORDER_LOCKED, &st)) != UA_OK)
			return er;
	}
	ua_log_err("orders: remove: the order keeps changing");
	return UA_ERR_DB;
}

const struct ua_order_repo_ops ua_order_repo_pg = {
	.get_with_caller = pg_get_with_caller,
	.list_with_caller = pg_list_with_caller,
	.insert = pg_insert,
	.keep_answer = pg_keep_answer,
	.update = pg_update,
	.set_status = pg_set_status,
	.remove = pg_remove,
};
