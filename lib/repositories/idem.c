/*
 * idem.c -- the release of an answer kept under an Idempotency-Key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/order_repo.h"

void
ua_idem_answer_cleanup(struct ua_idem_answer *a)
{
	if (a == NULL)
		return;
	free(a->body);
	memset(a, 0, sizeof(*a));
}
