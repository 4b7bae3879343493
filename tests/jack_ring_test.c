/* Unit tests for the JACK input and output rings' records (jack_ring.c),
 * on real jack_ringbuffers of the bridge's sizes (no server needed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "jack_ring.h"

#define RING_BYTES (256 * 1024)		/* jack_midi.c's JACK_RING_BYTES */
#define NS_PER_FRAME_Q8 ((uint32_t)(1e9 / 48000 * 256))

struct got {
	size_t n;
	uint64_t last_time;
	bool ordered;
	uint8_t last[JACK_RING_EVENT_MAX];
	size_t last_len;
	uint32_t seq_bad;
};

static void
on_event(void *ctx, const uint8_t *bytes, size_t len, uint64_t time_ns)
{
	struct got *g = ctx;

	/* events carry a sequence in their data bytes: 14 bits */
	if (len == 3 && (uint32_t)((bytes[1] << 7) | bytes[2]) !=
	    (uint32_t)(g->n & 0x3FFF))
		g->seq_bad++;
	if (time_ns < g->last_time)
		g->ordered = false;
	g->last_time = time_ns;
	memcpy(g->last, bytes, len);
	g->last_len = len;
	g->n++;
}

/* A flood of 144,000 events/s in 32-frame periods at 48 kHz (3 events a
 * frame), with the main thread standing still: the ring holds far more
 * than the 3,449 events of the old 16-byte headers (24 ms), every event
 * coming out whole, in order, with its frame's time. */
static void
test_flood_held_whole(void **state)
{
	jack_ringbuffer_t *rb = jack_ringbuffer_create(RING_BYTES);
	struct jack_ring_writer w = { 0 };
	struct jack_ring_reader r = { 0 };
	struct got g = { .ordered = true };
	size_t put = 0;
	uint64_t cycle_ns = 1000000000ull;
	bool full = false;

	assert_non_null(rb);
	while (!full) {
		jack_ring_cycle(&w, cycle_ns, NS_PER_FRAME_Q8);
		for (uint32_t i = 0; i < 96; i++) {
			uint8_t ev[3] = { 0xB0, (uint8_t)((put >> 7) & 0x7F),
			    (uint8_t)(put & 0x7F) };
			if (!jack_ring_put(rb, &w, i / 3, ev, 3)) {
				full = true;
				break;
			}
			put++;
		}
		cycle_ns += 32 * 1000000000ull / 48000;
	}
	/* 300 ms at 144,000 events/s at least */
	print_message("# %zu events held (%.0f ms at 144,000/s)\n", put,
	    put / 144.0);
	assert_true(put >= 43200);
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), put);
	assert_int_equal(g.n, put);
	assert_int_equal(g.seq_bad, 0);
	assert_true(g.ordered);
	assert_int_equal(jack_ringbuffer_read_space(rb), 0);
	jack_ringbuffer_free(rb);
}

/* Times: the cycle's, plus the frame's offset; a frame record only where
 * the frame changes; a lone event at frame 0 costs its cycle record and
 * its bytes; long events (sysex) pass whole; too long or empty refused. */
static void
test_times_and_sizes(void **state)
{
	jack_ringbuffer_t *rb = jack_ringbuffer_create(RING_BYTES);
	struct jack_ring_writer w = { 0 };
	struct jack_ring_reader r = { 0 };
	struct got g = { .ordered = true };
	uint8_t cc[3] = { 0xB0, 0, 0 };
	uint8_t *sysex = malloc(JACK_RING_EVENT_MAX + 1);

	jack_ring_cycle(&w, 5000000, NS_PER_FRAME_Q8);
	assert_true(jack_ring_put(rb, &w, 0, cc, 3));
	assert_int_equal(jack_ringbuffer_read_space(rb), 13 + 1 + 3);
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), 1);
	assert_int_equal(g.last_time, 5000000);

	jack_ring_cycle(&w, 6000000, NS_PER_FRAME_Q8);
	cc[2] = 1;
	assert_true(jack_ring_put(rb, &w, 48, cc, 3));	/* 1 ms later */
	assert_int_equal(jack_ringbuffer_read_space(rb), 13 + 3 + 1 + 3);
	cc[2] = 2;
	assert_true(jack_ring_put(rb, &w, 48, cc, 3));	/* same frame */
	assert_int_equal(jack_ringbuffer_read_space(rb), 13 + 3 + 2 * 4);
	g.n = 1;
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), 2);
	assert_true(g.last_time >= 6999990 && g.last_time <= 7000010);

	memset(sysex, 0x11, JACK_RING_EVENT_MAX);
	sysex[0] = 0xF0;
	sysex[JACK_RING_EVENT_MAX - 1] = 0xF7;
	assert_true(jack_ring_put(rb, &w, 50, sysex, JACK_RING_EVENT_MAX));
	assert_false(jack_ring_put(rb, &w, 50, sysex, JACK_RING_EVENT_MAX + 1));
	assert_false(jack_ring_put(rb, &w, 50, sysex, 0));
	assert_true(jack_ring_put(rb, &w, 50, sysex, 253));
	assert_true(jack_ring_put(rb, &w, 50, sysex, 254));
	g.n = 0;
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), 3);
	assert_int_equal(g.last_len, 254);
	assert_int_equal(jack_ringbuffer_read_space(rb), 0);
	free(sysex);
	jack_ringbuffer_free(rb);
}

/* A full ring refuses an event without writing part of it; the next
 * cycle's first event still brings its cycle record. */
static void
test_full_refuses_whole(void **state)
{
	jack_ringbuffer_t *rb = jack_ringbuffer_create(64);
	struct jack_ring_writer w = { 0 };
	struct jack_ring_reader r = { 0 };
	struct got g = { .ordered = true };
	uint8_t cc[3] = { 0xB0, 0, 0 };
	size_t put = 0, space;

	jack_ring_cycle(&w, 1000, NS_PER_FRAME_Q8);
	while (jack_ring_put(rb, &w, (uint32_t)put, cc, 3))
		put++;
	space = jack_ringbuffer_read_space(rb);
	assert_false(jack_ring_put(rb, &w, (uint32_t)put, cc, 3));
	assert_int_equal(jack_ringbuffer_read_space(rb), space);
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), put);
	jack_ring_cycle(&w, 2000000, NS_PER_FRAME_Q8);
	assert_true(jack_ring_put(rb, &w, 0, cc, 3));
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), 1);
	assert_int_equal(g.last_time, 2000000);
	jack_ringbuffer_free(rb);
}

/* A reader that keeps up (drained after every cycle): 10 s of a flood at
 * 144,000 events/s, far more than the buffer holds, every event whole and
 * in order, and the writer never far past the home stretch: the pages
 * beyond it stay untouched.  A backlog still takes the whole buffer, and
 * the writer comes home once it is read. */
static void
test_reader_keeping_up_stays_home(void **state)
{
	jack_ringbuffer_t *rb = jack_ringbuffer_create(RING_BYTES);
	struct jack_ring_writer w = { 0 };
	struct jack_ring_reader r = { 0 };
	struct got g = { .ordered = true };
	size_t put = 0, furthest = 0, backlog = 0;
	uint64_t cycle_ns = 1000000000ull;

	assert_non_null(rb);
	for (int c = 0; c < 15000; c++) {	/* 32 frames each: 10 s */
		jack_ring_cycle(&w, cycle_ns, NS_PER_FRAME_Q8);
		for (uint32_t i = 0; i < 96; i++) {
			uint8_t ev[3] = { 0xB0, (uint8_t)((put >> 7) & 0x7F),
			    (uint8_t)(put & 0x7F) };
			assert_true(jack_ring_put(rb, &w, i / 3, ev, 3));
			put++;
		}
		if (rb->write_ptr > furthest)
			furthest = rb->write_ptr;
		assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), 96);
		cycle_ns += 32 * 1000000000ull / 48000;
	}
	assert_int_equal(g.n, put);
	assert_int_equal(g.seq_bad, 0);
	assert_true(g.ordered);
	print_message("# %zu events; the writer went at most %zu bytes in\n",
	    put, furthest);
	assert_true(furthest < JACK_RING_HOME + 1024);

	/* a stall: the backlog goes past home, all of it kept */
	for (int c = 0; c < 200; c++) {
		jack_ring_cycle(&w, cycle_ns, NS_PER_FRAME_Q8);
		for (uint32_t i = 0; i < 96; i++) {
			uint8_t ev[3] = { 0xB0, (uint8_t)((put >> 7) & 0x7F),
			    (uint8_t)(put & 0x7F) };
			assert_true(jack_ring_put(rb, &w, i / 3, ev, 3));
			put++;
			backlog++;
		}
		cycle_ns += 32 * 1000000000ull / 48000;
	}
	assert_true(jack_ringbuffer_read_space(rb) > JACK_RING_HOME);
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), backlog);
	jack_ring_cycle(&w, cycle_ns, NS_PER_FRAME_Q8);
	assert_true(jack_ring_put(rb, &w, 0, (const uint8_t[]){ 0xB0,
	    (uint8_t)((put >> 7) & 0x7F), (uint8_t)(put & 0x7F) }, 3));
	put++;
	assert_true(rb->write_ptr < 64);	/* home again */
	assert_int_equal(jack_ring_drain(rb, &r, on_event, &g), 1);
	assert_int_equal(g.n, put);
	assert_int_equal(g.seq_bad, 0);
	assert_true(g.ordered);
	jack_ringbuffer_free(rb);
}

#define OUT_RING_BYTES (64 * 1024)	/* jack_midi.c's JACK_OUT_RING_BYTES */

/* Message n of a feedback stream: a note-on or, every 97th, a sysex of
 * up to 2 kB (an init string), its bytes saying n. */
static uint16_t
out_message(size_t n, uint8_t *buf)
{
	uint16_t len = n % 97 == 0 ? (uint16_t)(5 + n % 2000) : 3;

	buf[0] = len == 3 ? 0x90 : 0xF0;
	for (uint16_t i = 1; i < len; i++)
		buf[i] = (uint8_t)((n + i) & 0x7F);
	if (len > 3)
		buf[len - 1] = 0xF7;
	return len;
}

static size_t
out_read_all(jack_ringbuffer_t *rb, size_t *next)
{
	uint8_t got[2048], want[2048];
	size_t len, n = 0;

	while ((len = jack_out_peek(rb)) > 0) {
		assert_int_equal(len, out_message(*next, want));
		jack_out_take(rb, got, len);
		assert_memory_equal(got, want, len);
		(*next)++;
		n++;
	}
	return n;
}

/* Feedback to the controller: every message comes out whole and in order,
 * a process callback that keeps up leaves the writer near the buffer's
 * start (only its first pages are ever touched), a backlog fills the
 * whole buffer and is kept, and a full ring refuses without writing. */
static void
test_out_ring(void **state)
{
	jack_ringbuffer_t *rb = jack_ringbuffer_create(OUT_RING_BYTES);
	uint8_t m[2048];
	size_t put = 0, next = 0, furthest = 0, backlog = 0;

	assert_non_null(rb);
	for (int cycle = 0; cycle < 20000; cycle++) {
		for (int i = 0; i < 4; i++) {
			uint16_t len = out_message(put, m);
			assert_true(jack_out_put(rb, m, len));
			put++;
		}
		if (rb->write_ptr > furthest)
			furthest = rb->write_ptr;
		assert_int_equal(out_read_all(rb, &next), 4);
	}
	assert_int_equal(next, put);
	print_message("# %zu messages; the writer went at most %zu bytes in\n",
	    put, furthest);
	assert_true(furthest < JACK_OUT_RING_HOME + 2 * 2048);

	/* the callback stalls: everything is kept until the ring is full */
	for (;;) {
		uint16_t len = out_message(put, m);
		size_t before = jack_ringbuffer_write_space(rb);
		if (!jack_out_put(rb, m, len)) {
			assert_int_equal(jack_ringbuffer_write_space(rb), before);
			break;
		}
		put++;
		backlog++;
	}
	assert_true(jack_ringbuffer_read_space(rb) > OUT_RING_BYTES - 2100);
	assert_int_equal(out_read_all(rb, &next), backlog);
	assert_int_equal(next, put);
	/* empty again: the next message goes back home */
	assert_true(jack_out_put(rb, m, out_message(put, m)));
	put++;
	assert_true(rb->write_ptr < JACK_OUT_RING_HOME);
	assert_int_equal(out_read_all(rb, &next), 1);

	/* cleared (a new client): nothing left to read, pointers only */
	assert_true(jack_out_put(rb, m, out_message(put, m)));
	jack_ring_clear(rb);
	assert_int_equal(jack_out_peek(rb), 0);
	assert_int_equal(jack_ringbuffer_write_space(rb), OUT_RING_BYTES - 1);
	jack_ringbuffer_free(rb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_held_whole),
		cmocka_unit_test(test_times_and_sizes),
		cmocka_unit_test(test_full_refuses_whole),
		cmocka_unit_test(test_reader_keeping_up_stays_home),
		cmocka_unit_test(test_out_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
