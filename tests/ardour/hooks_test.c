/*
 * [on] hooks against a real headless Ardour (tests/ardour/ardour-session):
 * the real ctlbridge binary on a private jackd, a JACK client playing the
 * controller.  Ardour records (record, then play, pressed through the
 * bridge): its own feedback switches the surface to the takes page, seen
 * through `ctlbridge status` and the marker the next press drops (read
 * back from Ardour's session); stopping switches it back.
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

#include "ardour.h"
#include "jackenv.h"
#include "proc.h"

#define TRACKS "Kick Vox"	/* Ardour's session */

static struct {
	struct jackd jackd;
	char dir[256];		/* Ardour's session and this test's config */
	char conf[300];
	char runtime_env[320];	/* XDG_RUNTIME_DIR: status finds the bridge */
	char ctlname[32];
	int port;		/* Ardour's OSC port */
	struct midisrc *ctl;
	struct proc bridge;
} T;

static void
write_file(const char *name, const char *text)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", T.conf, name);
	assert_int_equal(write_text(path, text), 0);
}

static int
setup(void **state)
{
	char cmd[2000];

	snprintf(T.dir, sizeof(T.dir), "/tmp/%s", test_unique("ctlb-ardour-hk"));
	snprintf(T.conf, sizeof(T.conf), "%s/conf", T.dir);
	snprintf(T.runtime_env, sizeof(T.runtime_env), "XDG_RUNTIME_DIR=%s/run",
	    T.dir);
	snprintf(T.ctlname, sizeof(T.ctlname), "%s", test_unique("hookctl"));
	/* its own range: the other Ardour tests may run beside it */
	T.port = 50000 + getpid() % 10000;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/run %s/mappings/controllers "
	    "%s/mappings/daws %s/profiles && cp mappings/daws/ardour.ini "
	    "%s/mappings/daws/", T.dir, T.conf, T.conf, T.conf, T.conf);
	if (system(cmd) != 0)
		return -1;
	*state = &T;
	if (jackd_start(&T.jackd, test_unique("ctlb")) < 0 ||
	    ardour_start(T.dir, T.port, TRACKS) < 0)
		return -1;
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
press(uint8_t cc)
{
	uint8_t on[3] = { 0xB0, cc, 127 }, off[3] = { 0xB0, cc, 0 };

	assert_int_equal(midisrc_send(T.ctl, on, 3), 0);
	assert_int_equal(midisrc_send(T.ctl, off, 3), 0);
	sleep_ms(300);	/* Ardour drops transport commands too close */
}

enum { CC_PLAY = 41, CC_STOP = 42, CC_REC = 45, CC_MARK = 80 };

static void
expect_status(const char *profile)
{
	char *env[] = { T.runtime_env, NULL };
	char *args[] = { "status", NULL };
	char want[128], *out = NULL;

	snprintf(want, sizeof(want), "surface 1: hookctl, profile %s ", profile);
	assert_int_equal(ctlbridge_run(env, args, 5000, &out), 0);
	if (out == NULL || strstr(out, want) == NULL) {
		print_error("status does not say '%s':\n%s\nbridge:\n%s\n", want,
		    out ? out : "", proc_output(&T.bridge));
		fail();
	}
	free(out);
}

static void
expect_marker(const char *name)
{
	char want[80];

	snprintf(want, sizeof(want), "marker\t%s\t", name);
	if (!ardour_state_has(T.dir, want)) {
		print_error("Ardour has no marker '%s'\nbridge:\n%s\n", name,
		    proc_output(&T.bridge));
		fail();
	}
}

static void
test_recording_switches_profile(void **state)
{
	char daw[64], in[64];
	char *argv[] = { (char *)ctlbridge_path(), "-c", T.conf, "-p", "hk-main",
	    "-m", in, "-o", daw, "-v", NULL };
	char *env[] = { T.jackd.env, T.runtime_env, NULL };
	const char *controls = "[controller]\nname = Hook test\nport = hookctl\n"
	    "[controls]\nplay = cc 41 button\nstop = cc 42 button\n"
	    "record = cc 45 button\nmark = cc 80 button\n";
	const char *binds = "play = transport.play\nstop = transport.stop\n"
	    "record = transport.record\n";
	char text[600];

	(void)state;
	write_file("mappings/controllers/hookctl.ini", controls);
	snprintf(text, sizeof(text), "[profile]\ncontroller = hookctl\n"
	    "daw = ardour\n[bindings]\n%smark = marker.add label=MainMark\n"
	    "[on]\nrecording.start = profile.switch profile=hk-takes\n", binds);
	write_file("profiles/hk-main.ini", text);
	snprintf(text, sizeof(text), "[profile]\ncontroller = hookctl\n"
	    "daw = ardour\n[bindings]\n%smark = marker.add label=TakeMark\n"
	    "[on]\nrecording.stop = profile.switch profile=hk-main\n", binds);
	write_file("profiles/hk-takes.ini", text);

	snprintf(daw, sizeof(daw), "127.0.0.1:%d", T.port);
	snprintf(in, sizeof(in), "jack:%s", T.ctlname);
	T.ctl = midisrc_new(T.jackd.name, T.ctlname);
	assert_non_null(T.ctl);
	assert_int_equal(proc_start(&T.bridge, argv, env, NULL), 0);
	assert_true(midisrc_wait_connected(T.ctl, 1, 5000));
	assert_true(proc_wait_output(&T.bridge, "Ardour answers; feedback on",
	    10000));
	expect_status("hk-main");

	/* Ardour records: its feedback switches the role */
	press(CC_REC);
	press(CC_PLAY);
	if (!proc_wait_output(&T.bridge, "profile hk-takes (on recording.start)",
	    5000)) {
		print_error("no switch on recording.start\nbridge:\n%s\n",
		    proc_output(&T.bridge));
		fail();
	}
	expect_status("hk-takes");
	press(CC_MARK);			/* the takes page's marker */
	assert_true(proc_wait_output(&T.bridge, "mark -> /add_marker", 3000));
	expect_marker("TakeMark");

	/* stopped: back to the main role, whose marker the next press drops */
	press(CC_STOP);
	if (!proc_wait_output(&T.bridge, "profile hk-main (on recording.stop)",
	    5000)) {
		print_error("no switch on recording.stop\nbridge:\n%s\n",
		    proc_output(&T.bridge));
		fail();
	}
	expect_status("hk-main");
	press(CC_MARK);
	expect_marker("MainMark");
	assert_false(proc_wait(&T.bridge, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_recording_switches_profile,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
