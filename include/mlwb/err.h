/* err.h - one clear error message, filled by the engine, printed by the caller.
 *
 * Fallible engine functions return 0 on success or -1 on failure and, on
 * failure, leave a single line in the caller's struct err.  The engine never
 * prints; the CLI sends the line to stderr, the TUI to its status bar.
 */
#ifndef MLWB_ERR_H
#define MLWB_ERR_H

#include <stddef.h>

#define ERR_MAX 1024

struct err {
	char msg[ERR_MAX];
	int code; /* exit code the CLI should use: 1 failed, 2 input/usage */
};

/* Sets the message (printf style) and code 2 (bad input) unless the caller
 * changes err->code afterwards.  err may be NULL. Returns -1 so that callers
 * can write `return err_set(err, ...)`. */
int err_set(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like err_set, with an explicit exit code. */
int err_setc(struct err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts `prefix: ` in front of the existing message. */
void err_prefix(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_clear(struct err *err);

#endif
