/* project.c - project discovery and layout. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlwb/project.h"
#include "mlwb/util.h"

void project_at(const char *root, struct project *p)
{
	p->root = xstrdup(root);
	p->dir = path_join(root, ".mlwb");
	p->yaml = path_join(root, "mlwb.yaml");
	p->db = path_join(p->dir, "mlwb.db");
}

static bool is_project(const char *dir)
{
	char *a = path_join(dir, ".mlwb"), *b = path_join(dir, "mlwb.yaml");
	bool yes = path_is_dir(a) || path_exists(b);

	free(a);
	free(b);
	return yes;
}

int project_find(const char *start, struct project *p, struct err *err)
{
	char buf[PATH_MAX];
	const char *env = getenv("MLWB_DIR");

	memset(p, 0, sizeof(*p));
	if (env && *env) {
		char *abs = realpath(env, NULL);
		if (!abs)
			return err_set(err, "MLWB_DIR=%s: %s", env, strerror(errno));
		/* Accept the .mlwb folder itself as well as the project. */
		if (str_endswith(abs, "/.mlwb")) {
			abs[strlen(abs) - 6] = '\0';
			if (!*abs)
				strcpy(abs, "/");
		}
		if (!is_project(abs)) {
			err_set(err, "MLWB_DIR=%s is not an mlwb project (no mlwb.yaml or .mlwb/); run `mlwb init %s`",
				env, env);
			free(abs);
			return -1;
		}
		project_at(abs, p);
		free(abs);
		return 0;
	}
	if (start) {
		if (!realpath(start, buf))
			return err_set(err, "%s: %s", start, strerror(errno));
	} else if (!getcwd(buf, sizeof(buf))) {
		return err_set(err, "cannot read the current directory: %s", strerror(errno));
	}
	char *dir = xstrdup(buf);
	for (;;) {
		if (is_project(dir)) {
			project_at(dir, p);
			free(dir);
			return 0;
		}
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			if (strcmp(dir, "/") && is_project("/")) {
				project_at("/", p);
				free(dir);
				return 0;
			}
			break;
		}
		*slash = '\0';
	}
	free(dir);
	return err_set(err,
		       "not inside an mlwb project (no mlwb.yaml or .mlwb/ in %s or any parent); run `mlwb init` to create one",
		       buf);
}

int project_make_dirs(const struct project *p, struct err *err)
{
	static const char *const sub[] = {"objects", "runs"};

	if (path_mkdirs(p->dir, err) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char *d = path_join(p->dir, sub[i]);
		int rc = path_mkdirs(d, err);
		free(d);
		if (rc < 0)
			return -1;
	}
	char *gi = path_join(p->dir, ".gitignore");
	int rc = 0;
	/* Keeps the database and artifacts out of git without touching the
	 * user's own .gitignore. */
	if (!path_exists(gi))
		rc = file_write_atomic(gi, "# written by mlwb: nothing in .mlwb/ belongs in git\n*\n", 54, err);
	free(gi);
	return rc;
}

void project_free(struct project *p)
{
	if (!p)
		return;
	free(p->root);
	free(p->dir);
	free(p->yaml);
	free(p->db);
	memset(p, 0, sizeof(*p));
}
