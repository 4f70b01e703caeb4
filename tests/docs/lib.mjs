// lib.mjs: what the docs tests share: the stack they run against, a small
// check harness, plain HTTP, and the OpenAPI document turned into JSON
// Schema 2020-12 validators.
//
// The stack is described by the variables scripts/test hands its
// integration tests (UA_TEST_LIGHTTPD_URL, UA_TEST_APACHE_URL,
// UA_TEST_ENV_FILE, UA_TEST_LOG_DIR, UA_TEST_STACK, DATABASE_URL).

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule.default ?? addFormatsModule;

// --- the stack -------------------------------------------------------------

// servers: the web servers to test, [{ name, url }], from the environment.
export function servers() {
	const list = [];
	if (process.env.UA_TEST_LIGHTTPD_URL)
		list.push({ name: 'lighttpd', url: process.env.UA_TEST_LIGHTTPD_URL.replace(/\/+$/, '') });
	if (process.env.UA_TEST_APACHE_URL)
		list.push({ name: 'apache', url: process.env.UA_TEST_APACHE_URL.replace(/\/+$/, '') });
	return list;
}

// parseDotenv: the settings file as python-dotenv reads the subset the
// stack writes (NAME=value, 'single' or "double" quoted, comments, export).
export function parseDotenv(text) {
	const out = {};
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#'))
			continue;
		const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
		if (!m)
			continue;
		let v = m[2];
		if (v.startsWith("'") && v.endsWith("'") && v.length >= 2)
			v = v.slice(1, -1).replace(/\\(['\\])/g, '$1');
		else if (v.startsWith('"') && v.endsWith('"') && v.length >= 2)
			v = v.slice(1, -1).replace(/\\(["\\])/g, '$1');
		else
			v = v.replace(/\s+#.*$/, '');
		out[m[1].toUpperCase()] = v;
	}
	return out;
}

// settings: the test stack's settings file (UA_TEST_ENV_FILE), with the
// defaults of API.md for what it leaves out.
export function settings() {
	const file = process.env.UA_TEST_ENV_FILE;
	const s = file ? parseDotenv(readFileSync(file, 'utf8')) : {};
	return {
		APP_NAME: 'userapi',
		DOCS_ENABLED: 'true',
		DOCS_ASSETS_URL: 'https://cdn.jsdelivr.net/npm',
		LOGIN_MAX_FAILURES: '5',
		...s,
		DATABASE_URL: s.DATABASE_URL ?? process.env.DATABASE_URL,
	};
}

export const logDir = () => process.env.UA_TEST_LOG_DIR || '/tmp';

// --- checks ----------------------------------------------------------------

// Each check prints one line, "ok      NAME" or "FAILED  NAME", the reasons
// indented below it; tests/docs/run counts them.
export class Checks {
	constructor(prefix) {
		this.prefix = prefix;
		this.passed = 0;
		this.failed = 0;
	}

	// run NAME FN: FN passes unless it throws; returns what FN returns, or
	// undefined when it threw.
	async run(name, fn) {
		try {
			const v = await fn();
			this.pass(name);
			return v;
		} catch (e) {
			this.fail(name, e);
			return undefined;
		}
	}

	pass(name) {
		this.passed++;
		console.log(`ok      ${this.prefix}: ${name}`);
	}

	fail(name, why) {
		this.failed++;
		console.log(`FAILED  ${this.prefix}: ${name}`);
		const text = why instanceof Error ? (why.stack && !(why instanceof CheckError) ? why.stack : why.message) : String(why);
		for (const l of text.split('\n'))
			console.log(`        ${l}`);
	}

	// Set the exit status: 1 when a check failed.
	done() {
		process.exitCode = this.failed > 0 ? 1 : 0;
	}
}

// A failed expectation: reported by its message alone.
export class CheckError extends Error {}

export function expect(cond, msg) {
	if (!cond)
		throw new CheckError(msg);
}

// --- HTTP ------------------------------------------------------------------

// request METHOD URL [{ headers, body, timeout }]: one HTTP/1.1 exchange,
// nothing added to the headers but Host and Content-Length. Resolves to
// { status, headers (lower-case names), text, json (undefined unless it
// parses) }.
export function request(method, url, opts = {}) {
	const body = opts.body === undefined ? undefined :
	    Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(String(opts.body));
	const headers = { ...(opts.headers ?? {}) };
	if (body !== undefined)
		headers['Content-Length'] = String(body.length);
	return new Promise((resolve, reject) => {
		let answered = false;
		const req = http.request(url, { method, headers, agent: false }, (res) => {
			answered = true;
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try {
					json = text === '' ? undefined : JSON.parse(text);
				} catch {
					json = undefined;
				}
				resolve({ status: res.statusCode, headers: res.headers, text, json });
			});
			res.on('error', reject);
		});
		req.setTimeout(opts.timeout ?? 30000, () => req.destroy(new Error(`${method} ${url}: no answer in ${(opts.timeout ?? 30000) / 1000}s`)));
		req.on('error', (e) => {
			// A server may answer (413) and close before reading the
			// whole body; that answer is what counts.
			if (!answered)
				reject(e);
		});
		if (body !== undefined)
			req.write(body);
		req.end();
	});
}

export async function getJson(url) {
	const r = await request('GET', url);
	expect(r.status === 200, `GET ${url}: status ${r.status}, want 200: ${r.text.slice(0, 300)}`);
	expect(r.json !== undefined, `GET ${url}: body is not JSON: ${r.text.slice(0, 300)}`);
	return r;
}

// --- the OpenAPI document ----------------------------------------------------

export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// The routes of the documentation itself (API.md lists them; FastAPI leaves
// them out of the document).
export const DOCS_ROUTES = ['/openapi.json', '/api/docs', '/api/redoc'];

// normPath: a path or path template compared loosely: no trailing slash,
// parameters nameless.
export function normPath(p) {
	const s = p.replace(/\{[^}]*\}/g, '{}').replace(/\/+$/, '');
	return s === '' ? '/' : s;
}

// operations DOC: every operation, [{ method, path, op }].
export function operations(doc) {
	const out = [];
	for (const [path, item] of Object.entries(doc.paths ?? {})) {
		for (const m of METHODS) {
			if (item && item[m])
				out.push({ method: m, path, op: item[m], item });
		}
	}
	return out;
}

// deref DOC OBJ: follow a local $ref (#/...) until a plain object.
export function deref(doc, obj) {
	let o = obj;
	for (let n = 0; o && typeof o === 'object' && typeof o.$ref === 'string' && n < 20; n++) {
		o = pointer(doc, o.$ref);
		if (o === undefined)
			throw new CheckError(`unresolvable $ref ${obj.$ref}`);
	}
	return o;
}

// pointer DOC REF: what a local reference "#/a/b" points at, or undefined.
export function pointer(doc, ref) {
	if (!ref.startsWith('#'))
		return undefined;
	let o = doc;
	for (const raw of ref.slice(1).split('/').slice(1)) {
		const k = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
		if (o === null || typeof o !== 'object' || !(k in o))
			return undefined;
		o = o[k];
	}
	return o;
}

// findOperation DOC METHOD PATH: the operation a concrete request path
// reaches, matched segment by segment against the templates ({x} matches
// one segment; a trailing slash does not count, as API.md says).
export function findOperation(doc, method, concrete) {
	const want = normPath(concrete.split('?')[0]).split('/');
	let best;
	for (const [path, item] of Object.entries(doc.paths ?? {})) {
		const have = normPath(path).split('/');
		if (have.length !== want.length)
			continue;
		let literal = 0;
		let ok = true;
		for (let i = 0; i < have.length && ok; i++) {
			if (have[i] === '{}')
				continue;
			if (have[i] === decodeURIComponent(want[i]))
				literal++;
			else
				ok = false;
		}
		if (!ok || !item[method.toLowerCase()])
			continue;
		if (!best || literal > best.literal)
			best = { path, item, op: item[method.toLowerCase()], literal };
	}
	return best;
}

// OpenAPI keywords a Schema Object may carry beside JSON Schema 2020-12.
const OAS_KEYWORDS = ['discriminator', 'xml', 'externalDocs', 'example'];

// Formats of the OpenAPI format registry that ajv-formats lacks.
function addOasFormats(ajv) {
	ajv.addFormat('int32', { type: 'number', validate: (x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31 });
	ajv.addFormat('int64', { type: 'number', validate: (x) => Number.isInteger(x) });
	ajv.addFormat('float', { type: 'number', validate: () => true });
	ajv.addFormat('double', { type: 'number', validate: () => true });
	ajv.addFormat('password', true);
}

const COMPONENTS_ID = 'urn:userapi:openapi:components';

// rewriteRefs: a deep copy of a schema with "#/components/schemas/X"
// references turned into references into the components schema.
function rewriteRefs(v) {
	if (Array.isArray(v))
		return v.map(rewriteRefs);
	if (v === null || typeof v !== 'object')
		return v;
	const out = {};
	for (const [k, x] of Object.entries(v)) {
		if (k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/'))
			out[k] = `${COMPONENTS_ID}#/$defs/${x.slice('#/components/schemas/'.length)}`;
		else
			out[k] = rewriteRefs(x);
	}
	return out;
}

// Schemas: the document's schemas compiled by Ajv2020 (strict: an unknown
// keyword or format is an error, as is a schema that is not valid 2020-12).
export class Schemas {
	constructor(doc) {
		this.doc = doc;
		this.ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, allErrors: true, validateFormats: true });
		addFormats(this.ajv);
		addOasFormats(this.ajv);
		// Ajv knows OpenAPI 3.0's "nullable"; in 3.1 it is no keyword
		// (null is a type), so it must count as unknown here.
		this.ajv.removeKeyword('nullable');
		this.ajv.addVocabulary(OAS_KEYWORDS);
		this.ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(doc.components?.schemas ?? {}) });
		this.cache = new Map();
	}

	// compile SCHEMA: a validate function; throws when the schema is bad.
	compile(schema) {
		const key = JSON.stringify(schema);
		let v = this.cache.get(key);
		if (!v) {
			try {
				v = this.ajv.compile(rewriteRefs(schema));
			} catch (e) {
				throw new CheckError(`the document's schema ${schemaName(schema)} does not compile: ${e.message}`);
			}
			this.cache.set(key, v);
		}
		return v;
	}

	// errors SCHEMA VALUE: [] when VALUE is valid, else readable errors.
	errors(schema, value) {
		const v = this.compile(schema);
		if (v(value))
			return [];
		return v.errors.map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`);
	}
}

// mediaType: "application/json; charset=utf-8" -> "application/json".
export function mediaType(ct) {
	return (ct ?? '').split(';')[0].trim().toLowerCase();
}

// declaredContent CONTENT TYPE: the media type entry of a response or
// request body content map that a concrete media type matches.
export function declaredContent(content, type) {
	if (!content)
		return undefined;
	const keys = Object.keys(content);
	const exact = keys.find((k) => k.toLowerCase() === type);
	if (exact)
		return { key: exact, media: content[exact] };
	const wild = keys.find((k) => k.endsWith('/*') && type.startsWith(k.slice(0, -1).toLowerCase())) ??
	    keys.find((k) => k === '*/*');
	return wild ? { key: wild, media: content[wild] } : undefined;
}

// declaredResponse OP STATUS: the response object for STATUS (exact, then
// the range "4XX", then "default"), dereferenced, with the key it came from.
export function declaredResponse(doc, op, status) {
	const r = op.responses ?? {};
	for (const k of [String(status), `${String(status)[0]}XX`, 'default']) {
		const hit = Object.keys(r).find((x) => x.toUpperCase() === k);
		if (hit)
			return { key: hit, response: deref(doc, r[hit]) };
	}
	return undefined;
}

// schemaName SCHEMA: the component a schema refers to, for the check names.
export function schemaName(schema) {
	if (schema && typeof schema.$ref === 'string')
		return schema.$ref.split('/').pop();
	return schema?.title ?? 'inline schema';
}

// signJwt CLAIMS: a token signed with the stack's JWT_SECRET and
// JWT_ALGORITHM (HS256, HS384 or HS512), as another implementation would.
export function signJwt(claims, cfg) {
	const alg = (cfg.JWT_ALGORITHM || 'HS256').toUpperCase();
	const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
	if (!hash || !cfg.JWT_SECRET)
		throw new CheckError(`cannot sign a token: JWT_ALGORITHM ${alg}, JWT_SECRET ${cfg.JWT_SECRET ? 'set' : 'unset'}`);
	const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
	const input = `${part({ alg, typ: 'JWT' })}.${part(claims)}`;
	return `${input}.${createHmac(hash, cfg.JWT_SECRET).update(input).digest('base64url')}`;
}

// warmUp CFG: after a PostgreSQL restart (the integration tests before
// these make some, and so does test_responses.mjs), reads in parallel on
// every server until a few rounds in a row get no 503, so that every
// process of the users and auth workers has been through its new
// connection and what follows does not depend on which process serves it.
// How a worker notices a lost connection is the integration tests' matter.
export async function warmUp(cfg) {
	const BATCH = 2;	// the most processes of one worker (max-procs, FcgidMaxProcessesPerClass)
	const now = Math.floor(Date.now() / 1000);
	const token = signJwt({ sub: '1', iat: now, exp: now + 600 }, cfg);
	for (const srv of servers()) {
		for (const p of ['/api/users/1', '/api/auth/me']) {
			let clean = 0;
			for (let round = 0; clean < 3; round++) {
				if (round === 40)
					throw new CheckError(`${srv.name}: GET ${p} still 503 after ${round} rounds`);
				const rs = await Promise.all(Array.from({ length: BATCH }, () =>
					request('GET', srv.url + p, { headers: { Authorization: `Bearer ${token}` } })));
				clean = rs.every((r) => r.status !== 503) ? clean + 1 : 0;
			}
		}
	}
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}
