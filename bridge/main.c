/*
 * ctlbridge command line.
 *   ctlbridge [-c DIR] [-p PROFILE] [-m SPEC]... [-o HOST:PORT] [-v]
 *   ctlbridge check [-c DIR] [FILE]...
 * Exit status: 0 ok, 1 runtime or configuration error, 2 wrong usage.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "config.h"
#include "log.h"
#include "util.h"

#ifndef CTLBRIDGE_DATADIR
#define CTLBRIDGE_DATADIR "/usr/local/share/ctlbridge"
#endif
#define CTLBRIDGE_VERSION "0.1.0"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ctlbridge [-c DIR] [-p PROFILE] [-m SPEC]... [-o HOST:PORT] [-v]\n"
	    "       ctlbridge check [-c DIR] [FILE]...\n"
	    "\n"
	    "  -c DIR        configuration directory holding mappings/ and profiles/\n"
	    "  -p PROFILE    role profile to start in (default: engineer)\n"
	    "  -m SPEC       MIDI input, repeatable: auto (default), alsa[:PATTERN],\n"
	    "                jack[:PATTERN], raw:PATH (raw:- for standard input)\n"
	    "  -o HOST:PORT  send to this DAW address instead of the dialect's\n"
	    "  -v            log every message sent (-vv for more)\n"
	    "  -h, --help    this text\n"
	    "  --version     the version\n");
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_config_dir(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/mappings", path);
	if (is_dir(buf))
		return true;
	snprintf(buf, sizeof(buf), "%s/profiles", path);
	return is_dir(buf);
}

/* The default search path: user's, installed, then the source tree the
 * binary was built in (build/ctlbridge or build/asan/ctlbridge). */
static int
default_dirs(char **dirs)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char buf[PATH_MAX], exe[PATH_MAX];
	ssize_t n;
	int count = 0;

	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/ctlbridge", xdg);
	else
		snprintf(buf, sizeof(buf), "%s/.config/ctlbridge", home ? home : "");
	if (is_config_dir(buf))
		dirs[count++] = xstrdup(buf);
	if (is_config_dir(CTLBRIDGE_DATADIR))
		dirs[count++] = xstrdup(CTLBRIDGE_DATADIR);
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		char *dir;
		exe[n] = '\0';
		dir = dirname(exe);
		for (int up = 0; up < 3; up++) {
			snprintf(buf, sizeof(buf), "%s/profiles", dir);
			if (is_dir(buf) && is_config_dir(dir)) {
				dirs[count++] = xstrdup(dir);
				break;
			}
			dir = dirname(dir);
		}
	}
	return count;
}

static int
cmd_check(int argc, char **argv)
{
	char *dirs[4];
	const char *confdir = NULL;
	int ndirs = 0, ch, rc;
	struct diag_list dl;
	struct config *cfg;

	optind = 1;
	while ((ch = getopt(argc, argv, "c:h")) != -1) {
		switch (ch) {
		case 'c':
			confdir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (confdir)
		dirs[ndirs++] = xstrdup(confdir);
	else
		ndirs = default_dirs(dirs);
	diag_init(&dl);
	if (optind < argc)
		cfg = config_load_files(dirs, ndirs, argv + optind, argc - optind, &dl);
	else if (ndirs == 0) {
		fprintf(stderr, "ctlbridge: no configuration directory found; "
		    "give one with -c DIR\n");
		diag_free(&dl);
		return 1;
	} else
		cfg = config_load(dirs, ndirs, &dl);
	diag_print(&dl, stdout);
	if (dl.errors == 0)
		fprintf(stderr, "ok: %d controller%s, %d DAW dialect%s, %d "
		    "profile%s; %d warning%s\n", cfg->ncontrollers,
		    cfg->ncontrollers == 1 ? "" : "s", cfg->ndialects,
		    cfg->ndialects == 1 ? "" : "s", cfg->nprofiles,
		    cfg->nprofiles == 1 ? "" : "s", dl.warnings,
		    dl.warnings == 1 ? "" : "s");
	rc = dl.errors ? 1 : 0;
	diag_free(&dl);
	config_free(cfg);
	for (int i = 0; i < ndirs; i++)
		free(dirs[i]);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct bridge_options opt;
	struct input_spec inputs[16];
	char *dirs[4];
	const char *confdir = NULL;
	int ch, verbose = 0, rc;

	log_init("ctlbridge", 0);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);

	memset(&opt, 0, sizeof(opt));
	opt.profile = "engineer";
	opt.inputs = inputs;
	opt.dirs = dirs;
	while ((ch = getopt_long(argc, argv, "c:p:m:o:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (confdir) {
				fprintf(stderr, "ctlbridge: -c given twice\n");
				return 2;
			}
			confdir = optarg;
			break;
		case 'p':
			opt.profile = optarg;
			break;
		case 'm':
			if (opt.ninputs == 16 ||
			    input_spec_parse(optarg, &inputs[opt.ninputs]) < 0) {
				fprintf(stderr, "ctlbridge: bad MIDI input '%s' "
				    "(expected auto, alsa[:PATTERN], jack[:PATTERN] "
				    "or raw:PATH)\n", optarg);
				return 2;
			}
			opt.ninputs++;
			break;
		case 'o':
			opt.daw = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ctlbridge %s\n", CTLBRIDGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ctlbridge: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	log_init("ctlbridge", verbose);
	if (confdir)
		dirs[opt.ndirs++] = xstrdup(confdir);
	else
		opt.ndirs = default_dirs(dirs);
	if (opt.ndirs == 0) {
		log_warnx("no configuration directory found (looked in "
		    "$XDG_CONFIG_HOME/ctlbridge, %s); give one with -c DIR",
		    CTLBRIDGE_DATADIR);
		return 1;
	}
	rc = bridge_run(&opt);
	for (int i = 0; i < opt.ndirs; i++)
		free(dirs[i]);
	return rc;
}
