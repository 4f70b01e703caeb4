/*
 * request.c -- one request from CGI variables and stdin, with the body
 * limit enforced before anything is buffered.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "userapi/alloc.h"
#include "userapi/log.h"
#include "userapi/netaddr.h"
#include "userapi/numparse.h"
#include "userapi/request.h"
#include "userapi/settings.h"
#include "core-private.h"

/*
 * After a 413 under FastCGI, the rest of an oversized body is read and
 * thrown away (in a small buffer) so the web server can finish sending
 * it and read our answer; past this much we stop and let it cope.
 */
#define DRAIN_MAX (64 * 1024 * 1024)

static const char *const method_names[UA_METHOD__MAX] = {
	[UA_METHOD_GET] = "GET",
	[UA_METHOD_HEAD] = "HEAD",
	[UA_METHOD_POST] = "POST",
	[UA_METHOD_PUT] = "PUT",
	[UA_METHOD_PATCH] = "PATCH",
	[UA_METHOD_DELETE] = "DELETE",
	[UA_METHOD_OPTIONS] = "OPTIONS",
	[UA_METHOD_OTHER] = "OTHER",
};

enum ua_method
ua_method_from_str(const char *s)
{
	int i;

	if (s == NULL)
		return UA_METHOD_OTHER;
	for (i = 0; i < UA_METHOD_OTHER; i++)
		if (strcmp(method_names[i], s) == 0)
			return (enum ua_method)i;
	return UA_METHOD_OTHER;
}

const char *
ua_method_name(enum ua_method m)
{
	return (unsigned)m < UA_METHOD__MAX ? method_names[m] : "OTHER";
}

void
ua_req_init(struct ua_req *req)
{
	memset(req, 0, sizeof(*req));
	ua_kvlist_init(&req->query);
	ua_resp_init(&req->resp);
	req->raw_query = "";
	req->method_name = "";
	clock_gettime(CLOCK_MONOTONIC, &req->started);
}

void
ua_req_cleanup(struct ua_req *req)
{
	free(req->path);
	free(req->body);
	free(req->param_store);
	ua_kvlist_cleanup(&req->query);
	ua_resp_cleanup(&req->resp);
	memset(req, 0, sizeof(*req));
}

const char *
ua_req_env(const struct ua_req *req, const char *name)
{
	char *const *e;
	size_t	     n = strlen(name);

	for (e = req->envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *
ua_req_header(const struct ua_req *req, const char *name)
{
	char   var[128];
	size_t i, j;

	if (strcasecmp(name, "Content-Type") == 0)
		return ua_req_env(req, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return ua_req_env(req, "CONTENT_LENGTH");
	memcpy(var, "HTTP_", 5);
	for (i = 0, j = 5; name[i] != '\0' && j < sizeof(var) - 1; i++, j++)
		var[j] = name[i] == '-' ? '_' :
					  (char)toupper((unsigned char)name[i]);
	var[j] = '\0';
	return ua_req_env(req, var);
}

/* Read until "len" bytes or the end; returns bytes read or -1. */
static ssize_t
read_full(const struct ua_input *in, char *buf, size_t len)
{
	size_t got = 0;
	int    n, want;

	while (got < len) {
		want = len - got > 65536 ? 65536 : (int)(len - got);
		if ((n = in->read(in->arg, buf + got, want)) < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Throw away what is left of the body, up to DRAIN_MAX bytes. */
static void
drain(const struct ua_input *in)
{
	char   sink[8192];
	size_t total = 0;
	int    n;

	while (total < DRAIN_MAX &&
	    (n = in->read(in->arg, sink, sizeof(sink))) > 0)
		total += (size_t)n;
}

/*
 * Read the body.  With a declared length, a too-large body is refused
 * before any of it is read; without one (FastCGI, chunked), at most
 * max + 1 bytes are buffered to find out.
 */
static enum ua_err
read_body(struct ua_req *req, const struct ua_input *in, size_t max)
{
	const char *cl = ua_req_env(req, "CONTENT_LENGTH");
	int64_t	    declared;
	ssize_t	    got;

	if (cl != NULL && *cl != '\0') {
		if (!ua_parse_int64(cl, &declared) || declared < 0)
			return UA_ERR_BAD_REQUEST;
		if ((uint64_t)declared > max) {
			if (!in->is_cgi)
				drain(in);
			return UA_ERR_TOO_LARGE;
		}
		req->body = ua_xmalloc((size_t)declared + 1);
		if ((got = read_full(in, req->body, (size_t)declared)) < 0)
			return UA_ERR_IO;
		if (got != declared)
			return UA_ERR_BAD_REQUEST; /* the client stopped short */
		/*
		 * FastCGI: read on to the end of STDIN, so that its end
		 * record, which may come after the body, is not left on a
		 * kept connection to be read as the next request.
		 */
		if (!in->is_cgi)
			drain(in);
		req->body[declared] = '\0';
		req->body_len = (size_t)declared;
		return UA_OK;
	}

	if (in->is_cgi) {
		/*
		 * CGI gives no end-of-body marker: a body needs a length.
		 * Whether this request needs one is its route's to say
		 * (ua_dispatch): 404, 405 and bodiless routes answer as ever.
		 */
		req->length_unknown = req->method == UA_METHOD_POST ||
		    req->method == UA_METHOD_PUT ||
		    req->method == UA_METHOD_PATCH;
		return UA_OK;
	}

	req->body = ua_xmalloc(max + 2);
	if ((got = read_full(in, req->body, max + 1)) < 0)
		return UA_ERR_IO;
	if ((size_t)got > max) {
		free(req->body);
		req->body = NULL;
		drain(in);
		return UA_ERR_TOO_LARGE;
	}
	if (got == 0) {
		free(req->body);
		req->body = NULL;
		return UA_OK;
	}
	req->body[got] = '\0';
	req->body_len = (size_t)got;
	return UA_OK;
}

/*
 * Does "s" ("len" bytes, percent-encoded) hold an encoded NUL?  Decoded,
 * it would cut the value short where C strings are read ("?page=1%00"
 * read as "1"): such a request is refused whole.
 */
static bool
has_encoded_nul(const char *s, size_t len)
{
	const char *p;

	for (p = s; (p = memchr(p, '%', len - (size_t)(p - s))) != NULL; p++)
		if ((size_t)(p - s) + 2 < len && p[1] == '0' && p[2] == '0')
			return true;
	return false;
}

/*
 * ROOT_PATH, as Starlette treats FastAPI's root_path: a path under it
 * is routed without it (a server or a rewrite that passes the prefix
 * on), and any other path as it is (a proxy that strips the prefix).
 */
static void
strip_root_path(char *path, const char *root)
{
	size_t n = root != NULL ? strlen(root) : 0;

	if (n == 0 || strncmp(path, root, n) != 0 ||
	    (path[n] != '/' && path[n] != '\0'))
		return;
	if (path[n] == '\0')
		memcpy(path, "/", 2);
	else
		memmove(path, path + n, strlen(path + n) + 1);
}

enum ua_err
ua_req_parse(struct ua_req *req, char *const *envp, const struct ua_input *in,
    const struct ua_settings *settings)
{
	const char *uri, *rid, *q, *script, *pinfo;
	char	   *joined;
	size_t	    plen;

	req->envp = envp;
	req->settings = settings;

	rid = ua_req_header(req, "X-Request-ID");
	if (ua_request_id_valid(rid))
		snprintf(req->request_id, sizeof(req->request_id), "%s", rid);
	else
		ua_request_id_new(req->request_id);
	ua_client_addr(&settings->trusted_proxies,
	    ua_req_env(req, "REMOTE_ADDR"),
	    ua_req_header(req, "X-Forwarded-For"), req->client,
	    sizeof(req->client));

	if ((req->method_name = ua_req_env(req, "REQUEST_METHOD")) == NULL)
		req->method_name = "GET";
	req->method = ua_method_from_str(req->method_name);

	/*
	 * REQUEST_URI is what the client asked for under every server and
	 * under CGI behind rewrites; SCRIPT_NAME + PATH_INFO otherwise.
	 */
	if ((uri = ua_req_env(req, "REQUEST_URI")) != NULL && *uri == '/') {
		q = strchr(uri, '?');
		plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
		req->path = ua_url_decode(uri, plen, false, NULL);
		if (q != NULL && ua_req_env(req, "QUERY_STRING") == NULL)
			req->raw_query = q + 1;
	} else {
		script = ua_req_env(req, "SCRIPT_NAME");
		pinfo = ua_req_env(req, "PATH_INFO");
		joined = ua_xasprintf("%s%s", script ? script : "",
		    pinfo ? pinfo : "");
		req->path = ua_url_decode(joined, strlen(joined), false, NULL);
		free(joined);
	}
	strip_root_path(req->path, settings->root_path);
	if ((q = ua_req_env(req, "QUERY_STRING")) != NULL)
		req->raw_query = q;
	if ((uri != NULL && *uri == '/' && has_encoded_nul(uri, strlen(uri))) ||
	    has_encoded_nul(req->raw_query, strlen(req->raw_query)))
		return UA_ERR_BAD_REQUEST;
	ua_query_parse(req->raw_query, strlen(req->raw_query), &req->query);

	return read_body(req, in, settings->max_body_bytes);
}
