/* vcs.c - provenance from libgit2. */
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/util.h"
#include "mlwb/vcs.h"

static int git_fail(struct err *err, const char *what)
{
	const git_error *e = git_error_last();

	return err_setc(err, 1, "%s: %s", what, e && e->message ? e->message : "unknown git error");
}

static int diff_line(const git_diff_delta *delta, const git_diff_hunk *hunk,
		     const git_diff_line *line, void *payload)
{
	struct sbuf *sb = payload;

	(void)delta;
	(void)hunk;
	if (line->origin == GIT_DIFF_LINE_CONTEXT || line->origin == GIT_DIFF_LINE_ADDITION ||
	    line->origin == GIT_DIFF_LINE_DELETION)
		sbuf_putc(sb, line->origin);
	sbuf_add(sb, line->content, line->content_len);
	return 0;
}

static int collect_diff(git_repository *repo, git_tree *head_tree, struct vcs_info *info,
			struct err *err)
{
	git_diff_options opts;
	git_diff *diff = NULL;
	struct sbuf sb;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
		     GIT_DIFF_SHOW_UNTRACKED_CONTENT;
	if (git_diff_tree_to_workdir_with_index(&diff, repo, head_tree, &opts) < 0)
		return git_fail(err, "computing the uncommitted diff");
	sbuf_init(&sb);
	if (git_diff_print(diff, GIT_DIFF_FORMAT_PATCH, diff_line, &sb) < 0) {
		git_diff_free(diff);
		sbuf_free(&sb);
		return git_fail(err, "printing the uncommitted diff");
	}
	git_diff_free(diff);
	info->diff = sbuf_detach(&sb);
	return 0;
}

int vcs_inspect(const char *path, bool want_diff, struct vcs_info *info, struct err *err)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_status_list *status = NULL;
	int rc = -1;

	memset(info, 0, sizeof(*info));
	git_libgit2_init();
	int r = git_repository_open_ext(&repo, path, 0, NULL);
	if (r == GIT_ENOTFOUND) {
		info->summary = xstrdup("not in a git repository");
		git_libgit2_shutdown();
		return 0;
	}
	if (r < 0) {
		git_fail(err, "opening the git repository");
		git_libgit2_shutdown();
		return -1;
	}
	info->in_repo = true;
	if (git_repository_is_bare(repo)) {
		info->in_repo = false;
		info->summary = xstrdup("in a bare git repository (no work tree)");
		rc = 0;
		goto out;
	}
	info->workdir = xstrdup(git_repository_workdir(repo));
	info->unborn = git_repository_head_unborn(repo) == 1;
	info->detached = git_repository_head_detached(repo) == 1;
	if (info->unborn) {
		/* HEAD names the branch to be, even with no commit. */
		if (git_reference_lookup(&head, repo, "HEAD") == 0 &&
		    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
			const char *target = git_reference_symbolic_target(head);
			info->branch = xstrdup(str_startswith(target, "refs/heads/") ? target + 11 : target);
		}
	} else {
		if (git_repository_head(&head, repo) < 0) {
			git_fail(err, "reading HEAD");
			goto out;
		}
		if (!info->detached)
			info->branch = xstrdup(git_reference_shorthand(head));
		const git_oid *oid = git_reference_target(head);
		git_oid_tostr(info->commit, sizeof(info->commit), oid);
		if (git_commit_lookup(&commit, repo, oid) < 0 || git_commit_tree(&tree, commit) < 0) {
			git_fail(err, "reading the HEAD commit");
			goto out;
		}
	}

	git_status_options so;
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&status, repo, &so) < 0) {
		git_fail(err, "reading the work tree status");
		goto out;
	}
	info->dirty = git_status_list_entrycount(status) > 0;
	if (want_diff && collect_diff(repo, tree, info, err) < 0)
		goto out;

	if (info->unborn)
		info->summary = xasprintf("branch %s has no commits yet%s",
					  info->branch ? info->branch : "(unknown)",
					  info->dirty ? " (dirty)" : "");
	else
		info->summary = xasprintf("%s@%.7s%s", info->branch ? info->branch : "(detached)",
					  info->commit, info->dirty ? " (dirty)" : "");
	rc = 0;
out:
	git_status_list_free(status);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (rc < 0)
		vcs_info_free(info);
	return rc;
}

void vcs_info_free(struct vcs_info *info)
{
	if (!info)
		return;
	free(info->workdir);
	free(info->branch);
	free(info->diff);
	free(info->summary);
	memset(info, 0, sizeof(*info));
}

int vcs_tracked_files(const char *dir, struct strv *out, bool *in_repo, struct err *err)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	int rc = -1;

	*in_repo = false;
	git_libgit2_init();
	int r = git_repository_open_ext(&repo, dir, 0, NULL);
	if (r == GIT_ENOTFOUND || (r == 0 && git_repository_is_bare(repo))) {
		git_repository_free(repo);
		git_libgit2_shutdown();
		return 0;
	}
	if (r < 0) {
		git_fail(err, "opening the git repository");
		git_libgit2_shutdown();
		return -1;
	}
	*in_repo = true;
	/* dir relative to the work tree, with a trailing slash ("" at the top) */
	char *real = realpath(dir, NULL);
	const char *wd = git_repository_workdir(repo);
	size_t wl = strlen(wd);
	char *prefix;
	if (real && !strncmp(real, wd, wl - 1) && (real[wl - 1] == '/' || real[wl - 1] == '\0'))
		prefix = real[wl - 1] ? xasprintf("%s/", real + wl) : xstrdup("");
	else
		prefix = xstrdup("");
	free(real);
	if (git_repository_index(&index, repo) < 0) {
		git_fail(err, "reading the git index");
		goto out;
	}
	size_t n = git_index_entrycount(index), pl = strlen(prefix);
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		if (git_index_entry_stage(e) > 1 || strncmp(e->path, prefix, pl))
			continue;
		if (i > 0 && !strcmp(git_index_get_byindex(index, i - 1)->path, e->path))
			continue; /* one path in a conflict has several stages */
		strv_push(out, e->path + pl);
	}
	/* New files not yet added: a script written a minute ago belongs in
	 * the run as much as a committed one. */
	git_status_options so;
	git_status_list *status = NULL;
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		   GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	char *spec = pl ? xstrndup(prefix, pl - 1) : NULL; /* "sub", not "sub/" */
	if (spec) {
		so.pathspec.strings = &spec;
		so.pathspec.count = 1;
	}
	int sr = git_status_list_new(&status, repo, &so);
	free(spec);
	if (sr < 0) {
		git_fail(err, "reading the work tree status");
		goto out;
	}
	for (size_t i = 0; i < git_status_list_entrycount(status); i++) {
		const git_status_entry *e = git_status_byindex(status, i);
		if (e->status != GIT_STATUS_WT_NEW || !e->index_to_workdir)
			continue;
		const char *path = e->index_to_workdir->new_file.path;
		if (!strncmp(path, prefix, pl))
			strv_push(out, path + pl);
	}
	git_status_list_free(status);
	rc = 0;
out:
	free(prefix);
	git_index_free(index);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

char *vcs_git_dir(const char *dir)
{
	git_repository *repo = NULL;
	char *out = NULL;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, dir, 0, NULL) == 0) {
		out = xstrdup(git_repository_commondir(repo));
		git_repository_free(repo);
	}
	git_libgit2_shutdown();
	return out;
}

int vcs_branch_tip(const char *path, const char *branch, char sha[41], char **summary, struct err *err)
{
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	git_commit *commit = NULL;
	int rc = -1;

	sha[0] = '\0';
	*summary = NULL;
	git_libgit2_init();
	int r = git_repository_open_ext(&repo, path, 0, NULL);
	if (r == GIT_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (r < 0) {
		git_fail(err, "opening the git repository");
		goto out;
	}
	char *name = xasprintf("refs/heads/%s", branch);
	r = git_reference_lookup(&ref, repo, name);
	free(name);
	if (r == GIT_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	const git_oid *oid;
	git_reference *resolved = NULL;
	if (r < 0 || git_reference_resolve(&resolved, ref) < 0 || !(oid = git_reference_target(resolved))) {
		git_reference_free(resolved);
		git_fail(err, "reading the branch");
		goto out;
	}
	git_oid_tostr(sha, 41, oid);
	if (git_commit_lookup(&commit, repo, oid) == 0 && git_commit_summary(commit))
		*summary = xstrdup(git_commit_summary(commit));
	git_reference_free(resolved);
	rc = 0;
out:
	git_commit_free(commit);
	git_reference_free(ref);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}
