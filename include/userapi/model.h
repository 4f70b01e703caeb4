/*
 * model.h -- a model declared once: the struct, the field table, the
 * JSON writer and (in lib/openapi) the OpenAPI schema, and (in
 * lib/repositories) the SELECT list, its column enum and the row
 * reader all expand from one list per model.
 *
 * A model is an X-macro list, e.g. (include/userapi/user.h):
 *
 *	#define UA_USER_MODEL(F, N, x)                                   \
 *		F(x, INT,  id,    "id",    "id",    ())                  \
 *		N(x, TEXT, email, "email", "email", (.format = "email"), \
 *		    UA_EMAIL_MAX + 1)                                    \
 *		...
 *
 * One line per field, in the JSON object's order:
 *
 *	F or N (x, kind, member, "json key", "sql column", (attributes), extra)
 *
 * The first line is F and every other one N (the SQL list puts ", "
 * between columns, which only N does); the first field must have a
 * column.  "x" is passed through untouched.  The kinds, their members in
 * the struct, the SQL each selects and what each adds after the
 * attributes:
 *
 *	INT            int64_t m;             t.col
 *	NULLABLE_INT   bool has; int64_t m;   t.col                      , has
 *	TEXT           char m[size];          t.col                      , size
 *	TEXT_PTR       char *m; (NULL: null)  t.col
 *	BOOL           bool m;                t.col
 *	ENUM           ctype m;               t.col::text AS col
 *	                   , ctype, count, api_names, db_names
 *	TIME           int64_t m; (us)        (extract(epoch FROM t.col)
 *	                                       * 1000000)::bigint AS m
 *	NULLABLE_TIME  bool has; int64_t m;   likewise                   , has
 *	LIST           itype *m; size_t n;    nothing (its own table)
 *	                   , n, itype, item_model
 *
 * The attributes are designated initialisers of struct ua_mfield, in
 * parentheses: "()" for none, or any of .format, .pattern, .min_len,
 * .max_len (UA_LEN), .has_range/.minimum/.maximum (UA_RANGE) for the
 * OpenAPI schema, and .noexport = true for a field that is never
 * written to JSON nor described (openradtool's "noexport").  An ENUM's
 * name arrays (indexed by value, "count" long) must be visible where
 * the field table is expanded: they are usually static in
 * lib/models/<r>.c.
 *
 * Per model, then:
 *
 *	struct ua_user { UA_MODEL_MEMBERS(UA_USER_MODEL) };      header
 *	UA_MODEL_FIELDS(UA_USER_MODEL, struct ua_user)            lib/models
 *	UA_MODEL_COLS_OF(UA_USER_MODEL, "u")                      SQL text
 *	enum { UA_MODEL_COL_ENUM(UA_USER_MODEL, UA_USER_COL_)     column
 *	       UA_USER_COL__MAX };                                enum
 *
 * and adding a column is one line in the list (and its migration).
 */
#ifndef USERAPI_MODEL_H
#define USERAPI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/buf.h"

#pragma GCC visibility push(default)

/* What a field holds, as the writer, the reader and the schema see it. */
enum ua_mkind {
	UA_MK_INT,	/* int64_t */
	UA_MK_TEXT,	/* char[size], NUL-terminated */
	UA_MK_TEXT_PTR, /* char *, heap; NULL is JSON null */
	UA_MK_ENUM,	/* an int-sized enum, written by name */
	UA_MK_TIME,	/* int64_t microseconds since the epoch */
	UA_MK_BOOL,	/* bool */
	UA_MK_LIST,	/* item array and a size_t count: a JSON array */
	UA_MK__MAX
};

struct ua_model;

/* One field of a model: a row of the table UA_MODEL_FIELDS() expands. */
struct ua_mfield {
	const char   *key;     /* JSON key and OpenAPI property */
	const char   *jkey;    /* ",\"key\":" as the writer puts it */
	size_t	      jkeylen; /* strlen(jkey) */
	const char   *column;  /* SQL column; NULL: none (a LIST) */
	enum ua_mkind kind;
	size_t	      off;	/* offsetof the member */
	size_t	      size;	/* sizeof the member */
	bool	      nullable; /* may be JSON null */
	size_t	      has_off;	/* NULLABLE_*: offsetof its bool "has" */
	/* UA_MK_ENUM: names by value ("count" of them). */
	const char *const *names;    /* as the API spells them */
	const char *const *db_names; /* as the database stores them */
	int		   nnames;
	/* UA_MK_LIST: where the count is, and the items' model. */
	size_t		       count_off;
	const struct ua_model *item;
	/* The declaration's attributes. */
	const char *format;  /* OpenAPI "format"; NULL: none */
	const char *pattern; /* OpenAPI "pattern"; NULL: none */
	int64_t	    min_len; /* characters (strings), items (lists) */
	int64_t	    max_len; /* likewise; 0: no bound */
	bool	    has_range;
	int64_t	    minimum; /* integers, with has_range */
	int64_t	    maximum;
	bool	    noexport; /* never in JSON nor in the schema */
};

/* The most fields a model may declare (the schema writer's arrays). */
#define UA_MODEL_FIELDS_MAX 64

/* A model: its fields in JSON order. */
struct ua_model {
	const char	       *name; /* OpenAPI schema name: "User" */
	const struct ua_mfield *fields;
	size_t			nfields;
	size_t			ncolumns; /* fields with a SQL column */
	size_t			size;	  /* sizeof the struct */
};

/* Attribute helpers: (UA_LEN(1, 64)), (UA_RANGE(0, 1000)). */
#define UA_LEN(lo, hi) .min_len = (lo), .max_len = (hi)
#define UA_RANGE(lo, hi) .has_range = true, .minimum = (lo), .maximum = (hi)

/*
 * "(a, b)" to "a, b".  The extra UA_MX_EXPAND makes the call visible to
 * preprocessors (cppcheck's) that do not rescan a macro name followed
 * by parentheses from an argument.
 */
#define UA_MX_ATTRS(attrs) UA_MX_EXPAND(UA_MX_UNPAREN attrs)
#define UA_MX_EXPAND(...) __VA_ARGS__
#define UA_MX_UNPAREN(...) __VA_ARGS__

/* The struct members: struct ua_x { UA_MODEL_MEMBERS(UA_X_MODEL) }; */
#define UA_MODEL_MEMBERS(LIST) LIST(UA_MX_MEMBER, UA_MX_MEMBER, ~)
#define UA_MX_MEMBER(x, kind, m, key, col, ...) \
	UA_MX_MEMBER_##kind(m, __VA_ARGS__)
#define UA_MX_MEMBER_INT(m, attrs) int64_t m;
#define UA_MX_MEMBER_NULLABLE_INT(m, attrs, has) \
	bool	has; \
	int64_t m;
#define UA_MX_MEMBER_TEXT(m, attrs, size) char m[size];
#define UA_MX_MEMBER_TEXT_PTR(m, attrs) char *m;
#define UA_MX_MEMBER_BOOL(m, attrs) bool m;
#define UA_MX_MEMBER_ENUM(m, attrs, ctype, n, names, db_names) ctype m;
#define UA_MX_MEMBER_TIME(m, attrs) int64_t m;
#define UA_MX_MEMBER_NULLABLE_TIME(m, attrs, has) \
	bool	has; \
	int64_t m;
#define UA_MX_MEMBER_LIST(m, attrs, n, itype, imodel) \
	itype *m; \
	size_t n;

/*
 * The model's field table and the model, in lib/models/<r>.c:
 *
 *	static const struct ua_mfield x_fields[] = {
 *		UA_MODEL_FIELDS(UA_X_MODEL, struct ua_x)
 *	};
 *	const struct ua_model ua_x_model =
 *	    UA_MODEL_INIT("X", x_fields, UA_X_MODEL, struct ua_x);
 */
#define UA_MODEL_FIELDS(LIST, T) LIST(UA_MX_FIELD, UA_MX_FIELD, T)
#define UA_MODEL_INIT(name, fields, LIST, T) \
	{ \
		(name), (fields), sizeof(fields) / sizeof((fields)[0]), \
		    UA_MODEL_NCOLUMNS(LIST), sizeof(T) \
	}
#define UA_MX_FIELD(T, kind, m, k, col, ...) \
	UA_MX_FIELD_##kind(T, m, k, col, __VA_ARGS__)
/* "sz": the member's size (a LIST's items are a pointer). */
#define UA_MX_SIZEOF(T, m) sizeof(((T *)NULL)->m)
#define UA_MX_FIELD_COMMON(T, m, k, col, kd, sz) \
	.key = (k), \
	.jkey = ",\"" k "\":", .jkeylen = sizeof(",\"" k "\":") - 1, \
	.column = (col), .kind = (kd), .off = offsetof(T, m), .size = (sz)
#define UA_MX_FIELD_INT(T, m, k, col, attrs) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_INT, UA_MX_SIZEOF(T, m)), \
		UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_NULLABLE_INT(T, m, k, col, attrs, has) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_INT, UA_MX_SIZEOF(T, m)), \
		.nullable = true, .has_off = offsetof(T, has), \
		UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_TEXT(T, m, k, col, attrs, sz) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_TEXT, UA_MX_SIZEOF(T, m)), \
		UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_TEXT_PTR(T, m, k, col, attrs) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_TEXT_PTR, \
	      UA_MX_SIZEOF(T, m)), \
		.nullable = true, UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_ENUM(T, m, k, col, attrs, ctype, n, api, db) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_ENUM, UA_MX_SIZEOF(T, m)), \
		.names = (api), .db_names = (db), .nnames = (n), \
		UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_BOOL(T, m, k, col, attrs) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_BOOL, UA_MX_SIZEOF(T, m)), \
		UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_TIME(T, m, k, col, attrs) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_TIME, UA_MX_SIZEOF(T, m)), \
		UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_NULLABLE_TIME(T, m, k, col, attrs, has) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_TIME, UA_MX_SIZEOF(T, m)), \
		.nullable = true, .has_off = offsetof(T, has), \
		UA_MX_ATTRS(attrs) },
#define UA_MX_FIELD_LIST(T, m, k, col, attrs, n, itype, imodel) \
	{ UA_MX_FIELD_COMMON(T, m, k, col, UA_MK_LIST, sizeof(void *)), \
		.count_off = offsetof(T, n), .item = &(imodel), \
		UA_MX_ATTRS(attrs) },

/*
 * The number of fields with a SQL column, a constant: the length of a
 * char array with one element per column (the first field has one).
 */
#define UA_MODEL_NCOLUMNS(LIST) \
	(sizeof((const char[]){ LIST(UA_MX_ONE, UA_MX_ONE, ~) }))
#define UA_MX_ONE(x, kind, ...) UA_MX_ONE_##kind
#define UA_MX_ONE_INT 0,
#define UA_MX_ONE_NULLABLE_INT 0,
#define UA_MX_ONE_TEXT 0,
#define UA_MX_ONE_TEXT_PTR 0,
#define UA_MX_ONE_BOOL 0,
#define UA_MX_ONE_ENUM 0,
#define UA_MX_ONE_TIME 0,
#define UA_MX_ONE_NULLABLE_TIME 0,
#define UA_MX_ONE_LIST

/*
 * Compile-time checks of the struct, at file scope beside the table:
 * UA_MODEL_ASSERTS(UA_X_MODEL, struct ua_x).  An enum is read and
 * written as an int.
 */
#define UA_MODEL_ASSERTS(LIST, T) LIST(UA_MX_ASSERT, UA_MX_ASSERT, T)
#define UA_MX_ASSERT(T, kind, m, ...) UA_MX_ASSERT_##kind(T, m)
#define UA_MX_ASSERT_INT(T, m)
#define UA_MX_ASSERT_NULLABLE_INT(T, m)
#define UA_MX_ASSERT_TEXT(T, m)
#define UA_MX_ASSERT_TEXT_PTR(T, m)
#define UA_MX_ASSERT_BOOL(T, m)
#define UA_MX_ASSERT_ENUM(T, m) \
	_Static_assert(sizeof(((T *)NULL)->m) == sizeof(int), \
	    #T "." #m ": an enum is read and written as an int");
#define UA_MX_ASSERT_TIME(T, m)
#define UA_MX_ASSERT_NULLABLE_TIME(T, m)
#define UA_MX_ASSERT_LIST(T, m)

/*
 * The SELECT list of the model's columns of table (or alias) "t", a
 * string literal: one string literal, in the list's order.  Times are
 * microseconds since the epoch, named after their member; enums text.
 */
#define UA_MODEL_COLS_OF(LIST, t) LIST(UA_MX_SQL_FIRST, UA_MX_SQL_NEXT, t)
#define UA_MX_SQL_FIRST(t, kind, m, key, col, ...) \
	UA_MX_SQL_##kind("", t, m, col)
#define UA_MX_SQL_NEXT(t, kind, m, key, col, ...) \
	UA_MX_SQL_##kind(", ", t, m, col)
#define UA_MX_SQL_INT(sep, t, m, col) sep t "." col
#define UA_MX_SQL_NULLABLE_INT(sep, t, m, col) sep t "." col
#define UA_MX_SQL_TEXT(sep, t, m, col) sep t "." col
#define UA_MX_SQL_TEXT_PTR(sep, t, m, col) sep t "." col
#define UA_MX_SQL_BOOL(sep, t, m, col) sep t "." col
#define UA_MX_SQL_ENUM(sep, t, m, col) sep t "." col "::text AS " col
#define UA_MX_SQL_TIME(sep, t, m, col) sep UA_MX_SQL_US(t, col) " AS " #m
/* A time column "col" of "t" as a bigint of microseconds since the epoch. */
#define UA_MX_SQL_US(t, col) \
	"(extract(epoch FROM " t "." col ") * 1000000)::bigint"
#define UA_MX_SQL_NULLABLE_TIME(sep, t, m, col) UA_MX_SQL_TIME(sep, t, m, col)
#define UA_MX_SQL_LIST(sep, t, m, col)

/*
 * One row of the model's columns of table (or alias) "t" as a text
 * array, a string literal: "ARRAY[t.col::text, ...]", one element per
 * field with a column, in the list's order, each as UA_MODEL_COLS_OF
 * selects it (times in microseconds, booleans "t" or "f").  Gathered
 * with ARRAY(SELECT ... ORDER BY ...), the rows of a child table come
 * back as one two-dimensional array in one column, which
 * ua_pg_model_array() (lib/repositories) reads.
 */
#define UA_MODEL_ROW_OF(LIST, t) \
	"ARRAY[" LIST(UA_MX_ROW_FIRST, UA_MX_ROW_NEXT, t) "]"
#define UA_MX_ROW_FIRST(t, kind, m, key, col, ...) \
	UA_MX_ROW_##kind("", t, m, col)
#define UA_MX_ROW_NEXT(t, kind, m, key, col, ...) \
	UA_MX_ROW_##kind(", ", t, m, col)
#define UA_MX_ROW_INT(sep, t, m, col) sep t "." col "::text"
#define UA_MX_ROW_NULLABLE_INT(sep, t, m, col) sep t "." col "::text"
#define UA_MX_ROW_TEXT(sep, t, m, col) sep t "." col "::text"
#define UA_MX_ROW_TEXT_PTR(sep, t, m, col) sep t "." col "::text"
#define UA_MX_ROW_BOOL(sep, t, m, col) \
	sep "CASE WHEN " t "." col " THEN 't' WHEN NOT " t "." col \
	    " THEN 'f' END"
#define UA_MX_ROW_ENUM(sep, t, m, col) sep t "." col "::text"
#define UA_MX_ROW_TIME(sep, t, m, col) sep UA_MX_SQL_US(t, col) "::text"
#define UA_MX_ROW_NULLABLE_TIME(sep, t, m, col) UA_MX_ROW_TIME(sep, t, m, col)
#define UA_MX_ROW_LIST(sep, t, m, col)

/*
 * The column enum's constants, "prefix" pasted to each member with a
 * column: enum { UA_MODEL_COL_ENUM(UA_X_MODEL, UA_X_COL_) UA_X_COL__MAX };
 */
#define UA_MODEL_COL_ENUM(LIST, prefix) LIST(UA_MX_COL, UA_MX_COL, prefix)
#define UA_MX_COL(p, kind, m, ...) UA_MX_COL_##kind(p, m)
#define UA_MX_COL_INT(p, m) p##m,
#define UA_MX_COL_NULLABLE_INT(p, m) p##m,
#define UA_MX_COL_TEXT(p, m) p##m,
#define UA_MX_COL_TEXT_PTR(p, m) p##m,
#define UA_MX_COL_BOOL(p, m) p##m,
#define UA_MX_COL_ENUM(p, m) p##m,
#define UA_MX_COL_TIME(p, m) p##m,
#define UA_MX_COL_NULLABLE_TIME(p, m) p##m,
#define UA_MX_COL_LIST(p, m)

/*
 * Write "us" (microseconds since the epoch) as Pydantic v2 prints a UTC
 * datetime: "2026-11-26T10:00:00.123450Z", or without the fraction
 * when it is zero.  "buf" holds at least UA_TIMESTAMP_LEN bytes.
 */
#define UA_TIMESTAMP_LEN 40
void ua_fmt_timestamp(char *buf, int64_t us);

/*
 * Append "obj" (a struct of model "m") as a compact JSON object: every
 * field not marked noexport, in the declaration's order.  Nothing but
 * the declared fields is ever written.
 */
void ua_model_append_json(struct ua_buf *, const struct ua_model *m,
    const void *obj);

#pragma GCC visibility pop
#endif
