/* drift_out.h - drift results as the CLI prints them (cmd_drift.c), shared
 * with `mlwb monitor show`. */
#ifndef MLWB_CLI_DRIFT_OUT_H
#define MLWB_CLI_DRIFT_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "mlwb/drift.h"
#include "mlwb/jsonw.h"
#include "mlwb/util.h"

void drift_column_json(struct jsonw *w, const struct drift_column *c);
/* One line per column, drifted ones marked. */
void drift_table(FILE *f, const struct drift_column *cols, size_t n, bool color);
void drift_split_columns(const char *s, struct strv *out);

#endif
