/*
 * unit-app.c -- one request through a whole app on memory buffers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "unit-app.h"

int
unit_mem_read(void *arg, char *buf, int len)
{
	struct unit_memin *m = arg;
	size_t		   n = m->len - m->pos;

	if ((size_t)len < n)
		n = (size_t)len;
	if (n == 0)
		return 0;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (int)n;
}

#define ENV_MAX 8

/* Append "NAME=value" to "envp" (room for ENV_MAX and a NULL). */
static void
env_add(char env[ENV_MAX][1200], char **envp, size_t *n, const char *name,
    const char *value)
{
	ck_assert_uint_lt(*n, ENV_MAX);
	snprintf(env[*n], sizeof(env[*n]), "%s=%s", name, value);
	envp[*n] = env[*n];
	(*n)++;
}

int
unit_serve(const struct ua_app *app, struct ua_buf *out,
    const struct unit_request *r, const char **body)
{
	struct unit_memin m = { r->body, r->body != NULL ? strlen(r->body) : 0,
		0 };
	struct ua_input	  in = { unit_mem_read, &m, false };
	char		  env[ENV_MAX][1200], *envp[ENV_MAX + 1], len[32];
	char		  auth[1100];
	const char	 *p;
	size_t		  n = 0;

	env_add(env, envp, &n, "REQUEST_METHOD", r->method);
	env_add(env, envp, &n, "REQUEST_URI", r->path);
	if (r->client != NULL)
		env_add(env, envp, &n, "REMOTE_ADDR", r->client);
	if (r->token != NULL) {
		snprintf(auth, sizeof(auth), "Bearer %s", r->token);
		env_add(env, envp, &n, "HTTP_AUTHORIZATION", auth);
	}
	if (r->body != NULL) {
		snprintf(len, sizeof(len), "%zu", strlen(r->body));
		env_add(env, envp, &n, "CONTENT_TYPE", "application/json");
		env_add(env, envp, &n, "CONTENT_LENGTH", len);
	}
	envp[n] = NULL;
	ua_buf_reset(out);
	ua_app_handle(app, envp, &in, out);
	ck_assert_ptr_nonnull(p = strstr(out->data, "\r\n\r\n"));
	*body = p + 4;
	return atoi(out->data + strlen("Status: "));
}
