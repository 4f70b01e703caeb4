/*
 * alloc.h -- allocation that never returns NULL.
 *
 * Out of memory is not a condition a worker can serve through: these log
 * one line and abort, and the web server starts a fresh worker.
 */
#ifndef USERAPI_ALLOC_H
#define USERAPI_ALLOC_H
#pragma GCC visibility push(default)

#include <stddef.h>

#define UA_NONNULL_RET __attribute__((returns_nonnull, malloc))

void *ua_xmalloc(size_t) UA_NONNULL_RET;
void *ua_xcalloc(size_t, size_t) UA_NONNULL_RET;
void *ua_xrealloc(void *, size_t) __attribute__((returns_nonnull));
char *ua_xstrdup(const char *) UA_NONNULL_RET;
char *ua_xstrndup(const char *, size_t) UA_NONNULL_RET;
char *ua_xasprintf(const char *, ...)
    __attribute__((format(printf, 1, 2))) UA_NONNULL_RET;

/* Zero "len" bytes at "p" in a way the compiler may not drop. */
void ua_secure_zero(void *p, size_t len);

#pragma GCC visibility pop
#endif
