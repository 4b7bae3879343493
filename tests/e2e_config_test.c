/*
 * Configuration paths as a user meets them: the real ctlbridge binary on
 * its default search path (a home of the test's own, the source tree),
 * MIDI through a FIFO, a liblo receiver as the DAW, and the real
 * `ctlbridge status|reload` finding the bridge.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
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
	char home[256];		/* the bridge's HOME: ~/.config/ctlbridge */
	char home_env[300];
	char runtime_env[300];
	char fifo[300];		/* the controller */
	char conf[300];		/* a copy of the shipped configuration */
	int midi;		/* the FIFO's write end, held open */
};

static int
setup(void **state)
{
	static struct fixture f;
	char cmd[1200];

	memset(&f, 0, sizeof(f));
	f.midi = -1;
	f.osc = oscrecv_new();
	oscrecv_ignore(f.osc, "/set_surface");
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	snprintf(f.home, sizeof(f.home), "/tmp/%s", test_unique("ctlb-home"));
	snprintf(f.home_env, sizeof(f.home_env), "HOME=%s", f.home);
	snprintf(f.runtime_env, sizeof(f.runtime_env), "XDG_RUNTIME_DIR=%s/run",
	    f.home);
	snprintf(f.fifo, sizeof(f.fifo), "%s/midi", f.home);
	snprintf(f.conf, sizeof(f.conf), "%s/conf", f.home);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/run %s && cp -r mappings profiles "
	    "%s/", f.home, f.conf, f.conf);
	if (system(cmd) != 0 || mkfifo(f.fifo, 0600) < 0)
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
	proc_free(&f->bridge);
	oscrecv_free(f->osc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->home);
	return system(cmd) == 0 ? 0 : -1;
}

/* ctlbridge ARGS... -m raw:FIFO -o DAW, with the test's home; returns
 * once it listens, with the FIFO open for writing. */
static void
start_bridge(struct fixture *f, char *const args[])
{
	char spec[320];
	char *argv[32] = { (char *)ctlbridge_path() };
	char *env[] = { f->home_env, f->runtime_env, NULL };
	int n = 1;

	snprintf(spec, sizeof(spec), "raw:%s", f->fifo);
	for (int i = 0; args[i]; i++)
		argv[n++] = args[i];
	argv[n++] = "-m";
	argv[n++] = spec;
	argv[n++] = "-o";
	argv[n++] = f->daw;
	argv[n] = NULL;
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	f->midi = open(f->fifo, O_WRONLY);	/* waits for the bridge */
	assert_true(f->midi >= 0);
	assert_true(proc_wait_output(&f->bridge, "control: OSC port", 5000));
}

/* `ctlbridge ARGS...` as a user runs it, with the test's home. */
static void
assert_write_text(const char *path, const char *text)
{
	assert_int_equal(write_text(path, text), 0);
}

static int
cli(struct fixture *f, char **out, char *const args[])
{
	char *env[] = { f->home_env, f->runtime_env, NULL };
	int rc = ctlbridge_run(env, args, 5000, out);

	assert_non_null(*out);
	return rc;
}

/* The nanoKONTROL2's play button, pressed and released. */
static void
press_play(struct fixture *f)
{
	static const unsigned char play[] = { 0xB0, 41, 127, 0xB0, 41, 0 };

	assert_int_equal(write(f->midi, play, sizeof(play)), (ssize_t)sizeof(play));
}

static void
expect_one(struct fixture *f, const char *want)
{
	oscrecv_wait(f->osc, 1, 3000);
	oscrecv_settle(f->osc, 150);
	if (oscrecv_count(f->osc) != 1 || strcmp(oscrecv_get(f->osc, 0), want)) {
		print_error("expected '%s', got:\n%s\nbridge:\n%s\n", want,
		    oscrecv_dump(f->osc), proc_output(&f->bridge));
		fail();
	}
	oscrecv_clear(f->osc);
}

/* The README's way to change one profile: copy it to
 * ~/.config/ctlbridge/profiles/ and edit it.  A bridge started before
 * that directory existed applies the copy, rejects a broken edit of it
 * (reload and status say so), and status says where each profile came
 * from and where files are looked for. */
static void
test_user_dir_made_after_start(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-p", "engineer", "-v", NULL };
	char *status[] = { "status", NULL };
	char *reload[] = { "reload", NULL };
	char dir[400], path[450], want[600], *out, *text;
	FILE *fp;
	long len;

	start_bridge(f, args);
	press_play(f);
	expect_one(f, "/transport_play");
	assert_int_equal(cli(f, &out, status), 0);
	snprintf(want, sizeof(want), "search path: %s/.config/ctlbridge (not "
	    "there yet)", f->home);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "/profiles/engineer.ini"));
	free(out);

	/* the user's copy, play made a marker */
	snprintf(dir, sizeof(dir), "%s/.config/ctlbridge/profiles", f->home);
	snprintf(path, sizeof(path), "mkdir -p %s", dir);
	assert_int_equal(system(path), 0);
	assert_non_null(fp = fopen("profiles/engineer.ini", "r"));
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 100);
	assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	{
		char *play = strstr(text, "\nplay ");
		assert_non_null(play);
		memcpy(strstr(play, "transport.play"), "marker.add    ", 14);
	}
	snprintf(path, sizeof(path), "%s/engineer.ini", dir);
	assert_write_text(path, text);
	assert_true(proc_wait_output(&f->bridge, "reloaded (files changed)", 3000));
	/* -v says where each profile came from */
	snprintf(want, sizeof(want), "debug: profile engineer: %s\n", path);
	assert_non_null(strstr(proc_output(&f->bridge), want));
	assert_non_null(strstr(proc_output(&f->bridge), "debug: profile "
	    "producer: "));
	press_play(f);
	expect_one(f, "/add_marker");
	assert_int_equal(cli(f, &out, status), 0);
	snprintf(want, sizeof(want), "from %s", path);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "last reload: ok"));
	free(out);

	/* a broken edit of the copy: kept out, and said */
	{
		char *play = strstr(text, "marker.add");
		memcpy(play, "marker.addd", 11);
	}
	assert_write_text(path, text);
	free(text);
	assert_true(proc_wait_output(&f->bridge, "rejected", 3000));
	assert_int_equal(cli(f, &out, reload), 1);
	assert_non_null(strstr(out, "unknown action 'marker.addd'"));
	free(out);
	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "last reload: rejected"));
	free(out);
	press_play(f);
	expect_one(f, "/add_marker");
}

/* A profile's own [actions] are swapped with it at a reload: the edited
 * message is what the next press sends, and a name the dialect has is
 * refused with the running profile kept. */
static void
test_reload_swaps_profile_actions(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-c", f->conf, "-p", "mine", NULL };
	char *reload[] = { "reload", NULL };
	char path[400], *out;
	const char *head = "[profile]\ncontroller = nanokontrol2\ndaw = ardour\n"
	    "[bindings]\nplay = take.mark\n[actions]\n";
	char text[600];

	snprintf(path, sizeof(path), "%s/profiles/mine.ini", f->conf);
	snprintf(text, sizeof(text), "%stake.mark = /add_marker s:first\n", head);
	assert_write_text(path, text);
	start_bridge(f, args);
	press_play(f);
	expect_one(f, "/add_marker s \"first\"");

	snprintf(text, sizeof(text), "%stake.mark = /add_marker s:second\n", head);
	assert_write_text(path, text);
	assert_true(proc_wait_output(&f->bridge, "reloaded (files changed)", 3000));
	press_play(f);
	expect_one(f, "/add_marker s \"second\"");

	/* the dialect's name: refused, the running profile kept */
	snprintf(text, sizeof(text), "[profile]\ncontroller = nanokontrol2\n"
	    "daw = ardour\n[actions]\neditor.zoom_session = /x\n[bindings]\n"
	    "play = editor.zoom_session\n");
	assert_write_text(path, text);
	assert_true(proc_wait_output(&f->bridge, "rejected", 3000));
	assert_int_equal(cli(f, &out, reload), 1);
	assert_non_null(strstr(out, "'editor.zoom_session' shadows an action of "
	    "dialect 'ardour'"));
	free(out);
	press_play(f);
	expect_one(f, "/add_marker s \"second\"");
}

/* A FIFO named *.ini in profiles/ (or anything that blocks on open) is
 * skipped with a warning: MIDI goes on, status answers, SIGTERM stops the
 * bridge. */
static void
test_fifo_in_profiles(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-c", f->conf, "-p", "engineer", NULL };
	char *status[] = { "status", NULL };
	char path[400], *out;

	start_bridge(f, args);
	snprintf(path, sizeof(path), "%s/profiles/draft.ini", f->conf);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_true(proc_wait_output(&f->bridge, "draft.ini: warning: not a "
	    "regular file: skipped", 3000));
	press_play(f);
	expect_one(f, "/transport_play");
	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "surface 1: nanokontrol2, profile engineer"));
	free(out);
	kill(f->bridge.pid, SIGTERM);
	assert_true(proc_wait(&f->bridge, 3000));
	assert_true(WIFEXITED(f->bridge.status));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
}

/* A broken file no running surface uses (a draft.ini) is reported and
 * left out, and blocks neither the start nor the reload of a good edit to
 * the running profile; a broken edit of the running profile still keeps
 * the running set (all or nothing for what is in use). */
static void
test_broken_draft_does_not_block(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-c", f->conf, "-p", "engineer", NULL };
	char *status[] = { "status", NULL };
	char *reload[] = { "reload", NULL };
	char draft[400], engineer[400], cmd[900], *out;

	snprintf(draft, sizeof(draft), "%s/profiles/draft.ini", f->conf);
	snprintf(engineer, sizeof(engineer), "%s/profiles/engineer.ini", f->conf);
	assert_write_text(draft, "[profile]\ncontroller = nanokontrol2\ndaw = ardour\n"
	    "[bindings]\nplay = transport.plya\n");
	start_bridge(f, args);
	assert_non_null(strstr(proc_output(&f->bridge), "draft.ini: warning: not "
	    "loaded: it has errors (above); no running surface uses it"));
	press_play(f);
	expect_one(f, "/transport_play");

	/* a good edit of the running profile applies beside it */
	snprintf(cmd, sizeof(cmd), "sed -i 's/^play *= transport.play/play = "
	    "marker.add/' %s", engineer);
	assert_int_equal(system(cmd), 0);
	assert_true(proc_wait_output(&f->bridge, "reloaded (files changed)", 3000));
	press_play(f);
	expect_one(f, "/add_marker");
	assert_int_equal(cli(f, &out, reload), 0);
	assert_non_null(strstr(out, "unknown action 'transport.plya'"));
	assert_non_null(strstr(out, "draft.ini: warning: not loaded"));
	free(out);
	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "last reload: ok, with warnings:"));
	assert_non_null(strstr(out, "draft.ini: warning: not loaded"));
	free(out);
	/* and it cannot be switched to */
	{
		char *sw[] = { "switch", "draft", NULL };
		assert_int_equal(cli(f, &out, sw), 1);
		assert_non_null(strstr(out, "no profile 'draft'"));
		free(out);
	}

	/* a broken edit of the running profile: all or nothing */
	snprintf(cmd, sizeof(cmd), "sed -i 's/^play = marker.add/play = "
	    "marker.addd/' %s", engineer);
	assert_int_equal(system(cmd), 0);
	assert_true(proc_wait_output(&f->bridge, "rejected", 3000));
	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "last reload: rejected"));
	assert_non_null(strstr(out, "unknown action 'marker.addd'"));
	free(out);
	press_play(f);
	expect_one(f, "/add_marker");
}

/* A second bridge on the same controller would send every press to the
 * DAW twice: it says so at start, naming the first one's PID, and status
 * says it on both. */
static void
test_second_bridge_same_controller(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-c", f->conf, "-p", "engineer", NULL };
	char spec[320], want[200], pid1[32], pid2[32], *out;
	char *argv[] = { (char *)ctlbridge_path(), "-c", f->conf, "-p",
	    "engineer", "-m", spec, "-o", f->daw, NULL };
	char *env[] = { f->home_env, f->runtime_env, NULL };
	char *status1[] = { "status", "--control", pid1, NULL };
	char *status2[] = { "status", "--control", pid2, NULL };
	struct proc second;

	start_bridge(f, args);
	snprintf(spec, sizeof(spec), "raw:%s", f->fifo);
	assert_int_equal(proc_start(&second, argv, env, NULL), 0);
	snprintf(want, sizeof(want), "surface 1: bridge %d reads controller "
	    "'nanokontrol2' too: every press would reach the DAW twice",
	    (int)f->bridge.pid);
	assert_true(proc_wait_output(&second, "control: OSC port", 5000));
	if (strstr(proc_output(&second), want) == NULL) {
		print_error("second bridge:\n%s\n", proc_output(&second));
		fail();
	}
	/* the first one said nothing at its start: it was alone */
	assert_null(strstr(proc_output(&f->bridge), "too: every press"));
	snprintf(pid1, sizeof(pid1), "%d", (int)f->bridge.pid);
	snprintf(pid2, sizeof(pid2), "%d", (int)second.pid);
	assert_int_equal(cli(f, &out, status1), 0);
	snprintf(want, sizeof(want), "surface 1: warning: bridge %d reads "
	    "controller 'nanokontrol2' too", (int)second.pid);
	assert_non_null(strstr(out, want));
	free(out);
	assert_int_equal(cli(f, &out, status2), 0);
	snprintf(want, sizeof(want), "surface 1: warning: bridge %d reads "
	    "controller 'nanokontrol2' too", (int)f->bridge.pid);
	assert_non_null(strstr(out, want));
	free(out);
	proc_free(&second);
	/* alone again */
	assert_int_equal(cli(f, &out, status1), 0);
	assert_null(strstr(out, "too: every press"));
	free(out);
}

/* A profile that is a symbolic link into another directory (a dotfiles
 * repository) is edited there: the bridge applies the edit by itself,
 * written in place or renamed over the file, as it does a file of its
 * own directory; another file beside the target changes nothing. */
static void
test_symlinked_profile_follows_its_target(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-c", f->conf, "-p", "mine", NULL };
	char dots[400], target[450], tmp[450], link[400], other[450], text[300];
	const char *head = "[profile]\ncontroller = nanokontrol2\ndaw = ardour\n"
	    "[bindings]\n";

	snprintf(dots, sizeof(dots), "%s/dotfiles", f->home);
	assert_int_equal(mkdir(dots, 0700), 0);
	snprintf(target, sizeof(target), "%s/ctlbridge-mine.ini", dots);
	snprintf(tmp, sizeof(tmp), "%s/.ctlbridge-mine.ini.tmp", dots);
	snprintf(other, sizeof(other), "%s/other.ini", dots);
	snprintf(link, sizeof(link), "%s/profiles/mine.ini", f->conf);
	snprintf(text, sizeof(text), "%splay = transport.play\n", head);
	assert_write_text(target, text);
	assert_int_equal(symlink("../../dotfiles/ctlbridge-mine.ini",
	    link), 0);
	start_bridge(f, args);
	press_play(f);
	expect_one(f, "/transport_play");

	/* written in place */
	snprintf(text, sizeof(text), "%splay = transport.stop\n", head);
	assert_write_text(target, text);
	assert_true(proc_wait_output(&f->bridge,
	    "reloaded (files changed)", test_slow(3000)));
	press_play(f);
	expect_one(f, "/transport_stop");

	/* an editor's save: a temporary file renamed over it */
	snprintf(text, sizeof(text), "%splay = marker.add\n", head);
	assert_write_text(tmp, text);
	assert_int_equal(rename(tmp, target), 0);
	assert_true(proc_wait_output_count(&f->bridge,
	    "reloaded (files changed)", 2, test_slow(3000)));
	press_play(f);
	expect_one(f, "/add_marker");

	/* a file beside it is none of the bridge's business */
	assert_write_text(other, text);
	sleep_ms(600);
	assert_int_equal(count_substr(proc_output(&f->bridge),
	    "reloaded (files changed)"), 2);
}

/* The controller's port pattern edited under a bridge whose inputs use it
 * (-m auto): the reload is taken, with a warning that the pattern waits
 * for a restart, said by status; put back as it was, no warning: the
 * inputs use that one.  A surface that reads only a raw input uses no
 * pattern, and is told nothing. */
static void
port_pattern_edit(struct fixture *f, char *const args[], bool uses_pattern)
{
	char *status[] = { "status", NULL };
	char path[400], *orig, *text, *out;
	const char *warning = "nanokontrol2.ini: warning: the new port pattern "
	    "applies when the bridge restarts";
	FILE *fp;
	long len;

	snprintf(path, sizeof(path), "%s/mappings/controllers/nanokontrol2.ini",
	    f->conf);
	assert_non_null(fp = fopen(path, "r"));
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	orig = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(orig, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	text = calloc(1, (size_t)len + 40);
	{
		char *port = strstr(orig, "\nport = ");
		char *end;
		assert_non_null(port);
		end = strchr(port + 1, '\n');
		memcpy(text, orig, (size_t)(port - orig));
		sprintf(text + (port - orig), "\nport = nanoKONTROL2 SLIDER%s",
		    end);
	}
	start_bridge(f, args);
	assert_write_text(path, text);
	assert_true(proc_wait_output(&f->bridge, "reloaded (files changed)",
	    test_slow(3000)));
	assert_int_equal(cli(f, &out, status), 0);
	if (uses_pattern)
		assert_non_null(strstr(out, warning));
	else
		assert_null(strstr(out, "port pattern"));
	free(out);

	assert_write_text(path, orig);
	assert_true(proc_wait_output_count(&f->bridge, "reloaded (files changed)",
	    2, test_slow(3000)));
	assert_int_equal(cli(f, &out, status), 0);
	assert_non_null(strstr(out, "last reload: ok\n"));
	assert_null(strstr(out, "port pattern"));
	free(out);
	press_play(f);
	expect_one(f, "/transport_play");
	free(text);
	free(orig);
}

static void
test_port_pattern_edit(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-c", f->conf, "-p", "engineer", "-m", "auto", NULL };

	port_pattern_edit(f, args, true);
}

static void
test_port_pattern_edit_raw_only(void **state)
{
	struct fixture *f = *state;
	char *args[] = { "-c", f->conf, "-p", "engineer", NULL };

	port_pattern_edit(f, args, false);
}

/* check FILE says what the bridge would of a switch to a profile not
 * named on the command line: one of another controller is refused (the
 * bridge refuses to start on it), one of the same is fine. */
static void
test_check_file_switch_to_other_controller(void **state)
{
	struct fixture *f = *state;
	char path[400], want[600], *out;
	char *check[] = { "check", "-c", f->conf, path, NULL };
	const char *head = "[profile]\ncontroller = nanokontrol2\ndaw = ardour\n"
	    "[bindings]\n";
	char text[300];

	snprintf(path, sizeof(path), "%s/mine.ini", f->home);
	snprintf(text, sizeof(text), "%splay = transport.play\n"
	    "cycle = profile.switch profile=engineer-xtouch\n", head);
	assert_write_text(path, text);
	assert_int_equal(cli(f, &out, check), 1);
	snprintf(want, sizeof(want), "%s:6: profile 'engineer-xtouch' is for "
	    "controller 'xtouch-mini', not 'nanokontrol2': a controller "
	    "switches between its own profiles\n", path);
	assert_string_equal(out, want);
	free(out);

	snprintf(text, sizeof(text), "%scycle = profile.switch "
	    "profile=producer\n", head);
	assert_write_text(path, text);
	assert_int_equal(cli(f, &out, check), 0);
	free(out);
}

/* The README's examples of whole files (an indented block whose first
 * line is [controller], [daw] or [profile]), each saved as a file and
 * checked as a user who copies one would: no error.  Its controller once
 * put a cc14 0 beside faders on cc 0..7, which check refuses. */
static void
test_readme_examples_check(void **state)
{
	struct fixture *f = *state;
	FILE *in = fopen("README.md", "r");
	char path[400], *out, *line = NULL;
	size_t cap = 0;
	FILE *block = NULL;
	int lineno = 0, start = 0, nfiles = 0;

	assert_non_null(in);
	for (;;) {
		bool more = getline(&line, &cap, in) >= 0;
		bool code = more && strncmp(line, "    ", 4) == 0;

		if (block && (!more || (!code && line[0] != '\n'))) {
			char *args[] = { "check", path, NULL };
			assert_int_equal(fclose(block), 0);
			block = NULL;
			if (cli(f, &out, args) != 0) {
				print_error("README.md:%d, saved as %s:\n%s\n",
				    start, path, out);
				fail();
			}
			free(out);
			nfiles++;
		}
		if (!more)
			break;
		lineno++;
		if (!code)
			continue;
		if (block == NULL && (strcmp(line + 4, "[controller]\n") == 0 ||
		    strcmp(line + 4, "[daw]\n") == 0 ||
		    strcmp(line + 4, "[profile]\n") == 0)) {
			snprintf(path, sizeof(path), "%s/readme%d.ini", f->home,
			    nfiles);
			assert_non_null(block = fopen(path, "w"));
			start = lineno;
		}
		if (block)
			fputs(line + 4, block);
	}
	free(line);
	fclose(in);
	assert_int_equal(nfiles, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reload_swaps_profile_actions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_dir_made_after_start,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_in_profiles, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_broken_draft_does_not_block,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_bridge_same_controller,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_readme_examples_check,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_symlinked_profile_follows_its_target, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_file_switch_to_other_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_pattern_edit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_port_pattern_edit_raw_only,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
