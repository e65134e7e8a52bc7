/* openapi.h: the OpenAPI 3.1 document of every JSON endpoint, assembled
 * from fragments when a web worker starts, served at /api/v1/openapi.json
 * and rendered readably at /api.
 *
 * Fragments (installed as data under the OpenAPI directory, see
 * openapi_dir()):
 *   platform/openapi.json   a whole document: openapi, info, servers, tags,
 *                           the platform's paths (/healthz, this document)
 *                           and the shared components (Error, BadRequest,
 *                           ServiceUnavailable, NotModified, IfNoneMatch ...)
 *   <module's descriptor `openapi` path>, e.g. <name>/openapi.json
 *                           an object with only "paths", "components" and
 *                           "tags": the module's JSON endpoints. It may use
 *                           the platform's components by $ref; its own
 *                           component names start with its prefix (the module name, capitalized).
 * Only the enabled modules' fragments are merged (GW_MODULES), so the
 * document lists exactly the routes `gamewatch.fcgi --routes` prints with
 * kind api; tests/integration/t76_openapi.py checks both directions and
 * validates the document and real answers against it.
 *
 * Format: OpenAPI Specification 3.1.0 (spec.openapis.org/oas/v3.1.0). */
#ifndef GW_OPENAPI_H
#define GW_OPENAPI_H

#include <stddef.h>

struct app;
struct req;
struct json_object;

/* Merge fragment `frag` (borrowed; its values are shared by reference
 * count) into document `doc`: frag's "paths" entries, each "components"
 * section's entries and "tags" are added. All or nothing: returns 0, or -1
 * with a sentence in err (doc unchanged) when frag is not an object, has a
 * top-level key other than paths/components/tags, or would redefine a
 * path, a component, a tag name or an operationId `doc` already has.
 * `origin` names the fragment in the error (the module name). Pure (no I/O). */
int openapi_merge(struct json_object *doc, struct json_object *frag, const char *origin,
		  char *err, size_t errlen);

/* The directory holding the fragments: GW_OPENAPI_DIR when set and
 * non-empty, else the sibling "openapi" of `template_dir` (the installed
 * and staged layouts keep templates/ and openapi/ side by side in the data
 * directory: /usr/local/share/gamewatch/templates -> .../openapi). Writes
 * it NUL-terminated into out; returns 0, or -1 when it does not fit. */
int openapi_dir(const char *template_dir, char *out, size_t outlen);

/* Read the platform document and every enabled module's fragment from
 * openapi_dir(template_dir), merge them, and keep the result for this
 * process: its serialization, gzip encoding and ETag. Called once per
 * worker by app_init(). Returns 0, or -1 (logged) when a file is missing
 * or invalid or a merge fails: the document is then unavailable and
 * GET /api/v1/openapi.json answers 500 (the worker keeps serving
 * everything else). Calling it again replaces the previous document. */
int openapi_load(const char *template_dir);

/* Free what openapi_load() kept. */
void openapi_free(void);

/* Does If-None-Match value `inm` (a list of entity tags, or "*"; weak
 * "W/" prefixes ignored as RFC 9110 13.1.2 asks for GET) match `etag`
 * (a quoted strong tag)? NULL or "" is no match. Pure. */
int openapi_etag_matches(const char *inm, const char *etag);

/* GET /api/v1/openapi.json: the document (ETag, 304, gzip when accepted). */
void api_openapi(struct app *app, struct req *r);

/* GET /api: the readable API page: every operation listed from the
 * document (usable without JavaScript) and Swagger UI
 * (static/vendor/swagger-ui-bundle.js, started by static/js/api-docs.js). */
void page_api_docs(struct app *app, struct req *r);

#endif
