#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "log.h"

struct config *
fuzz_load(const char *dir)
{
	char *dirs[] = { (char *)dir };
	struct diag_list dl;
	struct config *cfg;

	log_verbose = -1;
	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	if (cfg == NULL || dl.errors) {
		diag_print(&dl, stderr);
		fprintf(stderr, "fuzz: the configuration in %s does not load\n",
		    dir);
		exit(2);
	}
	diag_free(&dl);
	return cfg;
}
