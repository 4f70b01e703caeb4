/*
 * response.c -- build the response in memory, then write it in one go.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/alloc.h"
#include "userapi/request.h"
#include "userapi/response.h"

/* Seconds a client is asked to wait when the database is away. */
#define RETRY_AFTER_DB_S 5

void
ua_resp_init(struct ua_resp *r)
{
	memset(r, 0, sizeof(*r));
	ua_buf_init(&r->headers);
	ua_buf_init(&r->body);
}

void
ua_resp_cleanup(struct ua_resp *r)
{
	free(r->content_type);
	ua_buf_cleanup(&r->headers);
	ua_buf_cleanup(&r->body);
	ua_resp_init(r);
}

void
ua_resp_header(struct ua_req *req, const char *name, const char *fmt, ...)
{
	struct ua_buf *h = &req->resp.headers;
	size_t	       start, i;
	va_list	       ap;

	ua_buf_puts(h, name);
	ua_buf_puts(h, ": ");
	start = h->len;
	va_start(ap, fmt);
	ua_buf_vprintf(h, fmt, ap);
	va_end(ap);
	/* A value can never start another header line. */
	for (i = start; i < h->len; i++)
		if (h->data[i] == '\r' || h->data[i] == '\n')
			h->data[i] = ' ';
	ua_buf_puts(h, "\r\n");
}

static void
set_body(struct ua_req *req, int status, const char *ctype, const void *body,
    size_t len)
{
	req->resp.status = status;
	free(req->resp.content_type);
	req->resp.content_type = ctype != NULL ? ua_xstrdup(ctype) : NULL;
	ua_buf_reset(&req->resp.body);
	ua_buf_append(&req->resp.body, body, len);
}

void
ua_resp_json(struct ua_req *req, int status, struct json_object *obj)
{
	const char *s;
	size_t	    len;

	s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	set_body(req, status, NULL, s, len);
	json_object_put(obj);
}

void
ua_resp_json_text(struct ua_req *req, int status, const struct ua_buf *json)
{
	set_body(req, status, NULL, json->data, json->len);
}

void
ua_resp_detail(struct ua_req *req, int status, const char *detail)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string(detail));
	ua_resp_json(req, status, o);
}

void
ua_resp_error(struct ua_req *req, enum ua_err er)
{
	int status = ua_err_http_status(er);

	ua_buf_reset(&req->resp.headers);
	if (status == 401)
		ua_resp_header(req, "WWW-Authenticate", "Bearer");
	else if (status == 503)
		ua_resp_header(req, "Retry-After", "%d", RETRY_AFTER_DB_S);
	ua_resp_detail(req, status, ua_err_detail(er));
}

void
ua_resp_empty(struct ua_req *req, int status)
{
	set_body(req, status, NULL, "", 0);
}

void
ua_resp_raw(struct ua_req *req, int status, const char *content_type,
    const void *body, size_t len)
{
	set_body(req, status, content_type, body, len);
}

/* Everything under /api/ carries user data: never cache it. */
static int
is_api_path(const char *path)
{
	return path != NULL &&
	    (strcmp(path, "/api") == 0 || strncmp(path, "/api/", 5) == 0);
}

void
ua_resp_serialize(const struct ua_req *req, struct ua_buf *out)
{
	const struct ua_resp *r = &req->resp;
	int		      status = r->status ? r->status : 500;
	int		      bodyless = status == 204 || status == 304;

	ua_buf_printf(out, "Status: %d %s\r\n", status, ua_http_reason(status));
	if (!bodyless)
		ua_buf_printf(out, "Content-Type: %s\r\n",
		    r->content_type != NULL ? r->content_type :
					      "application/json");
	ua_buf_printf(out, "X-Request-ID: %s\r\n", req->request_id);
	ua_buf_puts(out, "X-Content-Type-Options: nosniff\r\n");
	if (is_api_path(req->path))
		ua_buf_puts(out, "Cache-Control: no-store\r\n");
	if (r->headers.len > 0)
		ua_buf_append(out, r->headers.data, r->headers.len);
	if (!bodyless)
		ua_buf_printf(out, "Content-Length: %zu\r\n", r->body.len);
	ua_buf_puts(out, "\r\n");
	if (!bodyless && req->method != UA_METHOD_HEAD && r->body.len > 0)
		ua_buf_append(out, r->body.data, r->body.len);
}
