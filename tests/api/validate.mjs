// Validates an OpenAPI document with @apidevtools/swagger-parser (schema of
// the OpenAPI version, $refs, and the spec's own rules: unique operationIds,
// path parameters declared, ...).
//
//   node validate.mjs ../../assets/openapi.json
//   node validate.mjs http://127.0.0.1:8888/api/v1/openapi.json
//
// Prints one line and exits 0 when valid; 1 when not (or unreadable);
// 2 on bad usage.

import { readFile } from "node:fs/promises";
import SwaggerParser from "@apidevtools/swagger-parser";

const source = process.argv[2];
if (!source || process.argv.length > 3) {
	console.error("usage: node validate.mjs <file | http(s)://url>");
	process.exit(2);
}

function oneLine(s) {
	const line = String(s).replace(/\s+/g, " ").trim();
	return line.length <= 2000 ? line :
	    line.slice(0, 2000) + ` ... (${line.length - 2000} more characters)`;
}

async function load(src) {
	let text;
	if (/^https?:\/\//i.test(src)) {
		const res = await fetch(src, {
			headers: { accept: "application/json" },
			signal: AbortSignal.timeout(15000),
		});
		if (!res.ok)
			throw new Error(`GET ${src}: HTTP ${res.status}`);
		text = await res.text();
	} else {
		text = await readFile(src, "utf8");
	}
	try {
		return JSON.parse(text);
	} catch (e) {
		throw new Error(`not JSON: ${e.message}`);
	}
}

try {
	// validate() dereferences its argument in place: give it the parsed
	// object, so that a URL source is fetched only once, by us.
	const doc = await load(source);
	const api = await SwaggerParser.validate(doc);
	const ops = Object.values(api.paths ?? {}).reduce((n, item) =>
	    n + Object.keys(item).filter((k) =>
		["get", "put", "post", "delete", "options", "head", "patch",
		    "trace"].includes(k)).length, 0);
	console.log(`OK ${source}: ${api.info.title} ${api.info.version} ` +
	    `(OpenAPI ${api.openapi ?? api.swagger}, ` +
	    `${Object.keys(api.paths ?? {}).length} paths, ${ops} operations)`);
	process.exit(0);
} catch (e) {
	console.log(`INVALID ${source}: ${oneLine(e.message)}`);
	process.exit(1);
}
