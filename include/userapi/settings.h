/*
 * settings.h -- the settings of API.md, from the environment and a .env
 * file.
 *
 * The environment wins; a .env file (python-dotenv syntax) supplies what
 * the environment does not set.  Names are case-insensitive.  Variables
 * named HTTP_* are request headers under CGI and are never read.
 */
#ifndef USERAPI_SETTINGS_H
#define USERAPI_SETTINGS_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>

#include "userapi/errors.h"
#include "userapi/netaddr.h"

enum ua_jwt_alg { UA_JWT_HS256, UA_JWT_HS384, UA_JWT_HS512, UA_JWT__MAX };

enum ua_pw_scheme { UA_PW_BCRYPT, UA_PW_YESCRYPT, UA_PW__MAX };

struct ua_settings {
	char		 *database_url; /* libpq conninfo, normalised */
	char		 *jwt_secret;
	size_t		  jwt_secret_len;
	enum ua_jwt_alg	  jwt_algorithm;
	int		  access_token_expire_minutes;
	char		 *app_name;
	bool		  debug;
	char		 *cors_origins; /* "" when CORS is off */
	size_t		  max_body_bytes;
	enum ua_pw_scheme password_hash;
	int		  bcrypt_cost;
	int		  db_statement_timeout_ms;
	bool		  db_prepared_statements;
	int		  login_max_failures;
	int		  login_window_seconds;
	int		  refresh_token_expire_days;
	int		  refresh_token_reuse_seconds;
	bool		  docs_enabled;
	char		 *docs_assets_url;
	struct ua_netlist trusted_proxies;
	/* ROOT_PATH: "" or "/a/b", no trailing slash; see ua_req_parse() */
	char *root_path;
	char *env_file; /* the .env file read, or NULL */
};

/* What a program needs: tools that only touch the database skip JWT. */
enum ua_settings_need { UA_NEED_ALL = 0, UA_NEED_DB_ONLY = 1 };

/*
 * Fill "s" from "envp" (a NULL-terminated "NAME=value" array, usually
 * environ) and the first .env file found, in order: $USERAPI_ENV_FILE
 * (environment only), ./.env, ".env" beside the program "argv0" (may be
 * NULL), then SYSCONFDIR/userapi/userapi.env.  On failure returns
 * UA_ERR_CONFIG and writes one line naming the setting into "err"; "s"
 * is then already cleaned up.  On success free with ua_settings_cleanup().
 */
enum ua_err ua_settings_load(struct ua_settings *s, char *const *envp,
    const char *argv0, enum ua_settings_need need, char *err, size_t errlen);

/*
 * ROOT_PATH as every URL the API writes starts with it: "" for none
 * (also for settings that were never loaded).
 */
const char *ua_root_path(const struct ua_settings *s);

void ua_settings_cleanup(struct ua_settings *s);

/* "HS256" etc.; "bcrypt"/"yescrypt". */
const char *ua_jwt_alg_name(enum ua_jwt_alg);
const char *ua_pw_scheme_name(enum ua_pw_scheme);

/*
 * Turn a DATABASE_URL into something libpq accepts: SQLAlchemy-style
 * "postgresql+driver://" becomes "postgresql://"; anything else is kept.
 * Returns a new string the caller frees.
 */
char *ua_settings_normalise_db_url(const char *url);

#pragma GCC visibility pop
#endif
