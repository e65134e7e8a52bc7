// admin-curation.mjs: a curation round trip in headless Chromium, driven
// with playwright-core (npm devDependency; the browser is Debian's
// /usr/bin/chromium, or CHROMIUM). Prints "ok - ..." / "not ok - ..." lines;
// exits 1 when any failed.
//
//   node admin-curation.mjs BASE_URL MAP_KEY USER PASSWORD ADMIN PASSWORD PNG SHOT
//
// 1. A user signs in through the login form, opens the public map page,
//    follows "Propose a correction", types a new title and uploads a
//    picture (PNG file), and sends it.
// 2. The local admin signs in through the login form, opens the curation
//    queue, sees the proposal and clicks Approve.
// 3. A visitor (no cookies) opens the public map page: the new title is
//    the heading and the new picture is displayed (decoded by the browser).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const [base, mapKey, user, userPw, admin, adminPw, pngPath, shot] = process.argv.slice(2);
const TITLE = "Flooded Valley (curated in e2e)";
let failed = 0;
const ok = (cond, name, detail) => {
	console.log(`${cond ? "ok" : "not ok"} - ${name}`);
	if (!cond) {
		failed++;
		if (detail !== undefined) console.log(`#   ${String(detail).split("\n").slice(0, 8).join("\n#   ")}`);
	}
	return cond;
};
const mapUrl = `${base}/bzcc/maps/${encodeURIComponent(mapKey)}`;

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
try {
	async function signIn(ctx, name, pw) {
		const page = await ctx.newPage();
		await page.goto(`${base}/login`);
		await page.fill("#login-name", name);
		await page.fill("#login-password", pw);
		await Promise.all([page.waitForURL(`${base}/account`), page.click("form.account-form button[type=submit]")]);
		return page;
	}

	// 1. the user's proposal
	const uctx = await browser.newContext();
	const up = await signIn(uctx, user, userPw);
	ok((await up.textContent("h1")).includes(user), "the user signs in through the login form");
	const cookies = await uctx.cookies();
	const sess = cookies.find((c) => c.name === "gw_session");
	ok(sess && sess.httpOnly && sess.sameSite === "Lax", "the session cookie is HttpOnly and SameSite=Lax", JSON.stringify(sess));
	await up.goto(mapUrl);
	await Promise.all([up.waitForURL(/\/curation\/propose\?/), up.click("text=Propose a correction")]);
	await up.fill("#f-title", TITLE);
	await up.setInputFiles("#f-image", pngPath);
	await up.fill("#f-note", "seen in the map's own readme");
	await Promise.all([up.waitForURL(`${base}/account#proposals`), up.click("form.account-form button[type=submit]")]);
	ok(/pending/.test(await up.textContent("#proposals + ul")), "the proposal is sent and pending on the account page");

	// 2. the admin approves
	const actx = await browser.newContext();
	const ap = await signIn(actx, admin, adminPw);
	ok((await ap.textContent("h1")).includes(admin), "the local admin signs in through the login form");
	await ap.goto(`${base}/admin/curation`);
	const item = ap.locator("article.proposal", { hasText: TITLE });
	ok(await item.count() === 1, "the curation queue shows the proposal");
	const candidate = item.locator("img.proposal__candidate");
	ok(await candidate.evaluate((img) => img.complete && img.naturalWidth === 48), "with the uploaded picture");
	await Promise.all([ap.waitForURL(`${base}/admin/curation`), item.locator("button", { hasText: "Approve" }).click()]);
	ok(await ap.locator("article.proposal", { hasText: TITLE }).count() === 0, "approved: it leaves the queue");
	ok(/approved by/.test(await ap.textContent("#r-title + ul")), "and is listed as approved");

	// 3. the public page
	const vctx = await browser.newContext();
	const vp = await vctx.newPage();
	await vp.goto(mapUrl);
	const h1 = await vp.textContent("h1");
	ok(h1.includes(TITLE), "the public map page shows the new title", h1);
	const img = vp.locator("img.map-facts__image");
	ok(await img.count() === 1 && await img.evaluate((i) => i.complete && i.naturalWidth === 48 && i.naturalHeight === 32 &&
		new URL(i.src).pathname.startsWith("/assets/bzcc/map/")), "and the new picture, from our own /assets/");
	await vp.screenshot({ path: shot, fullPage: false });
	ok(readFileSync(shot).length > 1000, "screenshot " + shot);
	const lobby = await (await vctx.request.get(`${base}/api/v1/sessions/current`)).json();
	ok(lobby.sessions.some((s) => s.map.key === mapKey && s.map.title === TITLE), "the live lobby carries the new title");
} catch (e) {
	ok(false, "the browser run finished", e.stack || e);
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
