/*
 * model.c -- what every model shares: timestamps as the API writes
 * them, and the table-driven JSON writer.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "userapi/json_out.h"
#include "userapi/model.h"

/*
 * Year, month (1..12) and day of the civil (proleptic Gregorian) date
 * "days" days after 1970-01-01: H. Hinnant's civil_from_days.
 */
static void
civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097; /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) /
	    365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153; /* [0, 11] */

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* "n" as exactly "width" decimal digits at "p". */
static void
put_digits(char *p, int64_t n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

void
ua_fmt_timestamp(char *buf, int64_t us)
{
	int64_t	  secs = us / 1000000, frac = us % 1000000;
	int64_t	  days, sod, year;
	int	  month, day;
	time_t	  t;
	struct tm tm;
	size_t	  n;

	if (frac < 0) { /* before 1970: floor, not truncate */
		frac += 1000000;
		secs--;
	}
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	civil_from_days(days, &year, &month, &day);
	if (year >= 1000 && year <= 9999) {
		/* By hand: gmtime_r() and strftime() cost more than the rest. */
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the end is written below */
		memcpy(buf, "0000-00-00T00:00:00", 19);
		put_digits(buf, year, 4);
		put_digits(buf + 5, month, 2);
		put_digits(buf + 8, day, 2);
		put_digits(buf + 11, sod / 3600, 2);
		put_digits(buf + 14, sod / 60 % 60, 2);
		put_digits(buf + 17, sod % 60, 2);
		n = 19;
	} else {
		t = (time_t)secs;
		gmtime_r(&t, &tm);
		n = strftime(buf, UA_TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	if (frac != 0) {
		buf[n] = '.';
		put_digits(buf + n + 1, frac, 6);
		memcpy(buf + n + 7, "Z", 2);
	} else
		memcpy(buf + n, "Z", 2);
}

/* Is the value of "f" in the struct at "p" null? */
static bool
is_null(const struct ua_mfield *f, const char *p)
{
	bool has;

	if (!f->nullable)
		return false;
	memcpy(&has, p + f->has_off, sizeof(has));
	return !has;
}

/* The value of field "f" of the struct at "p". */
static void
append_value(struct ua_buf *b, const struct ua_mfield *f, const char *p)
{
	const char *s;
	const char *items;
	int64_t	    v;
	size_t	    i, n;
	int	    e;
	bool	    flag;
	char	    ts[UA_TIMESTAMP_LEN];

	switch (f->kind) {
	case UA_MK_INT:
		if (is_null(f, p))
			break;
		memcpy(&v, p + f->off, sizeof(v));
		ua_json_append_int64(b, v);
		return;
	case UA_MK_TEXT:
		ua_json_append_str(b, p + f->off);
		return;
	case UA_MK_TEXT_PTR:
		memcpy(&s, p + f->off, sizeof(s));
		if (s == NULL)
			break;
		ua_json_append_str(b, s);
		return;
	case UA_MK_BOOL:
		memcpy(&flag, p + f->off, sizeof(flag));
		if (flag)
			ua_buf_append(b, "true", 4);
		else
			ua_buf_append(b, "false", 5);
		return;
	case UA_MK_ENUM:
		memcpy(&e, p + f->off, sizeof(e));
		ua_json_append_str(b,
		    e >= 0 && e < f->nnames ? f->names[e] : "?");
		return;
	case UA_MK_TIME:
		if (is_null(f, p))
			break;
		memcpy(&v, p + f->off, sizeof(v));
		ua_fmt_timestamp(ts, v);
		ua_json_append_str(b, ts);
		return;
	case UA_MK_LIST:
		memcpy(&items, p + f->off, sizeof(items));
		memcpy(&n, p + f->count_off, sizeof(n));
		ua_buf_append(b, "[", 1);
		for (i = 0; i < n && items != NULL; i++) {
			if (i > 0)
				ua_buf_append(b, ",", 1);
			ua_model_append_json(b, f->item,
			    items + i * f->item->size);
		}
		ua_buf_append(b, "]", 1);
		return;
	case UA_MK__MAX:
	default:
		break;
	}
	ua_buf_append(b, "null", 4);
}

void
ua_model_append_json(struct ua_buf *b, const struct ua_model *m,
    const void *obj)
{
	const struct ua_mfield *f, *end = m->fields + m->nfields;
	const char	       *p = obj;
	size_t			skip = 1; /* no comma before the first key */

	ua_buf_append(b, "{", 1);
	for (f = m->fields; f < end; f++) {
		if (f->noexport)
			continue;
		ua_buf_append(b, f->jkey + skip, f->jkeylen - skip);
		skip = 0;
		append_value(b, f, p);
	}
	ua_buf_append(b, "}", 1);
}
