/* err.c - the error struct every fallible engine call fills. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mlwb/err.h"

static void vset(struct err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->code = code;
}

int err_set(struct err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, 2, fmt, ap);
	va_end(ap);
	return -1;
}

int err_setc(struct err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

void err_prefix(struct err *err, const char *fmt, ...)
{
	char both[2 * ERR_MAX + 2];
	va_list ap;
	int n;

	if (!err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(both, ERR_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= ERR_MAX)
		n = ERR_MAX - 1;
	both[n++] = ':';
	both[n++] = ' ';
	memcpy(both + n, err->msg, ERR_MAX);
	both[n + ERR_MAX - 1] = '\0';
	memcpy(err->msg, both, ERR_MAX - 1);
	err->msg[ERR_MAX - 1] = '\0';
}

void err_clear(struct err *err)
{
	if (err) {
		err->msg[0] = '\0';
		err->code = 0;
	}
}
