/*
 * model_pg.c -- a model's row, read by its field table.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libpq-fe.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/model.h"
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

/* Column "col" of "row" into field "f" of model "m" in the struct at "p". */
static enum ua_err
read_field(const PGresult *res, int row, int col, const struct ua_model *m,
    const struct ua_mfield *f, char *p)
{
	enum ua_err er;
	int64_t	    v;
	bool	    isnull, has;
	char	   *s;
	int	    e;

	switch (f->kind) {
	case UA_MK_INT:
	case UA_MK_TIME:
		if (!f->nullable)
			er = ua_pg_int64(res, row, col, &v);
		else if ((er = ua_pg_int64_null(res, row, col, &v, &isnull)) ==
		    UA_OK) {
			has = !isnull;
			memcpy(p + f->has_off, &has, sizeof(has));
		}
		if (er == UA_OK)
			memcpy(p + f->off, &v, sizeof(v));
		return er;
	case UA_MK_TEXT:
		return ua_pg_text(res, row, col, p + f->off, f->size);
	case UA_MK_TEXT_PTR:
		s = PQgetisnull(res, row, col) ?
		    NULL :
		    ua_xstrdup(PQgetvalue(res, row, col));
		memcpy(p + f->off, &s, sizeof(s));
		return UA_OK;
	case UA_MK_BOOL:
		if (PQgetisnull(res, row, col)) {
			ua_log_err("%s: %s is null in row %d", m->name, f->key,
			    row);
			return UA_ERR_DB;
		}
		has = strcmp(PQgetvalue(res, row, col), "t") == 0;
		memcpy(p + f->off, &has, sizeof(has));
		return UA_OK;
	case UA_MK_ENUM:
		if (PQgetisnull(res, row, col) ||
		    !name_index(f->db_names, f->nnames,
			PQgetvalue(res, row, col), &e)) {
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
		if ((er = read_field(res, row, col++, m, f, obj)) != UA_OK)
			return er;
	}
	return UA_OK;
}
