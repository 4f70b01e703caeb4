/*
 * common.c -- request bodies and path parameters for the handlers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"
#include "userapi/response.h"
#include "userapi/router.h"
#include "userapi/urlcode.h"
#include "userapi/validate.h"
#include "routers-private.h"

/* Does Content-Type "ct" name "want" (parameters such as charset ok)? */
static bool
media_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	if (ct == NULL)
		return false;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* application/json, or a structured syntax suffix: application/x+json. */
static bool
is_json(const char *ct)
{
	const char *semi, *plus;
	size_t	    n;

	if (media_is(ct, "application/json"))
		return true;
	if (ct == NULL || strncasecmp(ct, "application/", 12) != 0)
		return false;
	n = (semi = strchr(ct, ';')) != NULL ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	plus = n >= 5 ? ct + n - 5 : NULL;
	return plus != NULL && strncasecmp(plus, "+json", 5) == 0;
}

static const char *
form_get(void *arg, const char *name, size_t *len)
{
	return ua_kvlist_get_len(arg, name, len);
}

void
ua_route_invalid(struct ua_req *req, struct ua_verrs *errs)
{
	ua_resp_json(req, 422, ua_verrs_to_json(errs));
}

bool
ua_route_body(struct ua_req *req, void *out, size_t outlen)
{
	const struct ua_route *r = req->route;
	const char	      *ct = ua_req_header(req, "Content-Type");
	struct ua_kvlist       form;
	struct ua_verrs	       errs;
	enum ua_err	       er;

	memset(out, 0, outlen);
	ua_verrs_init(&errs);
	if (r->body == UA_BODY_JSON_OR_FORM &&
	    media_is(ct, "application/x-www-form-urlencoded")) {
		ua_kvlist_init(&form);
		ua_query_parse(req->body != NULL ? req->body : "",
		    req->body_len, &form);
		er = ua_schema_parse_form(r->form_schema, form_get, &form, out,
		    outlen, &errs);
		ua_kvlist_cleanup(&form);
	} else if (req->body_len == 0 || is_json(ct)) {
		/* No body at all is "missing", whatever the type says. */
		er = ua_schema_parse(r->schema, req->body, req->body_len, out,
		    outlen, &errs);
	} else {
		ua_verrs_cleanup(&errs);
		ua_resp_error(req, UA_ERR_MEDIA_TYPE);
		return false;
	}
	if (er == UA_ERR_INVALID)
		ua_route_invalid(req, &errs);
	else if (er != UA_OK)
		ua_resp_error(req, er);
	ua_verrs_cleanup(&errs);
	return er == UA_OK;
}

bool
ua_route_query_int(struct ua_req *req, const char *name, int64_t *out,
    struct ua_verrs *errs)
{
	const struct ua_query_param *q;

	for (q = req->route->query; q != NULL && q->name != NULL; q++)
		if (strcmp(q->name, name) == 0 && q->choices == NULL)
			return ua_param_int("query", name,
			    ua_kvlist_get(&req->query, name), q->def, q->min,
			    q->max, out, errs);
	abort(); /* a handler asked for a parameter it never declared */
}

void
ua_route_answer_user(struct ua_req *req, int status, const struct ua_user *u)
{
	struct ua_buf b;

	ua_buf_init(&b);
	ua_user_append_json(&b, u);
	ua_resp_json_text(req, status, &b);
	ua_buf_cleanup(&b);
}

void
ua_route_answer_page(struct ua_req *req, struct ua_buf *items, const char *base,
    const char *filters, int64_t page, int64_t limit, int64_t total)
{
	struct ua_buf b;
	int64_t	      pages = total / limit + (total % limit != 0 ? 1 : 0);
	int64_t	      last = pages > 0 ? pages : 1;
	char *where = ua_xasprintf("%s%s", ua_root_path(req->settings), base);

	ua_buf_printf(items,
	    "],\"meta\":{\"page\":%lld,\"limit\":%lld,"
	    "\"total\":%lld,\"total_pages\":%lld}}",
	    (long long)page, (long long)limit, (long long)total,
	    (long long)pages);
	ua_resp_header(req, "X-Total-Count", "%lld", (long long)total);
	/*
	 * RFC 8288 links between pages, relative, as API.md shows them,
	 * under ROOT_PATH.
	 */
	ua_buf_init(&b);
	ua_buf_printf(&b,
	    "<%s?%spage=1&limit=%lld>; rel=\"first\", "
	    "<%s?%spage=%lld&limit=%lld>; rel=\"last\"",
	    where, filters, (long long)limit, where, filters, (long long)last,
	    (long long)limit);
	if (page > 1)
		ua_buf_printf(&b, ", <%s?%spage=%lld&limit=%lld>; rel=\"prev\"",
		    where, filters,
		    (long long)(page - 1 < last ? page - 1 : last),
		    (long long)limit);
	if (page < pages)
		ua_buf_printf(&b, ", <%s?%spage=%lld&limit=%lld>; rel=\"next\"",
		    where, filters, (long long)page + 1, (long long)limit);
	ua_resp_header(req, "Link", "%s", b.data);
	ua_buf_cleanup(&b);
	free(where);
	ua_resp_json_text(req, 200, items);
}

/*
 * Is "raw" one of "choices"?  Else Pydantic's "enum" problem:
 * "Input should be 'a', 'b' or 'c'".
 */
static bool
param_choice(const char *where, const char *name, const char *raw,
    const char *const *choices, int *out, struct ua_verrs *errs)
{
	struct json_object *ctx;
	struct ua_buf	    expected, msg;
	int		    i, n;

	for (n = 0; choices[n] != NULL; n++)
		if (strcmp(choices[n], raw) == 0) {
			*out = n;
			return true;
		}
	ua_buf_init(&expected);
	for (i = 0; i < n; i++)
		ua_buf_printf(&expected, "%s'%s'",
		    i == 0 ? "" : (i == n - 1 ? " or " : ", "), choices[i]);
	ua_buf_init(&msg);
	ua_buf_printf(&msg, "Input should be %s", expected.data);
	ctx = json_object_new_object();
	json_object_object_add(ctx, "expected",
	    json_object_new_string(expected.data));
	ua_verrs_add(errs, "enum", ua_loc(where, name), msg.data,
	    json_object_new_string(raw), ctx);
	ua_buf_cleanup(&msg);
	ua_buf_cleanup(&expected);
	return false;
}

bool
ua_route_query_choice(struct ua_req *req, const char *name, int *out,
    bool *given, struct ua_verrs *errs)
{
	const struct ua_query_param *q;
	const char		    *raw = ua_kvlist_get(&req->query, name);

	for (q = req->route->query; q != NULL && q->name != NULL; q++)
		if (strcmp(q->name, name) == 0 && q->choices != NULL)
			break;
	if (q == NULL || q->name == NULL)
		abort(); /* a handler asked for a parameter it never declared */
	*given = raw != NULL;
	return raw == NULL ||
	    param_choice("query", name, raw, q->choices, out, errs);
}
