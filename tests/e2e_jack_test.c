/*
 * End to end through JACK: a private jackd (dummy driver), a JACK MIDI
 * source playing controller gestures, the real ctlbridge binary, and a
 * liblo receiver standing in for the DAW's OSC port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jack_midi.h"
#include "jackenv.h"
#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct jackd jackd;
	struct oscrecv *osc;
	struct proc bridge;
	struct midisrc *src;
	char daw[64];
};

static void
start_bridge(struct fixture *f, const char *input, const char *profile)
{
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-p",
	    (char *)profile, "-o", f->daw, "-v", input ? "-m" : NULL,
	    (char *)input, NULL };
	char *env[] = { f->jackd.env, NULL };

	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
}

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	if (jackd_start(&f.jackd, test_unique("ctlb")) < 0)
		return -1;
	f.osc = oscrecv_new();
	oscrecv_ignore(f.osc, "/set_surface");	/* Ardour's feedback handshake */
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	midisrc_free(f->src);
	proc_free(&f->bridge);
	oscrecv_free(f->osc);
	jackd_stop(&f->jackd);
	return 0;
}

static void
send3(struct midisrc *m, uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t msg[3] = { a, b, c };

	assert_int_equal(midisrc_send(m, msg, 3), 0);
}

static void
expect_messages(struct fixture *f, const char *const *want, int n)
{
	oscrecv_wait(f->osc, n, 5000);
	oscrecv_settle(f->osc, 200);
	if (oscrecv_count(f->osc) != n) {
		print_error("expected %d messages, got %d:\n%s\nbridge log:\n%s\n",
		    n, oscrecv_count(f->osc), oscrecv_dump(f->osc),
		    proc_output(&f->bridge));
		fail();
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(oscrecv_get(f->osc, i), want[i]) != 0) {
			print_error("message %d: expected '%s', got '%s'\nall:\n%s",
			    i, want[i], oscrecv_get(f->osc, i), oscrecv_dump(f->osc));
			fail();
		}
	}
	oscrecv_clear(f->osc);
}

/* Engineer gestures on a source the bridge finds by an explicit pattern. */
static void
test_engineer_gestures(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"/strip/gain if 1 -15",
		"/strip/gain if 3 0",
		"/strip/gain if 8 6",
		"/strip/gain if 2 -193",
		"/strip/recenable ii 1 1",
		"/strip/recenable ii 1 0",
		"/transport_play",
		"/transport_stop",
		"/rec_enable_toggle",
		"/strip/trimdB if 4 20",
		"/add_marker",
	};

	f->src = midisrc_new(f->jackd.name, "gestures");
	assert_non_null(f->src);
	start_bridge(f, "jack:gestures", "engineer");
	assert_true(midisrc_wait_connected(f->src, 1, 5000));
	send3(f->src, 0xB0, 0, 64);	/* fader1 half way: -15 dB */
	send3(f->src, 0xB0, 2, 100);	/* fader3 at unity */
	send3(f->src, 0xB0, 7, 127);	/* fader8 at the top */
	send3(f->src, 0xB0, 1, 0);	/* fader2 at the bottom: -inf */
	send3(f->src, 0xB0, 64, 127);	/* R1 press: arm */
	send3(f->src, 0xB0, 64, 0);	/* R1 release: nothing */
	send3(f->src, 0xB0, 64, 127);	/* R1 press: disarm */
	send3(f->src, 0xB0, 64, 0);
	send3(f->src, 0xB0, 41, 127);	/* play */
	send3(f->src, 0xB0, 41, 0);
	send3(f->src, 0xB0, 42, 127);	/* stop */
	send3(f->src, 0xB0, 45, 127);	/* record */
	send3(f->src, 0xB0, 19, 127);	/* knob4: trim +20 */
	send3(f->src, 0xB0, 60, 127);	/* marker set */
	send3(f->src, 0xB1, 0, 64);	/* channel 2: not the controller's */
	expect_messages(f, want, 11);
}

/* The producer profile on the same gestures. */
static void
test_producer_gestures(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"/add_marker",
		"/add_marker s \"Verse\"",
		"/add_marker s \"cue: again from the top\"",
		"/marker i 3",
		"/stop_forget",
	};

	f->src = midisrc_new(f->jackd.name, "gestures");
	assert_non_null(f->src);
	start_bridge(f, "jack:gestures", "producer");
	assert_true(midisrc_wait_connected(f->src, 1, 5000));
	send3(f->src, 0xB0, 60, 127);	/* marker set */
	send3(f->src, 0xB0, 0, 64);	/* fader1: unbound for the producer */
	send3(f->src, 0xB0, 65, 127);	/* R2: Verse */
	send3(f->src, 0xB0, 35, 127);	/* S4: cue */
	send3(f->src, 0xB0, 50, 127);	/* M3: go to marker 3 */
	send3(f->src, 0xB0, 45, 127);	/* record: discard the take */
	expect_messages(f, want, 5);
}

/* A port that appears after the bridge started is connected, found by the
 * controller's own port pattern ("nanoKONTROL2"). */
static void
test_port_appears_later(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = { "/strip/gain if 5 0" };

	start_bridge(f, "jack", "engineer");
	assert_true(proc_wait_output(&f->bridge, "jack: client", 5000));
	f->src = midisrc_new(f->jackd.name, "nanoKONTROL2");
	assert_non_null(f->src);
	assert_true(midisrc_wait_connected(f->src, 1, 5000));
	send3(f->src, 0xB0, 4, 100);
	expect_messages(f, want, 1);
}

/* Running status and realtime bytes inside one JACK event buffer are
 * decoded like any byte stream; a sysex passes without effect. */
static void
test_byte_stream_in_jack(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"/strip/gain if 1 0", "/strip/gain if 1 6",
	};
	uint8_t clock = 0xF8;
	uint8_t sysex[] = { 0xF0, 0x42, 0x40, 0x00, 0x01, 0x13, 0x00, 0xF7 };

	f->src = midisrc_new(f->jackd.name, "gestures");
	assert_non_null(f->src);
	start_bridge(f, "jack:gestures", "engineer");
	assert_true(midisrc_wait_connected(f->src, 1, 5000));
	midisrc_send(f->src, &clock, 1);
	midisrc_send(f->src, sysex, sizeof(sysex));
	send3(f->src, 0xB0, 0, 100);
	midisrc_send(f->src, &clock, 1);
	send3(f->src, 0xB0, 0, 127);
	expect_messages(f, want, 2);
}

/* Default input (auto) started before any JACK server: it waits, says so,
 * connects when the server and the controller appear, and survives the
 * server going away and coming back. */
static void
test_server_appears_and_returns(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = { "/strip/gain if 1 0" };
	char name[96];

	snprintf(name, sizeof(name), "%s", f->jackd.name);
	jackd_stop(&f->jackd);
	{
		char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw,
		    NULL };
		char env[128];
		char *envp[] = { env, NULL };
		snprintf(env, sizeof(env), "JACK_DEFAULT_SERVER=%s", name);
		assert_int_equal(proc_start(&f->bridge, argv, envp, NULL), 0);
	}
	assert_true(proc_wait_output(&f->bridge, "waiting for", 5000));
	assert_non_null(strstr(proc_output(&f->bridge), "alsa: sequencer not available") ?
	    "ok" : (access("/dev/snd/seq", 0) == 0 ? "ok" : NULL));

	for (int round = 0; round < 2; round++) {
		assert_int_equal(jackd_start(&f->jackd, name), 0);
		f->src = midisrc_new(name, "nanoKONTROL2");
		assert_non_null(f->src);
		if (!midisrc_wait_connected(f->src, 1, 8000)) {
			/* failed once in many runs: leave what it saw */
			print_error("round %d: the bridge did not connect the "
			    "source; bridge log:\n", round);
			proc_print_log(&f->bridge, NULL);
			midisrc_print_graph(f->src);
			fail();
		}
		send3(f->src, 0xB0, 0, 100);
		expect_messages(f, want, 1);
		midisrc_free(f->src);
		f->src = NULL;
		jackd_stop(&f->jackd);
		if (round == 0)
			assert_true(proc_wait_output(&f->bridge,
			    "server went away", 5000));
	}
	assert_false(proc_wait(&f->bridge, 0));	/* still serving */
	/* teardown stops a server: give it one */
	assert_int_equal(jackd_start(&f->jackd, test_unique("ctlb")), 0);
}

/* Two -m jack: patterns: one client, ports matching either connected. */
static void
test_two_patterns(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"/transport_play", "/transport_stop",
	};
	struct midisrc *second = midisrc_new(f->jackd.name, "padsrc");
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw,
	    "-m", "jack:gestures", "-m", "jack:padsrc", NULL };
	char *env[] = { f->jackd.env, NULL };

	f->src = midisrc_new(f->jackd.name, "gestures");
	assert_non_null(f->src);
	assert_non_null(second);
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	assert_true(midisrc_wait_connected(f->src, 1, 5000));
	assert_true(midisrc_wait_connected(second, 1, 5000));
	send3(f->src, 0xB0, 41, 127);
	assert_true(midisrc_wait_drained(f->src, 2000));
	oscrecv_wait(f->osc, 1, 3000);
	send3(second, 0xB0, 42, 127);
	expect_messages(f, want, 2);
	midisrc_free(second);
}

/* JACK's copies of ALSA ports, left alone when ALSA is read directly. */
static void
test_alsa_bridge_ports(void **state)
{
	char *pw[] = { "alsa_midi:nanoKONTROL2 MIDI 1 (out)" };
	char *plain[] = { "nanoKONTROL2:out" };

	(void)state;
	assert_true(jack_port_is_alsa_bridge("a2j:nanoKONTROL2 [24] (capture): "
	    "nanoKONTROL2 MIDI 1", NULL, 0));
	assert_true(jack_port_is_alsa_bridge("Midi-Bridge:nanoKONTROL2 1:(capture_0) "
	    "nanoKONTROL2 MIDI 1", NULL, 0));
	assert_true(jack_port_is_alsa_bridge("system:midi_capture_1", NULL, 0));
	assert_true(jack_port_is_alsa_bridge("weird:name", pw, 1));
	assert_false(jack_port_is_alsa_bridge("nanoKONTROL2:out", plain, 1));
	assert_false(jack_port_is_alsa_bridge("gestures:out", NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_engineer_gestures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_producer_gestures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_appears_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_stream_in_jack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_appears_and_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_patterns, setup, teardown),
		cmocka_unit_test(test_alsa_bridge_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
