/* vcs.h - code provenance through libgit2: commit, branch, dirty flag and
 * the diff of uncommitted changes of the git work tree holding a path. */
#ifndef MLWB_VCS_H
#define MLWB_VCS_H

#include <stdbool.h>

#include "mlwb/err.h"
#include "mlwb/util.h"

struct vcs_info {
	bool in_repo;  /* false: not inside a git work tree (not an error) */
	bool unborn;   /* the branch has no commit yet */
	bool detached; /* HEAD is not on a branch */
	char *workdir; /* the work tree's root */
	char commit[41]; /* "" when unborn */
	char *branch;    /* NULL when detached */
	bool dirty;      /* tracked changes or untracked files */
	char *diff;      /* unified diff of work tree vs HEAD, untracked files
			  * included; NULL unless asked for */
	/* One line a person can read: "main@1a2b3c4 (dirty)", "not in a git
	 * repository", "branch main has no commits yet". */
	char *summary;
};

/* Inspects the repository that contains `path`.  Fails only on a real error
 * (a corrupt repository); "not a repository" is reported through
 * info->in_repo.  Caller frees with vcs_info_free. */
int vcs_inspect(const char *path, bool want_diff, struct vcs_info *info, struct err *err);

/* The .git folder of the repository holding `dir` (caller frees), or NULL
 * outside git. */
char *vcs_git_dir(const char *dir);

/* The files of directory `dir` that git knows: tracked (from the index) and
 * untracked but not ignored, as `git ls-files --cached --others
 * --exclude-standard` lists them, relative to dir.  *in_repo is false, and
 * the list empty, outside git. */
int vcs_tracked_files(const char *dir, struct strv *out, bool *in_repo, struct err *err);
void vcs_info_free(struct vcs_info *info);
/* The commit at the tip of local branch `branch` of the repository holding
 * `path`: sha is "" when there is no repository or no such branch;
 * *summary (caller frees) the commit's first line. */
int vcs_branch_tip(const char *path, const char *branch, char sha[41], char **summary, struct err *err);

#endif
