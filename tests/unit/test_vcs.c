/* Unit tests: provenance from libgit2, against repositories made with git. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlwb/util.h"
#include "mlwb/vcs.h"

static char dir[] = "/tmp/mlwb-test-vcs-XXXXXX";

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	/* Tests must not depend on the user's git identity or hooks. */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", dir, 1);
	sh("cd %s && git init -q -b main repo && git -C repo config user.email t@example.com && "
	   "git -C repo config user.name test && mkdir plain", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", dir);
	return 0;
}

static void test_not_a_repository(void **state)
{
	struct vcs_info vi;
	struct err err;
	char *p = path_join(dir, "plain");

	(void)state;
	assert_int_equal(vcs_inspect(p, true, &vi, &err), 0);
	assert_false(vi.in_repo);
	assert_string_equal(vi.summary, "not in a git repository");
	vcs_info_free(&vi);
	free(p);
}

static void test_unborn_then_commit_then_dirty(void **state)
{
	struct vcs_info vi;
	struct err err;
	char *repo = path_join(dir, "repo");

	(void)state;
	assert_int_equal(vcs_inspect(repo, false, &vi, &err), 0);
	assert_true(vi.in_repo);
	assert_true(vi.unborn);
	assert_string_equal(vi.branch, "main");
	assert_string_equal(vi.commit, "");
	assert_string_equal(vi.summary, "branch main has no commits yet");
	vcs_info_free(&vi);

	sh("cd %s && printf 'a\\nb\\n' > f.txt && mkdir sub && echo x > sub/g.txt && git add . && "
	   "git commit -qm one", repo);
	char *sub = path_join(repo, "sub");
	assert_int_equal(vcs_inspect(sub, true, &vi, &err), 0); /* found from a subdirectory */
	assert_false(vi.unborn);
	assert_false(vi.dirty);
	assert_int_equal(strlen(vi.commit), 40);
	assert_string_equal(vi.branch, "main");
	assert_string_equal(vi.diff, "");
	char head[64] = "";
	char *cmd = xasprintf("git -C %s rev-parse HEAD", repo);
	FILE *f = popen(cmd, "r");
	assert_non_null(fgets(head, sizeof(head), f));
	pclose(f);
	free(cmd);
	assert_memory_equal(vi.commit, head, 40);
	vcs_info_free(&vi);

	/* A modified tracked file and a new untracked one: dirty, both in the diff. */
	sh("cd %s && printf 'a\\nB\\n' > f.txt && echo fresh > new.txt", repo);
	assert_int_equal(vcs_inspect(repo, true, &vi, &err), 0);
	assert_true(vi.dirty);
	assert_non_null(strstr(vi.diff, "-b\n+B\n"));
	assert_non_null(strstr(vi.diff, "+++ b/new.txt"));
	assert_non_null(strstr(vi.diff, "+fresh"));
	assert_non_null(strstr(vi.summary, "(dirty)"));
	vcs_info_free(&vi);

	/* The files git knows: tracked and new, not ignored; below a subdir
	 * relative to it. */
	sh("cd %s && echo '*.log' > .gitignore && echo x > noise.log && echo y > sub/new.txt", repo);
	struct strv files = {0};
	bool in_repo;
	assert_int_equal(vcs_tracked_files(repo, &files, &in_repo, &err), 0);
	assert_true(in_repo);
	struct sbuf all;
	sbuf_init(&all);
	for (size_t i = 0; i < files.n; i++)
		sbuf_printf(&all, "%s;", files.v[i]);
	assert_string_equal(sbuf_str(&all), "f.txt;sub/g.txt;.gitignore;new.txt;sub/new.txt;");
	strv_free(&files);
	sbuf_reset(&all);
	assert_int_equal(vcs_tracked_files(sub, &files, &in_repo, &err), 0);
	for (size_t i = 0; i < files.n; i++)
		sbuf_printf(&all, "%s;", files.v[i]);
	assert_string_equal(sbuf_str(&all), "g.txt;new.txt;");
	strv_free(&files);
	sbuf_free(&all);
	sh("cd %s && rm -f .gitignore noise.log sub/new.txt", repo);

	/* Detached HEAD: no branch. */
	sh("cd %s && git checkout -q . && rm new.txt && git checkout -q --detach", repo);
	assert_int_equal(vcs_inspect(repo, false, &vi, &err), 0);
	assert_true(vi.detached);
	assert_null(vi.branch);
	assert_false(vi.dirty);
	vcs_info_free(&vi);
	free(sub);
	free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_repository),
		cmocka_unit_test(test_unborn_then_commit_then_dirty),
	};
	return cmocka_run_group_tests_name("vcs", tests, setup, teardown);
}
