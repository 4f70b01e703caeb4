/*
 * netaddr.h -- IP addresses and networks: TRUSTED_PROXIES, and the
 * client address of a request behind them.
 */
#ifndef USERAPI_NETADDR_H
#define USERAPI_NETADDR_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

/* Networks a list may hold; more is a configuration mistake. */
#define UA_NETLIST_MAX 64
/* An address as text, IPv6 included (INET6_ADDRSTRLEN). */
#define UA_ADDR_STRLEN 46

struct ua_net {
	unsigned char addr[16]; /* IPv4 as IPv4-mapped IPv6 */
	int	      prefix;	/* 0..128, over the mapped form */
};

/* Plain data in caller storage: nothing to free. */
struct ua_netlist {
	struct ua_net nets[UA_NETLIST_MAX];
	size_t	      len;
};

/*
 * Parse "s": addresses or CIDRs (IPv4 or IPv6) separated by commas
 * and/or spaces; "" is the empty list.  On failure returns false and
 * writes one line naming the bad entry into "err".
 */
bool ua_netlist_parse(const char *s, struct ua_netlist *out, char *err,
    size_t errlen);

/* Is the address "addr" (text) inside one of the networks of "l"? */
bool ua_netlist_contains(const struct ua_netlist *l, const char *addr);

/*
 * The client of a request from peer "remote" (REMOTE_ADDR, may be
 * NULL) with X-Forwarded-For "xff" (may be NULL), into "out" (at least
 * UA_ADDR_STRLEN bytes).  Only a peer in "trusted" is believed: then
 * the client is the right-most entry of "xff" not in "trusted" (the
 * left-most if all are), and an entry that is no address stops the
 * walk at the hop that added it.  Otherwise the client is "remote".
 * Addresses are written in their canonical form.
 */
void ua_client_addr(const struct ua_netlist *trusted, const char *remote,
    const char *xff, char *out, size_t outlen);

#pragma GCC visibility pop
#endif
