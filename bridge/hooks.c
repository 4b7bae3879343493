/*
 * The session drives the roles: a profile's [on] hooks (config_hooks.c)
 * fired by the DAW's state changing, as its feedback tells it, never by
 * polling.  After each message from a surface's DAW (bridge.c:daw_message)
 * the surface's view of it is compared with what it was: the transport
 * rolling (its play state), recording (record armed and rolling, as
 * guard=recording reads it), the DAW answering (daw_link.c); daw.lost
 * comes from the link's heartbeat.  An event fires on a change, once.
 *
 * A hook's actions run in order.  When one switches the surface's profile,
 * the new profile's hook for the same event runs next, and so on: one
 * chain per event, which never comes back to a profile it left (check
 * refuses such a loop; a switch that would close one is refused here too).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "util.h"

#define CHAIN_MAX 16

void
hooks_reset(struct surface *sf)
{
	sf->hooks.connected = sf->hooks.rolling = sf->hooks.recording = -1;
	sf->hooks.resets++;
}

/* 1, 0, or -1 while the DAW has not said. */
static int
known(double v)
{
	return isnan(v) ? -1 : v == 1;
}

/* Recording: record armed and rolling; known as soon as either is known
 * to be off. */
static int
recording(int rec, int play)
{
	if (rec == 0 || play == 0)
		return 0;
	return rec == 1 && play == 1 ? 1 : -1;
}

/* A profile switch of a hook: to the profile named, the next or the
 * previous; refused when the chain of this event has been there.  did
 * (a monitor's, or NULL) says what became of it. */
static void
hook_switch_to(struct surface *sf, enum hook_event e, const struct binding *b,
    const struct profile **chain, int n, char *did, size_t didlen)
{
	const struct profile *at = sf->eng->profile, *to;
	char why[64], err[256];

	if (b->action->effect == EFFECT_SWITCH)
		to = config_profile(sf->br->cfg, binding_profile(b));
	else
		to = b->action->effect == EFFECT_NEXT ? at->next : at->previous;
	if (to == NULL || to == at) {
		if (did)
			snprintf(did, didlen, "profile %s already", at->name);
		return;
	}
	for (int i = 0; i < n; i++)
		if (chain[i] == to) {
			log_warnx("surface %d: on %s: %s switches back to %s: a "
			    "loop, refused (ctlbridge check says where)",
			    sf->index, hook_event_name(e), at->name, to->name);
			if (did)
				snprintf(did, didlen, "refused: back to %s, a "
				    "loop", to->name);
			return;
		}
	snprintf(why, sizeof(why), "on %s", hook_event_name(e));
	if (bridge_switch(sf, to, why, err, sizeof(err)) < 0) {
		log_warnx("surface %d: on %s: %s", sf->index, hook_event_name(e),
		    err);
		if (did)
			snprintf(did, didlen, "not switched: %s", err);
	} else if (did)
		snprintf(did, didlen, "profile %s", to->name);
}

/* A DAW action of a hook: sent to the surface's DAW as a press of a
 * button bound to it would be (take.new counts a take first). */
static void
hook_send(struct surface *sf, enum hook_event e, const struct hook_action *ha,
    uint64_t now, char *did, size_t didlen)
{
	const struct binding *b = &ha->b;
	struct osc_context args = { 0, 0, 0 };
	const struct osc_msg *msg = binding_msg(b, ha->value);
	char text[256];

	if (msg->address == NULL) {
		/* the dialect has none: check warned */
		if (did)
			snprintf(did, didlen, "%s sends nothing here",
			    b->action->name);
		return;
	}
	/* as a press: take.new counts the take its label names */
	if (!session_before_send(sf, b, true, now, &args)) {
		if (did)
			snprintf(did, didlen, "not sent (the log says why)");
		return;
	}
	journal_hook(sf, hook_event_name(e), b, ha->value);
	if (log_verbose >= 1)
		log_debug("surface %d: on %s -> %s%s", sf->index,
		    hook_event_name(e), msg->address, osc_msg_format(msg,
		    ha->value, &args, text, sizeof(text)));
	if (osc_send_binding(&sf->link.address, &sf->br->osc, b, ha->value,
	    &args) < 0) {
		if (did)
			snprintf(did, didlen, "send failed (nothing listens at "
			    "%s?)", sf->link.address.url);
		return;
	}
	if (did)
		monitor_say_sent(sf, b, ha->value, &args, did, didlen);
	if (b->action->type == ACTION_TOGGLE) {
		/* its state is what the hook set, until the DAW says */
		const struct profile *p = sf->eng->profile;
		int id = config_target_of(sf->br->cfg, p, b->action, b->track,
		    binding_marker(b), binding_plugin(b));
		if (id >= 0 && b->unreported) {
			sf->br->values->v[id] = ha->value;
			bridge_show_target(sf, id, now);
		}
	}
	session_after_send(sf, b, now);
}

void
hooks_fire(struct surface *sf, enum hook_event e, uint64_t now)
{
	const struct profile *chain[CHAIN_MAX];
	int n = 0;

	while (n < CHAIN_MAX) {
		const struct profile *p = sf->eng->profile;
		const struct hook *h = &p->hooks[e];

		if (h->nactions == 0)
			break;
		chain[n++] = p;
		log_info("surface %d: on %s (profile %s): %s", sf->index,
		    hook_event_name(e), p->name, h->text);
		for (int i = 0; i < h->nactions; i++) {
			const struct hook_action *ha = &h->actions[i];
			char text[320], *did = sf->br->nmonitors ? text : NULL;

			if (ha->b.action->internal) {
				/* before: the old role's journal has its word */
				journal_hook(sf, hook_event_name(e), &ha->b,
				    ha->value);
				hook_switch_to(sf, e, &ha->b, chain, n, did,
				    sizeof(text));
			} else
				hook_send(sf, e, ha, now, did, sizeof(text));
			if (did)
				monitor_hook(sf, p, e, &ha->b, did);
		}
		if (sf->eng->profile == p)
			break;		/* no switch: the chain ends */
	}
}

/* A state the surface follows (*was: 1, 0, -1 unknown) now is: on a
 * change, the hook of on or off fires, once; from unknown only a change
 * to on fires (a DAW found recording starts the role's recording; one
 * found stopped stops nothing).  true when a hook switched the surface
 * to another DAW's profile: the states read were the other DAW's. */
static bool
follow(struct surface *sf, int8_t *was, int is, enum hook_event on,
    enum hook_event off, uint64_t now)
{
	unsigned resets = sf->hooks.resets;
	int before = *was;

	if (is < 0 || is == before)
		return false;
	*was = (int8_t)is;
	if (is == 1)
		hooks_fire(sf, on, now);
	else if (before == 1)
		hooks_fire(sf, off, now);
	return sf->hooks.resets != resets;
}

void
hooks_after_report(struct surface *sf, uint64_t now)
{
	struct hook_watch *w = &sf->hooks;
	const struct profile *p = sf->eng->profile;
	int play = known(engine_value(sf->eng, p->play_target));
	int rec = recording(known(engine_value(sf->eng, p->record_target)),
	    play);

	if (sf->link.heard && follow(sf, &w->connected, 1,
	    HOOK_DAW_CONNECTED, HOOK_DAW_LOST, now))
		return;
	/* the transport starts before recording does, and recording stops
	 * before the transport does */
	if (play == 1) {
		if (!follow(sf, &w->rolling, play, HOOK_TRANSPORT_START,
		    HOOK_TRANSPORT_STOP, now))
			(void)follow(sf, &w->recording, rec,
			    HOOK_RECORDING_START, HOOK_RECORDING_STOP, now);
	} else if (!follow(sf, &w->recording, rec, HOOK_RECORDING_START,
	    HOOK_RECORDING_STOP, now))
		(void)follow(sf, &w->rolling, play, HOOK_TRANSPORT_START,
		    HOOK_TRANSPORT_STOP, now);
}

void
hooks_lost(struct surface *sf, uint64_t now)
{
	if (sf->hooks.connected != 1)
		return;
	sf->hooks.connected = 0;
	hooks_fire(sf, HOOK_DAW_LOST, now);
}
