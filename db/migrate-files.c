/*
 * migrate-files.c -- the migrations directory: find the NNNN_name.up.sql
 * and NNNN_name.down.sql pairs, read one file, and checksum it.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/log.h"

#include "migrate.h"

enum kind { KIND_UP, KIND_DOWN, KIND__MAX };

static const char *const suffixes[KIND__MAX] = {
	".up.sql",  /* KIND_UP */
	".down.sql" /* KIND_DOWN */
};

/*
 * True if "name" is a usable migration name: 1 to MIG_NAME_MAX bytes of
 * [a-z0-9_].
 */
bool
mig_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if ((name[i] < 'a' || name[i] > 'z') &&
		    (name[i] < '0' || name[i] > '9') && name[i] != '_')
			return false;
	return i > 0 && i <= MIG_NAME_MAX;
}

/*
 * Split the file name "fn" into its version, name and kind.  The name
 * is copied into "name" (MIG_NAME_MAX + 1 bytes).  Returns false unless
 * "fn" is exactly NNNN_name.up.sql or NNNN_name.down.sql with NNNN from
 * 0001 to 9999.
 */
static bool
parse_file_name(const char *fn, int *version, char *name, enum kind *kind)
{
	size_t len, slen, nlen;
	int    i, v = 0;

	for (i = 0; i < 4; i++) {
		if (fn[i] < '0' || fn[i] > '9')
			return false;
		v = v * 10 + (fn[i] - '0');
	}
	if (v < 1 || fn[4] != '_')
		return false;

	len = strlen(fn);
	for (*kind = 0; *kind < KIND__MAX; (*kind)++) {
		slen = strlen(suffixes[*kind]);
		if (len > 5 + slen &&
		    strcmp(fn + len - slen, suffixes[*kind]) == 0)
			break;
	}
	if (*kind == KIND__MAX)
		return false;

	nlen = len - 5 - slen;
	if (nlen > MIG_NAME_MAX)
		return false;
	memcpy(name, fn + 5, nlen);
	name[nlen] = '\0';
	if (!mig_name_valid(name))
		return false;
	*version = v;
	return true;
}

static int
mig_cmp(const void *a, const void *b)
{
	const struct mig *ma = a, *mb = b;

	return (ma->version > mb->version) - (ma->version < mb->version);
}

/*
 * The migration of "set" numbered "version", or NULL.
 */
const struct mig *
mig_find(const struct mig_set *set, int version)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].version == version)
			return &set->v[i];
	return NULL;
}

/*
 * Record the file "fn" of "dir", already parsed, in "set": a new entry
 * or the other half of an existing one.  Two different names with one
 * number are refused.  Returns UA_OK or UA_ERR_INVALID (logged).
 */
static enum ua_err
add_file(struct mig_set *set, const char *dir, const char *fn, int version,
    const char *name, enum kind kind)
{
	struct mig *m = NULL;
	size_t	    i;

	for (i = 0; i < set->n && m == NULL; i++)
		if (set->v[i].version == version)
			m = &set->v[i];
	if (m == NULL) {
		set->v = ua_xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
		m = &set->v[set->n++];
		memset(m, 0, sizeof(*m));
		m->version = version;
		m->name = ua_xstrdup(name);
	} else if (strcmp(m->name, name) != 0) {
		ua_log_err("%s: two migrations numbered %04d: %s and %s", dir,
		    version, m->name, name);
		return UA_ERR_INVALID;
	}
	if (kind == KIND_UP)
		m->up = ua_xasprintf("%s/%s", dir, fn);
	else
		m->down = ua_xasprintf("%s/%s", dir, fn);
	return UA_OK;
}

/*
 * Fill "set" with the migrations of directory "dir", sorted by version.
 * Entries whose name starts with "." or does not end in ".sql" are
 * ignored; any other file that is not a well-named half of a complete
 * pair is an error, so a typo cannot silently skip a migration.
 * Returns UA_OK, UA_ERR_IO (unreadable directory) or UA_ERR_INVALID,
 * logged.  Free "set" with mig_set_free() in every case.
 */
enum ua_err
mig_scan(const char *dir, struct mig_set *set)
{
	DIR	      *d;
	struct dirent *de;
	enum ua_err    er = UA_ERR_INVALID;
	enum kind      kind;
	size_t	       i, len;
	int	       version;
	char	       name[MIG_NAME_MAX + 1];

	memset(set, 0, sizeof(*set));
	if ((d = opendir(dir)) == NULL) {
		ua_log_err("%s: %s", dir, strerror(errno));
		return UA_ERR_IO;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 4 ||
		    strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (!parse_file_name(de->d_name, &version, name, &kind)) {
			ua_log_err("%s/%s: not a migration file name "
				   "(NNNN_name.up.sql or NNNN_name.down.sql, "
				   "name of a-z, 0-9 and _)",
			    dir, de->d_name);
			goto out;
		}
		if (add_file(set, dir, de->d_name, version, name, kind) !=
		    UA_OK)
			goto out;
	}
	if (errno != 0) {
		ua_log_err("%s: %s", dir, strerror(errno));
		er = UA_ERR_IO;
		goto out;
	}
	for (i = 0; i < set->n; i++)
		if (set->v[i].up == NULL || set->v[i].down == NULL) {
			ua_log_err("%s: migration %04d_%s has no %s file", dir,
			    set->v[i].version, set->v[i].name,
			    set->v[i].up == NULL ? ".up.sql" : ".down.sql");
			goto out;
		}
	if (set->n > 0)
		qsort(set->v, set->n, sizeof(*set->v), mig_cmp);
	er = UA_OK;
out:
	closedir(d);
	return er;
}

/*
 * Release what "set" holds and empty it; safe on an empty set.
 */
void
mig_set_free(struct mig_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].up);
		free(set->v[i].down);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/*
 * Write the SHA-256 of the "len" bytes at "buf" into "sum" as lower-case
 * hex.  Returns UA_OK or UA_ERR_INTERNAL (logged).
 */
static enum ua_err
sha256_hex(const char *buf, size_t len, char sum[MIG_SUM_LEN])
{
	static const char hex[] = "0123456789abcdef";
	const char	 *why;
	unsigned char	  md[EVP_MAX_MD_SIZE];
	unsigned int	  mdlen = 0, i;

	ERR_clear_error();
	if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen * 2 + 1 != MIG_SUM_LEN) {
		why = ERR_reason_error_string(ERR_get_error());
		ua_log_err("SHA-256: %s", why != NULL ? why : "failed");
		return UA_ERR_INTERNAL;
	}
	for (i = 0; i < mdlen; i++) {
		sum[i * 2] = hex[md[i] >> 4];
		sum[i * 2 + 1] = hex[md[i] & 0xf];
	}
	sum[mdlen * 2] = '\0';
	return UA_OK;
}

/*
 * Read the whole regular file "path" (at most MIG_FILE_MAX bytes, no NUL
 * bytes, since it is run as one SQL string) and checksum it.  On UA_OK
 * "*sql" is the NUL-terminated text, which the caller frees (pass NULL
 * to want only the checksum), and "sum" its SHA-256 in hex.  Otherwise
 * UA_ERR_IO or UA_ERR_INVALID, logged with the path, and "*sql" is NULL.
 */
enum ua_err
mig_read(const char *path, char **sql, char sum[MIG_SUM_LEN])
{
	struct stat st;
	char	   *buf = NULL;
	size_t	    len = 0;
	ssize_t	    nr;
	enum ua_err er = UA_ERR_IO;
	int	    fd;

	if (sql != NULL)
		*sql = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		ua_log_err("%s: %s", path, strerror(errno));
		return UA_ERR_IO;
	}
	if (fstat(fd, &st) == -1) {
		ua_log_err("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MIG_FILE_MAX) {
		ua_log_err("%s: not a regular file of at most %d bytes", path,
		    MIG_FILE_MAX);
		er = UA_ERR_INVALID;
		goto out;
	}
	buf = ua_xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		nr = read(fd, buf + len, (size_t)st.st_size - len);
		if (nr == -1 && errno == EINTR)
			continue;
		if (nr == -1) {
			ua_log_err("%s: %s", path, strerror(errno));
			goto out;
		}
		if (nr == 0)
			break;
		len += (size_t)nr;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		ua_log_err("%s: contains a NUL byte", path);
		er = UA_ERR_INVALID;
		goto out;
	}
	if ((er = sha256_hex(buf, len, sum)) != UA_OK)
		goto out;
	if (sql != NULL) {
		*sql = buf;
		buf = NULL;
	}
	er = UA_OK;
out:
	free(buf);
	close(fd);
	return er;
}
