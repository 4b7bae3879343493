/* Unit tests for the MIDI byte-stream decoder (midi_decode.c, midi.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "midi_decode.h"

#define MAX_EVENTS 256
#define T0 UINT64_C(123456789)
#define SOURCE 7

struct rec {
	struct midi_event ev;
	uint8_t sysex[MIDI_SYSEX_MAX];	/* copy: ev.sysex dies with the callback */
};

static struct rec recs[MAX_EVENTS];
static size_t nrec;
static size_t nwarn;
static char last_warn[256];
static struct midi_decoder dec;

static void
on_event(void *ctx, const struct midi_event *ev)
{
	struct rec *r;

	assert_ptr_equal(ctx, &dec);
	assert_true(nrec < MAX_EVENTS);
	r = &recs[nrec++];
	r->ev = *ev;
	if (ev->kind == MIDI_SYSEX) {
		assert_non_null(ev->sysex);
		assert_in_range(ev->sysex_len, 2, MIDI_SYSEX_MAX);
		memcpy(r->sysex, ev->sysex, ev->sysex_len);
		r->ev.sysex = r->sysex;
	}
}

static void
on_warn(void *ctx, const char *message)
{
	nwarn++;
	snprintf(last_warn, sizeof(last_warn), "%s", message);
}

static void
start(void)
{
	nrec = 0;
	nwarn = 0;
	last_warn[0] = '\0';
	midi_decoder_init(&dec, SOURCE, on_event, on_warn, &dec);
}

static void
feed(const uint8_t *buf, size_t len)
{
	midi_decoder_feed(&dec, buf, len, T0);
}

#define FEED(...) feed((const uint8_t[]){ __VA_ARGS__ }, \
    sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* A macro, so a failure reports the line of the expectation. */
#define ASSERT_EV(i, k, ch, num, val) do {				\
	assert_true((size_t)(i) < nrec);				\
	assert_string_equal(midi_kind_name(recs[i].ev.kind),		\
	    midi_kind_name(k));						\
	assert_int_equal(recs[i].ev.channel, (ch));			\
	assert_int_equal(recs[i].ev.number, (num));			\
	assert_int_equal(recs[i].ev.value, (val));			\
	assert_int_equal(recs[i].ev.source, SOURCE);			\
	assert_true(recs[i].ev.time_ns == T0);				\
} while (0)

#define ASSERT_PARAM(i, k, ch, num, val, fl) do {			\
	ASSERT_EV(i, k, ch, num, val);					\
	assert_int_equal(recs[i].ev.flags, (fl));			\
} while (0)

static void
test_kind_names_and_ranges(void **state)
{
	static const char *const names[MIDI_KIND_COUNT] = {
		"none", "note-off", "note-on", "poly-aftertouch", "cc", "cc14",
		"nrpn", "rpn", "program", "channel-aftertouch", "pitch-bend",
		"sysex", "realtime",
	};

	for (int k = 0; k < MIDI_KIND_COUNT; k++)
		assert_string_equal(midi_kind_name((enum midi_kind)k), names[k]);
	assert_string_equal(midi_kind_name(MIDI_KIND_COUNT), "unknown");
	assert_string_equal(midi_kind_name((enum midi_kind)200), "unknown");

	assert_int_equal(midi_kind_max(MIDI_NONE), 0);
	assert_int_equal(midi_kind_max(MIDI_NOTE_OFF), 127);
	assert_int_equal(midi_kind_max(MIDI_NOTE_ON), 127);
	assert_int_equal(midi_kind_max(MIDI_POLY_AFTERTOUCH), 127);
	assert_int_equal(midi_kind_max(MIDI_CC), 127);
	assert_int_equal(midi_kind_max(MIDI_CC14), 16383);
	assert_int_equal(midi_kind_max(MIDI_NRPN), 16383);
	assert_int_equal(midi_kind_max(MIDI_RPN), 16383);
	assert_int_equal(midi_kind_max(MIDI_PROGRAM), 127);
	assert_int_equal(midi_kind_max(MIDI_CHANNEL_AFTERTOUCH), 127);
	assert_int_equal(midi_kind_max(MIDI_PITCH_BEND), 16383);
	assert_int_equal(midi_kind_max(MIDI_SYSEX), 0);
	assert_int_equal(midi_kind_max(MIDI_REALTIME), 0);
	assert_int_equal(midi_kind_max(MIDI_KIND_COUNT), 0);
	assert_int_equal(midi_kind_max((enum midi_kind)-1), 0);
}

static void
test_channel_voice_kinds(void **state)
{
	start();
	FEED(0x90, 60, 100);
	FEED(0x8f, 61, 64);
	FEED(0xa3, 62, 90);
	FEED(0xb4, 7, 127);
	FEED(0xc5, 42);
	FEED(0xd6, 33);
	FEED(0xe7, 0x01, 0x40);
	assert_int_equal(nrec, 7);
	ASSERT_EV(0, MIDI_NOTE_ON, 0, 60, 100);
	ASSERT_EV(1, MIDI_NOTE_OFF, 15, 61, 64);
	ASSERT_EV(2, MIDI_POLY_AFTERTOUCH, 3, 62, 90);
	ASSERT_EV(3, MIDI_CC, 4, 7, 127);
	ASSERT_EV(4, MIDI_PROGRAM, 5, 0, 42);
	ASSERT_EV(5, MIDI_CHANNEL_AFTERTOUCH, 6, 0, 33);
	ASSERT_EV(6, MIDI_PITCH_BEND, 7, 0, 8193);
	for (size_t i = 0; i < nrec; i++) {
		assert_int_equal(recs[i].ev.flags, 0);
		assert_null(recs[i].ev.sysex);
		assert_int_equal(recs[i].ev.sysex_len, 0);
	}
	assert_int_equal(dec.stats.events, 7);
	assert_int_equal(dec.stats.garbage, 0);
	assert_int_equal(dec.stats.truncated, 0);
}

static void
test_note_on_velocity_zero_is_note_off(void **state)
{
	start();
	FEED(0x95, 60, 0, 60, 1);
	assert_int_equal(nrec, 2);
	ASSERT_EV(0, MIDI_NOTE_OFF, 5, 60, 0);
	ASSERT_EV(1, MIDI_NOTE_ON, 5, 60, 1);
}

static void
test_pitch_bend_extremes(void **state)
{
	start();
	FEED(0xe0, 0x00, 0x00);
	FEED(0xe0, 0x7f, 0x7f);
	FEED(0xe0, 0x00, 0x40);
	FEED(0xe0, 0x7f, 0x3f);
	/* LSB comes first on the wire. */
	FEED(0xe0, 0x01, 0x00);
	FEED(0xe0, 0x00, 0x01);
	assert_int_equal(nrec, 6);
	ASSERT_EV(0, MIDI_PITCH_BEND, 0, 0, 0);
	ASSERT_EV(1, MIDI_PITCH_BEND, 0, 0, 16383);
	ASSERT_EV(2, MIDI_PITCH_BEND, 0, 0, 8192);
	ASSERT_EV(3, MIDI_PITCH_BEND, 0, 0, 8191);
	ASSERT_EV(4, MIDI_PITCH_BEND, 0, 0, 1);
	ASSERT_EV(5, MIDI_PITCH_BEND, 0, 0, 128);
}

static void
test_running_status(void **state)
{
	start();
	FEED(0x92, 60, 100, 62, 101, 64, 0);
	FEED(0xc1, 1, 2, 3);
	FEED(0xe0, 0, 0x40, 0x7f, 0x7f);
	assert_int_equal(nrec, 8);
	ASSERT_EV(0, MIDI_NOTE_ON, 2, 60, 100);
	ASSERT_EV(1, MIDI_NOTE_ON, 2, 62, 101);
	ASSERT_EV(2, MIDI_NOTE_OFF, 2, 64, 0);
	ASSERT_EV(3, MIDI_PROGRAM, 1, 0, 1);
	ASSERT_EV(4, MIDI_PROGRAM, 1, 0, 2);
	ASSERT_EV(5, MIDI_PROGRAM, 1, 0, 3);
	ASSERT_EV(6, MIDI_PITCH_BEND, 0, 0, 8192);
	ASSERT_EV(7, MIDI_PITCH_BEND, 0, 0, 16383);
	assert_int_equal(dec.stats.garbage, 0);
}

static void
test_running_status_across_realtime(void **state)
{
	start();
	/* Realtime between messages and between a status and its data. */
	FEED(0xb0, 0xf8, 7, 100, 0xfe, 7, 101, 0xf8, 0xfa, 7, 102);
	assert_int_equal(nrec, 7);
	ASSERT_EV(0, MIDI_REALTIME, 0, 0xf8, 0);
	ASSERT_EV(1, MIDI_CC, 0, 7, 100);
	ASSERT_EV(2, MIDI_REALTIME, 0, 0xfe, 0);
	ASSERT_EV(3, MIDI_CC, 0, 7, 101);
	ASSERT_EV(4, MIDI_REALTIME, 0, 0xf8, 0);
	ASSERT_EV(5, MIDI_REALTIME, 0, 0xfa, 0);
	ASSERT_EV(6, MIDI_CC, 0, 7, 102);
	assert_int_equal(dec.stats.truncated, 0);
	assert_int_equal(dec.stats.garbage, 0);
}

static void
test_realtime_inside_two_byte_message(void **state)
{
	start();
	/* Realtime between the two data bytes, with and without running
	 * status, and a run of them. */
	FEED(0x91, 60, 0xf8, 100, 61, 0xfc, 0xff, 0xf8, 101);
	assert_int_equal(nrec, 6);
	ASSERT_EV(0, MIDI_REALTIME, 0, 0xf8, 0);
	ASSERT_EV(1, MIDI_NOTE_ON, 1, 60, 100);
	ASSERT_EV(2, MIDI_REALTIME, 0, 0xfc, 0);
	ASSERT_EV(3, MIDI_REALTIME, 0, 0xff, 0);
	ASSERT_EV(4, MIDI_REALTIME, 0, 0xf8, 0);
	ASSERT_EV(5, MIDI_NOTE_ON, 1, 61, 101);
	assert_int_equal(dec.stats.truncated, 0);
}

static void
test_all_realtime_bytes(void **state)
{
	start();
	for (int b = 0xf8; b <= 0xff; b++)
		FEED((uint8_t)b);
	assert_int_equal(nrec, 8);
	for (int i = 0; i < 8; i++)
		ASSERT_EV(i, MIDI_REALTIME, 0, 0xf8 + i, 0);
}

static void
test_message_split_across_feeds(void **state)
{
	start();
	FEED(0x90);
	FEED(60);
	assert_int_equal(nrec, 0);
	FEED(100);
	FEED(61);
	assert_int_equal(nrec, 1);
	FEED(0);
	assert_int_equal(nrec, 2);
	ASSERT_EV(0, MIDI_NOTE_ON, 0, 60, 100);
	ASSERT_EV(1, MIDI_NOTE_OFF, 0, 61, 0);
}

static void
test_system_common_cancels_running_status(void **state)
{
	start();
	/* F6 tune request: no data, cancels running status. */
	FEED(0x90, 60, 100, 0xf6, 61, 100);
	assert_int_equal(nrec, 1);
	assert_int_equal(dec.stats.garbage, 2);

	/* F1 and F3 take one data byte, F2 two: consumed, not garbage, not
	 * delivered; anything after them is garbage. */
	start();
	FEED(0xb0, 1, 2, 0xf1, 0x23, 3, 4);
	assert_int_equal(dec.stats.garbage, 2);
	FEED(0xb0, 1, 2, 0xf3, 0x05, 3);
	assert_int_equal(dec.stats.garbage, 3);
	FEED(0xb0, 1, 2, 0xf2, 0x10, 0x20, 3);
	assert_int_equal(dec.stats.garbage, 4);
	assert_int_equal(nrec, 3);
	for (size_t i = 0; i < nrec; i++)
		ASSERT_EV(i, MIDI_CC, 0, 1, 2);

	/* Realtime inside a system common message does not disturb it. */
	FEED(0xf2, 0x10, 0xf8, 0x20, 0x90, 60, 1);
	assert_int_equal(nrec, 5);
	ASSERT_EV(3, MIDI_REALTIME, 0, 0xf8, 0);
	ASSERT_EV(4, MIDI_NOTE_ON, 0, 60, 1);
	assert_int_equal(dec.stats.garbage, 4);
	assert_int_equal(dec.stats.truncated, 0);

	/* A system common message cut short is truncated. */
	FEED(0xf2, 0x10, 0x90, 60, 2);
	assert_int_equal(dec.stats.truncated, 1);
	assert_int_equal(nrec, 6);
	ASSERT_EV(5, MIDI_NOTE_ON, 0, 60, 2);
}

static void
test_undefined_system_common(void **state)
{
	start();
	/* F4/F5 have no defined length: data is skipped up to the next
	 * status without being counted as garbage; realtime still passes. */
	FEED(0x90, 60, 100, 0xf4, 1, 2, 0xf8, 3, 0x90, 60, 0);
	FEED(0xf5, 9, 9, 9, 9, 0xb0, 1, 2);
	assert_int_equal(nrec, 4);
	ASSERT_EV(0, MIDI_NOTE_ON, 0, 60, 100);
	ASSERT_EV(1, MIDI_REALTIME, 0, 0xf8, 0);
	ASSERT_EV(2, MIDI_NOTE_OFF, 0, 60, 0);
	ASSERT_EV(3, MIDI_CC, 0, 1, 2);
	assert_int_equal(dec.stats.garbage, 0);
	assert_int_equal(dec.stats.truncated, 0);
}

static void
test_stray_end_of_exclusive(void **state)
{
	start();
	/* F7 outside sysex delivers nothing but, being a system common
	 * status, ends running status and cuts a partial message. */
	FEED(0xf7, 0x90, 60, 100, 0xf7, 61, 100);
	assert_int_equal(nrec, 1);
	ASSERT_EV(0, MIDI_NOTE_ON, 0, 60, 100);
	assert_int_equal(dec.stats.garbage, 2);
	FEED(0x90, 60, 0xf7);
	assert_int_equal(dec.stats.truncated, 1);
	assert_int_equal(nrec, 1);
}

static void
test_truncated_message(void **state)
{
	start();
	FEED(0x90, 60, 0xb0, 7, 127);
	assert_int_equal(nrec, 1);
	ASSERT_EV(0, MIDI_CC, 0, 7, 127);
	assert_int_equal(dec.stats.truncated, 1);

	/* Cut in running status too. */
	FEED(7, 0xe0, 0, 0x40);
	assert_int_equal(dec.stats.truncated, 2);
	assert_int_equal(nrec, 2);
	ASSERT_EV(1, MIDI_PITCH_BEND, 0, 0, 8192);

	/* A status with no data yet that is superseded has lost nothing
	 * worth counting. */
	FEED(0x90, 0xb0, 1, 1);
	assert_int_equal(dec.stats.truncated, 2);
	assert_int_equal(nrec, 3);
}

static void
test_garbage_without_status(void **state)
{
	start();
	FEED(1, 2, 3, 0x7f, 0x90, 60, 100);
	assert_int_equal(dec.stats.garbage, 4);
	assert_int_equal(nrec, 1);
	ASSERT_EV(0, MIDI_NOTE_ON, 0, 60, 100);
	assert_int_equal(dec.stats.events, 1);
}

static void
test_sysex(void **state)
{
	static const uint8_t id[] = { 0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7 };

	start();
	feed(id, sizeof(id));
	assert_int_equal(nrec, 1);
	assert_int_equal(recs[0].ev.kind, MIDI_SYSEX);
	assert_int_equal(recs[0].ev.channel, 0);
	assert_int_equal(recs[0].ev.source, SOURCE);
	assert_true(recs[0].ev.time_ns == T0);
	assert_int_equal(recs[0].ev.sysex_len, sizeof(id));
	assert_memory_equal(recs[0].sysex, id, sizeof(id));

	/* Realtime inside sysex comes out at once and is not collected. */
	FEED(0xf0, 0x43, 0xf8, 0x12, 0xfe, 0xf7);
	assert_int_equal(nrec, 4);
	ASSERT_EV(1, MIDI_REALTIME, 0, 0xf8, 0);
	ASSERT_EV(2, MIDI_REALTIME, 0, 0xfe, 0);
	assert_int_equal(recs[3].ev.kind, MIDI_SYSEX);
	assert_int_equal(recs[3].ev.sysex_len, 4);
	assert_memory_equal(recs[3].sysex,
	    ((const uint8_t[]){ 0xf0, 0x43, 0x12, 0xf7 }), 4);

	/* Split across feeds; shortest possible; sysex ends running status. */
	FEED(0x90, 60, 100, 0xf0, 0x01);
	FEED(0x02, 0xf7, 0xf0, 0xf7, 61, 100);
	assert_int_equal(nrec, 7);
	ASSERT_EV(4, MIDI_NOTE_ON, 0, 60, 100);
	assert_int_equal(recs[5].ev.sysex_len, 4);
	assert_memory_equal(recs[5].sysex,
	    ((const uint8_t[]){ 0xf0, 0x01, 0x02, 0xf7 }), 4);
	assert_int_equal(recs[6].ev.sysex_len, 2);
	assert_int_equal(dec.stats.garbage, 2);
	assert_int_equal(dec.stats.sysex_dropped, 0);
	assert_int_equal(nwarn, 0);
}

/* F0, n data bytes, F7: a sysex of n + 2 bytes. */
static void
feed_sysex(size_t n)
{
	uint8_t b = 0xf0;

	feed(&b, 1);
	for (size_t i = 0; i < n; i++) {
		b = (uint8_t)(i & 0x7f);
		feed(&b, 1);
	}
	b = 0xf7;
	feed(&b, 1);
}

static void
test_sysex_size_limit(void **state)
{
	start();
	feed_sysex(MIDI_SYSEX_MAX - 2);
	assert_int_equal(nrec, 1);
	assert_int_equal(recs[0].ev.sysex_len, MIDI_SYSEX_MAX);
	assert_int_equal(recs[0].sysex[0], 0xf0);
	assert_int_equal(recs[0].sysex[MIDI_SYSEX_MAX - 2],
	    (MIDI_SYSEX_MAX - 3) & 0x7f);
	assert_int_equal(recs[0].sysex[MIDI_SYSEX_MAX - 1], 0xf7);
	assert_int_equal(nwarn, 0);

	/* One byte more is dropped, counted and reported once. */
	feed_sysex(MIDI_SYSEX_MAX - 1);
	assert_int_equal(nrec, 1);
	assert_int_equal(dec.stats.sysex_dropped, 1);
	assert_int_equal(nwarn, 1);
	assert_non_null(strstr(last_warn, "sysex"));
	assert_non_null(strstr(last_warn, "1024"));

	/* A much longer one is still one drop and one warning. */
	feed_sysex(5 * MIDI_SYSEX_MAX);
	assert_int_equal(dec.stats.sysex_dropped, 2);
	assert_int_equal(nwarn, 2);
	assert_int_equal(dec.stats.truncated, 0);
	assert_int_equal(dec.stats.garbage, 0);

	/* The decoder is fine afterwards. */
	FEED(0xf0, 0x11, 0xf7, 0x90, 60, 100);
	assert_int_equal(nrec, 3);
	assert_int_equal(recs[1].ev.sysex_len, 3);
	ASSERT_EV(2, MIDI_NOTE_ON, 0, 60, 100);
}

static void
test_sysex_oversize_without_warn_callback(void **state)
{
	start();
	dec.on_warn = NULL;
	feed_sysex(2 * MIDI_SYSEX_MAX);
	assert_int_equal(dec.stats.sysex_dropped, 1);
	assert_int_equal(nrec, 0);
	assert_int_equal(nwarn, 0);
}

static void
test_sysex_interrupted(void **state)
{
	start();
	/* A channel status inside sysex drops it as truncated and starts
	 * its own message. */
	FEED(0xf0, 0x01, 0x02, 0x90, 60, 100);
	assert_int_equal(nrec, 1);
	ASSERT_EV(0, MIDI_NOTE_ON, 0, 60, 100);
	assert_int_equal(dec.stats.truncated, 1);

	/* F0 inside sysex: the first is dropped, the second is kept. */
	FEED(0xf0, 0x01, 0xf0, 0x02, 0xf7);
	assert_int_equal(nrec, 2);
	assert_int_equal(recs[1].ev.sysex_len, 3);
	assert_memory_equal(recs[1].sysex,
	    ((const uint8_t[]){ 0xf0, 0x02, 0xf7 }), 3);
	assert_int_equal(dec.stats.truncated, 2);

	/* System common inside sysex. */
	FEED(0xf0, 0x01, 0xf6, 0x05);
	assert_int_equal(dec.stats.truncated, 3);
	assert_int_equal(dec.stats.garbage, 1);

	/* An oversize sysex that is then interrupted counts once, as
	 * oversize. */
	uint8_t b = 0xf0;
	feed(&b, 1);
	for (int i = 0; i < MIDI_SYSEX_MAX + 10; i++) {
		b = 0x55;
		feed(&b, 1);
	}
	FEED(0xb0, 1, 2);
	assert_int_equal(dec.stats.sysex_dropped, 1);
	assert_int_equal(dec.stats.truncated, 3);
	assert_int_equal(nwarn, 1);
	assert_int_equal(nrec, 3);
	ASSERT_EV(2, MIDI_CC, 0, 1, 2);
	assert_int_equal(dec.stats.sysex_dropped, 1);
}

static void
test_cc14_msb_alone(void **state)
{
	start();
	midi_decoder_set_cc14(&dec, 0, 7, true);
	FEED(0xb0, 7, 0x40);
	assert_int_equal(nrec, 1);
	ASSERT_EV(0, MIDI_CC14, 0, 7, 0x40 << 7);
}

static void
test_cc14_msb_then_lsb(void **state)
{
	start();
	midi_decoder_set_cc14(&dec, 3, 7, true);
	midi_decoder_set_cc14(&dec, 3, 31, true);
	FEED(0xb3, 7, 0x40, 39, 0x11, 39, 0x7f);
	/* A new MSB zeroes the LSB. */
	FEED(7, 0x41);
	FEED(31, 0x7f, 63, 0x7f);
	assert_int_equal(nrec, 6);
	ASSERT_EV(0, MIDI_CC14, 3, 7, 0x40 << 7);
	ASSERT_EV(1, MIDI_CC14, 3, 7, 0x40 << 7 | 0x11);
	ASSERT_EV(2, MIDI_CC14, 3, 7, 0x40 << 7 | 0x7f);
	ASSERT_EV(3, MIDI_CC14, 3, 7, 0x41 << 7);
	ASSERT_EV(4, MIDI_CC14, 3, 31, 0x7f << 7);
	ASSERT_EV(5, MIDI_CC14, 3, 31, 16383);

	/* Pair 0 does not reach past the LSB range: 64 is the sustain
	 * pedal. */
	midi_decoder_set_cc14(&dec, 3, 0, true);
	FEED(64, 127, 32, 1);
	assert_int_equal(nrec, 8);
	ASSERT_EV(6, MIDI_CC, 3, 64, 127);
	ASSERT_EV(7, MIDI_CC14, 3, 0, 1);
}

static void
test_cc14_lsb_alone(void **state)
{
	start();
	midi_decoder_set_cc14(&dec, 0, 1, true);
	FEED(0xb0, 33, 5);
	assert_int_equal(nrec, 1);
	ASSERT_EV(0, MIDI_CC14, 0, 1, 5);
}

static void
test_cc14_not_enabled_stays_plain(void **state)
{
	start();
	FEED(0xb0, 0, 0x40, 32, 0x05);
	/* Enabled on another channel, or another pair, changes nothing. */
	midi_decoder_set_cc14(&dec, 1, 0, true);
	midi_decoder_set_cc14(&dec, 0, 1, true);
	FEED(0xb0, 0, 0x40, 32, 0x05);
	/* Out-of-range configuration is ignored. */
	midi_decoder_set_cc14(&dec, 16, 0, true);
	midi_decoder_set_cc14(&dec, -1, 0, true);
	midi_decoder_set_cc14(&dec, 0, 32, true);
	midi_decoder_set_cc14(&dec, 0, -1, true);
	FEED(0xb0, 0, 0x40, 32, 0x05, 64, 1, 127, 0);
	assert_int_equal(nrec, 8);
	for (int i = 0; i < 6; i += 2) {
		ASSERT_EV(i, MIDI_CC, 0, 0, 0x40);
		ASSERT_EV(i + 1, MIDI_CC, 0, 32, 0x05);
	}
	ASSERT_EV(6, MIDI_CC, 0, 64, 1);
	ASSERT_EV(7, MIDI_CC, 0, 127, 0);

	/* Switching a pair off makes it plain again. */
	FEED(0xb1, 0, 1);
	midi_decoder_set_cc14(&dec, 1, 0, false);
	FEED(0xb1, 0, 1);
	ASSERT_EV(8, MIDI_CC14, 1, 0, 1 << 7);
	ASSERT_EV(9, MIDI_CC, 1, 0, 1);
}

static void
test_cc14_state_is_per_channel(void **state)
{
	start();
	midi_decoder_set_cc14(&dec, 0, 7, true);
	midi_decoder_set_cc14(&dec, 1, 7, true);
	FEED(0xb0, 7, 0x10, 0xb1, 7, 0x20, 0xb0, 39, 1, 0xb1, 39, 2);
	assert_int_equal(nrec, 4);
	ASSERT_EV(2, MIDI_CC14, 0, 7, 0x10 << 7 | 1);
	ASSERT_EV(3, MIDI_CC14, 1, 7, 0x20 << 7 | 2);
}

static void
test_nrpn(void **state)
{
	start();
	FEED(0xb0, 99, 1, 98, 2);	/* select NRPN 1/2 = 130 */
	assert_int_equal(nrec, 0);
	FEED(6, 0x40, 38, 0x10);
	FEED(96, 0, 96, 5, 97, 0, 97, 3, 96, 127);
	/* RPN null deselects: CC 6/38/96/97 are plain again. */
	FEED(101, 127, 100, 127);
	FEED(6, 0x40, 38, 0x10, 96, 1, 97, 2);
	assert_int_equal(nrec, 11);
	ASSERT_PARAM(0, MIDI_NRPN, 0, 130, 0x40 << 7, MIDI_PARAM_ABSOLUTE);
	ASSERT_PARAM(1, MIDI_NRPN, 0, 130, 0x40 << 7 | 0x10,
	    MIDI_PARAM_FINE);
	ASSERT_PARAM(2, MIDI_NRPN, 0, 130, 1, MIDI_PARAM_DELTA);
	ASSERT_PARAM(3, MIDI_NRPN, 0, 130, 5, MIDI_PARAM_DELTA);
	ASSERT_PARAM(4, MIDI_NRPN, 0, 130, -1, MIDI_PARAM_DELTA);
	ASSERT_PARAM(5, MIDI_NRPN, 0, 130, -3, MIDI_PARAM_DELTA);
	ASSERT_PARAM(6, MIDI_NRPN, 0, 130, 127, MIDI_PARAM_DELTA);
	ASSERT_PARAM(7, MIDI_CC, 0, 6, 0x40, 0);
	ASSERT_PARAM(8, MIDI_CC, 0, 38, 0x10, 0);
	ASSERT_PARAM(9, MIDI_CC, 0, 96, 1, 0);
	ASSERT_PARAM(10, MIDI_CC, 0, 97, 2, 0);
}

static void
test_rpn(void **state)
{
	start();
	/* Pitch bend sensitivity: 12 semitones, 0 cents, on channel 2. */
	FEED(0xb2, 101, 0, 100, 0, 6, 12, 38, 0, 96, 0, 97, 0);
	FEED(101, 127, 100, 127, 6, 5);
	assert_int_equal(nrec, 5);
	ASSERT_PARAM(0, MIDI_RPN, 2, 0, 12 << 7, MIDI_PARAM_ABSOLUTE);
	ASSERT_PARAM(1, MIDI_RPN, 2, 0, 12 << 7, MIDI_PARAM_FINE);
	ASSERT_PARAM(2, MIDI_RPN, 2, 0, 1, MIDI_PARAM_DELTA);
	ASSERT_PARAM(3, MIDI_RPN, 2, 0, -1, MIDI_PARAM_DELTA);
	ASSERT_PARAM(4, MIDI_CC, 2, 6, 5, 0);

	/* Largest parameter number short of the null. */
	FEED(101, 127, 100, 126, 6, 127, 38, 127);
	ASSERT_PARAM(6, MIDI_RPN, 2, 16382, 16383, MIDI_PARAM_FINE);
}

static void
test_param_selection_details(void **state)
{
	start();
	/* LSB before MSB gives the same number. */
	FEED(0xb0, 98, 5, 99, 1, 6, 1);
	ASSERT_PARAM(0, MIDI_NRPN, 0, 1 << 7 | 5, 1 << 7, MIDI_PARAM_ABSOLUTE);
	/* Reselecting forgets the old data MSB. */
	FEED(98, 6, 38, 5);
	ASSERT_PARAM(1, MIDI_NRPN, 0, 1 << 7 | 6, 5, MIDI_PARAM_FINE);
	/* Switching NRPN -> RPN with only an LSB does not inherit the NRPN
	 * MSB. */
	FEED(100, 3, 6, 2);
	ASSERT_PARAM(2, MIDI_RPN, 0, 3, 2 << 7, MIDI_PARAM_ABSOLUTE);
	/* NRPN 127/127 deselects too. */
	FEED(99, 127, 98, 127, 6, 9);
	ASSERT_PARAM(3, MIDI_CC, 0, 6, 9, 0);
	/* Selection is per channel. */
	FEED(99, 0, 98, 1, 0xb1, 6, 9, 0xb0, 6, 9);
	ASSERT_PARAM(4, MIDI_CC, 1, 6, 9, 0);
	ASSERT_PARAM(5, MIDI_NRPN, 0, 1, 9 << 7, MIDI_PARAM_ABSOLUTE);
	assert_int_equal(nrec, 6);
}

static void
test_nrpn_takes_precedence_over_cc14(void **state)
{
	start();
	midi_decoder_set_cc14(&dec, 0, 6, true);
	FEED(0xb0, 6, 1, 38, 2);
	FEED(99, 0, 98, 0, 6, 3, 38, 4);
	FEED(101, 127, 100, 127, 6, 5);
	assert_int_equal(nrec, 5);
	ASSERT_EV(0, MIDI_CC14, 0, 6, 1 << 7);
	ASSERT_EV(1, MIDI_CC14, 0, 6, 1 << 7 | 2);
	ASSERT_EV(2, MIDI_NRPN, 0, 0, 3 << 7);
	ASSERT_EV(3, MIDI_NRPN, 0, 0, 3 << 7 | 4);
	ASSERT_EV(4, MIDI_CC14, 0, 6, 5 << 7);
}

static void
test_channel_entry_point(void **state)
{
	start();
	midi_decoder_channel(&dec, 0x93, 60, 0, 42);
	midi_decoder_channel(&dec, 0xe1, 0x7f, 0x7f, 42);
	/* Not channel statuses: nothing. */
	midi_decoder_channel(&dec, 0xf0, 1, 2, 42);
	midi_decoder_channel(&dec, 0x10, 1, 2, 42);
	/* Stray high bits cannot push a value out of range. */
	midi_decoder_channel(&dec, 0xb0, 0xff, 0xff, 42);
	assert_int_equal(nrec, 3);
	assert_int_equal(recs[0].ev.kind, MIDI_NOTE_OFF);
	assert_int_equal(recs[0].ev.channel, 3);
	assert_true(recs[0].ev.time_ns == 42);
	assert_int_equal(recs[1].ev.value, 16383);
	assert_int_equal(recs[2].ev.kind, MIDI_CC);
	assert_int_equal(recs[2].ev.number, 127);
	assert_int_equal(recs[2].ev.value, 127);
}

static void
test_reset(void **state)
{
	start();
	midi_decoder_set_cc14(&dec, 0, 1, true);
	FEED(0xb0, 99, 0, 98, 0, 1, 0x10, 0x90, 60);
	midi_decoder_reset(&dec);
	/* Partial note and running status are gone; NRPN is deselected;
	 * the cc14 configuration stays, its MSB state is forgotten. */
	FEED(100, 0xb0, 6, 1, 33, 2);
	FEED(0xf0, 1);
	midi_decoder_reset(&dec);
	FEED(2, 0xf7);
	assert_int_equal(nrec, 3);
	ASSERT_EV(0, MIDI_CC14, 0, 1, 0x10 << 7);
	ASSERT_EV(1, MIDI_CC, 0, 6, 1);
	ASSERT_EV(2, MIDI_CC14, 0, 1, 2);
	assert_int_equal(dec.stats.garbage, 2);
	assert_int_equal(dec.stats.truncated, 0);
	assert_int_equal(dec.stats.events, 3);
}

static void
test_stats_and_stamping(void **state)
{
	start();
	midi_decoder_init(&dec, 3, NULL, NULL, NULL);
	FEED(0x90, 60, 100, 0xf8, 5, 0x80, 0xf0, 1, 0xf7);
	assert_int_equal(dec.stats.events, 3);
	assert_int_equal(dec.stats.garbage, 0);
	assert_int_equal(dec.stats.truncated, 1);

	start();
	midi_decoder_feed(&dec, (const uint8_t[]){ 0x90, 60, 100 }, 3, 1);
	midi_decoder_feed(&dec, (const uint8_t[]){ 0xf8 }, 1, 2);
	midi_decoder_feed(&dec, (const uint8_t[]){ 60 }, 1, 3);
	midi_decoder_feed(&dec, (const uint8_t[]){ 0 }, 1, 4);
	assert_int_equal(nrec, 3);
	assert_true(recs[0].ev.time_ns == 1);
	assert_true(recs[1].ev.time_ns == 2);
	/* A message takes the time of the byte that completed it. */
	assert_true(recs[2].ev.time_ns == 4);
	struct midi_event ev = { .kind = MIDI_CC, .source = 99, .time_ns = 5 };
	midi_decoder_emit(&dec, &ev);
	assert_int_equal(ev.source, SOURCE);
	assert_int_equal(recs[3].ev.source, SOURCE);
	assert_true(recs[3].ev.time_ns == 5);
	assert_int_equal(dec.stats.events, 4);
	/* Empty feed is harmless. */
	midi_decoder_feed(&dec, NULL, 0, 0);
	assert_int_equal(dec.stats.events, 4);
}

/* Deterministic PRNG (xorshift32) so a failure reproduces. */
static uint32_t
rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

struct fuzz {
	uint64_t count;
	uint64_t hash;
	uint64_t per_kind[MIDI_KIND_COUNT];
};

static void
hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * UINT64_C(1099511628211);
}

static void
check_event(void *ctx, const struct midi_event *ev)
{
	struct fuzz *f = ctx;
	int32_t max = midi_kind_max((enum midi_kind)ev->kind);

	assert_in_range(ev->kind, MIDI_NOTE_OFF, MIDI_KIND_COUNT - 1);
	assert_true(ev->channel < 16);
	assert_int_equal(ev->source, SOURCE);
	assert_true(ev->time_ns == T0);
	switch (ev->kind) {
	case MIDI_SYSEX:
		assert_int_equal(ev->channel, 0);
		assert_in_range(ev->sysex_len, 2, MIDI_SYSEX_MAX);
		assert_int_equal(ev->sysex[0], 0xf0);
		assert_int_equal(ev->sysex[ev->sysex_len - 1], 0xf7);
		for (size_t i = 1; i + 1 < ev->sysex_len; i++)
			assert_true(ev->sysex[i] < 0x80);
		hash_bytes(&f->hash, ev->sysex, ev->sysex_len);
		break;
	case MIDI_REALTIME:
		assert_int_equal(ev->channel, 0);
		assert_in_range(ev->number, 0xf8, 0xff);
		break;
	case MIDI_NRPN:
	case MIDI_RPN:
		assert_true(ev->number <= 16383);
		if (ev->flags == MIDI_PARAM_DELTA) {
			assert_true(ev->value != 0);
			assert_in_range(ev->value < 0 ? -ev->value : ev->value,
			    1, 127);
		} else {
			assert_true(ev->flags == MIDI_PARAM_ABSOLUTE ||
			    ev->flags == MIDI_PARAM_FINE);
			assert_in_range(ev->value, 0, max);
		}
		break;
	case MIDI_CC14:
		assert_true(ev->number < 32);
		assert_in_range(ev->value, 0, max);
		break;
	case MIDI_NOTE_ON:
		assert_in_range(ev->value, 1, max);
		assert_true(ev->number < 128);
		break;
	default:
		assert_true(ev->number < 128);
		assert_in_range(ev->value, 0, max);
		assert_null(ev->sysex);
		break;
	}
	f->count++;
	f->per_kind[ev->kind]++;
	hash_bytes(&f->hash, &ev->kind, 1);
	hash_bytes(&f->hash, &ev->channel, 1);
	hash_bytes(&f->hash, &ev->flags, 1);
	hash_bytes(&f->hash, &ev->number, sizeof(ev->number));
	hash_bytes(&f->hash, &ev->value, sizeof(ev->value));
}

#define FUZZ_LEN 300000

static uint8_t fuzz_buf[FUZZ_LEN];

static void
fill_fuzz(uint32_t seed, bool structured)
{
	static const uint8_t statuses[] = {
		0x80, 0x90, 0xa0, 0xb0, 0xb0, 0xb0, 0xc0, 0xd0, 0xe0,
		0xf0, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf7,
		0xf8, 0xfe,
	};
	static const uint8_t ccs[] = { 6, 38, 96, 97, 98, 99, 100, 101, 1, 33 };
	uint32_t s = seed;

	for (size_t i = 0; i < FUZZ_LEN; i++) {
		uint32_t r = rnd(&s);

		if (!structured) {
			fuzz_buf[i] = (uint8_t)r;
		} else if (r % 8 == 0) {
			uint8_t st = statuses[(r >> 8) % sizeof(statuses)];
			fuzz_buf[i] = st < 0xf0 ? st | ((r >> 16) & 1) : st;
		} else if (r % 8 < 4) {
			/* Steer data bytes towards the interesting CCs and
			 * the 127/127 null. */
			fuzz_buf[i] = r % 8 == 1 ? ccs[(r >> 8) % sizeof(ccs)]
			    : r % 8 == 2 ? 127 : 0;
		} else {
			fuzz_buf[i] = (uint8_t)((r >> 8) & 0x7f);
		}
	}
}

static struct fuzz whole;

static void
run_fuzz(bool structured, uint32_t seed)
{
	struct midi_decoder_stats st;
	struct fuzz chunked;
	uint32_t s = seed ^ 0x9e3779b9u;

	memset(&whole, 0, sizeof(whole));
	whole.hash = UINT64_C(14695981039346656037);
	chunked = whole;
	fill_fuzz(seed, structured);

	midi_decoder_init(&dec, SOURCE, check_event, NULL, &whole);
	midi_decoder_set_cc14(&dec, 0, 1, true);
	midi_decoder_set_cc14(&dec, 1, 6, true);
	midi_decoder_feed(&dec, fuzz_buf, FUZZ_LEN, T0);
	assert_true(dec.stats.events == whole.count);
	assert_true(whole.count > FUZZ_LEN / 100);
	st = dec.stats;

	/* Any split of the stream into feeds decodes the same. */
	midi_decoder_init(&dec, SOURCE, check_event, NULL, &chunked);
	midi_decoder_set_cc14(&dec, 0, 1, true);
	midi_decoder_set_cc14(&dec, 1, 6, true);
	for (size_t i = 0; i < FUZZ_LEN;) {
		size_t n = 1 + rnd(&s) % 40;

		if (n > FUZZ_LEN - i)
			n = FUZZ_LEN - i;
		midi_decoder_feed(&dec, fuzz_buf + i, n, T0);
		i += n;
	}
	assert_true(chunked.count == whole.count);
	assert_true(chunked.hash == whole.hash);
	assert_true(dec.stats.garbage == st.garbage);
	assert_true(dec.stats.truncated == st.truncated);
	assert_true(dec.stats.sysex_dropped == st.sysex_dropped);
}

static void
test_random_garbage(void **state)
{
	run_fuzz(false, 0x12345678u);
	assert_true(dec.stats.garbage > 0);
	assert_true(dec.stats.truncated > 0);
}

static void
test_random_structured(void **state)
{
	struct midi_decoder_stats st;

	run_fuzz(true, 0xdeadbeefu);
	st = dec.stats;
	assert_true(st.truncated > 0);
	assert_true(st.garbage > 0);
	/* The steering reaches every kind, so all paths were exercised. */
	for (int k = MIDI_NOTE_OFF; k < MIDI_KIND_COUNT; k++)
		assert_true(whole.per_kind[k] > 0);
	run_fuzz(true, 1u);
}

static void
test_random_long_sysex(void **state)
{
	struct fuzz f = { 0 };
	uint32_t s = 99;
	size_t drops = 0, kept = 0;

	/* Sysex of random length around the limit, interleaved with
	 * realtime, must be kept or dropped exactly at the boundary. */
	midi_decoder_init(&dec, SOURCE, check_event, NULL, &f);
	for (int round = 0; round < 200; round++) {
		size_t n = MIDI_SYSEX_MAX - 8 + rnd(&s) % 16;	/* data bytes */
		uint64_t before = f.count;
		size_t rt = 0;
		uint8_t b = 0xf0;

		midi_decoder_feed(&dec, &b, 1, T0);
		for (size_t i = 0; i < n; i++) {
			if (rnd(&s) % 64 == 0) {
				b = 0xf8;
				midi_decoder_feed(&dec, &b, 1, T0);
				rt++;
			}
			b = (uint8_t)(rnd(&s) & 0x7f);
			midi_decoder_feed(&dec, &b, 1, T0);
		}
		b = 0xf7;
		midi_decoder_feed(&dec, &b, 1, T0);
		if (n + 2 <= MIDI_SYSEX_MAX) {
			assert_true(f.count == before + rt + 1);
			kept++;
		} else {
			assert_true(f.count == before + rt);
			drops++;
		}
	}
	assert_true(dec.stats.sysex_dropped == drops);
	assert_true(kept > 0 && drops > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names_and_ranges),
		cmocka_unit_test(test_channel_voice_kinds),
		cmocka_unit_test(test_note_on_velocity_zero_is_note_off),
		cmocka_unit_test(test_pitch_bend_extremes),
		cmocka_unit_test(test_running_status),
		cmocka_unit_test(test_running_status_across_realtime),
		cmocka_unit_test(test_realtime_inside_two_byte_message),
		cmocka_unit_test(test_all_realtime_bytes),
		cmocka_unit_test(test_message_split_across_feeds),
		cmocka_unit_test(test_system_common_cancels_running_status),
		cmocka_unit_test(test_undefined_system_common),
		cmocka_unit_test(test_stray_end_of_exclusive),
		cmocka_unit_test(test_truncated_message),
		cmocka_unit_test(test_garbage_without_status),
		cmocka_unit_test(test_sysex),
		cmocka_unit_test(test_sysex_size_limit),
		cmocka_unit_test(test_sysex_oversize_without_warn_callback),
		cmocka_unit_test(test_sysex_interrupted),
		cmocka_unit_test(test_cc14_msb_alone),
		cmocka_unit_test(test_cc14_msb_then_lsb),
		cmocka_unit_test(test_cc14_lsb_alone),
		cmocka_unit_test(test_cc14_not_enabled_stays_plain),
		cmocka_unit_test(test_cc14_state_is_per_channel),
		cmocka_unit_test(test_nrpn),
		cmocka_unit_test(test_rpn),
		cmocka_unit_test(test_param_selection_details),
		cmocka_unit_test(test_nrpn_takes_precedence_over_cc14),
		cmocka_unit_test(test_channel_entry_point),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_stats_and_stamping),
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_random_structured),
		cmocka_unit_test(test_random_long_sysex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
