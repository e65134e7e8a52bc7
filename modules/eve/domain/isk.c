/* isk.c: ISK amounts as exact hundredths (modules/eve/FORMAT.md "ISK value":
 * store as numeric, never float sums). */
#include "modules/eve/domain/eve.h"

#include <stdio.h>
#include <string.h>

/* 10^15 ISK in hundredths, excluded: far above any real killmail (10^11). */
#define ISK_MAX_CENTS 100000000000000000LL

/* Parse an unsigned decimal with optional fraction and exponent into
 * an integer scaled by 10^scale, rounding half away from zero. */
static int parse_scaled(const char *s, int scale, int64_t limit, int64_t *out)
{
	char digits[64];
	size_t nd = 0;
	int point = -1; /* digits before the decimal point */
	long exp = 0;
	int64_t v = 0;
	int i, intdigits;
	bool any = false;

	if (!(*s >= '0' && *s <= '9'))
		return -1; /* JSON numbers start with a digit */
	for (; *s >= '0' && *s <= '9'; s++) {
		any = true;
		if (nd == 0 && *s == '0')
			continue; /* leading zeros */
		if (nd >= sizeof digits - 1)
			return -1;
		digits[nd++] = *s;
	}
	point = (int)nd;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			any = true;
			if (nd >= sizeof digits - 1) {
				s++; /* beyond our precision: only rounding could matter */
				continue;
			}
			digits[nd++] = *s;
		}
	}
	if (!any)
		return -1;
	if (*s == 'e' || *s == 'E') {
		int sign = 1;
		s++;
		if (*s == '+' || *s == '-')
			sign = *s++ == '-' ? -1 : 1;
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			exp = exp * 10 + (*s - '0');
			if (exp > 1000)
				return -1;
		}
		exp *= sign;
	}
	if (*s)
		return -1;
	/* value = 0.digits * 10^(point + exp); we want round(value * 10^scale) */
	intdigits = point + (int)exp + scale; /* digits that land before the point */
	if (intdigits > 18)
		return -1;
	for (i = 0; i < intdigits; i++) {
		int d = i < (int)nd ? digits[i] - '0' : 0;
		v = v * 10 + d;
	}
	if (intdigits >= 0 && intdigits < (int)nd && digits[intdigits] >= '5')
		v++;
	if (v >= limit)
		return -1;
	*out = v;
	return 0;
}

int eve_isk_parse(const char *text, int64_t *cents)
{
	if (!text || !*text || *text == '-' || *text == '+')
		return -1;
	return parse_scaled(text, 2, ISK_MAX_CENTS, cents);
}

int eve_sec_parse(const char *text, int64_t *micro)
{
	int64_t v;
	int neg = 0;
	if (!text || !*text)
		return -1;
	if (*text == '-' || *text == '+')
		neg = *text++ == '-';
	if (parse_scaled(text, 6, 10000001, &v) < 0)
		return -1;
	*micro = neg ? -v : v;
	return 0;
}

char *eve_isk_format(int64_t cents, char *out, size_t outlen)
{
	unsigned long long a = cents < 0 ? (unsigned long long)(-(cents + 1)) + 1 : (unsigned long long)cents;
	snprintf(out, outlen, "%s%llu.%02llu", cents < 0 ? "-" : "", a / 100, a % 100);
	return out;
}

int eve_isk_add(int64_t *sum, int64_t v)
{
	int64_t r;
	if (__builtin_add_overflow(*sum, v, &r))
		return -1;
	*sum = r;
	return 0;
}
