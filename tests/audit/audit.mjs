/*
 * kblog's page audit: every page given is fetched and checked with
 * html-validate (its recommended rules) and audited by Lighthouse
 * (accessibility, best practices, SEO) in Debian's Chromium, headless.
 *
 *   node audit.mjs [options] BASE_URL PATH...
 *
 *   --cookie 'kb_session=...'   send this Cookie (pages seen logged in;
 *                               Lighthouse gets it as an extra header)
 *   --json FILE                 also write every finding as JSON
 *   --strict                    exit 1 unless every page has no
 *                               validator error and 100 in each score
 *   --no-lighthouse             the validator only (fast)
 *   --performance               also Lighthouse's performance category
 *                               (reported, never counted: timings on a
 *                               shared machine are noise; its audits
 *                               such as text compression and cache
 *                               policy are what is worth reading)
 *
 * Prints, per page: the validator's errors (rule, line:column, message),
 * then the three scores and the audits that failed in each category.
 * An error page (HTTP 4xx or 5xx, e.g. the 404 page) is checked by the
 * validator alone: Lighthouse refuses to audit such a page ("unable to
 * reliably load the page").
 * Ends with "N passed, M failed" (a page passes with no validator error
 * and 100 in each score).  Environment: CHROMIUM (default
 * /usr/bin/chromium).  Never writes outside the JSON file it is given
 * and the temporary profile chrome-launcher makes and removes.
 */

import { writeFileSync } from "node:fs";

import * as chromeLauncher from "chrome-launcher";
import { HtmlValidate } from "html-validate";
import lighthouse from "lighthouse";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
/* The flags the browser tests use on this machine (tests/e2e). */
const FLAGS = [
	"--headless=new", "--no-sandbox", "--disable-gpu",
	"--disable-background-networking", "--disable-component-update",
	"--disable-sync", "--no-first-run", "--disable-quic",
	"--disable-dev-shm-usage",
];
const CATEGORIES = ["accessibility", "best-practices", "seo"];
const COUNTED = new Set(CATEGORIES);

function usage() {
	console.error("usage: node audit.mjs [--cookie C] [--json FILE] " +
	    "[--strict] [--no-lighthouse] [--performance] BASE_URL PATH...");
	process.exit(2);
}

function parseArgs(argv) {
	const o = { cookie: null, json: null, strict: false, lh: true,
	    perf: false, rest: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === "--cookie")
			o.cookie = argv[++i];
		else if (a === "--json")
			o.json = argv[++i];
		else if (a === "--strict")
			o.strict = true;
		else if (a === "--no-lighthouse")
			o.lh = false;
		else if (a === "--performance")
			o.perf = true;
		else if (a.startsWith("--"))
			usage();
		else
			o.rest.push(a);
	}
	if (o.rest.length < 2)
		usage();
	return o;
}

async function validate(htmlvalidate, url, cookie) {
	const headers = cookie ? { Cookie: cookie } : {};
	const r = await fetch(url, { headers, redirect: "manual" });
	const html = await r.text();
	const report = await htmlvalidate.validateString(html, url);
	const errors = [];
	for (const res of report.results) {
		for (const m of res.messages) {
			errors.push({ rule: m.ruleId, line: m.line,
			    column: m.column, severity: m.severity,
			    message: m.message, selector: m.selector });
		}
	}
	return { status: r.status, errors };
}

async function audit(port, url, cookie, cats) {
	const flags = {
		port, output: "json", logLevel: "error",
		onlyCategories: cats,
		/* Pages as a phone sees them: Lighthouse's default. */
		formFactor: "mobile",
		extraHeaders: cookie ? { Cookie: cookie } : undefined,
		disableStorageReset: false,
	};
	const result = await lighthouse(url, flags);
	const lhr = result.lhr;
	const out = { scores: {}, failed: {}, runtimeError: null };
	if (lhr.runtimeError)
		out.runtimeError = lhr.runtimeError.message;
	for (const id of cats) {
		const cat = lhr.categories[id];
		out.scores[id] = cat.score === null ? null :
		    Math.round(cat.score * 100);
		out.failed[id] = [];
		for (const ref of cat.auditRefs) {
			const a = lhr.audits[ref.id];
			if (a.score === null || a.score >= 1 ||
			    a.scoreDisplayMode === "notApplicable" ||
			    a.scoreDisplayMode === "manual" ||
			    a.scoreDisplayMode === "informative")
				continue;
			const items = (a.details &&
			    Array.isArray(a.details.items)) ?
			    a.details.items.slice(0, 5).map((it) =>
			    (it.node && (it.node.snippet || it.node.selector)) ||
			    it.url || it.source?.url || "").filter(Boolean) :
			    [];
			out.failed[id].push({ id: ref.id, title: a.title,
			    weight: ref.weight, items });
		}
	}
	return out;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const base = o.rest[0].replace(/\/+$/, "");
	const paths = o.rest.slice(1);
	const htmlvalidate = new HtmlValidate({
		extends: ["html-validate:recommended"],
	});
	let chrome = null;
	if (o.lh) {
		chrome = await chromeLauncher.launch({ chromePath: CHROMIUM,
		    chromeFlags: FLAGS, logLevel: "silent" });
	}
	const pages = [];
	let passed = 0, failed = 0;
	try {
		for (const path of paths) {
			const url = base + path;
			const page = { path, url };
			page.validator = await validate(htmlvalidate, url,
			    o.cookie);
			if (chrome && page.validator.status >= 400) {
				page.lighthouse = null;
				page.skipped = "an error page: the validator " +
				    "alone (Lighthouse audits only pages " +
				    "answered with 2xx)";
			} else if (chrome) {
				try {
					page.lighthouse = await audit(
					    chrome.port, url, o.cookie,
					    o.perf ? [...CATEGORIES,
					    "performance"] : CATEGORIES);
				} catch (e) {
					/* One page's trouble is its own. */
					page.lighthouse = { scores: {},
					    failed: {}, runtimeError:
					    String(e && e.message || e) };
				}
			}
			pages.push(page);
			const ok = report(page);
			if (ok)
				passed++;
			else
				failed++;
		}
	} finally {
		if (chrome)
			await chrome.kill();
	}
	if (o.json)
		writeFileSync(o.json, JSON.stringify(pages, null, 2) + "\n");
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(o.strict && failed > 0 ? 1 : 0);
}

function report(page) {
	const v = page.validator;
	const errs = v.errors.filter((e) => e.severity === 2);
	let ok = errs.length === 0;
	console.log(`== ${page.path} (HTTP ${v.status})`);
	console.log(`   html-validate: ${errs.length} error(s), ` +
	    `${v.errors.length - errs.length} warning(s)`);
	for (const e of v.errors) {
		console.log(`     ${e.severity === 2 ? "error" : "warn "} ` +
		    `${e.rule} ${e.line}:${e.column} ${e.message}`);
	}
	const lh = page.lighthouse;
	if (page.skipped)
		console.log(`   lighthouse: skipped, ${page.skipped}`);
	if (lh) {
		if (lh.runtimeError) {
			console.log(`   lighthouse: ${lh.runtimeError}`);
			ok = false;
		}
		const cats = Object.keys(lh.scores);
		console.log("   lighthouse: " + cats.map((c) =>
		    `${c} ${lh.scores[c] ?? "n/a"}`).join(", "));
		for (const c of cats) {
			if (COUNTED.has(c) && lh.scores[c] !== 100)
				ok = false;
			for (const f of lh.failed[c]) {
				console.log(`     ${c}: ${f.id} (weight ` +
				    `${f.weight}): ${f.title}`);
				for (const it of f.items)
					console.log(`       ${String(it)
					    .replace(/\s+/g, " ").slice(0, 160)}`);
			}
		}
	}
	return ok;
}

main().catch((e) => {
	console.log(`FAIL audit: ${e && e.stack ? e.stack : e}`);
	console.log("0 passed, 1 failed");
	process.exit(1);
});
