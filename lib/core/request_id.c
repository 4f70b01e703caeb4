/*
 * request_id.c -- X-Request-ID: accept a sane one, else make one.
 */
#include "config.h"

#include <sys/random.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "userapi/request.h"

bool
ua_request_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++)
		if ((unsigned char)id[n] <= 0x20 ||
		    (unsigned char)id[n] >= 0x7f)
			return false;
	return n >= 1 && n <= UA_REQUEST_ID_MAX;
}

/*
 * The next 64 bits of splitmix64.  A request ID is for following one
 * request through the logs, never a secret, so a fast generator seeded
 * once per process from the kernel does; OpenSSL's DRBG took a lock and
 * several microseconds for every request.
 */
static uint64_t
next64(void)
{
	static uint64_t state;
	static bool	seeded;
	struct timespec ts;
	uint64_t	z;

	if (!seeded) {
		if (getrandom(&state, sizeof(state), 0) != sizeof(state)) {
			/* Unique enough: time and PID differ between workers. */
			clock_gettime(CLOCK_REALTIME, &ts);
			state = (uint64_t)ts.tv_sec * 1000000000u +
			    (uint64_t)ts.tv_nsec + ((uint64_t)getpid() << 40);
		}
		seeded = true;
	}
	z = (state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
ua_request_id_new(char buf[UA_REQUEST_ID_MAX + 1])
{
	uint64_t hi = next64(), lo = next64();

	snprintf(buf, UA_REQUEST_ID_MAX + 1, "%016llx%016llx",
	    (unsigned long long)hi, (unsigned long long)lo);
}
