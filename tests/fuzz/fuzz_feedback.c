/*
 * What a DAW sends back: one UDP payload (a message or nested bundles)
 * walked as the bridge walks it, each message read through every shipped
 * dialect's templates, then as the surface of a shipped profile takes it
 * (playhead and position reports, a matched action onto its target and the
 * controls bound to it).  Byte 0 picks the profile; the rest is the
 * payload.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "engine.h"
#include "feedback.h"
#include "fuzz.h"
#include "loop.h"

#define MS UINT64_C(1000000)

static struct config *cfg;
static struct bridge br;	/* its loop: the DAW link's timer */

struct run {
	struct surface sf;
	uint64_t now;
};

static void
on_message(void *ctx, const struct osc_in *msg)
{
	struct run *r = ctx;
	struct surface *sf = &r->sf;
	const struct profile *p = sf->eng->profile;
	struct feedback_match m;
	uint8_t midi[FEEDBACK_MAX];
	int id;

	for (int i = 0; i < cfg->ndialects; i++)
		if (feedback_match(cfg->dialects[i], msg->path, msg->types,
		    msg->argv, msg->argc, &m) && m.action->display)
			(void)feedback_meter_db(cfg->dialects[i], m.value);
	r->now += MS;
	if (!daw_link_report(sf, msg, r->now, &m))
		return;
	id = config_target_of(cfg, p, m.action, m.track, m.marker, m.plugin);
	if (id < 0)
		return;
	sf->eng->values->v[id] = m.value;
	for (int b = p->by_target[id]; b >= 0;
	    b = p->bindings[b].next_same_target)
		engine_feedback(sf->eng, &p->bindings[b], m.value, r->now, midi);
	(void)playhead_at(&sf->playhead, true, r->now);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cfg = fuzz_load(".");
	if ((br.loop = loop_new()) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	struct target_values *tv;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.now = 1000 * MS;
	r.sf.index = 1;
	r.sf.br = &br;
	playhead_reset(&r.sf.playhead);
	if ((r.sf.eng = engine_new(cfg->profiles[data[0] % cfg->nprofiles])) ==
	    NULL || (tv = target_values_new(cfg->ntargets)) == NULL)
		abort();
	r.sf.eng->values = tv;
	/* a copy: liblo may not be handed the caller's const bytes */
	{
		uint8_t *copy = malloc(size);
		if (copy == NULL)
			abort();
		memcpy(copy, data + 1, size - 1);
		feedback_walk(copy, size - 1, on_message, &r);
		free(copy);
	}
	if (r.sf.link.timer > 0)
		loop_cancel_timer(br.loop, r.sf.link.timer);
	engine_free(r.sf.eng);
	target_values_free(tv);
	return 0;
}
