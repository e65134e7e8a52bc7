/* jsondiff.h: minimal JSON Merge Patches between two documents, pure.
 *
 * Format: RFC 7396 (JSON Merge Patch). A patch is an object whose members
 * replace the target's members of the same name, recursively for objects;
 * a null member removes the target's member; any non-object value
 * (arrays included) replaces the target value whole. Applying (§2,
 * MergePatch(Target, Patch)) is implemented here too, for the tests, the
 * fuzz target and any C client; pages apply patches in JavaScript.
 *
 * RFC 7396 cannot set a member to null (null means "remove"). The stream
 * documents therefore never contain null members: builders pass their
 * documents through json_strip_nulls() (an absent member reads as null),
 * and json_merge_diff() is exact for such documents: for every pair of
 * null-free objects a and b, json_merge_apply(a, json_merge_diff(a, b))
 * equals b (tests/unit/test_stream.c checks it on real lobby captures).
 *
 * Arrays are compared whole: a changed array is sent whole. Documents that
 * want per-entry diffs key their entries by id in an object (docs/realtime.md). */
#ifndef GW_JSONDIFF_H
#define GW_JSONDIFF_H

#include <json-c/json.h>

/* The merge patch that turns `from` into `to`, as a new object (caller
 * owns it), or NULL when they are equal (nothing to send). Both must be
 * objects; when either is not, the "patch" is a deep copy of `to` (RFC
 * 7396 replaces a non-object target whole). Members of `from` missing in
 * `to` appear as null; members equal in both are left out; objects that
 * differ are diffed recursively; everything else that differs is copied
 * from `to`. */
struct json_object *json_merge_diff(struct json_object *from, struct json_object *to);

/* RFC 7396 §2 MergePatch(target, patch) as a new value (caller owns it);
 * neither argument is changed. `target` may be NULL (absent). Returns NULL
 * only when the result is JSON null. */
struct json_object *json_merge_apply(struct json_object *target, struct json_object *patch);

/* A deep copy of `v` with every null member removed from every object, at
 * any depth (inside arrays too; null array elements stay). Caller owns the
 * result; NULL for NULL. */
struct json_object *json_strip_nulls(struct json_object *v);

#endif
