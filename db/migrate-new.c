/*
 * migrate-new.c -- "new NAME": start the next migration as two files,
 * NNNN_NAME.up.sql and NNNN_NAME.down.sql, each holding a one-line
 * comment.  It needs no database.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/log.h"

#include "migrate.h"

/*
 * Create "path", which must not exist yet, holding "text".  Returns
 * UA_OK or UA_ERR_IO (logged; a partly written file is removed).
 */
static enum ua_err
create_file(const char *path, const char *text)
{
	size_t	len = strlen(text), off = 0;
	ssize_t nw;
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		ua_log_err("%s: %s", path, strerror(errno));
		return UA_ERR_IO;
	}
	while (off < len) {
		nw = write(fd, text + off, len - off);
		if (nw == -1 && errno == EINTR)
			continue;
		if (nw == -1)
			break;
		off += (size_t)nw;
	}
	if (off < len || close(fd) == -1) {
		ua_log_err("%s: %s", path, strerror(errno));
		if (off < len)
			close(fd);
		unlink(path);
		return UA_ERR_IO;
	}
	return UA_OK;
}

/*
 * new NAME: write the next-numbered pair of files into the directory of
 * "o" and print their paths.  NAME is [a-z0-9_], at most MIG_NAME_MAX
 * bytes; existing files are never overwritten.  Returns UA_OK,
 * UA_ERR_INVALID (bad name, directory or number) or UA_ERR_IO, logged.
 */
enum ua_err
mig_cmd_new(const struct mig_opts *o)
{
	struct mig_set set;
	enum ua_err    er;
	char *up = NULL, *down = NULL, *uptext = NULL, *downtext = NULL;
	int   next;

	if (o->arg == NULL || !mig_name_valid(o->arg)) {
		ua_log_err("new: the name must be 1 to %d characters of "
			   "a-z, 0-9 and _",
		    MIG_NAME_MAX);
		return UA_ERR_INVALID;
	}
	if ((er = mig_scan(o->dir, &set)) != UA_OK)
		goto out;
	next = set.n > 0 ? set.v[set.n - 1].version + 1 : 1;
	if (next > MIG_VERSION_MAX) {
		ua_log_err("new: %s already holds migration %04d, the last "
			   "number there is",
		    o->dir, MIG_VERSION_MAX);
		er = UA_ERR_INVALID;
		goto out;
	}

	up = ua_xasprintf("%s/%04d_%s.up.sql", o->dir, next, o->arg);
	down = ua_xasprintf("%s/%04d_%s.down.sql", o->dir, next, o->arg);
	uptext = ua_xasprintf("-- %04d_%s: the change; runs in one "
			      "transaction.\n",
	    next, o->arg);
	downtext = ua_xasprintf("-- %04d_%s: undo exactly what "
				"%04d_%s.up.sql does.\n",
	    next, o->arg, next, o->arg);

	if ((er = create_file(up, uptext)) != UA_OK)
		goto out;
	if ((er = create_file(down, downtext)) != UA_OK) {
		unlink(up);
		goto out;
	}
	printf("created %s\ncreated %s\n", up, down);
	er = UA_OK;
out:
	mig_set_free(&set);
	free(up);
	free(down);
	free(uptext);
	free(downtext);
	return er;
}
