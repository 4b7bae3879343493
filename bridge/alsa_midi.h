/*
 * ALSA sequencer MIDI, both ways.  A client "ctlbridge" with one input
 * port, which subscribes to every readable port whose "client:port" name
 * matches the pattern, now and as ports appear (System Announce), and
 * forgets ports as they go; and one output port "midi_out" subscribed to
 * the matching writable ports, for feedback.  Each source port has its own
 * decoder state.
 */
#ifndef CTLBRIDGE_ALSA_MIDI_H
#define CTLBRIDGE_ALSA_MIDI_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "loop.h"

struct alsa_midi;

/*
 * NULL when the sequencer cannot be opened; *why then names the cause
 * (static text).
 */
struct alsa_midi *alsa_midi_new(struct loop *loop, const char *client_name,
    const char *const *patterns, int npatterns, const struct input_sink *sink,
    const char **why);
void alsa_midi_free(struct alsa_midi *a);
/* The ports midi_in reads (outputs: false) or midi_out writes (true), as
 * "CLIENT:PORT" numbers. */
void alsa_midi_connections(const struct alsa_midi *a, bool outputs,
    void (*fn)(void *ctx, const char *port), void *ctx);
/* While an event is delivered: the port it came from. */
void alsa_midi_current_source(const struct alsa_midi *a, int *client,
    int *port);
/* Send MIDI bytes to every controller input port matching the patterns. */
int alsa_midi_send(struct alsa_midi *a, const uint8_t *bytes, size_t len);

#endif
