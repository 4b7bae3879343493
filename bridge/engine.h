/*
 * The per-event step of the bridge: a normalised MIDI event on a surface
 * (one connected controller with its active profile) becomes zero or one
 * (binding, value) pair.  No I/O here; the caller sends.
 * Per-control state (held button, encoder acceleration, pick-up) lives in
 * the surface, apart from the immutable profile.  What the DAW holds (the
 * last value sent to, or reported for, each OSC target: a toggle's state,
 * a fader's level) lives in a target_values store shared by the surfaces
 * that talk to it, so that it follows the target across switches.
 */
#ifndef CTLBRIDGE_ENGINE_H
#define CTLBRIDGE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "midi.h"

struct control_state {
	bool pressed;		/* threshold state for absolute controls */
	bool latched;		/* toggle state when the binding has no target */
	bool pickup;		/* armed by a switch: wait to meet the target */
	const struct binding *held;	/* binding that received the press */
	double value;		/* last value sent, NAN if none */
	double pos;		/* last physical position 0..1, NAN if none */
	uint64_t last_tick_ns;
	int last_dir;
	double accel_mult;
	/* feedback: what was last sent to the control, and when; when the
	 * control last moved (a hand on it) */
	int32_t fb_raw;
	uint64_t fb_ns, in_ns;
	uint64_t guard_ns;	/* first press of a guarded button */
};

/* Values by target id (config.targets); NAN while unknown. */
struct target_values {
	double *v;
	int n;
};

int target_values_init(struct target_values *tv, int n);
void target_values_fini(struct target_values *tv);

struct surface {
	const struct controller *controller;
	const struct profile *profile;
	struct control_state *state;	/* one per control of controller */
	struct target_values *values;	/* shared; NULL: per-control only */
	uint64_t events, sent, unbound, held_back, echoes;
};

/* A motor fader reports the position feedback moved it to; a control
 * moved by hand must not be moved by feedback at the same time. */
#define ECHO_WINDOW_NS 300000000ull
#define TOUCH_WINDOW_NS 300000000ull
#define FEEDBACK_MAX 16		/* bytes of one control's feedback */

struct engine_output {
	const struct binding *binding;
	double value;		/* in the action's unit, clamped for the DAW */
};

/* Allocates state for p's controller; 0 or -1. */
int surface_init(struct surface *s, const struct profile *p);
void surface_fini(struct surface *s);

/* Returns 1 and fills out when a message is to be sent (or, for a bridge
 * action such as profile.next, done), else 0. */
int engine_event(struct surface *s, const struct midi_event *ev,
    struct engine_output *out);

/* Make p the active profile, between two events.  Absolute controls arm
 * pick-up: they send again once they meet their new target's value. */
void surface_switch(struct surface *s, const struct profile *p);

/*
 * The MIDI that shows value on b's control (LED, motor fader, LED ring),
 * in the control's own message; returns its length, 0 when the control
 * takes no feedback or a hand is on it.  Records what was sent, so that
 * its echo from a motor fader is not taken for a move.
 */
int engine_feedback(struct surface *s, const struct binding *b, double value,
    uint8_t *out);
/* The same for a control lit or dark regardless of any binding (the
 * profile's indicator, an unbound button). */
int engine_feedback_switch(struct surface *s, int control, bool on,
    uint8_t *out);

/* The value of b's target as last sent or reported, NAN if unknown. */
double surface_target_value(const struct surface *s, const struct binding *b);

#endif
