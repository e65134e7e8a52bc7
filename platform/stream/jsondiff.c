/* jsondiff.c: RFC 7396 merge patches (jsondiff.h). Pure. */
#include "platform/stream/jsondiff.h"

#include <stdlib.h>

static struct json_object *copy(struct json_object *v)
{
	struct json_object *out = NULL;
	if (!v)
		return NULL;
	if (json_object_deep_copy(v, &out, NULL) != 0)
		abort(); /* only fails on allocation */
	return out;
}

struct json_object *json_merge_diff(struct json_object *from, struct json_object *to)
{
	struct json_object *patch;
	if (!json_object_is_type(from, json_type_object) || !json_object_is_type(to, json_type_object))
		return copy(to);
	patch = json_object_new_object();
	json_object_object_foreach(from, key, fv) {
		struct json_object *tv;
		(void)fv;
		if (!json_object_object_get_ex(to, key, &tv))
			json_object_object_add(patch, key, NULL); /* removed */
	}
	json_object_object_foreach(to, key2, tv2) {
		struct json_object *fv2;
		if (!json_object_object_get_ex(from, key2, &fv2)) {
			json_object_object_add(patch, key2, copy(tv2));
			continue;
		}
		if (json_object_equal(fv2, tv2))
			continue;
		if (json_object_is_type(fv2, json_type_object) &&
		    json_object_is_type(tv2, json_type_object)) {
			struct json_object *sub = json_merge_diff(fv2, tv2);
			if (sub)
				json_object_object_add(patch, key2, sub);
		} else {
			json_object_object_add(patch, key2, copy(tv2));
		}
	}
	if (json_object_object_length(patch) == 0) {
		json_object_put(patch);
		return NULL;
	}
	return patch;
}

struct json_object *json_merge_apply(struct json_object *target, struct json_object *patch)
{
	struct json_object *out;
	if (!json_object_is_type(patch, json_type_object))
		return copy(patch);
	out = json_object_is_type(target, json_type_object) ? copy(target) : json_object_new_object();
	json_object_object_foreach(patch, key, pv) {
		struct json_object *cur = NULL, *merged;
		if (!pv) {
			json_object_object_del(out, key);
			continue;
		}
		json_object_object_get_ex(out, key, &cur);
		merged = json_merge_apply(cur, pv);
		json_object_object_add(out, key, merged);
	}
	return out;
}

struct json_object *json_strip_nulls(struct json_object *v)
{
	struct json_object *out;
	size_t i, n;
	if (!v)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_object:
		out = json_object_new_object();
		json_object_object_foreach(v, key, mv) {
			if (mv)
				json_object_object_add(out, key, json_strip_nulls(mv));
		}
		return out;
	case json_type_array:
		n = json_object_array_length(v);
		out = json_object_new_array_ext((int)n);
		for (i = 0; i < n; i++)
			json_object_array_add(out, json_strip_nulls(json_object_array_get_idx(v, i)));
		return out;
	default:
		return copy(v);
	}
}
