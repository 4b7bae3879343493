/*
 * ctlbridge monitor, ctlbridge ports and the log of silent input, end to
 * end: the real
 * bridge on a private jackd fed by a JACK MIDI source, a liblo receiver
 * as the DAW, and real `ctlbridge monitor` processes attached over the
 * control port (found through the bridge's runtime directory).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lo/lo.h>

#include "jackenv.h"
#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct jackd jackd;
	struct oscrecv *osc;
	struct proc bridge, mon[2];
	struct midisrc *src;
	char daw[64];
	char runtime[256];
	char runtime_env[300];
};

static int
setup(void **state)
{
	static struct fixture f;
	char cmd[600];
	char *argv[16];
	char *env[3];
	int n = 0;

	memset(&f, 0, sizeof(f));
	if (jackd_start(&f.jackd, test_unique("ctlbm")) < 0)
		return -1;
	f.osc = oscrecv_new();
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	snprintf(f.runtime, sizeof(f.runtime), "/tmp/%s", test_unique("ctlbm-run"));
	snprintf(f.runtime_env, sizeof(f.runtime_env), "XDG_RUNTIME_DIR=%s",
	    f.runtime);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", f.runtime);
	if (system(cmd) != 0)
		return -1;
	if ((f.src = midisrc_new(f.jackd.name, "pads")) == NULL)
		return -1;
	argv[n++] = (char *)ctlbridge_path();
	argv[n++] = "-c";
	argv[n++] = "tests/data/switch";
	argv[n++] = "-p";
	argv[n++] = "a";
	argv[n++] = "-m";
	argv[n++] = "jack:pads";
	argv[n++] = "-o";
	argv[n++] = f.daw;
	argv[n++] = "-v";
	argv[n++] = "--no-watch";
	argv[n] = NULL;
	env[0] = f.jackd.env;
	env[1] = f.runtime_env;
	env[2] = NULL;
	if (proc_start(&f.bridge, argv, env, NULL) < 0 ||
	    !proc_wait_output(&f.bridge, "control: OSC port", test_slow(5000)) ||
	    !midisrc_wait_connected(f.src, 1, test_slow(5000)))
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[400];

	for (int i = 0; i < 2; i++)
		if (f->mon[i].pid > 0) {
			proc_stop(&f->mon[i]);
			proc_free(&f->mon[i]);
		}
	proc_stop(&f->bridge);
	proc_free(&f->bridge);
	midisrc_free(f->src);
	oscrecv_free(f->osc);
	jackd_stop(&f->jackd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->runtime);
	return system(cmd) == 0 ? 0 : -1;
}

/* `ctlbridge monitor ARGS...` in the background; attached once the
 * bridge's log (-v) says so for the n-th time. */
static void
start_monitor(struct fixture *f, int i, int nth, char *const args[])
{
	char *argv[16] = { (char *)ctlbridge_path(), "monitor" };
	char *env[] = { f->runtime_env, NULL };
	int n = 2;

	for (int k = 0; args[k]; k++)
		argv[n++] = args[k];
	argv[n] = NULL;
	assert_int_equal(proc_start(&f->mon[i], argv, env, NULL), 0);
	assert_true(proc_wait_output_count(&f->bridge, "attached", nth,
	    test_slow(5000)));
}

static void
send3(struct midisrc *m, uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t msg[3] = { a, b, c };

	assert_int_equal(midisrc_send(m, msg, 3), 0);
}

static void
expect_line(struct proc *p, const char *text)
{
	if (!proc_wait_output(p, text, test_slow(5000))) {
		print_error("no line with '%s' in:\n%s\n", text, proc_output(p));
		fail();
	}
}

/* The fader sends, the profile switches to b and back: the fader now
 * waits for track 1's trim (100/127) from 30/127; a message on channel 2
 * matches no control. */
static void
play_gestures(struct fixture *f)
{
	send3(f->src, 0xB0, 0, 100);
	send3(f->src, 0xB0, 102, 127);	/* next: a -> b */
	send3(f->src, 0xB0, 102, 0);
	send3(f->src, 0xB0, 0, 20);
	send3(f->src, 0xB0, 102, 127);	/* b -> a */
	send3(f->src, 0xB0, 102, 0);
	send3(f->src, 0xB0, 0, 30);
	send3(f->src, 0xB1, 0, 64);
}

/* --raw: a matched event with its OSC message, a pick-up wait, an
 * unmatched message; the MIDI sent back to the controller; a DAW report.
 * The same bridge's -v log names the pick-up wait and the unmatched
 * message. */
static void
test_monitor_raw(void **state)
{
	struct fixture *f = *state;
	char *raw[] = { "--raw", NULL };
	lo_message m;
	char buf[256];
	size_t size = sizeof(buf);
	int port;

	start_monitor(f, 0, 1, raw);
	play_gestures(f);
	expect_line(&f->mon[0], "midi\t");
	expect_line(&f->mon[0], "\t1\tjack:pads:out\tB0 00 64\tch 1 cc 0 = 100\tfader\ta\t"
	    "track.trim track=1\tsent /trim 1 11.4286\n");
	expect_line(&f->mon[0], "\tjack:pads:out\tB0 00 1E\tch 1 cc 0 = 30\tfader\ta\t"
	    "track.trim track=1\tpick-up: waiting for 0.79, at 0.24\n");
	expect_line(&f->mon[0], "\tjack:pads:out\tB1 00 40\tch 2 cc 0 = 64\tunmatched: "
	    "ch 2 cc 0\ta\t-\tnot in controller pads\n");
	expect_line(&f->mon[0], "\tB0 66 7F\tch 1 cc 102 = 127\tnext\ta\t"
	    "profile.next\tprofile b\n");
	/* the switch relit the pads: MIDI to the controller */
	expect_line(&f->mon[0], "out\t");
	expect_line(&f->mon[0], "\tcontroller\t90 24 00\tch 1 note 36 = 0\tpad1\t"
	    "b\tmarker.goto marker=11\tsent to the controller\n");
	/* a DAW report: track 1's trim, from the DAW's address */
	sscanf(strstr(proc_output(&f->bridge), "OSC port ") + 9, "%d", &port);
	m = lo_message_new();
	lo_message_add_int32(m, 1);
	lo_message_add_float(m, -3);
	assert_non_null(lo_message_serialise(m, "/trim", buf, &size));
	lo_message_free(m);
	assert_int_equal(oscrecv_send_raw(f->osc, port, buf, size), 0);
	expect_line(&f->mon[0], "daw\t");
	expect_line(&f->mon[0], "\t-\t/trim 1 -3\tfader\ta\ttrack.trim track=1\t"
	    "stored -3\n");
	/* every line has ten columns */
	{
		const char *p = proc_output(&f->mon[0]);
		while (*p) {
			const char *e = strchr(p, '\n');
			int tabs = 0;
			assert_non_null(e);
			for (const char *q = p; q < e; q++)
				tabs += *q == '\t';
			assert_int_equal(tabs, 9);
			p = e + 1;
		}
	}
	/* -v: the wait and the unmatched message are in the log */
	assert_true(proc_wait_output(&f->bridge, "surface 1: fader: pick-up: "
	    "waiting for 0.79, at 0.24", 2000));
	assert_true(proc_wait_output(&f->bridge, "surface 1: unmatched: ch 2 "
	    "cc 0 (no control of pads sends it)", 2000));
}

/* Two monitors at once, one narrowed to the fader; a monitor killed
 * without a word is dropped when its lease ends (status says so). */
static void
test_two_monitors_and_lease(void **state)
{
	struct fixture *f = *state;
	char *raw[] = { "--raw", NULL };
	char *fader[] = { "--raw", "fader", NULL };
	char *argv[] = { (char *)ctlbridge_path(), "status", NULL };
	char *env[] = { f->runtime_env, NULL };
	struct proc st;

	start_monitor(f, 0, 1, raw);
	start_monitor(f, 1, 2, fader);
	play_gestures(f);
	expect_line(&f->mon[0], "unmatched: ch 2 cc 0");
	expect_line(&f->mon[1], "pick-up: waiting for 0.79, at 0.24");
	expect_line(&f->mon[0], "pick-up: waiting for 0.79, at 0.24");
	/* the filter kept the rest out */
	assert_null(strstr(proc_output(&f->mon[1]), "unmatched"));
	assert_null(strstr(proc_output(&f->mon[1]), "pad1"));
	assert_int_equal(count_substr(proc_output(&f->mon[1]), "\n"),
	    count_substr(proc_output(&f->mon[1]), "\tfader\t"));
	/* one goes away without detaching */
	kill(f->mon[1].pid, SIGKILL);
	proc_wait(&f->mon[1], 2000);
	assert_true(proc_wait_output(&f->bridge, "gone (its lease ended)",
	    test_slow(9000)));
	assert_int_equal(proc_start(&st, argv, env, NULL), 0);
	assert_true(proc_wait(&st, 5000));
	assert_non_null(strstr(st.output, "monitors: 1 attached"));
	proc_free(&st);
	/* the other, stopped as a user does (^C), detaches at once */
	kill(f->mon[0].pid, SIGINT);
	assert_true(proc_wait(&f->mon[0], 3000));
	assert_true(WIFEXITED(f->mon[0].status) &&
	    WEXITSTATUS(f->mon[0].status) == 0);
	assert_true(proc_wait_output(&f->bridge, "detached", 3000));
}

/* `ctlbridge ARGS...` with env; its exit status, output in *out. */
static int
cli(char *const env[], char **out, char *const args[])
{
	int rc = ctlbridge_run(env, args, test_slow(10000), out);

	assert_non_null(*out);
	return rc;
}

static void
expect_in(const char *out, const char *text)
{
	if (strstr(out, text) == NULL) {
		print_error("no '%s' in:\n%s\n", text, out);
		fail();
	}
}

/* ports: the source with its matching controller and the bridge that
 * reads it (and writes its LEDs), a port no controller matches; with no
 * JACK server, it says so and exits 0. */
static void
test_ports(void **state)
{
	struct fixture *f = *state;
	struct midisrc *other = midisrc_new(f->jackd.name, "other");
	char *env[] = { f->jackd.env, f->runtime_env, NULL };
	char *nojack[] = { "JACK_DEFAULT_SERVER=ctlbridge-none", f->runtime_env,
	    NULL };
	char *args[] = { "ports", "-c", "tests/data/switch", NULL };
	char *out, want[200];

	assert_non_null(other);
	assert_int_equal(cli(env, &out, args), 0);
	snprintf(want, sizeof(want), "jack\tpads:out\tout\tpads\tbridge %d "
	    "surface 1\t-\n", (int)f->bridge.pid);
	expect_in(out, want);
	snprintf(want, sizeof(want), "jack\tpads:in\tin\tpads\tbridge %d "
	    "surface 1\t-\n", (int)f->bridge.pid);
	expect_in(out, want);
	expect_in(out, "jack\tother:out\tout\tnone\t-\t-\n");
	/* the bridge's own ports are no controller's */
	assert_null(strstr(out, "ctlbridge:midi_in"));
	free(out);
	midisrc_free(other);

	assert_int_equal(cli(nojack, &out, args), 0);
	expect_in(out, "# jack: no JACK server running\n");
	if (strstr(out, "# alsa: no sequencer"))
		expect_in(out, "# no ALSA sequencer and no JACK server: no MIDI "
		    "ports to see\n");
	free(out);
}

/* A filter that could match nothing is refused, saying why, where a
 * monitor would otherwise print nothing for ever: a slip in the key
 * (servce=1), surface= without a number, control= without a name before
 * attaching (status 2); a surface the bridge does not run once it
 * answers (status 1), leaving it with no monitor attached.  A glob with
 * an '=' in it is a name filter still, and matches. */
static void
test_filters_that_match_nothing(void **state)
{
	struct fixture *f = *state;
	char *env[] = { f->runtime_env, NULL };
	char *typo[] = { "monitor", "servce=1", NULL };
	char *notnum[] = { "monitor", "surface=two", NULL };
	char *zero[] = { "monitor", "--raw", "fader", "surface=0", NULL };
	char *noname[] = { "monitor", "control=", NULL };
	char *nine[] = { "monitor", "surface=2", NULL };
	char *bare[] = { "monitor", "--raw", "3", NULL };
	char *glob[] = { "--raw", "*track=1", NULL };
	char *out;

	assert_int_equal(cli(env, &out, typo), 2);
	assert_string_equal(out, "ctlbridge: monitor: unknown filter "
	    "'servce=1' (expected surface=N, control=NAME, action=NAME, or a "
	    "number or a name alone)\n");
	free(out);
	assert_int_equal(cli(env, &out, notnum), 2);
	assert_string_equal(out, "ctlbridge: monitor: 'surface=two': surface= "
	    "takes a surface's number, 1 to 8\n");
	free(out);
	assert_int_equal(cli(env, &out, zero), 2);
	expect_in(out, "'surface=0': surface= takes a surface's number");
	free(out);
	assert_int_equal(cli(env, &out, noname), 2);
	assert_string_equal(out, "ctlbridge: monitor: 'control=' names no "
	    "control\n");
	free(out);
	/* none of these attached */
	assert_null(strstr(proc_output(&f->bridge), "attached"));

	assert_int_equal(cli(env, &out, nine), 1);
	assert_string_equal(out, "ctlbridge: monitor: no surface 2 (the bridge "
	    "runs 1)\n");
	free(out);
	assert_int_equal(cli(env, &out, bare), 1);
	assert_string_equal(out, "ctlbridge: monitor: no surface 3 (the bridge "
	    "runs 1)\n");
	free(out);
	assert_true(proc_wait_output_count(&f->bridge, "detached", 2,
	    test_slow(3000)));

	start_monitor(f, 0, 3, glob);
	play_gestures(f);
	expect_line(&f->mon[0], "\ttrack.trim track=1\tsent /trim 1 11.4286\n");
	assert_null(strstr(proc_output(&f->mon[0]), "unmatched"));
}

/* A surface waiting for its controller names the ports it saw instead,
 * once, and again when a port appears. */
static void
test_waiting_names_ports(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { (char *)ctlbridge_path(), "-c", "tests/data/switch",
	    "-p", "a", "-m", "jack:nosuch", "-o", f->daw, "--no-watch", NULL };
	char *env[] = { f->jackd.env, f->runtime_env, NULL };
	struct proc br;
	struct midisrc *late;

	assert_int_equal(proc_start(&br, argv, env, NULL), 0);
	assert_true(proc_wait_output(&br, "jack: no MIDI port matches 'nosuch'; "
	    "ports seen: ", test_slow(5000)));
	expect_in(proc_output(&br), "pads:out");
	late = midisrc_new(f->jackd.name, "late");
	assert_non_null(late);
	assert_true(proc_wait_output(&br, "late:out", test_slow(5000)));
	assert_int_equal(count_substr(proc_output(&br), "no MIDI port matches"),
	    2);
	sleep_ms(300);
	assert_int_equal(count_substr(proc_output(&br), "no MIDI port matches"),
	    2);
	midisrc_free(late);
	proc_stop(&br);
	proc_free(&br);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_monitor_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_monitors_and_lease, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filters_that_match_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiting_names_ports, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
