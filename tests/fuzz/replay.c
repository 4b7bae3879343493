/*
 * A fuzz target as a plain program, for `make test` (no clang needed):
 * every file under each directory given (by default the target's seed and
 * regression corpus, tests/fuzz/seed/NAME and tests/fuzz/regress/NAME) is
 * fed once to LLVMFuzzerTestOneInput; one TAP line per directory.  A crash or a
 * sanitizer report ends the program, which the test runner reports.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		perror(path);
		if (fp)
			fclose(fp);
		return -1;
	}
	/* a copy of exactly n bytes, as libFuzzer gives: overreads show */
	if ((buf = malloc(n ? (size_t)n : 1)) == NULL ||
	    fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		perror(path);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	char *corpus[] = { argv[0], "tests/fuzz/seed/" FUZZ_NAME,
	    "tests/fuzz/regress/" FUZZ_NAME, NULL };
	int failed = 0;

	if (argc < 2) {
		argc = 3;
		argv = corpus;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%d\n", argc - 1);
	for (int i = 1; i < argc; i++) {
		DIR *dp = opendir(argv[i]);
		struct dirent *de;
		char **names = NULL;
		int n = 0, bad = 0;

		if (dp == NULL) {
			/* a directory not there yet is an empty corpus */
			printf("ok %d - %s: no such directory, nothing to replay\n",
			    i, argv[i]);
			continue;
		}
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			names = realloc(names, (size_t)(n + 1) * sizeof(*names));
			if (names == NULL)
				abort();
			if (asprintf(&names[n++], "%s/%s", argv[i], de->d_name) < 0)
				abort();
		}
		closedir(dp);
		qsort(names, (size_t)n, sizeof(*names), by_name);
		for (int j = 0; j < n; j++) {
			if (run_file(names[j]) < 0)
				bad++;
			free(names[j]);
		}
		free(names);
		printf("%sok %d - %s: %d input%s replayed\n", bad ? "not " : "", i,
		    argv[i], n - bad, n - bad == 1 ? "" : "s");
		failed += bad;
	}
	return failed ? 1 : 0;
}
