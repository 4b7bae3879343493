/*
 * End to end with raw MIDI byte streams (a capture file, a FIFO, standard
 * input): the real ctlbridge binary and a liblo receiver on a free port.
 * Also the command line's exit statuses and messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <sched.h>
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
	char tmp[256];
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.osc = oscrecv_new();
	oscrecv_ignore(f.osc, "/set_surface");	/* Ardour's feedback handshake */
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	snprintf(f.tmp, sizeof(f.tmp), "/tmp/%s", test_unique("ctlb-raw"));
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	proc_free(&f->bridge);
	oscrecv_free(f->osc);
	unlink(f->tmp);
	return 0;
}

static char *
read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(fp);
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
run_bridge(struct fixture *f, char *const extra[], const char *stdin_path,
    int timeout_ms)
{
	char *argv[32] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw };
	int n = 5;

	for (int i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	assert_int_equal(proc_start(&f->bridge, argv, NULL, stdin_path), 0);
	if (!proc_wait(&f->bridge, timeout_ms)) {
		print_error("bridge did not exit:\n%s\n", proc_output(&f->bridge));
		fail();
	}
	return WIFEXITED(f->bridge.status) ? WEXITSTATUS(f->bridge.status) : -1;
}

/* The received messages, one a line, must equal the expected text. */
static void
assert_received(struct fixture *f, const char *expected)
{
	int lines = 0;

	for (const char *p = expected; *p; p++)
		lines += *p == '\n';
	oscrecv_wait(f->osc, lines, 3000);
	oscrecv_settle(f->osc, 100);
	if (strcmp(oscrecv_dump(f->osc), expected) != 0) {
		print_error("expected:\n%sgot:\n%sbridge log:\n%s\n", expected,
		    oscrecv_dump(f->osc), proc_output(&f->bridge));
		fail();
	}
}

/* Replaying a nanoKONTROL2 capture through the engineer profile. */
static void
test_replay_capture(void **state)
{
	struct fixture *f = *state;
	char *expected = read_file("tests/data/captures/nanokontrol2-engineer.expected");
	char *extra[] = { "-m", "raw:tests/data/captures/nanokontrol2-engineer.bin",
	    NULL };

	assert_int_equal(run_bridge(f, extra, NULL, 5000), 0);
	assert_received(f, expected);
	free(expected);
}

/* Standard input, with running status and realtime bytes in the middle of
 * messages, as a serial line would deliver them. */
static void
test_stdin_running_status(void **state)
{
	struct fixture *f = *state;
	const uint8_t bytes[] = {
		0xB0, 0x00, 0xF8, 0x64,	/* fader1 unity, clock inside */
		0x01, 0x7F,		/* running status: fader2 top */
		0xFE,			/* active sensing */
		0x40, 0x7F,		/* running status: R1 press */
		0x40, 0x00,		/* R1 release */
	};
	char *extra[] = { "-m", "raw:-", NULL };

	write_bytes(f->tmp, bytes, sizeof(bytes));
	assert_int_equal(run_bridge(f, extra, f->tmp, 5000), 0);
	assert_received(f, "/strip/gain if 1 0\n/strip/gain if 2 6\n"
	    "/strip/recenable ii 1 1\n");
}

/* A FIFO: the bridge waits for a writer and ends when it closes. */
static void
test_fifo(void **state)
{
	struct fixture *f = *state;
	char spec[300];
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw,
	    "-m", spec, NULL };
	const uint8_t first[] = { 0xB0, 41, 127 }, second[] = { 0xB0, 42, 127 };
	int fd;

	assert_int_equal(mkfifo(f->tmp, 0600), 0);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	sleep_ms(300);
	assert_false(proc_wait(&f->bridge, 0));	/* no writer yet: waiting */
	fd = open(f->tmp, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, first, 3), 3);
	oscrecv_wait(f->osc, 1, 3000);
	assert_int_equal(write(fd, second, 3), 3);
	close(fd);
	assert_true(proc_wait(&f->bridge, 5000));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	assert_received(f, "/transport_play\n/transport_stop\n");
}

/* Random garbage: no crash, exit 0, and a valid message after it still
 * gets through (the decoder resynchronises on the next status byte). */
static void
test_garbage(void **state)
{
	struct fixture *f = *state;
	uint8_t bytes[20000];
	uint32_t x = 12345;
	char spec[300];
	char *extra[] = { "-p", "producer", "-m", spec, NULL };
	const uint8_t tail[] = { 0xF7, 0xB0, 60, 127 };	/* marker set */

	for (size_t i = 0; i < sizeof(bytes) - sizeof(tail); i++) {
		x = x * 1103515245u + 12345u;
		bytes[i] = (uint8_t)(x >> 16);
		/* keep controller messages out so the output is predictable */
		if ((bytes[i] & 0xF0) == 0xB0 || (bytes[i] & 0xF0) == 0x90 ||
		    (bytes[i] & 0xF0) == 0x80 || bytes[i] == 0xF0)
			bytes[i] = 0xF8;
	}
	memcpy(bytes + sizeof(bytes) - sizeof(tail), tail, sizeof(tail));
	write_bytes(f->tmp, bytes, sizeof(bytes));
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(run_bridge(f, extra, NULL, 5000), 0);
	assert_received(f, "/add_marker\n");
}

/* Presses that cannot do their job (a section marker or a loop with no
 * playhead from the DAW: none listens here) are each still sent, but the
 * log says why once, not once a press: random or stuck input must not
 * flood it. */
static void
test_presses_without_playhead_rate_limited(void **state)
{
	struct fixture *f = *state;
	uint8_t bytes[200 * 12];
	char spec[300];
	char *extra[] = { "-p", "producer", "-m", spec, NULL };
	size_t n = 0;

	for (int i = 0; i < 200; i++) {
		const uint8_t press[] = { 0xB0, 64, 127, 0xB0, 64, 0,	/* R1 */
		    0xB0, 59, 127, 0xB0, 59, 0 };			/* track > */
		memcpy(bytes + n, press, sizeof(press));
		n += sizeof(press);
	}
	write_bytes(f->tmp, bytes, n);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(run_bridge(f, extra, NULL, 10000), 0);
	oscrecv_wait(f->osc, 200, 3000);
	oscrecv_settle(f->osc, 100);
	/* every section marker went out */
	assert_int_equal(count_substr(oscrecv_dump(f->osc), "/add_marker"), 200);
	/* the 400 reasons: one line, a second with the count at most */
	assert_true(count_substr(f->bridge.output, "reports no playhead") >= 1);
	if (count_substr(f->bridge.output, "reports no playhead") > 2) {
		print_error("bridge log:\n%s\n", proc_output(&f->bridge));
		fail();
	}
}

/* The main thread's voluntary sleeps so far (each wakeup of poll). */
static long
main_thread_wakeups(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid,
	    (int)pid);
	return proc_status_number(path, "voluntary_ctxt_switches");
}

/* An idle bridge sleeps: with a DAW dialect that asks for nothing (no
 * handshake, no heartbeat) and no MIDI, its main thread does not wake (it
 * once woke every second for a link tick with nothing to do). */
static void
test_idle_bridge_sleeps(void **state)
{
	struct fixture *f = *state;
	char spec[300];
	char *argv[] = { (char *)ctlbridge_path(), "-c", "tests/data/switch",
	    "-p", "a", "--no-watch", "-o", f->daw, "-m", spec, NULL };
	long before, after;
	int fd;

	assert_int_equal(mkfifo(f->tmp, 0600), 0);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	fd = open(f->tmp, O_WRONLY);
	assert_true(fd >= 0);
	assert_true(proc_wait_output(&f->bridge, "control: OSC port", 5000));
	sleep_ms(500);		/* start-up settles */
	before = main_thread_wakeups(f->bridge.pid);
	sleep_ms(3500);
	after = main_thread_wakeups(f->bridge.pid);
	close(fd);
	assert_true(before >= 0);
	if (after - before > 1) {
		print_error("%ld wakeups in 3.5 idle seconds\n", after - before);
		fail();
	}
}

/* Oversize sysex is dropped with a warning; what follows still works. */
static void
test_oversize_sysex(void **state)
{
	struct fixture *f = *state;
	uint8_t bytes[3000];
	char spec[300];
	char *extra[] = { "-m", spec, NULL };
	size_t n = 0;

	bytes[n++] = 0xF0;
	while (n < 2500)
		bytes[n++] = 0x11;
	bytes[n++] = 0xF7;
	bytes[n++] = 0xB0; bytes[n++] = 41; bytes[n++] = 127;
	write_bytes(f->tmp, bytes, n);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(run_bridge(f, extra, NULL, 5000), 0);
	assert_received(f, "/transport_play\n");
	assert_non_null(strstr(f->bridge.output, "sysex"));
}

/* No DAW listening: messages are sent into the void, the bridge does not
 * mind, and ends normally. */
static void
test_no_daw(void **state)
{
	struct fixture *f = *state;
	char *extra[] = { "-m", "raw:tests/data/captures/nanokontrol2-engineer.bin",
	    NULL };

	oscrecv_free(f->osc);
	f->osc = oscrecv_new();	/* a fresh port; f->daw points at the old one */
	oscrecv_ignore(f->osc, "/set_surface");
	assert_int_equal(run_bridge(f, extra, NULL, 5000), 0);
	assert_int_equal(oscrecv_settle(f->osc, 100), 0);
	assert_non_null(strstr(f->bridge.output, "nothing listens at"));
	/* rate-limited: one line, not thirteen */
	assert_null(strstr(strstr(f->bridge.output, "nothing listens at") + 1,
	    "nothing listens at"));
}

static int
exit_of(struct fixture *f, char *const argv[])
{
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	assert_true(proc_wait(&f->bridge, 5000));
	return WIFEXITED(f->bridge.status) ? WEXITSTATUS(f->bridge.status) : -1;
}

static void
test_usage_errors(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *bad_input[] = { b, "-c", ".", "-m", "midi:x", NULL };
	char *bad_flag[] = { b, "-c", ".", "-x", NULL };
	char *extra_arg[] = { b, "-c", ".", "frobnicate", NULL };
	char *stdin_twice[] = { b, "-c", ".", "-p", "engineer", "-m", "raw:-",
	    "-p", "producer", "-m", "raw:-", NULL };
	char *file_twice[] = { b, "-c", ".", "-m",
	    "raw:tests/data/captures/nanokontrol2-engineer.bin", "-m",
	    "raw:tests/data/captures/nanokontrol2-engineer.bin", NULL };

	assert_int_equal(exit_of(f, bad_input), 2);
	assert_non_null(strstr(f->bridge.output, "bad MIDI input 'midi:x'"));
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, bad_flag), 2);
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, extra_arg), 2);
	assert_non_null(strstr(f->bridge.output, "unknown command 'frobnicate'"));
	proc_free(&f->bridge);
	/* one byte stream, two readers: each would get part of it */
	assert_int_equal(exit_of(f, stdin_twice), 2);
	assert_string_equal(f->bridge.output, "ctlbridge: error: -m raw:- given "
	    "twice: a byte stream is read by one input only\n");
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, file_twice), 2);
	assert_non_null(strstr(f->bridge.output, "-m raw:tests/data/captures/"));
}

static void
test_runtime_errors(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *no_profile[] = { b, "-c", ".", "-p", "nosuch", "-m", "raw:-", NULL };
	char *no_file[] = { b, "-c", ".", "-m", "raw:/nonexistent/x.bin", NULL };
	char *bad_daw[] = { b, "-c", ".", "-o", "nohostport", "-m", "raw:-", NULL };

	assert_int_equal(exit_of(f, no_profile), 1);
	/* the message names the profiles there are, in order */
	assert_non_null(strstr(f->bridge.output,
	    "no profile 'nosuch' (profiles: engineer, engineer-"));
	assert_non_null(strstr(f->bridge.output, ", producer"));
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, no_file), 1);
	assert_non_null(strstr(f->bridge.output, "No such file or directory"));
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, bad_daw), 1);
	assert_non_null(strstr(f->bridge.output, "'nohostport' is not HOST:PORT"));
}

/* An explicitly requested ALSA input that cannot exist is an error that
 * names the cause. */
static void
test_alsa_requested_without_sequencer(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-m", "alsa", NULL };

	if (access("/dev/snd/seq", F_OK) == 0) {
		print_message("# this machine has /dev/snd/seq: nothing to test\n");
		skip();
	}
	assert_int_equal(exit_of(f, argv), 1);
	assert_non_null(strstr(f->bridge.output, "/dev/snd/seq does not exist"));
	assert_null(strstr(f->bridge.output, "ALSA lib"));
}

/* `check` on the shipped files, on a bad file, and its usage. */
static void
test_check(void **state)
{
	struct fixture *f = *state;
	char *b = (char *)ctlbridge_path();
	char *shipped[] = { b, "check", "-c", ".", NULL };
	char *one[] = { b, "check", "-c", ".", "profiles/engineer.ini", NULL };
	char *bad[] = { b, "check", "-c", ".", f->tmp, NULL };
	char *usage[] = { b, "check", "-z", NULL };
	FILE *fp;

	assert_int_equal(exit_of(f, shipped), 0);
	assert_non_null(strstr(f->bridge.output, "ok: "));
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, one), 0);
	proc_free(&f->bridge);
	fp = fopen(f->tmp, "w");
	fprintf(fp, "[profile]\ncontroller = nanokontrol2\ndaw = ardour\n"
	    "[bindings]\nfader9 = track.gain track=9\nplay = transport.ply\n");
	fclose(fp);
	assert_int_equal(exit_of(f, bad), 1);
	{
		char want[1200];
		snprintf(want, sizeof(want),
		    "%s:5: controller 'nanokontrol2' has no control 'fader9'\n"
		    "%s:6: unknown action 'transport.ply' (transport actions "
		    "are play, stop, toggle, record, start, end, rewind, "
		    "forward, loop)\n", f->tmp, f->tmp);
		assert_string_equal(f->bridge.output, want);
	}
	proc_free(&f->bridge);
	assert_int_equal(exit_of(f, usage), 2);
}

/* A serial tty that goes away (the master side closes: the pty's node
 * disappears) is reopened when a device of that name returns, and the
 * bridge keeps serving throughout. */
static void
test_tty_goes_away_and_returns(void **state)
{
	struct fixture *f = *state;
	char name[128], spec[160];
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw,
	    "-m", spec, NULL };
	const uint8_t play[] = { 0xB0, 41, 127 }, stop[] = { 0xB0, 42, 127 };
	int master, others[32], nothers = 0;

	/* close-on-exec: a master inherited by the bridge would never hang up */
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	snprintf(name, sizeof(name), "%s", ptsname(master));
	snprintf(spec, sizeof(spec), "raw:%s", name);
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	assert_true(proc_wait_output(&f->bridge, "profile engineer", 5000));
	sleep_ms(200);	/* the tty is open and in raw mode */
	assert_int_equal(write(master, play, 3), 3);
	oscrecv_wait(f->osc, 1, 3000);
	close(master);
	assert_true(proc_wait_output(&f->bridge, "reopening when it returns", 5000));
	assert_false(proc_wait(&f->bridge, 0));

	/* the lowest free pty number comes back first */
	for (;;) {
		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		assert_true(master >= 0 && nothers < 32);
		grantpt(master);
		unlockpt(master);
		if (strcmp(ptsname(master), name) == 0)
			break;
		others[nothers++] = master;
	}
	assert_true(proc_wait_output(&f->bridge, "open again", 5000));
	sleep_ms(100);
	assert_int_equal(write(master, stop, 3), 3);
	oscrecv_wait(f->osc, 2, 3000);
	proc_stop(&f->bridge);
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	close(master);
	while (nothers > 0)
		close(others[--nothers]);
	assert_received(f, "/transport_play\n/transport_stop\n");
}

/* A dialect with protocol = tcp: the same messages over liblo's TCP; and
 * with nobody listening, a warning and no crash. */
static void
test_tcp_dialect(void **state)
{
	struct fixture *f = *state;
	struct oscrecv *tcp = oscrecv_new_tcp();
	char dir[300], path[2048], daw[64];
	char *argv[] = { (char *)ctlbridge_path(), "-c", dir, "-o", daw, "-m",
	    "raw:tests/data/captures/nanokontrol2-engineer.bin", NULL };
	char *expected = read_file("tests/data/captures/nanokontrol2-engineer.expected");
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s.d", f->tmp);
	snprintf(path, sizeof(path), "mkdir -p %s/mappings/controllers "
	    "%s/mappings/daws %s/profiles && cp mappings/controllers/*.ini "
	    "%s/mappings/controllers && cp profiles/*.ini %s/profiles && "
	    "sed 's/^protocol = udp/protocol = tcp/' mappings/daws/ardour.ini "
	    "> %s/mappings/daws/ardour.ini", dir, dir, dir, dir, dir, dir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/mappings/daws/ardour.ini", dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	fclose(fp);

	oscrecv_ignore(tcp, "/set_surface");
	snprintf(daw, sizeof(daw), "127.0.0.1:%d", oscrecv_port(tcp));
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	oscrecv_wait(tcp, 13, 5000);
	assert_true(proc_wait(&f->bridge, 5000));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	oscrecv_settle(tcp, 100);
	assert_string_equal(oscrecv_dump(tcp), expected);
	oscrecv_free(tcp);
	proc_free(&f->bridge);

	/* nobody listening on that port any more */
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	assert_true(proc_wait(&f->bridge, 5000));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	assert_non_null(strstr(f->bridge.output, "cannot send"));
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	free(expected);
}

/* The DAW is not there when the bridge starts: a warning says so; when it
 * appears, every later message arrives exactly once (the kernel's pending
 * "port unreachable" must not eat one). */
static void
test_daw_appears_later(void **state)
{
	struct fixture *f = *state;
	char spec[300];
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw,
	    "-m", spec, "-v", NULL };
	const uint8_t play[] = { 0xB0, 41, 127 }, stop[] = { 0xB0, 42, 127 },
	    rec[] = { 0xB0, 45, 127 };
	int port = oscrecv_port(f->osc), fd, sends = 0;

	oscrecv_free(f->osc);	/* nobody listens on f->daw now */
	f->osc = NULL;
	assert_int_equal(mkfifo(f->tmp, 0600), 0);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	fd = open(f->tmp, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, play, 3), 3);
	sleep_ms(100);
	assert_int_equal(write(fd, play, 3), 3);	/* meets the pending error */
	assert_true(proc_wait_output(&f->bridge, "nothing listens at", 3000));
	/* both plays went out (into the void) before the DAW appears */
	for (int waited = 0; sends < 2 && waited < 3000; waited += 10) {
		const char *o = proc_output(&f->bridge);
		sends = 0;
		while ((o = strstr(o, "play -> /transport_play")) != NULL)
			sends++, o++;
		sleep_ms(10);
	}
	assert_int_equal(sends, 2);
	f->osc = oscrecv_new_at(port);
	assert_non_null(f->osc);
	oscrecv_ignore(f->osc, "/set_surface");
	assert_int_equal(write(fd, stop, 3), 3);
	sleep_ms(50);
	assert_int_equal(write(fd, rec, 3), 3);
	close(fd);
	assert_true(proc_wait(&f->bridge, 5000));
	assert_received(f, "/transport_stop\n/rec_enable_toggle\n");
}

/* The next datagram on fd as text: a message's address, or a bundle's
 * addresses in brackets; "" after timeout_ms. */
static const char *
next_datagram(int fd, int timeout_ms, char *text, size_t len)
{
	unsigned char d[2048];
	struct timeval tv = { timeout_ms / 1000, timeout_ms % 1000 * 1000 };
	ssize_t n;
	size_t used = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	text[0] = '\0';
	if ((n = recv(fd, d, sizeof(d) - 1, 0)) <= 0)
		return text;
	d[n] = '\0';
	if (n < 16 || memcmp(d, "#bundle", 8) != 0) {
		snprintf(text, len, "%.200s", (const char *)d);
		return text;
	}
	assert_memory_equal(d + 8, "\0\0\0\0\0\0\0\1", 8);	/* immediately */
	used = (size_t)snprintf(text, len, "[");
	for (ssize_t at = 16; at + 4 <= n;) {
		uint32_t size;
		memcpy(&size, d + at, 4);
		size = ntohl(size);
		assert_true(size % 4 == 0 && size <= (size_t)(n - at - 4));
		used += (size_t)snprintf(text + used, len - used, "%s%.200s",
		    at > 16 ? " " : "", (const char *)d + at + 4);
		at += 4 + (ssize_t)size;
	}
	snprintf(text + used, len - used, "]");
	return text;
}

/* To a DAW that takes bundles (Ardour's dialect says bundle = on): what
 * one round of the loop sends goes in one bundle, in order; a lone event
 * goes as a message of its own, as to any DAW. */
static void
test_bundles(void **state)
{
	struct fixture *f = *state;
	char spec[300], daw[64], text[1024];
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", daw,
	    "-m", spec, NULL };
	const uint8_t play[] = { 0xB0, 41, 127 };
	const uint8_t three[] = { 0xB0, 41, 127, 0xB0, 42, 127, 0xB0, 45, 127 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	int sock = socket(AF_INET, SOCK_DGRAM, 0), fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(sock, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(sock, (struct sockaddr *)&sin, &slen), 0);
	snprintf(daw, sizeof(daw), "127.0.0.1:%d", ntohs(sin.sin_port));
	assert_int_equal(mkfifo(f->tmp, 0600), 0);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	fd = open(f->tmp, O_WRONLY);
	assert_true(fd >= 0);
	/* the handshake first (a greeting of its own) */
	assert_string_equal(next_datagram(sock, 3000, text, sizeof(text)),
	    "/set_surface");
	assert_int_equal(write(fd, play, 3), 3);
	assert_string_equal(next_datagram(sock, 3000, text, sizeof(text)),
	    "/transport_play");
	assert_int_equal(write(fd, three, sizeof(three)), (ssize_t)sizeof(three));
	assert_string_equal(next_datagram(sock, 3000, text, sizeof(text)),
	    "[/transport_play /transport_stop /rec_enable_toggle]");
	close(fd);
	assert_true(proc_wait(&f->bridge, 5000));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	assert_string_equal(next_datagram(sock, 100, text, sizeof(text)), "");
	close(sock);
}

/* -R: the event loop runs SCHED_FIFO where allowed (the suite may run as
 * root or with an rtprio limit: skipped when neither), and says so; where
 * the limit forbids it, one warning says why at start and it runs. */
static void
test_realtime(void **state)
{
	struct fixture *f = *state;
	char spec[300];
	char *argv[] = { (char *)ctlbridge_path(), "-c", ".", "-o", f->daw,
	    "-m", spec, "-R", NULL };
	char *denied[] = { "/usr/bin/setpriv", "--inh-caps=-sys_nice",
	    "--bounding-set=-sys_nice", "/usr/bin/prlimit", "--rtprio=0",
	    (char *)ctlbridge_path(), "-c", ".", "-o", f->daw, "-m", spec, "-R",
	    NULL };
	const uint8_t play[] = { 0xB0, 41, 127 };
	struct sched_param sp;
	int fd, policy;

	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK,
	    &(struct sched_param){ .sched_priority = 1 }) < 0)
		skip();		/* this user may not: nor may the bridge */
	sched_setscheduler(0, SCHED_OTHER, &(struct sched_param){ 0 });
	assert_int_equal(mkfifo(f->tmp, 0600), 0);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	assert_int_equal(proc_start(&f->bridge, argv, NULL, NULL), 0);
	fd = open(f->tmp, O_WRONLY);
	assert_true(fd >= 0);
	assert_true(proc_wait_output(&f->bridge, "realtime: the event loop runs "
	    "SCHED_FIFO, priority 1", 3000));
	policy = sched_getscheduler(f->bridge.pid);
	assert_int_equal(policy & ~SCHED_RESET_ON_FORK, SCHED_FIFO);
	assert_int_equal(sched_getparam(f->bridge.pid, &sp), 0);
	assert_int_equal(sp.sched_priority, 1);
	assert_int_equal(write(fd, play, 3), 3);
	close(fd);
	assert_true(proc_wait(&f->bridge, 5000));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	assert_received(f, "/transport_play\n");
	proc_free(&f->bridge);
	oscrecv_clear(f->osc);

	if (access(denied[0], X_OK) != 0 || access(denied[3], X_OK) != 0)
		return;
	assert_int_equal(proc_start(&f->bridge, denied, NULL, NULL), 0);
	fd = open(f->tmp, O_WRONLY);
	assert_true(fd >= 0);
	assert_true(proc_wait_output(&f->bridge, "realtime (-R) asked for but "
	    "not allowed: the realtime priority limit (ulimit -r) is 0", 3000));
	assert_int_equal(write(fd, play, 3), 3);
	close(fd);
	assert_true(proc_wait(&f->bridge, 5000));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	assert_received(f, "/transport_play\n");
	assert_int_equal(count_substr(proc_output(&f->bridge), "not allowed"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_capture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin_running_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_bridge_sleeps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_presses_without_playhead_rate_limited,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversize_sysex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_daw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alsa_requested_without_sequencer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tty_goes_away_and_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_dialect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daw_appears_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bundles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_realtime, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
