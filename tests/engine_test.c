/*
 * Tests for the per-event engine (engine.c) and the value transforms
 * (transform.c): MIDI events built by hand go through engine_event on a
 * engine made from the shipped profiles or from tests/data/config.
 * Run from the repository root (paths are relative to it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"
#include "transform.h"

#define MS UINT64_C(1000000)
#define T0 (UINT64_C(1000) * MS)

struct fixture {
	struct config *shipped, *test;
	const struct profile *engineer, *producer, *good, *alt;
};

static struct fixture fx;

static struct config *
load(const char *dir)
{
	char *dirs[] = { (char *)dir };
	struct diag_list dl;
	struct config *cfg;

	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	for (int i = 0; i < dl.count; i++)
		fprintf(stderr, "%s\n", dl.items[i].text);
	if (cfg == NULL || dl.errors != 0) {
		diag_free(&dl);
		config_free(cfg);
		return NULL;
	}
	diag_free(&dl);
	return cfg;
}

static int
group_setup(void **state)
{
	(void)state;
	if ((fx.shipped = load(".")) == NULL ||
	    (fx.test = load("tests/data/config")) == NULL)
		return -1;
	fx.engineer = config_profile(fx.shipped, "engineer");
	fx.producer = config_profile(fx.shipped, "producer");
	fx.good = config_profile(fx.test, "good");
	fx.alt = config_profile(fx.test, "alt");
	return fx.engineer && fx.producer && fx.good && fx.alt ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	config_free(fx.shipped);
	config_free(fx.test);
	return 0;
}

/* ---- helpers ---- */

static struct engine *
new_engine(const struct profile *p)
{
	struct engine *s = engine_new(p);

	assert_non_null(s);
	return s;
}

static void
free_engine(struct engine *s)
{
	engine_free(s);
}

static struct midi_event
mk(int kind, int channel, int number, int32_t value, uint64_t t)
{
	struct midi_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = (uint8_t)kind;
	ev.channel = (uint8_t)channel;
	ev.number = (uint16_t)number;
	ev.value = value;
	ev.time_ns = t;
	return ev;
}

static int
send_ev(struct engine *s, struct midi_event ev, struct engine_output *out)
{
	memset(out, 0, sizeof(*out));
	return engine_event(s, &ev, now_ns(), out);
}

static int
cc(struct engine *s, int number, int value, struct engine_output *out)
{
	return send_ev(s, mk(MIDI_CC, 0, number, value, 0), out);
}

static const char *
control_name(const struct engine *s, const struct engine_output *out)
{
	return s->controller->controls[out->binding->control].name;
}

static const struct binding *
binding_of(const struct profile *p, const char *control)
{
	for (int i = 0; i < p->controller->ncontrols; i++)
		if (strcmp(p->controller->controls[i].name, control) == 0) {
			assert_true(p->by_control[i] >= 0);
			return &p->bindings[p->by_control[i]];
		}
	fail_msg("no control %s", control);
	return NULL;
}

/* One event that must send value v (exactly) through binding b. */
#define assert_sends(s, ev, b, v) do {					\
	struct engine_output o_;					\
	assert_int_equal(send_ev(s, ev, &o_), 1);			\
	assert_ptr_equal(o_.binding, b);				\
	if (o_.value != (v))						\
		fail_msg("sent %.17g, expected %.17g", o_.value, (double)(v)); \
} while (0)
#define assert_silent(s, ev) do {					\
	struct engine_output o_;					\
	assert_int_equal(send_ev(s, ev, &o_), 0);			\
} while (0)
#define CC(n, v) mk(MIDI_CC, 0, n, v, 0)
#define CC_AT(n, v, t) mk(MIDI_CC, 0, n, v, t)

/* ---- fader law ---- */

static void
test_fader_law_engineer(void **state)
{
	struct engine *s = new_engine(fx.engineer);
	const struct binding *b = binding_of(fx.engineer, "fader3");
	struct engine_output out;
	double prev = -INFINITY;

	(void)state;
	/* -inf goes out as Ardour's floor */
	assert_int_equal(cc(s, 2, 0, &out), 1);
	assert_ptr_equal(out.binding, b);
	assert_string_equal(out.binding->msg.address, "/strip/gain");
	assert_string_equal(control_name(s, &out), "fader3");
	assert_true(out.value == -193);
	assert_true(isinf(s->state[b->control].value));

	assert_sends(s, CC(2, 1), b, FADER_DB_LOWEST);
	assert_sends(s, CC(2, 100), b, 0.0);
	assert_sends(s, CC(2, 127), b, 6.0);
	assert_sends(s, CC(2, 64), b, -15.0);
	assert_sends(s, CC(2, 32), b, -30.0);
	assert_sends(s, CC(2, 16), b, -50.0);

	/* monotonic over every 7-bit value, strictly from raw 1 */
	for (int raw = 0; raw < 128; raw++) {
		assert_int_equal(cc(s, 2, raw, &out), 1);
		if (raw == 0)
			assert_true(out.value == -193);
		else {
			assert_true(out.value > prev);
			assert_true(out.value >= FADER_DB_LOWEST && out.value <= 6);
		}
		prev = out.value;
	}
	assert_int_equal(s->sent, 6 + 1 + 128);
	assert_int_equal(s->unbound, 0);
	free_engine(s);
}

static void
test_fader_law_14bit(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *b = binding_of(fx.good, "hifader1");
	struct engine_output out;
	double prev = -INFINITY;

	(void)state;
	/* 12900 / 16383 = 100 / 127: unity, exactly */
	assert_sends(s, mk(MIDI_CC14, 0, 8, 12900, 0), b, 0.0);
	assert_sends(s, mk(MIDI_CC14, 0, 8, 16383, 0), b, 6.0);
	assert_sends(s, mk(MIDI_CC14, 0, 8, 129, 0), b, FADER_DB_LOWEST);
	/* -inf below the first step, sent as the test dialect's floor */
	assert_sends(s, mk(MIDI_CC14, 0, 8, 128, 0), b, -100.0);
	assert_sends(s, mk(MIDI_CC14, 0, 8, 0, 0), b, -100.0);
	for (int v = 129; v <= 16383; v += 7) {
		assert_int_equal(send_ev(s, mk(MIDI_CC14, 0, 8, v, 0), &out), 1);
		assert_true(out.value > prev);
		prev = out.value;
	}
	free_engine(s);
}

static void
test_fader_pos_round_trip(void **state)
{
	const struct binding *b = binding_of(fx.engineer, "fader1");

	(void)state;
	assert_true(isinf(taper_fader_db(0)) && taper_fader_db(0) < 0);
	assert_true(taper_fader_pos(-INFINITY) == 0);
	assert_true(taper_fader_pos(-1000) == 0);
	assert_true(taper_fader_pos(6) == 1);
	assert_true(taper_fader_pos(12) == 1);
	assert_true(taper_fader_pos(0) * 127 == 100);
	for (int raw = 1; raw <= 127; raw++) {
		double pos = raw / 127.0;
		double db = taper_fader_db(pos);
		assert_true(fabs(taper_fader_pos(db) - pos) < 1e-12);
		assert_true(fabs(binding_position(b, binding_value(b, pos)) - pos) < 1e-12);
	}
	for (int v = 129; v <= 16383; v++) {
		double pos = v / 16383.0;
		assert_true(fabs(taper_fader_pos(taper_fader_db(pos)) - pos) < 1e-9);
	}
	/* and from dB: every tenth of a dB on the law */
	for (int t = -800; t <= 60; t++) {
		double db = t / 10.0;
		assert_true(fabs(taper_fader_db(taper_fader_pos(db)) - db) < 1e-9);
	}
}

/* ---- linear taper ---- */

static void
test_linear_taper(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *lin = binding_of(fx.good, "lin1");	/* trim 0..12 */
	const struct binding *inv = binding_of(fx.good, "lin2");	/* pan .2...4 invert */
	const struct binding *pan = binding_of(fx.good, "param");
	const struct binding *tune = binding_of(fx.good, "tune");
	const struct binding *fader = binding_of(fx.good, "pressure");
	struct engine_output out;

	(void)state;
	/* the default (0, 0.5) outside min..max: a straight line */
	assert_false(lin->centred);
	assert_false(inv->centred);
	assert_sends(s, CC(112, 0), lin, 0.0);
	assert_sends(s, CC(112, 127), lin, 12.0);
	for (int raw = 0; raw < 128; raw++) {
		assert_int_equal(cc(s, 112, raw, &out), 1);
		assert_true(fabs(out.value - 12.0 * raw / 127) < 1e-12);
		assert_int_equal(cc(s, 113, raw, &out), 1);
		assert_true(fabs(out.value - (0.4 - 0.2 * raw / 127)) < 1e-12);
	}
	assert_sends(s, CC(113, 0), inv, 0.4);
	assert_sends(s, CC(113, 127), inv, 0.2);
	assert_true(fabs(binding_position(lin, 3.0) - 0.25) < 1e-12);
	assert_true(binding_position(lin, 99) == 1);
	assert_true(binding_position(lin, -99) == 0);
	assert_true(fabs(binding_position(inv, 0.25) - 0.25) < 1e-12);

	/* the action's own range 0..1: nrpn, rpn (inverted), aftertouch */
	assert_sends(s, mk(MIDI_NRPN, 0, 1000, 16383, 0), pan, 1.0);
	assert_sends(s, mk(MIDI_NRPN, 0, 1000, 0, 0), pan, 0.0);
	assert_sends(s, mk(MIDI_RPN, 0, 0, 16383, 0), tune, 0.0);
	assert_sends(s, mk(MIDI_RPN, 0, 0, 0, 0), tune, 1.0);
	assert_sends(s, mk(MIDI_CHANNEL_AFTERTOUCH, 0, 0, 127, 0), fader, 1.0);
	assert_sends(s, mk(MIDI_CHANNEL_AFTERTOUCH, 0, 0, 0, 0), fader, 0.0);
	free_engine(s);
}

/* A bipolar range (the default strictly inside min..max) has a centre
 * detent: the control's middle raw value sends the default exactly, each
 * half linear; inverted too. */
static void
test_centre_detent(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *trim = binding_of(fx.good, "hifader2");	/* -10..10 invert */
	const struct binding *poly = binding_of(fx.good, "poly60");	/* -6..6 */
	const struct binding *bend = binding_of(fx.good, "bend");	/* pan */
	const struct binding *pan = binding_of(fx.good, "param");
	struct engine_output out;
	double prev;

	(void)state;
	assert_true(trim->centred && poly->centred && bend->centred);

	assert_sends(s, mk(MIDI_POLY_AFTERTOUCH, 0, 60, 0, 0), poly, -6.0);
	assert_sends(s, mk(MIDI_POLY_AFTERTOUCH, 0, 60, 64, 0), poly, 0.0);
	assert_sends(s, mk(MIDI_POLY_AFTERTOUCH, 0, 60, 127, 0), poly, 6.0);
	assert_int_equal(send_ev(s, mk(MIDI_POLY_AFTERTOUCH, 0, 60, 100, 0), &out), 1);
	assert_true(fabs(out.value - 6.0 * 36 / 63) < 1e-12);
	assert_int_equal(send_ev(s, mk(MIDI_POLY_AFTERTOUCH, 0, 60, 32, 0), &out), 1);
	assert_true(fabs(out.value - -3.0) < 1e-12);

	assert_sends(s, mk(MIDI_PITCH_BEND, 0, 0, 8192, 0), bend, 0.5);
	assert_sends(s, mk(MIDI_PITCH_BEND, 0, 0, 0, 0), bend, 0.0);
	assert_sends(s, mk(MIDI_PITCH_BEND, 0, 0, 16383, 0), bend, 1.0);
	assert_sends(s, mk(MIDI_NRPN, 0, 1000, 8192, 0), pan, 0.5);

	/* inverted: the top is the minimum, the middle still the centre */
	assert_sends(s, mk(MIDI_CC14, 0, 9, 0, 0), trim, 10.0);
	assert_sends(s, mk(MIDI_CC14, 0, 9, 16383, 0), trim, -10.0);
	assert_sends(s, mk(MIDI_CC14, 0, 9, 8192, 0), trim, 0.0);
	assert_sends(s, mk(MIDI_CC14, 0, 9, 4096, 0), trim, 5.0);
	/* monotonic (decreasing, inverted) over the whole travel */
	prev = INFINITY;
	for (int v = 0; v <= 16383; v += 3) {
		assert_int_equal(send_ev(s, mk(MIDI_CC14, 0, 9, v, 0), &out), 1);
		assert_true(out.value < prev);
		prev = out.value;
	}
	/* binding_position is the inverse, on both sides of the centre */
	for (int i = 0; i <= 100; i++) {
		double pos = i / 100.0;
		assert_true(fabs(binding_position(trim, binding_value(trim, pos)) -
		    pos) < 1e-12);
		assert_true(fabs(binding_position(poly, binding_value(poly, pos)) -
		    pos) < 1e-12);
	}
	assert_true(fabs(binding_position(trim, 0) - (1 - 8192.0 / 16383)) < 1e-15);
	free_engine(s);
}

/* ---- buttons ---- */

static void
test_toggle(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *mute = binding_of(fx.good, "pad1");
	struct engine *e = new_engine(fx.engineer);
	const struct binding *rec = binding_of(fx.engineer, "rec1");

	(void)state;
	assert_int_equal(mute->trigger, TRIGGER_TOGGLE);
	/* note: press flips, release ignored */
	assert_sends(s, mk(MIDI_NOTE_ON, 0, 36, 100, 0), mute, 1.0);
	assert_silent(s, mk(MIDI_NOTE_OFF, 0, 36, 0, 0));
	assert_sends(s, mk(MIDI_NOTE_ON, 0, 36, 5, 0), mute, 0.0);
	assert_silent(s, mk(MIDI_NOTE_OFF, 0, 36, 64, 0));
	assert_sends(s, mk(MIDI_NOTE_ON, 0, 36, 127, 0), mute, 1.0);
	assert_int_equal(s->sent, 3);

	/* cc button (nanoKONTROL2 R button): 127 press, 0 release */
	assert_sends(e, CC(64, 127), rec, 1.0);
	assert_silent(e, CC(64, 0));
	assert_sends(e, CC(64, 127), rec, 0.0);
	assert_silent(e, CC(64, 0));
	assert_int_equal(e->sent, 2);
	assert_int_equal(e->unbound, 0);
	free_engine(s);
	free_engine(e);
}

static void
test_momentary(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *solo = binding_of(fx.good, "pad2");
	const struct binding *rec = binding_of(fx.good, "rec");

	(void)state;
	assert_sends(s, mk(MIDI_NOTE_ON, 0, 37, 90, 0), solo, 1.0);
	assert_sends(s, mk(MIDI_NOTE_OFF, 0, 37, 0, 0), solo, 0.0);
	assert_sends(s, mk(MIDI_NOTE_ON, 0, 37, 90, 0), solo, 1.0);
	assert_sends(s, mk(MIDI_NOTE_OFF, 0, 37, 0, 0), solo, 0.0);
	assert_sends(s, CC(108, 127), rec, 1.0);
	assert_sends(s, CC(108, 0), rec, 0.0);
	assert_int_equal(s->sent, 6);
	{
		/* a trigger whose message has no value is not sent again on
		 * release; one with a value slot sends its "off" */
		const struct binding *stop = binding_of(fx.good, "stop");
		const struct binding *sw = binding_of(fx.good, "recbtn");
		assert_false(stop->msg.has_value);
		assert_true(sw->msg.has_value);
		assert_sends(s, CC(103, 127), stop, 1.0);
		assert_silent(s, CC(103, 0));
		assert_sends(s, CC(115, 127), sw, 1.0);
		assert_sends(s, CC(115, 0), sw, 0.0);
	}
	free_engine(s);
}

static void
test_press(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *play = binding_of(fx.good, "play");
	struct engine *e = new_engine(fx.engineer);

	(void)state;
	assert_int_equal(play->trigger, TRIGGER_PRESS);
	assert_sends(s, CC(102, 127), play, 1.0);
	assert_silent(s, CC(102, 0));
	assert_sends(s, CC(102, 127), play, 1.0);
	assert_silent(s, CC(102, 0));
	assert_int_equal(s->sent, 2);

	/* engineer play: /transport_play, no arguments */
	assert_sends(e, CC(41, 127), binding_of(fx.engineer, "play"), 1.0);
	assert_silent(e, CC(41, 0));
	free_engine(s);
	free_engine(e);
}

/* The profile changes while a button is held: the release goes to the
 * binding that took the press, so nothing stays latched in the DAW. */
static void
test_release_follows_press(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *good_rec = binding_of(fx.good, "rec");
	const struct binding *alt_rec = binding_of(fx.alt, "rec");
	const struct binding *good_play = binding_of(fx.good, "play");
	const struct binding *alt_play = binding_of(fx.alt, "play");

	(void)state;
	assert_string_equal(good_rec->msg.address, "/track/1/recarm");
	assert_string_equal(alt_rec->msg.address, "/track/select");

	assert_sends(s, CC(108, 127), good_rec, 1.0);
	s->profile = fx.alt;
	assert_sends(s, CC(108, 0), good_rec, 0.0);
	/* the next press is the new profile's */
	assert_sends(s, CC(108, 127), alt_rec, 1.0);
	assert_sends(s, CC(108, 0), alt_rec, 0.0);
	/* and back, the other way round */
	assert_sends(s, CC(108, 127), alt_rec, 1.0);
	s->profile = fx.good;
	assert_sends(s, CC(108, 0), alt_rec, 0.0);
	assert_sends(s, CC(108, 127), good_rec, 1.0);
	assert_sends(s, CC(108, 0), good_rec, 0.0);

	/* a press-only binding ignores its release whatever the profile */
	assert_sends(s, CC(102, 127), good_play, 1.0);
	s->profile = fx.alt;
	assert_silent(s, CC(102, 0));
	assert_sends(s, CC(102, 127), alt_play, 1.0);
	assert_string_equal(alt_play->msg.address, "/stop");

	/* pressed where bound, released where unbound: still delivered */
	s->profile = fx.good;
	assert_sends(s, mk(MIDI_NOTE_ON, 0, 37, 100, 0), binding_of(fx.good, "pad2"), 1.0);
	s->profile = fx.alt;		/* alt does not bind pad2 */
	assert_sends(s, mk(MIDI_NOTE_OFF, 0, 37, 0, 0), binding_of(fx.good, "pad2"), 0.0);
	/* pressed where unbound: nothing; with no press on record, the
	 * release goes to the binding of the moment (a momentary "off") */
	assert_silent(s, mk(MIDI_NOTE_ON, 0, 37, 100, 0));
	assert_int_equal(s->unbound, 1);
	s->profile = fx.good;
	assert_sends(s, mk(MIDI_NOTE_OFF, 0, 37, 0, 0), binding_of(fx.good, "pad2"), 0.0);
	free_engine(s);
}

/* A reload rebinds the engine to the new set's profile of the same name:
 * each control keeps its state by name (a held button still releases to
 * the binding that took its press, in the old set), the engine reads the
 * new store of values, and no pick-up is armed. */
static void
test_rebind(void **state)
{
	struct config *again = load("tests/data/config");
	const struct profile *p2;
	const struct binding *rec = binding_of(fx.good, "rec");
	struct target_values *tv;
	struct engine *s = new_engine(fx.good);

	(void)state;
	assert_non_null(again);
	p2 = config_profile(again, "good");
	assert_non_null(p2);
	assert_ptr_not_equal(p2, fx.good);
	assert_non_null(tv = target_values_new(again->ntargets));
	assert_sends(s, CC(108, 127), rec, 1.0);	/* held across the reload */
	assert_int_equal(engine_rebind(s, p2, tv), 0);
	assert_ptr_equal(s->profile, p2);
	assert_ptr_equal(s->controller, p2->controller);
	assert_ptr_equal(s->values, tv);
	assert_ptr_equal(s->state[rec->control].held, rec);
	for (int i = 0; i < s->controller->ncontrols; i++)
		assert_false(s->state[i].pickup);	/* a switch arms it */
	assert_sends(s, CC(108, 0), rec, 0.0);		/* the old binding's */
	assert_sends(s, CC(108, 127), binding_of(p2, "rec"), 1.0);
	free_engine(s);
	target_values_free(tv);
	config_free(again);
}

/* ---- relative encoders ---- */

static void
test_relative_twos_complement(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *b = binding_of(fx.good, "knob1");	/* pan, 0.05 */
	struct engine_output out;

	(void)state;
	/* starts from the action's default, 0.5 */
	assert_int_equal(cc(s, 16, 1, &out), 1);
	assert_ptr_equal(out.binding, b);
	assert_true(fabs(out.value - 0.55) < 1e-12);
	assert_int_equal(cc(s, 16, 3, &out), 1);
	assert_true(fabs(out.value - 0.70) < 1e-12);
	assert_int_equal(cc(s, 16, 127, &out), 1);	/* -1 */
	assert_true(fabs(out.value - 0.65) < 1e-12);
	assert_int_equal(cc(s, 16, 126, &out), 1);	/* -2 */
	assert_true(fabs(out.value - 0.55) < 1e-12);
	/* clamped at both ends */
	assert_sends(s, CC(16, 65), b, 0.0);		/* -63 */
	assert_sends(s, CC(16, 64), b, 0.0);		/* -64 */
	assert_sends(s, CC(16, 63), b, 1.0);		/* +63 */
	assert_sends(s, CC(16, 1), b, 1.0);
	assert_int_equal(cc(s, 16, 127, &out), 1);
	assert_true(fabs(out.value - 0.95) < 1e-12);
	/* 0 is no movement */
	assert_silent(s, CC(16, 0));
	/* a default step: knob3 on track.trim moves 0.5 dB a tick */
	assert_sends(s, CC(18, 2), binding_of(fx.good, "knob3"), 1.0);
	free_engine(s);
}

static void
test_relative_sign_magnitude(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *b = binding_of(fx.good, "knob_sm");	/* trim, 1 dB */

	(void)state;
	assert_sends(s, CC(20, 1), b, 1.0);
	assert_sends(s, CC(20, 5), b, 6.0);
	assert_sends(s, CC(20, 65), b, 5.0);		/* -1 */
	assert_sends(s, CC(20, 69), b, 0.0);		/* -5 */
	assert_silent(s, CC(20, 64));			/* -0 */
	assert_silent(s, CC(20, 0));
	assert_sends(s, CC(20, 127), b, -20.0);		/* -63, clamped */
	assert_sends(s, CC(20, 66), b, -20.0);
	assert_sends(s, CC(20, 63), b, 20.0);		/* +63, clamped */
	assert_sends(s, CC(20, 1), b, 20.0);
	assert_sends(s, CC(20, 66), b, 18.0);
	free_engine(s);
}

static void
test_relative_binary_offset(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *b = binding_of(fx.good, "knob_bo");	/* master gain */

	(void)state;
	assert_sends(s, CC(21, 65), b, 1.0);		/* +1 from 0 dB */
	assert_sends(s, CC(21, 66), b, 3.0);		/* +2 */
	assert_sends(s, CC(21, 127), b, 6.0);		/* +63, clamped at +6 */
	assert_sends(s, CC(21, 63), b, 5.0);		/* -1 */
	assert_silent(s, CC(21, 64));			/* 0 */
	assert_sends(s, CC(21, 0), b, -59.0);		/* -64 */
	/* below the law's lowest step: -inf, sent as the floor */
	assert_sends(s, CC(21, 0), b, -100.0);
	assert_true(isinf(s->state[b->control].value));
	assert_sends(s, CC(21, 0), b, -100.0);
	/* up from -inf lands on the lowest step */
	assert_sends(s, CC(21, 65), b, FADER_DB_LOWEST);
	assert_sends(s, CC(21, 66), b, FADER_DB_LOWEST + 2);
	free_engine(s);
}

static void
test_relative_on_trigger(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *b = binding_of(fx.good, "knob_rel");

	(void)state;
	/* a turn up fires the trigger, a turn down does nothing */
	assert_sends(s, CC(22, 1), b, 1.0);
	assert_sends(s, CC(22, 5), b, 1.0);
	assert_silent(s, CC(22, 127));
	assert_int_equal(s->sent, 2);
	free_engine(s);
}

static void
test_acceleration(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *b = binding_of(fx.good, "knob2");	/* 0.01, accel 1 */
	struct engine_output out;
	double prev = 0.5, delta, prev_delta = 0;

	(void)state;
	assert_true(b->accel == 1);
	/* ticks 10 ms apart: every step larger than the one before */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(send_ev(s, CC_AT(17, 1, T0 + (uint64_t)i * 10 * MS),
		    &out), 1);
		delta = out.value - prev;
		assert_true(fabs(delta - 0.01 * (i + 1)) < 1e-12);
		assert_true(delta > prev_delta);
		prev_delta = delta;
		prev = out.value;
	}
	/* 200 ms apart: no acceleration, every step the same */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(send_ev(s, CC_AT(17, 127,
		    T0 + 1000 * MS + (uint64_t)i * 200 * MS), &out), 1);
		assert_true(fabs(out.value - (prev - 0.01)) < 1e-12);
		prev = out.value;
	}
	/* a change of direction starts over too */
	assert_int_equal(send_ev(s, CC_AT(17, 1, T0 + 3000 * MS), &out), 1);
	assert_int_equal(send_ev(s, CC_AT(17, 1, T0 + 3010 * MS), &out), 1);
	prev = out.value;
	assert_int_equal(send_ev(s, CC_AT(17, 127, T0 + 3020 * MS), &out), 1);
	assert_true(fabs(out.value - (prev - 0.01)) < 1e-12);

	/* knob1 has no accel=: fast ticks move one step each */
	prev = 0.5;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(send_ev(s, CC_AT(16, 1, T0 + (uint64_t)i * 10 * MS),
		    &out), 1);
		assert_true(fabs(out.value - (prev + 0.05)) < 1e-12);
		prev = out.value;
	}
	free_engine(s);
}

/* ---- an absolute control on a trigger ---- */

static void
test_absolute_trigger_hysteresis(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *b = binding_of(fx.good, "switch");
	static const int quiet[] = { 0, 30, 63, 64, 65, 70, 76 };
	static const int chatter[] = { 64, 63, 65, 60, 70, 63, 64, 52 };

	(void)state;
	assert_string_equal(b->msg.address, "/record");
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		assert_silent(s, CC(109, quiet[i]));
	assert_sends(s, CC(109, 77), b, 1.0);	/* crosses 0.6 upward */
	assert_silent(s, CC(109, 90));
	assert_silent(s, CC(109, 127));
	/* around the middle: nothing */
	for (size_t i = 0; i < sizeof(chatter) / sizeof(chatter[0]); i++)
		assert_silent(s, CC(109, chatter[i]));
	assert_silent(s, CC(109, 127));
	/* down past 0.4 re-arms it, silently */
	assert_silent(s, CC(109, 50));
	for (size_t i = 0; i < sizeof(chatter) / sizeof(chatter[0]); i++)
		assert_silent(s, CC(109, chatter[i]));
	assert_sends(s, CC(109, 100), b, 1.0);
	assert_int_equal(s->sent, 2);
	free_engine(s);
}

/* ---- unbound and unknown controls ---- */

static void
test_unbound(void **state)
{
	struct engine *s = new_engine(fx.good);
	struct engine *a = new_engine(fx.alt);
	struct engine *p = new_engine(fx.producer);
	struct engine_output out;

	(void)state;
	/* a defined control with no binding */
	assert_int_equal(cc(s, 110, 127, &out), 0);
	assert_int_equal(cc(s, 110, 0, &out), 0);
	assert_int_equal(s->unbound, 2);
	/* messages the controller does not define */
	assert_int_equal(cc(s, 111, 127, &out), 0);
	assert_int_equal(send_ev(s, mk(MIDI_NOTE_ON, 0, 60, 100, 0), &out), 0);
	assert_int_equal(send_ev(s, mk(MIDI_CC, 5, 0, 100, 0), &out), 0);
	assert_int_equal(send_ev(s, mk(MIDI_PROGRAM, 0, 0, 9, 0), &out), 0);
	assert_int_equal(send_ev(s, mk(MIDI_NRPN, 0, 42, 1, 0), &out), 0);
	assert_int_equal(s->unbound, 7);
	assert_int_equal(s->sent, 0);

	/* alt binds fader1..4 only: an absolute, a relative, a 14-bit one */
	assert_int_equal(cc(a, 4, 64, &out), 0);
	assert_int_equal(cc(a, 16, 1, &out), 0);
	assert_int_equal(send_ev(a, mk(MIDI_CC14, 0, 8, 12900, 0), &out), 0);
	assert_int_equal(a->unbound, 3);
	assert_int_equal(cc(a, 3, 64, &out), 1);
	assert_string_equal(control_name(a, &out), "fader4");
	assert_int_equal(a->sent, 1);

	/* the producer leaves the faders and knobs free */
	for (int n = 0; n < 8; n++) {
		assert_int_equal(cc(p, n, 100, &out), 0);
		assert_int_equal(cc(p, 16 + n, 100, &out), 0);
	}
	assert_int_equal(p->unbound, 16);
	assert_int_equal(p->sent, 0);
	free_engine(s);
	free_engine(a);
	free_engine(p);
}

/* ---- program change ---- */

static void
test_program_change_button(void **state)
{
	struct engine *s = new_engine(fx.good);
	struct engine_output out;

	(void)state;
	assert_sends(s, mk(MIDI_PROGRAM, 0, 0, 0, 0), binding_of(fx.good, "prog1"), 1.0);
	assert_sends(s, mk(MIDI_PROGRAM, 0, 0, 0, 0), binding_of(fx.good, "prog1"), 1.0);
	assert_int_equal(send_ev(s, mk(MIDI_PROGRAM, 0, 0, 1, 0), &out), 1);
	assert_string_equal(out.binding->msg.address, "/undo");
	assert_int_equal(send_ev(s, mk(MIDI_PROGRAM, 0, 0, 3, 0), &out), 1);
	assert_string_equal(control_name(s, &out), "prog4");
	assert_string_equal(out.binding->msg.address, "/marker/add");
	assert_string_equal(out.binding->msg.args[0].v.s, "Cue here");
	/* another channel, another program: not this controller's */
	assert_int_equal(send_ev(s, mk(MIDI_PROGRAM, 1, 0, 0, 0), &out), 0);
	assert_int_equal(send_ev(s, mk(MIDI_PROGRAM, 0, 0, 4, 0), &out), 0);
	assert_int_equal(s->sent, 4);
	assert_int_equal(s->unbound, 2);
	free_engine(s);
}

/* ---- NRPN ---- */

static void
test_nrpn_delta(void **state)
{
	struct engine *s = new_engine(fx.good);
	const struct binding *enc = binding_of(fx.good, "param_enc");	/* trim, 0.5 */
	const struct binding *abs_b = binding_of(fx.good, "param");
	struct midi_event ev;

	(void)state;
	ev = mk(MIDI_NRPN, 0, 1001, 1, 0);
	ev.flags = MIDI_PARAM_DELTA;
	assert_sends(s, ev, enc, 0.5);
	ev.value = 4;
	assert_sends(s, ev, enc, 2.5);
	ev.value = -2;
	assert_sends(s, ev, enc, 1.5);
	ev.value = -100;
	assert_sends(s, ev, enc, -20.0);
	ev.value = 200;
	assert_sends(s, ev, enc, 20.0);
	ev.value = 0;
	assert_silent(s, ev);
	/* data entry on a relative nrpn: the MSB holds the ticks */
	ev = mk(MIDI_NRPN, 0, 1001, 127 << 7, 0);	/* -1, two's complement */
	assert_sends(s, ev, enc, 19.5);
	/* ... and the LSB that completes it does not move it again */
	ev = mk(MIDI_NRPN, 0, 1001, 127 << 7 | 5, 0);
	ev.flags = MIDI_PARAM_FINE;
	assert_silent(s, ev);

	/* an increment is not a position: an absolute nrpn ignores it */
	assert_sends(s, mk(MIDI_NRPN, 0, 1000, 16383, 0), abs_b, 1.0);
	ev = mk(MIDI_NRPN, 0, 1000, 1, 0);
	ev.flags = MIDI_PARAM_DELTA;
	assert_silent(s, ev);
	assert_true(s->state[abs_b->control].value == 1.0);
	free_engine(s);
}

/* ---- record guard ---- */

/* A note button of p's controller, pressed (velocity 127) or released. */
static struct midi_event
note_of(const struct profile *p, const char *control, bool down)
{
	const struct control *c = &p->controller->controls[
	    binding_of(p, control)->control];

	return mk(down ? MIDI_NOTE_ON : MIDI_NOTE_OFF, c->channel, c->number,
	    down ? 127 : 0, 0);
}

static int
event_at(struct engine *s, struct midi_event ev, uint64_t now,
    struct engine_output *out)
{
	memset(out, 0, sizeof(*out));
	return engine_event(s, &ev, now, out);
}

/* guard=recording while the DAW records: the engine holds the first press
 * back before the toggle's latch flips (nothing changes, not even the
 * target's value), and a second within a second does it.  Stopped, a
 * press acts at once; a second press too late is a first press again. */
static void
test_guard(void **state)
{
	const struct profile *p = config_profile(fx.shipped, "engineer-xtouch");
	const struct binding *rec = binding_of(p, "button12");
	const struct binding *stop = binding_of(p, "button10");
	struct target_values *tv = target_values_new(fx.shipped->ntargets);
	struct engine *s = new_engine(p);
	struct engine_output out;

	(void)state;
	assert_non_null(tv);
	s->values = tv;
	assert_true(rec->guard && rec->trigger == TRIGGER_TOGGLE);
	assert_int_equal(rec->target, p->record_target);
	/* stopped: the guard does not hold */
	assert_int_equal(event_at(s, note_of(p, "button12", true), T0, &out),
	    ENGINE_SEND);
	assert_ptr_equal(out.binding, rec);
	assert_true(out.value == 1);
	assert_int_equal(event_at(s, note_of(p, "button12", false), T0, &out),
	    ENGINE_NOTHING);
	/* the DAW reports it records (record is a trigger: its state is the
	 * DAW's word); the first press of record is held back, changing
	 * nothing; a second 500 ms later disarms */
	tv->v[p->record_target] = 1;
	tv->v[p->play_target] = 1;
	assert_int_equal(event_at(s, note_of(p, "button12", true), T0 + 2000 * MS,
	    &out), ENGINE_GUARDED);
	assert_ptr_equal(out.binding, rec);
	assert_true(tv->v[p->record_target] == 1);
	assert_true(s->state[rec->control].latched);
	assert_int_equal(event_at(s, note_of(p, "button12", false),
	    T0 + 2100 * MS, &out), ENGINE_NOTHING);
	assert_int_equal(event_at(s, note_of(p, "button12", true), T0 + 2500 * MS,
	    &out), ENGINE_SEND);
	assert_true(out.value == 0);
	assert_false(s->state[rec->control].latched);
	event_at(s, note_of(p, "button12", false), T0 + 2600 * MS, &out);
	/* stop: a second press after more than a second is a first again */
	tv->v[p->record_target] = 1;
	assert_int_equal(event_at(s, note_of(p, "button10", true), T0 + 3000 * MS,
	    &out), ENGINE_GUARDED);
	assert_ptr_equal(out.binding, stop);
	event_at(s, note_of(p, "button10", false), T0 + 3100 * MS, &out);
	assert_int_equal(event_at(s, note_of(p, "button10", true), T0 + 4100 * MS,
	    &out), ENGINE_GUARDED);
	event_at(s, note_of(p, "button10", false), T0 + 4200 * MS, &out);
	assert_int_equal(event_at(s, note_of(p, "button10", true), T0 + 4300 * MS,
	    &out), ENGINE_SEND);
	assert_ptr_equal(out.binding, stop);
	free_engine(s);
	target_values_free(tv);
}

/* ---- why nothing was sent ---- */

/* Every event says what became of it: the control it matched (or none),
 * and why it sent nothing: unmatched, unbound, a pick-up wait with the
 * position to meet and the control's, the record guard, a release with
 * nothing to do. */
static void
test_outcome(void **state)
{
	const struct profile *x = config_profile(fx.shipped, "engineer-xtouch");
	struct target_values *tv = target_values_new(fx.shipped->ntargets);
	struct engine *s = new_engine(fx.engineer);
	struct engine *p = new_engine(fx.producer);
	struct engine *g = new_engine(x);
	const struct binding *f1 = binding_of(fx.engineer, "fader1");
	struct engine_output out;

	(void)state;
	assert_non_null(tv);
	s->values = tv;
	/* a message no control sends: channel 2 cc 0 */
	assert_int_equal(send_ev(s, mk(MIDI_CC, 1, 0, 64, 0), &out), 0);
	assert_int_equal(out.why, ENGINE_WHY_UNMATCHED);
	assert_int_equal(out.control, -1);
	assert_null(out.binding);
	/* sent: the control and its binding */
	assert_int_equal(cc(s, 0, 100, &out), ENGINE_SEND);
	assert_int_equal(out.why, ENGINE_WHY_SENT);
	assert_int_equal(out.control, f1->control);
	assert_ptr_equal(out.binding, f1);
	/* the producer leaves fader 1 free */
	assert_int_equal(cc(p, 0, 100, &out), 0);
	assert_int_equal(out.why, ENGINE_WHY_UNBOUND);
	assert_int_equal(out.control, f1->control);
	assert_null(out.binding);
	/* after a switch the fader waits to meet its target (100/127, as
	 * the DAW holds it), here from 25/127 */
	assert_int_equal(cc(s, 0, 25, &out), ENGINE_SEND);
	engine_switch(s, fx.engineer);
	tv->v[f1->target] = binding_value(f1, 100.0 / 127);
	assert_int_equal(cc(s, 0, 40, &out), 0);
	assert_int_equal(out.why, ENGINE_WHY_PICKUP);
	assert_ptr_equal(out.binding, f1);
	assert_true(fabs(out.want - 100.0 / 127) < 1e-9);
	assert_true(fabs(out.at - 40.0 / 127) < 1e-9);
	assert_int_equal(cc(s, 0, 100, &out), ENGINE_SEND);
	assert_int_equal(out.why, ENGINE_WHY_SENT);
	/* play's release: bound, nothing to send */
	assert_int_equal(cc(s, 41, 127, &out), ENGINE_SEND);
	assert_int_equal(cc(s, 41, 0, &out), 0);
	assert_int_equal(out.why, ENGINE_WHY_IDLE);
	assert_non_null(out.binding);
	/* the guard while the DAW records */
	g->values = tv;
	tv->v[x->record_target] = 1;
	tv->v[x->play_target] = 1;
	assert_int_equal(event_at(g, note_of(x, "button12", true), T0, &out),
	    ENGINE_GUARDED);
	assert_int_equal(out.why, ENGINE_WHY_GUARD);
	assert_ptr_equal(out.binding, binding_of(x, "button12"));
	free_engine(s);
	free_engine(p);
	free_engine(g);
	target_values_free(tv);
}

/* ---- lifecycle ---- */

static void
test_engine_new(void **state)
{
	struct engine *s;

	(void)state;
	assert_non_null(s = engine_new(fx.good));
	assert_ptr_equal(s->controller, fx.good->controller);
	assert_ptr_equal(s->profile, fx.good);
	for (int i = 0; i < s->controller->ncontrols; i++) {
		assert_true(isnan(s->state[i].value));
		assert_null(s->state[i].held);
		assert_false(s->state[i].latched);
	}
	assert_int_equal(s->sent + s->unbound + s->events, 0);
	engine_free(s);
	engine_free(NULL);	/* a no-op, as every _free */
}

static void
test_relative_ticks(void **state)
{
	(void)state;
	assert_int_equal(relative_ticks(REL_TWOS_COMPLEMENT, 1), 1);
	assert_int_equal(relative_ticks(REL_TWOS_COMPLEMENT, 63), 63);
	assert_int_equal(relative_ticks(REL_TWOS_COMPLEMENT, 64), -64);
	assert_int_equal(relative_ticks(REL_TWOS_COMPLEMENT, 65), -63);
	assert_int_equal(relative_ticks(REL_TWOS_COMPLEMENT, 127), -1);
	assert_int_equal(relative_ticks(REL_SIGN_MAGNITUDE, 1), 1);
	assert_int_equal(relative_ticks(REL_SIGN_MAGNITUDE, 63), 63);
	assert_int_equal(relative_ticks(REL_SIGN_MAGNITUDE, 65), -1);
	assert_int_equal(relative_ticks(REL_SIGN_MAGNITUDE, 127), -63);
	assert_int_equal(relative_ticks(REL_BINARY_OFFSET, 64), 0);
	assert_int_equal(relative_ticks(REL_BINARY_OFFSET, 65), 1);
	assert_int_equal(relative_ticks(REL_BINARY_OFFSET, 127), 63);
	assert_int_equal(relative_ticks(REL_BINARY_OFFSET, 63), -1);
	assert_int_equal(relative_ticks(REL_BINARY_OFFSET, 0), -64);
	for (int f = REL_TWOS_COMPLEMENT; f <= REL_BINARY_OFFSET; f++)
		for (int raw = 0; raw < 128; raw++) {
			int t = relative_ticks((enum relative_format)f, raw);
			assert_true(t >= -64 && t <= 63);
		}
	assert_true(clamp_db(-INFINITY, -193) == -193);
	assert_true(clamp_db(-12, -193) == -12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fader_law_engineer),
		cmocka_unit_test(test_fader_law_14bit),
		cmocka_unit_test(test_fader_pos_round_trip),
		cmocka_unit_test(test_linear_taper),
		cmocka_unit_test(test_centre_detent),
		cmocka_unit_test(test_toggle),
		cmocka_unit_test(test_momentary),
		cmocka_unit_test(test_press),
		cmocka_unit_test(test_release_follows_press),
		cmocka_unit_test(test_relative_twos_complement),
		cmocka_unit_test(test_relative_sign_magnitude),
		cmocka_unit_test(test_relative_binary_offset),
		cmocka_unit_test(test_relative_on_trigger),
		cmocka_unit_test(test_acceleration),
		cmocka_unit_test(test_absolute_trigger_hysteresis),
		cmocka_unit_test(test_unbound),
		cmocka_unit_test(test_program_change_button),
		cmocka_unit_test(test_nrpn_delta),
		cmocka_unit_test(test_rebind),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_engine_new),
		cmocka_unit_test(test_relative_ticks),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
