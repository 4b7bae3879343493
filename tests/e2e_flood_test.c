/*
 * Flood control end to end: the real ctlbridge binary, a nanoKONTROL2 on
 * a FIFO, Ardour's dialect with a low max_rate, and a DAW stand-in with a
 * small receive buffer that reads nothing for a while.  A flood of fader
 * moves with button presses between them: every press arrives, after the
 * fader value sent before it and before the one sent after it, the last
 * fader values arrive, nothing is lost in the DAW's buffer, and
 * `ctlbridge status` counts what was coalesced, `ctlbridge monitor` says
 * of the moves that waited that they were queued or coalesced.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct oscrecv *osc;
	struct proc bridge;
	struct proc monitor;
	char daw[64];
	char home[256];
	char home_env[300];
	char runtime_env[300];
	char fifo[300];
	char conf[300];
	int midi;
};

/* fader1 sends its raw value as it is, on the OSC address a button's
 * press also sends to (a trigger: i:-1); fader2 is Ardour's gain of
 * track 2, on the same address with other arguments; mute1 a toggle. */
static const char profile[] =
    "[profile]\n"
    "name = Flood\n"
    "controller = nanokontrol2\n"
    "daw = ardour\n"
    "\n"
    "[bindings]\n"
    "fader1 = osc /strip/gain i:1 f:{value} range=0..127\n"
    "fader2 = track.gain track=2\n"
    "solo1 = osc /strip/gain i:1 i:-1\n"
    "mute1 = track.mute track=1\n";

static int
setup(void **state)
{
	static struct fixture f;
	char cmd[2400];

	memset(&f, 0, sizeof(f));
	f.midi = -1;
	f.osc = oscrecv_new();
	oscrecv_ignore(f.osc, "/set_surface");
	/* a DAW's socket that holds a few dozen messages */
	oscrecv_set_rcvbuf(f.osc, 16384);
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	snprintf(f.home, sizeof(f.home), "/tmp/%s", test_unique("ctlb-flood"));
	snprintf(f.home_env, sizeof(f.home_env), "HOME=%s", f.home);
	snprintf(f.runtime_env, sizeof(f.runtime_env), "XDG_RUNTIME_DIR=%s/run",
	    f.home);
	snprintf(f.fifo, sizeof(f.fifo), "%s/midi", f.home);
	snprintf(f.conf, sizeof(f.conf), "%s/conf", f.home);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/run %s/profiles && cp -r "
	    "mappings %s/ && sed -i 's/^max_rate = .*/max_rate = 50/' "
	    "%s/mappings/daws/ardour.ini && grep -q '^max_rate = 50$' "
	    "%s/mappings/daws/ardour.ini", f.home, f.conf, f.conf, f.conf,
	    f.conf);
	if (system(cmd) != 0 || mkfifo(f.fifo, 0600) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/profiles/flood.ini", f.conf);
	if (write_text(cmd, profile) < 0)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[400];

	if (f->midi >= 0)
		close(f->midi);
	proc_free(&f->monitor);
	proc_free(&f->bridge);
	oscrecv_free(f->osc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->home);
	return system(cmd) == 0 ? 0 : -1;
}

static void
start_bridge(struct fixture *f)
{
	char spec[320];
	char *argv[] = { (char *)ctlbridge_path(), "-c", f->conf, "-p", "flood",
	    "-m", spec, "-o", f->daw, "-v", NULL };
	char *env[] = { f->home_env, f->runtime_env, NULL };

	snprintf(spec, sizeof(spec), "raw:%s", f->fifo);
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	f->midi = open(f->fifo, O_WRONLY);
	assert_true(f->midi >= 0);
	assert_true(proc_wait_output(&f->bridge, "control: OSC port",
	    test_slow(5000)));
}

/* `ctlbridge monitor`, attached once the bridge's log (-v) says so. */
static void
start_monitor(struct fixture *f)
{
	char *argv[] = { (char *)ctlbridge_path(), "monitor", NULL };
	char *env[] = { f->home_env, f->runtime_env, NULL };

	assert_int_equal(proc_start(&f->monitor, argv, env, NULL), 0);
	assert_true(proc_wait_output(&f->bridge, "attached", test_slow(5000)));
}

static void
cc(uint8_t *buf, size_t *n, int number, int value)
{
	buf[(*n)++] = 0xB0;
	buf[(*n)++] = (uint8_t)number;
	buf[(*n)++] = (uint8_t)value;
}

static int
count_prefix(struct oscrecv *r, const char *prefix)
{
	int k = 0;

	for (int i = 0; i < oscrecv_count(r); i++)
		k += strncmp(oscrecv_get(r, i), prefix, strlen(prefix)) == 0;
	return k;
}

static void
test_flood_presses_kept(void **state)
{
	struct fixture *f = *state;
	char *status[] = { "status", NULL };
	char *env[] = { f->home_env, f->runtime_env, NULL };
	uint8_t buf[4096];
	size_t n = 0;
	char *out, last_gain2[64] = "", want[64];
	const char *line;
	int presses = 0, toggles = 0, prev = -1, fader2 = 0;
	unsigned long long coalesced = 0;

	start_bridge(f);
	start_monitor(f);
	/* ten times: twelve moves of both faders, a press of solo1 (on
	 * fader1's address) and of mute1; then the faders to the top */
	for (int k = 0; k < 10; k++) {
		for (int v = 12 * k; v < 12 * k + 12; v++) {
			cc(buf, &n, 0, v);
			cc(buf, &n, 1, v);
		}
		cc(buf, &n, 32, 127);
		cc(buf, &n, 32, 0);
		cc(buf, &n, 48, 127);
		cc(buf, &n, 48, 0);
	}
	for (int v = 120; v < 128; v++) {
		cc(buf, &n, 0, v);
		cc(buf, &n, 1, v);
	}
	assert_int_equal(write(f->midi, buf, n), (ssize_t)n);
	/* the DAW reads nothing for 300 ms; its socket holds a few dozen
	 * (some 38 here), the bridge sends 50 a second: not scaled by
	 * test_slow, it is the DAW's pause, and a longer one would overflow
	 * any cap's worth of buffer */
	sleep_ms(300);
	/* then reads until the last fader value came (50 a second) */
	for (int waited = 0; waited < test_slow(10000); waited += 250) {
		oscrecv_settle(f->osc, 250);
		if (count_prefix(f->osc, "/strip/gain if 1 127") > 0 &&
		    count_prefix(f->osc, "/strip/gain ii 1 -1") == 10 &&
		    count_prefix(f->osc, "/strip/mute") == 10)
			break;
	}
	oscrecv_settle(f->osc, test_slow(300));
	/* what fader2's top is in Ardour's dB: the one value it last had */
	for (int i = 0; i < oscrecv_count(f->osc); i++) {
		line = oscrecv_get(f->osc, i);
		if (strncmp(line, "/strip/gain if 2 ", 17) == 0) {
			snprintf(last_gain2, sizeof(last_gain2), "%s", line);
			fader2++;
		}
	}
	for (int i = 0; i < oscrecv_count(f->osc); i++) {
		int v;
		line = oscrecv_get(f->osc, i);
		if (sscanf(line, "/strip/gain if 1 %d", &v) == 1) {
			/* fader1's values in the order they were sent */
			if (v <= prev)
				goto bad;
			prev = v;
		} else if (strcmp(line, "/strip/gain ii 1 -1") == 0) {
			/* after the value sent before it, the latest one */
			if (prev != 12 * presses + 11)
				goto bad;
			presses++;
		} else if (strncmp(line, "/strip/mute ii 1 ", 17) == 0) {
			snprintf(want, sizeof(want), "/strip/mute ii 1 %d",
			    toggles % 2 == 0);
			if (strcmp(line, want) != 0 || toggles != presses - 1)
				goto bad;
			toggles++;
		}
	}
	if (presses != 10 || toggles != 10 || prev != 127 || fader2 == 0 ||
	    strcmp(last_gain2, "/strip/gain if 2 6") != 0)
		goto bad;
	/* merged: far fewer messages than moves */
	if (oscrecv_count(f->osc) >= 2 * 128)
		goto bad;
	assert_int_equal(ctlbridge_run(env, status, test_slow(5000), &out), 0);
	assert_non_null(out);
	line = strstr(out, "flood control (max_rate 50/s): ");
	if (line == NULL || sscanf(line, "flood control (max_rate 50/s): %llu "
	    "coalesced", &coalesced) != 1 || coalesced == 0 ||
	    strstr(line, ", 0 waiting, 0 dropped") == NULL) {
		print_error("status:\n%s\n", out);
		free(out);
		fail();
	}
	/* the monitor saw moves wait, and merge */
	if (!proc_wait_output(&f->monitor, "coalesced /strip/gain 1 ",
	    test_slow(5000)) || !proc_wait_output(&f->monitor, "queued "
	    "/strip/gain 1 ", test_slow(1000)) || strstr(proc_output(
	    &f->monitor), " coalesced, ") == NULL) {
		print_error("monitor:\n%s\n", proc_output(&f->monitor));
		free(out);
		fail();
	}
	if (getenv("FLOOD_SHOW")) {
		fprintf(stderr, "monitor:\n%s\n", proc_output(&f->monitor));
		fprintf(stderr, "received %d:\n%s\nstatus:\n%s\n",
		    oscrecv_count(f->osc), oscrecv_dump(f->osc), out);
	}
	free(out);
	return;
bad:
	print_error("received (%d):\n%s\nbridge:\n%s\n", oscrecv_count(f->osc),
	    oscrecv_dump(f->osc), proc_output(&f->bridge));
	fail();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flood_presses_kept, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
