/*
 * End to end through the ALSA sequencer: a sequencer client in the test
 * plays a controller, the real ctlbridge binary subscribes to it (also
 * when the port appears after the bridge started), a liblo receiver checks
 * the OSC.  Needs /dev/snd/seq: on machines without ALSA kernel support
 * every test here skips, saying so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <alsa/asoundlib.h>

#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct oscrecv *osc;
	struct proc bridge;
	snd_seq_t *seq;
	int port;
	char daw[64];
};

static bool
have_sequencer(void)
{
	if (access("/dev/snd/seq", F_OK) == 0)
		return true;
	print_message("# SKIP needs /dev/snd/seq: this machine has no ALSA "
	    "sequencer (no sound kernel support); the decoding is covered by "
	    "alsa_decode_test\n");
	return false;
}

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
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

	proc_free(&f->bridge);
	if (f->seq)
		snd_seq_close(f->seq);
	oscrecv_free(f->osc);
	return 0;
}

static void
open_controller(struct fixture *f, const char *name)
{
	assert_int_equal(snd_seq_open(&f->seq, "default", SND_SEQ_OPEN_OUTPUT, 0), 0);
	snd_seq_set_client_name(f->seq, name);
	f->port = snd_seq_create_simple_port(f->seq, "out",
	    SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ,
	    SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_HARDWARE);
	assert_true(f->port >= 0);
}

static bool
wait_subscribed(struct fixture *f, int timeout_ms)
{
	snd_seq_query_subscribe_t *q;

	snd_seq_query_subscribe_alloca(&q);
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		snd_seq_addr_t root = { (unsigned char)snd_seq_client_id(f->seq),
		    (unsigned char)f->port };
		snd_seq_query_subscribe_set_root(q, &root);
		snd_seq_query_subscribe_set_type(q, SND_SEQ_QUERY_SUBS_READ);
		snd_seq_query_subscribe_set_index(q, 0);
		if (snd_seq_query_port_subscribers(f->seq, q) == 0)
			return true;
		sleep_ms(20);
	}
	return false;
}

static void
send_cc(struct fixture *f, int cc, int value)
{
	snd_seq_event_t ev;

	snd_seq_ev_clear(&ev);
	snd_seq_ev_set_source(&ev, f->port);
	snd_seq_ev_set_subs(&ev);
	snd_seq_ev_set_direct(&ev);
	snd_seq_ev_set_controller(&ev, 0, cc, value);
	snd_seq_event_output_direct(f->seq, &ev);
}

static void
start_bridge(struct fixture *f)
{
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw,
	    "-m", "alsa", NULL };

	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
}

static void
test_connects_and_translates(void **state)
{
	struct fixture *f = *state;

	if (!have_sequencer())
		skip();
	open_controller(f, "nanoKONTROL2");
	start_bridge(f);
	assert_true(wait_subscribed(f, 5000));
	send_cc(f, 0, 100);
	send_cc(f, 64, 127);
	oscrecv_wait(f->osc, 2, 3000);
	assert_string_equal(oscrecv_dump(f->osc),
	    "/strip/gain if 1 0\n/strip/recenable ii 1 1\n");
}

static void
test_port_appears_later(void **state)
{
	struct fixture *f = *state;

	if (!have_sequencer())
		skip();
	start_bridge(f);
	assert_true(proc_wait_output(&f->bridge, "alsa: client", 5000));
	open_controller(f, "nanoKONTROL2");
	assert_true(wait_subscribed(f, 5000));
	send_cc(f, 41, 127);
	oscrecv_wait(f->osc, 1, 3000);
	assert_string_equal(oscrecv_dump(f->osc), "/transport_play\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_connects_and_translates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_appears_later, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
