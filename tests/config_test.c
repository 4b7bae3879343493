/*
 * Tests for the configuration loader (config*.c, ini_read.c, util.c):
 * golden diagnostics for every file in tests/data/bad, the shipped and the
 * test configuration loading clean, range expansion, control lookup,
 * precompiled OSC messages, -o overrides and port patterns.
 * Run from the repository root (paths are relative to it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"
#include "diag.h"
#include "input.h"
#include "feedback.h"

#define TEST_CONFIG "tests/data/config"
#define BAD_DIR "tests/data/bad"

static char *test_dirs[] = { TEST_CONFIG };
static char *shipped_dirs[] = { "." };

/* ---- helpers ---- */

static char *
read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	n = (long)fread(buf, 1, (size_t)n, fp);
	buf[n] = '\0';
	fclose(fp);
	/* the file ends in a newline; the joined diagnostics do not */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return buf;
}

/* Every diagnostic, as diag_print prints them, joined with '\n'. */
static char *
join_diags(const struct diag_list *dl)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < dl->count; i++)
		len += strlen(dl->items[i].text) + 1;
	s = calloc(1, len);
	assert_non_null(s);
	for (int i = 0; i < dl->count; i++) {
		if (i)
			strcat(s, "\n");
		strcat(s, dl->items[i].text);
	}
	return s;
}

/* Print expected and actual line by line: "  " same, "- " expected only,
 * "+ " actual only (a plain positional comparison, enough for a few lines). */
static void
print_diff(const char *path, const char *expected_path, const char *want,
    const char *got)
{
	const char *w = want, *g = got;

	print_message("%s: diagnostics differ from %s (- expected, + got):\n",
	    path, expected_path);
	while (*w || *g) {
		size_t wl = strcspn(w, "\n"), gl = strcspn(g, "\n");
		if (wl == gl && strncmp(w, g, wl) == 0 && (*w || *g))
			print_message("    %.*s\n", (int)wl, w);
		else {
			if (*w)
				print_message("  - %.*s\n", (int)wl, w);
			if (*g)
				print_message("  + %.*s\n", (int)gl, g);
		}
		w += wl + (w[wl] == '\n');
		g += gl + (g[gl] == '\n');
	}
}

static void
print_diags(const struct diag_list *dl)
{
	for (int i = 0; i < dl->count; i++)
		print_message("  %s\n", dl->items[i].text);
}

static struct config *
load_clean(char **dirs, int ndirs)
{
	struct diag_list dl;
	struct config *cfg;

	diag_init(&dl);
	cfg = config_load(dirs, ndirs, NULL, &dl);
	assert_non_null(cfg);
	if (dl.count)
		print_diags(&dl);
	assert_int_equal(dl.errors, 0);
	assert_int_equal(dl.warnings, 0);
	diag_free(&dl);
	return cfg;
}

/* The named files alone, as `ctlbridge check FILE...`: no diagnostic. */
static struct config *
load_files_clean(char **files, int nfiles)
{
	struct diag_list dl;
	struct config *cfg;

	diag_init(&dl);
	cfg = config_load_files(test_dirs, 1, files, nfiles, &dl);
	assert_non_null(cfg);
	if (dl.count)
		print_diags(&dl);
	assert_int_equal(dl.count, 0);
	diag_free(&dl);
	return cfg;
}

static int
control_named(const struct controller *c, const char *name)
{
	for (int i = 0; i < c->ncontrols; i++)
		if (strcmp(c->controls[i].name, name) == 0)
			return i;
	fail_msg("controller %s has no control %s", c->name, name);
	return -1;
}

static const struct binding *
binding_of(const struct profile *p, const char *control)
{
	int ci = control_named(p->controller, control);
	int bi = p->by_control[ci];

	if (bi < 0)
		fail_msg("profile %s does not bind %s", p->name, control);
	return &p->bindings[bi];
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- golden diagnostics ---- */

static void
test_bad_files_golden(void **state)
{
	DIR *dp = opendir(BAD_DIR);
	struct dirent *de;
	char **names = NULL;
	int n = 0, failed = 0;

	(void)state;
	assert_non_null(dp);
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".ini") == 0) {
			names = realloc(names, (size_t)(n + 1) * sizeof(*names));
			assert_non_null(names);
			names[n] = strdup(de->d_name);
			assert_non_null(names[n]);
			n++;
		}
	}
	closedir(dp);
	qsort(names, (size_t)n, sizeof(*names), cmp_names);
	assert_true(n >= 40);

	for (int i = 0; i < n; i++) {
		char path[512], expected_path[512];
		char *files[1] = { path };
		struct diag_list dl;
		struct config *cfg;
		char *want, *got;
		bool warn_only = strncmp(names[i], "warn-", 5) == 0;

		snprintf(path, sizeof(path), "%s/%s", BAD_DIR, names[i]);
		snprintf(expected_path, sizeof(expected_path), "%s/%.*s.expected",
		    BAD_DIR, (int)(strlen(names[i]) - 4), names[i]);
		diag_init(&dl);
		cfg = config_load_files(test_dirs, 1, files, 1, &dl);
		assert_non_null(cfg);
		got = join_diags(&dl);
		want = read_text(expected_path);
		if (want == NULL) {
			print_message("%s: missing %s; the loader said:\n%s\n",
			    path, expected_path, got);
			failed++;
		} else if (strcmp(want, got) != 0) {
			print_diff(path, expected_path, want, got);
			failed++;
		}
		if (warn_only && (dl.errors != 0 || dl.warnings == 0)) {
			print_message("%s: a warn- file must give warnings and no "
			    "errors (%d errors, %d warnings)\n", path, dl.errors,
			    dl.warnings);
			failed++;
		} else if (!warn_only && dl.errors == 0) {
			print_message("%s: no error reported\n", path);
			failed++;
		}
		free(want);
		free(got);
		diag_free(&dl);
		config_free(cfg);
		free(names[i]);
	}
	free(names);
	assert_int_equal(failed, 0);
}

/* The mistakes the golden files must cover, so none is lost by a rename. */
static void
test_bad_files_coverage(void **state)
{
	static const char *const need[] = {
		"ctl-unknown-key", "daw-unknown-key", "prof-unknown-key",
		"ctl-unknown-section", "daw-unknown-section",
		"prof-unknown-section", "ctl-key-outside-section",
		"ctl-no-equals", "ctl-long-line", "ctl-unterminated-quote",
		"prof-unterminated-quote", "ctl-unknown-kind", "ctl-cc-128",
		"ctl-channel-17", "ctl-duplicate-name", "ctl-same-message",
		"ctl-cc14-overlap-lsb", "ctl-cc14-overlap-msb",
		"ctl-bad-name-range", "ctl-range-count", "prof-range-count",
		"prof-unknown-action", "daw-unknown-action",
		"prof-unknown-control", "prof-duplicate-binding",
		"prof-duplicate-binding-range", "prof-track-zero",
		"prof-missing-track", "prof-label-on-gain", "prof-track-on-play",
		"prof-min-above-max", "prof-taper-fader-min",
		"prof-step-absolute", "prof-missing-controller-file",
		"prof-missing-daw-file", "ctl-missing-controller-section",
		"daw-missing-daw-section", "prof-missing-profile-section",
		"daw-address-no-slash", "daw-bad-arg-type", "daw-track-no-track",
		"daw-unknown-placeholder", "daw-int-not-numeric",
		"warn-unsupported", "prof-missing-plugin", "daw-split-not-toggle",
		"daw-split-with-value", "daw-plugin-no-plugin", "daw-meter-range",
		"daw-none-misplaced", "daw-bad-report", "prof-missing-daw-meter",
		"prof-not-utf8", "warn-level-on-button", "warn-option-twice",
		"daw-user-no-dot", "daw-user-value-no-range",
		"daw-user-range-no-value", "daw-user-bad-range",
		"daw-user-range-not-numbers", "daw-user-unknown-option",
		"daw-user-unknown-placeholder", "daw-user-bad-arg",
		"daw-user-duplicate", "daw-user-feedback-trigger",
		"daw-user-taper-not-gain", "daw-user-split-with-value",
		"daw-user-text-level", "prof-osc-no-range", "prof-osc-bad-arg",
		"prof-osc-no-address", "prof-osc-unknown-option",
		"prof-osc-track-placeholder", "prof-user-min-on-trigger",
		"prof-user-missing-track", "prof-user-outside-range",
		"prof-action-shadows-catalog", "prof-action-shadows-dialect",
		"prof-action-duplicate", "prof-action-no-dot",
		"prof-action-value-no-range", "prof-action-unknown-placeholder",
		"prof-action-unknown-option", "prof-action-missing-track",
		"prof-feedback-not-own", "prof-feedback-trigger",
		"prof-feedback-none-level", "prof-feedback-twice",
		"prof-feedback-not-oneoff",
		"prof-unknown-own-action", "prof-unknown-action-near",
		"prof-unknown-dialect-action",
		"ctl-layout-unknown-widget", "ctl-layout-no-control",
		"ctl-layout-placed-twice", "ctl-layout-overlap",
		"ctl-layout-uneven-range", "ctl-layout-bad-row",
		"ctl-layout-unknown-word", "ctl-layout-no-column",
		"prof-hook-unknown-event", "prof-hook-unknown-action",
		"prof-hook-continuous", "prof-hook-no-profile",
		"prof-hook-loop-self", "prof-hook-toggle-no-state",
		"prof-hook-state-on-trigger", "prof-hook-control-option",
		"prof-hook-duplicate-event", "prof-hook-empty-action",
		"prof-hook-track-range", "prof-hook-two-switches",
		"daw-max-rate",
		"daw-bundle-value",
	};
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		FILE *fp;
		snprintf(path, sizeof(path), "%s/%s.ini", BAD_DIR, need[i]);
		if ((fp = fopen(path, "r")) == NULL)
			fail_msg("missing %s", path);
		fclose(fp);
	}
}

/* ---- [on] hooks ---- */

/* A profile's [on] lines: each event's actions in order, with their
 * messages and values; the switch each makes. */
static void
test_hooks_compiled(void **state)
{
	char *dirs[] = { "tests/data/hooks" };
	struct config *cfg;
	const struct profile *m, *t;
	const struct hook *h;

	(void)state;
	cfg = load_clean(dirs, 1);
	m = config_profile(cfg, "hk-main");
	t = config_profile(cfg, "hk-takes");
	assert_non_null(m);
	assert_non_null(t);

	h = &m->hooks[HOOK_RECORDING_START];
	assert_int_equal(h->nactions, 2);
	assert_int_equal(h->line, 12);
	assert_string_equal(h->actions[0].b.action->name, "profile.switch");
	assert_string_equal(binding_profile(&h->actions[0].b), "hk-takes");
	assert_int_equal(h->actions[0].b.control, CONTROL_NONE);
	assert_string_equal(h->actions[1].b.action->name, "marker.add");
	/* the comma inside the quotes is the label's */
	assert_string_equal(binding_label(&h->actions[1].b), "Take {take}, rolling");
	assert_string_equal(h->actions[1].b.msg.address, "/marker/add");
	assert_ptr_equal(hook_switch(cfg, m, h, NULL), t);

	h = &m->hooks[HOOK_TRANSPORT_STOP];
	assert_int_equal(h->nactions, 2);
	assert_string_equal(h->actions[0].b.msg.address, "/play");
	assert_true(h->actions[0].value == 1);
	assert_string_equal(h->actions[1].b.action->name, "track.mute");
	assert_int_equal(h->actions[1].b.track, 3);
	assert_true(h->actions[1].value == 0);	/* off */
	assert_null(hook_switch(cfg, m, h, NULL));

	/* a one-off message */
	h = &m->hooks[HOOK_DAW_CONNECTED];
	assert_int_equal(h->nactions, 1);
	assert_string_equal(h->actions[0].b.msg.address, "/strip/name");
	assert_string_equal(h->text, "osc /strip/name i:1 s:Ready");

	assert_int_equal(m->hooks[HOOK_DAW_LOST].nactions, 0);
	assert_int_equal(m->hooks[HOOK_RECORDING_STOP].nactions, 0);
	assert_ptr_equal(hook_switch(cfg, t, &t->hooks[HOOK_RECORDING_STOP],
	    NULL), m);
	assert_true(t->hooks[HOOK_RECORDING_START].actions[0].value == 1);

	assert_int_equal(hook_event_find("daw.lost"), HOOK_DAW_LOST);
	assert_int_equal(hook_event_find("daw.gone"), -1);
	assert_string_equal(hook_event_name(HOOK_TRANSPORT_START),
	    "transport.start");
	config_free(cfg);
}

/* A loop is a chain of switches within one event that comes back to a
 * profile it left, through profile.switch or .next; said once per loop,
 * at its first profile.  a -> b -> c -> b: b's line; a -> b -> c -> a
 * by profile.next: a's line; c's recording.stop back to a is no loop. */
static void
test_hooks_loops(void **state)
{
	char *dirs[] = { "tests/data/hookloop" };
	struct diag_list dl;
	struct config *cfg;
	char *got;

	(void)state;
	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	assert_non_null(cfg);
	got = join_diags(&dl);
	assert_string_equal(got,
	    "tests/data/hookloop/profiles/hl-b.ini:10: 'recording.start' loops: "
	    "hl-b -> hl-c -> hl-b (within one event a chain of switches must "
	    "not come back to a profile it left)\n"
	    "tests/data/hookloop/profiles/hl-a.ini:11: 'transport.stop' loops: "
	    "hl-a -> hl-b -> hl-c -> hl-a (within one event a chain of switches "
	    "must not come back to a profile it left)");
	free(got);
	diag_free(&dl);
	config_free(cfg);
}

static void
test_unsupported_warning_text(void **state)
{
	char *files[] = { BAD_DIR "/warn-unsupported.ini" };
	struct diag_list dl;
	struct config *cfg;
	const struct profile *p;

	(void)state;
	diag_init(&dl);
	cfg = config_load_files(test_dirs, 1, files, 1, &dl);
	assert_int_equal(dl.errors, 0);
	assert_int_equal(dl.warnings, 1);
	assert_int_equal(dl.items[0].severity, DIAG_WARNING);
	assert_string_equal(dl.items[0].text,
	    "tests/data/bad/warn-unsupported.ini:8: warning: Test DAW cannot do "
	    "'take.discard' (declared unsupported at "
	    "tests/data/config/mappings/daws/testdaw.ini:25): the binding does "
	    "nothing");
	/* the binding exists, inert: no message to send */
	p = config_profile(cfg, "warn-unsupported");
	assert_non_null(p);
	assert_null(binding_of(p, "rec")->msg.address);
	assert_non_null(binding_of(p, "play")->msg.address);
	diag_free(&dl);
	config_free(cfg);
}

/* ---- clean configurations ---- */

static void
test_shipped_config_clean(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load_clean(shipped_dirs, 1);
	/* every shipped file loads clean; the core pair is among them */
	assert_true(cfg->ncontrollers >= 1);
	assert_true(cfg->ndialects >= 1);
	assert_true(cfg->nprofiles >= 2);
	assert_non_null(config_profile(cfg, "engineer"));
	assert_non_null(config_profile(cfg, "producer"));
	assert_non_null(config_controller(cfg, "nanokontrol2"));
	assert_non_null(config_dialect(cfg, "ardour"));
	assert_null(config_profile(cfg, "nosuch"));
	/* the dialect defines every action of the catalog but the bridge's
	 * own (profile.*), which no dialect may define */
	for (int i = 0; i < action_count(); i++) {
		const struct dialect *d = config_dialect(cfg, "ardour");
		if (action_at(i)->display)	/* reported, never sent */
			assert_true(d->reports[i].defined && !d->actions[i].defined);
		else
			assert_true(d->actions[i].defined == !action_at(i)->internal);
	}
	config_free(cfg);
}

static void
test_test_config_clean(void **state)
{
	char *files[] = {
		TEST_CONFIG "/mappings/controllers/testctl.ini",
		TEST_CONFIG "/mappings/daws/testdaw.ini",
		TEST_CONFIG "/profiles/good.ini",
		TEST_CONFIG "/profiles/alt.ini",
	};
	struct config *cfg;
	const struct profile *p;

	(void)state;
	cfg = load_clean(test_dirs, 1);
	/* every test file loads clean */
	assert_true(cfg->ncontrollers >= 1);
	assert_true(cfg->ndialects >= 1);
	assert_true(cfg->nprofiles >= 2);
	p = config_profile(cfg, "good");
	assert_non_null(p);
	assert_string_equal(p->title, "Good");
	assert_string_equal(p->controller->title, "Test Controller");
	assert_string_equal(p->dialect->title, "Test DAW");
	assert_string_equal(p->host, "127.0.0.1");
	assert_int_equal(p->port, 9000);
	assert_int_equal(p->proto, OSC_UDP);
	assert_true(p->dialect->db_floor == -100);
	assert_int_equal(config_profile(cfg, "alt")->port, 9001);
	/* every control but one is bound */
	assert_int_equal(p->nbindings, p->controller->ncontrols - 1);
	assert_int_equal(p->by_control[control_named(p->controller, "spare")], -1);
	config_free(cfg);

	/* the same files checked one by one (ctlbridge check FILE...) */
	cfg = load_files_clean(files, 4);
	assert_true(cfg->ncontrollers >= 1);
	assert_true(cfg->ndialects >= 1);
	assert_true(cfg->nprofiles >= 2);
	config_free(cfg);
}

/* [ controls ] is [controls]; indented lines are ordinary lines. */
static void
test_spaced_section_names(void **state)
{
	char *files[] = { "tests/data/misc/ctl-spaced-sections.ini" };
	struct config *cfg;
	const struct controller *c;

	(void)state;
	cfg = load_files_clean(files, 1);
	c = config_controller(cfg, "ctl-spaced-sections");
	assert_non_null(c);
	assert_string_equal(c->title, "Spaced");
	assert_string_equal(c->port_pattern, "spaced");
	assert_int_equal(c->ncontrols, 3);
	assert_int_equal(c->controls[control_named(c, "play")].number, 41);
	assert_int_equal(c->controls[control_named(c, "play")].mode, MODE_BUTTON);
	config_free(cfg);
}

/* The default channel applies to every control, also those above it; a
 * BOM before the first line does not hide the file's kind. */
static void
test_channel_after_controls(void **state)
{
	char *files[] = { "tests/data/misc/ctl-channel-after-controls.ini" };
	struct config *cfg;
	const struct controller *c;

	(void)state;
	cfg = load_files_clean(files, 1);
	c = config_controller(cfg, "ctl-channel-after-controls");
	assert_non_null(c);
	assert_int_equal(c->controls[control_named(c, "play")].channel, 1);
	assert_int_equal(c->controls[control_named(c, "fader")].channel, 2);
	config_free(cfg);
}

/* An action defined twice, the first time wrongly: both lines reported,
 * the action left undefined, nothing leaked (ASan build). */
static void
test_dialect_redefined_after_error(void **state)
{
	char *files[] = { "tests/data/misc/daw-redefined-after-error.ini" };
	struct diag_list dl;
	struct config *cfg;
	const struct dialect *d;

	(void)state;
	diag_init(&dl);
	cfg = config_load_files(test_dirs, 1, files, 1, &dl);
	assert_int_equal(dl.errors, 2);
	assert_string_equal(dl.items[1].text,
	    "tests/data/misc/daw-redefined-after-error.ini:7: action "
	    "'transport.play' is already defined at line 6");
	d = config_dialect(cfg, "daw-redefined-after-error");
	assert_non_null(d);
	assert_false(d->actions[action_index(action_find("transport.play"))].defined);
	diag_free(&dl);
	config_free(cfg);
}

static void
test_missing_file(void **state)
{
	char *files[] = { "tests/data/nosuch.ini" };
	struct diag_list dl;
	struct config *cfg;

	(void)state;
	diag_init(&dl);
	cfg = config_load_files(test_dirs, 1, files, 1, &dl);
	assert_int_equal(dl.errors, 1);
	assert_string_equal(dl.items[0].text,
	    "tests/data/nosuch.ini: cannot open: No such file or directory");
	diag_free(&dl);
	config_free(cfg);
}

/* ---- ranges ---- */

static void
test_range_expansion(void **state)
{
	struct config *cfg;
	const struct controller *c;
	const struct profile *p;
	char name[32];

	(void)state;
	cfg = load_clean(test_dirs, 1);
	c = config_controller(cfg, "testctl");
	assert_non_null(c);

	/* fader1..8 = cc 0..7: eight controls, in order */
	for (int i = 0; i < 8; i++) {
		const struct control *ctl = &c->controls[i];
		snprintf(name, sizeof(name), "fader%d", i + 1);
		assert_string_equal(ctl->name, name);
		assert_int_equal(ctl->kind, CONTROL_CC);
		assert_int_equal(ctl->mode, MODE_ABSOLUTE);
		assert_int_equal(ctl->channel, 0);
		assert_int_equal(ctl->number, i);
		assert_int_equal(ctl->max, 127);
		assert_int_equal(ctl->line, 11);
	}
	assert_null(strstr(c->controls[8].name, "fader"));
	/* knob1..4 relative, mute1..4 = cc 104..107 button */
	for (int i = 0; i < 4; i++) {
		const struct control *k, *m;
		snprintf(name, sizeof(name), "knob%d", i + 1);
		k = &c->controls[control_named(c, name)];
		assert_int_equal(k->number, 16 + i);
		assert_int_equal(k->mode, MODE_RELATIVE);
		assert_int_equal(k->relative, REL_TWOS_COMPLEMENT);
		snprintf(name, sizeof(name), "mute%d", i + 1);
		m = &c->controls[control_named(c, name)];
		assert_int_equal(m->number, 104 + i);
		assert_int_equal(m->mode, MODE_BUTTON);
	}
	assert_int_equal(c->controls[control_named(c, "knob_sm")].relative,
	    REL_SIGN_MAGNITUDE);
	assert_int_equal(c->controls[control_named(c, "knob_bo")].relative,
	    REL_BINARY_OFFSET);
	assert_int_equal(c->controls[control_named(c, "knob_rel")].relative,
	    REL_TWOS_COMPLEMENT);
	/* pad1..4 = note 36..39, prog1..4 = program 0..3, hifader1..2 */
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "pad%d", i + 1);
		assert_int_equal(c->controls[control_named(c, name)].number, 36 + i);
		snprintf(name, sizeof(name), "prog%d", i + 1);
		assert_int_equal(c->controls[control_named(c, name)].number, i);
	}
	assert_int_equal(c->controls[control_named(c, "hifader2")].number, 9);
	assert_int_equal(c->controls[control_named(c, "hifader2")].max, 16383);
	assert_int_equal(c->controls[control_named(c, "ch2fader")].channel, 1);

	/* bindings: track=1..8 advances with fader1..8 */
	p = config_profile(cfg, "good");
	for (int i = 0; i < 8; i++) {
		const struct binding *b;
		snprintf(name, sizeof(name), "fader%d", i + 1);
		b = binding_of(p, name);
		assert_string_equal(b->action->name, "track.gain");
		assert_int_equal(b->track, i + 1);
		assert_int_equal(b->control, control_named(p->controller, name));
		assert_int_equal(b->line, 9);
	}
	/* knob3..4 = track=3..4; mute1..4 = track=5..8 */
	assert_int_equal(binding_of(p, "knob3")->track, 3);
	assert_int_equal(binding_of(p, "knob4")->track, 4);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "mute%d", i + 1);
		assert_int_equal(binding_of(p, name)->track, 5 + i);
	}
	/* a constant label repeats over the range */
	assert_string_equal(binding_label(binding_of(p, "prog3")), "Cue here");
	assert_string_equal(binding_label(binding_of(p, "prog4")), "Cue here");
	assert_ptr_not_equal(binding_label(binding_of(p, "prog3")),
	    binding_label(binding_of(p, "prog4")));
	assert_string_equal(binding_of(p, "prog4")->msg.args[0].v.s, "Cue here");
	/* marker=1..4 advances too (alt profile) */
	p = config_profile(cfg, "alt");
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "mute%d", i + 1);
		assert_int_equal(binding_marker(binding_of(p, name)), i + 1);
	}
	config_free(cfg);

	/* the shipped controller the same way */
	cfg = load_clean(shipped_dirs, 1);
	c = config_controller(cfg, "nanokontrol2");
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "fader%d", i + 1);
		assert_int_equal(c->controls[control_named(c, name)].number, i);
		snprintf(name, sizeof(name), "rec%d", i + 1);
		assert_int_equal(c->controls[control_named(c, name)].number, 64 + i);
		assert_int_equal(binding_of(config_profile(cfg, "engineer"),
		    name)->track, i + 1);
	}
	config_free(cfg);
}

/* ---- lookup ---- */

static uint16_t
lookup(const struct controller *c, int kind, int ch, int number, int value)
{
	struct midi_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = (uint8_t)kind;
	ev.channel = (uint8_t)ch;
	ev.number = (uint16_t)number;
	ev.value = value;
	return controller_lookup(c, &ev);
}

#define assert_lookup(c, name, kind, ch, number, value) \
	assert_int_equal(lookup(c, kind, ch, number, value), control_named(c, name))
#define assert_no_lookup(c, kind, ch, number, value) \
	assert_int_equal(lookup(c, kind, ch, number, value), CONTROL_NONE)

static void
test_controller_lookup(void **state)
{
	struct config *cfg;
	const struct controller *c;

	(void)state;
	cfg = load_clean(test_dirs, 1);
	c = config_controller(cfg, "testctl");

	assert_lookup(c, "fader1", MIDI_CC, 0, 0, 64);
	assert_lookup(c, "fader8", MIDI_CC, 0, 7, 0);
	assert_lookup(c, "ch2fader", MIDI_CC, 1, 0, 0);
	assert_no_lookup(c, MIDI_CC, 2, 0, 0);
	assert_lookup(c, "knob_bo", MIDI_CC, 0, 21, 65);
	assert_lookup(c, "play", MIDI_CC, 0, 102, 127);
	assert_no_lookup(c, MIDI_CC, 0, 111, 127);
	assert_no_lookup(c, MIDI_CC, 0, 200, 127);

	assert_lookup(c, "hifader1", MIDI_CC14, 0, 8, 12900);
	assert_lookup(c, "hifader2", MIDI_CC14, 0, 9, 0);
	assert_no_lookup(c, MIDI_CC14, 0, 10, 0);
	assert_no_lookup(c, MIDI_CC14, 0, 40, 0);
	assert_int_equal(c->cc14_mask[0], (1u << 8) | (1u << 9));
	assert_int_equal(c->cc14_mask[1], 0);

	assert_lookup(c, "param", MIDI_NRPN, 0, 1000, 8192);
	assert_lookup(c, "param_enc", MIDI_NRPN, 0, 1001, 1);
	assert_no_lookup(c, MIDI_NRPN, 0, 999, 0);
	assert_no_lookup(c, MIDI_NRPN, 1, 1000, 0);
	assert_no_lookup(c, MIDI_NRPN, 0, 0, 0);	/* rpn 0 is not nrpn 0 */
	assert_lookup(c, "tune", MIDI_RPN, 0, 0, 8192);
	assert_no_lookup(c, MIDI_RPN, 0, 1000, 0);

	assert_lookup(c, "pad1", MIDI_NOTE_ON, 0, 36, 100);
	assert_lookup(c, "pad1", MIDI_NOTE_OFF, 0, 36, 0);
	assert_lookup(c, "pad4", MIDI_NOTE_ON, 0, 39, 1);
	assert_no_lookup(c, MIDI_NOTE_ON, 0, 40, 100);
	assert_lookup(c, "poly60", MIDI_POLY_AFTERTOUCH, 0, 60, 30);
	assert_no_lookup(c, MIDI_POLY_AFTERTOUCH, 0, 61, 30);
	assert_no_lookup(c, MIDI_NOTE_ON, 0, 60, 30);

	assert_lookup(c, "bend", MIDI_PITCH_BEND, 0, 0, 8192);
	assert_no_lookup(c, MIDI_PITCH_BEND, 1, 0, 8192);
	assert_lookup(c, "pressure", MIDI_CHANNEL_AFTERTOUCH, 0, 0, 50);
	assert_no_lookup(c, MIDI_CHANNEL_AFTERTOUCH, 5, 0, 50);

	/* "program N" is selected by the program number, the event's value */
	assert_lookup(c, "prog1", MIDI_PROGRAM, 0, 0, 0);
	assert_lookup(c, "prog4", MIDI_PROGRAM, 0, 0, 3);
	assert_no_lookup(c, MIDI_PROGRAM, 0, 0, 4);

	assert_no_lookup(c, MIDI_SYSEX, 0, 0, 0);
	assert_no_lookup(c, MIDI_REALTIME, 0, 0xF8, 0);
	config_free(cfg);
}

/* ---- compiled messages ---- */

static void
assert_const_i(const struct osc_msg *m, int i, int32_t v)
{
	assert_true(i < m->nargs);
	assert_int_equal(m->args[i].type, 'i');
	assert_false(m->args[i].is_value);
	assert_int_equal(m->args[i].v.i, v);
}

static void
assert_const_s(const struct osc_msg *m, int i, const char *v)
{
	assert_true(i < m->nargs);
	assert_int_equal(m->args[i].type, 's');
	assert_false(m->args[i].is_value);
	assert_string_equal(m->args[i].v.s, v);
}

static void
assert_value_slot(const struct osc_msg *m, int i, char type)
{
	assert_true(i < m->nargs);
	assert_int_equal(m->args[i].type, type);
	assert_true(m->args[i].is_value);
}

static void
test_compiled_messages_shipped(void **state)
{
	struct config *cfg;
	const struct profile *eng, *prod;
	const struct osc_msg *m;

	(void)state;
	cfg = load_clean(shipped_dirs, 1);
	eng = config_profile(cfg, "engineer");
	prod = config_profile(cfg, "producer");
	assert_string_equal(eng->host, "127.0.0.1");
	assert_int_equal(eng->port, 3819);

	m = &binding_of(eng, "fader3")->msg;
	assert_string_equal(m->address, "/strip/gain");
	assert_int_equal(m->nargs, 2);
	assert_const_i(m, 0, 3);
	assert_value_slot(m, 1, 'f');
	assert_true(binding_of(eng, "fader3")->db_floor == -193);
	assert_int_equal(binding_of(eng, "fader3")->taper, TAPER_FADER);

	m = &binding_of(eng, "knob8")->msg;
	assert_string_equal(m->address, "/strip/trimdB");
	assert_const_i(m, 0, 8);
	assert_value_slot(m, 1, 'f');

	m = &binding_of(eng, "rec1")->msg;
	assert_string_equal(m->address, "/strip/recenable");
	assert_const_i(m, 0, 1);
	assert_value_slot(m, 1, 'i');
	assert_int_equal(binding_of(eng, "rec1")->trigger, TRIGGER_TOGGLE);

	/* {label?} with no label: the argument is left out */
	m = &binding_of(eng, "marker_set")->msg;
	assert_string_equal(m->address, "/add_marker");
	assert_int_equal(m->nargs, 0);

	m = &binding_of(eng, "play")->msg;
	assert_string_equal(m->address, "/transport_play");
	assert_int_equal(m->nargs, 0);
	assert_int_equal(binding_of(eng, "play")->trigger, TRIGGER_PRESS);

	m = &binding_of(prod, "rec2")->msg;
	assert_string_equal(m->address, "/add_marker");
	assert_int_equal(m->nargs, 1);
	assert_const_s(m, 0, "Verse");
	assert_const_s(&binding_of(prod, "solo4")->msg, 0,
	    "cue: again from the top");

	m = &binding_of(prod, "mute3")->msg;
	assert_string_equal(m->address, "/marker");
	assert_int_equal(m->nargs, 1);
	assert_const_i(m, 0, 3);

	/* ON | OFF: bypassed (1) deactivates, 0 activates plugin 1 */
	{
		const struct profile *fx = config_profile(cfg, "engineer-fx");
		const struct binding *b;
		assert_non_null(fx);
		b = binding_of(fx, "solo4");
		assert_string_equal(b->action->name, "track.bypass");
		assert_ptr_equal(binding_msg(b, 1), &b->msg);
		assert_non_null(b->more);
		assert_ptr_equal(binding_msg(b, 0), &b->more->msg_off);
		assert_string_equal(b->msg.address, "/strip/plugin/deactivate");
		assert_string_equal(b->more->msg_off.address,
		    "/strip/plugin/activate");
		assert_int_equal(b->msg.nargs, 2);
		assert_const_i(&b->msg, 0, 4);
		assert_const_i(&b->msg, 1, 1);
		assert_const_i(&b->more->msg_off, 0, 4);
		assert_const_i(&b->more->msg_off, 1, 1);
		assert_int_equal(b->trigger, TRIGGER_TOGGLE);
		/* one message carries the value: no msg_off */
		b = binding_of(eng, "solo4");
		assert_true(b->more == NULL || b->more->msg_off.address == NULL);
		assert_ptr_equal(binding_msg(b, 0), &b->msg);
	}

	assert_string_equal(binding_of(prod, "record")->msg.address, "/stop_forget");
	assert_int_equal(binding_of(prod, "record")->trigger, TRIGGER_PRESS);
	assert_int_equal(prod->by_control[control_named(prod->controller,
	    "fader1")], -1);
	config_free(cfg);
}

static void
test_compiled_messages_every_type(void **state)
{
	struct config *cfg;
	const struct profile *p;
	const struct binding *b;
	const struct osc_msg *m;

	(void)state;
	cfg = load_clean(test_dirs, 1);
	p = config_profile(cfg, "good");

	/* {track} in the address, {marker} in address and argument */
	m = &binding_of(p, "rec")->msg;
	assert_string_equal(m->address, "/track/1/recarm");
	assert_int_equal(m->nargs, 1);
	assert_value_slot(m, 0, 'i');
	m = &binding_of(p, "pad4")->msg;
	assert_string_equal(m->address, "/marker/2/goto");
	assert_const_i(m, 0, 2);

	/* {track0} is 0-based, s:{track} is text */
	m = &binding_of(p, "mute2")->msg;	/* track 6 */
	assert_string_equal(m->address, "/track/mute");
	assert_const_i(m, 0, 5);
	assert_value_slot(m, 1, 'i');
	m = &binding_of(p, "pad2")->msg;
	assert_const_s(m, 0, "1");

	/* the value slot of each type */
	assert_value_slot(&binding_of(p, "switch")->msg, 0, 'b');
	assert_value_slot(&binding_of(p, "pressure")->msg, 1, 'd');
	assert_value_slot(&binding_of(p, "ch2fader")->msg, 0, 'f');

	/* constants of each type */
	m = &binding_of(p, "stop")->msg;
	assert_string_equal(m->address, "/stop");
	assert_int_equal(m->nargs, 0);
	m = &binding_of(p, "prog1")->msg;
	assert_string_equal(m->address, "/save");
	assert_const_s(m, 0, "all of it");
	m = &binding_of(p, "knob_rel")->msg;
	assert_string_equal(m->address, "/forward");
	assert_int_equal(m->args[0].type, 'd');
	assert_true(m->args[0].v.d == 2.5);
	m = &binding_of(p, "pad3")->msg;
	assert_string_equal(m->address, "/marker/add");
	assert_const_s(m, 0, "Verse 1");
	assert_string_equal(binding_label(binding_of(p, "pad3")), "Verse 1");

	/* options */
	b = binding_of(p, "hifader2");
	assert_int_equal(b->taper, TAPER_LINEAR);
	assert_true(b->min == -10 && b->max == 10 && b->invert);
	b = binding_of(p, "knob2");
	assert_true(b->step == 0.01 && b->accel == 1);
	b = binding_of(p, "knob4");	/* defaults of track.trim */
	assert_true(b->step == 0.5 && b->accel == 0);
	assert_true(b->min == -20 && b->max == 20);
	b = binding_of(p, "fader1");
	assert_true(isinf(b->min) && b->min < 0 && b->max == 6);
	assert_true(b->db_floor == -100);
	assert_int_equal(binding_of(p, "pad1")->trigger, TRIGGER_TOGGLE);
	assert_int_equal(binding_of(p, "pad2")->trigger, TRIGGER_MOMENTARY);
	assert_int_equal(binding_of(p, "prog2")->trigger, TRIGGER_PRESS);
	config_free(cfg);
}

/* Constants the test dialect gives in every OSC type (checked on a
 * binding of each action that has one). */
static void
test_dialect_templates(void **state)
{
	struct config *cfg;
	const struct dialect *d;
	const struct dialect_action *da;

	(void)state;
	cfg = load_clean(test_dirs, 1);
	d = config_dialect(cfg, "testdaw");
	assert_non_null(d);
	assert_string_equal(d->host, "127.0.0.1");
	assert_int_equal(d->port, 9000);

	da = &d->actions[action_index(action_find("transport.loop"))];
	assert_true(da->defined && da->unsupported);
	assert_null(da->msg.address);

	da = &d->actions[action_index(action_find("transport.end"))];
	assert_string_equal(da->msg.address, "/locate");
	assert_int_equal(da->msg.args[0].type, 'h');
	assert_string_equal(da->msg.args[0].text, "9000000000");

	da = &d->actions[action_index(action_find("marker.add"))];
	assert_int_equal(da->msg.args[0].source, ARG_LABEL);
	assert_true(da->msg.args[0].optional);

	da = &d->actions[action_index(action_find("track.mute"))];
	assert_int_equal(da->msg.args[0].source, ARG_TRACK0);
	assert_int_equal(da->msg.args[1].source, ARG_VALUE);

	da = &d->actions[action_index(action_find("transport.toggle"))];
	assert_int_equal(da->msg.nargs, 1);
	assert_int_equal(da->msg.args[0].type, 'T');
	config_free(cfg);
}

/* ---- user actions ---- */

static const struct binding *
bound(const struct profile *p, const char *control)
{
	int ci = controller_control(p->controller, control);

	assert_true(ci >= 0);
	assert_true(p->by_control[ci] >= 0);
	return &p->bindings[p->by_control[ci]];
}

/* A dialect's [actions] adds actions of every kind, inferred from the
 * message and its options; a binding's "osc ..." is one of its own. */
static void
test_user_actions(void **state)
{
	char *dirs[] = { "tests/data/user" };
	struct config *cfg = load_clean(dirs, 1), *again;
	const struct dialect *d = config_dialect(cfg, "userdaw");
	const struct profile *p = config_profile(cfg, "user");
	const struct action_def *a;
	const struct binding *b;
	struct feedback_match m;
	lo_arg one = { .i = 1 }, *argv[] = { &one };

	(void)state;
	assert_non_null(d);
	assert_non_null(p);
	assert_int_equal(d->nuser, 6);
	assert_int_equal(d->nactions, action_count() + 6);
	assert_ptr_equal(dialect_action_find(d, "transport.play"),
	    action_find("transport.play"));
	assert_null(dialect_action_find(NULL, "editor.zoom"));
	assert_null(dialect_action_find(d, "editor.nothing"));

	a = dialect_action_find(d, "editor.zoom");
	assert_non_null(a);
	assert_true(a->user);
	assert_int_equal(a->type, ACTION_TRIGGER);
	assert_int_equal(a->params, 0);
	assert_int_equal(action_index(a), action_count());
	assert_ptr_equal(dialect_action_at(d, action_index(a)), a);

	a = dialect_action_find(d, "editor.follow");
	assert_int_equal(a->type, ACTION_TOGGLE);
	assert_non_null(d->actions[action_index(a)].msg_off.address);

	a = dialect_action_find(d, "send.level");
	assert_int_equal(a->type, ACTION_CONTINUOUS);
	assert_true(isinf(a->min) && a->min < 0);
	assert_true(a->max == 6);
	assert_int_equal(a->unit, UNIT_DB);
	assert_int_equal(a->taper, TAPER_FADER);
	assert_int_equal(a->params, PARAM_TRACK | PARAM_PLUGIN);
	assert_int_equal(a->required, PARAM_TRACK | PARAM_PLUGIN);

	a = dialect_action_find(d, "plugin.param");
	assert_int_equal(a->type, ACTION_CONTINUOUS);
	assert_true(a->min == -20 && a->max == 20 && a->def == 0);
	assert_true(a->bipolar);
	assert_int_equal(a->taper, TAPER_LINEAR);

	a = dialect_action_find(d, "click.enable");
	assert_int_equal(a->type, ACTION_TOGGLE);
	a = dialect_action_find(d, "take.name");
	assert_int_equal(a->type, ACTION_TRIGGER);
	assert_int_equal(a->params, PARAM_TRACK | PARAM_LABEL);
	assert_int_equal(a->required, PARAM_TRACK);

	/* bindings: the dialect's message, filled in */
	b = bound(p, "fader2");
	assert_string_equal(b->action->name, "send.level");
	assert_string_equal(b->msg.address, "/strip/send/gain");
	assert_int_equal(b->msg.args[0].v.i, 2);
	assert_int_equal(b->taper, TAPER_FADER);
	b = bound(p, "mute2");
	assert_string_equal(b->msg.args[1].v.s, "Lead Vox");

	/* one-offs: the message as written is the action */
	b = bound(p, "mute3");
	assert_string_equal(b->action->name, "osc /strip/name i:1 s:LeadVox");
	assert_int_equal(b->action->type, ACTION_TRIGGER);
	assert_int_equal(action_index(b->action), -1);
	assert_string_equal(b->msg.address, "/strip/name");
	assert_int_equal(b->msg.nargs, 2);
	assert_string_equal(b->msg.args[1].v.s, "LeadVox");
	assert_true(b->target >= 0);
	b = bound(p, "fader4");
	assert_int_equal(b->action->type, ACTION_CONTINUOUS);
	assert_true(b->min == -20 && b->max == 20 && b->invert);
	b = bound(p, "rec");
	assert_int_equal(b->action->type, ACTION_TOGGLE);
	assert_int_equal(b->trigger, TRIGGER_MOMENTARY);

	/* feedback: the [feedback] line of a user action finds its target */
	b = bound(p, "mute1");
	assert_int_equal(feedback_match(d, "/click/state", "i", argv, 1, &m), 1);
	assert_ptr_equal(m.action, b->action);
	assert_true(m.value == 1);
	assert_int_equal(config_target_of(cfg, p, m.action, m.track, m.marker,
	    m.plugin), b->target);

	/* a reload finds the same targets by name, in another set */
	again = load_clean(dirs, 1);
	for (int i = 0; i < p->nbindings; i++) {
		const struct binding *b1 = &p->bindings[i];
		const struct binding *b2 =
		    &config_profile(again, "user")->bindings[i];
		if (b1->target < 0)
			continue;
		assert_int_equal(config_target(again, &cfg->targets[b1->target]),
		    b2->target);
	}
	config_free(again);
	config_free(cfg);
}

/* A profile's own [actions]: usable by it alone, read back at their own
 * message or where its [feedback] says, as its one-offs are; another
 * profile's action of the same name is another target. */
static void
test_profile_actions(void **state)
{
	char *dirs[] = { "tests/data/user" };
	struct config *cfg = load_clean(dirs, 1), *again;
	const struct profile *p = config_profile(cfg, "own");
	const struct profile *p2 = config_profile(cfg, "own2");
	const struct profile *user = config_profile(cfg, "user");
	const struct dialect *d = config_dialect(cfg, "userdaw");
	const struct action_def *a;
	const struct binding *b;
	struct feedback_match m;
	lo_arg one = { .i = 1 }, two = { .i = 2 }, three = { .i = 3 };
	lo_arg half = { .f = 12.5f };
	lo_arg *argv1[] = { &one }, *argv2[] = { &two, &half };
	lo_arg *argv4[] = { &one, &one, &two, &half }, *argv_mute[] = { &three,
	    &one };

	(void)state;
	assert_non_null(p);
	assert_non_null(p2);
	assert_int_equal(p->nuser, 4);
	/* the profile's, not the dialect's: others do not see them */
	assert_null(dialect_action_find(d, "fx.wet"));
	assert_null(profile_action_find(user, "fx.wet"));
	assert_ptr_equal(profile_action_find(p, "transport.play"),
	    action_find("transport.play"));
	assert_ptr_equal(profile_action_find(p, "editor.zoom"),
	    dialect_action_find(d, "editor.zoom"));
	assert_null(profile_own_action(p, dialect_action_find(d, "editor.zoom")));

	a = profile_action_find(p, "fx.wet");
	assert_non_null(a);
	assert_true(a->user);
	assert_int_equal(action_index(a), -1);
	assert_int_equal(a->type, ACTION_CONTINUOUS);
	assert_true(a->min == 0 && a->max == 100);
	assert_int_equal(a->required, PARAM_TRACK);
	assert_ptr_equal(&profile_own_action(p, a)->def, a);
	assert_int_equal(profile_action_find(p, "fx.bypass")->type,
	    ACTION_TOGGLE);
	assert_int_equal(profile_action_find(p, "fx.reset")->type,
	    ACTION_TRIGGER);
	assert_int_equal(profile_action_find(p, "mix.solo")->type,
	    ACTION_TOGGLE);

	/* bindings send the profile's message */
	b = bound(p, "fader2");
	assert_ptr_equal(b->action, a);
	assert_string_equal(b->msg.address, "/fx/wet");
	assert_int_equal(b->msg.args[0].v.i, 2);
	assert_true(b->target >= 0);
	b = bound(p, "mute2");
	assert_string_equal(b->msg.args[0].v.s, "all");
	b = bound(p, "mute3");
	assert_string_equal(b->msg.address, "/mix/solo");
	assert_string_equal(b->more->msg_off.address, "/mix/unsolo");
	assert_true(b->unreported);
	assert_false(bound(p, "mute1")->unreported);
	assert_string_equal(bound(p, "mute4")->msg.address, "/access_action");

	/* feedback: where [feedback] says, not at the command's address */
	b = bound(p, "mute1");
	assert_int_equal(feedback_match_profile(d, p, "/fx/bypass/state", "i",
	    argv1, 1, &m), 1);
	assert_ptr_equal(m.action, b->action);
	assert_true(m.value == 1);
	assert_int_equal(config_target_of(cfg, p, m.action, m.track, m.marker,
	    m.plugin), b->target);
	assert_int_equal(feedback_match_profile(d, p, "/fx/bypass", "i",
	    argv1, 1, &m), 0);
	/* at its own message, the track from the report */
	assert_int_equal(feedback_match_profile(d, p, "/fx/wet", "if", argv2,
	    2, &m), 1);
	assert_string_equal(m.action->name, "fx.wet");
	assert_int_equal(m.track, 2);
	assert_true(m.value == 12.5);
	assert_int_equal(config_target_of(cfg, p, m.action, m.track, m.marker,
	    m.plugin), bound(p, "fader2")->target);
	/* the profile's own come first, the dialect's then, other profiles'
	 * never */
	assert_int_equal(feedback_match_profile(d, user, "/fx/wet", "if",
	    argv2, 2, &m), 0);
	assert_int_equal(feedback_match(d, "/fx/bypass/state", "i", argv1, 1,
	    &m), 0);
	/* a none toggle and a trigger are never read back */
	assert_int_equal(feedback_match_profile(d, p, "/mix/solo", "i", argv1,
	    1, &m), 0);
	assert_int_equal(feedback_match_profile(d, p, "/fx/reset", "s",
	    argv1, 0, &m), 0);

	/* a one-off: read back at its own message, in its range's units */
	b = bound(p, "fader3");
	assert_int_equal(feedback_match_profile(d, p,
	    "/strip/plugin/parameter", "iiif", argv4, 4, &m), 1);
	assert_ptr_equal(m.action, b->action);
	assert_true(m.value == 12.5);
	assert_int_equal(config_target_of(cfg, p, m.action, m.track, m.marker,
	    m.plugin), b->target);
	/* another plugin's parameter is not its */
	argv4[2] = &three;
	assert_int_equal(feedback_match_profile(d, p,
	    "/strip/plugin/parameter", "iiif", argv4, 4, &m), 0);
	b = bound(p, "rec");
	assert_int_equal(feedback_match_profile(d, p, "/strip/mute", "ii",
	    argv_mute, 2, &m), 1);
	assert_ptr_equal(m.action, b->action);
	assert_int_equal(m.track, 3);
	assert_int_equal(config_target_of(cfg, p, m.action, m.track, m.marker,
	    m.plugin), b->target);

	/* a one-off's [feedback] line, by the control that sends it */
	b = bound(p, "pad1");
	assert_int_equal(feedback_match_profile(d, p, "/fx/mode/state", "i",
	    argv1, 1, &m), 1);
	assert_ptr_equal(m.action, b->action);
	assert_int_equal(config_target_of(cfg, p, m.action, m.track, m.marker,
	    m.plugin), b->target);
	assert_int_equal(feedback_match_profile(d, p, "/fx/mode", "i", argv1,
	    1, &m), 0);
	assert_false(b->unreported);
	b = bound(p, "pad2");
	assert_true(b->unreported);
	assert_int_equal(feedback_match_profile(d, p, "/fx/lock", "i", argv1,
	    1, &m), 0);

	/* a hook runs the profile's own actions */
	{
		const struct hook *h = &p->hooks[HOOK_RECORDING_START];
		assert_int_equal(h->nactions, 2);
		assert_ptr_equal(h->actions[0].b.action,
		    profile_action_find(p, "fx.reset"));
		assert_string_equal(h->actions[0].b.msg.args[0].v.s, "take");
		assert_string_equal(h->actions[1].b.msg.address, "/fx/bypass");
		assert_true(h->actions[1].value == 1);
	}

	/* the same one-off in two profiles is one target; one name with two
	 * messages is two */
	assert_int_equal(bound(p2, "fader3")->target, bound(p, "fader3")->target);
	assert_int_not_equal(bound(p2, "fader1")->target,
	    bound(p, "fader1")->target);

	/* a reload swaps them with the profile and finds the same targets */
	again = load_clean(dirs, 1);
	for (int i = 0; i < p->nbindings; i++) {
		const struct binding *b1 = &p->bindings[i];
		const struct binding *b2 = &config_profile(again, "own")->bindings[i];
		if (b1->target < 0)
			continue;
		assert_true(b1->action != b2->action);
		assert_int_equal(config_target(again, &cfg->targets[b1->target]),
		    b2->target);
	}
	config_free(again);
	config_free(cfg);
}

/* ---- -o and port patterns ---- */

static void
test_override_daw(void **state)
{
	struct daw_override o;
	struct diag_list dl;
	struct config *cfg, *other;

	(void)state;
	diag_init(&dl);

	/* a load parameter: the set comes out with the address in place */
	assert_int_equal(daw_override_parse("127.0.0.2:9100", &o, &dl), 0);
	cfg = config_load(test_dirs, 1, &o, &dl);
	assert_int_equal(dl.count, 0);
	assert_true(cfg->nprofiles > 0);
	for (int i = 0; i < cfg->nprofiles; i++) {
		assert_string_equal(cfg->profiles[i]->host, "127.0.0.2");
		assert_int_equal(cfg->profiles[i]->port, 9100);
	}

	assert_int_equal(daw_override_parse("nohostport", &o, &dl), -1);
	assert_int_equal(dl.errors, 1);
	assert_string_equal(dl.items[0].text, "-o: 'nohostport' is not HOST:PORT");
	assert_int_equal(daw_override_parse(":9000", &o, &dl), -1);
	assert_int_equal(daw_override_parse("127.0.0.1:", &o, &dl), -1);
	assert_int_equal(daw_override_parse("127.0.0.1:0", &o, &dl), -1);
	assert_int_equal(daw_override_parse("127.0.0.1:65536", &o, &dl), -1);
	assert_int_equal(daw_override_parse("127.0.0.1:port", &o, &dl), -1);
	assert_int_equal(dl.errors, 6);
	/* a rejected -o leaves the addresses as they were */
	for (int i = 0; i < cfg->nprofiles; i++) {
		assert_string_equal(cfg->profiles[i]->host, "127.0.0.2");
		assert_int_equal(cfg->profiles[i]->port, 9100);
	}

	/* IPv6 in brackets is understood, and refused with a reason: OSC
	 * leaves from one IPv4 socket */
	assert_int_equal(daw_override_parse("[::1]:3819", &o, &dl), 0);
	assert_string_equal(o.host, "::1");
	other = config_load(test_dirs, 1, &o, &dl);
	assert_int_equal(dl.errors, 7);
	assert_non_null(strstr(dl.items[dl.count - 1].text,
	    "IPv6 DAW addresses are not supported yet"));
	assert_string_equal(cfg->profiles[0]->host, "127.0.0.2");
	config_free(other);
	diag_free(&dl);
	config_free(cfg);
}

/* A controller of 65,534 controls (the most a controller holds) loads,
 * every control is found by name and by message, and what goes past the
 * limit or repeats an earlier name or message is one error with its line.
 * Loading once compared each control with every earlier one; how long a
 * load takes is measured in the benchmark, not here. */
static void
test_many_controls(void **state)
{
	char path[] = "/tmp/ctlb-many-XXXXXX";
	int fd = mkstemp(path);
	char file[64], *files[] = { file };
	FILE *fp;
	struct diag_list dl;
	struct config *cfg;
	const struct controller *c;
	char *got;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s.ini", path);
	assert_non_null(fp = fopen(file, "w"));
	fprintf(fp, "[controller]\nname = Many\nport = many\n[controls]\n"
	    "a0..16383 = nrpn 0..16383 channel=1\n"		/* line 5 */
	    "b0..16383 = nrpn 0..16383 channel=2\n"
	    "c0..16383 = nrpn 0..16383 channel=3\n"
	    "a77 = cc 1\n"					/* line 8 */
	    "dup = nrpn 4242 channel=3\n"
	    "d0..16381 = rpn 0..16381 channel=4\n"		/* 65,534 */
	    "e0..1 = rpn 16382..16383 channel=4\n");		/* too many */
	fclose(fp);
	diag_init(&dl);
	cfg = config_load_files(test_dirs, 1, files, 1, &dl);
	got = join_diags(&dl);
	{
		char want[1024];
		snprintf(want, sizeof(want),
		    "%s:8: control 'a77' is already defined at line 5\n"
		    "%s:9: nrpn 4242 on channel 3 is already control 'c4242' "
		    "(line 7)\n"
		    "%s:11: too many controls: 'e0..1' would make 65536, and a "
		    "controller holds at most 65534", file, file, file);
		assert_string_equal(got, want);
	}
	free(got);
	c = config_controller(cfg, strrchr(path, '/') + 1);
	assert_non_null(c);
	assert_int_equal(c->ncontrols, 65534);
	assert_int_equal(controller_control(c, "a0"), 0);
	assert_int_equal(controller_control(c, "b16383"), 16384 + 16383);
	assert_int_equal(controller_control(c, "d16381"), 65533);
	assert_int_equal(controller_control(c, "e0"), -1);
	assert_int_equal(controller_control(c, "dup"), -1);
	{
		struct midi_event ev = { .kind = MIDI_NRPN, .channel = 2,
		    .number = 9999, .value = 1 };
		assert_int_equal(controller_lookup(c, &ev),
		    controller_control(c, "c9999"));
		ev.kind = MIDI_RPN;
		ev.channel = 3;
		ev.number = 16381;
		assert_int_equal(controller_lookup(c, &ev), 65533);
	}
	diag_free(&dl);
	config_free(cfg);
	unlink(file);
}

/* One cause, one message: two bad lines in a controller file are two
 * errors, not one more for every control of every profile that binds
 * them; a misspelt controller is one error, also for the profile that
 * switches to it; a section header without its ']' is one error, not one
 * for each line below it. */
static void
test_one_cause_one_message(void **state)
{
	char *dirs[] = { "tests/data/cascade" };
	struct diag_list dl;
	struct config *cfg;
	char *got, *want;

	(void)state;
	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	assert_non_null(cfg);
	got = join_diags(&dl);
	want = read_text("tests/data/cascade.expected");
	assert_non_null(want);
	want[strcspn(want, "\0")] = '\0';
	if (strlen(want) && want[strlen(want) - 1] == '\n')
		want[strlen(want) - 1] = '\0';
	assert_string_equal(got, want);
	assert_int_equal(dl.errors, 4);
	free(got);
	free(want);
	diag_free(&dl);
	config_free(cfg);
}

/* A bridge running some profiles loads beside broken files none of them
 * needs: the broken profile and the one that switches to it are left out
 * (a warning each), their errors become warnings.  What a running profile
 * needs, itself or what it switches to, still rejects the set. */
static void
test_broken_files_not_in_use(void **state)
{
	char dir[] = "/tmp/ctlb-aside-XXXXXX", cmd[300], path[200];
	char *dirs[] = { dir };
	const char *run_a[] = { "a" }, *run_e[] = { "e" };
	struct diag_list dl;
	struct config *cfg;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cp -r tests/data/switch/. %s", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/profiles/draft.ini", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("[profile]\ncontroller = pads\ndaw = echo\n[bindings]\n"
	    "pad1 = marker.got marker=1\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/profiles/e.ini", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("[profile]\ncontroller = pads\ndaw = echo\n[bindings]\n"
	    "next = profile.switch profile=draft\n", fp);
	fclose(fp);

	diag_init(&dl);
	cfg = config_load_running(dirs, 1, NULL, run_a, 1, &dl);
	assert_int_equal(dl.errors, 0);
	assert_int_equal(dl.warnings, 3);	/* the error, two not loaded */
	assert_non_null(strstr(dl.items[1].text, "draft.ini: warning: not "
	    "loaded: it has errors (above)"));
	assert_non_null(strstr(dl.items[2].text, "e.ini: warning: not loaded: "
	    "it switches to a profile that is not loaded"));
	assert_non_null(config_profile(cfg, "a"));
	assert_non_null(config_profile(cfg, "b"));
	assert_null(config_profile(cfg, "draft"));
	assert_null(config_profile(cfg, "e"));
	diag_free(&dl);
	config_free(cfg);

	/* running e, which needs draft: rejected as before */
	diag_init(&dl);
	cfg = config_load_running(dirs, 1, NULL, run_e, 1, &dl);
	assert_int_equal(dl.errors, 1);
	diag_free(&dl);
	config_free(cfg);
	/* check (no running profiles) counts every error */
	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	assert_int_equal(dl.errors, 1);
	diag_free(&dl);
	config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* What counts as UTF-8: the loader's check of names, labels and values. */
static void
test_utf8_invalid(void **state)
{
	static const char *const good[] = { "", "Verse", "Caf\xc3\xa9",
	    "\xe2\x82\xac", "\xf0\x9f\x8e\xb9", "\xf4\x8f\xbf\xbf" };
	static const struct { const char *s; int at; } bad[] = {
		{ "Caf\xe9", 3 },			/* Latin-1 */
		{ "\xc0\xaf", 0 },			/* overlong '/' */
		{ "\xe0\x80\xaf", 0 },		/* overlong, 3 bytes */
		{ "a\xed\xa0\x80", 1 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 0 },		/* past U+10FFFF */
		{ "ab\xe2\x82", 2 },			/* cut short */
		{ "\x80", 0 },				/* a lone continuation */
		{ "\xff", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_null(utf8_invalid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_ptr_equal(utf8_invalid(bad[i].s), bad[i].s + bad[i].at);
}

static void
test_port_pattern_match(void **state)
{
	(void)state;
	/* plain text: a case-insensitive substring */
	assert_true(port_pattern_match("nanoKONTROL2",
	    "nanoKONTROL2 nanoKONTROL2 _ CTR"));
	assert_true(port_pattern_match("nanokontrol2",
	    "nanoKONTROL2 nanoKONTROL2 _ CTR"));
	assert_true(port_pattern_match("KONTROL", "Korg nanoKONTROL2"));
	assert_true(port_pattern_match("ctr", "nanoKONTROL2 _ CTR"));
	assert_false(port_pattern_match("nanoKONTROL2", "nanoKEY2"));
	assert_false(port_pattern_match("nanoKONTROL2", "nanoKONTROL"));
	/* globs: the whole name, case-insensitive */
	assert_true(port_pattern_match("nano*CTR", "nanoKONTROL2 _ CTR"));
	assert_true(port_pattern_match("NANO*ctr", "nanoKONTROL2 _ CTR"));
	assert_false(port_pattern_match("nano*", "Korg nanoKONTROL2"));
	assert_true(port_pattern_match("*nano*", "Korg nanoKONTROL2"));
	assert_true(port_pattern_match("TestCtl*Port", "testctl midi port"));
	assert_false(port_pattern_match("TestCtl*Port", "testctl midi port 2"));
	assert_true(port_pattern_match("nanoKONTROL?", "nanoKONTROL2"));
	assert_false(port_pattern_match("nanoKONTROL?", "nanoKONTROL"));
	assert_true(port_pattern_match("[a-z]ano*", "Nanokontrol"));
	assert_false(port_pattern_match("[0-9]ano*", "nanokontrol"));
}

/* Every shipped profile loads against every shipped dialect without an
 * error: a user may point any of them at another DAW; what that DAW
 * cannot do is a warning, not a failure. */
static void
test_profiles_against_every_dialect(void **state)
{
	struct config *shipped = load_clean(shipped_dirs, 1);
	char dir[128], cmd[1024];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ctlbridge-dialects-%d", (int)getpid());
	for (int d = 0; d < shipped->ndialects; d++) {
		const char *daw = shipped->dialects[d]->name;
		for (int p = 0; p < shipped->nprofiles; p++) {
			const char *prof = shipped->profiles[p]->name;
			char *dirs[] = { dir };
			struct diag_list dl;
			struct config *cfg;

			/* all of them: they switch to each other */
			snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p "
			    "%s/profiles && cp -r mappings %s/ && for f in "
			    "profiles/*.ini; do sed 's/^daw *=.*/daw = %s/' $f > "
			    "%s/$f; done", dir, dir, dir, daw, dir);
			assert_int_equal(system(cmd), 0);
			diag_init(&dl);
			cfg = config_load(dirs, 1, NULL, &dl);
			if (dl.errors) {
				print_message("%s on %s:\n", prof, daw);
				print_diags(&dl);
			}
			assert_int_equal(dl.errors, 0);
			assert_non_null(config_profile(cfg, prof));
			assert_string_equal(config_profile(cfg, prof)->dialect->name,
			    daw);
			config_free(cfg);
			diag_free(&dl);
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	config_free(shipped);
}

/* Every action has its cheat-sheet words, in the README's language. */
static void
test_short_labels(void **state)
{
	char buf[128];

	(void)state;
	for (int i = 0; i < action_count(); i++)
		if (!action_has_short_label(action_at(i)))
			fail_msg("no short label for %s", action_at(i)->name);
	assert_string_equal(action_short_label(action_find("track.gain"), 1, 0,
	    0, NULL, NULL, buf, sizeof(buf)), "Gain T1");
	assert_string_equal(action_short_label(action_find("track.recarm"), 8,
	    0, 0, NULL, NULL, buf, sizeof(buf)), "Arm T8");
	assert_string_equal(action_short_label(action_find("marker.section"), 0,
	    0, 0, "Verse", NULL, buf, sizeof(buf)), "Marker: Verse");
	assert_string_equal(action_short_label(action_find("take.keep"), 0, 0,
	    0, "TAKE {take} keep", NULL, buf, sizeof(buf)), "Take: keep");
	assert_string_equal(action_short_label(action_find("take.new"), 0, 0,
	    0, "TAKE {take}", NULL, buf, sizeof(buf)), "New take");
	assert_string_equal(action_short_label(action_find("marker.add"), 0, 0,
	    0, "after {take}", NULL, buf, sizeof(buf)), "Marker: after n");
	assert_string_equal(action_short_label(action_find("track.bypass"), 3,
	    0, 2, NULL, NULL, buf, sizeof(buf)), "Bypass T3 FX2");
	assert_string_equal(action_short_label(action_find("profile.switch"), 0,
	    0, 0, NULL, "producer", buf, sizeof(buf)), "Role: producer");
	assert_string_equal(action_short_label(action_find("marker.goto"), 0, 4,
	    0, NULL, NULL, buf, sizeof(buf)), "To marker 4");
	/* a buffer too small is cut, never overrun */
	assert_string_equal(action_short_label(action_find("track.gain"), 12, 0,
	    0, NULL, NULL, buf, 6), "Gain ");
}

/* The shipped controllers' [layout]: every control placed, where the
 * unit has it. */
static void
test_shipped_layouts(void **state)
{
	char *dirs[] = { "." };
	struct diag_list dl;
	struct config *cfg;
	const struct controller *c;
	const struct control *k;

	(void)state;
	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	assert_int_equal(dl.errors, 0);
	for (int i = 0; i < cfg->ncontrollers; i++) {
		c = cfg->controllers[i];
		assert_true(c->layout_line > 0);
		for (int j = 0; j < c->ncontrols; j++)
			if (!c->controls[j].place.widget)
				fail_msg("%s: %s is not placed", c->name,
				    c->controls[j].name);
	}
	c = config_controller(cfg, "nanokontrol2");
	k = &c->controls[controller_control(c, "fader3")];
	assert_int_equal(k->place.widget, WIDGET_FADER);
	assert_int_equal(k->place.row, 2);
	assert_int_equal(k->place.col, 12);
	assert_int_equal(k->place.tall, 3);
	k = &c->controls[controller_control(c, "knob8")];
	assert_int_equal(k->place.col, 21);
	assert_int_equal(k->place.wide, 2);
	c = config_controller(cfg, "midimix");
	k = &c->controls[controller_control(c, "solo4")];
	assert_string_equal(k->place.layer, "SOLO");
	assert_int_equal(k->place.row, 4);
	assert_int_equal(k->place.col, 4);
	c = config_controller(cfg, "apcmini");
	k = &c->controls[controller_control(c, "pad1")];
	assert_int_equal(k->place.widget, WIDGET_PAD);
	assert_int_equal(k->place.row, 8);	/* the grid's bottom row */
	assert_int_equal(k->place.col, 1);
	k = &c->controls[controller_control(c, "scene8")];
	assert_int_equal(k->place.row, 8);
	assert_int_equal(k->place.col, 9);
	diag_free(&dl);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_files_golden),
		cmocka_unit_test(test_bad_files_coverage),
		cmocka_unit_test(test_hooks_compiled),
		cmocka_unit_test(test_hooks_loops),
		cmocka_unit_test(test_user_actions),
		cmocka_unit_test(test_profile_actions),
		cmocka_unit_test(test_short_labels),
		cmocka_unit_test(test_shipped_layouts),
		cmocka_unit_test(test_unsupported_warning_text),
		cmocka_unit_test(test_shipped_config_clean),
		cmocka_unit_test(test_profiles_against_every_dialect),
		cmocka_unit_test(test_test_config_clean),
		cmocka_unit_test(test_spaced_section_names),
		cmocka_unit_test(test_channel_after_controls),
		cmocka_unit_test(test_dialect_redefined_after_error),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_range_expansion),
		cmocka_unit_test(test_controller_lookup),
		cmocka_unit_test(test_compiled_messages_shipped),
		cmocka_unit_test(test_compiled_messages_every_type),
		cmocka_unit_test(test_dialect_templates),
		cmocka_unit_test(test_override_daw),
		cmocka_unit_test(test_port_pattern_match),
		cmocka_unit_test(test_many_controls),
		cmocka_unit_test(test_one_cause_one_message),
		cmocka_unit_test(test_broken_files_not_in_use),
		cmocka_unit_test(test_utf8_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
