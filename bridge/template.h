/*
 * The template language of DAW dialects, in one place.  A template is an
 * OSC address that may hold {track} {track0} {marker} {plugin} {plugin0},
 * then typed arguments, each a constant ("i:3", "s:text", T F N I) or a
 * placeholder ("i:{track}", "f:{value}", "s:{label?}", "i:{start}").
 * Parsed when a dialect loads, expanded into a binding's message when a
 * profile is compiled, matched against what the DAW reports (feedback).
 */
#ifndef CTLBRIDGE_TEMPLATE_H
#define CTLBRIDGE_TEMPLATE_H

#include <stdbool.h>
#include <stdint.h>

#include <lo/lo.h>

#include "actions.h"
#include "diag.h"
#include "osc_msg.h"

/* Where an OSC argument's value comes from. */
enum arg_source {
	ARG_CONST,	/* fixed in the dialect */
	ARG_TRACK,	/* binding's track, 1-based */
	ARG_TRACK0,	/* binding's track, 0-based */
	ARG_MARKER,
	ARG_PLUGIN,	/* binding's plugin slot, 1-based */
	ARG_PLUGIN0,	/* binding's plugin slot, 0-based */
	ARG_LABEL,
	ARG_START,	/* loop.section: where the range starts, per event */
	ARG_END,	/* loop.section: where it ends, per event */
	ARG_VALUE,	/* the action's value, per event */
};

struct arg_template {
	char type;		/* OSC type tag: i f d h s T F N, or b (T/F from value) */
	uint8_t source;		/* enum arg_source */
	bool optional;		/* {label?}: left out when the binding has none */
	char *text;		/* ARG_CONST: the literal as written */
	struct osc_arg value;	/* ARG_CONST: and as read, once */
};

struct msg_template {
	char *address;		/* may hold {track} {track0} {marker} {plugin}
				 * {plugin0} */
	struct arg_template *args;
	int nargs;
};

/* The numbers a binding puts into a template, or a report gives back;
 * 1-based, 0 for none. */
struct template_slots {
	int track, marker, plugin;
};

/* Parse "/strip/gain i:{track} f:{value}" for action a (whose params say
 * which placeholders it may use) into t; false with a diagnostic at
 * file:line, t then holding what to free. */
bool template_parse(const struct action_def *a, const char *text,
    struct msg_template *t, struct diag_list *dl, const char *file, int line);
void template_free(struct msg_template *t);
/* Has t a {value} argument? */
bool template_takes_value(const struct msg_template *t);
/* Is t made of constants only (sent as written)? */
bool template_is_constant(const struct msg_template *t);

/* The message t sends for slots and label: everything but the per-event
 * parts ({value}, {start} {end}, {take} in a label) is filled in here. */
void template_expand(const struct msg_template *t,
    const struct template_slots *slots, const char *label, struct osc_msg *out);

/* Does a message (path, types, argv) match t?  Fills in the slots it
 * gives, and the value ({value}, or one extra argument when t has no
 * {value}). */
bool template_match(const struct msg_template *t, const char *path,
    const char *types, lo_arg **argv, int argc, struct template_slots *slots,
    double *value, bool *has_value);

#endif
