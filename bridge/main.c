/*
 * ctlbridge command line.
 *   ctlbridge [-c DIR] [-p PROFILE [-m SPEC]...]... [-o HOST:PORT] [-P PORT] [-v]
 *   ctlbridge check [-c DIR] [FILE]...
 *   ctlbridge switch|status|reload [--control PID|PORT] ...
 *   ctlbridge monitor [--control PID|PORT] [--raw] [FILTER...]
 *   ctlbridge ports [-c DIR]
 *   ctlbridge learn [-c DIR] [-m SPEC]... [-n COUNT] [CONTROLLER NAME...]
 *   ctlbridge sheet [-c DIR] [-o FILE] PROFILE...
 * Exit status: 0 ok, 1 runtime or configuration error, 2 wrong usage.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "config.h"
#include "control.h"
#include "learn.h"
#include "ports.h"
#include "sheet.h"
#include "actions_cmd.h"
#include "log.h"
#include "util.h"

#ifndef CTLBRIDGE_DATADIR
#define CTLBRIDGE_DATADIR "/usr/local/share/ctlbridge"
#endif
#define CTLBRIDGE_VERSION "0.1.0"
#define BRIDGE_RT_PRIO 1	/* -R: JACK's threads run higher (-P 10 and up) */

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ctlbridge [-c DIR] [-p PROFILE [-m SPEC]...]... [-o HOST:PORT]\n"
	    "                 [-P PORT] [-L ADDR] [-R] [--no-watch] [-q | -v]\n"
	    "       ctlbridge check [-c DIR] [FILE]...\n"
	    "       ctlbridge switch [--control PID|PORT] [--surface N] PROFILE\n"
	    "       ctlbridge status|reload [--control PID|PORT]\n"
	    "       ctlbridge learn [-c DIR] [-m SPEC]... [-n COUNT] [CONTROLLER [NAME...]]\n"
	    "       ctlbridge monitor [--control PID|PORT] [--raw] [FILTER...]\n"
	    "       ctlbridge ports [-c DIR]\n"
	    "       ctlbridge sheet [-c DIR] [-o FILE] PROFILE...\n"
	    "       ctlbridge actions [-c DIR] [DAW]\n"
	    "\n"
	    "  -c DIR        configuration directory holding mappings/ and profiles/\n"
	    "  -p PROFILE    role profile to start in (default: engineer); each -p\n"
	    "                is a controller of its own, with the -m that follow\n"
	    "  -m SPEC       MIDI input, repeatable: auto (default), alsa[:PATTERN],\n"
	    "                jack[:PATTERN], raw:PATH (raw:- for standard input)\n"
	    "  -P PORT       the bridge's own OSC port (default: any free port)\n"
	    "  -L ADDR       the IPv4 address it listens on (default: 127.0.0.1,\n"
	    "                or 0.0.0.0 when a profile's DAW is elsewhere)\n"
	    "  -R            run the event loop realtime (SCHED_FIFO 1, below\n"
	    "                JACK's threads), where the rtprio limit allows\n"
	    "  --no-watch    do not apply edited files by themselves\n"
	    "  -o HOST:PORT  send to this DAW address instead of the dialect's\n"
	    "  -q            log errors only\n"
	    "  -v            log every message sent, with times (-vv for more)\n"
	    "  -h, --help    this text (also after check, switch, status, reload)\n"
	    "  --version     the version and where the configuration is looked for\n");
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

	/* the user's, even before it exists: a running bridge watches for
	 * it, so that a profile copied there later applies (issue: a bridge
	 * started first never saw the user's edits) */
	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/ctlbridge", xdg);
	else
		snprintf(buf, sizeof(buf), "%s/.config/ctlbridge", home ? home : "");
	if (*buf == '/')
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

/* --version: and where the data is looked for, first found first. */
static void
version(void)
{
	char *dirs[4];
	int n = default_dirs(dirs);

	printf("ctlbridge %s\n", CTLBRIDGE_VERSION);
	printf("installed data: %s%s\n", CTLBRIDGE_DATADIR,
	    is_config_dir(CTLBRIDGE_DATADIR) ? "" : " (not there)");
	printf("search path:%s\n", n ? "" : " nothing found; give -c DIR");
	for (int i = 0; i < n; i++) {
		printf("  %s%s\n", dirs[i], is_config_dir(dirs[i]) ? "" :
		    " (not there yet; files put in its profiles/ or mappings/ "
		    "apply at once)");
		free(dirs[i]);
	}
}

/* -c DIR alone, or the default search path. */
static int
search_path(const char *confdir, char **dirs)
{
	if (confdir == NULL)
		return default_dirs(dirs);
	dirs[0] = xstrdup(confdir);
	return 1;
}

static int
cmd_check(int argc, char **argv)
{
	char *dirs[4];
	const char *confdir = NULL;
	int ndirs = 0, ch, rc;
	struct diag_list dl;
	struct config *cfg;

	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
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
	if (confdir && confdir_check(confdir) < 0)
		return 1;
	ndirs = search_path(confdir, dirs);
	diag_init(&dl);
	if (optind < argc)
		cfg = config_load_files(dirs, ndirs, argv + optind, argc - optind, &dl);
	else if (ndirs == 0) {
		log_errx("no configuration directory found; give one with "
		    "-c DIR");
		diag_free(&dl);
		return 1;
	} else
		cfg = config_load(dirs, ndirs, NULL, &dl);
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

/*
 * The port of the bridge to ask: the one running, or the one --control
 * names (a pid, or a port for a bridge started with -P).  0 when there is
 * none to ask, said, with the exit status in *rc.
 */
static int
bridge_port(const char *pick, int *rc)
{
	struct control_peer peers[32];
	int npeers = control_find(peers, 32), port = 0;
	long num;

	*rc = 1;
	if (pick) {
		if (!parse_int(pick, 1, 1 << 30, &num)) {
			fprintf(stderr, "ctlbridge: --control takes a pid or a "
			    "port number\n");
			*rc = 2;
			return 0;
		}
		for (int i = 0; i < npeers; i++)
			if (peers[i].pid == num)
				port = peers[i].port;
		if (port == 0 && num <= 65535)
			port = (int)num;	/* a port, e.g. a bridge started with -P */
	} else if (npeers == 1)
		port = peers[0].port;
	else if (npeers == 0) {
		fprintf(stderr, "ctlbridge: no running bridge found; start one, "
		    "or name its port with --control PORT\n");
		return 0;
	} else {
		fprintf(stderr, "ctlbridge: %d bridges are running; pick one with "
		    "--control PID:\n", npeers);
		for (int i = 0; i < npeers; i++)
			fprintf(stderr, "  pid %d, port %d\n", peers[i].pid,
			    peers[i].port);
		*rc = 2;
		return 0;
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "ctlbridge: no bridge with pid %s\n", pick);
		return 0;
	}
	return port;
}

/* ctlbridge switch|status|reload [--control PID|PORT] ... */
static int
cmd_control(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 'C' },
		{ "surface", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0], *pick = NULL, *path, *name = NULL;
	struct control_reply rep;
	const char *err;
	long surface = 0;
	int ch, port, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "C:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			pick = optarg;
			break;
		case 's':
			if (strcmp(cmd, "switch") != 0) {
				fprintf(stderr, "ctlbridge: --surface goes with "
				    "switch only\n");
				return 2;
			}
			if (!parse_int(optarg, 1, BRIDGE_MAX_SURFACES, &surface)) {
				fprintf(stderr, "ctlbridge: --surface takes a "
				    "surface's number, 1 to %d, not '%s'\n",
				    BRIDGE_MAX_SURFACES, optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(cmd, "switch") == 0) {
		if (optind + 1 != argc) {
			fprintf(stderr, "usage: ctlbridge switch [--control PID|PORT] "
			    "[--surface N] PROFILE\n");
			return 2;
		}
		name = argv[optind];
		path = "/ctlbridge/profile";
	} else if (optind != argc) {
		fprintf(stderr, "usage: ctlbridge %s [--control PID|PORT]\n", cmd);
		return 2;
	} else
		path = strcmp(cmd, "status") == 0 ? "/ctlbridge/status" :
		    "/ctlbridge/reload";

	if ((port = bridge_port(pick, &rc)) == 0)
		return rc;
	if (control_request(port, path, name, (int)surface, &rep, &err) < 0) {
		fprintf(stderr, "ctlbridge: port %d: %s\n", port, err);
		return 1;
	}
	for (int i = 0; i < rep.nlines; i++)
		printf("%s\n", rep.lines[i]);
	ch = rep.ok ? 0 : 1;
	control_reply_free(&rep);
	return ch;
}

/* A subcommand of its own file, given the default search path (its -c
 * DIR replaces it). */
static int
with_dirs(int (*fn)(int, char **, char *const *, int), int argc, char **argv)
{
	char *dirs[4];
	int n = default_dirs(dirs), rc;

	rc = fn(argc, argv, dirs, n);
	for (int i = 0; i < n; i++)
		free(dirs[i]);
	return rc;
}

static void
monitor_usage(FILE *out)
{
	fprintf(out,
	    "usage: ctlbridge monitor [--control PID|PORT] [--raw] [FILTER...]\n"
	    "Each MIDI event, DAW report and hook of a running bridge as it\n"
	    "happens, until interrupted.  FILTER: surface=N (or N alone),\n"
	    "control=NAME, action=NAME, or a NAME of either (* ? [ glob);\n"
	    "--raw: ten tab-separated columns, for scripts.\n");
}

/* ctlbridge monitor [--control PID|PORT] [--raw] [FILTER...] */
static int
cmd_monitor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 'C' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pick = NULL;
	bool raw = false;
	int ch, port, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "C:rh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			pick = optarg;
			break;
		case 'r':
			raw = true;
			break;
		case 'h':
			monitor_usage(stdout);
			return 0;
		default:
			monitor_usage(stderr);
			return 2;
		}
	}
	if ((port = bridge_port(pick, &rc)) == 0)
		return rc;
	return monitor_run(port, raw, argv + optind, argc - optind);
}

/*
 * -p PROFILE starts a surface; the -m SPEC after it are its inputs (-m
 * before any -p belong to the first surface).  0, or -1 said.
 */
static int
surface_option(int ch, const char *arg, struct surface_spec *surfaces,
    int *nsurf)
{
	struct surface_spec *cur;

	if (ch == 'p') {
		if (*nsurf == BRIDGE_MAX_SURFACES) {
			log_errx("at most %d surfaces",
			    BRIDGE_MAX_SURFACES);
			return -1;
		}
		if (*nsurf == 1 && surfaces[0].profile == NULL)
			surfaces[0].profile = arg;	/* -m came first */
		else
			surfaces[(*nsurf)++].profile = arg;
		return 0;
	}
	if (*nsurf == 0)
		*nsurf = 1;
	cur = &surfaces[*nsurf - 1];
	if (cur->ninputs == INPUT_MAX) {
		log_errx("at most %d -m per surface",
		    INPUT_MAX);
		return -1;
	}
	if (input_spec_parse(arg, &cur->inputs[cur->ninputs]) < 0) {
		log_errx("bad MIDI input '%s' (expected auto, "
		    "alsa[:PATTERN], jack[:PATTERN] or raw:PATH)", arg);
		return -1;
	}
	/* a byte stream read twice is split between its readers: each
	 * would see some of the messages, and half a message */
	if (cur->inputs[cur->ninputs].type == INPUT_RAW)
		for (int i = 0; i < *nsurf; i++)
			for (int k = 0; k < surfaces[i].ninputs; k++)
				if (surfaces[i].inputs[k].type == INPUT_RAW &&
				    strcmp(surfaces[i].inputs[k].arg,
				    cur->inputs[cur->ninputs].arg) == 0) {
					log_errx("-m %s given twice: a byte stream is "
					    "read by one input only", arg);
					return -1;
				}
	cur->ninputs++;
	return 0;
}

/* ctlbridge SUBCOMMAND ...: its exit status, or -1 when argv[1] names no
 * subcommand (then it is the bridge itself). */
static int
subcommand(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
		int (*run_with_dirs)(int, char **, char *const *, int);
	} cmds[] = {
		{ "check", cmd_check, NULL },
		{ "switch", cmd_control, NULL },
		{ "status", cmd_control, NULL },
		{ "reload", cmd_control, NULL },
		{ "monitor", cmd_monitor, NULL },
		{ "learn", NULL, learn_main },
		{ "sheet", NULL, sheet_main },
		{ "actions", NULL, actions_main },
		{ "ports", NULL, ports_main },
	};

	if (argc < 2)
		return -1;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run ? cmds[i].run(argc - 1, argv + 1) :
			    with_dirs(cmds[i].run_with_dirs, argc - 1, argv + 1);
	return -1;
}

/* The bridge's own options.  0, or the exit status to leave with (-h and
 * --version: 0 after printing, returned as -1 so main exits 0). */
static int
bridge_options(int argc, char **argv, struct bridge_options *opt,
    struct surface_spec *surfaces, const char **confdir,
    const char **daw_text)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "port", required_argument, NULL, 'P' },
		{ "listen", required_argument, NULL, 'L' },
		{ "no-watch", no_argument, NULL, 'W' },
		{ "realtime", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, verbose = 0, nsurf = 0;
	bool quiet = false;
	long port;

	while ((ch = getopt_long(argc, argv, "c:p:m:o:P:L:Rqvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (*confdir) {
				log_errx("-c given twice");
				return 2;
			}
			*confdir = optarg;
			break;
		case 'p':
		case 'm':
			if (surface_option(ch, optarg, surfaces, &nsurf) < 0)
				return 2;
			break;
		case 'o':
			*daw_text = optarg;
			break;
		case 'P':
			if (!parse_int(optarg, 0, 65535, &port)) {
				log_errx("-P takes a port number");
				return 2;
			}
			opt->osc_port = (int)port;
			break;
		case 'L':
			if (inet_pton(AF_INET, optarg, &(struct in_addr){ 0 }) != 1) {
				log_errx("-L takes an IPv4 address (0.0.0.0: every "
				    "interface)");
				return 2;
			}
			opt->listen = optarg;
			break;
		case 'W':
			opt->no_watch = true;
			break;
		case 'R':
			opt->realtime = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			version();
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		log_errx("unknown command '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (nsurf == 0)
		nsurf = 1;
	if (surfaces[0].profile == NULL)
		surfaces[0].profile = "engineer";
	opt->nsurfaces = nsurf;
	if (quiet && verbose) {
		log_errx("-q and -v do not go together");
		return 2;
	}
	log_init("ctlbridge", quiet ? -1 : verbose);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct surface_spec surfaces[BRIDGE_MAX_SURFACES];
	struct bridge_options opt;
	char *dirs[4];
	const char *confdir = NULL, *daw_text = NULL;
	struct daw_override daw;
	int rc;

	log_init("ctlbridge", 0);
	if ((rc = subcommand(argc, argv)) >= 0)
		return rc;
	memset(&opt, 0, sizeof(opt));
	opt.dirs = dirs;
	opt.surfaces = surfaces;
	if ((rc = bridge_options(argc, argv, &opt, surfaces, &confdir,
	    &daw_text)) != 0)
		return rc < 0 ? 0 : rc;
	if (daw_text) {
		struct diag_list dl;
		diag_init(&dl);
		rc = daw_override_parse(daw_text, &daw, &dl);
		diag_log(&dl, LOG_PRIO_ERR);
		diag_free(&dl);
		if (rc < 0)
			return 1;
		opt.daw = &daw;
	}
	if (confdir && confdir_check(confdir) < 0)
		return 1;
	opt.ndirs = search_path(confdir, dirs);
	if (opt.ndirs == 0) {
		log_errx("no configuration directory found (looked in "
		    "$XDG_CONFIG_HOME/ctlbridge, %s); give one with -c DIR",
		    CTLBRIDGE_DATADIR);
		return 1;
	}
	if (opt.realtime) {
		/* the lowest realtime priority: above every ordinary process
		 * (a busy loop, a build), below JACK's own threads */
		char why[200];
		if (realtime_thread(BRIDGE_RT_PRIO, why, sizeof(why)) == 0)
			log_info("realtime: the event loop runs SCHED_FIFO, "
			    "priority %d", BRIDGE_RT_PRIO);
		else
			log_warnx("realtime (-R) asked for but not allowed: %s; "
			    "the event loop runs at normal priority", why);
	}
	rc = bridge_run(&opt);
	for (int i = 0; i < opt.ndirs; i++)
		free(dirs[i]);
	return rc;
}
