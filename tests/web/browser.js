// browser.js -- the delisting flow in a real browser (headless Chromium
// driven by Playwright), run by browser.test.
//
// Environment: RBL_URL (rbl-admin), ADDR (a listed address), ADMIN_PW,
// SHOTS (directory for screenshots), PROFILE (a fresh, empty directory
// for Chromium's profile).  Exits 0 when every step worked; otherwise
// prints what failed and saves fail.png.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const url = process.env.RBL_URL;
const addr = process.env.ADDR;
const shots = process.env.SHOTS;

function check(cond, what) {
	if (!cond)
		throw new Error('check failed: ' + what);
	console.log('ok: ' + what);
}

async function shot(page, name) {
	await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: true });
}

async function publicRequest(page) {
	await page.goto(url + '/?q=' + addr);
	check(await page.locator('td', { hasText: 'bl.test' }).count() > 0,
	      'lookup shows the bl.test listing');
	await shot(page, 'lookup');
	await page.click('text=ask us to remove it');
	check(await page.inputValue('#addr') === addr, 'form prefilled with the address');
	await page.fill('#contact', 'postmaster@example.net');
	await page.fill('#reason', 'The infected PC is gone; please delist.');
	await shot(page, 'delist-form');
	await page.click('button:has-text("Send request")');
	check((await page.textContent('main')).includes('A person will review it'),
	      'requester told that a person will review it');
	await shot(page, 'delist-request');
}

async function login(page) {
	await page.goto(url + '/login');
	await shot(page, 'login');
	await page.fill('#user', 'admin');
	await page.fill('#password', process.env.ADMIN_PW);
	await page.click('button:has-text("Log in")');
	await page.waitForURL(url + '/admin');
	check(await page.locator('.card', { hasText: 'Pending requests' }).count() === 1,
	      'logged in to the dashboard');
	await shot(page, 'dashboard');
}

async function confirm(page) {
	await page.click('header >> text=Requests');
	await shot(page, 'requests');
	await page.click('tr:has-text("' + addr + '") >> a >> nth=0');
	check((await page.textContent('#state')).trim() === 'pending', 'request is pending');
	await shot(page, 'request');
	await page.fill('#reason', 'Verified with the requester; host cleaned.');
	await page.click('#confirm');
	await page.waitForURL(/done=confirmed/);
	check((await page.textContent('#state')).trim() === 'confirmed', 'request confirmed');
	await shot(page, 'confirmed');
}

async function audit(page) {
	await page.click('header >> text=Audit log');
	const row = page.locator('#audit tr', { hasText: 'delist.confirm' });
	check(await row.count() === 1, 'audit log has the confirmation');
	const text = await row.textContent();
	check(text.includes('admin') && text.includes(addr) &&
	      text.includes('Verified with the requester'), 'audit row says who, what and why');
	await shot(page, 'audit');
	await page.goto(url + '/admin/addr?a=' + addr);
	check((await page.textContent('main')).includes('Not listed.'), 'address page: not listed');
	await shot(page, 'address');
	await page.goto(url + '/admin/search?q=11.9.9.0/24');
	await shot(page, 'search');
	await page.goto(url + '/admin/allow');
	await shot(page, 'allow');
}

(async () => {
	const ctx = await chromium.launchPersistentContext(process.env.PROFILE, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		       '--no-first-run', '--disable-background-networking',
		       '--disable-component-update', '--disable-sync'],
		viewport: { width: 1200, height: 900 },
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	const problems = [];
	page.on('console', m => { if (m.type() === 'error') problems.push(m.text()); });
	page.on('pageerror', e => problems.push(String(e)));
	let status = 0;
	try {
		await publicRequest(page);
		await login(page);
		await confirm(page);
		await audit(page);
		check(problems.length === 0, 'no browser errors (CSP, scripts): ' +
		      problems.join(' | '));
	} catch (e) {
		console.error(e.message);
		await shot(page, 'fail').catch(() => {});
		status = 1;
	}
	await ctx.close();
	process.exit(status);
})();
