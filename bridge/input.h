/*
 * What every MIDI input (JACK, ALSA sequencer, raw byte stream) is given:
 * where to deliver decoded events, and how its controller wants 14-bit
 * pairs assembled.
 */
#ifndef CTLBRIDGE_INPUT_H
#define CTLBRIDGE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "midi_decode.h"

struct input_sink {
	midi_event_fn on_event;
	void *ctx;
	uint32_t cc14_mask[16];
	uint8_t source;			/* stamped into each event */
	/* Called when an input ends for good: end of a file or FIFO (err 0)
	 * or a read error on one (err is the errno). */
	void (*on_finished)(void *ctx, int err);
	/* Called when the controller's MIDI input becomes reachable (a port
	 * connected, a device opened): time to send it its LEDs. */
	void (*on_connected)(void *ctx);
};

/* Configure d for the sink: callback and cc14 pairs. */
void input_sink_decoder(const struct input_sink *sink, struct midi_decoder *d,
    midi_warn_fn warn);

#endif
