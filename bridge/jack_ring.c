#include <string.h>

#include "jack_ring.h"

/* The first byte of a record: 1..REC_SHORT_MAX is a short event's length */
#define REC_CYCLE 0x00		/* u64 cycle_ns, u32 ns_per_frame_q8 */
#define REC_SHORT_MAX 0xFC
#define REC_REWIND 0xFD		/* the rest of the buffer is skipped */
#define REC_LONG 0xFE		/* u16 length, the bytes */
#define REC_FRAME 0xFF		/* u16 frame offset in the cycle */

#define CYCLE_BYTES (1 + 8 + 4)
#define FRAME_BYTES (1 + 2)

/* An empty ring whose writer is past JACK_RING_HOME: the writer goes
 * back to the start of the buffer, the reader after it (a rewind record,
 * then the rest of the buffer counted as read), so that a reader keeping
 * up touches the first pages only.  One pointer update: the reader sees
 * the record and the skip together. */
static void
rewind_if_empty(jack_ringbuffer_t *rb)
{
	size_t w = rb->write_ptr;

	if (w < JACK_RING_HOME || rb->read_ptr != w)
		return;
	rb->buf[w] = (char)REC_REWIND;
	jack_ringbuffer_write_advance(rb, rb->size - w);
}

void
jack_ring_cycle(struct jack_ring_writer *w, uint64_t cycle_ns,
    uint32_t ns_per_frame_q8)
{
	w->cycle_ns = cycle_ns;
	w->ns_per_frame_q8 = ns_per_frame_q8;
	w->frame = 0;
	w->cycle_written = false;
}

bool
jack_ring_put(jack_ringbuffer_t *rb, struct jack_ring_writer *w,
    uint32_t frame, const uint8_t *bytes, size_t len)
{
	uint8_t rec[CYCLE_BYTES + FRAME_BYTES + 3 + JACK_RING_EVENT_MAX];
	size_t n = 0;

	if (len == 0 || len > JACK_RING_EVENT_MAX)
		return false;
	if (frame > UINT16_MAX)
		frame = UINT16_MAX;
	if (!w->cycle_written) {
		rewind_if_empty(rb);
		rec[n++] = REC_CYCLE;
		memcpy(rec + n, &w->cycle_ns, 8);
		memcpy(rec + n + 8, &w->ns_per_frame_q8, 4);
		n += 8 + 4;
	}
	if (frame != (w->cycle_written ? w->frame : 0)) {
		uint16_t f = (uint16_t)frame;
		rec[n++] = REC_FRAME;
		memcpy(rec + n, &f, 2);
		n += 2;
	}
	if (len <= REC_SHORT_MAX) {
		rec[n++] = (uint8_t)len;
	} else {
		uint16_t l = (uint16_t)len;
		rec[n++] = REC_LONG;
		memcpy(rec + n, &l, 2);
		n += 2;
	}
	memcpy(rec + n, bytes, len);
	n += len;
	if (jack_ringbuffer_write_space(rb) < n)
		return false;
	jack_ringbuffer_write(rb, (const char *)rec, n);
	w->cycle_written = true;
	w->frame = frame;
	return true;
}

size_t
jack_ring_drain(jack_ringbuffer_t *rb, struct jack_ring_reader *r,
    void (*fn)(void *ctx, const uint8_t *bytes, size_t len, uint64_t time_ns),
    void *ctx)
{
	uint8_t buf[3 + JACK_RING_EVENT_MAX];
	size_t events = 0, avail;

	while ((avail = jack_ringbuffer_read_space(rb)) > 0) {
		size_t need, len;
		uint8_t type;

		jack_ringbuffer_peek(rb, (char *)&type, 1);
		if (type == REC_REWIND) {
			/* the writer went on at the start of the buffer */
			jack_ringbuffer_read_advance(rb, rb->size - rb->read_ptr);
			continue;
		}
		if (type == REC_CYCLE) {
			if (avail < CYCLE_BYTES)
				break;	/* cannot be: records are written whole */
			jack_ringbuffer_read(rb, (char *)buf, CYCLE_BYTES);
			memcpy(&r->cycle_ns, buf + 1, 8);
			memcpy(&r->ns_per_frame_q8, buf + 9, 4);
			r->time_ns = r->cycle_ns;
			continue;
		}
		if (type == REC_FRAME) {
			uint16_t f;
			if (avail < FRAME_BYTES)
				break;
			jack_ringbuffer_read(rb, (char *)buf, FRAME_BYTES);
			memcpy(&f, buf + 1, 2);
			r->time_ns = r->cycle_ns +
			    (((uint64_t)f * r->ns_per_frame_q8) >> 8);
			continue;
		}
		if (type == REC_LONG) {
			uint16_t l;
			if (avail < 3)
				break;
			jack_ringbuffer_peek(rb, (char *)buf, 3);
			memcpy(&l, buf + 1, 2);
			len = l;
			need = 3;
		} else {
			len = type;
			need = 1;
		}
		if (avail < need + len || len > JACK_RING_EVENT_MAX)
			break;
		jack_ringbuffer_read_advance(rb, need);
		jack_ringbuffer_read(rb, (char *)buf, len);
		fn(ctx, buf, len, r->time_ns);
		events++;
	}
	return events;
}

void
jack_ring_clear(jack_ringbuffer_t *rb)
{
	rb->read_ptr = rb->write_ptr = 0;
}

bool
jack_out_put(jack_ringbuffer_t *rb, const uint8_t *bytes, uint16_t len)
{
	size_t w = rb->write_ptr;

	if (len == JACK_OUT_REWIND)
		return false;
	/* the rewind's length in one piece, then the skip: one pointer
	 * update, as rewind_if_empty */
	if (w >= JACK_OUT_RING_HOME && w + 2 <= rb->size && rb->read_ptr == w) {
		uint16_t mark = JACK_OUT_REWIND;
		memcpy(rb->buf + w, &mark, 2);
		jack_ringbuffer_write_advance(rb, rb->size - w);
	}
	if (jack_ringbuffer_write_space(rb) < 2u + len)
		return false;
	/* the reader waits for the whole record (jack_out_peek) */
	jack_ringbuffer_write(rb, (const char *)&len, 2);
	jack_ringbuffer_write(rb, (const char *)bytes, len);
	return true;
}

size_t
jack_out_peek(jack_ringbuffer_t *rb)
{
	uint16_t len;

	for (;;) {
		size_t have = jack_ringbuffer_read_space(rb);
		if (have < 2)
			return 0;
		jack_ringbuffer_peek(rb, (char *)&len, 2);
		if (len != JACK_OUT_REWIND)
			return have >= 2u + len ? len : 0;
		/* the rest of the buffer was counted as written with it */
		jack_ringbuffer_read_advance(rb, rb->size - rb->read_ptr);
	}
}

void
jack_out_take(jack_ringbuffer_t *rb, uint8_t *buf, size_t len)
{
	jack_ringbuffer_read_advance(rb, 2);
	jack_ringbuffer_read(rb, (char *)buf, len);
}
