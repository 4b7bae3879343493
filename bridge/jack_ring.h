/*
 * The JACK input ring's records: what the process callback writes and the
 * main thread reads, packed so that a flood fits.  A 3-byte event costs 4
 * bytes (a length byte and the bytes); the time travels apart, once per
 * cycle (the cycle's first frame in ns and the ns per frame) and once per
 * frame that carries events (its offset in the cycle).  At 144,000
 * events/s in 32-frame periods (3 events a frame) that is about 5 bytes an
 * event, against 19 with a 16-byte header on each.
 *
 * Every put is one jack_ringbuffer_write: the reader sees whole records or
 * none.  A cycle that finds the ring empty past JACK_RING_HOME goes back to
 * the buffer's start (a rewind record): the pages in use are those of the
 * longest backlog, not the whole buffer.  The writer side allocates nothing, locks nothing, logs nothing.
 */
#ifndef CTLBRIDGE_JACK_RING_H
#define CTLBRIDGE_JACK_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jack/ringbuffer.h>

#define JACK_RING_EVENT_MAX 4096	/* larger events are refused */
/* A writer past this when a cycle finds the ring empty starts again at
 * the buffer's start: a reader that keeps up leaves the rest of the
 * buffer untouched (not resident), for the main thread's stalls. */
#define JACK_RING_HOME (16 * 1024)

/* The writer's state within one cycle. */
struct jack_ring_writer {
	uint64_t cycle_ns;		/* time of the cycle's frame 0 */
	uint32_t ns_per_frame_q8;	/* ns per frame, times 256 */
	uint32_t frame;			/* the frame of the last event put */
	bool cycle_written;		/* the cycle's record is in the ring */
};

/* The reader's state: the time of the records read so far. */
struct jack_ring_reader {
	uint64_t cycle_ns;
	uint32_t ns_per_frame_q8;
	uint64_t time_ns;
};

/* At the start of a cycle; nothing is written until an event is put. */
void jack_ring_cycle(struct jack_ring_writer *w, uint64_t cycle_ns,
    uint32_t ns_per_frame_q8);
/* One event at a frame of the cycle (frames in order); false (nothing
 * written) when the ring has no room or the event is empty or too long. */
bool jack_ring_put(jack_ringbuffer_t *rb, struct jack_ring_writer *w,
    uint32_t frame, const uint8_t *bytes, size_t len);
/* Every whole record in the ring, each event to fn with its time; the
 * number of events. */
size_t jack_ring_drain(jack_ringbuffer_t *rb, struct jack_ring_reader *r,
    void (*fn)(void *ctx, const uint8_t *bytes, size_t len, uint64_t time_ns),
    void *ctx);

/* The output ring (main thread -> process callback: feedback to the
 * controller): records [u16 length][bytes], one MIDI message each.  Like
 * the input ring, an empty ring whose writer is past JACK_OUT_RING_HOME
 * goes back to the buffer's start (a length of JACK_OUT_REWIND), so a
 * session's feedback keeps to the first pages. */
#define JACK_OUT_RING_HOME (4 * 1024)
#define JACK_OUT_REWIND 0xFFFF

/* Empty the ring, pointers only, while no process callback runs:
 * jack_ringbuffer_reset() also zeroes the buffer, which makes every page
 * of it resident. */
void jack_ring_clear(jack_ringbuffer_t *rb);
/* One message; false (nothing written) when the ring has no room. */
bool jack_out_put(jack_ringbuffer_t *rb, const uint8_t *bytes, uint16_t len);
/* The next whole message's length, 0 if none (a rewind is passed). */
size_t jack_out_peek(jack_ringbuffer_t *rb);
/* The message jack_out_peek() measured, len bytes, into buf. */
void jack_out_take(jack_ringbuffer_t *rb, uint8_t *buf, size_t len);

#endif
