/*
 * api_helpers.h -- what the users and auth integration suites share:
 * requests to the right worker on each target, assertions on the answer
 * (status, exact JSON, the headers every response carries, the User
 * object, Pydantic-shaped 422 entries), accounts made for one case
 * (registered, maybe promoted to admin through libpq, logged in), the
 * stack's settings file, and JWTs signed here with OpenSSL HMAC.
 *
 * Every case makes its own accounts with addresses unique to the run and
 * to the process, because the database is shared by every suite and both
 * servers, and is never assumed to be empty.
 */
#ifndef UA_TEST_API_HELPERS_H
#define UA_TEST_API_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <json-c/json.h>

#include "http.h"
#include "stack.h"

/*
 * Loops over the targets answer through lighttpd, Apache and plain CGI:
 * tcase_add_loop_test(tc, fn, 0, API_TARGETS).  The servers only: 0,
 * TARGET_SERVERS_MAX.
 */
#define API_TARGETS TARGET_FASTCGI

/* The "msg" texts of the Pydantic 422 entries the cases expect. */
#define MSG_MISSING "Field required"
#define MSG_STR_TYPE "Input should be a valid string"
#define MSG_INT_PARSE \
	"Input should be a valid integer, unable to parse " \
	"string as an integer"
#define MSG_DICT \
	"Input should be a valid dictionary or object to " \
	"extract fields from"
#define MSG_EMAIL "value is not a valid email address: "
#define MSG_GE1 "Input should be greater than or equal to 1"
#define MSG_LE100 "Input should be less than or equal to 100"

/* A user id no case makes: the largest int32. */
#define NO_USER_ID "2147483647"

/* Settings of $UA_TEST_ENV_FILE that the cases depend on, defaults filled. */
struct api_settings {
	char   database_url[1024];
	char   jwt_secret[512];
	char   jwt_algorithm[16]; /* "HS256", "HS384", "HS512" */
	long   expire_minutes;	  /* ACCESS_TOKEN_EXPIRE_MINUTES */
	long   bcrypt_cost;
	long   max_failures; /* LOGIN_MAX_FAILURES */
	long   window_s;     /* LOGIN_WINDOW_SECONDS */
	size_t max_body;     /* MAX_BODY_BYTES */
	long   refresh_days; /* REFRESH_TOKEN_EXPIRE_DAYS */
	long   reuse_s;	     /* REFRESH_TOKEN_REUSE_SECONDS */
};

/* One request; everything is borrowed from the caller. */
struct api_req {
	const char	  *method;
	const char	  *path;     /* with any "?query" */
	const char	  *token;    /* "Authorization: Bearer" */
	const char	  *ctype;    /* NULL: JSON if a body */
	const char	  *body;     /* NULL: none */
	size_t		   body_len; /* 0: strlen(body) */
	const char *const *headers;  /* more "Name: value", NULL */
	/* Servers only: the body framing of struct http_req. */
	bool   chunked;
	size_t chunk_max;
	bool   cut_short;
};

/* An account made for one case. */
struct api_user {
	int64_t id;
	char	email[320];
	char	name[128];
	char	password[128];
	char	token[2048];
	char	body[1024]; /* the 201 body of its registration */
};

/*
 * Call once from main(), before the suites run: the run's random tag
 * (part of every address made here) and libcurl's global set-up.
 */
void api_init(void);
void api_cleanup(void);

/*
 * The whole main() of a test program of one suite: api_init(),
 * api_prepare(), the suite "make" returns run (CK_ENV: CK_RUN_SUITE,
 * CK_RUN_CASE and the rest apply), api_cleanup().  Returns the exit
 * status: EXIT_SUCCESS when no case failed.
 */
int api_run_suite(Suite *(*make)(void));

/*
 * Read the settings from $UA_TEST_ENV_FILE, once: 0, or -1 with the
 * reason in "err".  api_settings() does the same and fails the case.
 */
int			   api_load_settings(char *err, size_t errlen);
const struct api_settings *api_settings(void);

/*
 * From main(), before the suites: load the settings and api_warm_up().
 * Returns 0, or -1 after saying why on stderr (the cases then fail with
 * their own messages).
 */
int api_prepare(void);

/*
 * A fresh address "<tag>-<run>-<pid>-<n>@example.com" into "buf", unique
 * to this run, process and call.  Returns "buf".
 */
char *api_email(char *buf, size_t len, const char *tag);

/*
 * Put "r" to "t": lighttpd, Apache, or the worker that serves the path
 * (users.fcgi, auth.fcgi, else health.fcgi) run as plain CGI.  Fails the
 * case if nothing answers or a CGI run does not exit 0.  Release with
 * xchg_free().
 */
void api_send(struct xchg *x, enum target t, const struct api_req *r);

/* Shorthand: "json" (NULL: no body) as application/json, "token" or NULL. */
void api_call(struct xchg *x, enum target t, const char *method,
    const char *path, const char *token, const char *json);

/*
 * Put the "n" requests "r" to "t" all at once (curl_multi on a server,
 * one forked CGI run each under CGI).  Fills status[i] and, when
 * "bodies" is not NULL, bodies[i] (free() each).  Fails the case if any
 * gets no answer.
 */
void api_parallel(enum target t, const struct api_req *r, size_t n,
    long *status, char **bodies);

/*
 * The same on a server (lighttpd or Apache) without failing the case:
 * returns 0, or -1 with the reason in "err" (for unchecked fixtures).
 */
int api_parallel_try(enum target t, const struct api_req *r, size_t n,
    long *status, char **bodies, char *err, size_t errlen);

/*
 * The statuses the workers behind server "t" (lighttpd or Apache) logged
 * for request id "rid", from their request lines in that server's error
 * log in $UA_TEST_LOG_DIR: up to "max" into "status", in log order.
 * Returns how many lines there were (0: no worker answered it).
 */
size_t worker_logged(enum target t, const char *rid, long *status, size_t max);

/* ---- assertions on one exchange ---------------------------------- */

void want_status(const struct xchg *x, long status);
/* The body is, byte for byte, "json" (compact, keys in order). */
void want_body(const struct xchg *x, const char *json);
/* Status "status" and body {"detail":"<detail>"}. */
void want_detail(const struct xchg *x, long status, const char *detail);
/* Header "name" appears once, with exactly "value". */
void want_header(const struct xchg *x, const char *name, const char *value);
void want_empty_body(const struct xchg *x);
/* The one X-Request-ID: 1..128 visible ASCII characters. */
const char *want_request_id(const struct xchg *x);
/* X-Request-ID, nosniff and Cache-Control: no-store (every /api/ answer). */
void want_api_headers(const struct xchg *x);
/* want_api_headers() and Content-Type: application/json. */
void want_api_json_headers(const struct xchg *x);
/* 401 {"detail":"<detail>"} with WWW-Authenticate: Bearer. */
void want_401(const struct xchg *x, const char *detail);
/* The body parsed as JSON (json_object_put() it); fails if it is not. */
struct json_object *want_json(const struct xchg *x);
/* Header "name" is a whole decimal number; returns it. */
long want_number_header(const struct xchg *x, const char *name);
/*
 * Header "name" names every method of the comma-separated list "methods"
 * (any order, more allowed).
 */
void want_header_lists(const struct xchg *x, const char *name,
    const char *methods);

/*
 * The body is one User object: keys exactly id, email, name, role,
 * created_at, updated_at in that order, the types API.md gives, times in
 * Pydantic's RFC 3339 form, nothing that looks like a password hash.
 * Returns the parsed object (json_object_put() it).
 */
struct json_object *want_user(const struct xchg *x);

/*
 * 422 whose "detail" is an array; returns entry "idx" (borrowed from
 * "*root", which the caller puts), failing if there is no such entry.
 */
struct json_object *want_422_entry(const struct xchg *x, size_t idx,
    struct json_object **root);
/* How many entries the 422 "detail" array has. */
size_t want_422_count(const struct xchg *x);
/* Entry "e" has "type" and loc [where, field] (field NULL: loc [where]). */
void want_entry(const struct xchg *x, struct json_object *e, const char *type,
    const char *where, const char *field);

/* ---- JSON and time helpers --------------------------------------- */

/* Member "key" of "o" as a string / integer; fails the case if not one. */
const char *json_str(struct json_object *o, const char *key, const char *label);
int64_t	    json_int(struct json_object *o, const char *key, const char *label);
/* "s" as a JSON string literal, quotes included, into "buf". */
char *json_quote(char *buf, size_t len, const char *s);
/* Seconds since the epoch of a Pydantic RFC 3339 UTC time; -1 if not one. */
double rfc3339_epoch(const char *s);
/* Seconds since the epoch, now. */
double wall_now(void);

/* ---- accounts ----------------------------------------------------- */

/*
 * Register a fresh account through "t" (address from api_email(tag),
 * name "Test <tag>", a password of its own) and fill "u"; fails the case
 * unless it is 201.
 */
void api_register(enum target t, struct api_user *u, const char *tag);
/* Log "u" in with JSON through "t" and keep its token; 200 or fail. */
void api_login(enum target t, struct api_user *u);
/* Register, promote to admin if asked (before logging in), log in. */
void api_user_new(enum target t, struct api_user *u, const char *tag,
    bool admin);
/* "Authorization: Bearer" GET /api/auth/me with "token": its status. */
long api_me_status(enum target t, const char *token);

/* ---- the users routes ------------------------------------------- */

/* A registration body: "email" as given, the JSON texts of name/password. */
char *reg_body(char *buf, size_t len, const char *email, const char *name_json,
    const char *password_json);
/* A valid registration body with a fresh address (api_email(tag)). */
char *valid_body(char *buf, size_t len, const char *tag);
/* POST "body" to /api/users/ through "t", without a token. */
void post_user(struct xchg *x, enum target t, const char *body);
/*
 * The URL the API writes for "path" (Location, Link): "path" under
 * stack_root_path(), into "buf".  Returns "buf".
 */
char *api_url(char *buf, size_t len, const char *path);
/* "/api/users/<id><suffix>" into "buf". */
char *user_path(char *buf, size_t len, int64_t id, const char *suffix);
/* DELETE /api/users/<id> as "token" through "t". */
void delete_user(struct xchg *x, enum target t, const char *token, int64_t id);
/* The member "key" of the body, which is a User, as a string ("null"). */
void user_field(const struct xchg *x, const char *key, char *buf, size_t len);
/* GET user "id" as "token": the User's member "key", want 200. */
void get_user_field(enum target t, const char *token, int64_t id,
    const char *key, char *buf, size_t len);

/* One 422 entry as compact JSON (ctx_json NULL: none). */
char *entry_json(char *buf, size_t len, const char *type, const char *loc_json,
    const char *msg, const char *input_json, const char *ctx_json);
/* 422 with exactly {"detail":[<e1>]} or [<e1>,<e2>] byte for byte. */
void want_422_exact(const struct xchg *x, const char *e1, const char *e2);
/* 422 whose only entry has "type" at ["body", field]. */
void want_422_one(const struct xchg *x, const char *type, const char *field);
/*
 * 422 whose only entry is json_invalid: "msg" "JSON decode error", loc
 * ["body", offset], input {} and a ctx "error", as FastAPI reports a
 * body json.loads() refuses.
 */
void want_json_invalid(const struct xchg *x, long offset);
/* A 409 whose detail says something about an admin. */
void want_409_admin(const struct xchg *x);

/* ---- the database, directly (libpq on DATABASE_URL) --------------- */

/* Run "sql" with $1 = "id" (a statement, no rows); fails the case if it fails. */
void db_exec_id(const char *sql, int64_t id);
/* Make user "id" an admin. */
void db_make_admin(int64_t id);
/* Make every admin but "keep" a plain user (for last-admin cases). */
void db_demote_other_admins(int64_t keep);

/* ---- tokens -------------------------------------------------------- */

/*
 * A JWT "<header>.<payload>.<signature>" into "out": base64url of the two
 * JSON texts as given, signed with HMAC "alg" ("HS256", "HS384",
 * "HS512") over "secret", or with an empty signature when "alg" is NULL.
 */
void jwt_make(char *out, size_t len, const char *header_json,
    const char *payload_json, const char *alg, const char *secret);
/* The payload of "token", decoded and parsed (json_object_put() it). */
struct json_object *jwt_payload(const char *token);
/* The header of "token", decoded and parsed (json_object_put() it). */
struct json_object *jwt_header(const char *token);

/* ---- PostgreSQL stopped and started by a case --------------------- */

void pg_stop(void);
/* Start PostgreSQL again and api_warm_up(); fails the case if either fails. */
void pg_start(void);
/* Start PostgreSQL again, nothing more. */
void pg_start_cold(void);
/*
 * Put rounds of parallel requests that touch the database to every
 * worker kind on both servers until no round has a 503, so that a worker
 * holding a connection from before a PostgreSQL restart has had its one
 * failure before the cases run.  Needs the settings loaded
 * (api_load_settings()).  Returns 0, or -1 with the reason in "err";
 * never fails the case itself.
 */
int api_warm_up(char *err, size_t errlen);
/* Checked setup: start PostgreSQL if a failed case left it stopped. */
void pg_setup(void);
/* Unchecked teardown: the same, even after a crash or a timeout. */
void pg_teardown(void);

/*
 * How many rounds a race runs: the whole number in environment variable
 * "var" (scripts/test sets it from USERAPI_TEST_RACE_ROUNDS; "*budget_s"
 * 0: every round runs), or without it 100 rounds, stopped early after
 * API_RACE_DEFAULT_SECONDS ("*budget_s").  A malformed value fails the
 * running test.
 */
#define API_RACE_DEFAULT_SECONDS 25.0
long api_race_rounds(const char *var, double *budget_s);

#endif
