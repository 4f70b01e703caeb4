/*
 * model_pg.c -- a model's row, read by its field table.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/model.h"
#include "userapi/numparse.h"
#include "model-private.h"
#include "repositories-private.h"

/* "s" among the "n" names of "names": its index into "*out". */
static bool
name_index(const char *const *names, int n, const char *s, int *out)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return true;
		}
	return false;
}

/*
 * The value "v" (NUL-terminated; NULL for SQL NULL) of field "f" of
 * model "m", in row "row", into the struct at "p".
 */
static enum ua_err
read_value(const char *v, int row, const struct ua_model *m,
    const struct ua_mfield *f, char *p)
{
	int64_t n = 0;
	bool	has = v != NULL;
	char   *s;
	int	e;

	switch (f->kind) {
	case UA_MK_INT:
	case UA_MK_TIME:
		if (v == NULL && !f->nullable) {
			ua_log_err("%s: %s is null in row %d", m->name, f->key,
			    row);
			return UA_ERR_DB;
		}
		if (v != NULL && !ua_parse_int64(v, &n)) {
			ua_log_err("%s: %s is not a bigint in row %d", m->name,
			    f->key, row);
			return UA_ERR_DB;
		}
		if (f->nullable)
			memcpy(p + f->has_off, &has, sizeof(has));
		memcpy(p + f->off, &n, sizeof(n));
		return UA_OK;
	case UA_MK_TEXT:
		p[f->off] = '\0';
		if (v == NULL || strlen(v) >= f->size) {
			ua_log_err("%s: %s is null or too long in row %d",
			    m->name, f->key, row);
			return UA_ERR_DB;
		}
		memcpy(p + f->off, v, strlen(v) + 1);
		return UA_OK;
	case UA_MK_TEXT_PTR:
		s = v == NULL ? NULL : ua_xstrdup(v);
		memcpy(p + f->off, &s, sizeof(s));
		return UA_OK;
	case UA_MK_BOOL:
		if (v == NULL) {
			ua_log_err("%s: %s is null in row %d", m->name, f->key,
			    row);
			return UA_ERR_DB;
		}
		has = strcmp(v, "t") == 0;
		memcpy(p + f->off, &has, sizeof(has));
		return UA_OK;
	case UA_MK_ENUM:
		if (v == NULL || !name_index(f->db_names, f->nnames, v, &e)) {
			ua_log_err("%s: unknown %s in row %d", m->name, f->key,
			    row);
			return UA_ERR_DB;
		}
		memcpy(p + f->off, &e, sizeof(e));
		return UA_OK;
	case UA_MK_LIST:
	case UA_MK__MAX:
	default:
		break;
	}
	ua_log_err("%s: field %s has no column", m->name, f->key);
	return UA_ERR_INTERNAL;
}

enum ua_err
ua_pg_model(const PGresult *res, int row, int col, const struct ua_model *m,
    void *obj)
{
	const struct ua_mfield *f, *end = m->fields + m->nfields;
	enum ua_err		er;

	for (f = m->fields; f < end; f++) {
		if (f->column == NULL)
			continue; /* a LIST: the caller's */
		er = read_value(PQgetisnull(res, row, col) ?
			NULL :
			PQgetvalue(res, row, col),
		    row, m, f, obj);
		if (er != UA_OK)
			return er;
		col++;
	}
	return UA_OK;
}

/*
 * The next element of the array text at "*pp", decoded in place: its
 * quotes and backslashes removed, NUL-terminated.  "*delim" is the byte
 * that ended it (',' or '}'), "*pp" the byte after that.  "*isnull"
 * for an unquoted NULL.  NULL when the text is not an element followed
 * by ',' or '}'.
 */
static char *
next_element(char **pp, char *delim, bool *isnull)
{
	char *p = *pp, *start = p, *w = p;

	*isnull = false;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\\')
				p++;
			if (*p == '\0')
				return NULL;
			*w++ = *p;
		}
		p++;
	} else {
		while (*p != ',' && *p != '}' && *p != '\0' && *p != '{' &&
		    *p != '"' && *p != '\\')
			p++;
		if (p == start)
			return NULL;
		w = p;
		*isnull =
		    (size_t)(p - start) == 4 && strncmp(start, "NULL", 4) == 0;
	}
	if (*p != ',' && *p != '}')
		return NULL;
	*delim = *p;
	*w = '\0';
	*pp = p + 1;
	return start;
}

/*
 * How many rows the two-dimensional array text "s" has: the braces
 * opened outside quotes, less the outer one.  The syntax is not checked
 * here: ua_pg_model_array() checks it as it reads the rows.
 */
static size_t
count_rows(const char *s)
{
	size_t n = 0;
	bool   quoted = false;

	for (; *s != '\0'; s++) {
		if (quoted && *s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '{')
			n++;
	}
	return n > 0 ? n - 1 : 0;
}

enum ua_err
ua_pg_model_array(const PGresult *res, int row, int col,
    const struct ua_model *m, size_t max, void **items, size_t *n)
{
	const struct ua_mfield *f, *end = m->fields + m->nfields;
	char		       *copy, *p, *v, delim;
	char		       *item;
	bool			isnull;
	size_t			rows, k;
	enum ua_err		er = UA_ERR_DB;

	*items = NULL;
	*n = 0;
	if (PQgetisnull(res, row, col)) {
		ua_log_err("%s: the rows in row %d are null", m->name, row);
		return UA_ERR_DB;
	}
	p = copy = ua_xstrdup(PQgetvalue(res, row, col));
	if ((rows = count_rows(copy)) > max)
		goto out;
	if (rows > 0)
		*items = ua_xcalloc(rows, m->size);
	if (*p++ != '{')
		goto out;
	if (rows == 0) {
		if (strcmp(p, "}") == 0)
			er = UA_OK;
		goto out;
	}
	for (k = 0; k < rows; k++) {
		if ((k > 0 && *p++ != ',') || *p++ != '{')
			goto out;
		item = (char *)*items + k * m->size;
		*n = k + 1;
		delim = ','; /* an element is due */
		for (f = m->fields; f < end; f++) {
			if (f->column == NULL)
				continue; /* a LIST: not in the row */
			if (delim != ',' ||
			    (v = next_element(&p, &delim, &isnull)) == NULL)
				goto out;
			if ((er = read_value(isnull ? NULL : v, row, m, f,
				 item)) != UA_OK)
				goto out;
			er = UA_ERR_DB;
		}
		if (delim != '}')
			goto out;
	}
	if (strcmp(p, "}") == 0)
		er = UA_OK;
out:
	if (er != UA_OK)
		ua_log_err("%s: unexpected rows in row %d", m->name, row);
	free(copy);
	return er;
}
