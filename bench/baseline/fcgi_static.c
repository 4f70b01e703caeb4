/*
 * fcgi_static.c -- baseline (a) of bench/run: the least a libfcgi
 * responder can do.  Every request gets 200 and the same 21-byte JSON
 * body, the size of userapi's GET /health answer.  Not part of userapi.
 */
#include <fcgiapp.h>

#include "kept_loop.h"

static const char HEAD[] = "Status: 200 OK\r\n"
			   "Content-Type: application/json\r\n"
			   "Content-Length: 21\r\n"
			   "\r\n";
static const char BODY[] = "{\"status\":\"healthy\"}\n";

static void
answer(FCGX_Request *req)
{
	FCGX_PutStr(HEAD, sizeof(HEAD) - 1, req->out);
	FCGX_PutStr(BODY, sizeof(BODY) - 1, req->out);
}

int
main(void)
{
	return serve_kept(answer);
}
