/*
 * pgtest.c -- what the integration tests that make scratch databases
 * share: formatting, connection strings, environment entries.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "pgtest.h"

/* "fmt" into a fresh string; free it. */
char *
pgt_fmt(const char *f, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		abort();
	return s;
}

/*
 * "conninfo" (URI or key=value) with its dbname replaced by "db", as a
 * key=value string, or NULL if it cannot be parsed; free it.
 */
char *
pgt_conninfo_for(const char *conninfo, const char *db)
{
	PQconninfoOption *opts, *o;
	char		 *err = NULL, *out, *tmp;
	const char	 *v, *k;
	size_t		  i;

	if ((opts = PQconninfoParse(conninfo, &err)) == NULL) {
		PQfreemem(err);
		return NULL;
	}
	out = pgt_fmt("%s", "");
	for (o = opts;; o++) {
		if (o->keyword == NULL) {
			k = "dbname";
			v = db;
		} else if (o->val == NULL || strcmp(o->keyword, "dbname") == 0)
			continue;
		else {
			k = o->keyword;
			v = o->val;
		}
		tmp = pgt_fmt("%s%s='", out, k);
		free(out);
		out = tmp;
		for (i = 0; v[i] != '\0'; i++) {
			tmp = pgt_fmt("%s%s%c", out,
			    v[i] == '\'' || v[i] == '\\' ? "\\" : "", v[i]);
			free(out);
			out = tmp;
		}
		tmp = pgt_fmt("%s' ", out);
		free(out);
		out = tmp;
		if (o->keyword == NULL)
			break;
	}
	PQconninfoFree(opts);
	return out;
}

/* True if the environment entry "e" sets "name" (any case). */
bool
pgt_env_is(const char *e, const char *name)
{
	size_t len = strlen(name);

	return strncasecmp(e, name, len) == 0 && e[len] == '=';
}
