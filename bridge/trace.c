/*
 * What -v logs of the event path: each message sent, as the sender
 * formats it, and why a move did nothing when that would leave a user
 * puzzled (a pick-up wait, a message no control sends), rate-limited.
 * The event path calls in here only at -v.
 */
#include <stdio.h>

#include "bridge.h"
#include "log.h"

/* -v: a message sent, "fader1 -> /strip/gain 1 -15". */
void
trace_sent(const struct surface *sf, const struct engine_output *out,
    const struct osc_context *ctx)
{
	const struct binding *b = out->binding;
	const struct osc_msg *msg = binding_msg(b, out->value);
	char args[256];

	log_debug("%s -> %s%s", sf->eng->controller->controls[b->control].name,
	    msg->address ? msg->address : b->action->name,
	    osc_msg_format(msg, out->value, ctx, args, sizeof(args)));
}

/* -v: why a move did nothing, when that would leave a user puzzled: a
 * fader waiting for pick-up after a switch, a message no control sends.
 * Rate-limited: a fader sweeps a hundred values a second. */
void
trace_silence(struct surface *sf, const struct midi_event *ev,
    const struct engine_output *out)
{
	char name[64];

	if (out->why == ENGINE_WHY_PICKUP)
		log_debug_limited(&sf->pickup_log, "surface %d: %s: pick-up: "
		    "waiting for %.2f, at %.2f (%s in %s)", sf->index,
		    sf->eng->controller->controls[out->control].name, out->want,
		    out->at, out->binding->action->name, sf->eng->profile->name);
	else if (out->why == ENGINE_WHY_UNMATCHED)
		log_debug_limited(&sf->unmatched_log, "surface %d: unmatched: %s "
		    "(no control of %s sends it)", sf->index,
		    monitor_message_name(ev, name, sizeof(name)),
		    sf->eng->controller->name);
}
