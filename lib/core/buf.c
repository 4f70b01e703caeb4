/*
 * buf.c -- growable, NUL-terminated byte buffers.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"

void
ua_buf_init(struct ua_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
ua_buf_cleanup(struct ua_buf *b)
{
	free(b->data);
	ua_buf_init(b);
}

void
ua_buf_reset(struct ua_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
ua_buf_reserve(struct ua_buf *b, size_t more)
{
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->data = ua_xrealloc(b->data, b->cap);
}

void
ua_buf_append(struct ua_buf *b, const void *p, size_t len)
{
	ua_buf_reserve(b, len);
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
ua_buf_puts(struct ua_buf *b, const char *s)
{
	ua_buf_append(b, s, strlen(s));
}

void
ua_buf_vprintf(struct ua_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int	n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	ua_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
ua_buf_printf(struct ua_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ua_buf_vprintf(b, fmt, ap);
	va_end(ap);
}
