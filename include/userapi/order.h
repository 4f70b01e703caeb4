/*
 * order.h -- the order model: a user's order and its items, plain data.
 *
 * Money is integer minor units of the order's currency.  Within the
 * contract's limits no sum can overflow: a line is at most
 * 100,000,000,000 x 1,000 = 1e14, an order at most 100 lines = 1e16,
 * far below INT64_MAX (about 9.2e18).
 */
#ifndef USERAPI_ORDER_H
#define USERAPI_ORDER_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/buf.h"
#include "userapi/errors.h"
#include "userapi/model.h"

enum ua_order_status {
	UA_ORDER_PENDING,
	UA_ORDER_PAID,
	UA_ORDER_SHIPPED,
	UA_ORDER_DELIVERED,
	UA_ORDER_CANCELLED,
	UA_ORDER_STATUS__MAX
};

#define UA_ORDER_ITEMS_MIN 1
#define UA_ORDER_ITEMS_MAX 100
#define UA_CURRENCY_LEN 3 /* ISO 4217: three capital letters */
#define UA_SKU_MAX_CHARS 64
#define UA_SKU_MAX_BYTES (4 * UA_SKU_MAX_CHARS)
#define UA_ITEM_NAME_MAX_CHARS 200
#define UA_ITEM_NAME_MAX_BYTES (4 * UA_ITEM_NAME_MAX_CHARS)
#define UA_NOTE_MAX_CHARS 1000
#define UA_NOTE_MAX_BYTES (4 * UA_NOTE_MAX_CHARS)
#define UA_UNIT_PRICE_MAX INT64_C(100000000000)
#define UA_QUANTITY_MIN 1
#define UA_QUANTITY_MAX 1000

/*
 * The OrderItem and Order models, declared once (see userapi/model.h):
 * their structs, their JSON (API.md's Order object, keys in this
 * order), their OpenAPI schemas, the columns an order repository
 * selects (UA_ORDER_COLS_OF, UA_ORDER_ITEM_COLS_OF and their column
 * enums in lib/repositories/model-private.h) and the row reader all
 * expand from these lists.  Adding a field is one line here (and a
 * migration).
 */
/* clang-format off */
#define UA_ORDER_ITEM_MODEL(F, N, x)					\
	F(x, TEXT, sku,              "sku",              "sku",		\
	    (UA_LEN(1, UA_SKU_MAX_CHARS)), UA_SKU_MAX_BYTES + 1)	\
	N(x, TEXT, name,             "name",             "name",	\
	    (UA_LEN(1, UA_ITEM_NAME_MAX_CHARS)), UA_ITEM_NAME_MAX_BYTES + 1) \
	N(x, INT,  unit_price_cents, "unit_price_cents", "unit_price_cents", \
	    (UA_RANGE(0, UA_UNIT_PRICE_MAX)))				\
	N(x, INT,  quantity,         "quantity",         "quantity",	\
	    (UA_RANGE(UA_QUANTITY_MIN, UA_QUANTITY_MAX)))		\
	N(x, INT,  line_total_cents, "line_total_cents", "line_total_cents", \
	    ())

#define UA_ORDER_MODEL(F, N, x)						\
	F(x, INT,           id,          "id",          "id",          ()) \
	N(x, NULLABLE_INT,  user_id,     "user_id",     "user_id",     (), \
	    has_user)							\
	N(x, ENUM,          status,      "status",      "status",      (), \
	    enum ua_order_status, UA_ORDER_STATUS__MAX, status_names,	\
	    status_names)						\
	N(x, TEXT,          currency,    "currency",    "currency",	\
	    (UA_LEN(UA_CURRENCY_LEN, UA_CURRENCY_LEN),			\
	    .pattern = "^[A-Z]{3}$"), UA_CURRENCY_LEN + 1)		\
	N(x, LIST,          items,       "items",       NULL,		\
	    (UA_LEN(UA_ORDER_ITEMS_MIN, UA_ORDER_ITEMS_MAX)), nitems,	\
	    struct ua_order_item, ua_order_item_model)			\
	N(x, INT,           total_cents, "total_cents", "total_cents", ()) \
	N(x, TEXT_PTR,      note,        "note",        "note",		\
	    (UA_LEN(0, UA_NOTE_MAX_CHARS)))				\
	N(x, INT,           version,     "version",     "version",     ()) \
	N(x, TIME,          created_us,  "created_at",  "created_at",  ()) \
	N(x, NULLABLE_TIME, updated_us,  "updated_at",  "updated_at",  (), \
	    has_updated)
/* clang-format on */

/*
 * An item of a stored order:
 * char sku[UA_SKU_MAX_BYTES + 1]; char name[UA_ITEM_NAME_MAX_BYTES + 1];
 * int64_t unit_price_cents, quantity;
 * int64_t line_total_cents (unit_price_cents * quantity).
 */
struct ua_order_item {
	UA_MODEL_MEMBERS(UA_ORDER_ITEM_MODEL)
};

/*
 * An order as read from storage:
 * int64_t id;
 * bool has_user (false: the owner was deleted); int64_t user_id;
 * enum ua_order_status status; char currency[UA_CURRENCY_LEN + 1];
 * struct ua_order_item *items; size_t nitems;
 * int64_t total_cents;
 * char *note (NULL: no note);
 * int64_t version (1, then +1 per change);
 * int64_t created_us (microseconds since the epoch);
 * bool has_updated (false: updated_at is null); int64_t updated_us.
 *
 * "items" and "note" are heap memory that ua_order_cleanup() releases;
 * a zeroed struct is a valid empty one.
 */
struct ua_order {
	UA_MODEL_MEMBERS(UA_ORDER_MODEL)
};

/* The models' tables (the JSON writer, the schemas, the reader). */
extern const struct ua_model ua_order_item_model;
extern const struct ua_model ua_order_model;

/*
 * Append the API's Order object (items included), keys in API.md's
 * order: ua_model_append_json() of ua_order_model.
 */
void ua_order_append_json(struct ua_buf *, const struct ua_order *);

/* Release what "o" holds and zero it; NULL is a no-op. */
void ua_order_cleanup(struct ua_order *o);

/* "pending", "paid", ... as the API and the database spell them. */
const char *ua_order_status_name(enum ua_order_status);

/* Parse a status name; UA_ERR_INVALID for anything else. */
enum ua_err ua_order_status_from_name(const char *, enum ua_order_status *);

/* An item as a client sends it (OrderItem); the server computes totals. */
struct ua_order_item_in {
	char	sku[UA_SKU_MAX_BYTES + 1];
	char	name[UA_ITEM_NAME_MAX_BYTES + 1];
	int64_t unit_price_cents;
	int64_t quantity;
};

/* OrderCreate. */
struct ua_order_create {
	char			currency[UA_CURRENCY_LEN + 1];
	struct ua_order_item_in items[UA_ORDER_ITEMS_MAX];
	size_t			nitems;
	bool			has_note; /* false: null or absent */
	char			note[UA_NOTE_MAX_BYTES + 1]; /* "" is no note */
};

/* OrderUpdate: has_* false means "leave alone". */
struct ua_order_update {
	bool			has_note;
	char			note[UA_NOTE_MAX_BYTES + 1]; /* "" clears it */
	bool			has_items;
	struct ua_order_item_in items[UA_ORDER_ITEMS_MAX];
	size_t			nitems;
};

/* The body of POST /api/orders/{order_id}/status. */
struct ua_order_status_change {
	enum ua_order_status status;
};

#pragma GCC visibility pop
#endif
