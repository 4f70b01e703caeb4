/*
 * model-private.h -- the models' SQL for the PostgreSQL repositories:
 * SELECT lists, column enums and the row reader, all expanded from the
 * model declarations (userapi/model.h, userapi/user.h,
 * userapi/order.h); not installed.
 *
 * A query selects a model's columns first, in the declaration's order,
 * and may add its own after them, numbered from the enum's __MAX:
 *
 *	static const char SQL_GET[] =
 *	    "SELECT " UA_ORDER_COLS_OF("o") " FROM orders AS o"
 *	    " WHERE o.id = $1::bigint";
 *	enum { OCOL_ETAG = UA_ORDER_COL__MAX, OCOL__MAX };  (extra columns)
 *
 *	if ((er = ua_pg_shape(res, UA_ORDER_COL__MAX, 0, 1, "orders: get"))
 *	    != UA_OK) ...
 *	er = ua_pg_model(res, 0, 0, &ua_order_model, &order);
 *	... PQgetvalue(res, 0, UA_ORDER_COL_version) ...
 *
 * The items of an order come in the order's row, gathered into one
 * column (UA_ORDER_ITEM_ROW_OF and ua_pg_model_array() below), or from
 * their own query:
 *
 *	"SELECT " UA_ORDER_ITEM_COLS_OF("i") ", i.order_id"
 *	" FROM order_items AS i WHERE i.order_id = ANY ($1::bigint[])"
 *	" ORDER BY i.order_id, i.position"
 *
 *	ua_pg_model(res, row, 0, &ua_order_item_model, &o->items[k]);
 *
 * Either way the repository sets o->items and o->nitems itself: a LIST
 * field has no column, and ua_pg_model() skips it.
 */
#ifndef USERAPI_MODEL_PRIVATE_H
#define USERAPI_MODEL_PRIVATE_H

#include <libpq-fe.h>

#include "userapi/errors.h"
#include "userapi/model.h"
#include "userapi/order.h"
#include "userapi/session.h"
#include "userapi/user.h"

/*
 * users: "t.id, t.email, t.name, t.role::text AS role,
 * (extract(epoch FROM t.created_at) * 1000000)::bigint AS created_us,
 * (... t.updated_at ...) AS updated_us", "t" a string literal.
 */
#define UA_USER_COLS_OF(t) UA_MODEL_COLS_OF(UA_USER_MODEL, t)

/* Columns of UA_USER_COLS_OF, in SELECT order. */
enum ua_user_col {
	UA_MODEL_COL_ENUM(UA_USER_MODEL, UA_USER_COL_) UA_USER_COL__MAX
};

/*
 * orders: "t.id, t.user_id, t.status::text AS status, t.currency,
 * t.total_cents, t.note, t.version, (extract(epoch FROM t.created_at)
 * * 1000000)::bigint AS created_us, (... t.updated_at ...) AS
 * updated_us".
 */
#define UA_ORDER_COLS_OF(t) UA_MODEL_COLS_OF(UA_ORDER_MODEL, t)

/*
 * Columns of UA_ORDER_COLS_OF: UA_ORDER_COL_id, _user_id, _status,
 * _currency, _total_cents, _note, _version, _created_us, _updated_us.
 */
enum ua_order_col {
	UA_MODEL_COL_ENUM(UA_ORDER_MODEL, UA_ORDER_COL_) UA_ORDER_COL__MAX
};

/*
 * order_items: "t.sku, t.name, t.unit_price_cents, t.quantity,
 * t.line_total_cents" (order_id and position are the query's to add).
 */
#define UA_ORDER_ITEM_COLS_OF(t) UA_MODEL_COLS_OF(UA_ORDER_ITEM_MODEL, t)

/*
 * An item "t" as one text array, "ARRAY[t.sku::text, t.name::text,
 * t.unit_price_cents::text, t.quantity::text, t.line_total_cents::text]",
 * for ua_pg_model_array().
 */
#define UA_ORDER_ITEM_ROW_OF(t) UA_MODEL_ROW_OF(UA_ORDER_ITEM_MODEL, t)

/*
 * Columns of UA_ORDER_ITEM_COLS_OF: UA_ORDER_ITEM_COL_sku, _name,
 * _unit_price_cents, _quantity, _line_total_cents.
 */
enum ua_order_item_col {
	UA_MODEL_COL_ENUM(UA_ORDER_ITEM_MODEL, UA_ORDER_ITEM_COL_)
	    UA_ORDER_ITEM_COL__MAX
};

/*
 * Read the columns of model "m" in row "row" of "res", from column
 * "col" on (0 when the model's columns come first), into "obj", a
 * struct of that model whose pointer members are NULL.  A NULL in a
 * column that may not be null, text too long for its buffer, a number
 * that does not parse or an unknown enum name is schema drift:
 * UA_ERR_DB, logged.  A TEXT_PTR field is copied to the heap (or NULL);
 * on error "obj" may hold some of that already, for the model's
 * cleanup (ua_order_cleanup()) to release.  LIST fields are left alone.
 */
enum ua_err ua_pg_model(const PGresult *res, int row, int col,
    const struct ua_model *m, void *obj);

/*
 * Read the rows of model "m" gathered in column "col" of row "row" of
 * "res", a two-dimensional text array of UA_MODEL_ROW_OF() rows, each
 * holding the model's columns in the declaration's order:
 *
 *	"SELECT ..., ARRAY(SELECT " UA_ORDER_ITEM_ROW_OF("i")
 *	" FROM order_items AS i WHERE i.order_id = o.id"
 *	" ORDER BY i.position) FROM orders AS o ..."
 *
 * "*items" becomes a heap array of "*n" such structs (NULL for none),
 * at most "max".  NULL, more than "max" rows, text that is not such an
 * array, or an element the row reader refuses (as ua_pg_model()) is
 * UA_ERR_DB, logged.  Even then "*items" and "*n" are the caller's to
 * release, as after success.
 */
enum ua_err ua_pg_model_array(const PGresult *res, int row, int col,
    const struct ua_model *m, size_t max, void **items, size_t *n);

/*
 * sessions: "t.id, (extract(epoch FROM t.created_at) * 1000000)::bigint
 * AS created_us, ... last_used_us, ... expires_us, t.user_agent, t.ip,
 * t.is_current" (is_current: the query's own).
 */
#define UA_SESSION_COLS_OF(t) UA_MODEL_COLS_OF(UA_SESSION_MODEL, t)

enum ua_session_col {
	UA_MODEL_COL_ENUM(UA_SESSION_MODEL, UA_SESSION_COL_) UA_SESSION_COL__MAX
};

#endif
