// test_responses.mjs: real responses of every route, successes and errors,
// validate against what /openapi.json declares for that route, status and
// content type (JSON Schema 2020-12, Ajv2020 + ajv-formats). A status the
// document does not declare for the route is a failure, and so is a body
// where the document declares none (204). Request bodies and parameters the
// server accepts must be valid against the document's request schemas, and
// some it refuses with 422 must be invalid there too.

import { execFileSync } from 'node:child_process';
import {
	Checks, CheckError, DOCS_ROUTES, Schemas, declaredContent, declaredResponse, deref,
	expect, findOperation, getJson, mediaType, operations, request, schemaName, servers,
	settings, sleep, warmUp,
} from './lib.mjs';

const cfg = settings();

// psql SQL VARS: run SQL (with :'name' variables) on the test database.
function psql(sql, vars = {}) {
	const args = [cfg.DATABASE_URL, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'];
	for (const [k, v] of Object.entries(vars))
		args.push('-v', `${k}=${v}`);
	return execFileSync('psql', args, { input: sql, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

// stack pg-stop | pg-start: the handle scripts/test gives the tests.
function stack(cmd) {
	execFileSync(process.env.UA_TEST_STACK, [cmd], { stdio: ['ignore', 'inherit', 'inherit'] });
}

// A request and what the document says about it and its response.
class Exchanges {
	constructor(server, doc, checks) {
		this.server = server;
		this.doc = doc;
		this.schemas = new Schemas(doc);
		this.c = checks;
		this.seen = new Map();	// "GET /path" -> Set of statuses validated
	}

	// call SPEC: send, then check the status is SPEC.want and that the
	// response is what the document declares. One check line. Returns the
	// response (undefined when no answer came).
	//   method, path (concrete, with any query), want (status), what (words)
	//   json (a value sent as JSON), form (an object sent urlencoded),
	//   raw + type (bytes sent as they are), token, headers
	//   requestValid: true / false: the request must / must not satisfy the
	//   document's schemas for its body and parameters
	async call(spec) {
		const name = `${spec.method} ${spec.path}${spec.what ? ` (${spec.what})` : ''} -> ${spec.want}`;
		let res;
		await this.c.run(name, async () => {
			const headers = { ...(spec.headers ?? {}) };
			let body;
			if (spec.json !== undefined) {
				headers['Content-Type'] = 'application/json';
				body = JSON.stringify(spec.json);
			} else if (spec.form !== undefined) {
				headers['Content-Type'] = 'application/x-www-form-urlencoded';
				body = new URLSearchParams(spec.form).toString();
			} else if (spec.raw !== undefined) {
				if (spec.type)
					headers['Content-Type'] = spec.type;
				body = spec.raw;
			}
			if (spec.token)
				headers.Authorization = `Bearer ${spec.token}`;
			res = await request(spec.method, this.server.url + spec.path, { headers, body });
			const problems = [];
			if (res.status !== spec.want)
				problems.push(`status ${res.status}, want ${spec.want}: ${res.text.slice(0, 500)}`);
			problems.push(...this.responseProblems(spec.method, spec.path, res));
			if (spec.requestValid !== undefined) {
				const rp = this.requestProblems(spec);
				if (spec.requestValid && rp.length > 0)
					problems.push(`the server took this request, but the document's schemas refuse it:\n  ${rp.join('\n  ')}`);
				if (!spec.requestValid && rp.length === 0)
					problems.push('the server refused this request, but the document\'s schemas accept it');
			}
			if (problems.length > 0)
				throw new CheckError(problems.join('\n'));
		});
		return res;
	}

	// What is wrong with RES as a response of METHOD PATH per the document.
	responseProblems(method, path, res) {
		const found = findOperation(this.doc, method, path);
		if (!found)
			return [`no operation ${method} ${path.split('?')[0]} in the document`];
		const opKey = `${method.toUpperCase()} ${found.path}`;
		const dr = declaredResponse(this.doc, found.op, res.status);
		if (!dr)
			return [`status ${res.status} is not declared for ${opKey} (declared: ${Object.keys(found.op.responses ?? {}).join(', ')})`];
		const out = [];
		const content = dr.response.content ?? {};
		const type = mediaType(res.headers['content-type']);
		if (Object.keys(content).length === 0) {
			if (res.text !== '')
				out.push(`${opKey} ${dr.key} declares no body, got ${res.text.length} bytes: ${res.text.slice(0, 200)}`);
		} else {
			const hit = declaredContent(content, type);
			if (!hit) {
				out.push(`Content-Type ${JSON.stringify(res.headers['content-type'])} is not declared for ${opKey} ${dr.key} (declared: ${Object.keys(content).join(', ')})`);
			} else if (hit.media.schema) {
				if (/^application\/(.+\+)?json$/.test(type)) {
					if (res.json === undefined)
						out.push(`body is not JSON: ${res.text.slice(0, 200)}`);
					else {
						const errs = this.schemas.errors(hit.media.schema, res.json);
						if (errs.length > 0)
							out.push(`body does not match ${schemaName(hit.media.schema)} (${opKey} ${dr.key} ${hit.key}):\n  ${errs.join('\n  ')}\n  body: ${res.text.slice(0, 500)}`);
					}
				}
			}
		}
		for (const [h, v0] of Object.entries(dr.response.headers ?? {})) {
			const v = deref(this.doc, v0);
			const got = res.headers[h.toLowerCase()];
			if (got === undefined) {
				if (v.required)
					out.push(`required header ${h} missing`);
				continue;
			}
			if (v.schema) {
				const val = ['integer', 'number'].includes(v.schema.type) && /^-?\d+(\.\d+)?$/.test(got) ? Number(got) : got;
				const errs = this.schemas.errors(v.schema, val);
				if (errs.length > 0)
					out.push(`header ${h}: ${JSON.stringify(got)}: ${errs.join('; ')}`);
			}
		}
		if (out.length === 0) {
			if (!this.seen.has(opKey))
				this.seen.set(opKey, new Set());
			this.seen.get(opKey).add(res.status);
		}
		return out;
	}

	// What of SPEC's body and parameters the document's schemas refuse.
	requestProblems(spec) {
		const found = findOperation(this.doc, spec.method, spec.path);
		if (!found)
			return [];
		const out = [];
		const op = found.op;
		const body = op.requestBody ? deref(this.doc, op.requestBody) : undefined;
		const sent = spec.json !== undefined ? ['application/json', spec.json] :
		    spec.form !== undefined ? ['application/x-www-form-urlencoded', { ...spec.form }] : undefined;
		if (sent) {
			const hit = declaredContent(body?.content, sent[0]);
			if (!hit)
				out.push(`no ${sent[0]} request body declared`);
			else if (hit.media.schema)
				out.push(...this.schemas.errors(hit.media.schema, sent[1]).map((e) => `body ${e}`));
		}
		const params = [...(found.item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(this.doc, p));
		const url = new URL(spec.path, 'http://x');
		const tmpl = found.path.replace(/\/+$/, '').split('/');
		const segs = url.pathname.replace(/\/+$/, '').split('/');
		for (const p of params) {
			let raw;
			if (p.in === 'query')
				raw = url.searchParams.get(p.name) ?? undefined;
			else if (p.in === 'path')
				raw = decodeURIComponent(segs[tmpl.indexOf(`{${p.name}}`)] ?? '');
			else
				continue;
			if (raw === undefined) {
				if (p.required)
					out.push(`${p.in} parameter ${p.name} missing`);
				continue;
			}
			if (!p.schema)
				continue;
			const isNum = ['integer', 'number'].includes(p.schema.type);
			const val = isNum && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
			out.push(...this.schemas.errors(p.schema, val).map((e) => `${p.in} parameter ${p.name}=${JSON.stringify(raw)}: ${e}`));
		}
		return out;
	}
}

async function scenario(server, x, sfx) {
	const c = x.c;
	const email = (who) => `docs-${who}-${sfx}@example.com`;
	const pw = 'correct horse battery';
	const ids = {};
	const tokens = {};

	// --- health
	await x.call({ method: 'GET', path: '/health', want: 200 });
	await x.call({ method: 'GET', path: '/health/ready', want: 200 });

	// --- registration
	for (const who of ['ann', 'bob', 'cat', 'dan']) {
		const r = await x.call({ method: 'POST', path: '/api/users/', what: who, want: 201, requestValid: true,
			json: { email: email(who), name: `Docs ${who}`, password: pw } });
		ids[who] = r?.json?.id;
	}
	if (Object.values(ids).some((v) => typeof v !== 'number'))
		throw new CheckError('registration failed; the rest depends on it');
	await x.call({ method: 'POST', path: '/api/users/', what: 'email taken', want: 409,
		json: { email: email('ann').toUpperCase().replace('@EXAMPLE.COM', '@Example.com'), name: 'Again', password: pw } });
	await x.call({ method: 'POST', path: '/api/users/', what: 'fields missing, name too short', want: 422, requestValid: false,
		json: { name: 'A' } });
	await x.call({ method: 'POST', path: '/api/users/', what: 'password too short', want: 422, requestValid: false,
		json: { email: email('short'), name: 'Short', password: 'short' } });
	await x.call({ method: 'POST', path: '/api/users/', what: 'bad email', want: 422,
		json: { email: 'not-an-email', name: 'Nobody', password: pw } });
	await x.call({ method: 'POST', path: '/api/users/', what: 'name of the wrong type', want: 422, requestValid: false,
		json: { email: email('type'), name: 42, password: pw } });
	await x.call({ method: 'POST', path: '/api/users/', what: 'broken JSON', want: 422,
		raw: '{"email": ', type: 'application/json' });
	await x.call({ method: 'POST', path: '/api/users/', what: 'JSON but not an object', want: 422,
		raw: '[1, 2]', type: 'application/json' });
	await x.call({ method: 'POST', path: '/api/users/', what: 'text/plain', want: 415,
		raw: JSON.stringify({ email: email('plain'), name: 'Plain', password: pw }), type: 'text/plain' });
	const big = Buffer.alloc(Number(cfg.MAX_BODY_BYTES ?? 1048576) + 1024, 0x20);
	await x.call({ method: 'POST', path: '/api/users/', what: 'body over MAX_BODY_BYTES', want: 413,
		raw: big, type: 'application/json' });
	await x.call({ method: 'POST', path: '/api/auth/login', what: 'body over MAX_BODY_BYTES', want: 413,
		raw: big, type: 'application/json' });

	// --- login, JSON and form
	for (const who of ['ann', 'bob', 'cat']) {
		const r = await x.call({ method: 'POST', path: '/api/auth/login', what: `JSON, ${who}`, want: 200, requestValid: true,
			json: { email: email(who), password: pw } });
		tokens[who] = r?.json?.access_token;
	}
	const f = await x.call({ method: 'POST', path: '/api/auth/login', what: 'form, as Swagger UI sends it', want: 200,
		requestValid: true, form: { grant_type: 'password', username: email('dan'), password: pw, scope: '' } });
	tokens.dan = f?.json?.access_token;
	if (Object.values(tokens).some((t) => typeof t !== 'string'))
		throw new CheckError('login failed; the rest depends on it');
	await x.call({ method: 'POST', path: '/api/auth/login', what: 'wrong password', want: 401,
		json: { email: email('ann'), password: 'wrong password' } });
	await x.call({ method: 'POST', path: '/api/auth/login', what: 'form, unknown email', want: 401,
		form: { username: email('nobody'), password: pw } });
	await x.call({ method: 'POST', path: '/api/auth/login', what: 'JSON, fields missing', want: 422, requestValid: false,
		json: {} });
	await x.call({ method: 'POST', path: '/api/auth/login', what: 'form, password missing', want: 422, requestValid: false,
		form: { username: email('ann') } });
	await x.call({ method: 'POST', path: '/api/auth/login', what: 'text/plain', want: 415,
		raw: 'username=x&password=y', type: 'text/plain' });
	const max = Number(cfg.LOGIN_MAX_FAILURES ?? 5);
	for (let i = 1; i <= max; i++)
		await x.call({ method: 'POST', path: '/api/auth/login', what: `failure ${i} of ${max} for one email`, want: 401,
			json: { email: email('throttled'), password: 'wrong password' } });
	await x.call({ method: 'POST', path: '/api/auth/login', what: 'one failure too many', want: 429,
		json: { email: email('throttled'), password: 'wrong password' } });

	// --- me
	const me = await x.call({ method: 'GET', path: '/api/auth/me', want: 200, token: tokens.ann });
	await c.run(`GET /api/auth/me: the user of the token (${email('ann')})`, () => {
		expect(me?.json?.email === email('ann'), `got ${me?.text}`);
	});
	await x.call({ method: 'GET', path: '/api/auth/me', what: 'no token', want: 401 });
	await x.call({ method: 'GET', path: '/api/auth/me', what: 'bad token', want: 401, token: 'not.a.token' });

	// --- sessions: eve's, so the tokens above stay live
	await x.call({ method: 'POST', path: '/api/users/', what: 'eve', want: 201,
		json: { email: email('eve'), name: 'Docs eve', password: pw } });
	const eveLogin = async (what) => (await x.call({ method: 'POST', path: '/api/auth/login', what, want: 200,
		json: { email: email('eve'), password: pw } }))?.json;
	const e1 = await eveLogin('eve, first session');
	const e2 = await eveLogin('eve, second session');
	if (typeof e1?.refresh_token !== 'string' || typeof e2?.refresh_token !== 'string')
		throw new CheckError('login gave no refresh token; the sessions part depends on it');
	const r1 = await x.call({ method: 'POST', path: '/api/auth/refresh', what: 'JSON', want: 200, requestValid: true,
		json: { refresh_token: e1.refresh_token } });
	const r2 = await x.call({ method: 'POST', path: '/api/auth/refresh', what: 'the OAuth2 form', want: 200, requestValid: true,
		form: { grant_type: 'refresh_token', refresh_token: r1?.json?.refresh_token ?? '' } });
	await x.call({ method: 'POST', path: '/api/auth/refresh', what: 'unknown token', want: 401, requestValid: true,
		json: { refresh_token: 'not-a-refresh-token' } });
	await x.call({ method: 'POST', path: '/api/auth/refresh', what: 'field missing', want: 422, requestValid: false,
		json: {} });
	await x.call({ method: 'POST', path: '/api/auth/refresh', what: 'form, another grant type', want: 422, requestValid: false,
		form: { grant_type: 'password', refresh_token: 'x' } });
	await x.call({ method: 'POST', path: '/api/auth/refresh', what: 'text/plain', want: 415,
		raw: 'x', type: 'text/plain' });
	const eveAccess = r2?.json?.access_token;
	const listed = await x.call({ method: 'GET', path: '/api/auth/sessions', want: 200, token: eveAccess });
	await c.run('GET /api/auth/sessions: both of eve\'s sessions, newest first, this one current', () => {
		const l = listed?.json;
		expect(Array.isArray(l) && l.length === 2, `got ${listed?.text}`);
		expect(l[0].created_at >= l[1].created_at, `not newest first: ${listed?.text}`);
		expect(l.filter((s) => s.current).length === 1 && !l[0].current, `current: ${listed?.text}`);
	});
	await x.call({ method: 'GET', path: '/api/auth/sessions', what: 'no token', want: 401 });
	const other = listed?.json?.[0]?.id;
	await x.call({ method: 'DELETE', path: '/api/auth/sessions/00000000-0000-4000-8000-000000000000', what: 'unknown',
		want: 404, token: eveAccess });
	await x.call({ method: 'DELETE', path: `/api/auth/sessions/${other}`, what: 'no token', want: 401 });
	await x.call({ method: 'DELETE', path: `/api/auth/sessions/${other}`, what: 'eve ends her other session', want: 204,
		token: eveAccess, requestValid: true });
	await x.call({ method: 'GET', path: '/api/auth/me', what: 'a token of that session', want: 401, token: e2.access_token });
	await x.call({ method: 'POST', path: '/api/auth/logout?scope=everywhere', what: 'scope not in the enum', want: 422,
		token: eveAccess, requestValid: false, raw: '' });
	await x.call({ method: 'POST', path: '/api/auth/logout', what: 'no token', want: 401, raw: '' });
	await x.call({ method: 'POST', path: '/api/auth/logout?scope=this', want: 204, token: eveAccess, requestValid: true,
		raw: '' });
	await x.call({ method: 'GET', path: '/api/auth/me', what: 'a token of the logged-out session', want: 401, token: eveAccess });
	const e3 = await eveLogin('eve again');
	await x.call({ method: 'DELETE', path: `/api/users/${ids.ann}/sessions`, what: 'someone else\'s', want: 403,
		token: e3?.access_token });
	await x.call({ method: 'DELETE', path: '/api/users/abc/sessions', what: 'id not an integer', want: 422,
		token: e3?.access_token, requestValid: false });
	await x.call({ method: 'DELETE', path: `/api/users/${ids.ann}/sessions`, what: 'no token', want: 401 });
	const eveId = (await x.call({ method: 'GET', path: '/api/auth/me', what: 'eve', want: 200, token: e3?.access_token }))?.json?.id;
	await x.call({ method: 'DELETE', path: `/api/users/${eveId}/sessions`, what: 'self', want: 204, token: e3?.access_token,
		requestValid: true });
	await x.call({ method: 'POST', path: '/api/auth/refresh', what: 'a token of an ended session', want: 401,
		json: { refresh_token: e3?.refresh_token ?? '' } });

	// --- list, a page at a time
	const all = await x.call({ method: 'GET', path: '/api/users/', want: 200, token: tokens.ann });
	const total = all?.json?.meta?.total ?? 0;
	await x.call({ method: 'GET', path: '/api/users/?page=1&limit=1', want: 200, token: tokens.ann, requestValid: true });
	await x.call({ method: 'GET', path: '/api/users?page=2&limit=2', what: 'no trailing slash', want: 200, token: tokens.ann, requestValid: true });
	const past = await x.call({ method: 'GET', path: `/api/users/?page=${total + 1}&limit=1`, what: 'past the end', want: 200,
		token: tokens.ann, requestValid: true });
	await c.run('GET /api/users/ past the end: "data": []', () => {
		expect(Array.isArray(past?.json?.data) && past.json.data.length === 0, `got ${past?.text?.slice(0, 300)}`);
	});
	await x.call({ method: 'GET', path: '/api/users/?page=0', what: 'page 0', want: 422, token: tokens.ann, requestValid: false });
	await x.call({ method: 'GET', path: '/api/users/?limit=101', what: 'limit 101', want: 422, token: tokens.ann, requestValid: false });
	await x.call({ method: 'GET', path: '/api/users/?page=abc&limit=0', what: 'two bad parameters', want: 422, token: tokens.ann, requestValid: false });
	await x.call({ method: 'GET', path: '/api/users/', what: 'no token', want: 401 });

	// --- one user
	await x.call({ method: 'GET', path: `/api/users/${ids.bob}`, want: 200, token: tokens.ann, requestValid: true });
	await x.call({ method: 'GET', path: '/api/users/2147483000', what: 'no such user', want: 404, token: tokens.ann });
	await x.call({ method: 'GET', path: '/api/users/abc', what: 'id not an integer', want: 422, token: tokens.ann, requestValid: false });
	await x.call({ method: 'GET', path: `/api/users/${ids.bob}`, what: 'no token', want: 401 });

	// bob becomes an admin; every other admin is demoted meanwhile, so
	// that bob is the last one (restored afterwards).
	const promoted = await c.run('make bob an admin (psql), the only one for now', () => {
		psql("UPDATE users SET role = 'ADMIN' WHERE email = :'email'", { email: email('bob') });
		const others = psql("UPDATE users SET role = 'USER' WHERE role = 'ADMIN' AND email <> :'email' RETURNING id", { email: email('bob') });
		return others.split('\n').filter((l) => l !== '');
	});
	try {
		// --- change
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'self, new name', want: 200, token: tokens.ann,
			requestValid: true, json: { name: 'Ann Docs' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'nulls: unchanged', want: 200, token: tokens.ann,
			requestValid: true, json: { name: null, email: null } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'name too short', want: 422, token: tokens.ann,
			requestValid: false, json: { name: 'A' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'role not in the enum', want: 422, token: tokens.bob,
			requestValid: false, json: { role: 'root' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'email taken', want: 409, token: tokens.ann,
			requestValid: true, json: { email: email('cat') } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.cat}`, what: 'someone else', want: 403, token: tokens.ann,
			json: { name: 'Not Yours' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'role, not an admin', want: 403, token: tokens.ann,
			json: { role: 'admin' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.cat}`, what: 'admin makes cat an admin', want: 200, token: tokens.bob,
			requestValid: true, json: { role: 'admin' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.cat}`, what: 'admin demotes cat', want: 200, token: tokens.bob,
			requestValid: true, json: { role: 'user' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.bob}`, what: 'last admin demotes itself', want: 409, token: tokens.bob,
			json: { role: 'user' } });
		await x.call({ method: 'PATCH', path: '/api/users/2147483000', what: 'no such user', want: 404, token: tokens.bob,
			json: { name: 'Nobody' } });
		await x.call({ method: 'PATCH', path: '/api/users/abc', what: 'id not an integer', want: 422, token: tokens.bob,
			requestValid: false, json: { name: 'Nobody' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'text/plain', want: 415, token: tokens.ann,
			raw: '{"name": "Plain"}', type: 'text/plain' });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'no token', want: 401, json: { name: 'Anon' } });
		await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'body over MAX_BODY_BYTES', want: 413,
			token: tokens.ann, raw: big, type: 'application/json' });

		// --- orders: ann's, bob (an admin) moves them on
		const item = { sku: 'BK-1', name: 'Book', unit_price_cents: 1299, quantity: 2 };
		const o = await x.call({ method: 'POST', path: '/api/orders/', want: 201, token: tokens.ann, requestValid: true,
			json: { currency: 'EUR', items: [item], note: 'docs' }, headers: { 'Idempotency-Key': `docs-${sfx}` } });
		const oid = o?.json?.id;
		await x.call({ method: 'POST', path: '/api/orders/', what: 'the same Idempotency-Key, another body', want: 422,
			token: tokens.ann, json: { currency: 'EUR', items: [item] }, headers: { 'Idempotency-Key': `docs-${sfx}` } });
		await x.call({ method: 'POST', path: '/api/orders/', what: 'quantity 0', want: 422, token: tokens.ann, requestValid: false,
			json: { currency: 'EUR', items: [{ ...item, quantity: 0 }] } });
		await x.call({ method: 'POST', path: '/api/orders/', what: 'no token', want: 401, json: { currency: 'EUR', items: [item] } });
		await x.call({ method: 'GET', path: `/api/orders/${oid}`, want: 200, token: tokens.ann, requestValid: true });
		await x.call({ method: 'GET', path: `/api/orders/${oid}`, what: 'someone else', want: 404, token: tokens.cat });
		await x.call({ method: 'GET', path: '/api/orders/?status=pending&limit=5', want: 200, token: tokens.ann, requestValid: true });
		await x.call({ method: 'GET', path: '/api/orders/?status=lost', what: 'status not in the enum', want: 422, token: tokens.ann,
			requestValid: false });
		await x.call({ method: 'GET', path: `/api/orders/?user_id=${ids.ann}`, what: 'user_id, not an admin', want: 403,
			token: tokens.cat });
		await x.call({ method: 'GET', path: `/api/users/${ids.ann}/orders`, want: 200, token: tokens.ann, requestValid: true });
		await x.call({ method: 'GET', path: `/api/users/${ids.ann}/orders`, what: 'someone else', want: 403, token: tokens.cat });
		await x.call({ method: 'GET', path: '/api/users/2147483000/orders', what: 'no such user', want: 404, token: tokens.bob });
		await x.call({ method: 'DELETE', path: '/api/users/2147483000/sessions', what: 'no such user', want: 404, token: tokens.bob });
		await x.call({ method: 'PATCH', path: `/api/orders/${oid}`, want: 200, token: tokens.ann, requestValid: true,
			json: { note: 'docs, changed', items: [item, { ...item, sku: 'BK-2' }] }, headers: { 'If-Match': '"1"' } });
		await x.call({ method: 'PATCH', path: `/api/orders/${oid}`, what: 'If-Match of another version', want: 412, token: tokens.ann,
			json: { note: 'stale' }, headers: { 'If-Match': '"1"' } });
		await x.call({ method: 'POST', path: `/api/orders/${oid}/status`, what: 'the owner pays', want: 403, token: tokens.ann,
			requestValid: true, json: { status: 'paid' } });
		await x.call({ method: 'POST', path: `/api/orders/${oid}/status`, what: 'an admin takes the payment', want: 200,
			token: tokens.bob, requestValid: true, json: { status: 'paid' } });
		await x.call({ method: 'POST', path: `/api/orders/${oid}/status`, what: 'paid again', want: 409, token: tokens.bob,
			json: { status: 'paid' } });
		await x.call({ method: 'PATCH', path: `/api/orders/${oid}`, what: 'no longer pending', want: 409, token: tokens.ann,
			json: { note: 'too late' } });
		await x.call({ method: 'DELETE', path: `/api/orders/${oid}`, what: 'no longer pending', want: 409, token: tokens.ann });
		const o2 = await x.call({ method: 'POST', path: '/api/orders/', what: 'a second one', want: 201, token: tokens.ann,
			json: { currency: 'USD', items: [item] } });
		await x.call({ method: 'DELETE', path: `/api/orders/${o2?.json?.id}`, want: 204, token: tokens.ann });
		await x.call({ method: 'DELETE', path: `/api/orders/${o2?.json?.id}`, what: 'again', want: 404, token: tokens.ann });

		// --- delete
		await x.call({ method: 'DELETE', path: `/api/users/${ids.cat}`, what: 'someone else', want: 403, token: tokens.ann });
		await x.call({ method: 'DELETE', path: `/api/users/${ids.cat}`, what: 'no token', want: 401 });
		await x.call({ method: 'DELETE', path: '/api/users/abc', what: 'id not an integer', want: 422, token: tokens.bob, requestValid: false });
		await x.call({ method: 'DELETE', path: `/api/users/${ids.bob}`, what: 'the last admin', want: 409, token: tokens.bob });
		await x.call({ method: 'DELETE', path: `/api/users/${ids.cat}`, what: 'by an admin', want: 204, token: tokens.bob });
		await x.call({ method: 'DELETE', path: `/api/users/${ids.cat}`, what: 'again', want: 404, token: tokens.bob });
		await x.call({ method: 'DELETE', path: `/api/users/${ids.dan}`, what: 'self', want: 204, token: tokens.dan });
		await x.call({ method: 'GET', path: '/api/auth/me', what: 'token of a deleted user', want: 401, token: tokens.dan });
	} finally {
		if (promoted?.length)
			await c.run(`restore the ${promoted.length} other admin(s) (psql)`, () => {
				psql(`UPDATE users SET role = 'ADMIN' WHERE id IN (${promoted.map(Number).join(',')})`);
			});
	}

	// --- password change
	await x.call({ method: 'POST', path: '/api/auth/password', what: 'wrong current password', want: 400, token: tokens.ann,
		requestValid: true, json: { current_password: 'wrong password', new_password: 'another long one' } });
	await x.call({ method: 'POST', path: '/api/auth/password', what: 'new password too short', want: 422, token: tokens.ann,
		requestValid: false, json: { current_password: pw, new_password: 'short' } });
	await x.call({ method: 'POST', path: '/api/auth/password', what: 'text/plain', want: 415, token: tokens.ann,
		raw: 'x', type: 'text/plain' });
	await x.call({ method: 'POST', path: '/api/auth/password', what: 'no token', want: 401,
		json: { current_password: pw, new_password: 'another long one' } });
	await x.call({ method: 'POST', path: '/api/auth/password', what: 'body over MAX_BODY_BYTES', want: 413,
		token: tokens.ann, raw: big, type: 'application/json' });
	await x.call({ method: 'POST', path: '/api/auth/password', want: 204, token: tokens.ann,
		requestValid: true, json: { current_password: pw, new_password: 'another long one' } });
	await x.call({ method: 'GET', path: '/api/auth/me', what: 'token issued before the change', want: 401, token: tokens.ann });
	const relog = await x.call({ method: 'POST', path: '/api/auth/login', what: 'the new password', want: 200,
		json: { email: email('ann'), password: 'another long one' } });
	tokens.ann = relog?.json?.access_token;

	return { email, pw, ids, tokens };
}

// outage RUNS: PostgreSQL stopped once for every server: the 503 of every
// route that needs the database, validated like the rest; then started
// again, every worker back on a fresh connection.
async function outage(runs) {
	const c = new Checks('responses');
	let stopped = false;
	try {
		await c.run('stop PostgreSQL (UA_TEST_STACK pg-stop)', () => {
			stack('pg-stop');
			stopped = true;
		});
		if (!stopped)
			return c;
		for (const { x, st } of runs) {
			const { email, pw, ids, tokens } = st;
			await x.call({ method: 'GET', path: '/health/ready', what: 'no database', want: 503 });
			await x.call({ method: 'GET', path: '/health', what: 'no database', want: 200 });
			await x.call({ method: 'GET', path: '/api/auth/me', what: 'no database', want: 503, token: tokens.bob });
			await x.call({ method: 'GET', path: '/api/users/', what: 'no database', want: 503, token: tokens.bob });
			await x.call({ method: 'GET', path: `/api/users/${ids.ann}`, what: 'no database', want: 503, token: tokens.bob });
			await x.call({ method: 'POST', path: '/api/auth/login', what: 'no database', want: 503,
				json: { email: email('bob'), password: pw } });
			await x.call({ method: 'POST', path: '/api/users/', what: 'no database', want: 503,
				json: { email: email('eve'), name: 'Docs eve', password: pw } });
			await x.call({ method: 'PATCH', path: `/api/users/${ids.ann}`, what: 'no database', want: 503, token: tokens.bob,
				json: { name: 'Ann Again' } });
			await x.call({ method: 'DELETE', path: `/api/users/${ids.ann}`, what: 'no database', want: 503, token: tokens.bob });
			await x.call({ method: 'GET', path: '/api/orders/', what: 'no database', want: 503, token: tokens.bob });
			await x.call({ method: 'POST', path: '/api/orders/', what: 'no database', want: 503, token: tokens.bob,
				json: { currency: 'EUR', items: [{ sku: 'BK-1', name: 'Book', unit_price_cents: 1, quantity: 1 }] } });
			await x.call({ method: 'POST', path: '/api/auth/password', what: 'no database', want: 503, token: tokens.ann,
				json: { current_password: 'another long one', new_password: 'yet another one' } });
		}
	} finally {
		if (stopped) {
			await c.run('start PostgreSQL again (UA_TEST_STACK pg-start), /health/ready 200', async () => {
				stack('pg-start');
				for (const srv of servers()) {
					let ok = false;
					for (let i = 0; i < 50 && !ok; i++) {
						ok = (await request('GET', `${srv.url}/health/ready`)).status === 200;
						if (!ok)
							await sleep(200);
					}
					expect(ok, `${srv.name}: /health/ready did not come back to 200`);
				}
			});
			await c.run('every worker on a fresh connection again (reads)', () => warmUp(cfg));
		}
	}
	return c;
}

// coverage X: every operation answered with a success and, where it
// declares any, with an error, each validated against the document.
async function coverage(x) {
	const c = x.c;
	await c.run('every operation validated with a success and an error response', () => {
		const bad = [];
		for (const { method, path, op } of operations(x.doc)) {
			if (DOCS_ROUTES.includes(path) || method === 'head')
				continue;
			const got = [...(x.seen.get(`${method.toUpperCase()} ${path}`) ?? [])];
			const ok = got.some((s) => s >= 200 && s < 300);
			const errors = Object.keys(op.responses ?? {}).some((s) => /^[45]/.test(s) || s === 'default');
			const err = !errors || got.some((s) => s >= 400);
			if (!ok || !err)
				bad.push(`${method.toUpperCase()} ${path}: validated ${got.length ? got.sort().join(', ') : 'nothing'}`);
		}
		expect(bad.length === 0, bad.join('\n'));
	});
	const never = [];
	for (const { method, path, op } of operations(x.doc)) {
		if (DOCS_ROUTES.includes(path))
			continue;
		const got = x.seen.get(`${method.toUpperCase()} ${path}`) ?? new Set();
		const left = Object.keys(op.responses ?? {}).filter((s) => !got.has(Number(s)));
		if (left.length)
			never.push(`${method.toUpperCase()} ${path}: ${left.join(', ')}`);
	}
	if (never.length)
		console.log(`# ${c.prefix}: declared but not produced: ${never.join('; ')}`);
}

const list = servers();
let failed = 0;
if (list.length === 0) {
	new Checks('responses').fail('stack', 'neither UA_TEST_LIGHTTPD_URL nor UA_TEST_APACHE_URL is set');
	failed++;
}
if (!cfg.DATABASE_URL) {
	new Checks('responses').fail('settings', 'no DATABASE_URL in UA_TEST_ENV_FILE or the environment');
	failed++;
}
// Whatever ran before may have restarted PostgreSQL: every worker on a
// fresh connection first. Then each server's scenario, one outage for
// all, and the coverage of each (the 503 responses count).
if (list.length > 0) {
	const c = new Checks('responses');
	await c.run('every worker on a fresh connection (reads)', () => warmUp(cfg));
	failed += c.failed;
}
const runs = [];	// { x, st }: st undefined when the scenario broke off
for (const server of list) {
	const c = new Checks(`responses (${server.name})`);
	const r = await c.run('GET /openapi.json', () => getJson(`${server.url}/openapi.json`));
	if (!r) {
		failed += c.failed;
		continue;
	}
	const x = new Exchanges(server, r.json, c);
	const sfx = `${Date.now().toString(36)}${process.pid.toString(36)}${server.name}`;
	let st;
	try {
		st = await scenario(server, x, sfx);
	} catch (e) {
		c.fail('scenario', e);
	}
	runs.push({ x, st });
}
const complete = runs.filter((run) => run.st);
if (process.env.UA_TEST_STACK && complete.length > 0)
	failed += (await outage(complete)).failed;
for (const { x } of runs) {
	await coverage(x);
	failed += x.c.failed;
}
process.exitCode = failed > 0 ? 1 : 0;
