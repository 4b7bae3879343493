/*
 * The per-event step of the bridge: a normalised MIDI event on one
 * surface's engine (its controller, its active profile, the state of each
 * control) becomes zero or one (binding, value) pair.  No I/O here, and no
 * clock: the caller passes the time and sends.
 * Per-control state (held button, encoder acceleration, pick-up, record
 * guard) lives in the engine, apart from the immutable profile.  What the DAW holds (the
 * last value sent to, or reported for, each target (config.h): a toggle's state,
 * a fader's level) lives in a target_values store shared by the surfaces
 * that talk to it, so that it follows the target across switches.
 */
#ifndef CTLBRIDGE_ENGINE_H
#define CTLBRIDGE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "midi.h"

struct control_state {	/* one per control: largest members first */
	const struct binding *held;	/* binding that received the press */
	double value;		/* last value sent, NAN if none */
	double pos;		/* last physical position 0..1, NAN if none */
	uint64_t last_tick_ns;
	double accel_mult;
	/* feedback: what was last sent to the control, and when; when the
	 * control last moved (a hand on it) */
	uint64_t fb_ns, in_ns;
	uint64_t guard_ns;	/* first press of a guarded button */
	int32_t fb_raw;
	int last_dir;
	bool pressed;		/* threshold state for absolute controls */
	bool latched;		/* toggle state when the binding has no target */
	bool pickup;		/* armed by a switch: wait to meet the target */
};

/* Values by target id (config.targets); NAN while unknown. */
struct target_values {
	double *v;
	int n;
};

struct target_values *target_values_new(int n);	/* NULL: out of memory */
void target_values_free(struct target_values *tv);

/* The engine of one surface. */
struct engine {
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

/* Why an event sent what it sent, or nothing: filled by every
 * engine_event, without allocating, for the monitor and the -v log. */
enum engine_why {
	ENGINE_WHY_SENT,	/* out is to be sent or done */
	ENGINE_WHY_UNMATCHED,	/* no control of the controller sends it */
	ENGINE_WHY_UNBOUND,	/* a control the profile leaves unbound */
	ENGINE_WHY_PICKUP,	/* waits to meet its target: want, at */
	ENGINE_WHY_GUARD,	/* guard=recording: press again within 1 s */
	ENGINE_WHY_ECHO,	/* a motor fader's echo of feedback */
	ENGINE_WHY_DISPLAY,	/* bound to a meter: shows, never sends */
	ENGINE_WHY_IDLE,	/* no press, release or tick to act on (a
				 * release of a press-only action, a fader
				 * inside its hysteresis, an LSB) */
	ENGINE_WHY_INERT,	/* bound to an action that sends nothing */
};

struct engine_output {
	const struct binding *binding;	/* NULL: none took the event */
	double value;		/* in the action's unit, clamped for the DAW */
	int control;		/* index in the controller, -1: unmatched */
	enum engine_why why;
	double want, at;	/* pick-up: the position to meet, and where
				 * the control is (0..1) */
};

/* With state for p's controller; NULL when out of memory. */
struct engine *engine_new(const struct profile *p);
void engine_free(struct engine *eng);

enum engine_result {
	ENGINE_NOTHING,		/* nothing to send */
	ENGINE_SEND,		/* out is to be sent (or, for a bridge action
				 * such as profile.next, done) */
	ENGINE_GUARDED,		/* out->binding is guarded and the DAW
				 * records: this press only armed it, nothing
				 * changed; a second press within a second
				 * will do it */
};

/* An event at now (CLOCK_MONOTONIC ns); an enum engine_result.  out is
 * filled whatever the result: control, why, and for a pick-up wait the
 * position to meet and the control's. */
int engine_event(struct engine *eng, const struct midi_event *ev, uint64_t now,
    struct engine_output *out);

/* Make p the active profile, between two events.  Absolute controls arm
 * pick-up: they send again once they meet their new target's value. */
void engine_switch(struct engine *eng, const struct profile *p);

/* A reload: p is the new set's profile of the running one's name, on a
 * controller of the same name; each control keeps its state by control
 * name, and the targets' values are now in values.  0, or -1 when out of
 * memory (nothing changed). */
int engine_rebind(struct engine *eng, const struct profile *p,
    struct target_values *values);
/* The same in two steps, so that several engines rebind all or none: the
 * new state (NULL: out of memory, nothing changed), then the change. */
struct control_state *engine_rebind_prepare(const struct engine *eng,
    const struct profile *p);
void engine_rebind_commit(struct engine *eng, const struct profile *p,
    struct target_values *values, struct control_state *st);

/*
 * The MIDI that shows value on b's control (LED, motor fader, LED ring),
 * in the control's own message; returns its length, 0 when the control
 * takes no feedback or a hand is on it.  Records what was sent, so that
 * its echo from a motor fader is not taken for a move.
 */
int engine_feedback(struct engine *eng, const struct binding *b, double value,
    uint64_t now, uint8_t *out);
/* The same for a control lit or dark regardless of any binding (the
 * profile's indicator, an unbound button). */
int engine_feedback_switch(struct engine *eng, int control, bool on,
    uint64_t now, uint8_t *out);

/* The value of b's target as last sent or reported, NAN if unknown. */
double engine_target_value(const struct engine *eng, const struct binding *b);
/* The same by target id (config.targets); NAN for -1. */
double engine_value(const struct engine *eng, int target);

#endif
