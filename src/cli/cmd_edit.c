/* cmd_edit.c - the UI's edits as commands: `mlwb tag`, `mlwb note`,
 * `mlwb delete`, `mlwb restore`, `mlwb retry`. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlwb/exec.h"

int cmd_tag(int argc, char **argv)
{
	struct project p;
	struct store *st;
	struct err err;
	int64_t id;
	int rc;

	if (argc < 3)
		return cli_usage_error("tag", "give a run and NAME=VALUE");
	if ((rc = cli_open_run("tag", argv[1], &p, &st, &id)) != 0)
		return rc;
	for (int i = 2; i < argc && rc == 0; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i]) {
			rc = cli_usage_error("tag", "a tag is NAME=VALUE, got \"%s\"", argv[i]);
			break;
		}
		char *name = xstrndup(argv[i], (size_t)(eq - argv[i]));
		if (store_tag_put(st, id, name, eq + 1, &err) < 0)
			rc = cli_report(&err);
		free(name);
	}
	if (rc == 0)
		printf("run %lld tagged\n", (long long)id);
	store_close(st);
	project_free(&p);
	return rc;
}

int cmd_note(int argc, char **argv)
{
	struct project p;
	struct store *st;
	struct err err;
	struct sbuf text;
	int64_t id;
	int rc;

	if (argc < 2)
		return cli_usage_error("note", "give a run (and the note; none clears it)");
	if ((rc = cli_open_run("note", argv[1], &p, &st, &id)) != 0)
		return rc;
	sbuf_init(&text);
	for (int i = 2; i < argc; i++)
		sbuf_printf(&text, "%s%s", i > 2 ? " " : "", argv[i]);
	if (store_run_set_note(st, id, sbuf_str(&text), &err) < 0)
		rc = cli_report(&err);
	else
		printf(text.len ? "run %lld: note saved\n" : "run %lld: note cleared\n", (long long)id);
	sbuf_free(&text);
	store_close(st);
	project_free(&p);
	return rc;
}

/* delete and restore: the trash */
static int trash(const char *cmd, int argc, char **argv, bool into)
{
	struct project p;
	struct store *st;
	struct err err;
	int rc = 0;

	if (argc < 2)
		return cli_usage_error(cmd, "give one run or more");
	for (int i = 1; i < argc; i++) {
		long v;
		if (!str_to_long(argv[i], &v) || v < 1)
			return cli_usage_error(cmd, "a run id is a positive number, got \"%s\"", argv[i]);
	}
	if ((rc = cli_find_project(&p)) != 0)
		return rc;
	if ((rc = cli_open_store(&p, &st)) != 0) {
		project_free(&p);
		return rc;
	}
	for (int i = 1; i < argc && rc == 0; i++) {
		long v;
		str_to_long(argv[i], &v);
		if (store_run_trash(st, v, into, &err) < 0)
			rc = cli_report(&err);
		else
			printf(into ? "run %ld moved to the trash (`mlwb restore %ld` brings it back)\n" : "run %ld restored\n",
			       v, v);
	}
	store_close(st);
	project_free(&p);
	return rc;
}

int cmd_delete(int argc, char **argv)
{
	return trash("delete", argc, argv, true);
}

int cmd_restore(int argc, char **argv)
{
	return trash("restore", argc, argv, false);
}

int cmd_retry(int argc, char **argv)
{
	struct project p;
	struct store *st;
	struct err err;
	int64_t id;
	int rc;

	if (argc != 3)
		return cli_usage_error("retry", "give a run and the failed task");
	if ((rc = cli_open_run("retry", argv[1], &p, &st, &id)) != 0)
		return rc;
	if (store_task_retry(st, id, argv[2], &err) < 0)
		rc = cli_report(&err);
	store_close(st);
	if (rc == 0 && exec_ensure(&p, &err) < 0)
		rc = cli_report(&err);
	if (rc == 0)
		printf("run %lld queued again from task %s\n", (long long)id, argv[2]);
	project_free(&p);
	return rc;
}
