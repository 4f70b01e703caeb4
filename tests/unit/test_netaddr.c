/*
 * test_netaddr.c -- TRUSTED_PROXIES lists and the client address of a
 * request that came through them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/netaddr.h"

static struct ua_netlist list;
static char		 err[160];

static void
parse_ok(const char *s)
{
	ck_assert_msg(ua_netlist_parse(s, &list, err, sizeof(err)),
	    "refused \"%s\": %s", s, err);
}

/* The client of peer "remote" with X-Forwarded-For "xff". */
static const char *
client(const char *remote, const char *xff)
{
	static char out[UA_ADDR_STRLEN];

	ua_client_addr(&list, remote, xff, out, sizeof(out));
	return out;
}

START_TEST(parse_addresses_and_networks)
{
	parse_ok("");
	ck_assert_uint_eq(list.len, 0);
	parse_ok(" 127.0.0.1, ::1 10.0.0.0/8,2001:db8::/32 ");
	ck_assert_uint_eq(list.len, 4);
	ck_assert(ua_netlist_contains(&list, "127.0.0.1"));
	ck_assert(!ua_netlist_contains(&list, "127.0.0.2"));
	ck_assert(ua_netlist_contains(&list, "::1"));
	ck_assert(ua_netlist_contains(&list, "10.255.0.1"));
	ck_assert(!ua_netlist_contains(&list, "11.0.0.1"));
	ck_assert(ua_netlist_contains(&list, "2001:db8:ffff::7"));
	ck_assert(!ua_netlist_contains(&list, "2001:db9::7"));
	/* An IPv4 peer reported in the IPv4-mapped form still matches. */
	ck_assert(ua_netlist_contains(&list, "::ffff:10.1.1.1"));
	ck_assert(!ua_netlist_contains(&list, "not-an-address"));
	ck_assert(!ua_netlist_contains(&list, NULL));
}
END_TEST

START_TEST(parse_odd_prefixes)
{
	parse_ok("192.168.1.77/26");
	ck_assert(ua_netlist_contains(&list, "192.168.1.64"));
	ck_assert(ua_netlist_contains(&list, "192.168.1.127"));
	ck_assert(!ua_netlist_contains(&list, "192.168.1.128"));
	parse_ok("0.0.0.0/0");
	ck_assert(ua_netlist_contains(&list, "203.0.113.1"));
	ck_assert(!ua_netlist_contains(&list, "2001:db8::1"));
	parse_ok("::/0");
	ck_assert(ua_netlist_contains(&list, "2001:db8::1"));
}
END_TEST

START_TEST(parse_refuses_what_is_not_a_network)
{
	static const char *const bad[] = {
		"localhost",
		"10.0.0.0/33",
		"::1/129",
		"10.0.0.0/",
		"1.2.3",
		"10.0.0.0/-1",
		"10.0.0.0/8x",
		"1.2.3.4/8/8",
		"*",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(!ua_netlist_parse(bad[i], &list, err,
				  sizeof(err)),
		    "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "TRUSTED_PROXIES"));
	}
}
END_TEST

START_TEST(client_is_the_peer_unless_it_is_trusted)
{
	parse_ok("127.0.0.1");
	ck_assert_str_eq(client("198.51.100.4", "203.0.113.9"), "198.51.100.4");
	ck_assert_str_eq(client("127.0.0.1", NULL), "127.0.0.1");
	ck_assert_str_eq(client("127.0.0.1", "203.0.113.9"), "203.0.113.9");
	parse_ok("");
	ck_assert_str_eq(client("127.0.0.1", "203.0.113.9"), "127.0.0.1");
}
END_TEST

START_TEST(client_is_the_rightmost_untrusted_entry)
{
	parse_ok("127.0.0.1, 10.0.0.0/8");
	/* What the client wrote itself (the left part) is never believed. */
	ck_assert_str_eq(client("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2"),
	    "203.0.113.9");
	ck_assert_str_eq(client("127.0.0.1", " 203.0.113.9 ,10.0.0.2 "),
	    "203.0.113.9");
	/* All trusted: the left-most. */
	ck_assert_str_eq(client("127.0.0.1", "10.0.0.3, 10.0.0.2"), "10.0.0.3");
	/* Written in the canonical form. */
	ck_assert_str_eq(client("127.0.0.1", "2001:DB8:0::1"), "2001:db8::1");
	ck_assert_str_eq(client("::ffff:127.0.0.1", "::ffff:203.0.113.9"),
	    "203.0.113.9");
}
END_TEST

START_TEST(client_stops_at_what_is_no_address)
{
	parse_ok("127.0.0.1, 10.0.0.0/8");
	/* The hop that sent the garbage is all that is known. */
	ck_assert_str_eq(client("127.0.0.1", "203.0.113.9, junk, 10.0.0.2"),
	    "10.0.0.2");
	ck_assert_str_eq(client("127.0.0.1", "junk"), "127.0.0.1");
	ck_assert_str_eq(client("127.0.0.1", ""), "127.0.0.1");
	ck_assert_str_eq(client("127.0.0.1", "203.0.113.9,"), "127.0.0.1");
	ck_assert_str_eq(client("127.0.0.1", "1.2.3.4:5678"), "127.0.0.1");
	/* A peer that is no address is kept as the server gave it. */
	ck_assert_str_eq(client("unix:", "203.0.113.9"), "unix:");
	ck_assert_str_eq(client(NULL, "203.0.113.9"), "");
}
END_TEST

static Suite *
netaddr_suite(void)
{
	Suite *s = suite_create("netaddr");
	TCase *tc;

	tc = tcase_create("ua_netlist_parse");
	tcase_add_test(tc, parse_addresses_and_networks);
	tcase_add_test(tc, parse_odd_prefixes);
	tcase_add_test(tc, parse_refuses_what_is_not_a_network);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_client_addr");
	tcase_add_test(tc, client_is_the_peer_unless_it_is_trusted);
	tcase_add_test(tc, client_is_the_rightmost_untrusted_entry);
	tcase_add_test(tc, client_stops_at_what_is_no_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(netaddr_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
