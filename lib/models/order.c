/*
 * order.c -- order statuses, the Order and OrderItem models' tables,
 * and the release of an order's memory.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/order.h"

static const char *const status_names[UA_ORDER_STATUS__MAX] = {
	[UA_ORDER_PENDING] = "pending",
	[UA_ORDER_PAID] = "paid",
	[UA_ORDER_SHIPPED] = "shipped",
	[UA_ORDER_DELIVERED] = "delivered",
	[UA_ORDER_CANCELLED] = "cancelled",
};

const char *
ua_order_status_name(enum ua_order_status s)
{
	return (unsigned)s < UA_ORDER_STATUS__MAX ? status_names[s] : "?";
}

enum ua_err
ua_order_status_from_name(const char *name, enum ua_order_status *out)
{
	int i;

	for (i = 0; name != NULL && i < UA_ORDER_STATUS__MAX; i++)
		if (strcmp(status_names[i], name) == 0) {
			*out = (enum ua_order_status)i;
			return UA_OK;
		}
	return UA_ERR_INVALID;
}

void
ua_order_cleanup(struct ua_order *o)
{
	if (o == NULL)
		return;
	free(o->items);
	free(o->note);
	memset(o, 0, sizeof(*o));
}

UA_MODEL_ASSERTS(UA_ORDER_ITEM_MODEL, struct ua_order_item)
UA_MODEL_ASSERTS(UA_ORDER_MODEL, struct ua_order)

static const struct ua_mfield order_item_fields[] = {
	UA_MODEL_FIELDS(UA_ORDER_ITEM_MODEL, struct ua_order_item)
};

const struct ua_model ua_order_item_model = UA_MODEL_INIT("OrderItem",
    order_item_fields, UA_ORDER_ITEM_MODEL, struct ua_order_item);

static const struct ua_mfield order_fields[] = { UA_MODEL_FIELDS(UA_ORDER_MODEL,
    struct ua_order) };

const struct ua_model ua_order_model =
    UA_MODEL_INIT("Order", order_fields, UA_ORDER_MODEL, struct ua_order);

void
ua_order_append_json(struct ua_buf *b, const struct ua_order *o)
{
	ua_model_append_json(b, &ua_order_model, o);
}
