/*
 * db-private.h -- what lib/db/db.c decides without a server, for the
 * unit tests: statement names, signs of a pooler, the server's timeout.
 */
#ifndef USERAPI_DB_PRIVATE_H
#define USERAPI_DB_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

/* Where a statement sent by name failed. */
enum ua_db_step {
	UA_DB_STEP_PREPARE, /* Parse of a name new to this connection */
	UA_DB_STEP_EXECUTE, /* Bind/Execute of one it prepared */
	UA_DB_STEP__MAX
};

/* Longest statement name, NUL included (PostgreSQL's NAMEDATALEN). */
#define UA_DB_STMT_NAME_MAX 64

/*
 * The name of this process's "seq"th prepared statement:
 * "ua_<pid>_<nonce>_<seq>".  The PID and a random "nonce" (PIDs repeat
 * across containers) keep names of different workers apart, "seq"
 * never repeats within one, so a name cannot mean another statement.
 */
void ua_db_stmt_name(char *buf, size_t len, long pid, unsigned nonce,
    unsigned long seq);

/*
 * Is SQLSTATE "state", seen at "step" of a statement this worker named
 * uniquely, the sign of server connections that lose or share prepared
 * statements, i.e. a pooler in transaction mode?  42P05 at PREPARE (the
 * name already exists there), 26000 (it does not) or 08P01 (its
 * parameters do not match: another's) at EXECUTE.  Nothing ran then.
 */
bool ua_db_pooler_symptom(const char *state, enum ua_db_step step);

/*
 * SHOW statement_timeout's answer into "*ms" (milliseconds): "0" for
 * none, else a whole number and the largest unit PostgreSQL found to
 * divide it ("d", "h", "min", "s" or "ms": "5s", "1500ms"), at most
 * INT_MAX ms.  false for anything else, "*ms" untouched.
 */
bool ua_db_parse_timeout(const char *s, long *ms);

#endif
