/*
 * The per-event step of the bridge: a normalised MIDI event on a surface
 * (one connected controller with its active profile) becomes zero or one
 * (binding, value) pair.  No I/O here; the caller sends.
 * Per-control state (toggle latch, held button, encoder accumulator and
 * acceleration) lives in the surface, apart from the immutable profile.
 */
#ifndef CTLBRIDGE_ENGINE_H
#define CTLBRIDGE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "midi.h"

struct control_state {
	bool pressed;		/* threshold state for absolute controls */
	bool latched;		/* toggle state */
	const struct binding *held;	/* binding that received the press */
	double value;		/* last value sent, NAN if none */
	uint64_t last_tick_ns;
	int last_dir;
	double accel_mult;
};

struct surface {
	const struct controller *controller;
	const struct profile *profile;
	struct control_state *state;	/* one per control of controller */
	uint64_t events, sent, unbound;
};

struct engine_output {
	const struct binding *binding;
	double value;		/* in the action's unit, clamped for the DAW */
};

/* Allocates state for p's controller; 0 or -1. */
int surface_init(struct surface *s, const struct profile *p);
void surface_fini(struct surface *s);

/* Returns 1 and fills out when a message is to be sent, else 0. */
int engine_event(struct surface *s, const struct midi_event *ev,
    struct engine_output *out);

#endif
