/*
 * alloc.c -- allocation wrappers that abort on out-of-memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"

static void __attribute__((noreturn)) oom(size_t sz)
{
	/* No allocation here: we are out of memory. */
	fprintf(stderr, "userapi: out of memory allocating %zu bytes\n", sz);
	abort();
}

void *
ua_xmalloc(size_t sz)
{
	void *p;

	if ((p = malloc(sz == 0 ? 1 : sz)) == NULL)
		oom(sz);
	return p;
}

void *
ua_xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz)) == NULL)
		oom(n * sz);
	return p;
}

void *
ua_xrealloc(void *old, size_t sz)
{
	void *p;

	if ((p = realloc(old, sz == 0 ? 1 : sz)) == NULL)
		oom(sz);
	return p;
}

char *
ua_xstrdup(const char *s)
{
	return ua_xstrndup(s, strlen(s));
}

char *
ua_xstrndup(const char *s, size_t n)
{
	char *p;

	p = ua_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
ua_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char   *p;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}

void
ua_secure_zero(void *p, size_t len)
{
	if (p == NULL)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, len);
#else
	volatile unsigned char *v = p;

	while (len--)
		*v++ = 0;
#endif
}
