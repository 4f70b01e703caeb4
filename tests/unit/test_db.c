/*
 * test_db.c -- what lib/db/db.c decides without a server: the names of
 * prepared statements, which failures mean a pooler loses or shares
 * them, the server's statement_timeout as pg_settings gives it, and the
 * hosts of a multi-host URL.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "db-private.h"
#include "hosts.h"

/* ---- ua_db_pooler_symptom ----------------------------------------- */

static const struct {
	const char     *state;
	enum ua_db_step step;
	bool		pooler;
} symptoms[] = {
	/* The name is there already: another's, or ours on another. */
	{ "42P05", UA_DB_STEP_PREPARE, true },
	/* Not there: prepared on another server connection. */
	{ "26000", UA_DB_STEP_EXECUTE, true },
	/* "bind message supplies 4 parameters, but ... requires 1". */
	{ "08P01", UA_DB_STEP_EXECUTE, true },
	/* The same states where they mean nothing of the kind. */
	{ "42P05", UA_DB_STEP_EXECUTE, false },
	{ "26000", UA_DB_STEP_PREPARE, false },
	{ "08P01", UA_DB_STEP_PREPARE, false },
	{ "26000", UA_DB_STEP__MAX, false },
	/* Failures of the statement itself. */
	{ "57014", UA_DB_STEP_EXECUTE, false }, /* statement timeout */
	{ "23505", UA_DB_STEP_EXECUTE, false }, /* unique violation */
	{ "0A000", UA_DB_STEP_EXECUTE, false }, /* cached plan changed */
	{ "08006", UA_DB_STEP_EXECUTE, false }, /* connection failure */
	{ "42601", UA_DB_STEP_PREPARE, false }, /* syntax error */
	{ "", UA_DB_STEP_EXECUTE, false },
	{ "26000x", UA_DB_STEP_EXECUTE, false },
	{ "2600", UA_DB_STEP_EXECUTE, false },
};

START_TEST(pooler_symptom_table)
{
	ck_assert_msg(ua_db_pooler_symptom(symptoms[_i].state,
			  symptoms[_i].step) == symptoms[_i].pooler,
	    "%s at step %d: want "
	    "%d",
	    symptoms[_i].state, (int)symptoms[_i].step,
	    (int)symptoms[_i].pooler);
}
END_TEST

START_TEST(pooler_symptom_without_state)
{
	ck_assert(!ua_db_pooler_symptom(NULL, UA_DB_STEP_PREPARE));
	ck_assert(!ua_db_pooler_symptom(NULL, UA_DB_STEP_EXECUTE));
}
END_TEST

/* ---- ua_db_stmt_name ---------------------------------------------- */

START_TEST(stmt_name_shape)
{
	char n[UA_DB_STMT_NAME_MAX];

	ua_db_stmt_name(n, sizeof(n), 4242, 0xdeadbeefU, 0);
	ck_assert_str_eq(n, "ua_4242_deadbeef_0");
	ua_db_stmt_name(n, sizeof(n), 7, 1, 12);
	ck_assert_str_eq(n, "ua_7_00000001_12");
}
END_TEST

/* Two workers, same sequence: the PID or the nonce tells them apart. */
START_TEST(stmt_names_of_workers_differ)
{
	char a[UA_DB_STMT_NAME_MAX], b[UA_DB_STMT_NAME_MAX];

	ua_db_stmt_name(a, sizeof(a), 100, 5, 0);
	ua_db_stmt_name(b, sizeof(b), 101, 5, 0);
	ck_assert_str_ne(a, b);
	/* Same PID in two containers. */
	ua_db_stmt_name(b, sizeof(b), 100, 6, 0);
	ck_assert_str_ne(a, b);
	/* Not a prefix of another either: "ua_1_..._1" vs "ua_1_..._12". */
	ua_db_stmt_name(a, sizeof(a), 1, 5, 1);
	ua_db_stmt_name(b, sizeof(b), 1, 5, 11);
	ck_assert_str_ne(a, b);
}
END_TEST

/* The largest values still fit in a PostgreSQL name, untruncated. */
START_TEST(stmt_name_fits_namedatalen)
{
	char n[UA_DB_STMT_NAME_MAX + 8];

	ua_db_stmt_name(n, sizeof(n), LONG_MAX, UINT_MAX, ULONG_MAX);
	ck_assert_uint_lt(strlen(n), UA_DB_STMT_NAME_MAX);
	ck_assert_msg(strstr(n, "_ffffffff_") != NULL, "%s", n);
}
END_TEST

/* ---- ua_db_parse_timeout ------------------------------------------ */

START_TEST(parse_timeout_accepts)
{
	long ms = -1;

	ck_assert(ua_db_parse_timeout("0", &ms));
	ck_assert_int_eq(ms, 0);
	ck_assert(ua_db_parse_timeout("5s", &ms));
	ck_assert_int_eq(ms, 5000);
	ck_assert(ua_db_parse_timeout("1500ms", &ms));
	ck_assert_int_eq(ms, 1500);
	ck_assert(ua_db_parse_timeout("2min", &ms));
	ck_assert_int_eq(ms, 120000);
	ck_assert(ua_db_parse_timeout("1h", &ms));
	ck_assert_int_eq(ms, 3600000);
	ck_assert(ua_db_parse_timeout("1d", &ms));
	ck_assert_int_eq(ms, 86400000);
	ck_assert(ua_db_parse_timeout("2147483647ms", &ms));
	ck_assert_int_eq(ms, INT_MAX);
}
END_TEST

static const char *const bad_timeouts[] = {
	"",
	"-1s",
	"+5s",
	" 5s",
	"5s ",
	"5 s",
	"5",
	"5000",
	"s",
	"5S",
	"5sec",
	"0x10s",
	"1e3ms",
	"2147483648ms",
	"24856d",
	"99999999999999999999999s",
};

START_TEST(parse_timeout_refuses)
{
	long ms = 77;

	ck_assert_msg(!ua_db_parse_timeout(bad_timeouts[_i], &ms),
	    "accepted \"%s\"", bad_timeouts[_i]);
	ck_assert_int_eq(ms, 77);
}
END_TEST

/* ---- ua_db_hosts_parse --------------------------------------------- */

static const struct {
	const char	 *conninfo;
	size_t		  n;
	const char	 *hosts; /* "host:port host:port" */
	enum ua_db_target target;
	bool		  choose;
} host_lists[] = {
	{ "postgresql://u@10.0.0.1:5433,10.0.0.2:5434/db"
	  "?target_session_attrs=read-write",
	    2, "10.0.0.1:5433 10.0.0.2:5434", UA_DB_TARGET_READ_WRITE, true },
	/* One port for every host. */
	{ "host=a,b,c port=6432 target_session_attrs=primary", 3,
	    "a:6432 b:6432 c:6432", UA_DB_TARGET_PRIMARY, true },
	/* No port: libpq's default, left empty. */
	{ "postgresql://u@a,b/db?target_session_attrs=read-write", 2,
	    "a: b:", UA_DB_TARGET_READ_WRITE, true },
	/* Several hosts and no target: libpq takes the first that answers. */
	{ "postgresql://u@a:1,b:2/db", 2, "a:1 b:2", UA_DB_TARGET_ANY, false },
	{ "host=a,b target_session_attrs=prefer-standby", 2,
	    "a: b:", UA_DB_TARGET_ANY, false },
	/* One host: libpq's check is all there is to it. */
	{ "postgresql://u@a:5/db?target_session_attrs=read-write", 1, "a:5",
	    UA_DB_TARGET_READ_WRITE, false },
	/* A Unix socket directory and a TCP host. */
	{ "host=/run/postgresql,db2 port=5432,6432 "
	  "target_session_attrs=read-write",
	    2, "/run/postgresql:5432 db2:6432", UA_DB_TARGET_READ_WRITE, true },
	/* Ports that do not pair with the hosts: left to libpq to refuse. */
	{ "host=a,b,c port=1,2 target_session_attrs=read-write", 0, "",
	    UA_DB_TARGET_ANY, false },
	/* Not a connection string at all. */
	{ "host='a", 0, "", UA_DB_TARGET_ANY, false },
};

START_TEST(hosts_parse_table)
{
	struct ua_db_hosts h;
	char		   got[256] = "";
	size_t		   i;

	ua_db_hosts_parse(host_lists[_i].conninfo, &h);
	ck_assert_uint_eq(h.n, host_lists[_i].n);
	for (i = 0; i < h.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
		    "%s%s:%s", i > 0 ? " " : "", h.host[i], h.port[i]);
	ck_assert_str_eq(got, host_lists[_i].hosts);
	if (h.n > 0)
		ck_assert_int_eq(h.target, host_lists[_i].target);
	ck_assert(ua_db_hosts_choose(&h) == host_lists[_i].choose);
	ck_assert_uint_eq(h.next, 0);
	ua_db_hosts_free(&h);
	ck_assert_uint_eq(h.n, 0);
}
END_TEST

/* With hostaddr, libpq counts the servers by it; host names them. */
START_TEST(hosts_parse_hostaddr)
{
	struct ua_db_hosts h;

	ua_db_hosts_parse("hostaddr=127.0.0.1,127.0.0.2 host=a,b port=7 "
			  "target_session_attrs=read-write",
	    &h);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_ptr_nonnull(h.hostaddr);
	ck_assert_str_eq(h.hostaddr[1], "127.0.0.2");
	ck_assert_str_eq(h.host[1], "b");
	ck_assert_str_eq(h.port[1], "7");
	ua_db_hosts_free(&h);

	ua_db_hosts_parse("hostaddr=127.0.0.1,127.0.0.2 "
			  "target_session_attrs=read-write",
	    &h);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_str_eq(h.host[0], "");
	ua_db_hosts_free(&h);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc;

	tc = tcase_create("ua_db_pooler_symptom");
	tcase_add_loop_test(tc, pooler_symptom_table, 0,
	    sizeof(symptoms) / sizeof(symptoms[0]));
	tcase_add_test(tc, pooler_symptom_without_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_db_stmt_name");
	tcase_add_test(tc, stmt_name_shape);
	tcase_add_test(tc, stmt_names_of_workers_differ);
	tcase_add_test(tc, stmt_name_fits_namedatalen);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_db_parse_timeout");
	tcase_add_test(tc, parse_timeout_accepts);
	tcase_add_loop_test(tc, parse_timeout_refuses, 0,
	    sizeof(bad_timeouts) / sizeof(bad_timeouts[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_db_hosts_parse");
	tcase_add_loop_test(tc, hosts_parse_table, 0,
	    sizeof(host_lists) / sizeof(host_lists[0]));
	tcase_add_test(tc, hosts_parse_hostaddr);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(db_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
