/*
 * The catalog of semantic actions: the vocabulary shared by role profiles
 * (which control performs which action) and DAW dialects (which OSC message
 * an action is in that DAW).  Profiles and dialects are validated against it.
 */
#ifndef CTLBRIDGE_ACTIONS_H
#define CTLBRIDGE_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum action_type {
	ACTION_TRIGGER,		/* a one-shot command: play, add marker */
	ACTION_TOGGLE,		/* an on/off state: record arm, mute */
	ACTION_CONTINUOUS,	/* a value in a range: gain, pan */
};

/* Parameters an action takes from its binding. */
enum action_param {
	PARAM_TRACK = 1 << 0,	/* track=N, 1-based strip in the current bank */
	PARAM_LABEL = 1 << 1,	/* label=TEXT */
	PARAM_MARKER = 1 << 2,	/* marker=N, 1-based */
	PARAM_PROFILE = 1 << 3,	/* profile=NAME */
	PARAM_PLUGIN = 1 << 4,	/* plugin=N, 1-based slot on the track */
	PARAM_RANGE = 1 << 5,	/* {start} {end}: a range the bridge works
				 * out at each press, never set by a binding */
};

enum taper {
	TAPER_LINEAR,		/* position maps linearly onto min..max */
	TAPER_FADER,		/* console fader law in dB, see transform.c */
};

enum value_unit { UNIT_NONE, UNIT_DB, UNIT_POSITION };

/* What the bridge itself does for an action, besides any OSC. */
enum action_effect {
	EFFECT_NONE,
	EFFECT_SWITCH,		/* profile.switch */
	EFFECT_NEXT,		/* profile.next */
	EFFECT_PREVIOUS,	/* profile.previous */
	EFFECT_NEW_TAKE,	/* take.new: count a take first */
	EFFECT_SECTION,		/* marker.section: remember where it starts */
	EFFECT_LOOP_SECTION,	/* loop.section: the range around the playhead */
};

struct action_def {
	const char *name;
	enum action_type type;
	unsigned params;	/* allowed enum action_param bits */
	unsigned required;	/* required enum action_param bits */
	enum value_unit unit;
	double min, max, def;	/* CONTINUOUS: value range and start value */
	enum taper taper;	/* CONTINUOUS: default taper */
	double step;		/* CONTINUOUS: default encoder step per tick */
	bool bipolar;		/* CONTINUOUS: def is a centre (trim 0 dB, pan
				 * 0.5) that a knob's middle value must hit */
	bool internal;		/* done by the bridge itself, no OSC */
	bool display;		/* only shown: the DAW reports it (a meter),
				 * nothing is sent when the control moves */
	enum action_effect effect;
	const char *summary;
	/* A user action ([actions] of a dialect, or a profile's one-off
	 * "osc ADDRESS ARG..."): owned by the loaded set, never changed
	 * after load.  index: its place in its dialect's tables (after the
	 * catalog's), -1 for a one-off, which has no place there. */
	bool user;
	int index;
};

/* A catalog action by name; user actions are found through their
 * dialect (dialect_action_find in config.h). */
const struct action_def *action_find(const char *name);
int action_count(void);
const struct action_def *action_at(int i);
/* The place of a in a dialect's tables: the catalog's own, or a user
 * action's (-1 for a one-off). */
int action_index(const struct action_def *a);
/* Order of actions in target keys: the catalog's by index, then user
 * actions by name and message (stable across reloads). */
int action_cmp(const struct action_def *a, const struct action_def *b);
/* Help for an unknown action name: the actions of its group ("transport
 * actions are play, stop, ...") or else the groups; returns buf. */
const char *action_hint(const char *name, char *buf, size_t len);
/* The same among more actions (a dialect's, a profile's own): those of
 * name's group with the catalog's, or else those a slip or two away
 * from name ("did you mean fx.wet?") before the groups. */
const char *action_hint_among(const char *name, const char *const *more,
    int nmore, char *buf, size_t len);

/*
 * What a binding does, in a few words, as a cheat sheet labels its
 * control ("Gain T1", "Arm T1", "Marker: Verse", "Take: keep", "Role:
 * producer"): the action with its track, marker, plugin, label and
 * profile (0 or NULL when it has none).  Returns buf.
 */
const char *action_short_label(const struct action_def *a, int track,
    int marker, int plugin, const char *label, const char *profile,
    char *buf, size_t len);
/* The short label's words of every action have been written (tests). */
bool action_has_short_label(const struct action_def *a);

#endif
