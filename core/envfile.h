/* envfile.h: the env file, the one place an installed GameWatch keeps its
 * settings (DATABASE_URL, SECRET_KEY, ...). The web app, its pool and every
 * job read it with this one parser, so the file means the same thing to all
 * of them, whoever starts them (systemd, cron, mod_fcgid, a shell).
 *
 * Syntax (one rule per line; lines end in "\n", a "\r" before it is dropped):
 *   - an empty line, or one whose first character is '#', is ignored;
 *   - every other line is KEY=value: KEY is [A-Za-z_][A-Za-z0-9_]* at the
 *     very start of the line, '=' follows it directly, and the value is the
 *     rest of the line, byte for byte: no quotes are removed, nothing is
 *     expanded ($HOME stays "$HOME"), no escapes are processed.
 * Refused, with the line number in the message (the whole file is then
 * ignored: a half-read configuration is worse than none): a line without
 * '=', a bad KEY (including "export KEY=..."), blanks before the key or
 * around '=', a value that starts with a quote or ends in a blank (the two
 * usual leftovers of a shell-style file; values are literal), a KEY given
 * twice, a NUL byte, a line longer than ENVFILE_MAX_LINE bytes.
 *
 * The process environment wins: a variable already set when the file is
 * first read keeps its value (an operator's `Environment=` or a test's
 * override), and every other key of the file is set with setenv(). */
#ifndef GW_ENVFILE_H
#define GW_ENVFILE_H

#include <stdbool.h>
#include <stddef.h>

#define ENVFILE_MAX_LINE 8192

/* Called once per KEY=value line; key and value are NUL-terminated copies
 * valid only during the call. Return 0 to go on, -1 to stop (the parse then
 * fails with err "stopped"). */
typedef int (*envfile_fn)(const char *key, const char *value, void *ud);

/* Parse `len` bytes of env-file text, calling `fn` for each assignment in
 * order. Returns the number of assignments, or -1 with a one-line reason
 * ("line N: ...") in `err`; on -1 `fn` may have been called for the lines
 * before the bad one. Never echoes a value into `err` (values are secrets). */
int envfile_parse(const char *text, size_t len, envfile_fn fn, void *ud, char *err,
		  size_t errlen);

/* The file the programs read: GW_ENV_FILE when it is set and not empty;
 * none (NULL) when GW_ENV_FILE is set to ""; else the compiled-in default,
 * <sysconfdir>/gamewatch/env. Borrowed string. */
const char *envfile_path(bool *explicit_path);

/* Read the env file (envfile_path()) into the environment, as described
 * above. A missing default file is not an error (the environment alone is
 * used; returns 0); a missing file named by GW_ENV_FILE is. A file that
 * others than its owner and group may write is refused; one that every user
 * may read is read with a warning (it holds secrets). On a second call (the
 * pool's SIGHUP reload) the keys the file set before take their new values
 * and keys no longer in the file are unset; variables that came from the
 * environment stay untouched. Returns the number of keys set from the file,
 * or -1 with the reason (naming the path) in `err`. */
int envfile_load(char *err, size_t errlen);

#endif
