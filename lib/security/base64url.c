/*
 * base64url.c -- RFC 4648 section 5 on top of OpenSSL's base64, without
 * padding, as JWS (RFC 7515) wants it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "userapi/alloc.h"
#include "security-private.h"

char *
ua_b64url_encode(const unsigned char *in, size_t len)
{
	char  *out;
	size_t n, i;

	out = ua_xmalloc(4 * ((len + 2) / 3) + 1);
	n = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	return out;
}

bool
ua_b64url_decode(const char *in, size_t len, unsigned char **out,
    size_t *outlen)
{
	char	      *std;
	unsigned char *bin;
	size_t	       i, padded;
	int	       n, pad;

	*out = NULL;
	*outlen = 0;
	if (len % 4 == 1)
		return false;
	pad = (int)((4 - len % 4) % 4);
	padded = len + (size_t)pad;
	std = ua_xmalloc(padded + 1);
	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9'))) {
			free(std);
			return false; /* '=', '+', '/', junk: not base64url */
		}
		std[i] = c;
	}
	memset(std + len, '=', (size_t)pad);
	std[padded] = '\0';

	bin = ua_xmalloc(padded / 4 * 3 + 1);
	n = EVP_DecodeBlock(bin, (unsigned char *)std, (int)padded);
	free(std);
	if (n < 0) {
		free(bin);
		return false;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	*outlen = (size_t)n - (size_t)pad;
	bin[*outlen] = '\0';
	*out = bin;
	return true;
}
