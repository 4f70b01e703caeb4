/*
 * http.h -- one HTTP exchange for the integration tests, either over the
 * network with libcurl or by running a worker program as plain CGI.
 *
 * Both ways fill the same struct http_resp, so a test can put the same
 * question to lighttpd, Apache and a bare CGI run and compare answers.
 */
#ifndef UA_TEST_HTTP_H
#define UA_TEST_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>

/* A request.  Everything is borrowed from the caller. */
struct http_req {
	const char	  *method;  /* "GET", "HEAD", "POST", ... */
	const char	  *target;  /* path, maybe "?query" */
	const char *const *headers; /* "Name: value", NULL-ended */
	const char	  *body;    /* NULL: no body at all */
	size_t		   body_len;
	bool		   chunked;   /* HTTP: Transfer-Encoding: chunked */
	size_t		   chunk_max; /* chunked: bytes a chunk, 0: any */
	bool		   cut_short; /* chunked: hang up after the body,
						   before its last chunk */

	/* Plain CGI and direct FastCGI only: the variables as given. */
	bool	    no_length;		 /* leave CONTENT_LENGTH out */
	const char *length;		 /* CONTENT_LENGTH to claim, or NULL */
	bool	    cgi_leftover;	 /* see http_resp.stdin_left */
	bool	    fcgi_term_in_flight; /* SIGTERM mid-request */
	bool	    fcgi_term_queued;	 /* SIGTERM before accept() */
	bool	    fcgi_stdin_end_late; /* fcgi_conn_request(): STDIN's end
					    record 0.3 s after the rest */
};

struct http_header {
	char *name;
	char *value;
};

/* A response.  Release with http_resp_free(). */
struct http_resp {
	long		    status;
	struct http_header *headers; /* in the order received */
	size_t		    nheaders;
	char		   *body; /* NUL-terminated, never NULL */
	size_t		    body_len;

	/* Plain CGI and direct FastCGI only. */
	char  *log; /* the worker's stderr, NUL-terminated */
	size_t log_len;
	int    wstatus; /* from waitpid() */
	pid_t  pid;
	char  *stdin_left; /* CGI with cgi_leftover: unread */
	size_t stdin_left_len;
};

/*
 * Call once, before any other function here (libcurl's global set-up,
 * and $UA_TEST_RESOLVE read: see http_resolve()).
 */
void http_global_init(void);
void http_global_cleanup(void);

/*
 * Give the libcurl handle "h" the addresses of $UA_TEST_RESOLVE: entries
 * "host:port:address" separated by spaces, as curl's --resolve takes
 * them, so that a name-based virtual host is reached on loopback.
 */
void http_resolve(CURL *h);

/*
 * Send "req" to "base_url" (scheme, host and port, no trailing slash).
 * Returns 0 and fills "resp", or -1 with the reason in "err" and "resp"
 * released.  Any HTTP status, even 5xx, is a success here.  With
 * "cut_short" the connection is closed once the body is sent, without
 * the chunked body's last chunk: that is a success too, with status 0
 * unless an answer came first.
 */
int http_do(const char *base_url, const struct http_req *req,
    struct http_resp *resp, char *err, size_t errlen);

/*
 * Run "program" as a plain CGI program for "req": the CGI variables in a
 * fresh environment (with USERAPI_ENV_FILE="env_file" when not NULL), the
 * body on a stdin pipe, and its "Status:", headers and body parsed from
 * stdout.  Returns 0 and fills "resp", or -1 with the reason in "err"
 * (cannot start it, no output, malformed output, or no answer within
 * "timeout_s" seconds, in which case it is killed) and "resp" released.
 */
int http_cgi(const char *program, const char *env_file,
    const struct http_req *req, struct http_resp *resp, int timeout_s,
    char *err, size_t errlen);

/*
 * Run "program" as a FastCGI application with no web server in between:
 * it is spawned with a listening socket on fd 0, as a FastCGI process
 * manager does, and given "req" as one FastCGI request (the CGI variables
 * as PARAMS, the body as STDIN) over a fresh connection.  Once the
 * answer is complete the program gets SIGTERM, as a web server stopping
 * it would send; "resp->wstatus" is how it exited.  With
 * "fcgi_term_in_flight" the SIGTERM comes earlier, once the worker has
 * the PARAMS and waits for the body, which is sent after it.  Returns 0 and fills
 * "resp", or -1 with the reason in "err" and "resp" released.
 */
int http_fcgi(const char *program, const char *env_file,
    const struct http_req *req, struct http_resp *resp, int timeout_s,
    char *err, size_t errlen);

/*
 * A FastCGI worker that stays up for many requests, as under a web
 * server: spawned with a listening socket on fd 0 and its stderr
 * appended to "log_path".  Every request is a fresh connection, so
 * requests may be sent from forked children at the same time as long as
 * each worker serves one of them at a time.
 */
struct fcgi_worker {
	pid_t pid;
	char  dir[64]; /* holds the socket */
	char  sock[96];
};

/* Start one: 0, or -1 with the reason in "err". */
int fcgi_worker_start(struct fcgi_worker *w, const char *program,
    const char *env_file, const char *log_path, char *err, size_t errlen);

/*
 * Put "req" to "w" over a new connection and fill "resp" (no "log": it
 * goes to the file).  Returns 0, or -1 with the reason in "err" and
 * "resp" released (no answer within "timeout_s" seconds among them).
 */
int fcgi_worker_request(const struct fcgi_worker *w, const struct http_req *req,
    struct http_resp *resp, int timeout_s, char *err, size_t errlen);

/*
 * A connection of one's own to "w", as a front that keeps its
 * connections holds one: the descriptor, or -1 with the reason in
 * "err".  Close it with close().
 */
int fcgi_conn_open(const struct fcgi_worker *w, char *err, size_t errlen);

/*
 * Put "req" over connection "fd", asking the worker to keep it open
 * afterwards (FCGI_KEEP_CONN) if "keep", as nginx's fastcgi_keep_conn
 * does; otherwise as fcgi_worker_request().
 */
int fcgi_conn_request(int fd, bool keep, const struct http_req *req,
    struct http_resp *resp, int timeout_s, char *err, size_t errlen);

/*
 * SIGTERM it and wait up to "timeout_s" seconds (then SIGKILL).  Returns
 * 0 with how it exited in "wstatus", or -1 if it had to be killed.
 */
int fcgi_worker_stop(struct fcgi_worker *w, int timeout_s, int *wstatus);

/* The same with signal "sig" instead of SIGTERM. */
int fcgi_worker_stop_by(struct fcgi_worker *w, int sig, int timeout_s,
    int *wstatus);

/* The first value of header "name" (any case), or NULL. */
const char *http_header(const struct http_resp *resp, const char *name);

/* How many times header "name" (any case) appears. */
size_t http_header_count(const struct http_resp *resp, const char *name);

/* Release what "resp" holds and zero it; a zeroed "resp" is fine. */
void http_resp_free(struct http_resp *resp);

#endif
