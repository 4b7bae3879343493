/*
 * JACK MIDI input.  A client "ctlbridge" with one MIDI input port, which
 * connects to every JACK MIDI output port whose name or alias matches the
 * pattern, now and as ports appear.  The process callback only copies
 * events into a jack_ringbuffer and wakes the main loop through an
 * eventfd; decoding and everything else happen on the main thread.  With no
 * server running (or after it quits) the client retries on a timer.
 */
#ifndef CTLBRIDGE_JACK_IN_H
#define CTLBRIDGE_JACK_IN_H

#include <stdbool.h>

#include "input.h"
#include "loop.h"

struct jack_in;

/* required: fail (NULL) when no server runs now, instead of waiting. */
struct jack_in *jack_in_new(struct loop *loop, const char *pattern,
    const struct input_sink *sink, bool required);
void jack_in_free(struct jack_in *j);
bool jack_in_connected(const struct jack_in *j);

#endif
