#!/usr/bin/env node
/*
 * kblog's browser end-to-end flows: Debian's Chromium driven by
 * playwright-core against a real kblog.
 *
 *   node flows.mjs BASE_URL ARTIFACTS_DIR
 *
 * BASE_URL is the blog's origin (http://127.0.0.1:PORT: use the address
 * the server calls its own, so that uploads stay same-origin).  Prints one
 * line per check and a last line "N passed, M failed"; exits 0 only when
 * nothing failed.  Screenshots (PNG) go to ARTIFACTS_DIR.
 *
 * Flows: with JavaScript (register, log out and in, Markdown post with an
 * uploaded image, like and comment in place, search, log out), without
 * JavaScript (the same through plain forms), publishing (in a browser
 * set to Paris time: schedule a post a few seconds ahead in the editor
 * and watch it appear by itself, read a footnote and come back, page
 * forward and back through the home page), the home and post pages at
 * phone width (375px), and over everything: no console errors, no page
 * errors, no Content-Security-Policy violations (console and DevTools
 * issues), every image really loaded.
 *
 * Environment: CHROMIUM (default /usr/bin/chromium), E2E_TIMEOUT_MS
 * (default 15000, per action), E2E_HEADED=1 to watch, E2E_PHOTO: a
 * phone photo (JPEG, 1600x1200 with EXIF; tests/images/make_fixtures.py's
 * gps.jpg) that the flow uploads and looks for, processed into variants,
 * in the post at desktop and at phone width.
 */

import { chromium } from "playwright-core";
import { deflateSync } from "node:zlib";
import { mkdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";

const [base0, artifacts0] = process.argv.slice(2);
if (!base0 || !artifacts0) {
	console.error("usage: node flows.mjs BASE_URL ARTIFACTS_DIR");
	process.exit(2);
}
const BASE = base0.replace(/\/+$/, "");
const ARTIFACTS = path.resolve(artifacts0);
const EXECUTABLE = process.env.CHROMIUM || "/usr/bin/chromium";
const PHOTO = process.env.E2E_PHOTO || "";
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000);
const FLAGS = [
	"--headless", "--no-sandbox", "--disable-gpu",
	"--disable-background-networking", "--disable-component-update",
	"--disable-sync", "--no-first-run", "--disable-quic",
];
mkdirSync(ARTIFACTS, { recursive: true });

/* A hard stop, whatever hangs: the run is a failure then. */
const WATCHDOG_MS = Number(process.env.E2E_WATCHDOG_MS || 240000);
const watchdog = setTimeout(() => {
	console.log(`FAIL watchdog: flows did not finish in ${WATCHDOG_MS} ms`);
	console.log(`${passed} passed, ${failed + 1} failed`);
	process.exit(1);
}, WATCHDOG_MS);

/* ---------------------------------------------------------------- */
/* Checks and flows                                                  */

let passed = 0, failed = 0, shots = 0;

class Check extends Error {}

function assert(cond, msg) {
	if (!cond)
		throw new Check(msg);
}

function oneLine(e) {
	const s = (e instanceof Check ? e.message : String(e && e.stack || e))
	    .replace(/\x1b\[[0-9;]*m/g, "");
	return s.split("\n").slice(0, e instanceof Check ? 20 : 3)
	    .join(" | ").slice(0, 2000);
}

/*
 * A flow is a sequence of steps.  After a failed step that the rest
 * depends on (an account, a saved post) the remaining steps cannot mean
 * anything: they are reported as skipped and counted as failed.  A step
 * marked soft (a like, a screenshot) fails alone.
 */
class Flow {
	constructor(name, page) {
		this.name = name;
		this.page = page;
		this.broken = null;
	}

	async step(name, fn, opts = {}) {
		const label = `${this.name}: ${name}`;
		if (this.broken !== null) {
			failed++;
			console.log(`FAIL ${label} (skipped: "${this.broken}" ` +
			    "failed)");
			return;
		}
		const t0 = Date.now();
		try {
			const note = await fn();
			passed++;
			console.log(`ok   ${label}` + (note ? ` (${note})` : "") +
			    ` [${Date.now() - t0} ms]`);
		} catch (e) {
			failed++;
			if (!opts.soft)
				this.broken = name;
			console.log(`FAIL ${label}: ${oneLine(e)}`);
			await failShot(this.page, label);
		}
	}
}

async function failShot(page, label) {
	if (!page || page.isClosed())
		return;
	const file = path.join(ARTIFACTS, `fail-${++shots}-` +
	    label.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 60) + ".png");
	try {
		await page.screenshot({ path: file, fullPage: true });
		console.log(`     screenshot of the failure: ${file}`);
	} catch (e) {
		/* the page may be gone: nothing more to show */
	}
}

async function single(name, fn) {
	const f = new Flow("check", null);
	await f.step(name, fn);
}

/* ---------------------------------------------------------------- */
/* Console errors, page errors, CSP violations                        */

const problems = { console: [], pageerror: [], csp: [], badresponse: [] };

function isCsp(text) {
	return /Content[- ]Security[- ]Policy/i.test(text);
}

/*
 * Chromium asks for /favicon.ico by itself, or not, depending on timing:
 * its 404 is judged once, deterministically, by the favicon check, and
 * kept out of the console and response checks so that they do not flap.
 */
function isFavicon(url) {
	return !!url && new URL(url, BASE).pathname === "/favicon.ico";
}

async function watch(page, tag) {
	page.on("console", (msg) => {
		const text = msg.text();
		const loc = msg.location() && msg.location().url;
		const where = `${tag} ${page.url()}: ${text}` +
		    (loc && loc !== page.url() ? ` (${loc})` : "");
		if (isFavicon(loc) && /Failed to load resource/.test(text))
			return;
		if (isCsp(text))
			problems.csp.push(where);
		else if (msg.type() === "error")
			problems.console.push(where);
	});
	page.on("pageerror", (err) => {
		problems.pageerror.push(`${tag} ${page.url()}: ${err.message}`);
	});
	page.on("response", (r) => {
		/* Every subresource and XHR the pages load must work; a page
		 * navigation may answer 303 and the like. */
		if (r.status() >= 400 && !isFavicon(r.url()))
			problems.badresponse.push(`${tag} ${r.status()} ` +
			    `${r.request().method()} ${r.url()}`);
	});
	/* DevTools' own record of CSP violations, as a second witness that
	 * needs nothing injected into the page. */
	try {
		const cdp = await page.context().newCDPSession(page);
		cdp.on("Audits.issueAdded", ({ issue }) => {
			if (issue.code === "ContentSecurityPolicyIssue") {
				const d = issue.details
				    .contentSecurityPolicyIssueDetails || {};
				const what = d.blockedURL ||
				    d.contentSecurityPolicyViolationType || "?";
				problems.csp.push(`${tag} devtools issue ` +
				    `${page.url()}: ${d.violatedDirective || "?"} blocked ` +
				    what);
			}
		});
		await cdp.send("Audits.enable");
	} catch (e) {
		problems.console.push(`${tag}: cannot watch DevTools issues: ` +
		    e.message);
	}
}

async function newPage(ctx, tag) {
	const page = await ctx.newPage();
	page.setDefaultTimeout(TIMEOUT);
	page.setDefaultNavigationTimeout(TIMEOUT);
	await watch(page, tag);
	return page;
}

/* Counts main-frame navigations, to prove an action did not reload. */
function navCounter(page) {
	const c = { n: 0 };
	page.on("framenavigated", (f) => {
		if (f === page.mainFrame())
			c.n++;
	});
	return c;
}

/* ---------------------------------------------------------------- */
/* A real PNG, made here: 96x64, a gradient with a dark frame.        */

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();

function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf)
		c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}

function makePng(w, h) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8;	/* bit depth */
	ihdr[9] = 2;	/* truecolour RGB */
	const raw = Buffer.alloc((w * 3 + 1) * h);
	for (let y = 0; y < h; y++) {
		const row = y * (w * 3 + 1);
		raw[row] = 0;	/* filter: none */
		for (let x = 0; x < w; x++) {
			const edge = x < 3 || y < 3 || x >= w - 3 || y >= h - 3;
			const p = row + 1 + x * 3;
			raw[p] = edge ? 20 : Math.round(255 * x / w);
			raw[p + 1] = edge ? 20 : Math.round(255 * y / h);
			raw[p + 2] = edge ? 60 : 180;
		}
	}
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk("IHDR", ihdr),
		chunk("IDAT", deflateSync(raw)),
		chunk("IEND", Buffer.alloc(0)),
	]);
}

/* ---------------------------------------------------------------- */
/* Page helpers                                                       */

const PASSWORD = "correct horse battery 1";

function uniq(prefix) {
	return prefix + randomBytes(5).toString("hex");
}

async function go(page, p) {
	const r = await page.goto(BASE + p);
	assert(r && r.ok(), `GET ${p}: ${r ? r.status() : "no response"}`);
	return r;
}

async function submitAndWait(page, clickable) {
	await Promise.all([
		page.waitForNavigation({ waitUntil: "load" }),
		clickable.click(),
	]);
}

async function loggedInAs(page, username) {
	const nav = page.locator("header.site nav");
	await nav.locator(`a[href="/users/${username}"]`).waitFor();
	assert(await nav.getByRole("button", { name: "Log out" }).count() === 1,
	    "no Log out button in the header");
}

async function loggedOut(page) {
	const nav = page.locator("header.site nav");
	await nav.locator('a[href="/login"]').waitFor();
	assert(await nav.getByRole("button", { name: "Log out" }).count() === 0,
	    "a Log out button is still in the header");
}

async function register(page, username) {
	await go(page, "/register");
	await page.fill("#f-username", username);
	await page.fill("#f-display_name", `E2E ${username}`);
	await page.fill("#f-password", PASSWORD);
	await submitAndWait(page,
	    page.getByRole("button", { name: "Create account" }));
	await loggedInAs(page, username);
}

async function logout(page) {
	await submitAndWait(page, page.locator("header.site nav")
	    .getByRole("button", { name: "Log out" }));
	await loggedOut(page);
	/* The session is really gone, not just the header. */
	await page.goto(BASE + "/posts/new");
	assert(new URL(page.url()).pathname === "/login",
	    `after logging out /posts/new went to ${page.url()}, not /login`);
}

async function login(page, username) {
	await go(page, "/login");
	await page.fill("#f-username", username);
	await page.fill("#f-password", PASSWORD);
	await submitAndWait(page, page.locator("main")
	    .getByRole("button", { name: "Log in" }));
	await loggedInAs(page, username);
}

/* Writes the post through /posts/new; returns its path
 * (/posts/N-slug). */
async function savePost(page) {
	await submitAndWait(page, page.locator("form.editor-form")
	    .getByRole("button", { name: "Save" }));
	const p = new URL(page.url()).pathname;
	assert(/^\/posts\/\d+-[^/]+$/.test(p),
	    `after Save the page is ${page.url()}`);
	return p;
}

async function checkStyled(page) {
	/* style.css applied (served by kblog under style-src 'self'). */
	const s = await page.evaluate(() => {
		const h = document.querySelector("header.site");
		const cs = h && getComputedStyle(h);
		const nav = document.querySelector("header.site nav");
		return {
			border: cs ? cs.borderBottomStyle : "no header",
			nav: nav ? getComputedStyle(nav).display : "no nav",
		};
	});
	assert(s.border === "solid" && s.nav === "flex",
	    `style.css not applied: header border ${s.border}, nav ${s.nav}`);
}

/* Every <img> on the page finished loading and has pixels. */
async function imagesLoaded(page) {
	/* Lazy images load as they come near the screen: bring each. */
	await page.evaluate(async () => {
		for (const i of document.images) {
			i.scrollIntoView();
			await new Promise((r) => setTimeout(r, 30));
		}
		window.scrollTo(0, 0);
	});
	await page.waitForFunction(() =>
	    [...document.images].every((i) => i.complete), null,
	    { timeout: TIMEOUT });
	const bad = await page.evaluate(() => [...document.images]
	    .filter((i) => !i.hidden && i.naturalWidth === 0)
	    .map((i) => i.getAttribute("src")));
	assert(bad.length === 0, `images that did not load: ${bad.join(", ")}`);
	return page.evaluate(() => document.images.length);
}

async function shot(page, name, opts = {}) {
	const file = path.join(ARTIFACTS, name);
	await page.screenshot({ path: file, fullPage: true, ...opts });
	return name;
}

/* ---------------------------------------------------------------- */
/* With JavaScript                                                    */

const MD_CODE = "int main(void) { return 0; }";

async function flowWithJs(browser) {
	const ctx = await browser.newContext({
		viewport: { width: 1200, height: 900 },
	});
	const page = await newPage(ctx, "[js]");
	const f = new Flow("js", page);
	const user = uniq("e2e");
	const word = uniq("zebra");
	const title = `Browser ${word} notes`;
	let postPath = null;

	await f.step("register through /register", async () => {
		await register(page, user);
		await checkStyled(page);
		return user;
	});
	await f.step("log out through the header form", () => logout(page));
	await f.step("log in through /login", () => login(page, user));

	await f.step("open the editor; the upload box is shown by app.js",
	    async () => {
		await go(page, "/posts/new");
		await page.fill("#f-title", title);
		await page.fill("#f-body", [
			`Intro paragraph about ${word}.`,
			"",
			"## Section heading",
			"",
			"- first item",
			"- second item",
			"",
			"```c",
			MD_CODE,
			"```",
			"",
			"See [the example site](https://example.com/).",
			"",
		].join("\n"));
		await page.fill("#f-tags", "e2e, browser");
		await page.locator("form.editor-form .upload").waitFor(
		    { state: "visible" });
	});

	await f.step("upload a photo: progress bar to 100, alt text asked " +
	    "for, Markdown inserted", async () => {
		assert(PHOTO !== "", "E2E_PHOTO is not set");
		const box = page.locator("form.editor-form .upload");
		const photo = readFileSync(PHOTO);
		await box.locator(".upload-alt").fill("A photo from the e2e test");
		/* Watch the bar from the start: it must show while the bytes
		 * go, and reach 100. */
		await page.evaluate(() => {
			const bar = document.querySelector(
			    "form.editor-form .upload progress");
			window.__kblogBarSeen = [];
			new MutationObserver(() => window.__kblogBarSeen.push(
			    (bar.hidden ? "h" : "v") + bar.value)).observe(bar,
			    { attributes: true });
		});
		await box.locator("input[type=file]").setInputFiles({
			name: "e2e-photo.jpg", mimeType: "image/jpeg",
			buffer: photo,
		});
		await page.waitForFunction(() => {
			const b = document.querySelector(
			    "form.editor-form .upload");
			const bar = b.querySelector("progress");
			return !bar.hidden && bar.value === 100 &&
			    /uploaded/i.test(b.querySelector(
			    ".upload-status").textContent);
		}, null, { timeout: 60000 });
		const seen = await page.evaluate(() => window.__kblogBarSeen);
		assert(seen.some((x) => x.startsWith("v")),
		    `the progress bar never showed: ${seen.join(",")}`);
		const status = await box.locator(".upload-status")
		    .textContent();
		const body = await page.inputValue("#f-body");
		const m = body.match(
		    /!\[A photo from the e2e test\]\((\/_store\/i\/[^)\s]+)\)/);
		assert(m, "no ![alt](/_store/i/...) in the textarea: " +
		    JSON.stringify(body.slice(-200)));
		assert(await box.locator(".upload-alt").inputValue() === "",
		    "the alt field was not cleared");
		return `${photo.length} bytes; "${status.trim()}"; ${m[0]}`;
	}, { soft: true });

	await f.step("an image without alt text is inserted with a warning",
	    async () => {
		const box = page.locator("form.editor-form .upload");
		await box.locator("input[type=file]").setInputFiles({
			name: "e2e-picture.png", mimeType: "image/png",
			buffer: makePng(96, 64),
		});
		await page.waitForFunction(() => /without alt text/i.test(
		    document.querySelector("form.editor-form .upload-status")
		    .textContent));
		assert(await box.locator(".upload-status.warn").count() === 1,
		    "the warning is not marked as one");
		const body = await page.inputValue("#f-body");
		assert(/!\[\]\(\/_store\/i\/[^)\s]+\.png\)/.test(body),
		    "no ![](...png) in the textarea");
	}, { soft: true });

	await f.step("screenshot the editor", () =>
	    shot(page, "editor.png"), { soft: true });

	await f.step("save: the post page renders the Markdown", async () => {
		postPath = await savePost(page);
		const body = page.locator("article.post .body");
		assert(await page.locator("article.post h1").textContent() ===
		    title, "the post's h1 is not its title");
		await body.locator("h2", { hasText: "Section heading" })
		    .waitFor();
		const items = await body.locator("ul > li").allTextContents();
		assert(items.join("|") === "first item|second item",
		    `list items: ${JSON.stringify(items)}`);
		const code = await body.locator("pre > code").textContent();
		assert(code.includes(MD_CODE), `code block: ${code}`);
		assert(await body.locator('a[href="https://example.com/"]',
		    { hasText: "the example site" }).count() === 1,
		    "the link is not rendered");
		return postPath;
	});

	await f.step("the photo loads on the post page, a variant its " +
	    "width picked", async () => {
		const r = await processedPhoto(page);
		/* 40rem of column at 1x: the 640 variant, in WebP. */
		assert(/-640\.webp$/.test(r.src) && r.natural === 640,
		    `shown: ${r.src}, naturalWidth ${r.natural}`);
		const n = await imagesLoaded(page);
		return `${n} image(s); ${r.src.split("/").pop()} ` +
		    `(${r.natural} px wide) of srcset ${r.widths}`;
	}, { soft: true });

	const nav = navCounter(page);
	await f.step("like without a reload", async () => {
		await page.evaluate(() => {
			window.__kblogE2eMarker = "still here";
		});
		const before = nav.n;
		const form = page.locator("form.like-form");
		const count = page.locator(".post-actions .like-count");
		assert(await count.textContent() === "0", "likes before: " +
		    await count.textContent());
		await form.locator("button").click();
		await form.locator(".like-label", { hasText: "Liked" }).waitFor();
		await page.waitForFunction(() => document.querySelector(
		    ".post-actions .like-count").textContent === "1");
		assert(await form.locator("button").getAttribute(
		    "aria-pressed") === "true", "aria-pressed is not true");
		assert(await page.evaluate(() => window.__kblogE2eMarker) ===
		    "still here", "the window marker is gone: the page reloaded");
		assert(nav.n === before, `${nav.n - before} navigation(s)`);
		assert(new URL(page.url()).pathname === postPath,
		    `the URL changed to ${page.url()}`);
		return "count 0 -> 1, Liked, no navigation";
	}, { soft: true });

	const comment = `A comment from the browser about ${word} <b>bold?</b>`;
	await f.step("comment without a reload", async () => {
		const before = nav.n;
		const form = page.locator("form.comment-form");
		await form.locator("textarea").fill(comment);
		await form.getByRole("button", { name: "Comment" }).click();
		await page.locator("ol.comment-list li .comment-body",
		    { hasText: comment }).waitFor();
		await page.waitForFunction(() => document.querySelector(
		    ".comment-count").textContent === "1");
		assert(await form.locator("textarea").inputValue() === "",
		    "the textarea was not cleared");
		assert(await page.locator("ol.comment-list b").count() === 0,
		    "the comment's markup was not escaped");
		assert(await page.evaluate(() => window.__kblogE2eMarker) ===
		    "still here", "the window marker is gone: the page reloaded");
		assert(nav.n === before, `${nav.n - before} navigation(s)`);
		return "count 0 -> 1, no navigation";
	}, { soft: true });

	await f.step("after a reload the like and comment are stored",
	    async () => {
		await go(page, postPath);
		assert(await page.locator(".like-count").textContent() === "1" &&
		    await page.locator(".comment-count").textContent() === "1",
		    "counts after reload are not 1 and 1");
		assert(await page.locator("form.like-form button")
		    .getAttribute("aria-pressed") === "true",
		    "not Liked after a reload");
		await imagesLoaded(page);
	}, { soft: true });

	await f.step("screenshot the post page", () =>
	    shot(page, "post.png"), { soft: true });

	await f.step("search for a word of the title in the header",
	    async () => {
		await go(page, "/");
		await page.fill("header.site input[name=q]", word);
		await Promise.all([
			page.waitForNavigation(),
			page.press("header.site input[name=q]", "Enter"),
		]);
		const u = new URL(page.url());
		assert(u.pathname === "/search" &&
		    u.searchParams.get("q") === word,
		    `search went to ${page.url()}`);
		await page.locator(`main a[href="${postPath}"]`,
		    { hasText: title }).waitFor();
	}, { soft: true });

	await f.step("home page lists the post; screenshot", async () => {
		await go(page, "/");
		await page.locator(`main a[href="${postPath}"]`).waitFor();
		await checkStyled(page);
		await imagesLoaded(page);
		return shot(page, "home.png");
	}, { soft: true });

	await f.step("log out", () => logout(page));

	await ctx.close();
	return { postPath, title };
}

/* ---------------------------------------------------------------- */
/* Without JavaScript                                                 */

async function flowWithoutJs(browser) {
	const ctx = await browser.newContext({
		javaScriptEnabled: false,
		viewport: { width: 1200, height: 900 },
	});
	const page = await newPage(ctx, "[nojs]");
	const f = new Flow("no-js", page);
	const nav = navCounter(page);
	const user = uniq("nojs");
	const word = uniq("walrus");
	/* A long unbroken word, as in titles that name an identifier. */
	const title = `Plain ${word} post on ` +
	    "kblog_markdown_render_with_extensions_and_autolinks_enabled";
	let postPath = null;

	await f.step("register", () => register(page, user));

	await f.step("write a post (the upload box stays hidden)", async () => {
		await go(page, "/posts/new");
		assert(await page.locator("form.editor-form .upload")
		    .isHidden(), "the upload box shows without JavaScript");
		await page.fill("#f-title", title);
		await page.fill("#f-body", `# Heading\n\nAbout ${word}.\n\n` +
		    "1. one\n2. two\n");
		postPath = await savePost(page);
		await page.locator("article.post .body ol > li",
		    { hasText: "two" }).waitFor();
		return postPath;
	});

	await f.step("like through the plain form (a page load)", async () => {
		const before = nav.n;
		const button = page.locator("form.like-form button");
		assert(await button.getAttribute("aria-pressed") === "false",
		    "already liked");
		await submitAndWait(page, button);
		assert(nav.n > before, "no page load happened");
		assert(new URL(page.url()).pathname === postPath,
		    `after liking the page is ${page.url()}`);
		const b = page.locator("form.like-form button");
		assert(await b.getAttribute("aria-pressed") === "true",
		    "aria-pressed is not true");
		assert((await b.locator(".like-label").textContent()) ===
		    "Liked", "the button does not say Liked");
		assert(await page.locator(".like-count").textContent() === "1",
		    "like count is not 1");
	}, { soft: true });

	const comment = `Plain comment about ${word}`;
	await f.step("comment through the plain form", async () => {
		const before = nav.n;
		const form = page.locator("form.comment-form");
		await form.locator("textarea").fill(comment);
		await submitAndWait(page,
		    form.getByRole("button", { name: "Comment" }));
		assert(nav.n > before, "no page load happened");
		await page.locator("ol.comment-list li .comment-body",
		    { hasText: comment }).waitFor();
		assert(await page.locator(".comment-count").textContent() ===
		    "1", "comment count is not 1");
		return new URL(page.url()).pathname +
		    new URL(page.url()).hash;
	}, { soft: true });

	await f.step("screenshot the post page without JavaScript",
	    () => shot(page, "post-nojs.png"), { soft: true });

	await f.step("search", async () => {
		await go(page, "/");
		await page.fill("header.site input[name=q]", word);
		await Promise.all([
			page.waitForNavigation(),
			page.press("header.site input[name=q]", "Enter"),
		]);
		await page.locator(`main a[href="${postPath}"]`,
		    { hasText: title }).waitFor();
	}, { soft: true });

	await f.step("log out", () => logout(page));

	await ctx.close();
	return postPath;
}

/* ---------------------------------------------------------------- */
/* Publishing: schedule, footnotes, pages both ways                   */

const TZ = "Europe/Paris";

/* The ids of the posts a list page shows, in order. */
async function listed(page) {
	return page.locator("ol.post-list h2 a").evaluateAll((as) =>
	    as.map((a) => a.getAttribute("href").match(/^\/posts\/(\d+)-/)[1]));
}

async function flowPublishing(browser) {
	const ctx = await browser.newContext({
		viewport: { width: 1200, height: 900 }, timezoneId: TZ,
	});
	const page = await newPage(ctx, "[publish]");
	const reader = await newPage(await browser.newContext({
		viewport: { width: 1200, height: 900 }, timezoneId: TZ,
	}), "[reader]");
	const f = new Flow("publishing", page);
	const user = uniq("pub");
	const title = uniq("Scheduled ");
	let postPath = null, due = 0;

	await f.step("register", () => register(page, user));

	await f.step("schedule a post 8 s ahead, in the browser's own time",
	    async () => {
		await go(page, "/posts/new");
		await page.fill("#f-title", title);
		await page.fill("#f-body", "A claim that needs a source.[^1] " +
		    "And more text.\n\n[^1]: The source, at last.\n");
		const label = await page.locator("fieldset.publish .tz")
		    .textContent();
		assert(label === "(your time)", `the time's label: ${label}`);
		/* The field takes Paris time: what the reader reads. */
		const local = await page.evaluate(() => {
			const d = new Date(Date.now() + 8000);
			const p = (n) => String(n).padStart(2, "0");
			window.__kblogDue = d.getTime();
			return `${d.getFullYear()}-${p(d.getMonth() + 1)}-` +
			    `${p(d.getDate())}T${p(d.getHours())}:` +
			    `${p(d.getMinutes())}:${p(d.getSeconds())}`;
		});
		due = await page.evaluate(() => window.__kblogDue);
		await page.fill("#f-scheduled_at", local);
		await page.check('input[name="publish"][value="schedule"]');
		postPath = await savePost(page);
		const when = await page.locator("article.post .meta .draft")
		    .textContent();
		assert(/^Scheduled for /.test(when), `the post says: ${when}`);
		return `${local} ${TZ}; "${when.trim()}"`;
	});

	await f.step("nobody sees it before its time", async () => {
		await go(reader, "/");
		assert(!(await listed(reader)).includes(
		    postPath.match(/\d+/)[0]), "listed before its time");
		/* Asked outside the pages (a 404 in a page is a failure). */
		const r = await fetch(BASE + postPath);
		assert(r.status === 404, `the post answered ${r.status}`);
	});

	await f.step("it appears by itself, on time", async () => {
		const id = postPath.match(/\d+/)[0];
		for (;;) {
			await go(reader, "/");
			if ((await listed(reader)).includes(id))
				break;
			assert(Date.now() < due + 10000,
			    "not published 10 s after its time");
			await reader.waitForTimeout(300);
		}
		const late = (Date.now() - due) / 1000;
		assert(Date.now() >= due - 500, "published early");
		return `seen ${late.toFixed(1)} s after its time`;
	});

	await f.step("read a footnote and come back", async () => {
		await go(reader, postPath);
		const mark = reader.locator("article.post sup.footnote-ref a");
		await mark.click();
		await reader.waitForFunction(() => location.hash === "#fn-1");
		const note = reader.locator("section.footnotes li#fn-1");
		assert((await note.textContent()).includes(
		    "The source, at last."), "the note's text");
		assert(await note.evaluate((li) => li.matches(":target")),
		    "the note is not the target");
		await note.locator("a.footnote-backref").click();
		await reader.waitForFunction(() =>
		    location.hash === "#fnref-1");
		return "#fn-1 and back to #fnref-1";
	});

	await f.step("comment times in the reader's zone", async () => {
		await go(reader, postPath);
		const t = reader.locator("article.post time").first();
		assert(await t.getAttribute("datetime"),
		    "no datetime on the post's date");
		const form = page.locator("form.comment-form");
		await go(page, postPath);
		await form.locator("textarea").fill("On time, see " +
		    "https://example.com/schedule");
		await form.getByRole("button", { name: "Comment" }).click();
		await page.locator("ol.comment-list .comment-body a").waitFor();
		/* Anonymous pages may be kept a second (max-age=1). */
		for (let i = 0; i < 30; i++) {
			await go(reader, postPath);
			if (await reader.locator("ol.comment-list time.local")
			    .count() > 0)
				break;
			await reader.waitForTimeout(200);
		}
		const c = reader.locator("ol.comment-list time.local").first();
		const shown = await c.textContent();
		const utc = await c.getAttribute("title");
		assert(/UTC$/.test(utc) && !/UTC$/.test(shown),
		    `shown "${shown}", UTC "${utc}"`);
		assert(await reader.locator("ol.comment-list a[href=" +
		    "\"https://example.com/schedule\"][rel=\"nofollow ugc " +
		    "noopener\"]").count() === 1, "the link is not clickable");
		return `"${shown}" (was "${utc}")`;
	}, { soft: true });

	await f.step("page forward and back through the home page",
	    async () => {
		/* More than a page of posts, through the API. */
		await page.evaluate(async () => {
			const csrf = document.querySelector(
			    'meta[name="csrf-token"]').content;
			for (let i = 0; i < 21; i++) {
				const r = await fetch("/api/v1/posts", {
					method: "POST",
					credentials: "same-origin",
					headers: {
						"Content-Type": "application/json",
						"X-CSRF-Token": csrf,
					},
					body: JSON.stringify({ title: `Filler ${i}`,
					    body_markdown: "Text." }),
				});
				if (r.status !== 201)
					throw new Error(`POST: ${r.status}`);
			}
		});
		await go(reader, "/");
		const first = await listed(reader);
		assert(first.length === 20, `${first.length} on page 1`);
		await submitAndWait(reader, reader.getByRole("link",
		    { name: "Older posts →" }));
		assert(/[?&]before=/.test(reader.url()), reader.url());
		const second = await listed(reader);
		assert(second.length > 0 && !second.some((x) =>
		    first.includes(x)), "page 2 repeats page 1");
		assert(Number(second[0]) < Number(first[19]),
		    "page 2 is not older");
		await submitAndWait(reader, reader.getByRole("link",
		    { name: "← Newer posts" }));
		const back = await listed(reader);
		assert(JSON.stringify(back) === JSON.stringify(first),
		    `back: ${back} vs ${first}`);
		assert(await reader.getByRole("link",
		    { name: "← Newer posts" }).count() === 0,
		    "a newer link at the top");
		return `page 1 (${first.length}) -> page 2 (${second.length})` +
		    " -> page 1";
	});

	await reader.context().close();
	await ctx.close();
	return postPath;
}

/* ---------------------------------------------------------------- */
/* Phone width, dark mode (for the eyes: screenshots)                 */

/*
 * Measures a page at phone width, naming for the report the innermost
 * elements whose content spills out sideways (overflow visible), and
 * any box past the right edge.
 */
async function phoneWidth(page) {
	return page.evaluate(() => {
		const vw = document.documentElement.clientWidth;
		const name = (el) => el.tagName.toLowerCase() +
		    (typeof el.className === "string" && el.className.trim() ?
		    "." + el.className.trim().split(/\s+/).join(".") : "");
		const spill = [...document.querySelectorAll("body *")]
		    .filter((el) => {
			const cs = getComputedStyle(el);
			return cs.overflowX === "visible" &&
			    el.scrollWidth > el.clientWidth + 1 &&
			    el.getBoundingClientRect().left + el.scrollWidth >
			    vw + 1;
		});
		const inner = spill.filter((el) =>
		    !spill.some((o) => o !== el && el.contains(o)));
		const wide = inner.map((el) => `${name(el)} (content ` +
		    `${el.scrollWidth}px in ${el.clientWidth}px: "` +
		    `${(el.textContent || "").trim().slice(0, 40)}")`);
		return {
			scroll: document.documentElement.scrollWidth,
			wide: wide.slice(0, 4),
		};
	});
}

/*
 * The uploaded photo in a post: a <picture> whose <img> has width,
 * height, srcset, lazy loading; which file the browser chose (currentSrc)
 * and that file's own width in pixels (naturalWidth is corrected for the
 * srcset's density, so the file is decoded again).
 */
async function processedPhoto(page) {
	const img = page.locator('article.post .body picture img[alt="A ' +
	    'photo from the e2e test"]');
	await img.scrollIntoViewIfNeeded();
	return img.evaluate(async (i) => {
		if (!i.complete || !i.currentSrc)
			await new Promise((r) => {
				i.onload = i.onerror = r;
			});
		const src = i.parentElement.querySelector("source");
		const file = await createImageBitmap(await (await fetch(
		    i.currentSrc)).blob());
		return {
			src: i.currentSrc, natural: file.width,
			box: i.getBoundingClientRect().width,
			attrs: ["width", "height", "loading", "decoding"]
			    .map((a) => i.getAttribute(a)),
			widths: (src ? src.srcset : i.srcset).split(",")
			    .map((c) => c.trim().split(" ")[1]).join(" "),
		};
	});
}

async function noSideScroll(page, p, file) {
	await go(page, p);
	await imagesLoaded(page);
	const w = await phoneWidth(page);
	await shot(page, file);
	assert(w.scroll <= 375, `${p}: scrollWidth ${w.scroll} > 375; too ` +
	    `wide: ${w.wide.join(", ")}`);
	return `scrollWidth ${w.scroll}`;
}

async function flowPhone(browser, postPaths) {
	const ctx = await browser.newContext({
		viewport: { width: 375, height: 740 },
		deviceScaleFactor: 2, isMobile: true, hasTouch: true,
	});
	const page = await newPage(ctx, "[phone]");
	/* The newest posts include the no-JS flow's, whose title has a
	 * long unbroken word (an identifier), as real titles do. */
	await single("home page at 375px has no horizontal scrollbar",
	    () => noSideScroll(page, "/", "home-phone.png"));
	let i = 0;
	for (const p of postPaths.filter(Boolean))
		await single(`post page ${p} at 375px has no horizontal ` +
		    "scrollbar", () => noSideScroll(page, p,
		    `post-phone-${++i}.png`));
	if (postPaths[0])
		await single("the processed photo at phone width: the " +
		    "variant for 343 CSS px at 2x, within the screen",
		    async () => {
			await go(page, postPaths[0]);
			const r = await processedPhoto(page);
			/* 343 px of column at 2x: 686 px, so the 1280. */
			assert(/-1280\.webp$/.test(r.src) && r.natural === 1280,
			    `shown: ${r.src}, naturalWidth ${r.natural}`);
			assert(r.box <= 343 && r.box > 300,
			    `rendered ${r.box} px wide`);
			assert(r.attrs.join(" ") === "1600 1200 lazy async",
			    `attributes: ${r.attrs.join(" ")}`);
			await shot(page, "photo-phone.png");
			return `${r.src.split("/").pop()}, ${r.box} CSS px`;
		});
	await ctx.close();
}

async function flowDark(browser, postPath) {
	if (!postPath)
		return;
	const ctx = await browser.newContext({
		viewport: { width: 1200, height: 900 }, colorScheme: "dark",
	});
	const page = await newPage(ctx, "[dark]");
	await single("post page in dark mode: screenshot", async () => {
		await go(page, postPath);
		await imagesLoaded(page);
		return shot(page, "post-dark.png");
	});
	await ctx.close();
}

/* ---------------------------------------------------------------- */

async function main() {
	const t0 = Date.now();
	let browser;
	try {
		/* playwright-core gives every launch a fresh, temporary
		 * user-data-dir of its own. */
		browser = await chromium.launch({
			executablePath: EXECUTABLE,
			args: process.env.E2E_HEADED === "1" ?
			    FLAGS.filter((f) => f !== "--headless") : FLAGS,
			headless: process.env.E2E_HEADED !== "1",
			timeout: 60000,
		});
	} catch (e) {
		console.log(`FAIL launch ${EXECUTABLE}: ${oneLine(e)}`);
		console.log("0 passed, 1 failed");
		process.exit(1);
	}
	console.log(`# ${EXECUTABLE} ${browser.version()} against ${BASE}`);
	try {
		const { postPath } = await flowWithJs(browser);
		const nojsPath = await flowWithoutJs(browser);
		await flowPublishing(browser);
		await flowPhone(browser, [postPath, nojsPath]);
		await flowDark(browser, postPath);
	} catch (e) {
		failed++;
		console.log(`FAIL flows stopped: ${oneLine(e)}`);
	}

	await single("the site has an icon (no 404 for /favicon.ico)",
	    async () => {
		const ctx = await browser.newContext();
		const page = await newPage(ctx, "[icon]");
		await go(page, "/");
		const declared = await page.evaluate(() => {
			const l = document.querySelector('link[rel~="icon"]');
			return l ? l.getAttribute("href") : null;
		});
		await ctx.close();
		if (declared !== null)
			return `declared: ${declared.slice(0, 40)}`;
		const r = await fetch(BASE + "/favicon.ico");
		assert(r.ok, "no <link rel=icon> in the pages and GET " +
		    `/favicon.ico answers ${r.status}: browsers ask for it ` +
		    "and log a console error");
		return `/favicon.ico ${r.status}`;
	});
	await single("no console errors and no page errors", async () => {
		const all = [...problems.pageerror, ...problems.console];
		assert(all.length === 0, `${all.length}: ${all.join(" || ")}`);
	});
	await single("no Content-Security-Policy violations", async () => {
		assert(problems.csp.length === 0,
		    `${problems.csp.length}: ${problems.csp.join(" || ")}`);
	});
	await single("no failed (4xx/5xx) responses", async () => {
		const r = problems.badresponse;
		assert(r.length === 0, `${r.length}: ${r.join(" || ")}`);
	});

	await browser.close().catch(() => {});
	console.log(`# screenshots in ${ARTIFACTS}; ` +
	    `${((Date.now() - t0) / 1000).toFixed(1)} s`);
	console.log(`${passed} passed, ${failed} failed`);
	clearTimeout(watchdog);
	process.exit(failed === 0 ? 0 : 1);
}

main();
