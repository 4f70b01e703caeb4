/*
 * numparse.c -- strict decimal parsing and formatting.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "userapi/numparse.h"

bool
ua_parse_int64(const char *s, int64_t *out)
{
	bool	 neg = false;
	uint64_t v = 0, lim;
	unsigned d;

	if (s == NULL || *s == '\0')
		return false;
	if (*s == '-') {
		neg = true;
		s++;
		if (*s == '\0')
			return false;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return true;
}

bool
ua_parse_int64_range(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (!ua_parse_int64(s, &v) || v < min || v > max)
		return false;
	*out = v;
	return true;
}

void
ua_fmt_int64(char *buf, size_t len, int64_t v)
{
	snprintf(buf, len, "%" PRId64, v);
}
