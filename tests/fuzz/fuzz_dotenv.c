/*
 * fuzz_dotenv.c -- .env text through the python-dotenv parser and then
 * through ua_settings_load(), as a worker reads its settings file.
 *
 * Properties checked, beyond "no crash":
 *  - every key is non-empty and holds no '=', '#', NUL or white space;
 *    no key comes twice (a later line replaces an earlier one);
 *  - the pairs, written back as KEY="escaped value" lines, parse to the
 *    same pairs;
 *  - a successful load keeps every number inside its documented range
 *    and a JWT secret of at least 32 bytes; a failed one says why.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "userapi/buf.h"
#include "userapi/settings.h"
#include "userapi/urlcode.h"
#include "core-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_keys(const struct ua_kvlist *l)
{
	size_t i, j;
	char  *k;

	for (i = 0; i < l->len; i++) {
		k = l->items[i].key;
		if (*k == '\0' || strpbrk(k, "=# \t\r\n\v\f") != NULL)
			abort();
		if (l->items[i].vlen != strlen(l->items[i].val))
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(l->items[j].key, k) == 0)
				abort();
	}
}

/* The pairs as .env text: KEY="value", with the escapes quoted() reads. */
static void
write_back(const struct ua_kvlist *l, struct ua_buf *b)
{
	const char *v;
	size_t	    i;

	for (i = 0; i < l->len; i++) {
		ua_buf_append(b, l->items[i].key, strlen(l->items[i].key));
		ua_buf_append(b, "=\"", 2);
		for (v = l->items[i].val; *v != '\0'; v++) {
			if (*v == '"' || *v == '\\')
				ua_buf_append(b, "\\", 1);
			ua_buf_append(b, v, 1);
		}
		ua_buf_append(b, "\"\n", 2);
	}
}

static void
check_round_trip(const struct ua_kvlist *l)
{
	struct ua_kvlist again;
	struct ua_buf	 b;
	size_t		 i;

	ua_buf_init(&b);
	ua_buf_append(&b, "", 0);
	write_back(l, &b);
	ua_kvlist_init(&again);
	ua_dotenv_parse(b.data, b.len, &again);
	if (again.len != l->len)
		abort();
	for (i = 0; i < l->len; i++)
		if (strcmp(again.items[i].key, l->items[i].key) != 0 ||
		    strcmp(again.items[i].val, l->items[i].val) != 0)
			abort();
	ua_kvlist_cleanup(&again);
	ua_buf_cleanup(&b);
}

static void
check_settings(const uint8_t *data, size_t size)
{
	static int	   fd = -1;
	static char	   envfile[64];
	char		  *envp[2] = { envfile, NULL };
	struct ua_settings s;
	char		   err[512];

	/* The settings file lives in memory: no disk write per input. */
	if (fd == -1) {
		if ((fd = memfd_create("fuzz.env", 0)) == -1)
			abort();
		snprintf(envfile, sizeof(envfile),
		    "USERAPI_ENV_FILE=/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();

	err[0] = '\0';
	if (ua_settings_load(&s, envp, NULL, UA_NEED_ALL, err, sizeof(err)) !=
	    UA_OK) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (s.database_url == NULL || s.jwt_secret == NULL ||
	    s.jwt_secret_len < 32 || s.jwt_secret_len != strlen(s.jwt_secret) ||
	    (unsigned)s.jwt_algorithm >= UA_JWT__MAX ||
	    (unsigned)s.password_hash >= UA_PW__MAX ||
	    s.access_token_expire_minutes < 1 ||
	    s.access_token_expire_minutes > 525600 || s.max_body_bytes < 1 ||
	    s.max_body_bytes > 1073741824 || s.bcrypt_cost < 4 ||
	    s.bcrypt_cost > 31 || s.db_statement_timeout_ms < 0 ||
	    s.db_statement_timeout_ms > 86400000 || s.login_max_failures < 1 ||
	    s.login_max_failures > 1000000 || s.login_window_seconds < 1 ||
	    s.login_window_seconds > 604800 || s.app_name == NULL ||
	    *s.app_name == '\0' || s.docs_assets_url == NULL ||
	    *s.docs_assets_url == '\0')
		abort();
	ua_settings_cleanup(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ua_kvlist l;

	ua_kvlist_init(&l);
	ua_dotenv_parse((const char *)data, size, &l);
	check_keys(&l);
	check_round_trip(&l);
	ua_kvlist_cleanup(&l);
	check_settings(data, size);
	return 0;
}
