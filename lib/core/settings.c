/*
 * settings.c -- API.md's settings, described once in a table and read
 * from the environment, then from a .env file.
 */
#include "config.h"

#include <limits.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "userapi/alloc.h"
#include "userapi/numparse.h"
#include "userapi/settings.h"
#include "core-private.h"

#define ENV_FILE_MAX (64 * 1024)

enum stype {
	ST_STRING,
	ST_SECRET, /* a string whose value is never echoed */
	ST_INT,
	ST_SIZE,
	ST_BOOL,
	ST_JWT_ALG,
	ST_PW_SCHEME,
	ST_NETLIST, /* addresses and CIDRs */
	ST_PATH,    /* "" or a path prefix: ROOT_PATH */
	ST__MAX
};

enum sneed {
	SN_OPTIONAL, /* has a default */
	SN_ALWAYS,   /* required by every program */
	SN_APP	     /* required unless UA_NEED_DB_ONLY */
};

struct sdef {
	const char *name;
	enum stype  type;
	enum sneed  need;
	const char *def; /* used when unset, unless required */
	int64_t	    min; /* ST_INT, ST_SIZE; ST_SECRET: bytes */
	int64_t	    max;
	size_t	    off; /* into struct ua_settings */
};

#define OFF(f) offsetof(struct ua_settings, f)

static const struct sdef defs[] = {
	{ "DATABASE_URL", ST_STRING, SN_ALWAYS, NULL, 1, 0, OFF(database_url) },
	{ "JWT_SECRET", ST_SECRET, SN_APP, NULL, 32, 0, OFF(jwt_secret) },
	{ "JWT_ALGORITHM", ST_JWT_ALG, SN_OPTIONAL, "HS256", 0, 0,
	    OFF(jwt_algorithm) },
	{ "ACCESS_TOKEN_EXPIRE_MINUTES", ST_INT, SN_OPTIONAL, "30", 1, 525600,
	    OFF(access_token_expire_minutes) },
	{ "APP_NAME", ST_STRING, SN_OPTIONAL, "userapi", 1, 0, OFF(app_name) },
	{ "DEBUG", ST_BOOL, SN_OPTIONAL, "false", 0, 0, OFF(debug) },
	{ "CORS_ORIGINS", ST_STRING, SN_OPTIONAL, "", 0, 0, OFF(cors_origins) },
	{ "MAX_BODY_BYTES", ST_SIZE, SN_OPTIONAL, "1048576", 1, 1073741824,
	    OFF(max_body_bytes) },
	{ "PASSWORD_HASH", ST_PW_SCHEME, SN_OPTIONAL, "bcrypt", 0, 0,
	    OFF(password_hash) },
	{ "BCRYPT_COST", ST_INT, SN_OPTIONAL, "12", 4, 31, OFF(bcrypt_cost) },
	{ "DB_STATEMENT_TIMEOUT_MS", ST_INT, SN_OPTIONAL, "5000", 0, 86400000,
	    OFF(db_statement_timeout_ms) },
	{ "DB_PREPARED_STATEMENTS", ST_BOOL, SN_OPTIONAL, "true", 0, 0,
	    OFF(db_prepared_statements) },
	{ "LOGIN_MAX_FAILURES", ST_INT, SN_OPTIONAL, "5", 1, 1000000,
	    OFF(login_max_failures) },
	{ "LOGIN_WINDOW_SECONDS", ST_INT, SN_OPTIONAL, "900", 1, 604800,
	    OFF(login_window_seconds) },
	{ "REFRESH_TOKEN_EXPIRE_DAYS", ST_INT, SN_OPTIONAL, "30", 1, 3650,
	    OFF(refresh_token_expire_days) },
	{ "REFRESH_TOKEN_REUSE_SECONDS", ST_INT, SN_OPTIONAL, "10", 0, 3600,
	    OFF(refresh_token_reuse_seconds) },
	{ "DOCS_ENABLED", ST_BOOL, SN_OPTIONAL, "true", 0, 0,
	    OFF(docs_enabled) },
	{ "DOCS_ASSETS_URL", ST_STRING, SN_OPTIONAL,
	    "https://cdn.jsdelivr.net/npm", 1, 0, OFF(docs_assets_url) },
	{ "TRUSTED_PROXIES", ST_NETLIST, SN_OPTIONAL, "", 0, 0,
	    OFF(trusted_proxies) },
	{ "ROOT_PATH", ST_PATH, SN_OPTIONAL, "", 0, 0, OFF(root_path) },
};

static const char *const jwt_algs[UA_JWT__MAX] = {
	[UA_JWT_HS256] = "HS256",
	[UA_JWT_HS384] = "HS384",
	[UA_JWT_HS512] = "HS512",
};

static const char *const pw_schemes[UA_PW__MAX] = {
	[UA_PW_BCRYPT] = "bcrypt",
	[UA_PW_YESCRYPT] = "yescrypt",
};

const char *
ua_jwt_alg_name(enum ua_jwt_alg a)
{
	return (unsigned)a < UA_JWT__MAX ? jwt_algs[a] : "?";
}

const char *
ua_pw_scheme_name(enum ua_pw_scheme s)
{
	return (unsigned)s < UA_PW__MAX ? pw_schemes[s] : "?";
}

/* Index of "v" in "names" (case-sensitive, as API.md spells them). */
static int
pick(const char *const *names, int n, const char *v, bool nocase)
{
	int i;

	for (i = 0; i < n; i++)
		if (nocase ? strcasecmp(names[i], v) == 0 :
			     strcmp(names[i], v) == 0)
			return i;
	return -1;
}

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	if (pick(yes, 4, v, true) >= 0)
		*out = true;
	else if (pick(no, 4, v, true) >= 0)
		*out = false;
	else
		return false;
	return true;
}

char *
ua_settings_normalise_db_url(const char *url)
{
	const char *plus, *colon;

	/* "postgresql+psycopg2://..." -> "postgresql://..." */
	if ((strncmp(url, "postgresql+", 11) == 0 ||
		strncmp(url, "postgres+", 9) == 0) &&
	    (plus = strchr(url, '+')) != NULL &&
	    (colon = strstr(plus, "://")) != NULL &&
	    strcspn(plus, "/:@") == (size_t)(colon - plus))
		return ua_xasprintf("%.*s%s", (int)(plus - url), url, colon);
	return ua_xstrdup(url);
}

/*
 * A path prefix: empty, or "/" followed by segments of letters, digits
 * and "-._~" (what "/~user" and "/api-app" need), none "." or "..".  No
 * other character, so that the prefix goes into headers, JSON and HTML
 * as it is, and compares with a decoded request path.
 */
static bool
path_prefix_ok(const char *v)
{
	const char *seg;
	size_t	    n;

	if (*v == '\0')
		return true;
	if (*v != '/')
		return false;
	while (*v == '/') {
		seg = ++v;
		while (*v != '\0' && *v != '/') {
			if (!isalnum((unsigned char)*v) &&
			    strchr("-._~", *v) == NULL)
				return false;
			v++;
		}
		n = (size_t)(v - seg);
		if ((n == 0 && *v != '\0') || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false; /* "//", "/./", "/../" */
	}
	return *v == '\0';
}

/* "v" without its trailing slash: "/" is the empty prefix. */
static char *
path_prefix(const char *v)
{
	char  *p = ua_xstrdup(v);
	size_t n = strlen(p);

	while (n > 0 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

/*
 * Store "v" for "d" into "s".  On a bad value, write the reason into
 * "err" and return false.  Secret values are never echoed.
 */
static bool
store(struct ua_settings *s, const struct sdef *d, const char *v, char *err,
    size_t errlen)
{
	char   *base = (char *)s;
	int64_t n;
	int	i;
	bool	b;

	switch (d->type) {
	case ST_STRING:
		if (d->min > 0 && *v == '\0')
			goto empty;
		*(char **)(base + d->off) = strcmp(d->name, "DATABASE_URL") ?
		    ua_xstrdup(v) :
		    ua_settings_normalise_db_url(v);
		return true;
	case ST_SECRET:
		if ((int64_t)strlen(v) < d->min) {
			snprintf(err, errlen,
			    "setting %s must be at least "
			    "%lld bytes long (it has %zu)",
			    d->name, (long long)d->min, strlen(v));
			return false;
		}
		*(char **)(base + d->off) = ua_xstrdup(v);
		s->jwt_secret_len = strlen(v);
		return true;
	case ST_INT:
	case ST_SIZE:
		if (!ua_parse_int64_range(v, d->min, d->max, &n)) {
			snprintf(err, errlen,
			    "setting %s must be an integer "
			    "from %lld to %lld, not \"%.40s\"",
			    d->name, (long long)d->min, (long long)d->max, v);
			return false;
		}
		if (d->type == ST_INT)
			*(int *)(base + d->off) = (int)n;
		else
			*(size_t *)(base + d->off) = (size_t)n;
		return true;
	case ST_BOOL:
		if (!parse_bool(v, &b)) {
			snprintf(err, errlen,
			    "setting %s must be one of "
			    "1/0/true/false/yes/no/on/off, not \"%.40s\"",
			    d->name, v);
			return false;
		}
		*(bool *)(base + d->off) = b;
		return true;
	case ST_JWT_ALG:
		if ((i = pick(jwt_algs, UA_JWT__MAX, v, false)) < 0) {
			snprintf(err, errlen,
			    "setting %s must be HS256, "
			    "HS384 or HS512, not \"%.40s\"",
			    d->name, v);
			return false;
		}
		*(enum ua_jwt_alg *)(base + d->off) = (enum ua_jwt_alg)i;
		return true;
	case ST_PW_SCHEME:
		if ((i = pick(pw_schemes, UA_PW__MAX, v, true)) < 0) {
			snprintf(err, errlen,
			    "setting %s must be bcrypt or "
			    "yescrypt, not \"%.40s\"",
			    d->name, v);
			return false;
		}
		*(enum ua_pw_scheme *)(base + d->off) = (enum ua_pw_scheme)i;
		return true;
	case ST_NETLIST:
		return ua_netlist_parse(v, (struct ua_netlist *)(base + d->off),
		    err, errlen);
	case ST_PATH:
		if (!path_prefix_ok(v)) {
			snprintf(err, errlen,
			    "setting %s must be empty or a path such as "
			    "/~user or /api-app (letters, digits and -._~ "
			    "between slashes), not \"%.40s\"",
			    d->name, v);
			return false;
		}
		*(char **)(base + d->off) = path_prefix(v);
		return true;
	case ST__MAX:
		break;
	}
	snprintf(err, errlen, "setting %s: unknown type", d->name);
	return false;
empty:
	snprintf(err, errlen, "setting %s must not be empty", d->name);
	return false;
}

/* Look "name" up in the .env pairs, case-insensitively. */
static const char *
file_lookup(const struct ua_kvlist *file, const char *name)
{
	size_t	    i;
	const char *v = NULL;

	for (i = 0; i < file->len; i++)
		if (strcasecmp(file->items[i].key, name) == 0)
			v = file->items[i].val;
	return v;
}

/* The .env beside the running program, or NULL. */
static char *
beside_program(const char *argv0)
{
	char	exe[PATH_MAX];
	ssize_t n;
	char   *slash;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	else if (argv0 != NULL && strchr(argv0, '/') != NULL)
		snprintf(exe, sizeof(exe), "%s", argv0);
	else
		return NULL;
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return ua_xasprintf("%s/.env", exe);
}

/*
 * Find and parse the .env file into "file".  An explicitly named file
 * that cannot be read is an error; the implicit places are optional.
 */
static bool
load_env_file(struct ua_settings *s, char *const *envp, const char *argv0,
    struct ua_kvlist *file, char *err, size_t errlen)
{
	const char *explicit_path;
	char	   *cands[3], *text;
	size_t	    i, len;
	bool	    found = false;

	if ((explicit_path = ua_env_lookup(envp, "USERAPI_ENV_FILE")) != NULL &&
	    *explicit_path != '\0') {
		if (!ua_read_file(explicit_path, ENV_FILE_MAX, &text, &len)) {
			snprintf(err, errlen,
			    "setting USERAPI_ENV_FILE names "
			    "%.200s, which cannot be read",
			    explicit_path);
			return false;
		}
		s->env_file = ua_xstrdup(explicit_path);
		ua_dotenv_parse(text, len, file);
		free(text);
		return true;
	}

	cands[0] = ua_xstrdup(".env");
	cands[1] = beside_program(argv0);
	cands[2] = ua_xstrdup(UA_SYSCONFDIR "/userapi/userapi.env");
	for (i = 0; i < 3; i++) {
		if (found || cands[i] == NULL)
			continue;
		if (ua_read_file(cands[i], ENV_FILE_MAX, &text, &len)) {
			found = true;
			s->env_file = ua_xstrdup(cands[i]);
			ua_dotenv_parse(text, len, file);
			free(text);
		}
	}
	for (i = 0; i < 3; i++)
		free(cands[i]);
	return true;
}

enum ua_err
ua_settings_load(struct ua_settings *s, char *const *envp, const char *argv0,
    enum ua_settings_need need, char *err, size_t errlen)
{
	struct ua_kvlist   file;
	const struct sdef *d;
	const char	  *v;
	size_t		   i;
	enum ua_err	   er = UA_ERR_CONFIG;

	memset(s, 0, sizeof(*s));
	ua_kvlist_init(&file);
	if (!load_env_file(s, envp, argv0, &file, err, errlen))
		goto out;

	for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		d = &defs[i];
		if ((v = ua_env_lookup(envp, d->name)) == NULL)
			v = file_lookup(&file, d->name);
		if (v == NULL || (*v == '\0' && d->need != SN_OPTIONAL)) {
			if (d->need == SN_ALWAYS ||
			    (d->need == SN_APP && need == UA_NEED_ALL)) {
				snprintf(err, errlen,
				    "setting %s is required:"
				    " set it in the environment or in a .env"
				    " file",
				    d->name);
				goto out;
			}
			if (d->def == NULL)
				continue;
			v = d->def;
		}
		if (!store(s, d, v, err, errlen))
			goto out;
	}
	er = UA_OK;
out:
	ua_kvlist_cleanup(&file);
	if (er != UA_OK)
		ua_settings_cleanup(s);
	return er;
}

const char *
ua_root_path(const struct ua_settings *s)
{
	return s != NULL && s->root_path != NULL ? s->root_path : "";
}

void
ua_settings_cleanup(struct ua_settings *s)
{
	if (s->jwt_secret != NULL)
		ua_secure_zero(s->jwt_secret, s->jwt_secret_len);
	free(s->jwt_secret);
	free(s->database_url);
	free(s->app_name);
	free(s->cors_origins);
	free(s->docs_assets_url);
	free(s->root_path);
	free(s->env_file);
	memset(s, 0, sizeof(*s));
}
