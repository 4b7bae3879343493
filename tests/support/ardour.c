/* Test support: a real headless Ardour (see ardour.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ardour.h"

int
ardour_start(const char *dir, int port, const char *tracks)
{
	char cmd[800], out[64] = "";
	int ntracks = 1;
	FILE *p;

	for (const char *s = tracks; *s; s++)
		ntracks += *s == ' ';
	snprintf(cmd, sizeof(cmd), "tests/ardour/ardour-session start "
	    "--lifetime 600 --exact-port %s/ardour %d %d %s", dir, port,
	    ntracks, tracks);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	if (pclose(p) != 0 || atoi(out) != port) {
		fprintf(stderr, "ardour did not start on %d (%s)\n", port, out);
		return -1;
	}
	return 0;
}

void
ardour_stop(const char *dir)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "tests/ardour/ardour-session stop %s/ardour "
	    ">/dev/null 2>&1", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "ardour-session stop failed\n");
}

bool
ardour_state_has(const char *dir, const char *want)
{
	char cmd[400], line[512];
	bool found = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tests/ardour/ardour-session state "
	    "%s/ardour", dir);
	if ((p = popen(cmd, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, want))
			found = true;
	pclose(p);
	return found;
}
