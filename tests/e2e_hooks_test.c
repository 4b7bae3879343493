/*
 * The session drives the roles ([on] hooks), end to end: the real
 * ctlbridge binary on a private jackd, a JACK MIDI source playing the
 * controller, a liblo receiver playing the DAW (it gets the bridge's
 * messages and sends the feedback a DAW sends: the transport rolling,
 * recording), and the real `ctlbridge status|reload`.
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

#include "jackenv.h"
#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct jackd jackd;
	struct oscrecv *daw;
	struct proc bridge;
	struct proc mon;	/* ctlbridge monitor --raw */
	struct midisrc *ctl;
	int bridge_port;
	char ctlname[32];	/* the controller's JACK client */
	char home[256];		/* HOME: the journal is there */
	char home_env[300];
	char runtime[256];	/* XDG_RUNTIME_DIR for the bridge and the CLI */
	char runtime_env[300];
	char conf[256];		/* a copy of the configuration, to edit */
	int heartbeat_s;	/* the copy's dialect gives its DAW up after */
};

static int
setup(void **state)
{
	static struct fixture f;
	char cmd[2000];

	memset(&f, 0, sizeof(f));
	if (jackd_start(&f.jackd, test_unique("ctlb")) < 0)
		return -1;
	f.daw = oscrecv_new();
	snprintf(f.ctlname, sizeof(f.ctlname), "%s", test_unique("hookctl"));
	snprintf(f.home, sizeof(f.home), "/tmp/%s", test_unique("ctlb-hkhome"));
	snprintf(f.home_env, sizeof(f.home_env), "HOME=%s", f.home);
	snprintf(f.runtime, sizeof(f.runtime), "/tmp/%s",
	    test_unique("ctlb-hkrun"));
	snprintf(f.runtime_env, sizeof(f.runtime_env), "XDG_RUNTIME_DIR=%s",
	    f.runtime);
	snprintf(f.conf, sizeof(f.conf), "/tmp/%s", test_unique("ctlb-hkconf"));
	/* -L: the mappings are a link to the feedback test's */
	/* the DAW is lost after 2 s of silence, times the suite's slow
	 * factor: under valgrind the steps of a test take longer than that */
	f.heartbeat_s = test_slow(2000) / 1000;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s %s && cp -rL "
	    "tests/data/hookrun/. %s && sed -i 's/^heartbeat = 2$/heartbeat = "
	    "%d/' %s/mappings/daws/fbdaw.ini", f.home, f.runtime, f.conf,
	    f.conf, f.heartbeat_s, f.conf);
	if (system(cmd) != 0)
		return -1;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[1024];

	midisrc_free(f->ctl);
	f->ctl = NULL;
	proc_free(&f->mon);
	proc_free(&f->bridge);
	oscrecv_free(f->daw);
	jackd_stop(&f->jackd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", f->home, f->runtime,
	    f->conf);
	return system(cmd) == 0 ? 0 : -1;
}

static void
start(struct fixture *f, const char *profile)
{
	char daw[64], in[100];
	char *argv[] = { (char *)ctlbridge_path(), "-c", f->conf,
	    "-p", (char *)profile, "-m", in, "-o", daw, "-v", NULL };
	char *env[] = { f->jackd.env, f->home_env, f->runtime_env, NULL };
	const char *line;

	snprintf(daw, sizeof(daw), "127.0.0.1:%d", oscrecv_port(f->daw));
	snprintf(in, sizeof(in), "jack:%s", f->ctlname);
	f->ctl = midisrc_new(f->jackd.name, f->ctlname);
	assert_non_null(f->ctl);
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	assert_true(proc_wait_output(&f->bridge, "control: OSC port", 5000));
	line = strstr(proc_output(&f->bridge), "control: OSC port ");
	f->bridge_port = atoi(line + strlen("control: OSC port "));
	assert_true(midisrc_wait_connected(f->ctl, 1, 5000));
	/* the handshake: the bridge knows the DAW, which has said nothing */
	assert_true(oscrecv_wait(f->daw, 1, 3000) >= 1);
	assert_string_equal(oscrecv_get(f->daw, 0), "/hello i 1");
	/* the greeting is sent again until the DAW answers, and after it is
	 * lost: how often depends on timing (valgrind), not on the hooks */
	oscrecv_ignore(f->daw, "/hello");
	oscrecv_clear(f->daw);
}

/* The DAW says something, from its own socket. */
static void
daw_says(struct fixture *f, const char *path, const char *types, ...)
{
	char buf[512];
	size_t size = sizeof(buf);
	lo_message m = lo_message_new();
	va_list ap;

	va_start(ap, types);
	for (const char *t = types; *t; t++) {
		switch (*t) {
		case 'i': lo_message_add_int32(m, va_arg(ap, int)); break;
		case 'f': lo_message_add_float(m, (float)va_arg(ap, double)); break;
		}
	}
	va_end(ap);
	assert_non_null(lo_message_serialise(m, path, buf, &size));
	lo_message_free(m);
	assert_int_equal(oscrecv_send_raw(f->daw, f->bridge_port, buf, size), 0);
}

/* The DAW got exactly these messages, in this order, and nothing more. */
static void
expect_exactly(struct fixture *f, const char *const *want, int n)
{
	oscrecv_wait(f->daw, n, 5000);
	oscrecv_settle(f->daw, test_slow(200));
	if (oscrecv_count(f->daw) != n) {
		print_error("expected %d messages, got %d:\n%s\nbridge:\n%s\n", n,
		    oscrecv_count(f->daw), oscrecv_dump(f->daw),
		    proc_output(&f->bridge));
		fail();
	}
	for (int i = 0; i < n; i++)
		if (strcmp(oscrecv_get(f->daw, i), want[i]) != 0) {
			print_error("message %d: expected '%s', got '%s'\nbridge:"
			    "\n%s\n", i, want[i], oscrecv_get(f->daw, i),
			    proc_output(&f->bridge));
			fail();
		}
	oscrecv_clear(f->daw);
}

#define EXPECT(f, ...) do { \
	static const char *const want_[] = { __VA_ARGS__ }; \
	expect_exactly(f, want_, (int)(sizeof(want_) / sizeof(*want_))); \
} while (0)

static void
press(struct fixture *f, uint8_t cc)
{
	uint8_t on[3] = { 0xB0, cc, 127 }, off[3] = { 0xB0, cc, 0 };

	assert_int_equal(midisrc_send(f->ctl, on, 3), 0);
	assert_int_equal(midisrc_send(f->ctl, off, 3), 0);
}

#define NEWTAKE 80	/* fbctl's newtake button: cc 80 */

/* `ctlbridge status` as a user runs it; its output (caller frees). */
static char *
status(struct fixture *f)
{
	char *env[] = { f->runtime_env, NULL };
	char *args[] = { "status", NULL };
	char *out = NULL;

	assert_int_equal(ctlbridge_run(env, args, 5000, &out), 0);
	assert_non_null(out);
	return out;
}

static void
expect_profile(struct fixture *f, const char *profile)
{
	char want[128];
	char *out = status(f);

	snprintf(want, sizeof(want), "surface 1: fbctl, profile %s ", profile);
	if (strstr(out, want) == NULL) {
		print_error("status does not say '%s':\n%s\n", want, out);
		fail();
	}
	free(out);
}

/* The producer's role follows the session: the DAW answers (daw.connected),
 * rolls (transport.start), records: the take is numbered and the surface
 * switches to the takes page, whose own recording.start runs next in the
 * same event; a repeated report fires nothing.  Its buttons are the takes
 * page's until recording stops, when it switches back and the producer's
 * transport.stop runs.  Each hook run is in the journal. */
static void
test_recording_switches_roles(void **state)
{
	struct fixture *f = *state;
	char path[300];
	char *out, *journal;
	FILE *fp;
	long n;

	start(f, "hr-producer");
	daw_says(f, "/play", "f", 0.0);		/* answers, stopped */
	EXPECT(f, "/hook/connected");
	daw_says(f, "/record", "f", 1.0);	/* armed: not yet recording */
	oscrecv_settle(f->daw, test_slow(200));
	assert_int_equal(oscrecv_count(f->daw), 0);
	daw_says(f, "/play", "f", 1.0);		/* rolls, armed: records */
	EXPECT(f, "/hook/rolling", "/marker s \"Take 1\"",
	    "/hook/takes s \"recording\"", "/mute ii 1 1");
	daw_says(f, "/play", "f", 1.0);		/* said again: once is enough */
	daw_says(f, "/record", "f", 1.0);
	oscrecv_settle(f->daw, test_slow(200));
	assert_int_equal(oscrecv_count(f->daw), 0);

	expect_profile(f, "hr-takes");
	out = status(f);
	assert_non_null(strstr(out, "surface 1: on recording.stop: "
	    "profile.switch profile=hr-producer"));
	free(out);
	press(f, NEWTAKE);			/* the takes page's button */
	EXPECT(f, "/marker s \"Keep 1\"");

	daw_says(f, "/play", "f", 0.0);		/* stops: back, then stopped */
	EXPECT(f, "/hook/stopped");
	expect_profile(f, "hr-producer");
	press(f, NEWTAKE);
	EXPECT(f, "/marker s \"Take 2\"");

	snprintf(path, sizeof(path), "%s/hooks-journal.csv", f->home);
	fp = fopen(path, "r");
	assert_non_null(fp);
	journal = calloc(1, 8192);
	assert_non_null(journal);
	n = (long)fread(journal, 1, 8191, fp);
	fclose(fp);
	assert_true(n > 0);
	assert_non_null(strstr(journal, ",hr-producer,on daw.connected,osc /hook/connected,\"\",1\n"));
	assert_non_null(strstr(journal,
	    ",hr-producer,on recording.start,take.new,\"Take 1\",1\n"));
	assert_non_null(strstr(journal,
	    ",hr-producer,on recording.start,profile.switch,\"\",1\n"));
	assert_non_null(strstr(journal,
	    ",hr-takes,on recording.start,track.mute,\"\",1\n"));
	assert_non_null(strstr(journal,
	    ",hr-takes,on recording.stop,profile.switch,\"\",1\n"));
	assert_non_null(strstr(journal,
	    ",hr-producer,on transport.stop,osc /hook/stopped,\"\",1\n"));
	free(journal);
	/* and the -v trace */
	assert_true(proc_wait_output(&f->bridge, "surface 1: on recording.start "
	    "(profile hr-producer): take.new", 1000));
}

/* The DAW falls silent past its heartbeat (2 s in this dialect): daw.lost;
 * it speaks again: daw.connected, once. */
static void
test_daw_lost_and_back(void **state)
{
	struct fixture *f = *state;
	char silent[64];

	start(f, "hr-producer");
	daw_says(f, "/play", "f", 0.0);
	EXPECT(f, "/hook/connected");
	snprintf(silent, sizeof(silent), "silent for %d s", f->heartbeat_s);
	assert_true(proc_wait_output(&f->bridge, silent,
	    (f->heartbeat_s + 4) * 1000));
	EXPECT(f, "/hook/lost");
	daw_says(f, "/play", "f", 0.0);
	EXPECT(f, "/hook/connected");
	daw_says(f, "/play", "f", 0.0);
	oscrecv_settle(f->daw, test_slow(200));
	assert_int_equal(oscrecv_count(f->daw), 0);
}

/* ctlbridge monitor shows each action of a hook, with what became of
 * it, and a filter by the event's name keeps them. */
static void
test_monitor_shows_hooks(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { (char *)ctlbridge_path(), "monitor", "--raw",
	    "recording.start", NULL };
	char *env[] = { f->runtime_env, NULL };
	const char *out;

	start(f, "hr-producer");
	daw_says(f, "/play", "f", 0.0);
	EXPECT(f, "/hook/connected");
	assert_int_equal(proc_start(&f->mon, argv, env, NULL), 0);
	assert_true(proc_wait_output(&f->bridge, "attached", test_slow(5000)));
	daw_says(f, "/record", "f", 1.0);
	daw_says(f, "/play", "f", 1.0);
	EXPECT(f, "/hook/rolling", "/marker s \"Take 1\"",
	    "/hook/takes s \"recording\"", "/mute ii 1 1");
	assert_true(proc_wait_output(&f->mon, "/mute", test_slow(5000)));
	out = proc_output(&f->mon);
	assert_non_null(strstr(out, "\t1\t-\t-\ton recording.start\t"
	    "recording.start\thr-producer\ttake.new\tsent /marker "
	    "\"Take 1\"\n"));
	assert_non_null(strstr(out, "\t1\t-\t-\ton recording.start\t"
	    "recording.start\thr-producer\tprofile.switch profile=hr-takes\t"
	    "profile hr-takes\n"));
	assert_non_null(strstr(out, "\t1\t-\t-\ton recording.start\t"
	    "recording.start\thr-takes\ttrack.mute track=1\tsent /mute 1 "
	    "1\n"));
	/* the filter: transport.start's hook is not shown */
	assert_null(strstr(out, "transport.start"));
}

/* A reload swaps the hooks with the rest of the profile, and does not
 * fire what did not change. */
static void
test_reload_swaps_hooks(void **state)
{
	struct fixture *f = *state;
	char path[300], *out;
	char *env[] = { f->runtime_env, NULL };
	char *args[] = { "reload", NULL };

	start(f, "hr-producer");
	daw_says(f, "/play", "f", 1.0);
	EXPECT(f, "/hook/connected", "/hook/rolling");
	snprintf(path, sizeof(path), "%s/profiles/hr-producer.ini", f->conf);
	assert_int_equal(write_text(path,
	    "[profile]\ncontroller = fbctl\ndaw = fbdaw\n"
	    "[bindings]\nnewtake = take.new label=\"Take {take}\"\n"
	    "[on]\ntransport.stop = osc /hook/stopped2 i:2\n"
	    "transport.start = osc /hook/rolling2\n"), 0);
	assert_int_equal(ctlbridge_run(env, args, 5000, &out), 0);
	free(out);
	oscrecv_settle(f->daw, test_slow(200));
	assert_int_equal(oscrecv_count(f->daw), 0);	/* still rolling */
	out = status(f);
	assert_non_null(strstr(out, "surface 1: on transport.stop: osc "
	    "/hook/stopped2 i:2"));
	assert_null(strstr(out, "on daw.connected"));
	free(out);
	daw_says(f, "/play", "f", 0.0);
	EXPECT(f, "/hook/stopped2 i 2");
	daw_says(f, "/play", "f", 1.0);
	EXPECT(f, "/hook/rolling2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_recording_switches_roles,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_daw_lost_and_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reload_swaps_hooks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_monitor_shows_hooks, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
