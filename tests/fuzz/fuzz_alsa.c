/*
 * ALSA sequencer events, as snd_seq_event_input returns them, built from
 * the input: per event a type byte, a flags byte and the 12 bytes of the
 * data union; a variable-length event (sysex) carries its length in the
 * first two data bytes and its bytes follow, as many as there are (alsa-lib
 * hands over a valid pointer and length).  Through the decoder with the
 * 14-bit pairs of byte 0.
 */
#include <string.h>

#include "alsa_seq_decode.h"
#include "fuzz.h"

#define MS UINT64_C(1000000)

static unsigned events;

static void
on_event(void *ctx, const struct midi_event *ev)
{
	(void)ctx;
	/* read everything the decoder gave, sysex bytes included */
	if (ev->sysex_len > 0)
		events += ev->sysex[0] + ev->sysex[ev->sysex_len - 1];
	events += (unsigned)ev->value + ev->number + ev->channel;
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
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct midi_decoder d;
	uint64_t now = 1000 * MS;
	size_t i = 1;

	if (size < 1)
		return 0;
	midi_decoder_init(&d, 1, on_event, on_warn, NULL);
	for (int ch = 0; ch < 16; ch++)
		for (int n = 0; n < 32; n++)
			if ((data[0] >> (n & 7)) & 1)
				midi_decoder_set_cc14(&d, ch, n, true);
	while (size - i >= 2 + sizeof(((snd_seq_event_t *)0)->data.raw8)) {
		snd_seq_event_t ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = data[i];
		ev.flags = data[i + 1];
		memcpy(ev.data.raw8.d, data + i + 2, sizeof(ev.data.raw8.d));
		i += 2 + sizeof(ev.data.raw8.d);
		if (snd_seq_ev_is_variable(&ev)) {
			size_t len = ev.data.raw8.d[0] | ev.data.raw8.d[1] << 8;
			if (len > size - i)
				len = size - i;
			ev.data.ext.len = (unsigned)len;
			ev.data.ext.ptr = len ? (void *)(data + i) : NULL;
			i += len;
		}
		now += MS;
		alsa_seq_decode(&d, &ev, now);
	}
	return 0;
}
