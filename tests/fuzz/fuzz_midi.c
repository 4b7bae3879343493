/*
 * MIDI bytes, as a raw device or a JACK buffer hands them over in chunks,
 * through the decoder, the controller's lookup and the engine of a shipped
 * profile, and back out as the feedback MIDI of what it sent.  Input: byte
 * 0 picks the profile, byte 1 the decoder's 14-bit pairs (the controller's
 * or all); then chunks, each a header byte (low 4 bits: length, high 4: ms
 * of time passing) and its bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fuzz.h"
#include "midi_decode.h"

#define MS UINT64_C(1000000)

static struct config *cfg;

struct run {
	struct engine *eng;
	uint64_t now;
	unsigned sent;
};

static void
on_event(void *ctx, const struct midi_event *ev)
{
	struct run *r = ctx;
	struct engine_output out;
	uint8_t midi[FEEDBACK_MAX];

	if (engine_event(r->eng, ev, r->now, &out) != ENGINE_SEND)
		return;
	r->sent++;
	if (out.binding->action->internal) {
		/* profile.next and the like: a switch, as the bridge does */
		engine_switch(r->eng, r->eng->profile->next);
		return;
	}
	/* the DAW took it: its value goes back to the controls bound to it */
	engine_feedback(r->eng, out.binding, out.value, r->now + 400 * MS, midi);
	(void)engine_target_value(r->eng, out.binding);
}

static void
on_warn(void *ctx, const char *message)
{
	(void)ctx;
	(void)message;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	cfg = fuzz_load(".");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct midi_decoder *d;
	struct target_values *tv;
	const struct profile *p;
	struct run r = { NULL, 1000 * MS, 0 };
	size_t i = 2;

	if (size < 2)
		return 0;
	p = cfg->profiles[data[0] % cfg->nprofiles];
	if ((d = malloc(sizeof(*d))) == NULL)
		abort();
	if ((r.eng = engine_new(p)) == NULL ||
	    (tv = target_values_new(cfg->ntargets)) == NULL)
		abort();
	r.eng->values = tv;
	midi_decoder_init(d, 1, on_event, on_warn, &r);
	for (int ch = 0; ch < 16; ch++)
		for (int n = 0; n < 32; n++)
			if (data[1] & 1 ? true :
			    (p->controller->cc14_mask[ch] >> n) & 1)
				midi_decoder_set_cc14(d, ch, n, true);
	while (i < size) {
		size_t len = data[i] & 15;
		r.now += (uint64_t)(data[i] >> 4) * 10 * MS;
		i++;
		if (len > size - i)
			len = size - i;
		midi_decoder_feed(d, data + i, len, r.now);
		i += len;
		if (data[1] & 2 && i < size && data[i] == 0xff)
			midi_decoder_reset(d);	/* a reconnect */
	}
	engine_free(r.eng);
	target_values_free(tv);
	free(d);
	return 0;
}
