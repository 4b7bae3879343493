/*
 * Flood control's queue: the datagrams one DAW address could not take
 * yet (its rate cap reached, or the socket would block), in the order
 * they were sent, in tables sized when the address is opened; nothing is
 * allocated once it is.
 *
 * An absolute value (a fader's, a knob's: a continuous action's message)
 * merges into the one queued for the same address and arguments but the
 * value: the latest value takes the older one's place.  Only while no
 * message of another kind (a trigger, a toggle, text) for the same OSC
 * address was queued after it: nothing overtakes what was sent before it
 * to an address.  Those others are never merged.  Pure: no I/O, no clock.
 */
#ifndef CTLBRIDGE_OSC_QUEUE_H
#define CTLBRIDGE_OSC_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct osc_queued {
	uint32_t off;		/* in bytes */
	uint16_t len;
	uint16_t value_at;	/* the value's bytes, for a mergeable one */
	uint8_t value_len;	/* 0: never merged */
};

struct osc_queue {
	struct osc_queued *e;	/* a ring of cap entries */
	int cap, head, n;
	char *bytes;		/* the datagrams, in queue order */
	size_t bytes_cap, used;
};

enum osc_queue_put {
	OSC_QUEUED,		/* at the back */
	OSC_MERGED,		/* a queued value replaced */
	OSC_FULL,		/* no room: not queued */
};

/* Tables for entries datagrams of bytes in all; 0 or -1 (no memory). */
int osc_queue_init(struct osc_queue *q, int entries, size_t bytes);
void osc_queue_free(struct osc_queue *q);

/* Queue the datagram buf of len bytes.  value_len > 0: its value is the
 * value_len bytes at value_at, and it may merge (see above). */
enum osc_queue_put osc_queue_put(struct osc_queue *q, const char *buf,
    size_t len, size_t value_at, size_t value_len);
/* The i-th datagram from the front (0 <= i < q->n). */
const char *osc_queue_at(const struct osc_queue *q, int i, size_t *len);
/* Take k datagrams off the front. */
void osc_queue_pop(struct osc_queue *q, int k);

/* Where argument arg of the OSC message in buf lies, for a number of
 * fixed size (i f h d): true and *at, *size; false for another type or a
 * malformed message. */
bool osc_arg_span(const char *buf, size_t len, int arg, size_t *at,
    size_t *size);

#endif
