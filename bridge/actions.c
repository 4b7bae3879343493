#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "actions.h"

/* The rows by kind; what a row leaves out is zero (UNIT_NONE,
 * TAPER_LINEAR, EFFECT_NONE, false). */
#define TRIG(n, p, r, s) \
	{ .name = n, .type = ACTION_TRIGGER, .params = p, .required = r, \
	    .max = 1, .summary = s }
#define BRIDGE(n, p, r, e, s) \
	{ .name = n, .type = ACTION_TRIGGER, .params = p, .required = r, \
	    .max = 1, .internal = true, .effect = e, .summary = s }
#define TOGL(n, p, r, s) \
	{ .name = n, .type = ACTION_TOGGLE, .params = p, .required = r, \
	    .max = 1, .summary = s }
#define CONT(n, p, r, u, lo, hi, d, t, st, s) \
	{ .name = n, .type = ACTION_CONTINUOUS, .params = p, .required = r, \
	    .unit = u, .min = lo, .max = hi, .def = d, .taper = t, .step = st, \
	    .summary = s }
#define DISPLAY(n, p, r, u, lo, hi, d, t, s) \
	{ .name = n, .type = ACTION_CONTINUOUS, .params = p, .required = r, \
	    .unit = u, .min = lo, .max = hi, .def = d, .taper = t, \
	    .display = true, .summary = s }
#define BIPOLAR(n, p, r, u, lo, hi, d, st, s) \
	{ .name = n, .type = ACTION_CONTINUOUS, .params = p, .required = r, \
	    .unit = u, .min = lo, .max = hi, .def = d, .step = st, \
	    .bipolar = true, .summary = s }

static const struct action_def catalog[] = {
	BRIDGE("profile.switch", PARAM_PROFILE, PARAM_PROFILE, EFFECT_SWITCH,
	    "switch this controller to the profile named"),
	BRIDGE("profile.next", 0, 0, EFFECT_NEXT,
	    "switch to the next profile of this controller"),
	BRIDGE("profile.previous", 0, 0, EFFECT_PREVIOUS,
	    "switch to the previous profile of this controller"),
	TRIG("transport.play", 0, 0, "start the transport"),
	TRIG("transport.stop", 0, 0, "stop the transport"),
	TRIG("transport.toggle", 0, 0, "start or stop the transport"),
	TRIG("transport.record", 0, 0, "toggle the global record arm"),
	TRIG("transport.start", 0, 0, "move the playhead to the session start"),
	TRIG("transport.end", 0, 0, "move the playhead to the session end"),
	TRIG("transport.rewind", 0, 0, "rewind"),
	TRIG("transport.forward", 0, 0, "fast forward"),
	TRIG("transport.loop", 0, 0, "toggle loop playback"),
	TRIG("marker.add", PARAM_LABEL, 0, "add a marker at the playhead"),
	{ .name = "marker.section", .type = ACTION_TRIGGER,
	    .params = PARAM_LABEL, .max = 1, .effect = EFFECT_SECTION,
	    .summary = "add a section marker (Verse, Chorus) at the playhead; the bridge "
	    "remembers where, for loop.section" },
	{ .name = "loop.section", .type = ACTION_TRIGGER,
	    .params = PARAM_RANGE, .max = 1, .effect = EFFECT_LOOP_SECTION,
	    .summary = "loop the section the playhead is in (between the section markers "
	    "this bridge added) and play it" },
	TRIG("marker.next", 0, 0, "go to the next marker"),
	TRIG("marker.previous", 0, 0, "go to the previous marker"),
	TRIG("marker.goto", PARAM_MARKER, PARAM_MARKER, "go to marker N"),
	{ .name = "take.new", .type = ACTION_TRIGGER, .params = PARAM_LABEL,
	    .max = 1, .effect = EFFECT_NEW_TAKE,
	    .summary = "count a new take (the bridge's take counter) and mark it" },
	TRIG("take.keep", PARAM_LABEL, 0, "mark the take as kept"),
	TRIG("take.rate", PARAM_LABEL, 0, "mark the take with a rating"),
	TRIG("take.discard", 0, 0, "stop and forget the take being recorded"),
	TRIG("bank.next", 0, 0, "move the strips to the next bank of tracks"),
	TRIG("bank.previous", 0, 0, "move the strips to the previous bank"),
	TRIG("session.save", 0, 0, "save the session"),
	TRIG("edit.undo", 0, 0, "undo"),
	TRIG("edit.redo", 0, 0, "redo"),
	TOGL("track.recarm", PARAM_TRACK, PARAM_TRACK, "arm the track for recording"),
	TOGL("track.mute", PARAM_TRACK, PARAM_TRACK, "mute the track"),
	TOGL("track.solo", PARAM_TRACK, PARAM_TRACK, "solo the track"),
	TOGL("track.select", PARAM_TRACK, PARAM_TRACK, "select the track"),
	TOGL("track.bypass", PARAM_TRACK | PARAM_PLUGIN,
	    PARAM_TRACK | PARAM_PLUGIN, "bypass plugin N of the track (1 "
	    "bypassed, 0 processing; plugins start processing)"),
	CONT("track.gain", PARAM_TRACK, PARAM_TRACK, UNIT_DB, -INFINITY, 6, 0,
	    TAPER_FADER, 0.5, "track gain in dB"),
	CONT("track.fader", PARAM_TRACK, PARAM_TRACK, UNIT_POSITION, 0, 1, 0.7818,
	    TAPER_LINEAR, 0.01, "track fader position in the DAW's own law"),
	BIPOLAR("track.trim", PARAM_TRACK, PARAM_TRACK, UNIT_DB, -20, 20, 0,
	    0.5, "track input trim in dB"),
	BIPOLAR("track.pan", PARAM_TRACK, PARAM_TRACK, UNIT_POSITION, 0, 1, 0.5,
	    0.01, "track pan, 0 left, 0.5 centre, 1 right"),
	CONT("master.gain", 0, 0, UNIT_DB, -INFINITY, 6, 0, TAPER_FADER, 0.5,
	    "master gain in dB"),
	DISPLAY("track.meter", PARAM_TRACK, PARAM_TRACK, UNIT_DB, -INFINITY, 6,
	    -INFINITY, TAPER_FADER, "the track's level in dB, as the DAW "
	    "meters it (shown only: a ring, a motor fader, a clip LED)"),
};

#define NACTIONS ((int)(sizeof(catalog) / sizeof(catalog[0])))

const struct action_def *
action_find(const char *name)
{
	for (int i = 0; i < NACTIONS; i++)
		if (strcmp(catalog[i].name, name) == 0)
			return &catalog[i];
	return NULL;
}

int
action_count(void)
{
	return NACTIONS;
}

const struct action_def *
action_at(int i)
{
	return i >= 0 && i < NACTIONS ? &catalog[i] : NULL;
}

int
action_index(const struct action_def *a)
{
	return a->user ? a->index : (int)(a - catalog);
}

int
action_cmp(const struct action_def *a, const struct action_def *b)
{
	if (a->user != b->user)
		return a->user ? 1 : -1;
	/* two profiles' own actions of one name may send different messages */
	if (a->user) {
		int c = strcmp(a->name, b->name);
		return c ? c : strcmp(a->summary, b->summary);
	}
	return (a > b) - (a < b);
}

/* Edits (insert, delete, replace, swap two) from a to b; more than 9 is
 * reported as 9. */
static int
edits(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[3][65];

	if (la > 64 || lb > 64)
		return 9;
	for (size_t i = 0; i <= la; i++) {
		int *row = d[i % 3], *up = d[(i + 2) % 3], *up2 = d[(i + 1) % 3];
		for (size_t j = 0; j <= lb; j++) {
			if (i == 0 || j == 0) {
				row[j] = (int)(i + j);
				continue;
			}
			int c = up[j - 1] + (a[i - 1] != b[j - 1]);
			if (up[j] + 1 < c)
				c = up[j] + 1;
			if (row[j - 1] + 1 < c)
				c = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && up2[j - 2] + 1 < c)
				c = up2[j - 2] + 1;
			row[j] = c;
		}
	}
	return d[la % 3][lb] < 9 ? d[la % 3][lb] : 9;
}

/* The i-th name the hint knows: the catalog's, then more's. */
static const char *
hint_name(int i, const char *const *more)
{
	return i < action_count() ? action_at(i)->name : more[i - action_count()];
}

static size_t
group_len(const char *an)
{
	const char *ad = strchr(an, '.');

	return ad ? (size_t)(ad - an) : strlen(an);
}

/* "unknown action" help: the actions of the group named, or the groups;
 * more (a dialect's and a profile's own actions) are among them, and
 * those a slip away from name are offered first. */
const char *
action_hint_among(const char *name, const char *const *more, int nmore,
    char *buf, size_t len)
{
	const char *dot = strchr(name, '.');
	size_t glen = dot ? (size_t)(dot - name) + 1 : 0, n = 0;
	int found = 0, total = action_count() + nmore;

	/* a user action a slip away in another group ("fxx.wet", "edit.zoom"
	 * for "editor.zoom"); those of the group named are listed below */
	for (int i = 0; i < nmore && n < len; i++)
		if ((glen == 0 || strncmp(more[i], name, glen) != 0) &&
		    edits(name, more[i]) <= 2)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    found++ ? ", " : "did you mean ", more[i]);
	if (found && n < len)
		n += (size_t)snprintf(buf + n, len - n, "? ");
	found = 0;
	for (int i = 0; glen && i < total; i++)
		found += strncmp(hint_name(i, more), name, glen) == 0;
	if (found && n < len) {
		n += (size_t)snprintf(buf + n, len - n, "%.*s actions are",
		    (int)glen - 1, name);
		found = 0;
		for (int i = 0; i < total && n < len; i++) {
			const char *an = hint_name(i, more);
			if (strncmp(an, name, glen) == 0)
				n += (size_t)snprintf(buf + n, len - n, "%s %s",
				    found++ ? "," : "", an + glen);
		}
		return buf;
	}
	found = 0;
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "actions are");
	for (int i = 0; i < total && n < len; i++) {
		const char *an = hint_name(i, more);
		size_t al = group_len(an);
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = group_len(hint_name(j, more)) == al &&
			    strncmp(hint_name(j, more), an, al) == 0;
		if (!seen)
			n += (size_t)snprintf(buf + n, len - n, "%s %.*s.*",
			    found++ ? "," : "", (int)al, an);
	}
	return buf;
}

const char *
action_hint(const char *name, char *buf, size_t len)
{
	return action_hint_among(name, NULL, 0, buf, len);
}

/*
 * Cheat-sheet labels, in the words of the README's role tables: %T the
 * track, %M the marker, %P the plugin, %R the profile, %L the label (for
 * a take's, what follows "{take}": "TAKE {take} keep" is "keep").  The
 * second form is for a binding with a label.
 */
static const struct {
	const char *action, *plain, *labelled;
} short_labels[] = {
	{ "profile.switch", "Role: %R", NULL },
	{ "profile.next", "Next role", NULL },
	{ "profile.previous", "Previous role", NULL },
	{ "transport.play", "Play", NULL },
	{ "transport.stop", "Stop", NULL },
	{ "transport.toggle", "Play/Stop", NULL },
	{ "transport.record", "Record", NULL },
	{ "transport.start", "To start", NULL },
	{ "transport.end", "To end", NULL },
	{ "transport.rewind", "Rewind", NULL },
	{ "transport.forward", "Forward", NULL },
	{ "transport.loop", "Loop", NULL },
	{ "marker.add", "Add marker", "Marker: %L" },
	{ "marker.section", "Section marker", "Marker: %L" },
	{ "loop.section", "Loop section", NULL },
	{ "marker.next", "Next marker", NULL },
	{ "marker.previous", "Prev marker", NULL },
	{ "marker.goto", "To marker %M", NULL },
	{ "take.new", "New take", "New take" },
	{ "take.keep", "Take: keep", "Take: %L" },
	{ "take.rate", "Take: rate", "Take: %L" },
	{ "take.discard", "Discard take", NULL },
	{ "bank.next", "Next bank", NULL },
	{ "bank.previous", "Prev bank", NULL },
	{ "session.save", "Save", NULL },
	{ "edit.undo", "Undo", NULL },
	{ "edit.redo", "Redo", NULL },
	{ "track.recarm", "Arm T%T", NULL },
	{ "track.mute", "Mute T%T", NULL },
	{ "track.solo", "Solo T%T", NULL },
	{ "track.select", "Select T%T", NULL },
	{ "track.bypass", "Bypass T%T FX%P", NULL },
	{ "track.gain", "Gain T%T", NULL },
	{ "track.fader", "Fader T%T", NULL },
	{ "track.trim", "Trim T%T", NULL },
	{ "track.pan", "Pan T%T", NULL },
	{ "master.gain", "Master gain", NULL },
	{ "track.meter", "Meter T%T", NULL },
};

static int
short_label_at(const struct action_def *a)
{
	for (size_t i = 0; a && i < sizeof(short_labels) / sizeof(short_labels[0]); i++)
		if (strcmp(short_labels[i].action, a->name) == 0)
			return (int)i;
	return -1;
}

bool
action_has_short_label(const struct action_def *a)
{
	return short_label_at(a) >= 0;
}

/* A label as the sheet shows it: a take's without its "TAKE {take}",
 * any other with {take} as "n". */
static void
label_words(const char *label, bool take, char *out, size_t len)
{
	const char *t = strstr(label, "{take}");
	size_t n = 0;

	if (take && t) {
		t += 6;
		while (*t == ' ')
			t++;
		snprintf(out, len, "%s", t);
		return;
	}
	for (const char *p = label; *p && n + 1 < len; p++) {
		if (strncmp(p, "{take}", 6) == 0) {
			out[n++] = 'n';
			p += 5;
		} else
			out[n++] = *p;
	}
	out[n] = '\0';
}

const char *
action_short_label(const struct action_def *a, int track, int marker,
    int plugin, const char *label, const char *profile, char *buf,
    size_t len)
{
	int at = short_label_at(a);
	char words[128];
	const char *fmt;
	size_t n = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (at < 0) {
		/* a user action (a dialect's own): its name, track, label */
		n = (size_t)snprintf(buf, len, "%s", a ? a->name : "");
		if (track > 0 && n < len)
			n += (size_t)snprintf(buf + n, len - n, " T%d", track);
		if (label && *label && n < len)
			snprintf(buf + n, len - n, ": %s", label);
		return buf;
	}
	words[0] = '\0';
	if (label && *label)
		label_words(label, strncmp(a->name, "take.", 5) == 0, words,
		    sizeof(words));
	fmt = *words && short_labels[at].labelled ? short_labels[at].labelled :
	    short_labels[at].plain;
	for (const char *p = fmt; *p && n + 1 < len; p++) {
		char num[16];
		const char *ins = NULL;
		if (*p != '%' || p[1] == '\0') {
			buf[n++] = *p;
			continue;
		}
		switch (*++p) {
		case 'T':
			snprintf(num, sizeof(num), "%d", track);
			ins = num;
			break;
		case 'M':
			snprintf(num, sizeof(num), "%d", marker);
			ins = num;
			break;
		case 'P':
			snprintf(num, sizeof(num), "%d", plugin);
			ins = num;
			break;
		case 'R':
			ins = profile ? profile : "?";
			break;
		case 'L':
			ins = words;
			break;
		default:
			ins = "%";
			break;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s", ins);
		if (n >= len)
			n = len - 1;
	}
	buf[n] = '\0';
	return buf;
}
