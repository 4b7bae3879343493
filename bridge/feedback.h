/*
 * Feedback: an OSC message from a DAW read back through the same dialect
 * templates that send commands, giving the action it reports, for which
 * track or marker, and the value.  "/strip/recenable if 2 1.0" against
 * "track.recarm = /strip/recenable i:{track} i:{value}" is track.recarm,
 * track 2, value 1.  Types are read loosely (Ardour reports buttons as
 * floats); a template without {value} takes one extra argument as the
 * value ("/transport_play f 1.0").  Pure: no I/O, tests call it directly.
 */
#ifndef CTLBRIDGE_FEEDBACK_H
#define CTLBRIDGE_FEEDBACK_H

#include <stdbool.h>

#include <lo/lo.h>

#include "config.h"

struct feedback_match {
	const struct action_def *action;
	int track, marker, plugin;
	double value;
	bool has_value;
};

/* 1 and *m filled when one of d's actions matches, else 0. */
int feedback_match(const struct dialect *d, const char *path,
    const char *types, lo_arg **argv, int argc, struct feedback_match *m);
/* The same for a profile p of d (p may be NULL): its own actions (its
 * [actions], its one-off "osc ..." bindings) first, then d's. */
int feedback_match_profile(const struct dialect *d, const struct profile *p,
    const char *path, const char *types, lo_arg **argv, int argc,
    struct feedback_match *m);

/* A meter reading on d's scale (meter_range) in dB; -inf for silence. */
double feedback_meter_db(const struct dialect *d, double v);

/* Walk an OSC packet (a message, or a bundle of them, nested), calling fn
 * for each message, read in place (allocating nothing); returns the
 * number of messages, -1 if malformed (messages before the fault were
 * passed on). */
int feedback_walk(const void *data, size_t len,
    void (*fn)(void *ctx, const struct osc_in *msg), void *ctx);

#endif
