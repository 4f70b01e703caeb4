/*
 * test_users_concurrency.c -- one address registered 16 times at once
 * (POST /api/users/ in parallel), spelt the same and in different cases:
 * exactly one 201, every other answer a 409, never a 5xx.
 *
 * Every case that applies runs against lighttpd (mod_fastcgi) and
 * Apache (mod_fcgid) from the shipped configs and users.fcgi run as
 * plain CGI (a Check loop over enum target, see API_TARGETS).  The
 * database is shared with every other suite: each case makes its own
 * accounts and never assumes an empty table.  Run: make
 * check-integration (through scripts/test).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

#define RACERS 16

/*
 * RACERS registrations at once; "vary_case" spells the address in
 * different cases.  Exactly one 201, every other one a 409, no 5xx.
 */
static void
race(enum target t, bool vary_case)
{
	struct api_req r[RACERS];
	char	       bodies_in[RACERS][512], email[320], v[320], qe[400];
	char	      *bodies[RACERS];
	long	       st[RACERS];
	size_t	       i, j, created = 0, conflicts = 0;

	api_email(email, sizeof(email), "race");
	memset(r, 0, sizeof(r));
	for (i = 0; i < RACERS; i++) {
		snprintf(v, sizeof(v), "%s", email);
		for (j = 0; vary_case && v[j] != '\0'; j++)
			if ((i >> (j % 4)) & 1)
				v[j] = (char)toupper((unsigned char)v[j]);
		snprintf(bodies_in[i], sizeof(bodies_in[i]),
		    "{\"email\":%s,"
		    "\"name\":\"Racer %zu\",\"password\":\"correct-horse-1\"}",
		    json_quote(qe, sizeof(qe), v), i);
		r[i].method = "POST";
		r[i].path = "/api/users/";
		r[i].body = bodies_in[i];
	}
	api_parallel(t, r, RACERS, st, bodies);
	for (i = 0; i < RACERS; i++) {
		ck_assert_msg(st[i] == 201 || st[i] == 409,
		    "%s: racer %zu: "
		    "status %ld, want 201 or 409: %.300s",
		    target_name(t), i, st[i], bodies[i]);
		if (st[i] == 201)
			created++;
		else {
			ck_assert_msg(
			    strcmp(bodies[i],
				"{\"detail\":\"Email already registered\"}") ==
				0,
			    "%s: racer %zu: 409 body %.300s", target_name(t), i,
			    bodies[i]);
			conflicts++;
		}
	}
	for (i = 0; i < RACERS; i++)
		free(bodies[i]);
	ck_assert_msg(created == 1,
	    "%s: %zu registrations of one address "
	    "at once: %zu were 201, want exactly 1",
	    target_name(t), (size_t)RACERS, created);
	ck_assert_uint_eq(conflicts, RACERS - 1);
}

START_TEST(race_same_email)
{
	race(TGT, false);
}
END_TEST

START_TEST(race_same_email_other_cases)
{
	race(TGT, true);
}
END_TEST

static Suite *
concurrency_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("concurrency");

	tc = tcase_create("register_race");
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, race_same_email, 0, API_TARGETS);
	tcase_add_loop_test(tc, race_same_email_other_cases, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return api_run_suite(concurrency_suite);
}
