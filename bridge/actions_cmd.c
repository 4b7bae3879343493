/* ctlbridge actions [-c DIR] [DAW]: the catalog, by group (the groups the
 * "unknown action" hint names), and what a dialect adds and supports. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "actions_cmd.h"
#include "config.h"
#include "util.h"

static const char *
kind(const struct action_def *a)
{
	if (a->internal)
		return "bridge";
	if (a->display)
		return "shown";
	return a->type == ACTION_TRIGGER ? "trigger" :
	    a->type == ACTION_TOGGLE ? "toggle" : "level";
}

/* What d does with a: its message, unsupported, none. */
static const char *
support(const struct dialect *d, const struct action_def *a)
{
	const struct dialect_action *da;

	if (d == NULL)
		return NULL;
	if (a->internal)
		return "yes";
	if (a->display)
		return d->reports[action_index(a)].defined ? "yes" : "no";
	da = &d->actions[action_index(a)];
	return !da->defined ? "no" : da->unsupported ? "unsupported" : "yes";
}

static size_t
group_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : strlen(name);
}

static void
list(const struct dialect *d)
{
	int n = d ? d->nactions : action_count();

	for (int i = 0; i < n; i++) {
		const struct action_def *g = d ? dialect_action_at(d, i) :
		    action_at(i);
		size_t gl = group_len(g->name);
		bool seen = false;

		for (int j = 0; j < i && !seen; j++) {
			const struct action_def *o = d ? dialect_action_at(d, j) :
			    action_at(j);
			seen = group_len(o->name) == gl &&
			    strncmp(o->name, g->name, gl) == 0;
		}
		if (seen)
			continue;
		printf("%s%.*s\n", i ? "\n" : "", (int)gl, g->name);
		for (int j = i; j < n; j++) {
			const struct action_def *a = d ? dialect_action_at(d, j) :
			    action_at(j);
			const char *s = support(d, a);
			if (group_len(a->name) != gl ||
			    strncmp(a->name, g->name, gl) != 0)
				continue;
			if (s && a->user && a->type == ACTION_CONTINUOUS)
				printf("  %-22s %-8s %-12s sends %s, %g..%g%s\n",
				    a->name, kind(a), "added", a->summary, a->min,
				    a->max, a->unit == UNIT_DB ? " dB" : "");
			else if (s)
				printf("  %-22s %-8s %-12s %s%s\n", a->name,
				    kind(a), a->user ? "added" : s,
				    a->user ? "sends " : "", a->summary);
			else
				printf("  %-22s %-8s %s\n", a->name, kind(a),
				    a->summary);
		}
	}
}

int
actions_main(int argc, char **argv, char *const *dirs, int ndirs)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char use[] = "usage: ctlbridge actions [-c DIR] [DAW]\n";
	char *confdir[1];
	const struct dialect *d = NULL;
	struct diag_list dl;
	struct config *cfg = NULL;
	int ch, rc = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			confdir[0] = optarg;
			dirs = confdir;
			ndirs = 1;
			break;
		case 'h':
			printf("%sThe actions a profile can bind, by group: name, "
			    "kind, and with a DAW\nwhether its dialect does it "
			    "(yes, no, unsupported, added: its own).\n", use);
			return 0;
		default:
			fputs(use, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fputs(use, stderr);
		return 2;
	}
	if (dirs == confdir && confdir_check(confdir[0]) < 0)
		return 1;
	if (optind < argc) {
		diag_init(&dl);
		cfg = config_load((char **)dirs, ndirs, NULL, &dl);
		if (cfg && (d = config_dialect(cfg, argv[optind])) == NULL) {
			fprintf(stderr, "ctlbridge: no DAW dialect '%s' (", argv[optind]);
			for (int i = 0; i < cfg->ndialects; i++)
				fprintf(stderr, "%s%s", i ? ", " : "",
				    cfg->dialects[i]->name);
			fprintf(stderr, ")\n");
			rc = 1;
		} else if (d && d->errors) {
			diag_print(&dl, stderr);
			rc = 1;
			d = NULL;
		}
		diag_free(&dl);
	}
	if (rc == 0) {
		if (d)
			printf("%s (%s)\n\n", d->title, d->file);
		list(d);
	}
	config_free(cfg);
	return rc;
}
