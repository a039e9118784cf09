/* cron.c - the five-field cron syntax of schedules: (Vixie) cron's rules. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mlwb/pipeline.h"
#include "mlwb/util.h"

struct field {
	const char *name;
	int min, max;
	const char *const *names; /* names[i] is value min + i */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
					   "jul", "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const struct field fields[5] = {
	{"minute", 0, 59, NULL},
	{"hour", 0, 23, NULL},
	{"day of month", 1, 31, NULL},
	{"month", 1, 12, month_names},
	{"day of week", 0, 7, dow_names}, /* 7 is Sunday too */
};

/* A number or a name of field f at *p; advances *p. */
static bool read_value(const struct field *f, const char **p, int *out)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		long v = 0;
		while (isdigit((unsigned char)*s) && v < 1000)
			v = v * 10 + (*s++ - '0');
		*out = (int)v;
		*p = s;
		return true;
	}
	if (f->names)
		for (int i = 0; f->names[i]; i++)
			if (strncasecmp(s, f->names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
				*out = f->min + i;
				*p = s + 3;
				return true;
			}
	return false;
}

/* One field: a comma list of `*`, `a`, `a-b`, each with an optional `/n`. */
static int parse_field(const struct field *f, const char *text, uint64_t *bits, bool *star,
		       struct err *err)
{
	const char *p = text;
	*bits = 0;
	*star = strcmp(text, "*") == 0;
	for (;;) {
		int lo, hi, step = 1;
		bool range = false;
		if (*p == '*') {
			lo = f->min;
			hi = f->max;
			range = true;
			p++;
		} else {
			if (!read_value(f, &p, &lo))
				return err_set(err, "cron %s: \"%s\" is not a number%s", f->name, text,
					       f->names ? " or a name" : "");
			hi = lo;
			if (*p == '-') {
				p++;
				if (!read_value(f, &p, &hi))
					return err_set(err, "cron %s: bad range in \"%s\"", f->name, text);
				range = true;
			}
		}
		if (*p == '/') {
			p++;
			int n = 0;
			if (!isdigit((unsigned char)*p))
				return err_set(err, "cron %s: a step needs a number, in \"%s\"", f->name, text);
			while (isdigit((unsigned char)*p) && n < 1000)
				n = n * 10 + (*p++ - '0');
			if (n < 1)
				return err_set(err, "cron %s: a step must be at least 1, in \"%s\"", f->name, text);
			step = n;
			if (!range)
				hi = f->max; /* "5/15": from 5 to the end */
		}
		if (lo < f->min || hi > f->max || lo > hi)
			return err_set(err, "cron %s: %d-%d is outside %d-%d", f->name, lo, hi, f->min, f->max);
		for (int v = lo; v <= hi; v += step)
			*bits |= 1ULL << v;
		if (*p == ',') {
			p++;
			*star = false;
			continue;
		}
		if (*p)
			return err_set(err, "cron %s: unexpected \"%s\"", f->name, p);
		return 0;
	}
}

int cron_parse(const char *text, struct cron *c, struct err *err)
{
	static const struct {
		const char *name, *expansion;
	} macros[] = {
		{"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
		{"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
		{"@hourly", "0 * * * *"},
	};
	memset(c, 0, sizeof(*c));
	while (isspace((unsigned char)*text))
		text++;
	if (*text == '@') {
		for (size_t i = 0; i < sizeof(macros) / sizeof(*macros); i++)
			if (strcmp(text, macros[i].name) == 0)
				return cron_parse(macros[i].expansion, c, err);
		return err_set(err, "unknown cron macro \"%s\" (@hourly, @daily, @weekly, @monthly, @yearly)",
			       text);
	}
	char *copy = xstrdup(text), *save = NULL;
	char *part[6];
	int n = 0;
	for (char *t = strtok_r(copy, " \t", &save); t && n < 6; t = strtok_r(NULL, " \t", &save))
		part[n++] = t;
	if (n != 5) {
		free(copy);
		return err_set(err, "a cron line has 5 fields (minute hour day-of-month month day-of-week), "
				    "got %d in \"%s\"", n, text);
	}
	uint64_t bits[5];
	bool star[5];
	for (int i = 0; i < 5; i++)
		if (parse_field(&fields[i], part[i], &bits[i], &star[i], err) < 0) {
			free(copy);
			return -1;
		}
	free(copy);
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->dom = (uint32_t)bits[2];
	c->month = (uint16_t)bits[3];
	c->dow = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 -> 0 */
	c->dom_star = star[2];
	c->dow_star = star[4];
	return 0;
}

bool cron_matches(const struct cron *c, const struct tm *tm)
{
	if (!(c->minute >> tm->tm_min & 1) || !(c->hour >> tm->tm_hour & 1) ||
	    !(c->month >> (tm->tm_mon + 1) & 1))
		return false;
	bool dom = c->dom >> tm->tm_mday & 1, dow = c->dow >> tm->tm_wday & 1;
	if (!c->dom_star && !c->dow_star)
		return dom || dow;
	return dom && dow;
}
