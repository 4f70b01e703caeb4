/*
 * fcgi_static.c -- baseline (a) of bench/run: the least a libfcgi
 * responder can do.  Every request gets 200 and the same 21-byte JSON
 * body, the size of userapi's GET /health answer.  Not part of userapi.
 */
#include <fcgiapp.h>

static const char HEAD[] = "Status: 200 OK\r\n"
			   "Content-Type: application/json\r\n"
			   "Content-Length: 21\r\n"
			   "\r\n";
static const char BODY[] = "{\"status\":\"healthy\"}\n";

int
main(void)
{
	FCGX_Request req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(HEAD, sizeof(HEAD) - 1, req.out);
		FCGX_PutStr(BODY, sizeof(BODY) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
