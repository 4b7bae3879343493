/*
 * The OSC serialiser (osc_msg_write) against liblo's: every argument
 * type, constants, the per-event value, labels with {take}, loop ranges,
 * padding at every string length, and a buffer too small; the bytes must
 * be those lo_message_serialise writes for the message osc_msg_build
 * fills in, since a DAW reads them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "osc_msg.h"

/* m written by both, with value and ctx; the bytes must be the same. */
static void
assert_same(const struct osc_msg *m, double value,
    const struct osc_context *ctx)
{
	char ours[1024], theirs[1024];
	size_t n, size = sizeof(theirs);
	lo_message lm = osc_msg_build(m, value, ctx);

	assert_non_null(lm);
	assert_non_null(lo_message_serialise(lm, m->address, theirs, &size));
	assert_int_equal(size, lo_message_length(lm, m->address));
	n = osc_msg_write(m, m->address, value, ctx, ours, sizeof(ours));
	assert_int_equal(n, size);
	assert_memory_equal(ours, theirs, size);
	/* one byte short: nothing written, never past the end */
	memset(ours, 0x55, sizeof(ours));
	assert_int_equal(osc_msg_write(m, m->address, value, ctx, ours,
	    size - 1), 0);
	for (size_t i = size - 1; i < sizeof(ours); i++)
		assert_int_equal((unsigned char)ours[i], 0x55);
	lo_message_free(lm);
}

static void
test_no_arguments(void **state)
{
	struct osc_msg m = { .address = "/transport_play" };

	(void)state;
	assert_same(&m, 0, NULL);
}

static void
test_constants_of_every_type(void **state)
{
	static const char types[] = "ihfdsTFNI";
	static const char *texts[] = { "-7", "-9000000000", "0.25", "1e-300",
	    "hello", "", "", "", "" };
	struct osc_arg args[sizeof(types) - 1];
	struct osc_msg m = { .address = "/strip/gain", .args = args,
	    .nargs = (int)sizeof(args) / (int)sizeof(args[0]) };

	(void)state;
	memset(args, 0, sizeof(args));
	for (int i = 0; i < m.nargs; i++)
		assert_true(osc_arg_parse(&args[i], types[i], texts[i]));
	assert_same(&m, 0, NULL);
	/* each alone, and after each other one: every alignment */
	for (int i = 0; i < m.nargs; i++) {
		struct osc_msg one = { .address = "/a", .args = &args[i],
		    .nargs = 1 };
		assert_same(&one, 0, NULL);
		for (int j = 0; j < m.nargs; j++) {
			struct osc_arg two[2] = { args[i], args[j] };
			struct osc_msg pair = { .address = "/ab", .args = two,
			    .nargs = 2 };
			assert_same(&pair, 0, NULL);
		}
	}
	free(args[4].v.s);
}

static void
test_value_of_every_type(void **state)
{
	static const char types[] = "ihfdsb";
	static const double values[] = { 0, 1, -1, 0.5, 1e9, -3.75, NAN,
	    INFINITY, 127, 16383 };

	(void)state;
	for (size_t t = 0; t < sizeof(types) - 1; t++)
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			struct osc_arg args[2] = {
				{ .type = 'i', .v.i = 3 },
				{ .type = types[t], .is_value = true },
			};
			struct osc_msg m = { .address = "/strip/fader",
			    .args = args, .nargs = 2, .has_value = true };
			if (types[t] == 'h' && !isfinite(values[v]))
				continue;	/* llrint: undefined */
			if ((types[t] == 'i') && (!isfinite(values[v]) ||
			    fabs(values[v]) > 2e9))
				continue;
			assert_same(&m, values[v], NULL);
		}
}

static void
test_labels_and_ranges(void **state)
{
	struct osc_arg args[3] = {
		{ .type = 's', .is_template = true, .v.s = "TAKE {take} keep" },
		{ .type = 'f', .range = 1 },
		{ .type = 'd', .range = 2 },
	};
	struct osc_msg m = { .address = "/marker/add", .args = args,
	    .nargs = 3 };
	struct osc_context ctx = { 12, 1.5, 96000 };

	(void)state;
	assert_same(&m, 0, &ctx);
	args[1].type = 's';
	assert_same(&m, 0, &ctx);
	args[0].v.s = NULL;	/* no label: an empty string */
	assert_same(&m, 0, &ctx);
}

static void
test_padding_at_every_length(void **state)
{
	char addr[40], text[40];
	struct osc_arg arg = { .type = 's', .v.s = text };
	struct osc_msg m = { .address = addr, .args = &arg, .nargs = 1 };

	(void)state;
	for (int i = 1; i < 12; i++)
		for (int j = 0; j < 12; j++) {
			memset(addr, 'a', (size_t)i);
			addr[0] = '/';
			addr[i] = '\0';
			memset(text, 'x', (size_t)j);
			text[j] = '\0';
			assert_same(&m, 0, NULL);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_arguments),
		cmocka_unit_test(test_constants_of_every_type),
		cmocka_unit_test(test_value_of_every_type),
		cmocka_unit_test(test_labels_and_ranges),
		cmocka_unit_test(test_padding_at_every_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
