/* workspace.c - snapshots of the project for runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mlwb/artifacts.h"
#include "mlwb/jsonw.h"
#include "mlwb/vcs.h"
#include "workspace.h"

static bool produced(const struct strv *products, const char *rel)
{
	for (size_t i = 0; i < products->n; i++)
		if (path_is_within(products->v[i], rel))
			return true;
	return false;
}

static int parent_dirs(const char *path, struct err *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash) {
		*slash = '\0';
		rc = path_mkdirs(dir, err);
	}
	free(dir);
	return rc;
}

/* Puts root/rel at ws/rel: a copy, or a link when `link_big` and the file
 * is large.  Symbolic links stay links. */
static int place(const char *root, const char *ws, const char *rel, bool link_big, struct err *err)
{
	char *src = path_join(root, rel), *dst = path_join(ws, rel);
	struct stat st;
	int rc = 0;

	if (lstat(src, &st) < 0 || path_exists(dst) || parent_dirs(dst, err) < 0)
		goto out; /* deleted in the work tree, or already placed */
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(src, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (symlink(target, dst) < 0)
				rc = err_setc(err, 1, "cannot link %s: %s", dst, strerror(errno));
		}
	} else if (S_ISDIR(st.st_mode)) {
		/* an untracked input directory: link it whole */
		if (symlink(src, dst) < 0)
			rc = err_setc(err, 1, "cannot link %s: %s", dst, strerror(errno));
	} else if (S_ISREG(st.st_mode)) {
		if (link_big && st.st_size >= WORKSPACE_LINK_BYTES) {
			if (link(src, dst) < 0 && symlink(src, dst) < 0)
				rc = err_setc(err, 1, "cannot link %s: %s", dst, strerror(errno));
		} else {
			rc = artifacts_copy_file(src, dst, err);
		}
	}
out:
	free(src);
	free(dst);
	return rc;
}

static int copy_tree(const char *root, const char *ws, const struct strv *products, struct err *err)
{
	struct strv files = {0};
	int rc = 0;

	if (artifacts_list_files(root, "", &files, err) < 0)
		return -1;
	for (size_t i = 0; i < files.n && rc == 0; i++) {
		const char *rel = files.v[i];
		if (str_startswith(rel, ".mlwb/") || str_startswith(rel, ".git/") || produced(products, rel))
			continue;
		rc = place(root, ws, rel, true, err);
	}
	strv_free(&files);
	return rc;
}

int workspace_create(const char *root, const char *ws, const struct strv *inputs,
		     const struct strv *products, struct err *err)
{
	struct strv tracked = {0};
	bool in_repo;
	int rc;

	if (path_mkdirs(ws, err) < 0)
		return -1;
	if (vcs_tracked_files(root, &tracked, &in_repo, err) < 0)
		return -1;
	if (!in_repo || !tracked.n) {
		/* Outside git, or in a folder git ignores: take every file. */
		rc = copy_tree(root, ws, products, err);
	} else {
		rc = 0;
		for (size_t i = 0; i < tracked.n && rc == 0; i++)
			if (!produced(products, tracked.v[i]))
				rc = place(root, ws, tracked.v[i], false, err);
		/* Inputs git does not track (data, typically): linked when big. */
		for (size_t i = 0; i < inputs->n && rc == 0; i++) {
			const char *rel = inputs->v[i];
			if (rel[0] == '/' || str_startswith(rel, "../") || produced(products, rel))
				continue;
			rc = place(root, ws, rel, true, err);
		}
	}
	strv_free(&tracked);
	if (rc < 0)
		err_prefix(err, "preparing the workspace");
	return rc;
}

/* Emits params[lo..hi) whose names share `prefix` (of length plen) as one
 * object level. The params are sorted by name. */
static void nest(struct jsonw *w, const struct kv *ps, size_t lo, size_t hi, size_t plen)
{
	jsonw_obj_begin(w);
	size_t i = lo;
	while (i < hi) {
		const char *rest = ps[i].name + plen;
		const char *dot = strchr(rest, '.');
		if (!dot) {
			jsonw_key(w, rest);
			jsonw_scalar(w, ps[i].value);
			i++;
			continue;
		}
		size_t seg = (size_t)(dot - rest);
		size_t j = i;
		while (j < hi && !strncmp(ps[j].name + plen, rest, seg) && ps[j].name[plen + seg] == '.')
			j++;
		char *key = xstrndup(rest, seg);
		jsonw_key(w, key);
		free(key);
		nest(w, ps, i, j, plen + seg + 1);
		i = j;
	}
	jsonw_obj_end(w);
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->name, ((const struct kv *)b)->name);
}

int workspace_write_params(const char *path, const struct kv *params, size_t n, struct err *err)
{
	struct kv *sorted = xcalloc(n + 1, sizeof(*sorted));
	struct jsonw w;

	if (n) {
		memcpy(sorted, params, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), kv_cmp);
	}
	jsonw_init(&w, true);
	nest(&w, sorted, 0, n, 0);
	sbuf_putc(&w.out, '\n');
	int rc = file_write_atomic(path, sbuf_str(&w.out), w.out.len, err);
	jsonw_free(&w);
	free(sorted);
	return rc;
}
