// browser.js -- rbl-admin as a listed sender and an operator use it, in a
// real browser (headless Chromium driven by Playwright), run by
// browser.test on a store the size of a busy week (rbl-admin-fixture bulk).
//
// Every page is walked at 1280 and at 390 px wide and must fit without
// horizontal scrolling; every action must say on the page it lands on what
// it did; a form sent with an error must come back with the input kept;
// and each point of issue 14 is checked where it shows (the "pN:" labels).
//
// Environment: RBL_URL (rbl-admin), ADMIN_PW, SHOTS (directory for
// screenshots), PROFILE (an empty directory for Chromium's profile).
// Exits 0 when every check held; otherwise prints what failed and saves
// fail.png.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const url = process.env.RBL_URL;
const shots = process.env.SHOTS;
const WIDE = { width: 1280, height: 900 }, NARROW = { width: 390, height: 844 };
let checks = 0;

function check(cond, what) {
	if (!cond)
		throw new Error('check failed: ' + what);
	checks++;
	console.log('ok: ' + what);
}

async function fits(page, name) {
	const o = await page.evaluate(() => {
		const sw = document.documentElement.scrollWidth, w = window.innerWidth;
		// Only when it does not fit: which elements stick out.
		const wide = sw <= w ? [] : [...document.querySelectorAll('body *')]
			.filter(e => e.getBoundingClientRect().right > w + 1)
			.slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' +
				(e.textContent || '').slice(0, 40));
		return { sw, w, wide };
	});
	check(o.sw <= o.w, `${name}: fits ${o.w} px (page is ${o.sw} px` +
	      (o.sw > o.w ? '; too wide: ' + o.wide.join(' | ') : '') + ')');
}

// The top of the page, down to 2,400 px: enough to judge it, and pages of
// 100 cards on a phone run to 40,000 px, which would cost seconds each.
let shotMs = 0;
async function shot(page, name) {
	const t = Date.now();
	const w = page.viewportSize().width;
	const h = await page.evaluate(() => document.documentElement.scrollHeight);
	await page.screenshot({ path: path.join(shots, `${name}-${w}.png`), fullPage: true,
				clip: { x: 0, y: 0, width: w, height: Math.min(h, 2400) } });
	shotMs += Date.now() - t;
}

// Open PATH, check it fits, keep its screenshot.
async function visit(page, p, name) {
	const resp = await page.goto(url + p);
	check(resp.status() < 500, `${name}: ${p} answers ${resp.status()}`);
	await fits(page, name);
	await shot(page, name);
}

async function text(page, sel) {
	return (await page.textContent(sel)) || '';
}

// The message an action leaves on the page it lands on.
async function said(page, what, re) {
	const t = await page.locator('#flash').textContent().catch(() => null);
	check(t !== null && re.test(t), `p5: ${what}: the page says "${(t || '').trim()}"`);
}

// ------------------------------------------------------------ public side

async function publicSide(page) {
	await visit(page, '/?q=11.1.2.3', 'public-lookup-listed');
	const v = await text(page, 'main');
	check(/11\.1\.2\.3 is listed in bl\.test/.test(v) && /Mail servers that check/.test(v),
	      'p10: a listed result says in a sentence where and what it means for mail');
	check(/spam trap message/.test(v), 'p10: why, from the evidence');
	await visit(page, '/?q=11.1.2.4', 'public-lookup-manual');
	check(/listed by an operator/.test(await text(page, 'main')) &&
	      /manual listing of 11\.1\.2\.4/.test(await text(page, 'main')),
	      'p10: why for a manual listing too');
	await visit(page, '/?q=11.5.5.5', 'public-lookup-clean');
	check(/11\.5\.5\.5 is not listed/.test(await text(page, '#verdict')), 'not listed said so');

	// A request with a bad contact: the error stands by the field, the
	// text stays.
	await page.goto(url + '/?q=11.1.2.3');
	await page.click('#ask');
	check(await page.inputValue('#addr') === '11.1.2.3', 'form prefilled with the address');
	const reason = 'The infected PC is gone; please delist. ' + 'x'.repeat(30);
	await page.fill('#contact', 'not an address');
	await page.fill('#reason', reason);
	await page.evaluate(() => document.querySelector('#contact').type = 'text');
	await page.click('button:has-text("Send request")');
	check(await page.locator('#contact-err').count() === 1, 'p6: the contact error is beside the field');
	check(await page.inputValue('#reason') === reason && await page.inputValue('#addr') === '11.1.2.3',
	      'p6: the request form keeps the input after an error');
	await fits(page, 'delist-error');
	await shot(page, 'delist-error');

	// The form's token is no longer good (the cookie is gone, as after a
	// long pause or a restart): the text comes back, ready to send again.
	await page.context().clearCookies();
	await page.fill('#contact', 'postmaster@example.net');
	await page.click('button:has-text("Send request")');
	check(/open too long/.test(await text(page, 'main')), 'p3: an expired form says so');
	check(await page.inputValue('#reason') === reason, 'p3: an expired form keeps the text');
	await shot(page, 'delist-expired');
	await page.click('button:has-text("Send request")');
	check(/Request \d+ received/.test(await text(page, 'main')), 'p3: sent again, received');
	const link = await page.getAttribute('#status-link', 'href');
	check(/^\/delist\/status\?id=\d+&t=[0-9a-f]{32}$/.test(link), 'p10: a status link for the requester');
	await fits(page, 'delist-sent');
	await shot(page, 'delist-sent');
	await visit(page, link, 'public-delist-status');
	check((await text(page, '#state')).trim() === 'pending', 'p10: the status page says pending');

	// A second person asks about the same address: attached, told so.
	await page.goto(url + '/delist?addr=11.1.2.3');
	await page.fill('#contact', 'abuse@second.example');
	await page.fill('#reason', 'We share this relay; please delist.');
	await page.click('button:has-text("Send request")');
	check(/already pending .*added your e-mail address/.test(await text(page, 'main')),
	      'p10: a second requester is attached to the pending request');
	await page.goto(url + link);
	check(/1 other person asked/.test(await text(page, 'main')), 'p10: the status page counts the second requester');
	return link;
}

// ----------------------------------------------------------- operator side

async function login(page) {
	// p9: a logged-out admin page comes back after the login.
	await page.goto(url + '/admin/addr?a=11.30.0.5');
	check(page.url().startsWith(url + '/login?next='), 'p9: logged out, sent to the login');
	await shot(page, 'login');
	await page.fill('#user', 'admin');
	await page.fill('#password', process.env.ADMIN_PW);
	await page.click('button:has-text("Log in")');
	await page.waitForURL(url + '/admin/addr?a=11.30.0.5');
	check(true, 'p9: after login, back on the page asked for');
	check(/Allowed, but still listed/.test(await text(page, '#disagree')),
	      'p1: the address page says when allow and a listing disagree');
}

async function listings(page) {
	await page.goto(url + '/admin/listing');
	check(await page.inputValue('#list') === '', 'p1: the list is an explicit choice (none preselected)');
	check(/allow list of policy traps, not published/.test(await text(page, '#list')),
	      'p1: the allow list is named as such in the choice');
	await page.selectOption('#list', 'bl');
	await page.fill('#key', '11.50.0.1/8');
	await page.fill('#txt', 'manual: $');
	await page.fill('#expires', '7d');
	await page.fill('#reason', 'seen in our logs');
	await page.click('button:has-text("Add listing")');
	check(await page.locator('#key-err').count() === 1, 'p6: the key error is beside the field');
	check(await page.inputValue('#txt') === 'manual: $' && await page.inputValue('#reason') === 'seen in our logs' &&
	      await page.inputValue('#list') === 'bl' && await page.inputValue('#expires') === '7d',
	      'p6: the listing form keeps the input after an error');
	await fits(page, 'listing-error');
	await shot(page, 'listing-error');
	await page.fill('#key', '11.50.0.1');
	await page.click('button:has-text("Add listing")');
	await said(page, 'listing added', /Added: 11\.50\.0\.1 is listed in bl \(bl\.test answers/);
	const exp1 = await text(page, '#listings td[data-l="Expires"]');

	// Edit without touching the expiry: it stays (no "604799s", no restart).
	await page.click('#listings a:has-text("Edit")');
	const shown = await page.inputValue('#expires');
	check(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(shown), `p6: the edit form shows the expiry as a date (${shown})`);
	await shot(page, 'listing-edit');
	await page.fill('#code', '127.0.0.5');
	await page.fill('#reason', 'code per policy');
	await page.click('button:has-text("Save changes")');
	await said(page, 'listing saved', /Saved: 11\.50\.0\.1 is listed in bl/);
	check(await text(page, '#listings td[data-l="Expires"]') === exp1, 'p6: saving an edit keeps the expiry');

	await page.fill('#listings input[name="reason"]', 'false positive');
	await page.click('#listings button:has-text("Remove")');
	await said(page, 'listing removed', /Removed 11\.50\.0\.1 from bl/);
}

async function allow(page) {
	await page.goto(url + '/admin/allow');
	await page.fill('#prefix', '11.60.0.0/8');
	await page.fill('#reason', "customer's mail servers");
	await page.click('button:has-text("Allow")');
	check(await page.locator('#prefix-err').count() === 1 &&
	      await page.inputValue('#reason') === "customer's mail servers",
	      'p6: the allow form shows the error by the field and keeps the reason');
	await page.fill('#prefix', '11.60.0.0/24');
	await page.fill('#expires', '30d');
	await page.click('button:has-text("Allow")');
	await said(page, 'allow added', /Allowed 11\.60\.0\.0\/24 until/);
	check(/of 152 entries/.test(await text(page, '.pager')), 'p4: the allow list is paged with its total');
	await page.click('.pager a[rel="next"]');
	const row = page.locator('#allowed tr', { hasText: '11.60.0.0/24' });
	check(await row.count() === 1, 'p4: the next allow page has the new entry');
	await row.locator('input[name="reason"]').fill('contract ended');
	await row.locator('button:has-text("Remove")').click();
	await said(page, 'allow removed', /Removed 11\.60\.0\.0\/24 from the allow list/);
}

async function review(page) {
	await page.click('header >> text=Requests');
	const title = await text(page, 'h1');
	check(/^Pending delisting requests \((\d+)\)$/.test(title), `p8: the queue shows its count (${title})`);
	const ids = await page.$$eval('#queue td[data-l="#"]', tds => tds.map(t => +t.textContent));
	check(ids.length > 2 && ids.every((v, i) => !i || ids[i - 1] < v), 'p8: the queue is oldest first');
	await fits(page, 'requests');
	// A click anywhere on the row (here: on its reason) opens the review.
	const reasonCell = page.locator('#queue tr', { hasText: '11.1.2.3' })
		.locator('td[data-l="Reason"]');
	await reasonCell.scrollIntoViewIfNeeded();
	const cell = await reasonCell.boundingBox();
	await page.mouse.click(cell.x + cell.width / 2, cell.y + cell.height / 2);
	await page.waitForURL(/\/admin\/request\?id=\d+$/);
	check(true, 'p8: clicking the row (not a tiny link) opens the review');
	const pos = await page.evaluate(() => ({
		decision: document.querySelector('#decision').getBoundingClientRect().top,
		evidence: document.querySelector('#ev').getBoundingClientRect().top,
		score: document.querySelector('#policies') ?
			document.querySelector('#policies').getBoundingClientRect().top : -1,
	}));
	check(pos.score >= 0 && pos.score < pos.decision && pos.decision < pos.evidence,
	      `p8: score summary, then the decision, then the evidence (${JSON.stringify(pos)})`);
	check(pos.decision < 1600, `p8: the decision is near the top (${Math.round(pos.decision)} px)`);
	const confirm = await text(page, '#confirm'), reject = await text(page, '#reject');
	check(/Delist 11\.1\.2\.3 now/.test(confirm) && /bl\.test/.test(confirm) &&
	      /Keep it listed/.test(reject) && /nothing changes/.test(reject),
	      'p8: the buttons say what they do');
	check(await page.getAttribute('#confirm', 'class') === 'danger' &&
	      await page.getAttribute('#reject', 'class') === 'quiet',
	      'p8: the button that delists is the red one');
	check(/abuse@second\.example/.test(await text(page, '#also-asked')),
	      'p10: the reviewer sees the second requester');
	await fits(page, 'request');
	await shot(page, 'request');
	await page.fill('#reason', 'Verified with the requester; host cleaned.');
	await page.click('#confirm');
	await said(page, 'request confirmed', /confirmed: 11\.1\.2\.3 is delisted/);
	check((await text(page, '#state')).trim() === 'confirmed', 'request confirmed');
	await shot(page, 'confirmed');
}

async function rdns(page) {
	await page.goto(url + '/admin/rdns');
	check(/of 62 proposals/.test(await text(page, '.pager')), 'p4: rDNS queue paged with its total');
	const row = page.locator('#proposals tr', { hasText: '11.200.0.0/24' });
	await row.locator('button:has-text("Publish")').click();
	await said(page, 'rDNS published', /Published 11\.200\.0\.0\/24/);
}

// Both ways through a long list, the total always shown.
async function paging(page) {
	await page.goto(url + '/admin/search?q=11.20.0.0/16');
	check(/^1–100 of 303 entries/.test(await text(page, '.pager')), 'p4: search shows its total');
	await page.click('.pager a[rel="next"] >> nth=0');
	check(/^101–200 of 303/.test(await text(page, '.pager')), 'p4: search next page');
	await page.click('.pager a[rel="last"] >> nth=0');
	check(/^301–303 of 303/.test(await text(page, '.pager')), 'p4: search last page');
	await page.click('.pager a[rel="prev"] >> nth=0');
	check(/^201–300 of 303/.test(await text(page, '.pager')), 'p4: search previous page');
	await page.goto(url + '/admin/addr?a=11.20.0.1');
	check(/^1–50 of 160 records/.test(await text(page, '.pager')), 'p4: evidence paged with its total');
	await page.click('.pager a[rel="last"] >> nth=0');
	check(/^151–160 of 160/.test(await text(page, '#ev + .pager')), 'p4: last evidence page');
	await page.goto(url + '/admin/audit');
	const a = await text(page, '.pager');
	check(/^1–100 of \d+ records/.test(a), `p4: audit log paged with its total (${a.split('«')[0].trim()})`);
	await page.click('.pager a[rel="next"] >> nth=0');
	await page.click('.pager a[rel="prev"] >> nth=0');
	check(/^1–100 of/.test(await text(page, '.pager')), 'p4: audit log back and forth');
}

async function charts(page) {
	await page.goto(url + '/admin');
	const labels = await page.evaluate(() => [...document.querySelector('svg')
		.querySelectorAll('text[text-anchor="end"]')].map(t => t.textContent));
	check(labels.length >= 3 && labels[0] === '0',
	      `p11: the daily chart's y axis has ticks from 0 (${labels.join(' ')})`);
	const small = await page.evaluate(() => [...document.querySelector('svg')
		.querySelectorAll('rect[fill="#c62828"]')].filter(r => +r.getAttribute('height') > 0)
		.map(r => +r.getAttribute('height')));
	check(small.length >= 1 && small.every(h => h >= 3),
	      `p11: a single delisting is a visible bar (${small.join(',')} px)`);
}

// Every page at this width: fits, and a screenshot.
async function walk(page, status) {
	const pages = [
		['/', 'lookup'], ['/?q=11.20.0.2', 'lookup-listed'], ['/?q=11.1.2.4', 'lookup-manual'],
		['/?q=bad.example', 'lookup-domain'],
		['/delist?addr=11.1.2.3', 'delist-form'], [status, 'delist-status'],
		['/admin', 'dashboard'], ['/admin/search?q=11.20.0.0/16', 'search'],
		['/admin/search?q=bad.example', 'search-domain'],
		['/admin/addr?a=11.20.0.1', 'address'], ['/admin/addr?a=11.30.0.5', 'address-allowed'],
		['/admin/requests', 'requests'], ['/admin/requests?state=all', 'requests-all'],
		['/admin/request?id=1', 'request-two-asked'], ['/admin/request?id=6', 'request-long-reason'],
		['/admin/listing', 'listing-add'], ['/admin/listing?list=bl&key=11.30.0.7', 'listing-edit'],
		['/admin/allow', 'allow'], ['/admin/rdns', 'rdns'], ['/admin/audit', 'audit'],
	];
	for (const [p, name] of pages)
		await visit(page, p, name);
}

(async () => {
	const t0 = Date.now();
	const ctx = await chromium.launchPersistentContext(process.env.PROFILE, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		       '--no-first-run', '--disable-background-networking',
		       '--disable-component-update', '--disable-sync'],
		viewport: WIDE,
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	const problems = [];
	// Error statuses are answers the test asks for (a refused form);
	// anything else on the console (CSP, scripts) is a problem.
	page.on('console', m => {
		if (m.type() === 'error' &&
		    !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()))
			problems.push(m.text());
	});
	page.on('pageerror', e => problems.push(String(e)));
	let status = 0;
	try {
		const link = await publicSide(page);
		await login(page);
		await listings(page);
		await allow(page);
		await review(page);
		await rdns(page);
		await paging(page);
		await charts(page);
		for (const vp of [WIDE, NARROW]) {
			await page.setViewportSize(vp);
			await walk(page, link);
		}
		// A form error on a phone: beside the field, input kept, fits.
		await page.goto(url + '/admin/listing');
		await page.selectOption('#list', 'bl');
		await page.fill('#key', 'not a key');
		await page.fill('#reason', 'phone test');
		await page.click('button:has-text("Add listing")');
		check(await page.locator('#key-err').count() === 1 &&
		      await page.inputValue('#reason') === 'phone test', 'p6: at 390 px too');
		await fits(page, 'listing-error');
		await shot(page, 'listing-error');
		await page.click('header button:has-text("Log out")');
		check(/You have logged out/.test(await text(page, '#flash')), 'p5: logout says so');
		await shot(page, 'logged-out');
		check(problems.length === 0, 'no browser errors (CSP, scripts): ' +
		      problems.join(' | '));
	} catch (e) {
		console.error(e.message);
		await shot(page, 'fail').catch(() => {});
		status = 1;
	}
	await ctx.close();
	console.log(`browser: ${checks} checks in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
		    `(${(shotMs / 1000).toFixed(1)} s of it screenshots)`);
	process.exit(status);
})();
