/*
 * log.h -- one-line log records on stderr, which the web server keeps.
 *
 * Every line carries the program name and, when there is one, the id of
 * the request being served, so a sysadmin can grep one request end to end.
 * Messages never hold secrets: callers pass what is safe to read.
 */
#ifndef USERAPI_LOG_H
#define USERAPI_LOG_H
#pragma GCC visibility push(default)

#include <stdbool.h>

/* Set once at start: the program name shown in every line. */
void ua_log_init(const char *progname, bool debug);

/* The request id that log lines carry; NULL between requests. */
void ua_log_set_request_id(const char *rid);

void ua_log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void ua_log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void ua_log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void ua_log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#pragma GCC visibility pop
#endif
