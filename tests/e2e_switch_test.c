/*
 * Live switching, several controllers, hot reload: the real ctlbridge
 * binary on a private jackd, JACK MIDI sources playing the controllers, a
 * liblo receiver as the DAW, and the real `ctlbridge switch|status|reload`
 * finding the bridge through its own runtime directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "jackenv.h"
#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct jackd jackd;
	struct oscrecv *osc;
	struct proc bridge;
	struct midisrc *src;
	char daw[64];
	char runtime[256];	/* XDG_RUNTIME_DIR for the bridge and the CLI */
	char runtime_env[300];
	char conf[256];		/* a copy of the configuration, to edit */
};

static int
setup(void **state)
{
	static struct fixture f;
	char cmd[1024];

	memset(&f, 0, sizeof(f));
	if (jackd_start(&f.jackd, test_unique("ctlb")) < 0)
		return -1;
	f.osc = oscrecv_new();
	oscrecv_ignore(f.osc, "/set_surface");	/* Ardour's feedback handshake */
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	snprintf(f.runtime, sizeof(f.runtime), "/tmp/%s", test_unique("ctlb-run"));
	snprintf(f.runtime_env, sizeof(f.runtime_env), "XDG_RUNTIME_DIR=%s",
	    f.runtime);
	snprintf(f.conf, sizeof(f.conf), "/tmp/%s", test_unique("ctlb-conf"));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s && cp -r tests/data/switch/. %s",
	    f.runtime, f.conf, f.conf);
	if (system(cmd) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[700];

	midisrc_free(f->src);
	f->src = NULL;
	proc_free(&f->bridge);
	oscrecv_free(f->osc);
	jackd_stop(&f->jackd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", f->runtime, f->conf);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
start_bridge(struct fixture *f, char *const extra[])
{
	char *argv[32] = { (char *)ctlbridge_path(), "-o", f->daw };
	char *env[] = { f->jackd.env, f->runtime_env, NULL };
	int n = 3;

	for (int i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	assert_true(proc_wait_output(&f->bridge, "control: OSC port", 5000));
}

/* Run `ctlbridge CMD...` as a user would; returns its exit status and
 * leaves its output in *out (caller frees). */
static int
cli(struct fixture *f, char **out, char *const args[])
{
	char *env[] = { f->runtime_env, NULL };
	int rc = ctlbridge_run(env, args, 5000, out);

	assert_non_null(*out);
	return rc;
}

static void
send3(struct midisrc *m, uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t msg[3] = { a, b, c };

	assert_int_equal(midisrc_send(m, msg, 3), 0);
}

static void
press_next(struct midisrc *m)
{
	send3(m, 0xB0, 102, 127);
	send3(m, 0xB0, 102, 0);
}

static void
expect_exactly(struct fixture *f, const char *const *want, int n)
{
	oscrecv_wait(f->osc, n, 5000);
	oscrecv_settle(f->osc, 200);
	if (oscrecv_count(f->osc) != n) {
		print_error("expected %d messages, got %d:\n%s\nbridge:\n%s\n", n,
		    oscrecv_count(f->osc), oscrecv_dump(f->osc),
		    proc_output(&f->bridge));
		fail();
	}
	for (int i = 0; i < n; i++)
		if (strcmp(oscrecv_get(f->osc, i), want[i]) != 0) {
			print_error("message %d: expected '%s', got '%s'\n", i,
			    want[i], oscrecv_get(f->osc, i));
			fail();
		}
	oscrecv_clear(f->osc);
}

static void
start_pads(struct fixture *f)
{
	char *extra[] = { "-c", f->conf, "-p", "a", "-m", "jack:pads", NULL };

	f->src = midisrc_new(f->jackd.name, "pads");
	assert_non_null(f->src);
	start_bridge(f, extra);
	assert_true(midisrc_wait_connected(f->src, 1, 5000));
}

/* The bridge's log when a flood count is off, without its thousand
 * switch lines: what is left says where messages went (an xrun, a full
 * ring, a full socket). */
static void
print_bridge_log(struct fixture *f)
{
	static const char *const routine[] = { "), was ", NULL };

	fprintf(stderr, "# bridge log:\n");
	proc_print_log(&f->bridge, routine);
}

/* 1000 switches from a controller button inside a flood of pad presses:
 * every press reaches exactly one profile, the one active at that point
 * of the stream; none lost, none doubled. */
static void
test_thousand_switches_in_a_flood(void **state)
{
	struct fixture *f = *state;
	enum { SWITCHES = 1000, PADS = 8 };
	int bad = 0;

	/* a bridge under valgrind cannot keep JACK's pace: the flood
	 * would lose cycles to xruns, which is not what this measures */
	if (test_slow(1) > 1)
		skip();
	start_pads(f);
	for (int k = 0; k < SWITCHES; k++) {
		if (k % 100 == 0)
			oscrecv_drain(f->osc);
		press_next(f->src);	/* a -> b, b -> a, ... */
		for (int p = 0; p < PADS; p++) {
			send3(f->src, 0x90, (uint8_t)(36 + p), 100);
			send3(f->src, 0x80, (uint8_t)(36 + p), 0);
		}
	}
	oscrecv_wait(f->osc, SWITCHES * PADS, 30000);
	oscrecv_settle(f->osc, 300);
	if (oscrecv_count(f->osc) != SWITCHES * PADS)
		print_bridge_log(f);
	assert_int_equal(oscrecv_count(f->osc), SWITCHES * PADS);
	for (int k = 0; k < SWITCHES; k++) {
		for (int p = 0; p < PADS; p++) {
			char want[32];
			/* segment 0 runs in b (markers 11..18), 1 in a (1..8) */
			snprintf(want, sizeof(want), "/goto i %d",
			    (k % 2 == 0 ? 11 : 1) + p);
			if (strcmp(oscrecv_get(f->osc, k * PADS + p), want) != 0 &&
			    bad++ < 5)
				print_error("message %d: expected '%s', got '%s'\n",
				    k * PADS + p, want,
				    oscrecv_get(f->osc, k * PADS + p));
		}
	}
	assert_int_equal(bad, 0);
}

struct switcher {
	int port;
	int count;
	volatile int stop;
};

static void *
switch_thread(void *arg)
{
	struct switcher *sw = arg;
	struct sockaddr_in to;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)sw->port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (sw->count = 0; sw->count < 1000 && !sw->stop; sw->count++) {
		char buf[128];
		size_t size = sizeof(buf);
		lo_message m = lo_message_new();
		lo_message_add_string(m, sw->count % 2 ? "a" : "b");
		lo_message_serialise(m, "/ctlbridge/profile", buf, &size);
		lo_message_free(m);
		sendto(fd, buf, size, 0, (struct sockaddr *)&to, sizeof(to));
		sleep_ms(1);
	}
	close(fd);
	return NULL;
}

/* 1000 switches from OSC while a flood of presses runs: the count of
 * messages is exact and each went to one profile or the other. */
static void
test_osc_switches_during_a_flood(void **state)
{
	struct fixture *f = *state;
	enum { PRESSES = 6000 };
	struct switcher sw = { 0, 0, 0 };
	pthread_t t;
	const char *line;
	int a = 0, b = 0;

	start_pads(f);
	line = strstr(proc_output(&f->bridge), "control: OSC port ");
	assert_non_null(line);
	sw.port = atoi(line + strlen("control: OSC port "));
	assert_int_equal(pthread_create(&t, NULL, switch_thread, &sw), 0);
	for (int i = 0; i < PRESSES; i++) {
		send3(f->src, 0x90, 36, 100);
		send3(f->src, 0x80, 36, 0);
		if (i % 100 == 99) {
			sleep_ms(20);	/* spread the flood over the switching */
			oscrecv_drain(f->osc);
		}
	}
	oscrecv_wait(f->osc, PRESSES, 30000);
	sw.stop = 1;
	pthread_join(t, NULL);
	oscrecv_settle(f->osc, 300);
	if (oscrecv_count(f->osc) != PRESSES)
		print_bridge_log(f);
	assert_int_equal(oscrecv_count(f->osc), PRESSES);
	for (int i = 0; i < PRESSES; i++) {
		if (strcmp(oscrecv_get(f->osc, i), "/goto i 1") == 0)
			a++;
		else if (strcmp(oscrecv_get(f->osc, i), "/goto i 11") == 0)
			b++;
	}
	assert_int_equal(a + b, PRESSES);
	assert_true(a > 0 && b > 0);	/* the switching did happen */
	print_message("# %d switches over %d presses: %d to a, %d to b\n",
	    sw.count, PRESSES, a, b);
}

/* A button held across a switch releases to the binding that took the
 * press: nothing stays soloed. */
static void
test_held_button_across_a_switch(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"/solo ii 1 1", "/solo ii 1 0", "/solo ii 2 1", "/solo ii 2 0",
	};

	start_pads(f);
	send3(f->src, 0xB0, 103, 127);	/* hold: solo track 1 (a) */
	press_next(f->src);		/* now b */
	send3(f->src, 0xB0, 103, 0);	/* release: still a's */
	send3(f->src, 0xB0, 103, 127);	/* b's */
	send3(f->src, 0xB0, 103, 0);
	expect_exactly(f, want, 4);
}

/* Pick-up: after a switch a fader sends nothing until it meets (or
 * crosses) the value its new target last had. */
static void
test_pickup_after_switch(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {
		"/trim if 2 -20",	/* b, first move: no value known yet */
		"/trim if 1 20",	/* a, first move */
		"/trim if 2 -19.6875",	/* b: met -20 at raw 1 */
		"/trim if 2 0",
		"/trim if 1 20",	/* a: met +20 */
		"/trim if 2 -10.625",	/* b: crossed 0 on the way down */
	};

	start_pads(f);
	press_next(f->src);			/* b */
	send3(f->src, 0xB0, 0, 0);
	press_next(f->src);			/* a */
	send3(f->src, 0xB0, 0, 127);
	press_next(f->src);			/* b: target -20, fader at top */
	send3(f->src, 0xB0, 0, 100);		/* held back */
	send3(f->src, 0xB0, 0, 50);		/* held back */
	send3(f->src, 0xB0, 0, 1);		/* met */
	send3(f->src, 0xB0, 0, 64);
	press_next(f->src);			/* a: target +20 */
	send3(f->src, 0xB0, 0, 100);		/* held back */
	send3(f->src, 0xB0, 0, 127);		/* met */
	press_next(f->src);			/* b: target 0 = raw 64 */
	send3(f->src, 0xB0, 0, 30);		/* crossed 64 */
	expect_exactly(f, want, 6);
}

/* Two controllers in one room, each in its own role, switched
 * independently from the command line. */
static void
test_two_controllers_two_roles(void **state)
{
	struct fixture *f = *state;
	struct midisrc *eng = midisrc_new(f->jackd.name, "kontrolA");
	struct midisrc *prod = midisrc_new(f->jackd.name, "kontrolB");
	char *extra[] = { "-c", ".", "-p", "engineer", "-m", "jack:kontrolA",
	    "-p", "producer", "-m", "jack:kontrolB", NULL };
	char *status[] = { "status", NULL };
	char *sw[] = { "switch", "--surface", "2", "engineer", NULL };
	char *out;
	static const char *const before[] = {
		"/strip/gain if 1 0", "/add_marker s \"Verse\"",
	};
	static const char *const after[] = {
		"/strip/gain if 1 0", "/strip/gain if 1 0",
	};

	assert_non_null(eng);
	assert_non_null(prod);
	start_bridge(f, extra);
	assert_true(midisrc_wait_connected(eng, 1, 5000));
	assert_true(midisrc_wait_connected(prod, 1, 5000));
	send3(eng, 0xB0, 0, 100);	/* engineer: fader1 -> gain */
	assert_true(midisrc_wait_drained(eng, 2000));
	oscrecv_wait(f->osc, 1, 3000);
	send3(prod, 0xB0, 0, 100);	/* producer: fader1 unbound */
	send3(prod, 0xB0, 65, 127);	/* producer: R2 -> Verse */
	expect_exactly(f, before, 2);

	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "surface 1: nanokontrol2, profile engineer"));
	assert_non_null(strstr(out, "surface 2: nanokontrol2, profile producer"));
	free(out);
	assert_int_equal(cli(f, &out, sw), 0);
	assert_string_equal(out, "surface 2: profile engineer\n");
	free(out);
	send3(prod, 0xB0, 0, 100);	/* now the engineer's fader */
	assert_true(midisrc_wait_drained(prod, 2000));
	oscrecv_wait(f->osc, 1, 3000);
	send3(eng, 0xB0, 0, 100);	/* surface 1 unchanged */
	expect_exactly(f, after, 2);

	/* a switch that cannot be done: the client prints why */
	{
		char *other[] = { "switch", "--surface", "1", "engineer-xtouch",
		    NULL };
		char *none[] = { "switch", "engineer-xtouch", NULL };
		char *nine[] = { "switch", "--surface", "3", "engineer", NULL };

		assert_int_equal(cli(f, &out, other), 1);
		assert_string_equal(out, "surface 1 runs controller "
		    "'nanokontrol2'; profile 'engineer-xtouch' is for "
		    "'xtouch-mini'\n");
		free(out);
		assert_int_equal(cli(f, &out, none), 1);
		assert_string_equal(out, "no surface runs controller "
		    "'xtouch-mini', which profile 'engineer-xtouch' is for\n");
		free(out);
		assert_int_equal(cli(f, &out, nine), 1);
		assert_string_equal(out, "no surface 3 (the bridge runs 2)\n");
		free(out);
		assert_false(proc_wait(&f->bridge, 0));
	}
	midisrc_free(eng);
	midisrc_free(prod);
}

static void
assert_write_text(const char *path, const char *text)
{
	assert_int_equal(write_text(path, text), 0);
}
/* Edits while running: a good edit applies by itself, a bad one keeps the
 * running set and says file:line, the fix applies; an editor's
 * write-temp-and-rename is one reload; SIGHUP and `ctlbridge reload` too;
 * a deleted profile leaves its role in service. */
static void
test_reload_good_bad_good(void **state)
{
	struct fixture *f = *state;
	char path[400], tmp[400], *out;
	char *status[] = { "status", NULL };
	char *reload[] = { "reload", NULL };
	const char *head = "[profile]\ncontroller = pads\ndaw = echo\n[bindings]\n"
	    "next = profile.next\n";
	char text[600];
	static const char *const one[] = { "/goto i 1" };
	static const char *const twenty[] = { "/goto i 21" };
	static const char *const thirty[] = { "/goto i 31" };

	snprintf(path, sizeof(path), "%s/profiles/a.ini", f->conf);
	snprintf(tmp, sizeof(tmp), "%s/profiles/.a.ini.tmp", f->conf);
	start_pads(f);
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, one, 1);

	/* good: applies by itself */
	snprintf(text, sizeof(text), "%spad1 = marker.goto marker=21\n", head);
	assert_write_text(path, text);
	assert_true(proc_wait_output(&f->bridge, "reloaded (files changed)", 3000));
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, twenty, 1);

	/* bad: the running set stays, and the error is reported exactly */
	snprintf(text, sizeof(text), "%spad1 = marker.goto marker=0\n", head);
	assert_write_text(path, text);
	assert_true(proc_wait_output(&f->bridge, "rejected", 3000));
	{
		char want[600];
		snprintf(want, sizeof(want), "%s:6: marker '0' is out of range "
		    "1..9999", path);
		assert_non_null(strstr(f->bridge.output, want));
		assert_int_equal(cli(f, &out, status), 0);
		assert_non_null(strstr(out, "last reload: rejected"));
		assert_non_null(strstr(out, want));
		free(out);
		assert_int_equal(cli(f, &out, reload), 1);
		assert_non_null(strstr(out, want));
		free(out);
	}
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, twenty, 1);	/* unchanged behaviour */

	/* good again, saved the way editors do: temp file, then rename */
	snprintf(text, sizeof(text), "%spad1 = marker.goto marker=31\n", head);
	assert_write_text(tmp, text);
	assert_int_equal(rename(tmp, path), 0);
	assert_true(proc_wait_output_count(&f->bridge,
	    "reloaded (files changed)", 2, 3000));
	sleep_ms(500);	/* a rename is one reload, not two */
	assert_int_equal(count_substr(proc_output(&f->bridge), "reloaded (files changed)"), 2);
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, thirty, 1);
	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "last reload: ok"));
	free(out);

	/* SIGHUP and the command reload too */
	kill(f->bridge.pid, SIGHUP);
	assert_true(proc_wait_output(&f->bridge, "reloaded (SIGHUP)", 3000));
	assert_int_equal(cli(f, &out, reload), 0);
	assert_string_equal(out, "reloaded\n");
	free(out);

	/* the running profile deleted: it stays in service */
	assert_int_equal(unlink(path), 0);
	assert_true(proc_wait_output(&f->bridge, "deleted or unreadable", 3000));
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, thirty, 1);
	assert_false(proc_wait(&f->bridge, 0));
}

/* Crashes found from outside, each once fatal to a running bridge:
 * a typo in daw = beside a display-only binding (the loader dereferenced
 * the missing dialect), a reply longer than a datagram (serialised into a
 * fixed stack buffer), a very long command-line argument (the same in the
 * client), and reload requests as fast as a local process can send them. */
static void
test_reload_survives_what_crashed_it(void **state)
{
	struct fixture *f = *state;
	char deep[3600], path[3700], cmd[7400], *out;
	char *extra[] = { "-c", deep, "-p", "a", "-m", "jack:pads", NULL };
	char *reload[] = { "reload", NULL };
	char *status[] = { "status", NULL };
	static const char *const one[] = { "/goto i 1" };
	const char *head = "[profile]\ncontroller = pads\ndaw = echo\n"
	    "[bindings]\nnext = profile.next\npad1 = marker.goto marker=1\n";
	char *text, *longname;
	size_t n;

	struct oscrecv *peer;
	int port, refused = 0, reloaded;
	double t0, elapsed;

	/* a configuration directory with a long path: every diagnostic
	 * names it */
	n = (size_t)snprintf(deep, sizeof(deep), "%s", f->conf);
	while (n + 201 < sizeof(deep) - 200)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/%0200d", 0);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cp -r tests/data/switch/. %s",
	    deep, deep);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/profiles/a.ini", deep);
	f->src = midisrc_new(f->jackd.name, "pads");
	assert_non_null(f->src);
	start_bridge(f, extra);
	assert_true(midisrc_wait_connected(f->src, 1, test_slow(5000)));

	/* daw = misspelt, with a meter: rejected, the running set serves */
	assert_write_text(path, "[profile]\ncontroller = pads\ndaw = ecoh\n"
	    "[bindings]\nfader = track.meter track=1\n");
	assert_true(proc_wait_output(&f->bridge, "rejected", test_slow(3000)));
	assert_non_null(strstr(proc_output(&f->bridge), "daw 'ecoh' not found"));
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, one, 1);

	/* seventy errors, each naming the 3.4 kB path twice (a missing
	 * dialect is looked for there): the answers to reload and status
	 * fit one datagram and say what was left out */
	for (int i = 0; i < 70; i++) {
		snprintf(cmd, sizeof(cmd), "%s/profiles/x%d.ini", deep, i);
		assert_write_text(cmd, "[profile]\ncontroller = pads\ndaw = nosuchdaw\n"
		    "[bindings]\n");
	}
	text = malloc(strlen(head) + 100);
	assert_non_null(text);
	sprintf(text, "%spad2 = nosuch.action\n", head);
	assert_write_text(path, text);
	free(text);
	assert_true(proc_wait_output_count(&f->bridge, "rejected", 2, test_slow(3000)));
	assert_int_equal(cli(f, &out, reload), 1);
	assert_non_null(strstr(out, "reload rejected"));
	assert_non_null(strstr(out, "daw 'nosuchdaw' not found"));
	assert_non_null(strstr(out, "more lines (see the bridge's log)"));
	free(out);
	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "last reload: rejected"));
	assert_non_null(strstr(out, "more lines (see the bridge's log)"));
	free(out);
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, one, 1);

	/* an argument longer than a datagram: refused by the client */
	longname = malloc(70001);
	assert_non_null(longname);
	memset(longname, 'x', 70000);
	longname[70000] = '\0';
	{
		char *sw[] = { "switch", longname, NULL };
		assert_int_equal(cli(f, &out, sw), 1);
		assert_non_null(strstr(out, "too long"));
		free(out);
	}
	free(longname);

	/* a flood of reload requests: a few reload, the rest are told */
	snprintf(cmd, sizeof(cmd), "rm %s/profiles/x*.ini", deep);
	assert_int_equal(system(cmd), 0);
	assert_write_text(path, head);
	assert_true(proc_wait_output(&f->bridge, "reloaded (files changed)", test_slow(3000)));
	port = atoi(strstr(proc_output(&f->bridge), "control: OSC port ") +
	    strlen("control: OSC port "));
	peer = oscrecv_new();
	t0 = now_seconds();
	for (int i = 0; i < 40; i++) {
		char buf[64];
		size_t size = sizeof(buf);
		lo_message m = lo_message_new();
		lo_message_serialise(m, "/ctlbridge/reload", buf, &size);
		lo_message_free(m);
		oscrecv_send_raw(peer, port, buf, size);
	}
	assert_int_equal(oscrecv_wait(peer, 40, test_slow(5000)), 40);
	elapsed = now_seconds() - t0;
	for (int i = 0; i < 40; i++)
		refused += strstr(oscrecv_get(peer, i), "too many reload") != NULL;
	oscrecv_free(peer);
	reloaded = count_substr(proc_output(&f->bridge), "reloaded (control port)");
	/* the bucket's promise: 5 at once, then 2 a second (a reload slower
	 * than half a second, under valgrind, leaves nothing to refuse) */
	if (reloaded + refused != 40 || reloaded > 5 + (int)(2 * elapsed) + 1) {
		print_error("%d reloaded, %d refused in %.2f s; bridge:\n%s\n",
		    reloaded, refused, elapsed, proc_output(&f->bridge));
		fail();
	}
	assert_true(reloaded >= 1);
	assert_true(count_substr(proc_output(&f->bridge),
	    "too many reload requests") <= 2);	/* said once, not 35 times */
	send3(f->src, 0x90, 36, 100);
	expect_exactly(f, one, 1);
	assert_false(proc_wait(&f->bridge, 0));
}

/* The control port and the command line when things are wrong: garbage
 * and unknown requests get an answer or a warning, never a crash; no
 * bridge running, or two of them, is said plainly. */
static void
test_control_errors(void **state)
{
	struct fixture *f = *state;
	char *status[] = { "status", NULL };
	char *nosuch[] = { "switch", "nosuch", NULL };
	char *badsurface[] = { "status", "--surface", "2", NULL };
	char *surface0[] = { "switch", "--surface", "0", "a", NULL };
	char *out, pick[32];
	const char *line;
	int port;
	struct oscrecv *peer = oscrecv_new();
	static const char junk[] = "/ctlbridge/\x01garbage";

	assert_int_equal(cli(f, &out, status), 1);	/* none running */
	assert_non_null(strstr(out, "no running bridge found"));
	free(out);
	assert_int_equal(cli(f, &out, badsurface), 2);
	assert_string_equal(out, "ctlbridge: --surface goes with switch only\n");
	free(out);
	assert_int_equal(cli(f, &out, surface0), 2);
	assert_string_equal(out, "ctlbridge: --surface takes a surface's "
	    "number, 1 to 8, not '0'\n");
	free(out);

	start_pads(f);
	line = strstr(proc_output(&f->bridge), "control: OSC port ");
	port = atoi(line + strlen("control: OSC port "));
	assert_int_equal(cli(f, &out, nosuch), 1);
	assert_string_equal(out, "no profile 'nosuch' (profiles: a, b)\n");
	free(out);

	/* a bridge killed with -9 left its file, and its pid is another
	 * program's now: not a bridge (it started at another time), its
	 * file removed, the one bridge found */
	{
		struct proc other;
		char *argv[] = { "sleep", "30", NULL };
		char stale[512];
		FILE *fp;

		assert_int_equal(proc_start(&other, argv, NULL, NULL), 0);
		snprintf(stale, sizeof(stale), "%s/ctlbridge/%d", f->runtime,
		    (int)other.pid);
		assert_non_null(fp = fopen(stale, "w"));
		fprintf(fp, "port 9\nstart 1\nclaim pads jack:x\n");
		fclose(fp);
		assert_int_equal(cli(f, &out, status), 0);
		assert_non_null(strstr(out, "surface 1: pads, profile a"));
		free(out);
		assert_int_equal(access(stale, F_OK), -1);
		proc_free(&other);
	}

	/* garbage and an unknown request, from an OSC peer */
	oscrecv_send_raw(peer, port, junk, sizeof(junk));
	{
		char buf[128];
		size_t size = sizeof(buf);
		lo_message m = lo_message_new();
		lo_message_serialise(m, "/ctlbridge/frobnicate", buf, &size);
		lo_message_free(m);
		oscrecv_send_raw(peer, port, buf, size);
	}
	assert_true(oscrecv_wait(peer, 1, 3000) >= 1);
	assert_string_equal(oscrecv_get(peer, 0), "/ctlbridge/reply ss \"error\" "
	    "\"unknown request /ctlbridge/frobnicate, (expected "
	    "/ctlbridge/profile s [i], /ctlbridge/status, /ctlbridge/reload, "
	    "/ctlbridge/monitor [s], /ctlbridge/ports)\"");
	assert_true(proc_wait_output(&f->bridge, "malformed OSC message", 3000));
	assert_false(proc_wait(&f->bridge, 0));
	oscrecv_free(peer);

	/* a second bridge: the command line asks which, --control picks */
	{
		struct proc second;
		char *argv[] = { (char *)ctlbridge_path(), "-c", f->conf, "-p", "a",
		    "-m", "jack:nosuchport", "-o", f->daw, NULL };
		char *env[] = { f->jackd.env, f->runtime_env, NULL };
		char *picked[] = { "status", "--control", pick, NULL };

		assert_int_equal(proc_start(&second, argv, env, NULL), 0);
		assert_true(proc_wait_output(&second, "control: OSC port", 5000));
		assert_int_equal(cli(f, &out, status), 2);
		assert_non_null(strstr(out, "2 bridges are running"));
		free(out);
		snprintf(pick, sizeof(pick), "%d", (int)f->bridge.pid);
		assert_int_equal(cli(f, &out, picked), 0);
		assert_non_null(strstr(out, "surface 1: pads, profile a"));
		free(out);
		proc_free(&second);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_thousand_switches_in_a_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_osc_switches_during_a_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_button_across_a_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pickup_after_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_controllers_two_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_good_bad_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_survives_what_crashed_it,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
