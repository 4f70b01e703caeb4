/*
 * session.c -- the Session model's table, and session ids.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/session.h"

UA_MODEL_ASSERTS(UA_SESSION_MODEL, struct ua_session)

static const struct ua_mfield session_fields[] = {
	UA_MODEL_FIELDS(UA_SESSION_MODEL, struct ua_session)
};

const struct ua_model ua_session_model = UA_MODEL_INIT("Session",
    session_fields, UA_SESSION_MODEL, struct ua_session);

void
ua_session_cleanup(struct ua_session *s)
{
	if (s == NULL)
		return;
	free(s->user_agent);
	memset(s, 0, sizeof(*s));
}

/* 8-4-4-4-12 lower-case hex digits, as PostgreSQL prints a uuid. */
bool
ua_session_id_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != UA_SESSION_ID_LEN)
		return false;
	for (i = 0; i < UA_SESSION_ID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
			       (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}
