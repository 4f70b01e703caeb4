/*
 * unit-app.h -- one request through a whole app (ua_app_handle()) on
 * memory buffers, as a web server would hand it to a worker: what the
 * unit tests of handlers and sessions drive their routes with.
 */
#ifndef UNIT_APP_H
#define UNIT_APP_H

#include <stddef.h>

#include "userapi/buf.h"
#include "userapi/worker.h"

/*
 * A request body on a memory buffer, read as a worker reads stdin
 * (struct ua_input's "read" is unit_mem_read, its "arg" one of these);
 * "pos" counts what was taken.
 */
struct unit_memin {
	const char *data;
	size_t	    len;
	size_t	    pos;
};

int unit_mem_read(void *arg, char *buf, int len);

struct unit_request {
	const char *method;
	const char *path;   /* REQUEST_URI, query included */
	const char *token;  /* the bearer token; NULL: none */
	const char *client; /* REMOTE_ADDR; NULL: none */
	const char *body;   /* sent as JSON; NULL: none */
};

/*
 * Serve "r" through "app" into "out" (reset first).  Returns the
 * status; "*body" points at the response body inside "out".
 */
int unit_serve(const struct ua_app *app, struct ua_buf *out,
    const struct unit_request *r, const char **body);

#endif
