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
	static const char hex[] = "0123456789abcdef";
	size_t		  n = strlen(s);
	unsigned char	  c;
	char		 *o;

	/* At most 6 bytes out per byte in ("\u001f"), and the quotes. */
	ua_buf_reserve(b, 6 * n + 2);
	o = b->data + b->len;
	*o++ = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[c >> 4];
			o[4] = hex[c & 0xf];
			o += 5;
			break;
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

void
ua_json_append_int64(struct ua_buf *b, int64_t v)
{
	char num[24];
	int  n;

	n = snprintf(num, sizeof(num), "%" PRId64, v);
	ua_buf_append(b, num, (size_t)n);
}
