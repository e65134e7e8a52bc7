/* nat.c: RakNet NAT id (the lobby's `g`) <-> 64-bit GUID.
 *
 * The id is the GUID written as little-endian 6-bit groups in a custom
 * base64 alphabet ("@" is zero, there is no "0"); docs/bzcc-format.md 4.
 */
#include <string.h>

#include "bzcc.h"

static const char nat_alphabet[] =
	"@123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/* Value of one id character; characters outside the alphabet count as 0,
 * as the upstream decoder's table does. */
static unsigned nat_value(unsigned char c)
{
	if (c >= '1' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return 10 + (c - 'A');
	if (c >= 'a' && c <= 'z')
		return 36 + (c - 'a');
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return 0;
}

int bzcc_nat_decode(const char *nat, uint64_t *guid)
{
	uint64_t v = 0;
	size_t i, n;

	if (!nat)
		return -1;
	n = strlen(nat);
	if (!n || n > 11)
		return -1;
	for (i = 0; i < n; i++) {
		uint64_t d = nat_value((unsigned char)nat[i]);
		/* The 11th character holds bits 60..65: only 4 of them fit. */
		if (i == 10 && d > 15)
			return -1;
		v |= d << (6 * i);
	}
	*guid = v;
	return 0;
}

size_t bzcc_nat_encode(uint64_t guid, char out[12])
{
	size_t n = 0;

	/* Zero has no digits under "stop when the value is 0"; write "@" so
	 * that the result always decodes back. */
	do {
		out[n++] = nat_alphabet[guid & 63];
		guid >>= 6;
	} while (guid);
	out[n] = '\0';
	return n;
}
