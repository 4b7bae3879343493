/*
 * The log as a user or systemd reads it: the real ctlbridge binary.
 * error: for what stops the bridge, warning: for what it survives; -q;
 * times of day with -v; the journal's <N> priorities under systemd; a
 * condition that persists said once, not once a retry; --help on every
 * subcommand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct oscrecv *osc;
	struct proc bridge;
	char daw[64];
	char dir[256];		/* a configuration directory of the test's own */
	char jackenv[128];	/* a JACK server nobody runs */
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.osc = oscrecv_new();
	oscrecv_ignore(f.osc, "/set_surface");
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	snprintf(f.dir, sizeof(f.dir), "/tmp/%s", test_unique("ctlb-log"));
	snprintf(f.jackenv, sizeof(f.jackenv), "JACK_DEFAULT_SERVER=%s",
	    test_unique("ctlb-nojack"));
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[300];

	proc_free(&f->bridge);
	oscrecv_free(f->osc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		print_error("could not remove %s\n", f->dir);
	return 0;
}

static int
exit_of(struct fixture *f, char *const argv[], char *const env[])
{
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	if (!proc_wait(&f->bridge, 5000)) {
		proc_stop(&f->bridge);
		fail_msg("did not exit:\n%s", proc_output(&f->bridge));
	}
	return WIFEXITED(f->bridge.status) ? WEXITSTATUS(f->bridge.status) : -1;
}

/* Runs the bridge for ms, stops it, returns its output. */
static const char *
run_for(struct fixture *f, char *const argv[], char *const env[], int ms)
{
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	sleep_ms(test_slow(ms));
	if (proc_wait(&f->bridge, 0)) {
		print_error("the bridge ended early (status %d):\n%s\n",
		    f->bridge.status, proc_output(&f->bridge));
		fail();
	}
	proc_stop(&f->bridge);
	return f->bridge.output;
}

static bool
has_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; (p = strstr(p, line)) != NULL; p++)
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

#define assert_line(out, line) do {					\
	if (!has_line(out, line))					\
		fail_msg("no line '%s' in:\n%s", line, out);		\
} while (0)

/* Each failure to start is an error, with exit 1, and no warning. */
static void
test_fatal_is_error(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *no_profile[] = { b, "-c", ".", "-p", "producr", "-m", "raw:-", NULL };
	char *no_jack[] = { b, "-c", ".", "-m", "jack", NULL };
	char *no_file[] = { b, "-c", ".", "-m", "raw:/nonexistent/x.bin", NULL };
	char *broken[] = { b, "-c", f->dir, "-m", "raw:-", NULL };
	char *env[] = { f->jackenv, NULL };
	char path[300], line[800];
	FILE *fp;

	assert_int_equal(exit_of(f, no_profile, NULL), 1);
	assert_line(f->bridge.output, "ctlbridge: error: no profile 'producr' "
	    "(profiles: engineer, engineer-apcmini, engineer-fx, "
	    "engineer-midimix, engineer-pan, engineer-xtouch, producer, "
	    "producer-apcmini, producer-midimix, producer-takes, "
	    "producer-xtouch)");
	assert_null(strstr(f->bridge.output, "warning"));
	proc_free(&f->bridge);

	assert_int_equal(exit_of(f, no_jack, env), 1);
	assert_non_null(strstr(f->bridge.output,
	    "\nctlbridge: error: jack: cannot connect to a JACK server "
	    "(JACK_DEFAULT_SERVER=ctlb-nojack-"));
	assert_null(strstr(f->bridge.output, "warning"));
	proc_free(&f->bridge);

	assert_int_equal(exit_of(f, no_file, NULL), 1);
	assert_line(f->bridge.output, "ctlbridge: error: raw /nonexistent/x.bin: "
	    "No such file or directory");
	proc_free(&f->bridge);

	/* -c of a directory that is not there (yet): said as such, by the
	 * bridge and by the subcommands that take -c */
	snprintf(line, sizeof(line), "ctlbridge: error: -c %s: No such file or "
	    "directory", f->dir);
	assert_int_equal(exit_of(f, broken, NULL), 1);
	assert_line(f->bridge.output, line);
	proc_free(&f->bridge);
	{
		static const char *const sub[][2] = { { "check", NULL },
		    { "sheet", "engineer" }, { "actions", "ardour" },
		    { "ports", NULL } };
		for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			char *argv[] = { b, (char *)sub[i][0], "-c", f->dir,
			    (char *)sub[i][1], NULL };
			assert_int_equal(exit_of(f, argv, NULL), 1);
			assert_memory_equal(f->bridge.output, line, strlen(line));
			assert_string_equal(f->bridge.output + strlen(line), "\n");
			proc_free(&f->bridge);
		}
	}

	/* a profile naming a controller and a dialect that are not there:
	 * the diagnostics, then the error that stops the bridge */
	snprintf(path, sizeof(path), "%s/profiles", f->dir);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/profiles/engineer.ini", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs("[profile]\nname = x\ncontroller = nosuch\ndaw = nosuch\n", fp);
	fclose(fp);
	assert_int_equal(exit_of(f, broken, NULL), 1);
	snprintf(line, sizeof(line), "%s/profiles/engineer.ini:3: controller "
	    "'nosuch' not found: no mappings/controllers/nosuch.ini in %s",
	    f->dir, f->dir);
	assert_line(f->bridge.output, line);
	assert_line(f->bridge.output, "ctlbridge: error: 2 errors in the "
	    "configuration; not starting (run 'ctlbridge check' to see them again)");
	assert_null(strstr(f->bridge.output, "warning"));
}

/* -q: errors only. */
static void
test_quiet(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *quiet[] = { b, "-q", "-c", ".", "-o", "127.0.0.1:9", "-m",
	    "raw:/dev/null", NULL };
	char *quiet_fatal[] = { b, "-q", "-c", ".", "-p", "nosuch", "-m",
	    "raw:-", NULL };
	char *both[] = { b, "-q", "-v", "-c", ".", NULL };
	const char *out;

	/* nothing listens at port 9 and /dev/null ends at once: both are
	 * warnings, said without -q */
	out = run_for(f, quiet, NULL, 1500);
	assert_string_equal(out, "");
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, quiet_fatal, NULL), 1);
	assert_non_null(strstr(f->bridge.output, "ctlbridge: error: no profile "
	    "'nosuch'"));
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, both, NULL), 2);
	assert_line(f->bridge.output, "ctlbridge: error: -q and -v do not go together");
}

/* "HH:MM:SS.mmm " */
static bool
stamped(const char *line)
{
	static const char pat[] = "dd:dd:dd.ddd ";

	for (size_t i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)line[i]) :
		    line[i] != pat[i])
			return false;
	return true;
}

/* Every line of the foreground log carries a time of day with -v, none
 * without. */
static void
test_timestamps(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *verbose[] = { b, "-v", "-c", ".", "-o", f->daw, "-m",
	    "raw:/dev/null", NULL };
	char *plain[] = { b, "-c", ".", "-o", f->daw, "-m", "raw:/dev/null",
	    NULL };
	const char *out;
	int lines = 0;

	out = run_for(f, verbose, NULL, 800);
	for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
		if (!stamped(p))
			fail_msg("no time of day on a line of:\n%s", out);
		assert_non_null(strchr(p, '\n'));
		lines++;
	}
	assert_true(lines >= 3);
	assert_non_null(strstr(out, " ctlbridge: debug: "));
	assert_non_null(strstr(out, " ctlbridge: surface 1: profile engineer"));
	proc_free(&f->bridge);

	out = run_for(f, plain, NULL, 800);
	assert_true(strncmp(out, "ctlbridge: surface 1: profile engineer", 38) == 0);
	assert_false(stamped(out));
}

/* Under systemd: <N> priorities, no times, no program name; errors <3>,
 * warnings <4>, information <6>, debug <7>.  JOURNAL_STREAM naming some
 * other file (inherited by a child whose stderr went elsewhere) changes
 * nothing. */
static void
test_journal(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *run[] = { b, "-v", "-c", ".", "-o", "127.0.0.1:9", "-m",
	    "raw:/dev/null", NULL };
	char *fatal[] = { b, "-c", ".", "-p", "nosuch", "-m", "raw:-", NULL };
	char *journal[] = { "JOURNAL_STREAM=stderr", NULL };
	char *elsewhere[] = { "JOURNAL_STREAM=1:1", NULL };
	const char *out;

	out = run_for(f, run, journal, 1500);
	assert_line(out, "<6>surface 1: profile engineer: Korg nanoKONTROL2 -> "
	    "Ardour at osc.udp://127.0.0.1:9");
	assert_line(out, "<4>warning: osc: nothing listens at "
	    "osc.udp://127.0.0.1:9 (is the DAW running, with OSC on?)");
	assert_line(out, "<4>warning: raw /dev/null: closed; reopening when it "
	    "returns");
	assert_non_null(strstr(out, "\n<7>debug: "));
	/* every line has its priority */
	for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
		if (p[0] != '<' || !isdigit((unsigned char)p[1]) || p[2] != '>')
			fail_msg("a line without priority in:\n%s", out);
		assert_non_null(strchr(p, '\n'));
	}
	proc_free(&f->bridge);

	assert_int_equal(exit_of(f, fatal, journal), 1);
	assert_non_null(strstr(f->bridge.output, "<3>error: no profile 'nosuch'"));
	proc_free(&f->bridge);

	assert_int_equal(exit_of(f, fatal, elsewhere), 1);
	assert_non_null(strstr(f->bridge.output,
	    "ctlbridge: error: no profile 'nosuch'"));
	assert_null(strchr(f->bridge.output, '<'));
}

/* A path that opens and ends at once, again and again (retried every
 * second), is one condition: said once, and no "open again" each time. */
static void
test_raw_retry_said_once(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *argv[] = { b, "-c", ".", "-o", f->daw, "-m", "raw:/dev/null", NULL };
	const char *out;

	out = run_for(f, argv, NULL, 4500);
	assert_int_equal(count_substr(out, "raw /dev/null: closed; reopening "
	    "when it returns"), 1);
	assert_int_equal(count_substr(out, "open again"), 0);
}

/* No JACK server: libjack's own lines (at -v) once each, not once per
 * retry (every 2 s), and the bridge's own "waiting" once. */
static void
test_jack_chatter_said_once(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *argv[] = { b, "-v", "-c", ".", "-o", f->daw, NULL };
	char *env[] = { f->jackenv, NULL };
	const char *out, *line, *end;
	int debug_jack = 0;

	out = run_for(f, argv, env, 5000);
	assert_int_equal(count_substr(out, "no JACK server running; waiting"), 1);
	/* each "debug: jack:" line differs from every other */
	for (line = out; (line = strstr(line, "debug: jack: ")) != NULL;
	    line = end) {
		char text[512];
		size_t n;
		end = strchr(line, '\n');
		assert_non_null(end);
		n = (size_t)(end - line) < sizeof(text) - 1 ?
		    (size_t)(end - line) : sizeof(text) - 1;
		memcpy(text, line, n);
		text[n] = '\0';
		if (count_substr(out, text) != 1)
			fail_msg("said %d times: %s\n%s", count_substr(out, text),
			    text, out);
		debug_jack++;
	}
	/* libjack did say something: the test tests the routing */
	assert_true(debug_jack >= 2);
}

/* --help (and -h) on the bridge and every subcommand: usage on stdout,
 * exit 0. */
static void
test_help_everywhere(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	static const char *const sub[] = { NULL, "check", "switch", "status",
	    "reload" };
	static const char *const flag[] = { "--help", "-h" };

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		for (size_t k = 0; k < 2; k++) {
			char *argv[] = { b, (char *)(sub[i] ? sub[i] : flag[k]),
			    (char *)flag[k], NULL };
			if (sub[i] == NULL)
				argv[2] = NULL;
			if (exit_of(f, argv, NULL) != 0)
				fail_msg("%s %s: %s", argv[1], flag[k],
				    f->bridge.output);
			assert_true(strncmp(f->bridge.output, "usage: ctlbridge",
			    16) == 0);
			assert_non_null(strstr(f->bridge.output,
			    "ctlbridge check [-c DIR]"));
			proc_free(&f->bridge);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fatal_is_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_retry_said_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jack_chatter_said_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_everywhere, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
