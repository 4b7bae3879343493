/*
 * Feedback parsing for each shipped dialect: what each DAW sends back,
 * read through the dialect's own templates; garbage, wrong types and
 * malformed bundles are refused without harm.  Also the MIDI that shows a
 * value on a control (engine_feedback).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lo/lo.h>

#include "config.h"
#include "engine.h"
#include "feedback.h"

static struct config *cfg;
static struct feedback_match last;

static int
setup(void **state)
{
	char *dirs[] = { "." };
	struct diag_list dl;

	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	diag_print(&dl, stderr);
	diag_free(&dl);
	return dl.errors ? -1 : 0;
}

static int
teardown(void **state)
{
	config_free(cfg);
	return 0;
}

/* Build a message, match it; returns 1/0 and fills m. */
static int
match(const char *dialect, const char *path, const char *types, ...)
{
	static struct feedback_match m;
	const struct dialect *d = config_dialect(cfg, dialect);
	lo_message msg = lo_message_new();
	char buf[512];
	size_t size = sizeof(buf);
	int result = 0, rc;
	va_list ap;

	assert_non_null(d);
	va_start(ap, types);
	for (const char *t = types; *t; t++) {
		switch (*t) {
		case 'i': lo_message_add_int32(msg, va_arg(ap, int)); break;
		case 'f': lo_message_add_float(msg, (float)va_arg(ap, double)); break;
		case 's': lo_message_add_string(msg, va_arg(ap, const char *)); break;
		case 'T': lo_message_add_true(msg); break;
		}
	}
	va_end(ap);
	/* through the wire format, as it arrives */
	lo_message_serialise(msg, path, buf, &size);
	lo_message_free(msg);
	msg = lo_message_deserialise(buf, size, &result);
	assert_non_null(msg);
	rc = feedback_match(d, path, lo_message_get_types(msg),
	    lo_message_get_argv(msg), lo_message_get_argc(msg), &m);
	lo_message_free(msg);
	last = m;
	return rc;
}

#define ASSERT_FB(action_name, trk, val) do {				\
	assert_string_equal(last.action->name, action_name);		\
	assert_int_equal(last.track, trk);				\
	assert_true(last.has_value);					\
	assert_true(fabs(last.value - (val)) < 1e-4);			\
} while (0)

static void
test_ardour(void **state)
{
	(void)state;
	assert_true(match("ardour", "/strip/recenable", "if", 2, 1.0));
	ASSERT_FB("track.recarm", 2, 1);
	assert_true(match("ardour", "/strip/gain", "if", 3, -6.0));
	ASSERT_FB("track.gain", 3, -6);
	assert_true(match("ardour", "/strip/mute", "ii", 1, 0));
	ASSERT_FB("track.mute", 1, 0);
	assert_true(match("ardour", "/strip/pan_stereo_position", "if", 4, 0.25));
	ASSERT_FB("track.pan", 4, 0.25);
	assert_true(match("ardour", "/transport_play", "f", 1.0));
	ASSERT_FB("transport.play", 0, 1);
	assert_true(match("ardour", "/rec_enable_toggle", "f", 0.0));
	ASSERT_FB("transport.record", 0, 0);
	assert_true(match("ardour", "/strip/meter", "if", 6, -3.5));
	ASSERT_FB("track.meter", 6, -3.5);	/* in dB already */
	/* what the bridge has no use for, or cannot read */
	assert_false(match("ardour", "/heartbeat", "f", 1.0));
	assert_false(match("ardour", "/strip/name", "is", 1, "Kick"));
	assert_false(match("ardour", "/strip/gain", "sf", "one", 1.0));
	assert_false(match("ardour", "/strip/gain", "i", 3));	/* no value */
	assert_false(match("ardour", "/strip/gain", "ifi", 3, 1.0, 4));
	assert_false(match("ardour", "/strip/gain", "ff", 3.5, 1.0)); /* track 3.5 */
	assert_false(match("ardour", "/strip/recenable/extra", "if", 2, 1.0));
}

/* Ardour's meters in gainmode 1 are (dB + 94) / 100: meter_range = -94 6
 * reads them back exactly. */
static void
test_meter_range(void **state)
{
	struct dialect d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_true(feedback_meter_db(&d, -12.5) == -12.5);	/* dB as it is */
	d.meter_low = -94;
	d.meter_high = 6;
	d.meter_max = 1;
	for (double db = -90; db <= 6; db += 3)
		assert_true(fabs(feedback_meter_db(&d, (db + 94) / 100) - db) < 1e-9);
	assert_true(isinf(feedback_meter_db(&d, 0)));
	assert_true(isinf(feedback_meter_db(&d, -0.1)));
	assert_true(feedback_meter_db(&d, 2) == 6);
}

static void
test_ardour9(void **state)
{
	(void)state;
	assert_true(match("ardour9", "/strip/solo", "if", 5, 1.0));
	ASSERT_FB("track.solo", 5, 1);
}

static void
test_reaper(void **state)
{
	(void)state;
	assert_true(match("reaper", "/track/3/volume/db", "f", -6.0));
	ASSERT_FB("track.gain", 3, -6);
	assert_true(match("reaper", "/track/2/recarm", "f", 1.0));
	ASSERT_FB("track.recarm", 2, 1);
	assert_true(match("reaper", "/track/7/volume", "f", 0.5));
	ASSERT_FB("track.fader", 7, 0.5);
	/* ON | OFF: which of the two messages matched is the value; REAPER's
	 * FX 'bypass' is 1 while the FX runs */
	assert_true(match("reaper", "/track/2/fx/3/bypass", "f", 0.0));
	ASSERT_FB("track.bypass", 2, 1);
	assert_int_equal(last.plugin, 3);
	assert_true(match("reaper", "/track/5/fx/1/bypass", "f", 1.0));
	ASSERT_FB("track.bypass", 5, 0);
	assert_int_equal(last.plugin, 1);
	assert_false(match("reaper", "/track/5/fx/1/bypass", "f", 0.5));
	/* meters on REAPER's 0..1 scale, read as dB (meter_range = -60 6) */
	assert_true(match("reaper", "/track/3/vu", "f", 1.0));
	ASSERT_FB("track.meter", 3, 6);
	assert_true(match("reaper", "/track/3/vu", "f", 0.5));
	ASSERT_FB("track.meter", 3, -27);
	assert_true(match("reaper", "/track/3/vu", "f", 1.5));	/* over the top */
	ASSERT_FB("track.meter", 3, 6);
	assert_true(match("reaper", "/track/4/vu", "f", 0.0));
	assert_true(isinf(last.value) && last.value < 0);	/* silence */
	assert_false(match("reaper", "/track/x/recarm", "f", 1.0));
	assert_false(match("reaper", "/track//recarm", "f", 1.0));
	assert_false(match("reaper", "/track/2/recarm", "s", "yes"));
}

static void
test_bitwig(void **state)
{
	(void)state;
	assert_true(match("bitwig", "/track/4/mute", "i", 1));
	ASSERT_FB("track.mute", 4, 1);
	assert_true(match("bitwig", "/track/1/recarm", "i", 0));
	ASSERT_FB("track.recarm", 1, 0);
	/* meters 0..127 (meter_range = -60 6 127) */
	assert_true(match("bitwig", "/track/2/vu", "i", 127));
	ASSERT_FB("track.meter", 2, 6);
	assert_true(match("bitwig", "/track/2/vu", "i", 0));
	assert_true(isinf(last.value) && last.value < 0);
}

static void
test_ableton(void **state)
{
	(void)state;
	/* replies on /get/ addresses, tracks counted from 0 */
	assert_true(match("ableton", "/live/track/get/arm", "ii", 0, 1));
	ASSERT_FB("track.recarm", 1, 1);
	assert_true(match("ableton", "/live/track/get/volume", "if", 2, 0.85));
	ASSERT_FB("track.fader", 3, 0.85);
	assert_true(match("ableton", "/live/song/get/is_playing", "T"));
	ASSERT_FB("transport.play", 0, 1);
	assert_false(match("ableton", "/live/track/get/arm", "si", "a", 1));
	assert_true(match("ableton", "/live/track/get/output_meter_level", "if",
	    7, 0.5));
	ASSERT_FB("track.meter", 8, -27);
	/* track.bypass = none: Live's device parameter is never read back,
	 * though a message on its command address looks like one */
	assert_false(match("ableton", "/live/device/set/parameter/value", "iiif",
	    1, 0, 0, 0.0));
}

static void
collect(void *ctx, const struct osc_in *m)
{
	int *n = ctx;
	double v;

	(*n)++;
	assert_string_equal(m->path, "/a");
	assert_int_equal(m->argc, 1);
	/* read in place, in host order */
	assert_string_equal(m->types, "i");
	assert_true(osc_arg_number(m->types[0], m->argv[0], &v));
	assert_true(v >= 0 && v < 3);
}

static void
collect_any(void *ctx, const struct osc_in *m)
{
	(*(int *)ctx)++;
	for (int i = 0; i < m->argc; i++) {
		double v;
		(void)osc_arg_number(m->types[i], m->argv[i], &v);
	}
}

static int
controller_index(const struct controller *c, const char *name)
{
	for (int i = 0; i < c->ncontrols; i++)
		if (strcmp(c->controls[i].name, name) == 0)
			return i;
	return -1;
}

static size_t
bundle_of(char *out, int count, int nested)
{
	size_t size = 16;

	memcpy(out, "#bundle\0\0\0\0\0\0\0\0\1", 16);
	for (int i = 0; i < count; i++) {
		char msg[64];
		size_t n = sizeof(msg);
		uint32_t len;
		lo_message m = lo_message_new();
		lo_message_add_int32(m, i);
		lo_message_serialise(m, "/a", msg, &n);
		lo_message_free(m);
		if (nested && i == 0) {
			char inner[256];
			n = bundle_of(inner, 2, 0);
			memcpy(msg, inner, n);	/* fits: two small messages */
		}
		len = htonl((uint32_t)n);
		memcpy(out + size, &len, 4);
		memcpy(out + size + 4, msg, n);
		size += 4 + n;
	}
	return size;
}

static void
test_walk(void **state)
{
	char buf[1024];
	size_t size;
	int n = 0;

	(void)state;
	size = bundle_of(buf, 3, 0);
	assert_int_equal(feedback_walk(buf, size, collect, &n), 3);
	assert_int_equal(n, 3);
	n = 0;
	size = bundle_of(buf, 2, 1);	/* a bundle inside a bundle */
	assert_int_equal(feedback_walk(buf, size, collect, &n), 3);
	/* truncated, lying about a length, garbage, too short */
	n = 0;
	size = bundle_of(buf, 2, 0);
	assert_int_equal(feedback_walk(buf, size - 3, collect, &n), -1);
	buf[19] = 100;
	assert_int_equal(feedback_walk(buf, size, collect, &n), -1);
	assert_int_equal(feedback_walk("\x01\x02garbage!", 12, collect, &n), -1);
	assert_int_equal(feedback_walk("/a", 2, collect, &n), -1);
	assert_int_equal(feedback_walk("", 0, collect, &n), -1);
}

/* A pseudo-random storm of bytes: never a crash, never a match on junk. */
static void
test_random_packets(void **state)
{
	uint32_t x = 7;
	int n = 0;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		char buf[64];
		size_t len = (size_t)(x % 64);
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (char)(x >> 16);
		}
		if (round % 3 == 0 && len > 8)
			memcpy(buf, "#bundle", 8);
		feedback_walk(buf, len, collect_any, &n);
		x = x * 1103515245u + 12345u;
	}
}

static void
test_feedback_midi(void **state)
{
	const struct profile *eng = config_profile(cfg, "engineer");
	struct engine *s;
	uint8_t out[FEEDBACK_MAX];
	uint64_t now = now_ns();
	const struct binding *rec2 = &eng->bindings[eng->by_control[
	    controller_index(eng->controller, "rec2")]];
	const struct binding *fader1 = &eng->bindings[eng->by_control[
	    controller_index(eng->controller, "fader1")]];

	(void)state;
	assert_non_null(s = engine_new(eng));
	assert_int_equal(engine_feedback(s, rec2, 1, now, out), 3);
	assert_memory_equal(out, "\xB0\x41\x7F", 3);
	assert_int_equal(engine_feedback(s, rec2, 0, now, out), 3);
	assert_memory_equal(out, "\xB0\x41\x00", 3);
	/* the nanoKONTROL2's faders have no motor: no feedback for them */
	assert_int_equal(engine_feedback(s, fader1, 0, now, out), 0);
	assert_int_equal(engine_feedback(s, rec2, NAN, now, out), 0);
	engine_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ardour),
		cmocka_unit_test(test_meter_range),
		cmocka_unit_test(test_ardour9),
		cmocka_unit_test(test_reaper),
		cmocka_unit_test(test_bitwig),
		cmocka_unit_test(test_ableton),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_random_packets),
		cmocka_unit_test(test_feedback_midi),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
