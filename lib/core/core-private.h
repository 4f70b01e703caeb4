/*
 * core-private.h -- internals shared inside lib/core and with the unit
 * tests (which link the convenience library); not installed.
 */
#ifndef USERAPI_CORE_PRIVATE_H
#define USERAPI_CORE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "userapi/urlcode.h"

/*
 * Parse python-dotenv text "text" ("len" bytes) into "out": blank lines
 * and # comments skipped, optional "export ", single quotes literal,
 * double quotes with \n \t \" \\ escapes, unquoted values trimmed with
 * trailing " #comment" dropped.  Lines without '=' are ignored.
 */
void ua_dotenv_parse(const char *text, size_t len, struct ua_kvlist *out);

/* Read file "path" into "out" (caller frees); false if it cannot. */
bool ua_read_file(const char *path, size_t max, char **out, size_t *len);

/* Case-insensitive lookup of "name" in a NULL-terminated envp array. */
const char *ua_env_lookup(char *const *envp, const char *name);

#endif
