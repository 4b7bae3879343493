/*
 * Memory running out while the configuration loads and while a running
 * bridge reloads it: the N-th allocation fails (util.c's test hook,
 * alloc_fail_at) for every N from the first until one is past the last
 * the load makes.  Each attempt gives an error and nothing, or the whole
 * set; a reload that fails keeps the running set exactly; no file or
 * directory stays open, and ASan's leak check at exit finds nothing.
 * Run from the repository root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "log.h"
#include "util.h"

static int
open_fds(void)
{
	DIR *dp = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dp);
	return n;
}

static bool
says_out_of_memory(const struct diag_list *dl)
{
	for (int i = 0; i < dl->count; i++)
		if (strstr(dl->items[i].text, "out of memory") != NULL)
			return true;
	return false;
}

/* The shipped set, with allocation n failing; returns how many
 * allocations were made. */
static long
load_failing(const char *dir, long n, struct config **cfg,
    struct diag_list *dl)
{
	char *dirs[] = { (char *)dir };

	diag_init(dl);
	alloc_fail_at(n);
	*cfg = config_load(dirs, 1, NULL, dl);
	return alloc_fail_at(0);
}

static void
every_failure_of(const char *dir)
{
	struct diag_list dl;
	struct config *cfg;
	long total, n;
	int fds = open_fds(), nprofiles;

	total = load_failing(dir, 0, &cfg, &dl);
	assert_non_null(cfg);
	assert_int_equal(dl.errors, 0);
	nprofiles = cfg->nprofiles;
	config_free(cfg);
	diag_free(&dl);
	assert_true(total > 100);
	for (n = 1; ; n++) {
		long made = load_failing(dir, n, &cfg, &dl);
		if (cfg != NULL) {
			/* past the last allocation: the whole set */
			if (n <= total)
				fail_msg("complete at %ld of %ld (made %ld)", n, total, made);
			assert_int_equal(dl.errors, 0);
			assert_int_equal(cfg->nprofiles, nprofiles);
			config_free(cfg);
			diag_free(&dl);
			break;
		}
		/* an error, saying why, and it stopped where it failed */
		assert_true(n <= total);
		assert_int_equal(made, n);
		assert_true(dl.errors > 0);
		assert_true(says_out_of_memory(&dl));
		diag_free(&dl);
	}
	assert_int_equal(n, total + 1);
	assert_int_equal(open_fds(), fds);
}

static void
test_load_shipped(void **state)
{
	(void)state;
	every_failure_of(".");
}

static void
test_load_test_set(void **state)
{
	(void)state;
	every_failure_of("tests/data/config");
}

/* A real bridge on the shipped configuration, two surfaces, reloading
 * with allocation n failing for each n until a reload goes through:
 * each failed one keeps the running set, its profiles and values. */
static void
test_reload(void **state)
{
	static struct bridge br;
	static char *dirs[] = { "." };
	static struct surface_spec specs[2];
	struct bridge_options opt = {
		.dirs = dirs, .ndirs = 1, .surfaces = specs, .nsurfaces = 2,
		.no_watch = true,
	};
	long n;
	int fds;

	(void)state;
	log_verbose = -1;
	specs[0].profile = "engineer";
	specs[1].profile = "producer-midimix";
	for (int i = 0; i < 2; i++) {
		specs[i].ninputs = 1;
		specs[i].inputs[0].type = INPUT_RAW;
		specs[i].inputs[0].arg = "/dev/null";
	}
	assert_int_equal(bridge_start(&br, &opt), 0);
	fds = open_fds();
	for (n = 1; ; n++) {
		struct config *cfg = br.cfg;
		const struct profile *p0 = br.surfaces[0].eng->profile;
		const struct profile *p1 = br.surfaces[1].eng->profile;
		struct target_values *values = br.values;
		int rc;

		alloc_fail_at(n);
		rc = reload(&br, "test");
		alloc_fail_at(0);
		if (rc == 0)
			break;
		assert_true(br.reload_failed);
		assert_true(says_out_of_memory(&br.last_reload));
		assert_ptr_equal(br.cfg, cfg);
		assert_ptr_equal(br.surfaces[0].eng->profile, p0);
		assert_ptr_equal(br.surfaces[1].eng->profile, p1);
		assert_ptr_equal(br.values, values);
		assert_int_equal(open_fds(), fds);
		assert_true(n < 1000000);
	}
	assert_false(br.reload_failed);
	assert_non_null(config_profile(br.cfg, "engineer"));
	assert_string_equal(br.surfaces[1].eng->profile->name,
	    "producer-midimix");
	assert_true(n > 100);
	print_message("reload: %ld allocations failed in turn, then it went "
	    "through\n", n - 1);
	bridge_stop(&br);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_test_set),
		cmocka_unit_test(test_load_shipped),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
