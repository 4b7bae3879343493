/* Unit tests for ALSA sequencer event translation (alsa_seq_decode.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "alsa_seq_decode.h"

#define MAX_EVENTS 256
#define T0 UINT64_C(987654321)
#define SOURCE 2

struct rec {
	struct midi_event ev;
	uint8_t sysex[MIDI_SYSEX_MAX];	/* copy: ev.sysex dies with the callback */
};

struct collector {
	struct rec recs[MAX_EVENTS];
	size_t n;
	size_t nwarn;
	char last_warn[256];
};

static struct collector col, col2;
static struct midi_decoder dec, dec2;

static void
on_event(void *ctx, const struct midi_event *ev)
{
	struct collector *c = ctx;
	struct rec *r;

	assert_true(c->n < MAX_EVENTS);
	r = &c->recs[c->n++];
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
	struct collector *c = ctx;

	c->nwarn++;
	snprintf(c->last_warn, sizeof(c->last_warn), "%s", message);
}

static void
start(void)
{
	memset(&col, 0, sizeof(col));
	memset(&col2, 0, sizeof(col2));
	midi_decoder_init(&dec, SOURCE, on_event, on_warn, &col);
	midi_decoder_init(&dec2, SOURCE, on_event, on_warn, &col2);
}

static int
decode(const snd_seq_event_t *ev)
{
	return alsa_seq_decode(&dec, ev, T0);
}

#define ASSERT_EV(i, k, ch, num, val) do {				\
	assert_true((size_t)(i) < col.n);				\
	assert_string_equal(midi_kind_name(col.recs[i].ev.kind),	\
	    midi_kind_name(k));						\
	assert_int_equal(col.recs[i].ev.channel, (ch));			\
	assert_int_equal(col.recs[i].ev.number, (num));			\
	assert_int_equal(col.recs[i].ev.value, (val));			\
	assert_int_equal(col.recs[i].ev.source, SOURCE);		\
	assert_true(col.recs[i].ev.time_ns == T0);			\
} while (0)

#define ASSERT_PARAM(i, k, ch, num, val, fl) do {			\
	ASSERT_EV(i, k, ch, num, val);					\
	assert_int_equal(col.recs[i].ev.flags, (fl));			\
} while (0)

static void
controller(int ch, unsigned int cc, int value)
{
	snd_seq_event_t ev;

	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_controller(&ev, ch, cc, value);
	assert_int_equal(decode(&ev), 1);
}

static void
test_notes(void **state)
{
	snd_seq_event_t ev;

	start();
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_noteon(&ev, 3, 60, 100);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_noteoff(&ev, 15, 61, 64);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_keypress(&ev, 0, 62, 90);
	assert_int_equal(decode(&ev), 1);
	/* ALSA passes note-on 0 through untouched; the decoder turns it
	 * into a note off like on the byte path. */
	snd_seq_ev_set_noteon(&ev, 4, 63, 0);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 4);
	ASSERT_EV(0, MIDI_NOTE_ON, 3, 60, 100);
	ASSERT_EV(1, MIDI_NOTE_OFF, 15, 61, 64);
	ASSERT_EV(2, MIDI_POLY_AFTERTOUCH, 0, 62, 90);
	ASSERT_EV(3, MIDI_NOTE_OFF, 4, 63, 0);
	assert_int_equal(dec.stats.events, 4);
}

static void
test_one_value_events(void **state)
{
	snd_seq_event_t ev;

	start();
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_pgmchange(&ev, 5, 42);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_chanpress(&ev, 6, 33);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_pgmchange(&ev, 5, 300);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_chanpress(&ev, 6, -4);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 4);
	ASSERT_EV(0, MIDI_PROGRAM, 5, 0, 42);
	ASSERT_EV(1, MIDI_CHANNEL_AFTERTOUCH, 6, 0, 33);
	ASSERT_EV(2, MIDI_PROGRAM, 5, 0, 127);
	ASSERT_EV(3, MIDI_CHANNEL_AFTERTOUCH, 6, 0, 0);
}

static void
test_controller_and_clamping(void **state)
{
	snd_seq_event_t ev;

	start();
	controller(9, 7, 100);
	controller(9, 7, 128);		/* clamped, not masked to 0 */
	controller(9, 7, 1000);
	controller(9, 7, -1);
	controller(0, 127, 127);
	assert_int_equal(col.n, 5);
	ASSERT_EV(0, MIDI_CC, 9, 7, 100);
	ASSERT_EV(1, MIDI_CC, 9, 7, 127);
	ASSERT_EV(2, MIDI_CC, 9, 7, 127);
	ASSERT_EV(3, MIDI_CC, 9, 7, 0);
	ASSERT_EV(4, MIDI_CC, 0, 127, 127);

	/* An out-of-range address is dropped, not folded onto another
	 * controller, note or channel; it is still a MIDI event. */
	controller(0, 128, 1);
	controller(0, 200, 1);
	controller(16, 7, 1);
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_noteon(&ev, 0, 128, 100);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_noteon(&ev, 17, 60, 100);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_noteon(&ev, 0, 60, 200);	/* velocity clamped */
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 6);
	ASSERT_EV(5, MIDI_NOTE_ON, 0, 60, 127);
	assert_int_equal(dec.stats.events, 6);
}

static void
test_pitch_bend(void **state)
{
	static const struct { int in; int32_t out; } cases[] = {
		{ -8192, 0 }, { 0, 8192 }, { 8191, 16383 }, { 1, 8193 },
		{ -1, 8191 }, { 8192, 16383 }, { -8193, 0 },
		{ INT_MAX, 16383 }, { INT_MIN, 0 },
	};
	snd_seq_event_t ev;

	start();
	snd_seq_ev_clear(&ev);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snd_seq_ev_set_pitchbend(&ev, 2, cases[i].in);
		assert_int_equal(decode(&ev), 1);
		ASSERT_EV(i, MIDI_PITCH_BEND, 2, 0, cases[i].out);
	}
}

static void
test_control14(void **state)
{
	snd_seq_event_t ev;

	start();
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_controller(&ev, 1, 7, 1000);
	ev.type = SND_SEQ_EVENT_CONTROL14;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.value = 16383;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.value = 20000;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.value = -3;
	assert_int_equal(decode(&ev), 1);
	/* Not dependent on the cc14 configuration: ALSA already paired it. */
	ev.data.control.param = 0;
	ev.data.control.value = 5;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.param = 31;
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 6);
	ASSERT_EV(0, MIDI_CC14, 1, 7, 1000);
	ASSERT_EV(1, MIDI_CC14, 1, 7, 16383);
	ASSERT_EV(2, MIDI_CC14, 1, 7, 16383);
	ASSERT_EV(3, MIDI_CC14, 1, 7, 0);
	ASSERT_EV(4, MIDI_CC14, 1, 0, 5);
	ASSERT_EV(5, MIDI_CC14, 1, 31, 5);

	/* 32 and up have no partner: a plain CC through the decoder, which
	 * means an enabled pair's LSB or an NRPN select still work. */
	ev.data.control.param = 64;
	ev.data.control.value = 127;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.value = 300;
	assert_int_equal(decode(&ev), 1);
	midi_decoder_set_cc14(&dec, 1, 8, true);
	ev.data.control.param = 40;
	ev.data.control.value = 9;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.param = 128;
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 9);
	ASSERT_EV(6, MIDI_CC, 1, 64, 127);
	ASSERT_EV(7, MIDI_CC, 1, 64, 127);
	ASSERT_EV(8, MIDI_CC14, 1, 8, 9);
}

static void
test_nrpn_rpn_events(void **state)
{
	snd_seq_event_t ev;

	start();
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_controller(&ev, 3, 1 << 7 | 2, 8200);
	ev.type = SND_SEQ_EVENT_NONREGPARAM;
	assert_int_equal(decode(&ev), 1);
	ev.type = SND_SEQ_EVENT_REGPARAM;
	ev.data.control.param = 0;
	ev.data.control.value = 12 << 7;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.param = 16383;
	ev.data.control.value = 99999;
	assert_int_equal(decode(&ev), 1);
	ev.data.control.param = 16384;
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 3);
	ASSERT_PARAM(0, MIDI_NRPN, 3, 130, 8200, MIDI_PARAM_ABSOLUTE);
	ASSERT_PARAM(1, MIDI_RPN, 3, 0, 12 << 7, MIDI_PARAM_ABSOLUTE);
	ASSERT_PARAM(2, MIDI_RPN, 3, 16383, 16383, MIDI_PARAM_ABSOLUTE);
	/* Mapped directly: no selection left behind for a later CC 6. */
	controller(3, 6, 1);
	ASSERT_EV(3, MIDI_CC, 3, 6, 1);
}

static void
test_sysex(void **state)
{
	static uint8_t msg[] = { 0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7 };
	snd_seq_event_t ev;

	start();
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_sysex(&ev, sizeof(msg), msg);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 1);
	assert_int_equal(col.recs[0].ev.kind, MIDI_SYSEX);
	assert_int_equal(col.recs[0].ev.channel, 0);
	assert_int_equal(col.recs[0].ev.source, SOURCE);
	assert_true(col.recs[0].ev.time_ns == T0);
	assert_int_equal(col.recs[0].ev.sysex_len, sizeof(msg));
	assert_memory_equal(col.recs[0].sysex, msg, sizeof(msg));
	assert_int_equal(dec.stats.events, 1);
	assert_int_equal(col.nwarn, 0);

	/* The delivered bytes are the decoder's copy, so the caller may
	 * release the event (and its buffer) once decode returns. */
	memset(&ev, 0, sizeof(ev));
	snd_seq_ev_set_sysex(&ev, sizeof(msg), msg);
	decode(&ev);
	assert_true(dec.sysex_len == sizeof(msg));
	assert_memory_equal(dec.sysex, msg, sizeof(msg));
	assert_int_equal(col.n, 2);

	/* A fixed-length event claiming to be sysex carries no data, even
	 * if its union happens to hold a pointer. */
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_sysex(&ev, sizeof(msg), msg);
	snd_seq_ev_set_fixed(&ev);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_sysex(&ev, 0, NULL);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_sysex(&ev, 5, NULL);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 2);
}

/* Only a variable-length sysex carries its bytes: one whose pointer is
 * a user-space one (VARUSR) or the old IPC kind points into another process
 * and is not read (found by the fuzzer: a bad pointer was followed). */
static void
test_sysex_foreign_pointer(void **state)
{
	snd_seq_event_t ev;

	start();
	snd_seq_ev_clear(&ev);
	ev.type = SND_SEQ_EVENT_SYSEX;
	ev.flags = SND_SEQ_EVENT_LENGTH_VARUSR;
	ev.data.ext.len = 4096;
	ev.data.ext.ptr = (void *)(uintptr_t)0xeeeeeeeeeeee;
	assert_int_equal(decode(&ev), 1);
	ev.flags = SND_SEQ_EVENT_LENGTH_MASK;	/* the old VARIPC */
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 0);
	assert_int_equal(dec.stats.events, 0);
}

static void
test_sysex_oversize(void **state)
{
	static uint8_t big[3 * MIDI_SYSEX_MAX];
	snd_seq_event_t ev;

	memset(big, 0x11, sizeof(big));
	big[0] = 0xf0;
	start();
	snd_seq_ev_clear(&ev);

	/* Exactly the limit is kept ... */
	big[MIDI_SYSEX_MAX - 1] = 0xf7;
	snd_seq_ev_set_sysex(&ev, MIDI_SYSEX_MAX, big);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 1);
	assert_int_equal(col.recs[0].ev.sysex_len, MIDI_SYSEX_MAX);
	big[MIDI_SYSEX_MAX - 1] = 0x11;

	/* ... one more is dropped, counted and reported once. */
	big[MIDI_SYSEX_MAX] = 0xf7;
	snd_seq_ev_set_sysex(&ev, MIDI_SYSEX_MAX + 1, big);
	assert_int_equal(decode(&ev), 1);
	big[MIDI_SYSEX_MAX] = 0x11;
	big[sizeof(big) - 1] = 0xf7;
	snd_seq_ev_set_sysex(&ev, sizeof(big), big);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 1);
	assert_int_equal(dec.stats.sysex_dropped, 2);
	assert_int_equal(col.nwarn, 2);
	assert_non_null(strstr(col.last_warn, "sysex"));
	assert_non_null(strstr(col.last_warn, "1024"));
}

static void
test_sysex_in_pieces(void **state)
{
	/* The kernel hands a hardware sysex longer than its 256-byte coder
	 * buffer over as several SYSEX events. */
	static uint8_t msg[600];
	snd_seq_event_t ev;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i & 0x7f);
	msg[0] = 0xf0;
	msg[sizeof(msg) - 1] = 0xf7;
	start();
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_sysex(&ev, 256, msg);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_sysex(&ev, 256, msg + 256);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 0);
	snd_seq_ev_set_sysex(&ev, sizeof(msg) - 512, msg + 512);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 1);
	assert_int_equal(col.recs[0].ev.sysex_len, sizeof(msg));
	assert_memory_equal(col.recs[0].sysex, msg, sizeof(msg));

	/* A continuation without its start is not a sysex. */
	snd_seq_ev_set_sysex(&ev, 4, msg + 596);
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 1);
	/* A start never finished is dropped as truncated by the next. */
	snd_seq_ev_set_sysex(&ev, 10, msg);
	assert_int_equal(decode(&ev), 1);
	snd_seq_ev_set_sysex(&ev, 2, ((uint8_t[]){ 0xf0, 0xf7 }));
	assert_int_equal(decode(&ev), 1);
	assert_int_equal(col.n, 2);
	assert_int_equal(col.recs[1].ev.sysex_len, 2);
	assert_int_equal(dec.stats.truncated, 1);
}

static void
test_realtime(void **state)
{
	static const struct { int type; uint8_t status; } map[] = {
		{ SND_SEQ_EVENT_CLOCK, 0xf8 },
		{ SND_SEQ_EVENT_TICK, 0xf9 },
		{ SND_SEQ_EVENT_START, 0xfa },
		{ SND_SEQ_EVENT_CONTINUE, 0xfb },
		{ SND_SEQ_EVENT_STOP, 0xfc },
		{ SND_SEQ_EVENT_SENSING, 0xfe },
		{ SND_SEQ_EVENT_RESET, 0xff },
	};
	snd_seq_event_t ev;

	start();
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		snd_seq_ev_clear(&ev);
		ev.type = (snd_seq_event_type_t)map[i].type;
		snd_seq_ev_set_fixed(&ev);
		assert_int_equal(decode(&ev), 1);
		ASSERT_EV(i, MIDI_REALTIME, 0, map[i].status, 0);
	}
	assert_int_equal(col.n, 7);
}

static void
test_non_midi_and_system_common(void **state)
{
	static const int other[] = {
		SND_SEQ_EVENT_PORT_START, SND_SEQ_EVENT_PORT_EXIT,
		SND_SEQ_EVENT_CLIENT_START, SND_SEQ_EVENT_PORT_SUBSCRIBED,
		SND_SEQ_EVENT_ECHO, SND_SEQ_EVENT_SYSTEM, SND_SEQ_EVENT_TEMPO,
		SND_SEQ_EVENT_NOTE, SND_SEQ_EVENT_NONE, SND_SEQ_EVENT_USR0,
	};
	static const int common[] = {
		SND_SEQ_EVENT_QFRAME, SND_SEQ_EVENT_SONGPOS,
		SND_SEQ_EVENT_SONGSEL, SND_SEQ_EVENT_TUNE_REQUEST,
	};
	snd_seq_event_t ev;

	start();
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		snd_seq_ev_clear(&ev);
		ev.type = (snd_seq_event_type_t)other[i];
		ev.data.addr.client = 20;
		ev.data.addr.port = 0;
		assert_int_equal(decode(&ev), 0);
	}
	/* MIDI, but not control events: consumed without delivery. */
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		snd_seq_ev_clear(&ev);
		ev.type = (snd_seq_event_type_t)common[i];
		assert_int_equal(decode(&ev), 1);
	}
	assert_int_equal(col.n, 0);
	assert_int_equal(dec.stats.events, 0);
}

static void
test_cc14_pairs_via_controller(void **state)
{
	start();
	midi_decoder_set_cc14(&dec, 0, 1, true);
	controller(0, 1, 64);
	controller(0, 33, 5);
	controller(0, 33, 6);
	controller(0, 1, 65);
	controller(0, 2, 7);		/* not enabled: plain CC 2 and 34 */
	controller(0, 34, 8);
	controller(1, 1, 9);		/* other channel */
	assert_int_equal(col.n, 7);
	ASSERT_EV(0, MIDI_CC14, 0, 1, 64 << 7);
	ASSERT_EV(1, MIDI_CC14, 0, 1, 64 << 7 | 5);
	ASSERT_EV(2, MIDI_CC14, 0, 1, 64 << 7 | 6);
	ASSERT_EV(3, MIDI_CC14, 0, 1, 65 << 7);
	ASSERT_EV(4, MIDI_CC, 0, 2, 7);
	ASSERT_EV(5, MIDI_CC, 0, 34, 8);
	ASSERT_EV(6, MIDI_CC, 1, 1, 9);
}

static void
test_nrpn_via_controller(void **state)
{
	start();
	controller(4, 99, 1);
	controller(4, 98, 2);
	controller(4, 6, 64);
	controller(4, 38, 16);
	controller(4, 96, 0);
	controller(4, 97, 2);
	controller(4, 101, 127);
	controller(4, 100, 127);
	controller(4, 6, 64);
	assert_int_equal(col.n, 5);
	ASSERT_PARAM(0, MIDI_NRPN, 4, 130, 64 << 7, MIDI_PARAM_ABSOLUTE);
	ASSERT_PARAM(1, MIDI_NRPN, 4, 130, 64 << 7 | 16, MIDI_PARAM_FINE);
	ASSERT_PARAM(2, MIDI_NRPN, 4, 130, 1, MIDI_PARAM_DELTA);
	ASSERT_PARAM(3, MIDI_NRPN, 4, 130, -2, MIDI_PARAM_DELTA);
	ASSERT_PARAM(4, MIDI_CC, 4, 6, 64, 0);
}

static uint32_t
rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/*
 * Random channel messages sent both as ALSA events and as bytes: the two
 * paths must deliver the same events, including cc14 and NRPN/RPN
 * assembly, which depends on the shared state.
 */
static void
test_same_as_byte_path(void **state)
{
	static const uint8_t ccs[] = { 1, 33, 6, 38, 96, 97, 98, 99, 100, 101,
	    7, 127 };
	uint32_t s = 4242;
	snd_seq_event_t ev;

	start();
	for (int ch = 0; ch < 2; ch++) {
		midi_decoder_set_cc14(&dec, ch, 1, true);
		midi_decoder_set_cc14(&dec2, ch, 1, true);
	}
	for (int i = 0; i < 5000; i++) {
		uint32_t r = rnd(&s);
		uint8_t ch = (uint8_t)(r >> 28 & 1);
		uint8_t a = (uint8_t)(r >> 8 & 0x7f), b = (uint8_t)(r >> 16 & 0x7f);
		uint8_t bytes[3];

		if (r % 4 == 3)		/* make 127/127 null likely */
			b = 127;
		snd_seq_ev_clear(&ev);
		switch (r % 9) {
		case 0:
			snd_seq_ev_set_noteon(&ev, ch, a, b);
			bytes[0] = 0x90;
			break;
		case 1:
			snd_seq_ev_set_noteoff(&ev, ch, a, b);
			bytes[0] = 0x80;
			break;
		case 2:
			snd_seq_ev_set_keypress(&ev, ch, a, b);
			bytes[0] = 0xa0;
			break;
		case 3:
			snd_seq_ev_set_pgmchange(&ev, ch, a);
			bytes[0] = 0xc0;
			break;
		case 4:
			snd_seq_ev_set_chanpress(&ev, ch, a);
			bytes[0] = 0xd0;
			break;
		case 5:
			snd_seq_ev_set_pitchbend(&ev, ch, (b << 7 | a) - 8192);
			bytes[0] = 0xe0;
			break;
		default:
			a = ccs[a % sizeof(ccs)];
			snd_seq_ev_set_controller(&ev, ch, a, b);
			bytes[0] = 0xb0;
			break;
		}
		bytes[0] |= ch;
		bytes[1] = a;
		bytes[2] = b;
		assert_int_equal(alsa_seq_decode(&dec, &ev, T0), 1);
		midi_decoder_feed(&dec2, bytes,
		    (bytes[0] & 0xe0) == 0xc0 ? 2 : 3, T0);
		assert_int_equal(col.n, col2.n);
		if (col.n == MAX_EVENTS) {
			col.n = 0;
			col2.n = 0;
		}
		for (size_t k = 0; k < col.n; k++) {
			const struct midi_event *x = &col.recs[k].ev;
			const struct midi_event *y = &col2.recs[k].ev;

			assert_int_equal(x->kind, y->kind);
			assert_int_equal(x->channel, y->channel);
			assert_int_equal(x->flags, y->flags);
			assert_int_equal(x->number, y->number);
			assert_int_equal(x->value, y->value);
		}
	}
	assert_true(dec.stats.events == dec2.stats.events);
	assert_true(dec.stats.events > 3000);
}

static void
test_stamping(void **state)
{
	snd_seq_event_t ev;

	start();
	midi_decoder_init(&dec, 11, on_event, NULL, &col);
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_noteon(&ev, 0, 60, 1);
	assert_int_equal(alsa_seq_decode(&dec, &ev, 77), 1);
	ev.type = SND_SEQ_EVENT_CLOCK;
	assert_int_equal(alsa_seq_decode(&dec, &ev, 78), 1);
	snd_seq_ev_set_controller(&ev, 0, 7, 1);
	ev.type = SND_SEQ_EVENT_NONREGPARAM;
	assert_int_equal(alsa_seq_decode(&dec, &ev, 79), 1);
	assert_int_equal(col.n, 3);
	for (size_t i = 0; i < col.n; i++) {
		assert_int_equal(col.recs[i].ev.source, 11);
		assert_true(col.recs[i].ev.time_ns == 77 + i);
	}
	assert_int_equal(dec.stats.events, 3);

	/* No callbacks at all: still counted, nothing breaks. */
	midi_decoder_init(&dec, 0, NULL, NULL, NULL);
	static uint8_t big[2 * MIDI_SYSEX_MAX] = { 0xf0 };
	snd_seq_ev_set_sysex(&ev, sizeof(big), big);
	assert_int_equal(alsa_seq_decode(&dec, &ev, 0), 1);
	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_noteon(&ev, 0, 60, 1);
	assert_int_equal(alsa_seq_decode(&dec, &ev, 0), 1);
	assert_int_equal(dec.stats.events, 1);
	assert_int_equal(dec.stats.sysex_dropped, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_one_value_events),
		cmocka_unit_test(test_controller_and_clamping),
		cmocka_unit_test(test_pitch_bend),
		cmocka_unit_test(test_control14),
		cmocka_unit_test(test_nrpn_rpn_events),
		cmocka_unit_test(test_sysex),
		cmocka_unit_test(test_sysex_foreign_pointer),
		cmocka_unit_test(test_sysex_oversize),
		cmocka_unit_test(test_sysex_in_pieces),
		cmocka_unit_test(test_realtime),
		cmocka_unit_test(test_non_midi_and_system_common),
		cmocka_unit_test(test_cc14_pairs_via_controller),
		cmocka_unit_test(test_nrpn_via_controller),
		cmocka_unit_test(test_same_as_byte_path),
		cmocka_unit_test(test_stamping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
