/*
 * order_repo_contract.h -- one set of tests of struct ua_order_repo_ops,
 * run against every implementation so that they cannot drift apart:
 * the in-memory fake (tests/unit/test_order_repo_fake) and PostgreSQL
 * (tests/integration/test_order_repo_pg).
 *
 * A program provides the environment below and runs the suite.
 */
#ifndef ORDER_REPO_CONTRACT_H
#define ORDER_REPO_CONTRACT_H

#include <stdint.h>

#include <check.h>

#include "userapi/errors.h"
#include "userapi/order_repo.h"
#include "userapi/user.h"

/* What a racer does: "i" is its number, "r" its own handle. */
typedef enum ua_err (
    *contract_racer_fn)(const struct ua_order_repo *r, int i, const void *arg);

/* The most racers a race may have. */
#define CONTRACT_RACERS_MAX 8

struct contract_env {
	/* Empty stores for each test (in the test's process), and after. */
	void (*setup)(void);
	void (*teardown)(void);
	/* The repository under test. */
	struct ua_order_repo (*repo)(void);
	/*
	 * A second handle on the same store (another connection), usable
	 * while the first is inside a call.
	 */
	struct ua_order_repo (*other)(void);
	/* A new user; returns its id. */
	int64_t (*add_user)(const char *email, enum ua_role role);
	/* Delete user "id" (its orders stay, without an owner). */
	void (*remove_user)(int64_t id);
	/* Make every kept answer "s" seconds older. */
	void (*age_keys)(int64_t s);
	/*
	 * Run "fn" in "n" racers (at most CONTRACT_RACERS_MAX) as nearly
	 * at once as the implementation allows, results into "out".
	 */
	void (*race)(int n, contract_racer_fn fn, const void *arg,
	    enum ua_err *out);
	int rounds; /* of each race */
	int timeout_s;
};

/* The suite "name" over "env" (which must outlive the run). */
Suite *order_repo_contract_suite(const char *name,
    const struct contract_env		    *env);

#endif
