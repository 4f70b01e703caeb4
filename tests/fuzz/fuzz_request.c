/*
 * fuzz_request.c -- a whole request through the users and auth workers'
 * parsing, routing and validation, on memory buffers, no database.
 *
 * Input: CGI variables, one "NAME=value" per line, then an empty line,
 * then the body.  Everything a handler reaches before the database is
 * exercised: body limits, query decoding, the bearer check, JSON and
 * form validation.  The database handle points nowhere reachable, so
 * a request that gets that far answers 503.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/buf.h"
#include "userapi/log.h"
#include "userapi/routers.h"
#include "userapi/settings.h"
#include "userapi/worker.h"

#define MAX_VARS 32

struct memin {
	const uint8_t *p;
	size_t	       len;
};

static int
mem_read(void *arg, char *buf, int len)
{
	struct memin *m = arg;
	size_t	      n = m->len < (size_t)len ? m->len : (size_t)len;

	if (n > 0)
		memcpy(buf, m->p, n);
	m->p += n;
	m->len -= n;
	return (int)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ua_router *const routers[] = {
		&ua_router_users,
		&ua_router_auth,
		&ua_router_health,
	};
	static struct ua_settings s;
	static struct ua_app	  app;
	static bool		  ready;
	static char	secret[] = "fuzz-secret-0123456789abcdef0123456789";
	static char	url[] = "host=/nonexistent dbname=x";
	static char	name[] = "userapi";
	static char	none[] = "";
	char	       *env[MAX_VARS + 1], *text, *line, *next;
	struct ua_input in;
	struct ua_buf	out;
	struct memin	body;
	const uint8_t  *sep;
	size_t		n = 0, hlen;

	if (!ready) {
		ua_log_init("fuzz", false);
		s.database_url = url;
		s.jwt_secret = secret;
		s.jwt_secret_len = strlen(secret);
		s.app_name = name;
		s.cors_origins = none;
		s.docs_assets_url = none;
		s.max_body_bytes = 4096;
		s.access_token_expire_minutes = 30;
		s.bcrypt_cost = 4;
		s.login_max_failures = 5;
		s.login_window_seconds = 60;
		ua_app_init_pg(&app, &s, routers, 3);
		ready = true;
	}

	sep = memmem(data, size, "\n\n", 2);
	hlen = sep != NULL ? (size_t)(sep - data) : size;
	text = strndup((const char *)data, hlen);
	for (line = text; line != NULL && n < MAX_VARS; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strchr(line, '=') != NULL)
			env[n++] = line;
	}
	env[n] = NULL;
	body.p = sep != NULL ? sep + 2 : data + size;
	body.len = sep != NULL ? size - hlen - 2 : 0;
	in.read = mem_read;
	in.arg = &body;
	in.is_cgi = (size & 1) != 0;
	ua_buf_init(&out);
	ua_app_handle(&app, env, &in, &out);
	/* Whatever came in, the answer is a CGI response, never a 500. */
	if (out.len < 12 || memcmp(out.data, "Status: ", 8) != 0 ||
	    memcmp(out.data + 8, "500", 3) == 0)
		abort();
	ua_buf_cleanup(&out);
	free(text);
	return 0;
}
