/*
 * buf.h -- a growable byte buffer, always NUL-terminated.
 */
#ifndef USERAPI_BUF_H
#define USERAPI_BUF_H
#pragma GCC visibility push(default)

#include <stdarg.h>
#include <stddef.h>

struct ua_buf {
	char  *data; /* NULL until the first append */
	size_t len;  /* bytes used, excluding the NUL */
	size_t cap;
};

void ua_buf_init(struct ua_buf *);
void ua_buf_cleanup(struct ua_buf *); /* frees data; buf reusable */
void ua_buf_reset(struct ua_buf *);   /* len = 0, keeps the memory */
void ua_buf_append(struct ua_buf *, const void *, size_t);
/* Make room for "more" bytes past "len" plus the NUL (for direct writes). */
void ua_buf_reserve(struct ua_buf *, size_t more);
void ua_buf_puts(struct ua_buf *, const char *);
void ua_buf_printf(struct ua_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void ua_buf_vprintf(struct ua_buf *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

#pragma GCC visibility pop
#endif
