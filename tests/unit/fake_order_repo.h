/*
 * fake_order_repo.h -- an in-memory stand-in for the order repository,
 * for unit tests of the order service.
 *
 * It behaves as ua_order_repo_pg does, as far as a caller can observe
 * (the contract test in order_repo_contract.c runs against both): ids
 * from 1 upward and never reused, orders newest first, versions and
 * updated_at changed only by a change that changes something, the
 * transitions guarded by the current status and version, answers kept
 * under an Idempotency-Key for UA_IDEM_TTL_S on the clock of the user
 * fake.  Users are those of the struct fake_repo it is made with: an
 * order whose owner is no longer there reads with no user, as the ON
 * DELETE SET NULL of the database makes it, and the kept answers of a
 * deleted user are gone with it.
 *
 * A key is "in progress" while the render callback of its insert runs,
 * so a test can call insert again from inside the callback to see
 * UA_ERR_IDEM_BUSY.  Every struct fake_order_repo is independent.
 */
#ifndef FAKE_ORDER_REPO_H
#define FAKE_ORDER_REPO_H

#include <stddef.h>

#include "userapi/errors.h"
#include "userapi/order_repo.h"
#include "fake_repo.h"

/* The operations, to count and to fail. */
enum fake_order_op {
	FAKE_ORDER_GET_WITH_CALLER,
	FAKE_ORDER_LIST_WITH_CALLER,
	FAKE_ORDER_INSERT,
	FAKE_ORDER_KEEP_ANSWER,
	FAKE_ORDER_UPDATE,
	FAKE_ORDER_SET_STATUS,
	FAKE_ORDER_REMOVE,
	FAKE_ORDER__MAX
};

struct fake_order_repo;

/* The operation table; "arg" is a struct fake_order_repo. */
extern const struct ua_order_repo_ops fake_order_repo_ops;

/*
 * An empty store whose users (and clock) are those of "users", which
 * must outlive it.  Free with fake_order_repo_free() (NULL: no-op).
 */
struct fake_order_repo *fake_order_repo_new(struct fake_repo *users);
void			fake_order_repo_free(struct fake_order_repo *);

/* The interface over "fo", as the services hold it. */
struct ua_order_repo fake_order_repo_orders(struct fake_order_repo *fo);

/*
 * Make the next call of "op" return "er" (not UA_OK), out-parameters
 * zeroed and nothing changed.  Fires once.
 */
void fake_order_repo_fail_op(struct fake_order_repo *fo, enum fake_order_op op,
    enum ua_err er);

/* Calls of "op" so far, failed ones included. */
unsigned fake_order_repo_calls(const struct fake_order_repo *fo,
    enum fake_order_op					     op);

/* Orders stored; answers kept (expired ones not yet dropped included). */
size_t fake_order_repo_norders(const struct fake_order_repo *fo);
size_t fake_order_repo_nkeys(const struct fake_order_repo *fo);

#endif
