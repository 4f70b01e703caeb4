/*
 * log.c -- one line per record on stderr.
 *
 * stderr is where lighttpd and mod_fcgid collect a worker's output for
 * their error log, and where a CGI program's messages go as well.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "userapi/log.h"

static char progname[64] = "userapi";
static bool debug_on;
static char request_id[130];
static long pid; /* workers never fork: read once, not per line */

void
ua_log_init(const char *name, bool debug)
{
	const char *slash;

	if (name != NULL) {
		if ((slash = strrchr(name, '/')) != NULL)
			name = slash + 1;
		snprintf(progname, sizeof(progname), "%s", name);
	}
	debug_on = debug;
}

void
ua_log_set_request_id(const char *rid)
{
	if (rid == NULL)
		request_id[0] = '\0';
	else
		snprintf(request_id, sizeof(request_id), "%s", rid);
}

/*
 * Write one record.  Control characters in the message are replaced so a
 * client-chosen path cannot forge extra log lines.
 */
static void __attribute__((format(printf, 2, 0)))
vlog(const char *level, const char *fmt, va_list ap)
{
	char	       msg[1024], stamp[32];
	struct timeval tv;
	struct tm      tm;
	char	      *p;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';

	if (pid == 0)
		pid = (long)getpid();
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	if (request_id[0] != '\0')
		fprintf(stderr, "%s.%03ldZ %s[%ld] %s rid=%s %s\n", stamp,
		    (long)(tv.tv_usec / 1000), progname, pid, level, request_id,
		    msg);
	else
		fprintf(stderr, "%s.%03ldZ %s[%ld] %s %s\n", stamp,
		    (long)(tv.tv_usec / 1000), progname, pid, level, msg);
	fflush(stderr);
}

void
ua_log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", fmt, ap);
	va_end(ap);
}

void
ua_log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", fmt, ap);
	va_end(ap);
}

void
ua_log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
}

void
ua_log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_on)
		return;
	va_start(ap, fmt);
	vlog("debug", fmt, ap);
	va_end(ap);
}
