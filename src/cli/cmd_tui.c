/* cmd_tui.c - `mlwb` and `mlwb tui`: the terminal UI. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlwb/tui.h"

int cmd_tui(int argc, char **argv)
{
	struct tui_options o = {0};
	struct project p;
	struct err err;
	const char *val;
	int rc, m;

	for (int i = 1; i < argc; i++) {
		if ((m = cli_opt("tui", argc, argv, &i, "--theme", &val)) != 0) {
			if (m < 0)
				return 2;
			o.theme = val;
		} else if ((m = cli_opt("tui", argc, argv, &i, "--script", &val)) != 0) {
			if (m < 0)
				return 2;
			o.script = val;
		} else if ((m = cli_opt("tui", argc, argv, &i, "--size", &val)) != 0) {
			if (m < 0)
				return 2;
			if (sscanf(val, "%dx%d", &o.cols, &o.lines) != 2 || o.cols < 10 || o.lines < 5)
				return cli_usage_error("tui", "--size takes COLSxLINES, e.g. 100x30");
		} else if ((m = cli_opt("tui", argc, argv, &i, "--open", &val)) != 0) {
			if (m < 0)
				return 2;
			o.start = val;
		} else if (!strcmp(argv[i], "--keys-md")) {
			tui_keys_markdown(stdout);
			return 0;
		} else {
			return cli_usage_error("tui", "unexpected argument %s", argv[i]);
		}
	}
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	if (!path_exists(p.db) && project_make_dirs(&p, &err) < 0) {
		rc = cli_report(&err);
	} else if (tui_main(&p, &o, &err) < 0) {
		rc = cli_report(&err);
	}
	project_free(&p);
	return rc;
}
