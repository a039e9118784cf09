/* tui.h - the full-screen terminal UI (`mlwb`, `mlwb tui`).
 *
 * The UI reads the store and writes to it (launch, cancel, retry, marks,
 * tags); it never runs jobs.  It notices changes made by the executor or
 * other users through the database's data_version and log file sizes.
 */
#ifndef MLWB_TUI_H
#define MLWB_TUI_H

#include <stdio.h>

#include "mlwb/err.h"
#include "mlwb/project.h"

struct tui_options {
	const char *theme;  /* NULL: $MLWB_THEME, the config files, then "default" */
	const char *script; /* headless: feed the keys of this file, no terminal */
	int cols, lines;    /* headless screen size (default 100x30) */
	const char *start;  /* a command to open first, e.g. "run 3" */
};

int tui_main(const struct project *p, const struct tui_options *o, struct err *err);
/* Writes docs/keys.md's text: every key of every view, from the one table
 * the help overlay uses. */
void tui_keys_markdown(FILE *f);

#endif
