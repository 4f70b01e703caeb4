/*
 * test_order_repo_fake.c -- the order repository contract
 * (order_repo_contract.c) against the in-memory fake.  Races run one
 * racer after another: the fake has no concurrency to get wrong, and
 * the outcome must be one the contract allows.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "userapi/errors.h"
#include "userapi/order_repo.h"
#include "userapi/user.h"
#include "fake_order_repo.h"
#include "fake_repo.h"
#include "order_repo_contract.h"

#define HASH "$2b$04$abcdefghijklmnopqrstuuKQ5Ow0tM4Ng3nGC3Zb2v5kqR8zvX1zy"

/* The running test's stores. */
static struct {
	struct fake_repo       *users;
	struct fake_order_repo *orders;
} fx;

static void
setup(void)
{
	fx.users = fake_repo_new();
	fx.orders = fake_order_repo_new(fx.users);
}

static void
teardown(void)
{
	fake_order_repo_free(fx.orders);
	fake_repo_free(fx.users);
	fx.orders = NULL;
	fx.users = NULL;
}

static struct ua_order_repo
repo(void)
{
	return fake_order_repo_orders(fx.orders);
}

static int64_t
add_user(const char *email, enum ua_role role)
{
	int64_t id = fake_repo_add(fx.users, email, "Some Name", HASH, role);

	ck_assert_int_gt(id, 0);
	return id;
}

static void
remove_user(int64_t id)
{
	struct ua_user_repo r = fake_repo_users(fx.users);

	ck_assert_int_eq(r.ops->remove(r.arg, id), UA_OK);
}

/* The answers age as the clock moves on. */
static void
age_keys(int64_t s)
{
	fake_repo_set_now(fx.users, fake_repo_now(fx.users) + s);
}

static void
race(int n, contract_racer_fn fn, const void *arg, enum ua_err *out)
{
	struct ua_order_repo r = repo();
	int		     i;

	for (i = 0; i < n; i++)
		out[i] = fn(&r, i, arg);
}

static const struct contract_env fake_env = {
	.setup = setup,
	.teardown = teardown,
	.repo = repo,
	.other = repo,
	.add_user = add_user,
	.remove_user = remove_user,
	.age_keys = age_keys,
	.race = race,
	.rounds = 5,
	.timeout_s = 30,
};

int
main(void)
{
	SRunner *sr;
	int	 failed;

	sr = srunner_create(
	    order_repo_contract_suite("order_repo_fake", &fake_env));
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
