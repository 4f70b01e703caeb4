// test_browser.mjs: the documentation pages in a real browser, headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core), with
// Swagger UI and ReDoc served by the stack itself (DOCS_ASSETS_URL), and no
// request allowed to leave the stack. /api/docs lists every operation of
// /openapi.json, authorizes with the OAuth2 password flow, and runs
// GET /api/auth/me from the page; /api/redoc shows the title and every
// operation. On a failure a screenshot goes to UA_TEST_LOG_DIR.
//
// The browser reaches the stack under a host name of its own (HOST_ALIAS,
// resolved to the stack's address by Chromium itself), not as 127.0.0.1 or
// localhost: Swagger UI behaves differently there (it leaves out its
// online validator badge), and the pages must stay offline as they would on
// a real host.

import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
	Checks, CheckError, expect, getJson, logDir, normPath, operations, request, servers, settings, warmUp,
} from './lib.mjs';

const CHROMIUM = process.env.UA_TEST_CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage'];
const TIMEOUT = 30000;
const HOST_ALIAS = 'docs.userapi.example';

const cfg = settings();

// A browser of its own for one server: a fresh profile, every request
// outside the server's origin refused and remembered.
class Browser {
	constructor(server, checks) {
		this.server = server;
		const u = new URL(server.url);
		this.address = u.hostname;
		u.hostname = HOST_ALIAS;
		this.base = u.origin;
		this.origin = u.origin;
		this.c = checks;
		this.outside = [];	// requests that tried to leave the stack
		this.failed = [];	// requests of the stack that failed or got >= 400
		this.pageErrors = [];
		this.seen = [];		// every URL asked for
		this.inflight = 0;
		this.lastActivity = Date.now();
		this.shots = 0;
	}

	async open() {
		this.profile = mkdtempSync(join(tmpdir(), 'userapi-docs-chromium-'));
		this.ctx = await chromium.launchPersistentContext(this.profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: [...FLAGS, `--host-resolver-rules=MAP ${HOST_ALIAS} ${this.address}`],
			viewport: { width: 1280, height: 1000 },
			timeout: 60000,
		});
		this.ctx.setDefaultTimeout(TIMEOUT);
		await this.ctx.route('**/*', (route) => {
			const u = route.request().url();
			let origin;
			try {
				origin = new URL(u).origin;
			} catch {
				origin = '';
			}
			if (origin === this.origin)
				return route.continue();
			this.outside.push(u);
			return route.abort('blockedbyclient');
		});
		this.page = this.ctx.pages()[0] ?? await this.ctx.newPage();
		const busy = (d) => {
			this.inflight += d;
			this.lastActivity = Date.now();
		};
		this.page.on('request', (r) => {
			this.seen.push(r.url());
			busy(1);
		});
		this.page.on('requestfinished', () => busy(-1));
		this.page.on('requestfailed', () => busy(-1));
		this.page.on('requestfailed', (r) => {
			if (new URL(r.url()).origin === this.origin)
				this.failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
		});
		this.page.on('response', (r) => {
			if (r.status() >= 400)
				this.failed.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
		});
		this.page.on('pageerror', (e) => this.pageErrors.push(String(e)));
	}

	// settle: wait until the page has asked for nothing for QUIET ms (what
	// a page loads late, an image after its first render, counts too).
	async settle(quiet = 1000, max = 15000) {
		const end = Date.now() + max;
		while (Date.now() < end) {
			if (this.inflight <= 0 && Date.now() - this.lastActivity >= quiet)
				return;
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	async close() {
		try {
			await this.ctx?.close();
		} finally {
			if (this.profile)
				rmSync(this.profile, { recursive: true, force: true });
		}
	}

	// step NAME FN: one check; a failure leaves a screenshot.
	async step(name, fn) {
		return this.c.run(name, async () => {
			try {
				return await fn();
			} catch (e) {
				const file = join(logDir(), `docs-browser-${this.server.name}-${++this.shots}.png`);
				try {
					await this.page.screenshot({ path: file, fullPage: true, timeout: 10000 });
					e.message += `\n(screenshot: ${file})`;
				} catch (se) {
					e.message += `\n(no screenshot: ${se.message.split('\n')[0]})`;
				}
				throw e;
			}
		});
	}
}

// The operations of the document as Swagger UI lists them: "GET /path".
function documentOperations(doc) {
	return operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
}

async function swaggerUi(b, doc, user) {
	const page = b.page;
	const assets = cfg.DOCS_ASSETS_URL.replace(/\/+$/, '');

	const listed = await b.step('/api/docs: Swagger UI loads from the local assets and lists every operation', async () => {
		const res = await page.goto(`${b.base}/api/docs`, { waitUntil: 'load' });
		expect(res?.status() === 200, `GET /api/docs: ${res?.status()}`);
		await page.locator('.swagger-ui .opblock').first().waitFor();
		const bundle = `${b.origin}${assets}/swagger-ui-dist@5/swagger-ui-bundle.js`;
		expect(b.seen.includes(bundle), `the page did not load ${bundle}; it asked for:\n${b.seen.join('\n')}`);
		const want = documentOperations(doc);
		// Every tag section open (the default), every operation rendered.
		await page.waitForFunction((n) => document.querySelectorAll('.swagger-ui .opblock').length >= n, want.length);
		const have = (await page.$$eval('.swagger-ui .opblock', (els) => els.map((el) => {
			const m = el.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '?';
			const pe = el.querySelector('.opblock-summary-path');
			const p = pe?.getAttribute('data-path') ?? pe?.textContent?.trim() ?? '?';
			return `${m.toUpperCase()} ${p}`;
		}))).sort();
		const missing = want.filter((x) => !have.includes(x));
		const extra = have.filter((x) => !want.includes(x));
		expect(missing.length === 0 && extra.length === 0,
		    `missing from the page: ${missing.join(', ') || 'none'}; not in the document: ${extra.join(', ') || 'none'}`);
		return have.length;
	});
	if (listed === undefined)
		return;

	const authorized = await b.step('/api/docs: Authorize, OAuth2 password flow with a registered user', async () => {
		await page.locator('.auth-wrapper button.authorize').click();
		const modal = page.locator('.modal-ux');
		await modal.waitFor();
		// The section of the OAuth2 scheme, by its name.
		const scheme = Object.entries(doc.components?.securitySchemes ?? {})
			.find(([, s]) => s.type === 'oauth2' && s.flows?.password)?.[0];
		expect(scheme, 'no OAuth2 password flow in the document');
		const box = modal.locator('.auth-container').filter({ has: page.locator('h4', { hasText: scheme }) });
		await box.locator('#oauth_username').fill(user.email);
		await box.locator('#oauth_password').fill(user.password);
		const token = page.waitForResponse((r) => new URL(r.url()).pathname.replace(/\/+$/, '') === '/api/auth/login' &&
		    r.request().method() === 'POST');
		await box.locator('button.authorize').click();
		const tr = await token;
		expect(tr.status() === 200, `POST /api/auth/login from the page: ${tr.status()}: ${(await tr.text()).slice(0, 300)}`);
		// Swagger UI shows a Logout button once the token is kept.
		await box.locator('button', { hasText: /^Logout$/ }).waitFor();
		await modal.locator('button.btn-done, button.close-modal').first().click();
		await modal.waitFor({ state: 'detached' });
		return true;
	});
	if (!authorized)
		return;

	await b.step('/api/docs: GET /api/auth/me, Try it out, Execute: 200 with the user\'s email', async () => {
		const mePath = operations(doc).find((o) => o.method === 'get' && normPath(o.path) === '/api/auth/me')?.path;
		expect(mePath, 'no GET /api/auth/me in the document');
		const op = page.locator('.opblock.opblock-get').filter({
			has: page.locator(`.opblock-summary-path[data-path="${mePath}"]`),
		});
		expect(await op.count() === 1, `${await op.count()} operation blocks for GET /api/auth/me`);
		await op.locator('.opblock-summary').first().click();
		await op.locator('button.try-out__btn').click();
		const me = page.waitForRequest((r) => new URL(r.url()).pathname.replace(/\/+$/, '') === '/api/auth/me');
		await op.locator('button.execute').click();
		const req = await me;
		const auth = await req.headerValue('authorization');
		expect(/^Bearer \S+$/.test(auth ?? ''), `the page sent Authorization: ${auth}`);
		const row = op.locator('.live-responses-table tbody tr.response').first();
		await row.waitFor();
		const st = (await row.locator('.response-col_status').textContent()).trim();
		const body = (await row.locator('.response-col_description pre').first().textContent()) ?? '';
		expect(/^200\b/.test(st), `status shown: ${st}; body: ${body.slice(0, 300)}`);
		let json;
		try {
			json = JSON.parse(body);
		} catch {
			throw new CheckError(`the response shown is not JSON: ${body.slice(0, 300)}`);
		}
		expect(json.email === user.email, `email shown: ${json.email}, want ${user.email}`);
	});
}

async function redoc(b, doc) {
	const page = b.page;
	const assets = cfg.DOCS_ASSETS_URL.replace(/\/+$/, '');
	await b.step(`/api/redoc: ReDoc loads from the local assets, shows the title ${JSON.stringify(cfg.APP_NAME)} and every operation`, async () => {
		const res = await page.goto(`${b.base}/api/redoc`, { waitUntil: 'load' });
		expect(res?.status() === 200, `GET /api/redoc: ${res?.status()}`);
		const bundle = `${b.origin}${assets}/redoc@2/bundles/redoc.standalone.js`;
		const h1 = page.locator('h1').filter({ hasText: cfg.APP_NAME }).first();
		await h1.waitFor();
		expect(b.seen.includes(bundle), `the page did not load ${bundle}; it asked for:\n${b.seen.join('\n')}`);
		const text = await page.locator('body').innerText();
		const missing = operations(doc)
			.map((o) => o.op.summary ?? o.op.operationId ?? o.path)
			.filter((s) => !text.includes(s));
		expect(missing.length === 0, `not on the page: ${missing.join('; ')}`);
	});
}

// clean B PAGE: what PAGE did besides its checks: no request outside the
// stack (each one was refused before it reached the network), none that
// failed, no script error.
async function clean(b, page) {
	await b.settle();
	await b.c.run(`${page}: no request left the stack`, () => {
		expect(b.outside.length === 0, `the page tried to load (refused):\n${[...new Set(b.outside)].join('\n')}`);
	});
	await b.c.run(`${page}: no failed request, no script error`, () => {
		const all = [...b.failed, ...b.pageErrors.map((e) => `script error: ${e}`)];
		expect(all.length === 0, all.join('\n'));
	});
	b.outside = [];
	b.failed = [];
	b.pageErrors = [];
}

async function testServer(server) {
	const c = new Checks(`browser (${server.name})`);
	const r = await c.run('GET /openapi.json', () => getJson(`${server.url}/openapi.json`));
	if (!r)
		return c;
	const doc = r.json;

	// A user of its own to authorize with.
	const user = {
		email: `docs-ui-${Date.now().toString(36)}${process.pid.toString(36)}-${server.name}@example.com`,
		password: 'swagger ui password',
	};
	const reg = await c.run('register the user the page logs in with', async () => {
		const res = await request('POST', `${server.url}/api/users/`, {
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email: user.email, name: 'Docs Browser', password: user.password }),
		});
		expect(res.status === 201, `POST /api/users/: ${res.status}: ${res.text.slice(0, 300)}`);
		return true;
	});
	if (!reg)
		return c;

	const b = new Browser(server, c);
	const opened = await c.run(`start ${CHROMIUM} (headless, fresh profile; the stack as ${b.base})`, async () => {
		expect(existsSync(CHROMIUM), `${CHROMIUM} not found (Debian package chromium)`);
		await b.open();
		return true;
	});
	try {
		if (opened) {
			await swaggerUi(b, doc, user);
			await clean(b, '/api/docs');
			await redoc(b, doc);
			await clean(b, '/api/redoc');
		}
	} finally {
		await b.close().catch((e) => console.log(`# closing the browser: ${e.message}`));
	}
	return c;
}

const list = servers();
let failed = 0;
if (list.length === 0) {
	new Checks('browser').fail('stack', 'neither UA_TEST_LIGHTTPD_URL nor UA_TEST_APACHE_URL is set');
	failed++;
} else {
	// Whatever ran before may have restarted PostgreSQL.
	const c = new Checks('browser');
	await c.run('every worker on a fresh connection (reads)', () => warmUp(cfg));
	failed += c.failed;
}
for (const s of list) {
	const c = await testServer(s);
	failed += c.failed;
}
process.exitCode = failed > 0 ? 1 : 0;
