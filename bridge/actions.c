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
	if (a->user)
		return strcmp(a->name, b->name);
	return (a > b) - (a < b);
}

/* "unknown action" help: the actions of the group named, or the groups. */
const char *
action_hint(const char *name, char *buf, size_t len)
{
	const char *dot = strchr(name, '.');
	size_t glen = dot ? (size_t)(dot - name) + 1 : 0, n;
	int found = 0;

	for (int i = 0; glen && i < action_count(); i++)
		found += strncmp(action_at(i)->name, name, glen) == 0;
	if (found) {
		n = (size_t)snprintf(buf, len, "%.*s actions are", (int)glen - 1,
		    name);
		found = 0;
		for (int i = 0; i < action_count() && n < len; i++) {
			const char *an = action_at(i)->name;
			if (strncmp(an, name, glen) == 0)
				n += (size_t)snprintf(buf + n, len - n, "%s %s",
				    found++ ? "," : "", an + glen);
		}
		return buf;
	}
	n = (size_t)snprintf(buf, len, "actions are");
	for (int i = 0; i < action_count() && n < len; i++) {
		const char *an = action_at(i)->name, *ad = strchr(an, '.');
		size_t al = ad ? (size_t)(ad - an) : strlen(an);
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = strncmp(action_at(j)->name, an, al + 1) == 0;
		if (!seen)
			n += (size_t)snprintf(buf + n, len - n, "%s %.*s.*",
			    found++ ? "," : "", (int)al, an);
	}
	return buf;
}
