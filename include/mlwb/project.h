/* project.h - finding and laying out an mlwb project on disk.
 *
 * A project is a directory holding mlwb.yaml and/or .mlwb/.  It is found by
 * walking up from the current directory, as git finds .git; the environment
 * variable MLWB_DIR names the project directory directly.
 */
#ifndef MLWB_PROJECT_H
#define MLWB_PROJECT_H

#include <stdbool.h>

#include "mlwb/err.h"

struct project {
	char *root; /* absolute */
	char *dir;  /* root/.mlwb */
	char *yaml; /* root/mlwb.yaml */
	char *db;   /* root/.mlwb/mlwb.db */
};

/* Finds the project holding `start` (NULL: the current directory).  Outside
 * a project: an error with code 2 that says how to create one. */
int project_find(const char *start, struct project *p, struct err *err);
/* Fills the paths for a project rooted at `root` without checking it. */
void project_at(const char *root, struct project *p);
/* Creates .mlwb/, its objects/ and runs/ folders and the .gitignore that
 * keeps git out of it.  Existing parts are left alone. */
int project_make_dirs(const struct project *p, struct err *err);
void project_free(struct project *p);

#endif
