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
	uint64_t events, sent, unbound, held_back;
};

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

/* The value of b's target as last sent or reported, NAN if unknown. */
double surface_target_value(const struct surface *s, const struct binding *b);

#endif
