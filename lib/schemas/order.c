/*
 * order.c -- the order request bodies of API.md as field tables:
 * OrderCreate, OrderUpdate, the status change, and OrderItem, the
 * schema of each element of their "items".  lib/schemas/schema.c reads
 * the tables; the OpenAPI document is made from them.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/order.h"
#include "userapi/schemas.h"

#define SIZE(type, member) sizeof(((type *)0)->member)
#define AT(type, member) \
	.off = offsetof(type, member), .size = SIZE(type, member)
#define NO_HAS ((size_t)-1)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The currency: ISO 4217's shape, three capital letters A-Z. */
#define CURRENCY_PATTERN "^[A-Z]{3}$"

static bool
currency_ok(const char *s, size_t len)
{
	size_t i;

	if (len != UA_CURRENCY_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

static const char *
status_name(int s)
{
	return ua_order_status_name((enum ua_order_status)s);
}

static const struct ua_field order_item[] = {
	{ .name = "sku",
	    .type = UA_F_STRING,
	    .required = true,
	    .min_len = 1,
	    .max_len = UA_SKU_MAX_CHARS,
	    AT(struct ua_order_item_in, sku),
	    .has_off = NO_HAS,
	    .description = "Stock-keeping unit, 1 to 64 characters" },
	{ .name = "name",
	    .type = UA_F_STRING,
	    .required = true,
	    .min_len = 1,
	    .max_len = UA_ITEM_NAME_MAX_CHARS,
	    AT(struct ua_order_item_in, name),
	    .has_off = NO_HAS,
	    .description = "What is ordered, 1 to 200 characters" },
	{ .name = "unit_price_cents",
	    .type = UA_F_INT,
	    .required = true,
	    .min = 0,
	    .max = UA_UNIT_PRICE_MAX,
	    AT(struct ua_order_item_in, unit_price_cents),
	    .has_off = NO_HAS,
	    .description = "Price of one, in minor units of the currency" },
	{ .name = "quantity",
	    .type = UA_F_INT,
	    .required = true,
	    .min = UA_QUANTITY_MIN,
	    .max = UA_QUANTITY_MAX,
	    AT(struct ua_order_item_in, quantity),
	    .has_off = NO_HAS,
	    .description = "How many, 1 to 1000" },
};

const struct ua_schema ua_schema_order_item = { "OrderItem", order_item,
	NELEM(order_item), sizeof(struct ua_order_item_in) };

static const struct ua_field order_create[] = {
	{ .name = "currency",
	    .type = UA_F_STRING,
	    .required = true,
	    .pattern = CURRENCY_PATTERN,
	    .match = currency_ok,
	    AT(struct ua_order_create, currency),
	    .has_off = NO_HAS,
	    .description = "ISO 4217 code, three capital letters" },
	{ .name = "items",
	    .type = UA_F_LIST,
	    .required = true,
	    .min_len = UA_ORDER_ITEMS_MIN,
	    .max_len = UA_ORDER_ITEMS_MAX,
	    .items = &ua_schema_order_item,
	    AT(struct ua_order_create, items),
	    .count_off = offsetof(struct ua_order_create, nitems),
	    .has_off = NO_HAS,
	    .description = "1 to 100 items" },
	{ .name = "note",
	    .type = UA_F_STRING,
	    .nullable = true,
	    .max_len = UA_NOTE_MAX_CHARS,
	    AT(struct ua_order_create, note),
	    .has_off = offsetof(struct ua_order_create, has_note),
	    .description = "At most 1000 characters; null, absent or \"\": "
			   "no note" },
};

static const struct ua_field order_update[] = {
	{ .name = "note",
	    .type = UA_F_STRING,
	    .nullable = true,
	    .max_len = UA_NOTE_MAX_CHARS,
	    AT(struct ua_order_update, note),
	    .has_off = offsetof(struct ua_order_update, has_note),
	    .description = "At most 1000 characters; \"\" removes the note; "
			   "null or absent: unchanged" },
	{ .name = "items",
	    .type = UA_F_LIST,
	    .nullable = true,
	    .min_len = UA_ORDER_ITEMS_MIN,
	    .max_len = UA_ORDER_ITEMS_MAX,
	    .items = &ua_schema_order_item,
	    AT(struct ua_order_update, items),
	    .count_off = offsetof(struct ua_order_update, nitems),
	    .has_off = offsetof(struct ua_order_update, has_items),
	    .description = "1 to 100 items, replacing them all; null or "
			   "absent: unchanged" },
};

static const struct ua_field order_status_change[] = {
	{ .name = "status",
	    .type = UA_F_ENUM,
	    .required = true,
	    .enum_name = status_name,
	    .enum_max = UA_ORDER_STATUS__MAX,
	    AT(struct ua_order_status_change, status),
	    .has_off = NO_HAS,
	    .description = "The status to move the order to" },
};

/* The buffers hold the longest value the limits let through. */
_Static_assert(SIZE(struct ua_order_item_in, sku) > 4 * UA_SKU_MAX_CHARS,
    "sku buffer");
_Static_assert(SIZE(struct ua_order_item_in, name) > 4 * UA_ITEM_NAME_MAX_CHARS,
    "item name buffer");
_Static_assert(SIZE(struct ua_order_create, note) > 4 * UA_NOTE_MAX_CHARS,
    "note buffer");
_Static_assert(SIZE(struct ua_order_update, note) > 4 * UA_NOTE_MAX_CHARS,
    "note buffer");
_Static_assert(SIZE(struct ua_order_create, currency) > UA_CURRENCY_LEN,
    "currency buffer");
_Static_assert(SIZE(struct ua_order_create, items) ==
	UA_ORDER_ITEMS_MAX * sizeof(struct ua_order_item_in),
    "items array");
_Static_assert(SIZE(struct ua_order_update, items) ==
	UA_ORDER_ITEMS_MAX * sizeof(struct ua_order_item_in),
    "items array");
_Static_assert(SIZE(struct ua_order_create, nitems) == sizeof(size_t),
    "item count");
_Static_assert(SIZE(struct ua_order_update, nitems) == sizeof(size_t),
    "item count");
_Static_assert(SIZE(struct ua_order_item_in, unit_price_cents) ==
	sizeof(int64_t),
    "price");
_Static_assert(SIZE(struct ua_order_item_in, quantity) == sizeof(int64_t),
    "quantity");
/* UA_F_ENUM stores an int. */
_Static_assert(SIZE(struct ua_order_status_change, status) == sizeof(int),
    "status");

const struct ua_schema ua_schema_order_create = { "OrderCreate", order_create,
	NELEM(order_create), sizeof(struct ua_order_create) };

const struct ua_schema ua_schema_order_update = { "OrderUpdate", order_update,
	NELEM(order_update), sizeof(struct ua_order_update) };

const struct ua_schema ua_schema_order_status_change = { "OrderStatusChange",
	order_status_change, NELEM(order_status_change),
	sizeof(struct ua_order_status_change) };
