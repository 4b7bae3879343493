/*
 * JACK MIDI, both ways.  A client "ctlbridge" with one MIDI input port,
 * which connects to every JACK MIDI output port whose name or alias matches
 * the pattern, now and as ports appear, and one output port "midi_out" for
 * feedback (LEDs, motor faders), connected to the controller's inputs by
 * the same patterns.  The process callback only copies
 * events into a jack_ringbuffer and wakes the main loop through an
 * eventfd; decoding and everything else happen on the main thread.  With no
 * server running (or after it quits) the client retries on a timer.
 */
#ifndef CTLBRIDGE_JACK_MIDI_H
#define CTLBRIDGE_JACK_MIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "loop.h"

struct jack_midi;

struct jack_midi_options {
	const char *client_name;	/* "ctlbridge", "ctlbridge-2", ... */
	const char *const *patterns;	/* connect ports matching any */
	int npatterns;
	bool required;		/* fail (NULL) when no server runs now */
	/* ALSA is read directly: leave JACK's copies of ALSA ports alone,
	 * or every message would arrive twice */
	bool skip_alsa_bridges;
	int nexplicit;		/* patterns[0..nexplicit-1] were asked for by
				 * name: they never skip */
};

struct jack_midi *jack_midi_new(struct loop *loop, const struct jack_midi_options *o,
    const struct input_sink *sink);
void jack_midi_free(struct jack_midi *j);
bool jack_midi_connected(const struct jack_midi *j);

/* The ports midi_in (outputs: false) or midi_out (true) is connected to,
 * by full name. */
void jack_midi_connections(const struct jack_midi *j, bool outputs,
    void (*fn)(void *ctx, const char *port), void *ctx);

/* Queue MIDI bytes (whole messages) for the output port "midi_out",
 * which connects to the controller's input ports by the same patterns.
 * 0, or -1 when there is no server or no room. */
int jack_midi_send(struct jack_midi *j, const uint8_t *bytes, size_t len);

/* Is a JACK port a bridge of an ALSA MIDI port (a2jmidid, PipeWire's
 * Midi-Bridge, jackd's own ALSA MIDI driver)?  aliases may be NULL. */
bool jack_port_is_alsa_bridge(const char *name, char *const *aliases,
    int naliases);

#endif
