/*
 * app-private.h -- between the worker's start-up and its FastCGI loop.
 */
#ifndef UA_APP_PRIVATE_H
#define UA_APP_PRIVATE_H

#include <signal.h>

#include "userapi/worker.h"

/*
 * Serve FastCGI requests from the listening socket on fd 0, and from
 * every connection the front keeps open, until "*stop" is set (by
 * SIGTERM or SIGUSR1, let in only while waiting); the requests already
 * sent or queued are answered first.  Returns the exit status.
 */
int ua_fcgi_serve(const struct ua_app *app, volatile sig_atomic_t *stop);

#endif
