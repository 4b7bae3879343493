/*
 * Feedback against a real headless Ardour (tests/ardour/ardour-session):
 * the real ctlbridge binary on a private jackd, a JACK client playing a
 * controller with motor faders (its "in" port records what the bridge
 * sends it), and another OSC client changing Ardour's state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lo/lo.h>

#include "ardour.h"
#include "jackenv.h"
#include "proc.h"

#define TRACKS "Kick Snare Bass Gtr"	/* Ardour's session */

static struct {
	struct jackd jackd;
	char dir[256];		/* Ardour's session and this test's config */
	char conf[300];
	int port;		/* Ardour's OSC port */
	struct midisrc *ctl;
	struct proc bridge;
} T;

/* Another OSC client: a person at Ardour, or another surface. */
static void
ardour_osc(const char *path, const char *types, ...)
{
	char port[16];
	lo_address a;
	lo_message m = lo_message_new();
	va_list ap;

	va_start(ap, types);
	for (const char *t = types; *t; t++) {
		if (*t == 'i')
			lo_message_add_int32(m, va_arg(ap, int));
		else if (*t == 'f')
			lo_message_add_float(m, (float)va_arg(ap, double));
	}
	va_end(ap);
	snprintf(port, sizeof(port), "%d", T.port);
	a = lo_address_new("127.0.0.1", port);
	lo_send_message(a, path, m);
	lo_address_free(a);
	lo_message_free(m);
	sleep_ms(150);	/* Ardour drops commands that come too close */
}

static int
setup(void **state)
{
	char cmd[2400];
	FILE *fp;

	snprintf(T.dir, sizeof(T.dir), "/tmp/%s", test_unique("ctlb-ardour-fb"));
	snprintf(T.conf, sizeof(T.conf), "%s/conf", T.dir);
	T.port = 30000 + getpid() % 20000;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/mappings/controllers "
	    "%s/mappings/daws %s/profiles && cp mappings/daws/ardour.ini "
	    "%s/mappings/daws/", T.conf, T.conf, T.conf, T.conf);
	if (system(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/mappings/controllers/motor.ini", T.conf);
	fp = fopen(cmd, "w");
	fputs("; a nanoKONTROL2 layout with motor faders\n[controller]\n"
	    "name = Motor faders\nport = motorctl\n[controls]\n"
	    "fader1..8 = cc 0..7 feedback\nrec1..8 = cc 64..71 button\n"
	    "play = cc 41 button\nstop = cc 42 button\n", fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "%s/profiles/motor.ini", T.conf);
	fp = fopen(cmd, "w");
	fputs("[profile]\ncontroller = motor\ndaw = ardour\n[bindings]\n"
	    "fader1..8 = track.gain track=1..8\nrec1..8 = track.recarm "
	    "track=1..8\nplay = transport.play\nstop = transport.stop\n", fp);
	fclose(fp);
	if (jackd_start(&T.jackd, test_unique("ctlb")) < 0 ||
	    ardour_start(T.dir, T.port, TRACKS) < 0)
		return -1;
	*state = &T;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	midisrc_free(T.ctl);
	proc_free(&T.bridge);
	ardour_stop(T.dir);
	jackd_stop(&T.jackd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", T.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
expect_midi(const char *hex, int timeout_ms)
{
	if (!midisrc_wait_received(T.ctl, hex, timeout_ms)) {
		print_error("expected MIDI '%s', got '%s'\nbridge:\n%s\n", hex,
		    midisrc_received(T.ctl), proc_output(&T.bridge));
		fail();
	}
}

static void
test_ardour_feedback(void **state)
{
	char daw[64];
	char *argv[] = { (char *)ctlbridge_path(), "-c", T.conf, "-p", "motor",
	    "-m", "jack:motorctl", "-o", daw, "-v", NULL };
	char *env[] = { T.jackd.env, NULL };
	uint8_t fader2[3] = { 0xB0, 1, 100 };

	(void)state;
	snprintf(daw, sizeof(daw), "127.0.0.1:%d", T.port);
	T.ctl = midisrc_new(T.jackd.name, "motorctl");
	assert_non_null(T.ctl);
	assert_int_equal(proc_start(&T.bridge, argv, env, NULL), 0);
	assert_true(midisrc_wait_in_connected(T.ctl, 5000));
	assert_true(proc_wait_output(&T.bridge, "Ardour answers; feedback on", 10000));

	/* someone arms track 2 and rolls: the LEDs follow */
	midisrc_clear_received(T.ctl);
	ardour_osc("/strip/recenable", "ii", 2, 1);
	expect_midi("B0 41 7F", 3000);
	ardour_osc("/transport_play", "");
	expect_midi("B0 29 7F", 3000);
	ardour_osc("/transport_stop", "");
	expect_midi("B0 29 00", 3000);

	/* gain moved in Ardour: the motor fader follows (-6 dB = 86) */
	ardour_osc("/strip/gain", "if", 1, -6.0);
	expect_midi("B0 00 56", 3000);

	/* a fader moved on the controller: one command, no echo back */
	midisrc_clear_received(T.ctl);
	assert_int_equal(midisrc_send(T.ctl, fader2, 3), 0);
	assert_true(proc_wait_output(&T.bridge, "fader2 -> /strip/gain", 5000));
	sleep_ms(1000);	/* time for an echo to come back, if one would */
	assert_int_equal(count_substr(proc_output(&T.bridge), "fader2 -> /strip/gain"), 1);
	assert_null(strstr(midisrc_received(T.ctl), "B0 01"));

	/* Ardour stops and starts again: feedback resumes by itself */
	ardour_stop(T.dir);
	assert_true(proc_wait_output(&T.bridge, "silent for 3 s", 10000));
	assert_int_equal(ardour_start(T.dir, T.port, TRACKS), 0);
	assert_true(proc_wait_output_count(&T.bridge,
	    "Ardour answers; feedback on", 2, 20000));
	midisrc_clear_received(T.ctl);
	ardour_osc("/strip/recenable", "ii", 3, 1);
	expect_midi("B0 42 7F", 5000);
	assert_false(proc_wait(&T.bridge, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ardour_feedback, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
