/*
 * netaddr.c -- IP networks for TRUSTED_PROXIES, and the client address
 * of a request that came through them.
 *
 * Addresses are kept as IPv6, IPv4 as IPv4-mapped (::ffff:a.b.c.d), so
 * one comparison serves both families and a server that reports an
 * IPv4 peer in the mapped form still matches an IPv4 network.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "userapi/netaddr.h"
#include "userapi/numparse.h"

/* Longest entry of a list or of X-Forwarded-For worth reading. */
#define ENTRY_MAX 64

static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
	0xff };

/*
 * Parse the address of "len" bytes at "s" into "a" (16 bytes); "*v4"
 * tells whether it was IPv4.  Returns false for anything else.
 */
static bool
parse_addr(const char *s, size_t len, unsigned char a[16], bool *v4)
{
	char buf[ENTRY_MAX];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a + 12) == 1) {
		memcpy(a, v4mapped, sizeof(v4mapped));
		*v4 = true;
		return true;
	}
	*v4 = false;
	return inet_pton(AF_INET6, buf, a) == 1;
}

/* Is "a" inside "n"? */
static bool
net_has(const struct ua_net *n, const unsigned char a[16])
{
	int full = n->prefix / 8, rest = n->prefix % 8;

	if (memcmp(n->addr, a, (size_t)full) != 0)
		return false;
	return rest == 0 ||
	    ((n->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static bool
list_has(const struct ua_netlist *l, const unsigned char a[16])
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (net_has(&l->nets[i], a))
			return true;
	return false;
}

/* One entry "addr" or "addr/prefix" of "len" bytes into "n". */
static bool
parse_net(const char *s, size_t len, struct ua_net *n)
{
	const char *slash = memchr(s, '/', len);
	char	    pbuf[8];
	int64_t	    prefix;
	size_t	    alen = slash != NULL ? (size_t)(slash - s) : len;
	size_t	    plen = len - alen - 1;
	bool	    v4;
	int	    i;

	if (!parse_addr(s, alen, n->addr, &v4))
		return false;
	n->prefix = 128;
	if (slash != NULL) {
		if (plen == 0 || plen >= sizeof(pbuf))
			return false;
		memcpy(pbuf, slash + 1, plen);
		pbuf[plen] = '\0';
		if (!ua_parse_int64_range(pbuf, 0, v4 ? 32 : 128, &prefix))
			return false;
		n->prefix = (int)prefix + (v4 ? 96 : 0);
	}
	/* Host bits set ("10.0.0.1/8") are cleared, as ipaddress does not. */
	for (i = n->prefix; i < 128; i++)
		n->addr[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	return true;
}

bool
ua_netlist_parse(const char *s, struct ua_netlist *out, char *err,
    size_t errlen)
{
	size_t len;

	memset(out, 0, sizeof(*out));
	for (;;) {
		s += strspn(s, ", \t");
		if (*s == '\0')
			return true;
		len = strcspn(s, ", \t");
		if (out->len == UA_NETLIST_MAX) {
			snprintf(err, errlen,
			    "setting TRUSTED_PROXIES lists "
			    "more than %d networks",
			    UA_NETLIST_MAX);
			return false;
		}
		if (!parse_net(s, len, &out->nets[out->len])) {
			snprintf(err, errlen,
			    "setting TRUSTED_PROXIES: "
			    "\"%.*s\" is not an IP address or CIDR network",
			    len > ENTRY_MAX ? ENTRY_MAX : (int)len, s);
			return false;
		}
		out->len++;
		s += len;
	}
}

bool
ua_netlist_contains(const struct ua_netlist *l, const char *addr)
{
	unsigned char a[16];
	bool	      v4;

	return addr != NULL && parse_addr(addr, strlen(addr), a, &v4) &&
	    list_has(l, a);
}

/* "a" as canonical text into "out". */
static void
format_addr(const unsigned char a[16], char *out, size_t outlen)
{
	char buf[UA_ADDR_STRLEN];

	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		inet_ntop(AF_INET, a + 12, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, a, buf, sizeof(buf));
	snprintf(out, outlen, "%s", buf);
}

void
ua_client_addr(const struct ua_netlist *trusted, const char *remote,
    const char *xff, char *out, size_t outlen)
{
	unsigned char hop[16], a[16];
	const char   *end, *start;
	size_t	      len;
	bool	      v4;

	if (remote == NULL || !parse_addr(remote, strlen(remote), hop, &v4)) {
		/* Not from a server that we know of; keep it as text. */
		snprintf(out, outlen, "%.*s", UA_ADDR_STRLEN - 1,
		    remote != NULL ? remote : "");
		return;
	}
	if (xff != NULL && list_has(trusted, hop)) {
		end = xff + strlen(xff);
		while (end > xff) {
			/* The entry before "end": back to a comma. */
			start = end;
			while (start > xff && start[-1] != ',')
				start--;
			len = (size_t)(end - start);
			end = start > xff ? start - 1 : xff;
			while (len > 0 && (*start == ' ' || *start == '\t')) {
				start++;
				len--;
			}
			while (len > 0 &&
			    (start[len - 1] == ' ' || start[len - 1] == '\t'))
				len--;
			if (!parse_addr(start, len, a, &v4))
				break; /* the hop that sent it is all we know */
			memcpy(hop, a, sizeof(hop));
			if (!list_has(trusted, hop))
				break;
		}
	}
	format_addr(hop, out, outlen);
}
