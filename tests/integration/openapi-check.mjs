// openapi-check.mjs: the OpenAPI checks of tests/integration/t76_openapi.py,
// done with well-kept validators from npm (devDependencies in package.json,
// installed by ./dev's npm ci):
//   @seriousme/openapi-schema-validator  the document against the official
//                                        OpenAPI 3.1 JSON Schema, and $refs
//   ajv (Ajv2020) + ajv-formats          every Schema Object compiled as JSON
//                                        Schema 2020-12 in strict mode, and
//                                        real answers validated against them
//
//   node openapi-check.mjs document DOC.json
//   node openapi-check.mjs answers DOC.json CASES.json
//
// CASES.json: [{"name", "path" (the document's path template), "method",
// "status", "content_type", "body" (the parsed JSON answer, the text of a
// CSV one, null for none)}]. In the
// answers check every object schema that lists "properties" and says
// nothing about other keys gets additionalProperties: false, so an answer
// key the document does not describe fails too.
//
// Prints one JSON object on stdout: {"ok": bool, "errors": [...]} for
// document, {"results": [{"name", "ok", "errors"}]} for answers. Exit 0
// when the run itself worked (results say pass or fail), 2 on bad usage or a
// missing package.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let Validator, Ajv2020, addFormats;
try {
	({ Validator } = await import("@seriousme/openapi-schema-validator"));
	Ajv2020 = require("ajv/dist/2020").default;
	addFormats = require("ajv-formats");
	addFormats = addFormats.default || addFormats;
} catch (e) {
	console.error(`openapi-check: ${e.message} (run npm ci in the checkout: ./dev build does)`);
	process.exit(2);
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const BASE = "https://gamewatch.invalid/openapi.json";

function readJson(file) {
	return JSON.parse(readFileSync(file, "utf8"));
}

function newAjv() {
	// strict: unknown keywords, and required keys missing from properties,
	// are errors in the document, not silently ignored
	const ajv = new Ajv2020({ strict: true, strictRequired: true, allowUnionTypes: true,
		allErrors: true });
	addFormats(ajv);
	// the OpenAPI document around the schemas: containers, not keywords
	for (const k of ["openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks",
		"components", "security", "tags", "externalDocs"])
		ajv.addKeyword({ keyword: k });
	return ajv;
}

// JSON Pointer segment inside a URI fragment
function seg(s) {
	return encodeURIComponent(String(s).replace(/~/g, "~0").replace(/\//g, "~1"));
}

// Every Schema Object's location in the document (components and media types).
function schemaPointers(doc) {
	const out = [];
	for (const name of Object.keys(doc.components?.schemas || {}))
		out.push(`#/components/schemas/${seg(name)}`);
	const media = (base, content) => {
		for (const [type, m] of Object.entries(content || {}))
			if (m && m.schema) out.push(`${base}/content/${seg(type)}/schema`);
	};
	for (const [name, r] of Object.entries(doc.components?.responses || {}))
		media(`#/components/responses/${seg(name)}`, r.content);
	for (const [path, item] of Object.entries(doc.paths || {}))
		for (const m of METHODS) {
			const op = item[m];
			if (!op) continue;
			for (const [status, r] of Object.entries(op.responses || {}))
				media(`#/paths/${seg(path)}/${m}/responses/${seg(status)}`, r.content);
		}
	return out;
}

async function checkDocument(file) {
	const errors = [];
	const doc = readJson(file);
	const v = new Validator();
	const res = await v.validate(doc);
	if (!res.valid) {
		for (const e of [].concat(res.errors || [])) errors.push(JSON.stringify(e));
	} else if (v.version !== "3.1") {
		errors.push(`the document is OpenAPI ${v.version}, not 3.1`);
	} else {
		try {
			v.resolveRefs(); // throws on a $ref that points nowhere
		} catch (e) {
			errors.push(`$ref: ${e.message}`);
		}
	}
	const ajv = newAjv();
	ajv.addSchema({ $id: BASE, ...doc });
	const pointers = schemaPointers(doc);
	for (const p of pointers) {
		try {
			if (!ajv.getSchema(BASE + p)) errors.push(`${p}: not found`);
		} catch (e) {
			errors.push(`${decodeURIComponent(p)}: ${e.message}`);
		}
	}
	return { ok: errors.length === 0, errors, schemas: pointers.length };
}

// Close every object schema that does not say otherwise (see the header).
function closeObjects(node) {
	if (Array.isArray(node)) {
		node.forEach(closeObjects);
	} else if (node && typeof node === "object") {
		if (node.properties && typeof node.properties === "object" &&
		    !("additionalProperties" in node) && !("unevaluatedProperties" in node))
			node.additionalProperties = false;
		for (const v of Object.values(node)) closeObjects(v);
	}
}

function resolveLocal(doc, ref) {
	let o = doc;
	for (const part of ref.replace(/^#\//, "").split("/"))
		o = o?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
	return o;
}

function checkAnswers(docFile, casesFile) {
	const doc = readJson(docFile);
	const closed = structuredClone(doc);
	closeObjects(closed.components);
	closeObjects(closed.paths);
	const ajv = newAjv();
	ajv.addSchema({ $id: BASE, ...closed });
	const results = [];
	for (const c of readJson(casesFile)) {
		const errors = [];
		const method = c.method.toLowerCase();
		const op = doc.paths?.[c.path]?.[method];
		let status = String(c.status), resp = op?.responses?.[status];
		if (!resp && op?.responses?.default) {
			status = "default";
			resp = op.responses.default;
		}
		let ptr = `#/paths/${seg(c.path)}/${method}/responses/${seg(status)}`;
		if (resp && resp.$ref) {
			ptr = resp.$ref.replace(/[^/#]+/g, (s) => seg(s.replace(/~1/g, "/").replace(/~0/g, "~")));
			resp = resolveLocal(doc, resp.$ref);
		}
		const type = (c.content_type || "").split(";")[0].trim().toLowerCase();
		if (!op) {
			errors.push(`${c.method} ${c.path} is not in the document`);
		} else if (!resp) {
			errors.push(`status ${c.status} of ${c.method} ${c.path} is not documented`);
		} else if (c.body === null && !resp.content) {
			// a documented answer without a body (304): nothing to validate
		} else if (!resp.content?.[type]?.schema) {
			errors.push(`${type || "no content type"} is not documented for ${c.status}`);
		} else {
			const validate = ajv.getSchema(`${BASE}${ptr}/content/${seg(type)}/schema`);
			if (!validate(c.body))
				for (const e of validate.errors)
					errors.push(`${e.instancePath || "/"} ${e.message}` +
						(e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ""));
		}
		results.push({ name: c.name, ok: errors.length === 0, errors: errors.slice(0, 20) });
	}
	return { results };
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === "document" && a) {
	console.log(JSON.stringify(await checkDocument(a)));
} else if (cmd === "answers" && a && b) {
	console.log(JSON.stringify(checkAnswers(a, b)));
} else {
	console.error("usage: openapi-check.mjs document DOC.json | answers DOC.json CASES.json");
	process.exit(2);
}
