/*
 * The three configuration layers, loaded into one immutable set:
 *   controller definitions  mappings/controllers/NAME.ini
 *   DAW dialects            mappings/daws/NAME.ini
 *   role profiles           profiles/NAME.ini
 * Everything is parsed, cross-checked and compiled when the set is loaded
 * (control lookup tables, OSC templates with their constants filled in,
 * resolved DAW addresses), so the per-event path only indexes arrays.
 * A loaded set is never modified; runtime state lives in engine.h.
 */
#ifndef CTLBRIDGE_CONFIG_H
#define CTLBRIDGE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "actions.h"
#include "diag.h"
#include "midi.h"
#include "osc_msg.h"
#include "template.h"

/* ---- controller definitions ---- */

enum control_kind {
	CONTROL_CC, CONTROL_CC14, CONTROL_NRPN, CONTROL_RPN, CONTROL_NOTE,
	CONTROL_PITCH_BEND, CONTROL_CHANNEL_AFTERTOUCH, CONTROL_POLY_AFTERTOUCH,
	CONTROL_PROGRAM,
};

enum control_mode { MODE_ABSOLUTE, MODE_BUTTON, MODE_RELATIVE };

/* How a relative encoder writes its ticks into a 7-bit value. */
enum relative_format {
	REL_TWOS_COMPLEMENT,	/* 1..63 up, 127..65 = -1..-63 */
	REL_SIGN_MAGNITUDE,	/* 1..63 up, 65..127 = -1..-63 */
	REL_BINARY_OFFSET,	/* 65..127 = +1..+63, 63..0 = -1..-64 */
};

/* Where a control is drawn on a cheat sheet ([layout]): a widget at a
 * row and column of the controller's grid, 1-based, over tall rows and
 * wide columns; layer names a shift or preset layer whose controls share
 * the cell of the one without ("B", "SOLO"). */
enum widget { WIDGET_NONE, WIDGET_FADER, WIDGET_KNOB, WIDGET_ENCODER,
    WIDGET_BUTTON, WIDGET_PAD };

struct control_place {
	uint8_t widget;		/* enum widget; WIDGET_NONE: not placed */
	uint8_t row, col, tall, wide;
	char layer[16];
	int line;
};

struct control {
	char *name;
	uint8_t kind;		/* enum control_kind */
	uint8_t mode;		/* enum control_mode */
	uint8_t relative;	/* enum relative_format, MODE_RELATIVE only */
	uint8_t channel;	/* 0..15 */
	uint16_t number;
	int32_t max;		/* largest raw value */
	bool feedback;		/* the DAW's state is sent back to it (LED,
				 * motor fader, LED ring) */
	uint8_t on_value, off_value;	/* a lit / dark LED, for switches */
	uint16_t led_number;	/* feedback goes to this number (led=N) */
	int line;
	struct control_place place;
};

#define CONTROL_NONE 0xFFFF

struct param_key {
	uint32_t key;		/* kind << 20 | channel << 14 | number */
	uint16_t control;
};

struct controller {
	char *name;		/* file stem: "nanokontrol2" */
	char *file;
	int errors;		/* in its file: profiles using it are not
				 * compiled (one cause, one message) */
	char *title;		/* "Korg nanoKONTROL2" */
	char *port_pattern;	/* glob, case-insensitive; plain text matches anywhere */
	uint8_t channel;	/* [controller] channel, 0-based */
	struct control *controls;
	int ncontrols;
	/* lookup: control index or CONTROL_NONE */
	uint16_t by_cc[16][128];
	uint16_t by_note[16][128];
	uint16_t by_poly[16][128];
	uint16_t by_cc14[16][32];
	uint16_t by_program[16][128];
	uint16_t by_bend[16], by_chanat[16];
	struct param_key *by_param;	/* sorted, NRPN and RPN */
	int nparam;
	uint16_t *by_name;	/* control indices sorted by name */
	uint32_t cc14_mask[16];	/* to configure decoders */
	uint8_t *init;		/* MIDI bytes to send when it connects */
	size_t init_len;
	int layout_line;	/* its [layout] section, 0 if none */
};

/* "fader", "knob" ... for a widget. */
const char *widget_name(enum widget w);

/* ---- DAW dialects ---- */

enum osc_proto { OSC_UDP, OSC_TCP };

struct dialect_action {
	bool defined;
	bool unsupported;	/* declared "unsupported": the DAW cannot do it */
	bool unreported;	/* [feedback] "none": the DAW never reports it,
				 * so the bridge shows its own state */
	struct msg_template msg;
	/* "ON | OFF": a toggle the DAW takes as two commands (Ardour's
	 * /strip/plugin/deactivate and /activate); msg is sent for 1, this
	 * for 0.  address NULL: one message carries the value. */
	struct msg_template msg_off;
	int line;
};

/* A user action: a name that is not the catalog's, defined in a dialect's
 * [actions] (usable by every profile for that DAW) or in a profile's
 * (usable by that profile), or a binding's own message ("osc ADDRESS
 * ARG..."); its kind follows from its message and options.  Owned by the
 * set, never changed after load. */
struct user_action {
	struct action_def def;	/* def.name and def.summary are owned here */
	struct dialect_action da;	/* its message */
	/* a profile's action: its [feedback] line, where the DAW reports it
	 * when not at its own message (a dialect's are in its reports) */
	struct dialect_action report;
};

struct dialect {
	char *name;
	char *file;
	int errors;		/* in its file: profiles using it are not
				 * compiled (one cause, one message) */
	char *title;
	char *host;
	int port;
	enum osc_proto proto;
	double db_floor;	/* dB values below are sent as this */
	bool bundle;		/* takes OSC bundles (bundle = on) */
	/* How the DAW reports a meter: in dB (meter_max 0), or as 0..meter_max
	 * linear in dB from meter_low at the bottom to meter_high at the top,
	 * 0 being silence (meter_range = LOW HIGH [MAX]). */
	double meter_low, meter_high, meter_max;
	struct dialect_action *actions;	/* indexed by action_index() */
	/* the actions its [actions] adds to the catalog, in file order:
	 * user[k] has index action_count() + k */
	struct user_action **user;
	int nuser;
	int nactions;		/* action_count() + nuser: the tables' size */
	/* [feedback]: where the DAW reports an action's state when that is
	 * not the command's own address (AbletonOSC's /get/ replies) */
	struct dialect_action *reports;	/* indexed by action_index() */
	/* Feedback: messages that ask the DAW for it, and how long it may
	 * stay silent before the bridge asks again (0: never). */
	struct msg_template *handshake;
	int nhandshake;
	int heartbeat_s;
	/* flood control: at most this many messages a second to one DAW
	 * address (osc_out.h); 0: no cap */
	int max_rate;
	/* where the DAW reports the playhead ("/position/time s:{value}"),
	 * for the session journal */
	struct msg_template position;
	/* where it reports the playhead as a number in the unit its
	 * loop.section takes ("/position/samples s:{value}") */
	struct msg_template playhead;
};

/* ---- role profiles ---- */

enum trigger_mode {
	TRIGGER_PRESS,		/* act on press, ignore release */
	TRIGGER_TOGGLE,		/* press flips a latched state */
	TRIGGER_MOMENTARY,	/* press on, release off */
};

/* What few bindings have, out of line: a binding's more (NULL: none). */
struct binding_more {
	char *label;		/* label=: markers' names, a message's {label} */
	char *profile;		/* profile.switch: the profile's name */
	struct osc_msg msg_off;	/* sent for 0 when the dialect splits a
				 * toggle in two (ON | OFF); else unset */
	/* A bipolar range (trim, pan) has a centre the control's middle raw
	 * value (64 of 0..127) hits exactly: centre_pos maps to centre. */
	double centre, centre_pos;
	int marker, plugin;
};

/* A profile's binding: one per bound control, so kept small (largest
 * members first, the rarely used ones out of line: 120 bytes on LP64,
 * 200 before). */
struct binding {
	const struct action_def *action;
	struct binding_more *more;
	struct osc_msg msg;
	double min, max;	/* action value range */
	double step, accel;	/* relative encoders */
	double db_floor;
	int track;
	int target;		/* id of the DAW-side target (config.targets),
				 * -1 for none: bridge actions, inert bindings */
	int next_same_target;	/* another binding of this profile on the
				 * same target, -1 if none */
	int line;
	uint16_t control;
	uint8_t taper;		/* enum taper */
	uint8_t trigger;	/* enum trigger_mode */
	bool pickup;		/* absolute: wait to meet the target's value
				 * after a switch (soft takeover) */
	bool guard;		/* guard=recording: while the DAW records, a
				 * second press within a second is needed */
	bool invert;
	bool centred;		/* more->centre, more->centre_pos are set */
	bool unreported;	/* a toggle the DAW never reports ([feedback]
				 * none): its LEDs show what was sent */
};
/* the enums kept in a byte */
_Static_assert(TAPER_FADER <= UINT8_MAX && TRIGGER_MOMENTARY <= UINT8_MAX,
    "struct binding's taper and trigger are bytes");
_Static_assert(sizeof(void *) != 8 || sizeof(struct binding) <= 120,
    "struct binding grew: a member few bindings use goes in its more");

static inline const char *
binding_label(const struct binding *b)
{
	return b->more ? b->more->label : NULL;
}

static inline const char *
binding_profile(const struct binding *b)
{
	return b->more ? b->more->profile : NULL;
}

static inline int
binding_marker(const struct binding *b)
{
	return b->more ? b->more->marker : 0;
}

static inline int
binding_plugin(const struct binding *b)
{
	return b->more ? b->more->plugin : 0;
}

/* The message b sends for value: msg, or msg_off for a split toggle's 0. */
static inline const struct osc_msg *
binding_msg(const struct binding *b, double value)
{
	return value == 0 && b->more && b->more->msg_off.address ?
	    &b->more->msg_off : &b->msg;
}

/* A profile's [on] section: what the DAW's state changing does.  The
 * events come from the feedback the DAW sends (hooks.c): a change of
 * state, once, not every report of it. */
enum hook_event {
	HOOK_RECORDING_START, HOOK_RECORDING_STOP,
	HOOK_TRANSPORT_START, HOOK_TRANSPORT_STOP,
	HOOK_DAW_CONNECTED, HOOK_DAW_LOST,
	HOOK_NEVENTS,
};

/* One action of a hook: a binding of no control (control CONTROL_NONE)
 * and the value it sends (1 for a trigger, a toggle's on or off). */
struct hook_action {
	struct binding b;
	double value;
};

/* An [on] line: its actions, run in order. */
struct hook {
	struct hook_action *actions;
	int nactions;		/* 0: the profile has no hook for the event */
	char *text;		/* the line's right side, for status */
	int line;
};

/* "recording.start" ...; hook_event_find: -1 if none. */
const char *hook_event_name(enum hook_event e);
int hook_event_find(const char *name);

struct profile {
	char *name;
	char *file;
	char *title;
	const struct controller *controller;
	const struct dialect *dialect;
	char *host;		/* numeric address, resolved at load */
	int port;
	enum osc_proto proto;
	struct binding *bindings;
	int nbindings;
	int *by_control;	/* binding index per control, -1 if unbound */
	int indicator;		/* control lit while this profile is active, -1 */
	int record_target, play_target;	/* the DAW's record and play state,
					 * for guard=recording; -1 if none */
	int loop_target;	/* the DAW's loop state, for loop.section */
	char *journal;		/* append every action here, NULL for none */
	/* profile.next and .previous: the profiles of this controller in
	 * name order, round (itself when it is the only one) */
	const struct profile *next, *previous;
	/* feedback: first binding of each target (config.targets), -1 if
	 * none; further ones chained through binding.next_same_target */
	int *by_target;
	/* the actions of its own [actions], in file order */
	struct user_action **user;
	int nuser;
	/* the messages its "osc ADDRESS ARG..." bindings send */
	struct user_action **oneoffs;
	int noneoffs;
	struct hook hooks[HOOK_NEVENTS];	/* [on] */
};

/* ---- the set ---- */

/* What an action does to one DAW, whatever control does it
 * ("/strip/gain i:3" at 127.0.0.1:3819), so that values sent or reported
 * are kept per target, not per button, and survive a switch or a reload
 * (matched by key).  The strings belong to the set's profiles. */
struct target {
	const char *host;	/* the DAW's numeric address */
	int port;
	const char *dialect;	/* the dialect's name */
	const struct action_def *action;
	int track, marker, plugin;
	const char *label;	/* "" for none */
};

struct config {
	char **dirs;		/* search path, first wins */
	int ndirs;
	struct controller **controllers;
	int ncontrollers;
	struct dialect **dialects;
	int ndialects;
	struct profile **profiles;
	int nprofiles;
	/* every distinct target of every binding, sorted: a target's id is
	 * its index */
	struct target *targets;
	int ntargets;
};

/* -o HOST:PORT: every profile's DAW is there instead of where its files
 * say.  The host as written: each load resolves it. */
struct daw_override {
	char host[256];
	int port;
};

/* "HOST:PORT" or "[HOST]:PORT"; 0, or -1 with a diagnostic. */
int daw_override_parse(const char *hostport, struct daw_override *o,
    struct diag_list *dl);

/*
 * Load every controller, dialect and profile found under the directories
 * (each holding mappings/ and profiles/; for a file present in several, the
 * first directory wins).  Returns the set even with errors in it, so that
 * `check` can report them all; callers refuse to use a set with
 * dl->errors > 0.  Returns NULL only when out of memory.  daw: -o, or NULL.
 */
struct config *config_load(char *const *dirs, int ndirs,
    const struct daw_override *daw, struct diag_list *dl);
/*
 * The same for a bridge running the named profiles: errors in files none
 * of them needs (not the profiles they switch to, nor the controllers and
 * dialects of either) become warnings, and the profiles that cannot run
 * are left out of the set, each with a line that says so.
 */
struct config *config_load_running(char *const *dirs, int ndirs,
    const struct daw_override *daw, const char *const *running, int nrunning,
    struct diag_list *dl);
/*
 * Check the named files only (as `ctlbridge check FILE...`), resolving
 * what they reference through dirs.
 */
struct config *config_load_files(char *const *dirs, int ndirs,
    char *const *files, int nfiles, struct diag_list *dl);
void config_free(struct config *cfg);

const struct profile *config_profile(const struct config *cfg, const char *name);
/* "no profile 'NAME' (profiles: a, b, ...)", for a name that is none, in
 * buf; the list cut short where buf ends. */
const char *config_no_profile(const struct config *cfg, const char *name,
    char *buf, size_t len);
const struct controller *config_controller(const struct config *cfg, const char *name);
const struct dialect *config_dialect(const struct config *cfg, const char *name);
/* The profile a hook's actions switch to (profile.switch, .next,
 * .previous), NULL if none; *line: where. */
const struct profile *hook_switch(const struct config *cfg,
    const struct profile *p, const struct hook *h, int *line);

/* The action called name in d: the catalog's or one d adds; NULL if none
 * (d NULL: the catalog only). */
const struct action_def *dialect_action_find(const struct dialect *d,
    const char *name);
/* The action called name in p: the catalog's, its dialect's or its own
 * [actions]'; NULL if none. */
const struct action_def *profile_action_find(const struct profile *p,
    const char *name);
/* The profile's own action a is (from its [actions], or a one-off), NULL
 * when a is the catalog's or the dialect's. */
const struct user_action *profile_own_action(const struct profile *p,
    const struct action_def *a);
/* The i-th action of d's tables (0 <= i < d->nactions). */
const struct action_def *dialect_action_at(const struct dialect *d, int i);
/* The id of a target with key's content (from this set or another), or -1. */
int config_target(const struct config *cfg, const struct target *key);
/* The id of what p's DAW reports for a (a DAW report has no label), or
 * -1; allocates nothing. */
int config_target_of(const struct config *cfg, const struct profile *p,
    const struct action_def *a, int track, int marker, int plugin);

/* Control index for an event, CONTROL_NONE if the controller has none. */
uint16_t controller_lookup(const struct controller *c, const struct midi_event *ev);
/* the index of the control called name, -1 if none (binary search) */
int controller_control(const struct controller *c, const char *name);

#endif
