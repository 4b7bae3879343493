#include <string.h>

#include "input.h"

void
input_sink_decoder(const struct input_sink *sink, struct midi_decoder *d,
    midi_warn_fn warn)
{
	midi_decoder_init(d, sink->source, sink->on_event, warn, sink->ctx);
	for (int ch = 0; ch < 16; ch++)
		for (int n = 0; n < 32; n++)
			if (sink->cc14_mask[ch] & (1u << n))
				midi_decoder_set_cc14(d, ch, n, true);
}
