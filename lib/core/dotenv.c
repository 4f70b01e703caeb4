/*
 * dotenv.c -- the python-dotenv file syntax, as the template's .env
 * files use it: comments, "export ", single and double quotes.
 * ${VAR} interpolation is not done: values are taken literally.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"
#include "core-private.h"

bool
ua_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct ua_buf b;
	char	      chunk[4096];
	ssize_t	      n;
	int	      fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	ua_buf_init(&b);
	ua_buf_append(&b, "", 0);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + (size_t)n > max) {
			close(fd);
			ua_buf_cleanup(&b);
			return false;
		}
		ua_buf_append(&b, chunk, (size_t)n);
	}
	close(fd);
	*out = b.data;
	*len = b.len;
	return true;
}

const char *
ua_env_lookup(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncasecmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static void
push(struct ua_kvlist *out, const char *k, size_t klen, char *val)
{
	size_t i;

	for (i = 0; i < out->len; i++)
		if (strlen(out->items[i].key) == klen &&
		    strncmp(out->items[i].key, k, klen) == 0) {
			/* A later line wins, as in python-dotenv. */
			free(out->items[i].val);
			out->items[i].val = val;
			out->items[i].vlen = strlen(val);
			return;
		}
	if (out->len == out->cap) {
		out->cap = out->cap == 0 ? 16 : out->cap * 2;
		out->items =
		    ua_xrealloc(out->items, out->cap * sizeof(*out->items));
	}
	out->items[out->len].key = ua_xstrndup(k, klen);
	out->items[out->len].val = val;
	out->items[out->len].vlen = strlen(val);
	out->len++;
}

/* Parse a quoted value starting after the opening quote at "*pp". */
static char *
quoted(const char **pp, const char *end, char q)
{
	struct ua_buf b;
	const char   *p = *pp;

	ua_buf_init(&b);
	ua_buf_append(&b, "", 0);
	for (; p < end && *p != q; p++) {
		if (q == '"' && *p == '\\' && p + 1 < end) {
			p++;
			switch (*p) {
			case 'n':
				ua_buf_append(&b, "\n", 1);
				break;
			case 't':
				ua_buf_append(&b, "\t", 1);
				break;
			case 'r':
				ua_buf_append(&b, "\r", 1);
				break;
			default:
				ua_buf_append(&b, p, 1);
				break;
			}
		} else if (q == '\'' && *p == '\\' && p + 1 < end &&
		    (p[1] == '\'' || p[1] == '\\')) {
			ua_buf_append(&b, ++p, 1);
		} else
			ua_buf_append(&b, p, 1);
	}
	if (p < end)
		p++; /* the closing quote */
	/* Skip the rest of the line (a trailing comment). */
	while (p < end && *p != '\n')
		p++;
	*pp = p;
	return b.data;
}

void
ua_dotenv_parse(const char *text, size_t len, struct ua_kvlist *out)
{
	const char *p = text, *end = text + len, *k, *kend, *v, *vend;
	char	   *val;

	while (p < end) {
		while (p < end &&
		    (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p >= end)
			break;
		if (*p == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		if ((size_t)(end - p) > 7 && strncmp(p, "export", 6) == 0 &&
		    (p[6] == ' ' || p[6] == '\t'))
			for (p += 6; p < end && (*p == ' ' || *p == '\t'); p++)
				continue;
		/*
		 * A NUL would cut the key short, and python-dotenv allows
		 * no '#' in a key: such a line is skipped.
		 */
		k = p;
		while (p < end && *p != '=' && *p != '\n' && *p != '\0' &&
		    *p != '#' && !isspace((unsigned char)*p))
			p++;
		kend = p;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p != '=' || kend == k) {
			/* Not an assignment: skip the line. */
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && (*p == '\'' || *p == '"')) {
			char q = *p++;

			val = quoted(&p, end, q);
		} else {
			v = p;
			while (p < end && *p != '\n')
				p++;
			vend = p;
			/* " #" starts a comment in an unquoted value. */
			for (const char *c = v; c < vend; c++)
				if (*c == '#' && c > v &&
				    (c[-1] == ' ' || c[-1] == '\t')) {
					vend = c;
					break;
				}
			while (vend > v && isspace((unsigned char)vend[-1]))
				vend--;
			val = ua_xstrndup(v, (size_t)(vend - v));
		}
		push(out, k, (size_t)(kend - k), val);
	}
}
