/*
 * Raw MIDI byte streams, both ways: read from a serial tty, a rawmidi
 * device, a FIFO, a regular file, or standard input ("-").  A regular
 * file, FIFO or standard input ends at end of file (sink->on_finished is called once every byte
 * has been decoded); a character device that fails or goes away is
 * reopened every second until it returns.  A device is opened read-write,
 * and feedback bytes are written back to it.
 */
#ifndef CTLBRIDGE_RAW_MIDI_H
#define CTLBRIDGE_RAW_MIDI_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "loop.h"

struct raw_midi;

/* NULL with a warning if path cannot be opened now and is not a device. */
struct raw_midi *raw_midi_new(struct loop *loop, const char *path,
    const struct input_sink *sink);
void raw_midi_free(struct raw_midi *r);
/* The path it reads. */
const char *raw_midi_path(const struct raw_midi *r);
/* Write feedback bytes back to a device input (opened read-write). */
int raw_midi_send(struct raw_midi *r, const uint8_t *bytes, size_t len);

#endif
