/* enrich-json.c: pure helpers for upstream JSON answers (enrich-json.h). */
#include "platform/enrich/enrich-json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct json_object *enrich_json_parse(const char *data, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	if (!len || len > (size_t)0x7fffffff)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		abort();
	o = json_tokener_parse_ex(tok, data, (int)len);
	if (o && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

long long json_int(struct json_object *o, const char *key, long long def)
{
	struct json_object *v;
	const char *s;
	char *end;
	long long n;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return def;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);
		/* a cast of NaN or of a value out of range is undefined */
		if (!(d > -9.2e18 && d < 9.2e18))
			return def;
		return (long long)d;
	}
	if (!json_object_is_type(v, json_type_string))
		return def;
	s = json_object_get_string(v);
	n = strtoll(s, &end, 10);
	return end != s && !*end ? n : def;
}

int url_is_http(const char *url)
{
	return url && (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8)) &&
	       !strpbrk(url, " \t\r\n");
}
