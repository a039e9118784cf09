/* util.c - memory, strings, paths, files and time helpers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "mlwb/util.h"

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void util_fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook)
		fatal_hook();
	fputs("mlwb: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		util_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		util_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		util_fatal("out of memory (%zu bytes)", n);
	return q;
}

void *xgrow(void *v, size_t n, size_t *cap, size_t first, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : first;
	return xrealloc(v, *cap * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		util_fatal("bad format string \"%s\"", fmt);
	char *buf = xmalloc((size_t)n + 1);
	vsnprintf(buf, (size_t)n + 1, fmt, ap);
	return buf;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* ---- sbuf ---- */

void sbuf_init(struct sbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void sbuf_free(struct sbuf *sb)
{
	free(sb->buf);
	sbuf_init(sb);
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static void sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sbuf_add(struct sbuf *sb, const char *s, size_t n)
{
	sbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_puts(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_putc(struct sbuf *sb, char c)
{
	sbuf_add(sb, &c, 1);
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sbuf_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *sbuf_detach(struct sbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sbuf_init(sb);
	return p;
}

const char *sbuf_str(const struct sbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

/* ---- strv ---- */

void strv_push(struct strv *sv, const char *s)
{
	XGROW(sv->v, sv->n, sv->cap, 8);
	sv->v[sv->n++] = xstrdup(s);
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* ---- strings ---- */

bool str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

size_t str_edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t *row = xmalloc((m + 1) * sizeof(*row));

	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[m];
	free(row);
	return d;
}

size_t str_display_width(const char *s)
{
	mbstate_t st;
	size_t w = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			s++;
			w++;
			continue;
		}
		int cw = wcwidth(wc);
		w += cw > 0 ? (size_t)cw : 0;
		s += n;
	}
	return w;
}

static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("_@%+=:,./-", c));
}

void str_shell_quote(struct sbuf *out, const char *s)
{
	const unsigned char *p;
	bool plain = *s != '\0';

	for (p = (const unsigned char *)s; *p && plain; p++)
		plain = shell_safe(*p);
	if (plain) {
		sbuf_puts(out, s);
		return;
	}
	sbuf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_puts(out, "'\"'\"'");
		else
			sbuf_putc(out, *s);
	}
	sbuf_putc(out, '\'');
}

bool str_to_long(const char *s, long *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool str_to_double(const char *s, double *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || (errno == ERANGE && isinf(v)))
		return false;
	*out = v;
	return true;
}

/* ---- paths ---- */

char *path_join(const char *a, const char *b)
{
	if (!*a)
		return xstrdup(b);
	if (b[0] == '/')
		return xstrdup(b);
	size_t n = strlen(a);
	return xasprintf("%s%s%s", a, (n && a[n - 1] == '/') ? "" : "/", b);
}

char *path_normalize(const char *p)
{
	struct strv parts = {0};
	bool absolute = p[0] == '/';
	const char *s = p;

	while (*s) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.' && parts.n &&
			   strcmp(parts.v[parts.n - 1], "..") != 0) {
			free(parts.v[--parts.n]);
		} else {
			char *part = xstrndup(s, n);
			strv_push(&parts, part);
			free(part);
		}
		s = e;
	}
	struct sbuf sb;
	sbuf_init(&sb);
	if (absolute)
		sbuf_putc(&sb, '/');
	for (size_t i = 0; i < parts.n; i++) {
		if (i)
			sbuf_putc(&sb, '/');
		sbuf_puts(&sb, parts.v[i]);
	}
	if (!sb.len)
		sbuf_putc(&sb, '.');
	strv_free(&parts);
	return sbuf_detach(&sb);
}

bool path_is_within(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, ".") == 0)
		return true;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

int path_mkdirs(const char *path, struct err *err)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			err_setc(err, 1, "cannot create directory %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST) {
		err_setc(err, 1, "cannot create directory %s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	if (!path_is_dir(path))
		return err_setc(err, 1, "%s exists and is not a directory", path);
	return 0;
}

bool path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int file_read_all(const char *path, char **data, size_t *len, struct err *err)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb;
	char chunk[65536];
	size_t n;

	if (!f)
		return err_set(err, "cannot read %s: %s", path, strerror(errno));
	sbuf_init(&sb);
	/* a regular file: one buffer of its size, no regrowing */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		sb.cap = (size_t)st.st_size + 1;
		sb.buf = xmalloc(sb.cap);
		sb.buf[0] = '\0';
	}
	while ((n = fread(sb.cap > sb.len + 1 ? sb.buf + sb.len : chunk, 1,
			  sb.cap > sb.len + 1 ? sb.cap - sb.len - 1 : sizeof(chunk), f)) > 0) {
		if (sb.cap > sb.len + n) { /* read in place */
			sb.len += n;
			sb.buf[sb.len] = '\0';
			continue;
		}
		sbuf_add(&sb, chunk, n);
	}
	if (ferror(f)) {
		fclose(f);
		sbuf_free(&sb);
		return err_set(err, "cannot read %s: %s", path, strerror(errno));
	}
	fclose(f);
	if (len)
		*len = sb.len;
	*data = sbuf_detach(&sb);
	return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len, struct err *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	if (fd < 0) {
		err_setc(err, 1, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err_setc(err, 1, "cannot write %s: %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			free(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		err_setc(err, 1, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* ---- time ---- */

int64_t time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double time_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void time_format_local(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

void time_format_iso(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", base, (int)(ms % 1000));
}

void time_format_duration(int64_t ms, char *buf, size_t len)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(buf, len, "%dms", (int)ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else if (ms < 3600000)
		snprintf(buf, len, "%dm%02ds", (int)(ms / 60000), (int)(ms / 1000 % 60));
	else
		snprintf(buf, len, "%dh%02dm", (int)(ms / 3600000), (int)(ms / 60000 % 60));
}
