/* util.h - small shared helpers: growable strings, paths, time, memory.
 *
 * Out of memory is fatal everywhere in mlwb (xmalloc and friends abort with a
 * message after running the registered fatal hook, which the TUI uses to
 * restore the terminal first).
 */
#ifndef MLWB_UTIL_H
#define MLWB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlwb/err.h"

/* ---- memory ---- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Room for element n of a growable array of *cap elements: doubles the
 * capacity (first: the capacity of an empty one) when full, and returns the
 * array, which may have moved.  XGROW(v, n, cap, first) does it in place. */
void *xgrow(void *v, size_t n, size_t *cap, size_t first, size_t size);
#define XGROW(v, n, cap, first) ((v) = xgrow((v), (n), &(cap), (first), sizeof(*(v))))
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Called before aborting on a fatal condition (out of memory). */
void util_set_fatal_hook(void (*hook)(void));
void util_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- growable string ---- */
struct sbuf {
	char *buf; /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

void sbuf_init(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
void sbuf_add(struct sbuf *sb, const char *s, size_t n);
void sbuf_puts(struct sbuf *sb, const char *s);
void sbuf_putc(struct sbuf *sb, char c);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the buffer to the caller (who frees it) and resets sb. Never NULL. */
char *sbuf_detach(struct sbuf *sb);
/* The contents, "" when empty. Owned by sb. */
const char *sbuf_str(const struct sbuf *sb);

/* ---- growable array of strings ---- */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};

void strv_push(struct strv *sv, const char *s); /* copies s */
void strv_free(struct strv *sv);

/* ---- strings ---- */
bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
/* Levenshtein distance, for "did you mean" suggestions. */
size_t str_edit_distance(const char *a, const char *b);
/* Columns UTF-8 text takes on a terminal (wcwidth); an invalid byte
 * counts as one column. */
size_t str_display_width(const char *s);
/* Appends s quoted for /bin/sh when it is not a plain shell word, the way
 * Python's shlex.quote does: plain words (ASCII letters, digits and
 * `_@%+=:,./-`) stay as they are, anything else is single-quoted. */
void str_shell_quote(struct sbuf *out, const char *s);
/* Parses a whole string as a long / double. False on junk or overflow. */
bool str_to_long(const char *s, long *out);
bool str_to_double(const char *s, double *out);

/* ---- paths and files ---- */
/* Joins two path parts with one '/'. Caller frees. */
char *path_join(const char *a, const char *b);
/* Normalises a relative path lexically: drops "." parts, duplicate and
 * trailing slashes, folds "x/.." pairs. Caller frees. */
char *path_normalize(const char *p);
/* True when `a` equals `b` or is a directory prefix of it (a = "data",
 * b = "data/x.csv"). Both must be normalised. */
bool path_is_within(const char *a, const char *b);
/* mkdir -p. */
int path_mkdirs(const char *path, struct err *err);
bool path_is_dir(const char *path);
bool path_exists(const char *path);
/* Reads a whole file. *len may be NULL. Caller frees. */
int file_read_all(const char *path, char **data, size_t *len, struct err *err);
/* Writes a whole file through a temporary and rename, so a reader never sees
 * it half-written. */
int file_write_atomic(const char *path, const char *data, size_t len, struct err *err);

/* ---- time ---- */
/* Milliseconds since the epoch, wall clock. */
int64_t time_now_ms(void);
/* Monotonic seconds, for measuring. */
double time_mono(void);
/* Formats epoch ms as local "YYYY-MM-DD HH:MM:SS" (buf >= 20). */
void time_format_local(int64_t ms, char *buf, size_t len);
/* Formats epoch ms as UTC ISO 8601 "YYYY-MM-DDTHH:MM:SS.mmmZ" (buf >= 25). */
void time_format_iso(int64_t ms, char *buf, size_t len);
/* Formats a duration in ms compactly: "850ms", "12.3s", "4m05s", "2h03m". */
void time_format_duration(int64_t ms, char *buf, size_t len);

#endif
