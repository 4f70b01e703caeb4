// test_openapi.mjs: /openapi.json of the running stack is a valid OpenAPI
// 3.1 document (the official 3.1 JSON Schema, through
// @seriousme/openapi-schema-validator) and describes the API of API.md:
// its title, every route, the security on the bearer routes, the OAuth2
// password flow, and schemas that are valid JSON Schema 2020-12.

import { Validator } from '@seriousme/openapi-schema-validator';
import {
	Checks, CheckError, DOCS_ROUTES, Schemas, deref, expect, getJson, normPath,
	operations, pointer, servers, settings,
} from './lib.mjs';

// The routes of API.md outside the documentation routes: method, path,
// whether a bearer token is needed.
const API_ROUTES = [
	['get', '/health', false],
	['get', '/health/ready', false],
	['post', '/api/users/', false],
	['get', '/api/users/', true],
	['get', '/api/users/{user_id}', true],
	['patch', '/api/users/{user_id}', true],
	['delete', '/api/users/{user_id}', true],
	['post', '/api/auth/login', false],
	['get', '/api/auth/me', true],
	['post', '/api/auth/password', true],
	['post', '/api/auth/refresh', false],
	['post', '/api/auth/logout', true],
	['get', '/api/auth/sessions', true],
	['delete', '/api/auth/sessions/{session_id}', true],
	['delete', '/api/users/{user_id}/sessions', true],
	['post', '/api/orders/', true],
	['get', '/api/orders/', true],
	['get', '/api/orders/{order_id}', true],
	['patch', '/api/orders/{order_id}', true],
	['delete', '/api/orders/{order_id}', true],
	['post', '/api/orders/{order_id}/status', true],
	['get', '/api/users/{user_id}/orders', true],
];

const COMPONENTS = ['User', 'UserPage', 'Token', 'HTTPError', 'HTTPValidationError', 'ValidationError',
	'UserCreate', 'UserUpdate', 'LoginRequest', 'LoginForm', 'PasswordChange', 'Health', 'Readiness',
	'Order', 'OrderItemOut', 'OrderPage', 'OrderCreate', 'OrderItem', 'OrderUpdate', 'OrderStatusChange',
	'Session', 'SessionList', 'RefreshRequest', 'RefreshForm'];

const key = (method, path) => `${method.toUpperCase()} ${normPath(path)}`;

// Every {"$ref": ...} in the document, with where it is.
function refs(v, at = '#', out = []) {
	if (Array.isArray(v))
		v.forEach((x, i) => refs(x, `${at}/${i}`, out));
	else if (v && typeof v === 'object') {
		for (const [k, x] of Object.entries(v)) {
			if (k === '$ref' && typeof x === 'string')
				out.push({ at, ref: x });
			else
				refs(x, `${at}/${k}`, out);
		}
	}
	return out;
}

// Every Schema Object of the document: components, parameters, bodies,
// responses and their headers, with where it is.
function schemaObjects(doc) {
	const out = [];
	for (const [n, s] of Object.entries(doc.components?.schemas ?? {}))
		out.push({ at: `#/components/schemas/${n}`, schema: s });
	for (const { method, path, op, item } of operations(doc)) {
		const at = `${method.toUpperCase()} ${path}`;
		for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
			const d = deref(doc, p);
			if (d.schema)
				out.push({ at: `${at} parameter ${d.name}`, schema: d.schema });
		}
		const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
		for (const [t, m] of Object.entries(body?.content ?? {}))
			if (m.schema)
				out.push({ at: `${at} request ${t}`, schema: m.schema });
		for (const [st, r0] of Object.entries(op.responses ?? {})) {
			const r = deref(doc, r0);
			for (const [t, m] of Object.entries(r.content ?? {}))
				if (m.schema)
					out.push({ at: `${at} ${st} ${t}`, schema: m.schema });
			for (const [h, v] of Object.entries(r.headers ?? {})) {
				const d = deref(doc, v);
				if (d.schema)
					out.push({ at: `${at} ${st} header ${h}`, schema: d.schema });
			}
		}
	}
	return out;
}

// The security schemes an operation accepts: the names in its security
// requirements (the document's own when it has none).
function securityOf(doc, op) {
	const reqs = op.security ?? doc.security ?? [];
	return reqs;
}

function jsonBodySchema(doc, op, type) {
	const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
	return body?.content?.[type]?.schema;
}

function refName(schema) {
	return typeof schema?.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
}

async function testServer(server, cfg) {
	const c = new Checks(`openapi (${server.name})`);
	const url = `${server.url}/openapi.json`;

	const r = await c.run('GET /openapi.json: 200, application/json', async () => {
		const res = await getJson(url);
		expect(/^application\/json\b/i.test(res.headers['content-type'] ?? ''),
		    `Content-Type is ${res.headers['content-type']}`);
		return res;
	});
	if (!r)
		return c;
	const doc = r.json;

	await c.run('valid OpenAPI 3.1 (official 3.1 schema, @seriousme/openapi-schema-validator)', async () => {
		const v = new Validator();
		const res = await v.validate(structuredClone(doc));
		if (!res.valid)
			throw new CheckError(`not valid:\n${JSON.stringify(res.errors, null, 2).slice(0, 4000)}`);
		expect(v.version === '3.1', `validated as OpenAPI ${v.version}, want 3.1`);
	});

	await c.run('openapi is "3.1.0"', () => {
		expect(doc.openapi === '3.1.0', `openapi is ${JSON.stringify(doc.openapi)}`);
	});

	await c.run(`info.title is APP_NAME (${JSON.stringify(cfg.APP_NAME)}), info.version set`, () => {
		expect(doc.info?.title === cfg.APP_NAME, `info.title is ${JSON.stringify(doc.info?.title)}`);
		expect(typeof doc.info?.version === 'string' && doc.info.version !== '',
		    `info.version is ${JSON.stringify(doc.info?.version)}`);
	});

	await c.run('every $ref resolves', () => {
		const bad = refs(doc).filter(({ ref }) => pointer(doc, ref) === undefined);
		expect(bad.length === 0, bad.map((b) => `${b.at}: ${b.ref}`).join('\n'));
	});

	const ops = operations(doc);
	const have = new Map(ops.map((o) => [key(o.method, o.path), o]));

	await c.run('every route of API.md is in the document', () => {
		const missing = API_ROUTES.filter(([m, p]) => !have.has(key(m, p))).map(([m, p]) => `${m.toUpperCase()} ${p}`);
		expect(missing.length === 0, `missing: ${missing.join(', ')}\nthe document has: ${[...have.keys()].join(', ')}`);
	});

	await c.run('no operation beyond API.md (docs routes and HEAD allowed)', () => {
		const known = new Set(API_ROUTES.map(([m, p]) => key(m, p)));
		const docs = new Set(DOCS_ROUTES.map((p) => normPath(p)));
		const extra = ops.filter((o) => !known.has(key(o.method, o.path)) &&
		    !docs.has(normPath(o.path)) &&
		    !(o.method === 'head' && known.has(key('get', o.path))));
		expect(extra.length === 0, `not in API.md: ${extra.map((o) => `${o.method.toUpperCase()} ${o.path}`).join(', ')}`);
	});

	await c.run('operationId unique and present', () => {
		const seen = new Map();
		const bad = [];
		for (const o of ops) {
			const id = o.op.operationId;
			if (typeof id !== 'string' || id === '')
				bad.push(`${o.method.toUpperCase()} ${o.path}: no operationId`);
			else if (seen.has(id))
				bad.push(`${id}: ${seen.get(id)} and ${o.method.toUpperCase()} ${o.path}`);
			else
				seen.set(id, `${o.method.toUpperCase()} ${o.path}`);
		}
		expect(bad.length === 0, bad.join('\n'));
	});

	const schemes = doc.components?.securitySchemes ?? {};
	await c.run('securitySchemes: OAuth2 password flow with tokenUrl /api/auth/login, HTTP bearer', () => {
		const oauth = Object.entries(schemes).filter(([, s]) => deref(doc, s).type === 'oauth2');
		expect(oauth.length > 0, `no oauth2 scheme in ${JSON.stringify(Object.keys(schemes))}`);
		for (const [n, s0] of oauth) {
			const s = deref(doc, s0);
			expect(s.flows?.password, `${n}: no password flow`);
			expect(s.flows.password.tokenUrl === '/api/auth/login',
			    `${n}: tokenUrl is ${JSON.stringify(s.flows.password.tokenUrl)}`);
		}
		expect(Object.values(schemes).some((s) => {
			const d = deref(doc, s);
			return d.type === 'http' && String(d.scheme).toLowerCase() === 'bearer';
		}), 'no http bearer scheme');
		expect('OAuth2PasswordBearer' in schemes, 'no scheme named OAuth2PasswordBearer');
		expect('HTTPBearer' in schemes, 'no scheme named HTTPBearer');
	});

	await c.run('security on the bearer routes, none on the others', () => {
		const bad = [];
		for (const [m, p, bearer] of API_ROUTES) {
			const o = have.get(key(m, p));
			if (!o)
				continue;
			const reqs = securityOf(doc, o.op);
			const anonymous = reqs.length === 0 || reqs.some((x) => Object.keys(x).length === 0);
			for (const x of reqs)
				for (const n of Object.keys(x))
					if (!(n in schemes))
						bad.push(`${m.toUpperCase()} ${p}: unknown scheme ${n}`);
			if (bearer) {
				if (anonymous)
					bad.push(`${m.toUpperCase()} ${p}: needs a token, but the document lets anonymous callers in`);
				const names = reqs.flatMap((x) => Object.keys(x));
				if (!names.includes('OAuth2PasswordBearer'))
					bad.push(`${m.toUpperCase()} ${p}: OAuth2PasswordBearer not among ${JSON.stringify(names)}`);
				if (!o.op.responses?.['401'])
					bad.push(`${m.toUpperCase()} ${p}: no 401 response`);
			} else if (!anonymous) {
				bad.push(`${m.toUpperCase()} ${p}: open route, but the document asks for ${JSON.stringify(reqs)}`);
			}
		}
		expect(bad.length === 0, bad.join('\n'));
	});

	await c.run(`components: ${COMPONENTS.join(', ')}`, () => {
		const s = doc.components?.schemas ?? {};
		const missing = COMPONENTS.filter((n) => !(n in s));
		expect(missing.length === 0, `missing: ${missing.join(', ')}`);
		const detail = deref(doc, s.HTTPError)?.properties?.detail;
		expect(detail?.type === 'string', `HTTPError.detail is ${JSON.stringify(detail)}`);
		const ve = deref(doc, s.HTTPValidationError)?.properties?.detail;
		expect(ve?.type === 'array' && refName(ve.items) === 'ValidationError',
		    `HTTPValidationError.detail is ${JSON.stringify(ve)}`);
	});

	await c.run('request bodies: UserCreate, UserUpdate, LoginRequest (JSON) and LoginForm (form), PasswordChange, RefreshRequest and RefreshForm, the order bodies', () => {
		const want = [
			['post', '/api/orders/', 'application/json', 'OrderCreate'],
			['patch', '/api/orders/{order_id}', 'application/json', 'OrderUpdate'],
			['post', '/api/orders/{order_id}/status', 'application/json', 'OrderStatusChange'],
			['post', '/api/users/', 'application/json', 'UserCreate'],
			['patch', '/api/users/{user_id}', 'application/json', 'UserUpdate'],
			['post', '/api/auth/login', 'application/json', 'LoginRequest'],
			['post', '/api/auth/login', 'application/x-www-form-urlencoded', 'LoginForm'],
			['post', '/api/auth/password', 'application/json', 'PasswordChange'],
			['post', '/api/auth/refresh', 'application/json', 'RefreshRequest'],
			['post', '/api/auth/refresh', 'application/x-www-form-urlencoded', 'RefreshForm'],
		];
		const bad = [];
		for (const [m, p, t, n] of want) {
			const o = have.get(key(m, p));
			if (!o)
				continue;
			const s = jsonBodySchema(doc, o.op, t);
			if (refName(s) !== n)
				bad.push(`${m.toUpperCase()} ${p} ${t}: schema ${JSON.stringify(s)}, want $ref ${n}`);
		}
		expect(bad.length === 0, bad.join('\n'));
	});

	await c.run('parameters: page, limit (bounds, defaults) and user_id', () => {
		const bad = [];
		const list = have.get(key('get', '/api/users/'));
		const params = (o) => [...(o.item.parameters ?? []), ...(o.op.parameters ?? [])].map((p) => deref(doc, p));
		if (list) {
			const ps = params(list);
			const page = ps.find((p) => p.name === 'page' && p.in === 'query');
			const limit = ps.find((p) => p.name === 'limit' && p.in === 'query');
			const sch = (p) => p?.schema ?? {};
			if (!page || sch(page).type !== 'integer' || sch(page).minimum !== 1 || sch(page).default !== 1 || page.required)
				bad.push(`page: ${JSON.stringify(page)}`);
			if (!limit || sch(limit).type !== 'integer' || sch(limit).minimum !== 1 || sch(limit).maximum !== 100 ||
			    sch(limit).default !== 20 || limit.required)
				bad.push(`limit: ${JSON.stringify(limit)}`);
		}
		for (const m of ['get', 'patch', 'delete']) {
			const o = have.get(key(m, '/api/users/{user_id}'));
			if (!o)
				continue;
			const tname = /\{([^}]*)\}/.exec(o.path)?.[1];
			const p = params(o).find((x) => x.in === 'path' && x.name === tname);
			if (!p || p.required !== true || p.schema?.type !== 'integer')
				bad.push(`${m.toUpperCase()} ${o.path}: path parameter ${tname}: ${JSON.stringify(p)}`);
		}
		expect(bad.length === 0, bad.join('\n'));
	});

	await c.run('422 HTTPValidationError on every operation with parameters or a body', () => {
		const bad = [];
		for (const o of ops) {
			if (DOCS_ROUTES.includes(o.path))
				continue;
			const hasInput = (o.op.parameters?.length ?? 0) + (o.item.parameters?.length ?? 0) > 0 || o.op.requestBody;
			if (!hasInput)
				continue;
			const r = o.op.responses?.['422'] && deref(doc, o.op.responses['422']);
			const s = r?.content?.['application/json']?.schema;
			// A route that also refuses an Idempotency-Key answers
			// either shape: anyOf the list and a plain detail.
			const names = s?.anyOf ? s.anyOf.map(refName) : [refName(s)];
			if (!names.includes('HTTPValidationError'))
				bad.push(`${o.method.toUpperCase()} ${o.path}: 422 is ${JSON.stringify(r)}`);
		}
		expect(bad.length === 0, bad.join('\n'));
	});

	await c.run('every schema is valid JSON Schema 2020-12 (Ajv2020, strict: no unknown keyword or format)', () => {
		const schemas = new Schemas(doc);
		const bad = [];
		for (const { at, schema } of schemaObjects(doc)) {
			try {
				schemas.compile(schema);
			} catch (e) {
				bad.push(`${at}: ${e.message}`);
			}
		}
		expect(bad.length === 0, bad.join('\n'));
	});

	return c;
}

const list = servers();
const cfg = settings();
let failed = 0;
if (list.length === 0) {
	const c = new Checks('openapi');
	c.fail('stack', 'neither UA_TEST_LIGHTTPD_URL nor UA_TEST_APACHE_URL is set');
	failed++;
}
for (const s of list) {
	const c = await testServer(s, cfg);
	failed += c.failed;
}
process.exitCode = failed > 0 ? 1 : 0;
