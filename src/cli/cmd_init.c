/* cmd_init.c - `mlwb init [DIR]`. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The starter is a working pipeline in plain shell, so that `mlwb dag` and a
 * first run work before the user writes any code. */
static const char starter[] =
	"# mlwb.yaml - the pipelines of this project.  Reference: docs/mlwb-yaml.md\n"
	"# Check it with `mlwb validate`, draw it with `mlwb dag`.\n"
	"project: %s\n"
	"\n"
	"# Defaults of the params; a run overrides them with -p name=value\n"
	"# (nested names use dots: -p train.epochs=10).  ${name} in a cmd is\n"
	"# replaced by the value, shell-quoted.\n"
	"params:\n"
	"  seed: 1\n"
	"  train:\n"
	"    epochs: 5\n"
	"\n"
	"pipelines:\n"
	"  main:\n"
	"    description: a starter pipeline; replace the commands with your own\n"
	"    tasks:\n"
	"      prepare:\n"
	"        cmd: mkdir -p data && echo seed=${seed} > data/prepared.txt\n"
	"        outs: [data/prepared.txt]       # files this task writes\n"
	"      train:\n"
	"        # deps that match another task's outs make the edges of the DAG\n"
	"        cmd: mkdir -p model && wc -c < data/prepared.txt > model/model.txt && echo epochs=${train.epochs}\n"
	"        deps: [data/prepared.txt]\n"
	"        outs: [{path: model/model.txt, kind: model}]\n"
	"        retries: 0\n"
	"        timeout: 10m\n"
	"      report:\n"
	"        needs: [train]                  # an edge without a file\n"
	"        cmd: echo done\n";

int cmd_init(int argc, char **argv)
{
	const char *dir = ".";
	struct project p;
	struct err err;
	struct store *st = NULL;
	struct strv made = {0};
	char real[PATH_MAX];

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("init", "unknown option %s", argv[i]);
		if (dir[0] != '.' || dir[1])
			return cli_usage_error("init", "one directory at most");
		dir = argv[i];
	}
	if (!path_is_dir(dir)) {
		if (path_exists(dir))
			return cli_error(2, "%s exists and is not a directory", dir);
		if (path_mkdirs(dir, &err) < 0)
			return cli_report(&err);
		strv_push(&made, "the directory");
	}
	if (!realpath(dir, real))
		return cli_error(2, "%s: %s", dir, strerror(errno));
	project_at(real, &p);

	int rc = 0;
	if (!path_exists(p.yaml)) {
		char *base = xstrdup(real);
		const char *name = basename(base);
		/* A name that YAML would read as something else gets quotes. */
		struct sbuf q;
		sbuf_init(&q);
		bool plain = *name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == strlen(name);
		if (plain)
			sbuf_puts(&q, name);
		else {
			sbuf_putc(&q, '"');
			for (const char *s = name; *s; s++) {
				if (*s == '"' || *s == '\\')
					sbuf_putc(&q, '\\');
				sbuf_putc(&q, *s);
			}
			sbuf_putc(&q, '"');
		}
		char *text = xasprintf(starter, sbuf_str(&q));
		sbuf_free(&q);
		free(base);
		if (file_write_atomic(p.yaml, text, strlen(text), &err) < 0)
			rc = cli_report(&err);
		else
			strv_push(&made, "mlwb.yaml (a starter pipeline \"main\")");
		free(text);
	}
	if (!rc && !path_exists(p.db)) {
		bool had_dir = path_is_dir(p.dir);
		if (project_make_dirs(&p, &err) < 0 || store_open(p.db, STORE_CREATE, &st, &err) < 0)
			rc = cli_report(&err);
		else
			strv_push(&made, had_dir ? ".mlwb/mlwb.db (the run database)"
						 : ".mlwb/ (run database, objects/, runs/)");
		store_close(st);
	} else if (!rc && project_make_dirs(&p, &err) < 0) {
		rc = cli_report(&err);
	}
	if (!rc) {
		if (!made.n) {
			printf("%s is already an mlwb project; nothing changed\n", p.root);
		} else {
			printf("initialized an mlwb project in %s\n", p.root);
			for (size_t i = 0; i < made.n; i++)
				printf("  created %s\n", made.v[i]);
			printf("next: `mlwb validate` checks mlwb.yaml, `mlwb dag` draws it\n");
		}
	}
	strv_free(&made);
	project_free(&p);
	return rc;
}
