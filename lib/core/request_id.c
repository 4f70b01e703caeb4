/*
 * request_id.c -- X-Request-ID: accept a sane one, else make one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "userapi/request.h"

bool
ua_request_id_valid(const char *id)
{
	size_t	 n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++)
		if ((unsigned char)id[n] <= 0x20 || (unsigned char)id[n] >= 0x7f)
			return false;
	return n >= 1 && n <= UA_REQUEST_ID_MAX;
}

void
ua_request_id_new(char buf[UA_REQUEST_ID_MAX + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	static unsigned long	 counter;
	unsigned char		 raw[16];
	struct timespec		 ts;
	size_t			 i;

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		/* Unique enough for log correlation; never used as a secret. */
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(buf, UA_REQUEST_ID_MAX + 1, "%lx%lx%lx%lx",
		    (unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec,
		    (unsigned long)getpid(), ++counter);
		return;
	}
	for (i = 0; i < sizeof(raw); i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 0xf];
	}
	buf[2 * sizeof(raw)] = '\0';
}
