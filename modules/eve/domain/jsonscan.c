/* jsonscan.c: find the byte ranges of JSON values without building trees,
 * so bulk files (JSON lines, R2Z2 day files of {killID: killmail}) are
 * decoded one killmail at a time. Validation is left to the JSON parser
 * that decodes each range; this scanner only balances brackets and
 * strings. */
#include "modules/eve/domain/eve.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* From buf[i] (the first byte of a value), the offset just past it, or -1. */
static long value_end(const char *buf, size_t len, size_t i)
{
	size_t depth = 0;
	if (i >= len)
		return -1;
	if (buf[i] != '{' && buf[i] != '[' && buf[i] != '"') {
		/* a scalar: runs to a delimiter */
		size_t j = i;
		while (j < len && !is_space(buf[j]) && buf[j] != ',' && buf[j] != '}' &&
		       buf[j] != ']' && buf[j] != ':' && buf[j] != '{' && buf[j] != '[' &&
		       buf[j] != '"')
			j++;
		return j > i ? (long)j : -1;
	}
	for (; i < len; i++) {
		char c = buf[i];
		if (c == '"') {
			for (i++; i < len && buf[i] != '"'; i++)
				if (buf[i] == '\\')
					i++;
			if (i >= len)
				return -1;
			if (depth == 0)
				return (long)i + 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return -1;
			if (--depth == 0)
				return (long)i + 1;
		}
	}
	return -1;
}

int eve_json_next_value(const char *buf, size_t len, size_t *pos, size_t *start, size_t *end)
{
	size_t i = *pos;
	long e;
	while (i < len && is_space(buf[i]))
		i++;
	if (i >= len) {
		*pos = len;
		return 0;
	}
	e = value_end(buf, len, i);
	if (e < 0)
		return -1;
	*start = i;
	*end = (size_t)e;
	*pos = (size_t)e;
	return 1;
}

int eve_json_next_member(const char *obj, size_t len, size_t *pos, const char **key,
			 size_t *key_len, size_t *vstart, size_t *vend)
{
	size_t i = *pos, k;
	long e;
	if (i == 0) {
		while (i < len && is_space(obj[i]))
			i++;
		if (i >= len || obj[i] != '{')
			return -1;
		i++;
	}
	while (i < len && is_space(obj[i]))
		i++;
	if (i < len && obj[i] == ',' && *pos != 0) {
		i++;
		while (i < len && is_space(obj[i]))
			i++;
	} else if (i < len && obj[i] == '}') {
		*pos = i + 1;
		return 0;
	} else if (*pos != 0) {
		return -1;
	}
	if (i >= len || obj[i] != '"')
		return -1;
	k = i + 1;
	for (i = k; i < len && obj[i] != '"'; i++)
		if (obj[i] == '\\')
			i++;
	if (i >= len)
		return -1;
	*key = obj + k;
	*key_len = i - k;
	i++;
	while (i < len && is_space(obj[i]))
		i++;
	if (i >= len || obj[i] != ':')
		return -1;
	i++;
	while (i < len && is_space(obj[i]))
		i++;
	e = value_end(obj, len, i);
	if (e < 0)
		return -1;
	*vstart = i;
	*vend = (size_t)e;
	*pos = (size_t)e;
	return 1;
}
