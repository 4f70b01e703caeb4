/*
 * json_out.c -- JSON strings and numbers written into a buffer, as
 * json-c writes them.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "userapi/json_out.h"

void
ua_json_append_str(struct ua_buf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*run = s;	/* bytes copied as they are */
	char			 esc[6];
	unsigned char		 c;
	size_t			 n;

	ua_buf_append(b, "\"", 1);
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		n = 2;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			if (c >= 0x20)
				continue;
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
			break;
		}
		ua_buf_append(b, run, (size_t)(s - run));
		ua_buf_append(b, esc, n);
		run = s + 1;
	}
	ua_buf_append(b, run, (size_t)(s - run));
	ua_buf_append(b, "\"", 1);
}

void
ua_json_append_int64(struct ua_buf *b, int64_t v)
{
	char	 num[24];
	int	 n;

	n = snprintf(num, sizeof(num), "%" PRId64, v);
	ua_buf_append(b, num, (size_t)n);
}
