/* jsonw.h - a streaming JSON writer.
 *
 * jansson parses JSON in mlwb; output goes through this writer because
 * jansson prints every real with 17 significant digits (0.1 comes out as
 * 0.10000000000000001).  Here a double is printed with the fewest digits
 * that read back to the same value, non-finite numbers become null, and a
 * number can be written from its original text.
 */
#ifndef MLWB_JSONW_H
#define MLWB_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mlwb/util.h"

struct jsonw {
	struct sbuf out;
	int depth;
	bool pretty;
	bool need_comma[64];
	bool after_key;
};

void jsonw_init(struct jsonw *w, bool pretty);
void jsonw_free(struct jsonw *w);
void jsonw_obj_begin(struct jsonw *w);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w);
void jsonw_arr_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_str(struct jsonw *w, const char *s); /* NULL: null */
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v); /* NaN, inf: null */
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* A value from text: a JSON number when the text is one, true/false for
 * booleans, else a string. */
void jsonw_scalar(struct jsonw *w, const char *text);
/* Writes the document, with a final newline, and resets the buffer. */
void jsonw_flush(struct jsonw *w, FILE *f);

/* Shortest "%.Ng" (N in 1..17) that reads back as v.  buf >= 32. */
void json_format_double(double v, char *buf, size_t len);

#endif
