/*
 * ctlbridge learn, end to end: the real binary fed byte streams (raw:FILE)
 * and a JACK source; the line it prints for each kind of control, and
 * learning into a copy of a controller file (comments kept, a backup, a
 * clash refused with the line that has it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jackenv.h"
#include "proc.h"

struct fixture {
	char tmp[256];		/* a directory of its own */
	struct proc learn;
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	snprintf(f.tmp, sizeof(f.tmp), "/tmp/%s", test_unique("ctlb-learn"));
	assert_int_equal(mkdir(f.tmp, 0755), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[512];

	proc_free(&f->learn);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->tmp);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static char *
read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long len;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	return buf;
}

static void
write_bytes(const char *path, const uint8_t *b, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(b, 1, n, fp), n);
	fclose(fp);
}

static int
exit_status(const struct proc *p)
{
	return WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
}

/* Does the output have this whole line? */
static bool
has_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; (p = strstr(p, line)) != NULL; p++)
		if ((p == out || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* learn -n 1 on these bytes; its output (exit status 0 asserted). */
static const char *
learn_bytes(struct fixture *f, const uint8_t *b, size_t n)
{
	char path[300], spec[310];
	char *argv[] = { (char *)ctlbridge_path(), "learn", "-n", "1", "-m",
	    spec, NULL };

	snprintf(path, sizeof(path), "%s/in.mid", f->tmp);
	snprintf(spec, sizeof(spec), "raw:%s", path);
	write_bytes(path, b, n);
	proc_free(&f->learn);
	assert_int_equal(proc_start(&f->learn, argv, NULL, NULL), 0);
	assert_true(proc_wait(&f->learn, 5000));
	if (f->learn.status != 0)
		fprintf(stderr, "# %s", proc_output(&f->learn));
	assert_int_equal(exit_status(&f->learn), 0);
	return proc_output(&f->learn);
}

#define LEARN(f, ...) learn_bytes(f, (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void
expect(const char *out, const char *line)
{
	if (!has_line(out, line))
		fprintf(stderr, "# wanted '%s' in:\n%s", line, out);
	assert_true(has_line(out, line));
}

static void
test_button(void **state)
{
	/* play: pressed twice, 127 and 0 each time */
	expect(LEARN(*state, 0xB0, 41, 127, 0xB0, 41, 0, 0xB0, 41, 127,
	    0xB0, 41, 0), "button1 = cc 41 button");
	/* a pad that lights on 1: press and release */
	expect(LEARN(*state, 0xB0, 20, 1, 20, 0), "button1 = cc 20 button");
	/* a drum pad: note with velocity, on channel 10 */
	expect(LEARN(*state, 0x99, 36, 100, 0x89, 36, 0, 0x99, 36, 37,
	    0x99, 36, 0), "pad1 = note 36 button channel=10");
}

static void
test_fader(void **state)
{
	/* a slow fader: one value after another, running status */
	expect(LEARN(*state, 0xB0, 0, 10, 0, 11, 0, 12, 0, 14, 0, 13, 0, 9),
	    "fader1 = cc 0");
	/* a fast one to the top and back to 0 */
	expect(LEARN(*state, 0xB1, 7, 0, 7, 40, 7, 127, 7, 60, 7, 0),
	    "fader1 = cc 7 channel=2");
	expect(LEARN(*state, 0xE0, 0, 64, 0xE0, 10, 70, 0xE0, 0, 64),
	    "bend1 = pitchbend");
}

static void
test_relative_modes(void **state)
{
	/* clockwise by 1, 1, 2, then back by 1, 1 */
	expect(LEARN(*state, 0xB0, 16, 1, 16, 1, 16, 2, 16, 127, 16, 127),
	    "knob1 = cc 16 relative=twos-complement");
	expect(LEARN(*state, 0xB0, 16, 1, 16, 1, 16, 2, 16, 65, 16, 65),
	    "knob1 = cc 16 relative=sign-magnitude");
	expect(LEARN(*state, 0xB0, 16, 65, 16, 65, 16, 66, 16, 63, 16, 63),
	    "knob1 = cc 16 relative=binary-offset");
	/* one way only: the value repeats, so an encoder; the coding is
	 * a guess, said */
	const char *out = LEARN(*state, 0xB0, 17, 1, 17, 1, 17, 1);
	expect(out, "knob1 = cc 17 relative=twos-complement");
	assert_non_null(strstr(out, "turn it both ways"));
}

static void
test_fine_and_nrpn(void **state)
{
	/* a 14-bit fader: MSB on 1, LSB on 33 */
	expect(LEARN(*state, 0xB0, 1, 16, 0xB0, 33, 5, 0xB0, 1, 17, 0xB0, 33, 0),
	    "fine1 = cc14 1");
	/* NRPN 1234 (MSB 9, LSB 82), data entry 6 and 38 */
	expect(LEARN(*state, 0xB0, 99, 9, 0xB0, 98, 82, 0xB0, 6, 16, 0xB0, 38,
	    0, 0xB0, 6, 17), "param1 = nrpn 1234");
	/* an NRPN encoder: increments and decrements */
	expect(LEARN(*state, 0xB0, 99, 0, 0xB0, 98, 7, 0xB0, 96, 1, 0xB0, 96, 1,
	    0xB0, 97, 1), "param1 = nrpn 7 relative");
	expect(LEARN(*state, 0xB0, 101, 0, 0xB0, 100, 0, 0xB0, 6, 2),
	    "param1 = rpn 0");
}

static void
test_input_ends_first(void **state)
{
	struct fixture *f = *state;
	char path[300], spec[310];
	char *argv[] = { (char *)ctlbridge_path(), "learn", "-n", "2", "-m",
	    spec, NULL };

	snprintf(path, sizeof(path), "%s/in.mid", f->tmp);
	snprintf(spec, sizeof(spec), "raw:%s", path);
	write_bytes(path, (const uint8_t[]){ 0xB0, 41, 127, 0xB0, 41, 0 }, 6);
	assert_int_equal(proc_start(&f->learn, argv, NULL, NULL), 0);
	assert_true(proc_wait(&f->learn, 5000));
	assert_int_equal(exit_status(&f->learn), 1);
	assert_true(has_line(proc_output(&f->learn), "button1 = cc 41 button"));
	assert_non_null(strstr(f->learn.output, "input ended after 1 of 2"));
}

/* Through JACK: a source client, moved by hand twice with a pause: two
 * controls, each decided after its quiet. */
static void
test_jack(void **state)
{
	struct fixture *f = *state;
	struct jackd jackd;
	struct midisrc *src;
	char *argv[] = { (char *)ctlbridge_path(), "learn", "-n", "2", "-m",
	    "jack:knobsrc", NULL };
	char *env[] = { jackd.env, NULL };

	memset(&jackd, 0, sizeof(jackd));
	assert_int_equal(jackd_start(&jackd, test_unique("ctlb-learn")), 0);
	src = midisrc_new(jackd.name, "knobsrc");
	assert_non_null(src);
	assert_int_equal(proc_start(&f->learn, argv, env, NULL), 0);
	if (!midisrc_wait_connected(src, 1, 8000)) {
		midisrc_print_graph(src);
		fprintf(stderr, "# %s", proc_output(&f->learn));
		fail();
	}
	for (int i = 0; i < 4; i++) {
		uint8_t m[3] = { 0xB0, 16, i < 2 ? 1 : 127 };
		midisrc_send(src, m, 3);
		sleep_ms(30);
	}
	sleep_ms(900);		/* quiet: the encoder is decided */
	for (int i = 0; i < 3; i++) {
		uint8_t m[3] = { 0xB0, 2, (uint8_t)(50 + i * 3) };
		midisrc_send(src, m, 3);
		sleep_ms(30);
	}
	assert_true(proc_wait(&f->learn, 5000));
	if (f->learn.status != 0)
		fprintf(stderr, "# %s", proc_output(&f->learn));
	assert_int_equal(exit_status(&f->learn), 0);
	expect(proc_output(&f->learn), "knob1 = cc 16 relative=twos-complement");
	expect(f->learn.output, "fader1 = cc 2");
	midisrc_free(src);
	jackd_stop(&jackd);
}

/* ^C while learning into a controller file, through JACK (its threads
 * must not take the signal): the controls learned so far are added all
 * the same, the exit status says not all were, and a control moved but
 * not decided yet is let go. */
static void
test_interrupted_keeps_what_was_learned(void **state)
{
	struct fixture *f = *state;
	struct jackd jackd;
	struct midisrc *src;
	char xdg[320], path[400], *now;
	char *argv[] = { (char *)ctlbridge_path(), "learn", "-m", "jack:knobsrc",
	    "nanokontrol2", "fader9", "fader10", NULL };
	char *env[] = { jackd.env, xdg, NULL };

	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/conf", f->tmp);
	snprintf(path, sizeof(path), "%s/conf/ctlbridge/mappings/controllers/"
	    "nanokontrol2.ini", f->tmp);
	memset(&jackd, 0, sizeof(jackd));
	assert_int_equal(jackd_start(&jackd, test_unique("ctlb-learn")), 0);
	src = midisrc_new(jackd.name, "knobsrc");
	assert_non_null(src);
	assert_int_equal(proc_start(&f->learn, argv, env, NULL), 0);
	if (!midisrc_wait_connected(src, 1, test_slow(8000))) {
		midisrc_print_graph(src);
		fprintf(stderr, "# %s", proc_output(&f->learn));
		fail();
	}
	for (int i = 0; i < 3; i++) {
		uint8_t m[3] = { 0xB0, 8, (uint8_t)(10 + i * 20) };
		midisrc_send(src, m, 3);
		sleep_ms(30);
	}
	assert_true(proc_wait_output(&f->learn, "move fader10",
	    test_slow(5000)));
	{
		uint8_t m[3] = { 0xB0, 9, 64 };	/* fader10 moved, then ^C */
		midisrc_send(src, m, 3);
	}
	sleep_ms(100);
	kill(f->learn.pid, SIGINT);
	assert_true(proc_wait(&f->learn, test_slow(5000)));
	assert_int_equal(exit_status(&f->learn), 1);
	expect(proc_output(&f->learn), "fader9 = cc 8");
	assert_non_null(strstr(f->learn.output, "interrupted after 1 of 2 "
	    "controls"));
	assert_non_null(strstr(f->learn.output, "added 1 line to"));
	assert_non_null(now = read_text(path));
	assert_non_null(strstr(now, "\nfader9 = cc 8\n"));
	assert_null(strstr(now, "fader10"));
	free(now);
	midisrc_free(src);
	jackd_stop(&jackd);
}

/* -m jack alone listens to every port but a bridge's: the LEDs a running
 * bridge sends are no control. */
static void
test_jack_every_port_but_a_bridge(void **state)
{
	struct fixture *f = *state;
	struct jackd jackd;
	struct midisrc *src, *bridge;
	char *argv[] = { (char *)ctlbridge_path(), "learn", "-n", "1", "-m",
	    "jack", NULL };
	char *env[] = { jackd.env, NULL };

	memset(&jackd, 0, sizeof(jackd));
	assert_int_equal(jackd_start(&jackd, test_unique("ctlb-learn")), 0);
	src = midisrc_new(jackd.name, "anydevice");
	bridge = midisrc_new(jackd.name, "ctlbridge-2");
	assert_non_null(src);
	assert_non_null(bridge);
	assert_int_equal(proc_start(&f->learn, argv, env, NULL), 0);
	if (!midisrc_wait_connected(src, 1, 8000)) {
		midisrc_print_graph(src);
		fprintf(stderr, "# %s", proc_output(&f->learn));
		fail();
	}
	/* the bridge's feedback: an LED lit and dark */
	midisrc_send(bridge, (const uint8_t[]){ 0xB0, 45, 127 }, 3);
	midisrc_send(bridge, (const uint8_t[]){ 0xB0, 45, 0 }, 3);
	midisrc_send(src, (const uint8_t[]){ 0x90, 40, 90 }, 3);
	midisrc_send(src, (const uint8_t[]){ 0x80, 40, 0 }, 3);
	assert_true(proc_wait(&f->learn, 5000));
	expect(proc_output(&f->learn), "pad1 = note 40 button");
	assert_null(strstr(f->learn.output, "cc 45"));
	assert_null(strstr(f->learn.output, "ctlbridge-2:out"));
	midisrc_free(bridge);
	midisrc_free(src);
	jackd_stop(&jackd);
}

/* learn nanokontrol2 NAME... into a copy: the user's directory has none
 * yet, so the shipped file is copied there first. */
static void
test_into_controller_file(void **state)
{
	struct fixture *f = *state;
	char conf[300], in[300], spec[310], path[400], bak[410], shipped[400];
	char *argv[] = { (char *)ctlbridge_path(), "learn", "-m", spec,
	    "nanokontrol2", "fader9", "button9", NULL };
	char *env[] = { NULL, NULL };
	char xdg[320];
	char *orig, *now, *saved;

	snprintf(xdg, sizeof(xdg), "XDG_CONFIG_HOME=%s/conf", f->tmp);
	env[0] = xdg;
	snprintf(conf, sizeof(conf), "%s/conf/ctlbridge", f->tmp);
	snprintf(path, sizeof(path), "%s/mappings/controllers/nanokontrol2.ini",
	    conf);
	snprintf(bak, sizeof(bak), "%s.bak", path);
	snprintf(in, sizeof(in), "%s/in.mid", f->tmp);
	snprintf(spec, sizeof(spec), "raw:%s", in);
	snprintf(shipped, sizeof(shipped), "mappings/controllers/nanokontrol2.ini");
	/* fader9 on cc 8 */
	write_bytes(in, (const uint8_t[]){ 0xB0, 8, 3, 8, 4, 8, 6 }, 7);
	argv[6] = NULL;		/* fader9 only */
	assert_int_equal(proc_start(&f->learn, argv, env, NULL), 0);
	assert_true(proc_wait(&f->learn, 5000));
	if (f->learn.status != 0)
		fprintf(stderr, "# %s", proc_output(&f->learn));
	assert_int_equal(exit_status(&f->learn), 0);
	expect(proc_output(&f->learn), "fader9 = cc 8");
	assert_non_null(strstr(f->learn.output, "copied"));

	orig = read_text(shipped);
	saved = read_text(bak);
	now = read_text(path);
	assert_non_null(orig);
	assert_non_null(saved);
	assert_non_null(now);
	assert_string_equal(saved, orig);	/* the backup: the file before */
	/* every line of the file kept, in order, the new one after the
	 * last control of [controls] */
	{
		const char *after = "marker_next = cc 62 button\n";
		char *at = strstr(orig, after);
		size_t head;
		assert_non_null(at);
		head = (size_t)(at - orig) + strlen(after);
		assert_memory_equal(now, orig, head);
		assert_string_equal(now + head + strlen("fader9 = cc 8\n"),
		    orig + head);
		assert_memory_equal(now + head, "fader9 = cc 8\n", 14);
	}
	free(saved);
	free(now);

	/* a clash: button9 on cc 41 is 'play', line 21 of the file */
	write_bytes(in, (const uint8_t[]){ 0xB0, 41, 127, 41, 0 }, 5);
	argv[5] = "button9";
	proc_free(&f->learn);
	assert_int_equal(proc_start(&f->learn, argv, env, NULL), 0);
	assert_true(proc_wait(&f->learn, 5000));
	assert_int_equal(exit_status(&f->learn), 1);
	assert_non_null(strstr(proc_output(&f->learn),
	    "'button9 = cc 41 button' refused: cc 41 on channel 1 is already "
	    "control 'play' (line 20)"));
	now = read_text(path);
	assert_non_null(strstr(now, "fader9 = cc 8\n"));
	assert_null(strstr(now, "button9"));
	free(now);

	/* a name already there: refused before listening */
	argv[5] = "fader9";
	proc_free(&f->learn);
	assert_int_equal(proc_start(&f->learn, argv, env, NULL), 0);
	assert_true(proc_wait(&f->learn, 5000));
	assert_int_equal(exit_status(&f->learn), 1);
	assert_non_null(strstr(proc_output(&f->learn),
	    "nanokontrol2.ini:31: 'fader9' is already defined there"));

	/* a name its line could not give back (x=y = cc 8 reads as x):
	 * refused before listening, the file untouched */
	argv[5] = "knob=9";
	proc_free(&f->learn);
	assert_int_equal(proc_start(&f->learn, argv, env, NULL), 0);
	assert_true(proc_wait(&f->learn, 5000));
	assert_int_equal(exit_status(&f->learn), 2);
	assert_string_equal(proc_output(&f->learn), "ctlbridge: error: 'knob=9' "
	    "cannot name a control: a name is one word without = : ; # [ ] or "
	    ".., like fader9\n");
	now = read_text(path);
	assert_null(strstr(now, "knob=9"));
	free(now);
	free(orig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_button, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fine_and_nrpn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_ends_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jack_every_port_but_a_bridge,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_into_controller_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_interrupted_keeps_what_was_learned, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
