/*
 * stack.h -- the running test stack, as scripts/test describes it in the
 * environment: where lighttpd and Apache listen, where the installed
 * worker programs are, the settings file, and how to stop and start the
 * private PostgreSQL.
 *
 * Everything here is called from inside Check test cases: a missing
 * variable or a server that does not answer fails the case with a
 * message saying so, it is never skipped.
 */
#ifndef UA_TEST_STACK_H
#define UA_TEST_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <check.h>

#include "http.h"

/* Where a request goes: the same table of cases runs against each. */
enum target {
	TARGET_LIGHTTPD, /* mod_fastcgi, from the shipped lighttpd.conf */
	TARGET_APACHE,	 /* mod_fcgid, from the shipped apache.conf */
	TARGET_NGINX,	 /* worker pools behind the shipped nginx.conf */
	TARGET_CGI,	 /* the worker program exec'd as plain CGI */
	TARGET_FASTCGI,	 /* the worker spoken to in FastCGI, no server */
	TARGET__MAX
};

/*
 * The table of cases runs against the first TARGET_TABLE_MAX targets;
 * loops over the three servers stop at TARGET_SERVERS_MAX.  The direct
 * FastCGI target is for what no server here sends (a body without
 * CONTENT_LENGTH) and for how the worker stops.
 */
#define TARGET_SERVERS_MAX TARGET_CGI
#define TARGET_TABLE_MAX TARGET_FASTCGI

/* One request put to one target, and what came back. */
struct xchg {
	enum target	 target;
	char		 label[192]; /* "lighttpd GET /health", for messages */
	struct http_resp resp;
};

/* "lighttpd", "apache", "nginx", "cgi", "fastcgi". */
const char *target_name(enum target);

/* The base URL of server target "t" (fails the running test if unset). */
const char *target_url(enum target t);

/* The same for use outside a test case: NULL if unset or not a server. */
const char *target_url_quiet(enum target t);

/*
 * Into "path": the log file of server target "t" that its workers'
 * request lines (their stderr) go to, in UA_TEST_LOG_DIR.
 */
void target_worker_log(enum target t, char *path, size_t len);

/*
 * The value of environment variable "name"; fails the running test if
 * it is unset or empty.
 */
const char *stack_env(const char *name);

/*
 * Put "req" to "t" and fill "x"; fails the running test if the server
 * does not answer, or if a worker it ran itself (CGI, direct FastCGI)
 * does not exit 0 after answering (and, for FastCGI, SIGTERM).
 * Release with xchg_free().
 */
void xchg_run(struct xchg *x, enum target t, const struct http_req *req);

/* Shorthand for a request with only a method, a target and headers. */
void xchg_simple(struct xchg *x, enum target t, const char *method,
    const char *path, const char *const *headers);

void xchg_free(struct xchg *x);

/* Run "$UA_TEST_STACK verb" and fail the running test unless it exits 0. */
void stack_ctl(const char *verb);

/*
 * Like stack_ctl(), but for use outside a test case (unchecked
 * fixtures): returns false and says why on stderr instead of failing.
 */
bool stack_ctl_quiet(const char *verb);

/* A running worker process and the command name of its parent. */
struct worker_proc {
	pid_t pid;
	char  parent[32]; /* "lighttpd", "apache2", "multiwatch" */
};

/*
 * The running processes whose command name is "comm" (the worker
 * programs the servers spawned), sorted by PID, at most "max" of them.
 * With "server" not NULL, only those whose parent's command name is
 * "server".  A worker program ("*.fcgi") counts only when it runs from
 * this stack's UA_TEST_CGI_BIN: another stack's workers of the same
 * name are neither counted nor killed.  Returns how many were found.
 */
size_t stack_workers(const char *comm, const char *server,
    struct worker_proc *procs, size_t max);

/*
 * The command name of the process that spawns the workers of "t"
 * ("lighttpd", "apache2", "multiwatch": nginx's pools), or NULL when the
 * test runs them itself.
 */
const char *target_server(enum target t);

/*
 * The targets of this run: those that $UA_TEST_TARGETS names (target
 * names, separated by commas: "apache"), or every one when it is unset
 * or empty.
 */
bool target_in_run(enum target t);

/* The first server target (lighttpd, Apache) of this run. */
enum target target_first_server(void);

/*
 * Check's tcase_add_loop_test(), for loops over the targets: the
 * iterations of targets not in this run are not added, and the first
 * time that happens the program says so on stdout.  A loop is over the
 * targets when its end is written with the names of stack.h (or
 * API_TARGETS): iteration _i is target _i, or target _i % N when the end
 * is "(int)(ROWS * N)".  Other loops are added as they are.
 */
void target_add_loop_test(TCase *tc, const TTest *tf, int start, int end,
    const char *end_text);
#undef tcase_add_loop_test
#define tcase_add_loop_test(tc, tf, s, e) \
	target_add_loop_test((tc), (tf), (s), (e), #e)

/*
 * The path the servers serve the API under, $UA_TEST_ROOT_PATH ("" when
 * unset: the site's root): the prefix of every URL the API writes
 * (Location, Link, the document's "servers").  Request targets stay
 * without it: the server URLs of the run carry it.
 */
const char *stack_root_path(void);

/*
 * Whether the servers run the workers as plain CGI, one process per
 * request ($UA_TEST_SERVER_CGI=1: Apache with mod_cgi and suEXEC, as on a
 * shared host), rather than as FastCGI processes of their own.  Then
 * target_server() is NULL for them too, and says so on stdout: the
 * checks of worker processes are left out.
 */
bool stack_server_cgi(void);

/* MAX_BODY_BYTES from $UA_TEST_ENV_FILE, or its default 1048576. */
size_t stack_max_body(void);

/* Seconds on the monotonic clock. */
double stack_now(void);

#endif
