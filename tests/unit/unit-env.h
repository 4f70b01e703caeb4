/*
 * unit-env.h -- build a writable NULL-terminated environment array from
 * string literals, as ua_settings_load() and ua_req_parse() take one.
 * One array is live at a time; unit_env_free() releases it.
 */
#ifndef UNIT_ENV_H
#define UNIT_ENV_H

#include <stdlib.h>
#include <string.h>

#define UNIT_ENV_MAX 64

static char *unit_env[UNIT_ENV_MAX + 1];

static void
unit_env_free(void)
{
	size_t i;

	for (i = 0; i < UNIT_ENV_MAX && unit_env[i] != NULL; i++) {
		free(unit_env[i]);
		unit_env[i] = NULL;
	}
}

/* Copy "lits" (NULL-terminated) into the one live array. */
static char **
unit_envv(const char *const *lits)
{
	size_t i;

	unit_env_free();
	for (i = 0; i < UNIT_ENV_MAX && lits[i] != NULL; i++)
		unit_env[i] = strdup(lits[i]);
	unit_env[i] = NULL;
	return unit_env;
}

#define ENV(...) unit_envv((const char *const[]){ __VA_ARGS__, NULL })

#endif
