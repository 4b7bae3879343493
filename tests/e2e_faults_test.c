/*
 * Faults and strangers, end to end with the real binary and a liblo
 * receiver: 10 MB of random bytes on a raw input, a sysex that never
 * ends, the configuration directory removed under a running bridge and
 * put back, garbage and wrong types on the bridge's OSC port, the address
 * that port listens on (loopback unless -L says otherwise) and senders
 * that are neither this machine nor a DAW, which are not heard.
 * (The JACK server stopping and returning, and a controller's port going
 * and returning, with role and LEDs kept, and the DAW restarting are in
 * e2e_feedback_test; a raw device going and returning in e2e_raw_test.)
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
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lo/lo.h>

#include "control.h"
#include "oscrecv.h"
#include "proc.h"

struct fixture {
	struct oscrecv *osc;
	struct proc bridge;
	char daw[64];
	char tmp[256];		/* a file, a FIFO or a directory */
	char runtime_env[300];
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.osc = oscrecv_new();
	oscrecv_ignore(f.osc, "/set_surface");	/* Ardour's feedback handshake */
	snprintf(f.daw, sizeof(f.daw), "127.0.0.1:%d", oscrecv_port(f.osc));
	snprintf(f.tmp, sizeof(f.tmp), "/tmp/%s", test_unique("ctlb-faults"));
	/* the bridge announces itself here, away from any other */
	snprintf(f.runtime_env, sizeof(f.runtime_env), "XDG_RUNTIME_DIR=%s.run",
	    f.tmp);
	mkdir(f.runtime_env + strlen("XDG_RUNTIME_DIR="), 0700);
	signal(SIGPIPE, SIG_IGN);
	*state = &f;
	return 0;
}

static void
remove_tree(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	proc_free(&f->bridge);
	oscrecv_free(f->osc);
	remove_tree(f->tmp);
	remove_tree(f->runtime_env + strlen("XDG_RUNTIME_DIR="));
	return 0;
}

/* The bridge with -o to our receiver and extra arguments; waits until its
 * port is open and returns the port. */
static int
start_bridge(struct fixture *f, const char *confdir, char *const extra[])
{
	char *argv[32] = { (char *)ctlbridge_path(), "-c", (char *)confdir,
	    "-o", f->daw };
	char *env[] = { f->runtime_env, NULL };
	const char *line;
	int n = 5;

	for (int i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	assert_int_equal(proc_start(&f->bridge, argv, env, NULL), 0);
	if (!proc_wait_output(&f->bridge, "control: OSC port ",
	    test_slow(5000))) {
		print_error("the bridge did not start:\n%s\n",
		    proc_output(&f->bridge));
		fail();
	}
	line = strstr(proc_output(&f->bridge), "control: OSC port ");
	return atoi(line + strlen("control: OSC port "));
}

static int
count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static int
count_of(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* The bridge answers a status request on its port. */
static void
assert_answers(int port)
{
	struct control_reply reply;
	const char *err = NULL;

	if (control_request(port, "/ctlbridge/status", NULL, 0, &reply,
	    &err) < 0)
		fail_msg("no status from the bridge: %s", err);
	assert_true(reply.ok);
	control_reply_free(&reply);
}

/* ---- raw inputs ---- */

/* 10 MB of random bytes, everything included (sysex starts, every status,
 * realtime), from a file: the bridge reads it all, says little and ends
 * normally when the file does.  Under valgrind (CTLBRIDGE_TEST_SLOW) the
 * size is divided by that factor. */
static void
test_ten_megabytes_of_noise(void **state)
{
	struct fixture *f = *state;
	size_t size = (size_t)10 << 20;
	char spec[300];
	char *extra[] = { "-m", spec, NULL };
	uint32_t x = 2463534242u;
	uint8_t *bytes;
	FILE *fp;

	size /= (size_t)test_slow(1);
	bytes = malloc(size);
	assert_non_null(bytes);
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		bytes[i] = (uint8_t)x;
	}
	assert_non_null(fp = fopen(f->tmp, "wb"));
	assert_int_equal(fwrite(bytes, 1, size, fp), size);
	fclose(fp);
	free(bytes);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	start_bridge(f, ".", extra);
	if (!proc_wait(&f->bridge, test_slow(60000))) {
		print_error("the bridge did not finish the file:\n%s\n",
		    proc_output(&f->bridge));
		fail();
	}
	assert_true(WIFEXITED(f->bridge.status));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
	/* it did translate: the noise holds every CC of the controller */
	assert_true(oscrecv_wait(f->osc, 1, 3000) > 0);
	/* rate limits hold the warnings to a screenful, not a line per
	 * oddity (what the noise did, a switch of role when it pressed
	 * 'cycle', is said each time: that is no oddity) */
	if (count_of(f->bridge.output, "warning:") > 20) {
		print_error("%d warnings in %d lines of log, the last:\n%s\n",
		    count_of(f->bridge.output, "warning:"),
		    count_lines(f->bridge.output), f->bridge.output +
		    (strlen(f->bridge.output) > 3000 ?
		    strlen(f->bridge.output) - 3000 : 0));
		fail();
	}
}

/* Writes all of b to fd (a FIFO the bridge reads). */
static void
write_all(int fd, const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		assert_true(w > 0);
		b += w;
		n -= (size_t)w;
	}
}

static long
rss_kb(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return proc_status_number(path, "VmRSS");
}

/* A sysex that starts and never ends: 4 MB of its data bytes through a
 * FIFO with no F7.  The bridge keeps up, its memory does not grow with
 * it, it says so once, and the first status byte after it ends it: the
 * next press goes through. */
static void
test_sysex_that_never_ends(void **state)
{
	struct fixture *f = *state;
	char spec[300];
	char *extra[] = { "-m", spec, NULL };
	static uint8_t data[64 << 10];
	const uint8_t play[] = { 0xB0, 41, 127 };
	const uint8_t start = 0xF0;
	long before, after;
	int fd;

	assert_int_equal(mkfifo(f->tmp, 0600), 0);
	snprintf(spec, sizeof(spec), "raw:%s", f->tmp);
	start_bridge(f, ".", extra);
	assert_true((fd = open(f->tmp, O_WRONLY)) >= 0);
	memset(data, 0x11, sizeof(data));
	write_all(fd, &start, 1);
	write_all(fd, data, sizeof(data));
	before = rss_kb(f->bridge.pid);
	for (int i = 0; i < 64; i++)
		write_all(fd, data, sizeof(data));
	/* all read: the FIFO is drained before the press is */
	write_all(fd, play, sizeof(play));
	assert_true(oscrecv_wait(f->osc, 1, test_slow(10000)) >= 1);
	assert_string_equal(oscrecv_get(f->osc, 0), "/transport_play");
	after = rss_kb(f->bridge.pid);
	assert_true(before > 0 && after > 0);
	if (after > before + 1024) {
		print_error("resident memory grew from %ld to %ld kB\n", before,
		    after);
		fail();
	}
	assert_int_equal(count_of(proc_output(&f->bridge), "sysex"), 1);
	close(fd);
	assert_true(proc_wait(&f->bridge, test_slow(5000)));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 0);
}

/* ---- the configuration ---- */

/* Its whole configuration directory removed under a running bridge: the
 * reload is rejected, the running set stays and keeps translating, the
 * control port answers; the directory put back, it reloads. */
static void
test_config_dir_removed(void **state)
{
	struct fixture *f = *state;
	char cmd[1200], fifo[300], spec[320];
	char *extra[] = { "-m", spec, NULL };
	const uint8_t play[] = { 0xB0, 41, 127, 0xB0, 41, 0 };
	int port, fd;

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && cp -r mappings profiles "
	    "'%s'", f->tmp, f->tmp);
	assert_int_equal(system(cmd), 0);
	snprintf(fifo, sizeof(fifo), "%s.fifo", f->tmp);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(spec, sizeof(spec), "raw:%s", fifo);
	port = start_bridge(f, f->tmp, extra);
	assert_true((fd = open(fifo, O_WRONLY)) >= 0);

	remove_tree(f->tmp);
	if (!proc_wait_output(&f->bridge, "running configuration stays in "
	    "service", test_slow(5000))) {
		print_error("no rejected reload:\n%s\n", proc_output(&f->bridge));
		fail();
	}
	assert_false(proc_wait(&f->bridge, 0));
	write_all(fd, play, sizeof(play));
	assert_true(oscrecv_wait(f->osc, 1, test_slow(3000)) >= 1);
	assert_string_equal(oscrecv_get(f->osc, 0), "/transport_play");
	assert_answers(port);

	/* put back: the watcher sees it and the set reloads */
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s.new' && cp -r mappings "
	    "profiles '%s.new' && mv '%s.new' '%s'", f->tmp, f->tmp, f->tmp,
	    f->tmp);
	assert_int_equal(system(cmd), 0);
	if (!proc_wait_output(&f->bridge, "reloaded (", test_slow(5000))) {
		print_error("no reload once the directory was back:\n%s\n",
		    proc_output(&f->bridge));
		fail();
	}
	assert_answers(port);
	close(fd);
	unlink(fifo);
}

/* ---- the bridge's OSC port ---- */

/* Does /proc/net/udp list a socket bound to addr (network order) at port? */
static bool
udp_bound(uint32_t addr, int port)
{
	char line[512], want[32];
	bool found = false;
	FILE *fp = fopen("/proc/net/udp", "r");

	assert_non_null(fp);
	/* the kernel prints the address as the int in host order */
	snprintf(want, sizeof(want), "%08X:%04X", (unsigned)addr, port);
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, want) != NULL)
			found = true;
	fclose(fp);
	return found;
}

/* Loopback unless told otherwise: the DAW here, the port is 127.0.0.1's;
 * -L 0.0.0.0 opens it to the network; -L takes an IPv4 address only. */
static void
test_listen_address(void **state)
{
	struct fixture *f = *state;
	char *raw[] = { "-m", "raw:/dev/null", "--no-watch", NULL };
	char *any[] = { "-m", "raw:/dev/null", "--no-watch", "-L", "0.0.0.0",
	    NULL };
	char *bad[] = { (char *)ctlbridge_path(), "-L", "localhost", NULL };
	int port;

	port = start_bridge(f, ".", raw);
	assert_true(udp_bound(htonl(INADDR_LOOPBACK), port));
	assert_false(udp_bound(htonl(INADDR_ANY), port));
	proc_free(&f->bridge);

	port = start_bridge(f, ".", any);
	assert_true(udp_bound(htonl(INADDR_ANY), port));
	assert_answers(port);
	proc_free(&f->bridge);

	assert_int_equal(proc_start(&f->bridge, bad, NULL, NULL), 0);
	assert_true(proc_wait(&f->bridge, test_slow(5000)));
	assert_int_equal(WEXITSTATUS(f->bridge.status), 2);
	assert_non_null(strstr(f->bridge.output, "-L takes an IPv4 address"));
}

/* This machine's first address that is not loopback, or 0. */
static uint32_t
outside_address(void)
{
	struct ifaddrs *ifs, *i;
	uint32_t a = 0;

	if (getifaddrs(&ifs) < 0)
		return 0;
	for (i = ifs; i && !a; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    (ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr)
		    >> 24) != 127)
			a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
	freeifaddrs(ifs);
	return a;
}

static size_t
serialise(char *buf, size_t size, const char *path, lo_message m)
{
	lo_message_serialise(m, path, buf, &size);
	lo_message_free(m);
	return size;
}

/* Open to the network (-L 0.0.0.0), a sender that is neither this
 * machine's loopback nor a DAW of the configuration is not heard: a
 * control request gets no answer, a DAW's report is not read; the log
 * says so, once.  From loopback the same request is answered. */
static void
test_stranger_not_heard(void **state)
{
	struct fixture *f = *state;
	char *any[] = { "-m", "raw:/dev/null", "--no-watch", "-L", "0.0.0.0",
	    "-v", NULL };
	struct sockaddr_in me, to;
	char buf[256], reply[256];
	size_t n;
	uint32_t addr = outside_address();
	int port, fd;
	lo_message m;

	if (addr == 0)
		skip();		/* no address but loopback here */
	port = start_bridge(f, ".", any);
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = addr;
	to = me;
	to.sin_port = htons((uint16_t)port);
	assert_true((fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);

	n = serialise(buf, sizeof(buf), "/ctlbridge/status", lo_message_new());
	for (int i = 0; i < 5; i++)
		assert_int_equal(sendto(fd, buf, n, 0, (struct sockaddr *)&to,
		    sizeof(to)), (ssize_t)n);
	m = lo_message_new();
	lo_message_add_float(m, 1.0f);
	n = serialise(buf, sizeof(buf), "/transport_play", m);
	assert_int_equal(sendto(fd, buf, n, 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)n);
	assert_true(proc_wait_output(&f->bridge, "ignored: not this machine, "
	    "nor the DAW of a profile", test_slow(3000)));
	/* nothing came back to the stranger */
	usleep(300 * 1000);
	assert_true(recv(fd, reply, sizeof(reply), MSG_DONTWAIT) < 0);
	assert_int_equal(count_of(proc_output(&f->bridge), "ignored: not this "
	    "machine"), 1);
	assert_null(strstr(proc_output(&f->bridge), "answers; feedback on"));
	close(fd);
	assert_answers(port);
}

/* Garbage and wrong types from this machine and from the DAW: requests
 * with the wrong argument types are answered as errors, reports with the
 * wrong types are not taken, truncated and oversized packets are dropped;
 * the bridge runs on and answers. */
static void
test_wrong_types_on_the_port(void **state)
{
	struct fixture *f = *state;
	char *raw[] = { "-m", "raw:/dev/null", "--no-watch", NULL };
	struct oscrecv *peer = oscrecv_new();
	char buf[512];
	size_t n;
	int port;
	lo_message m;
	static const char cut[] = "/ctlbridge/profile\0\0,s\0\0eng";
	static char big[60000];

	port = start_bridge(f, ".", raw);
	/* a switch with an int, a blob, nothing; status with arguments */
	m = lo_message_new();
	lo_message_add_int32(m, 3);
	n = serialise(buf, sizeof(buf), "/ctlbridge/profile", m);
	oscrecv_send_raw(peer, port, buf, n);
	m = lo_message_new();
	{
		lo_blob b = lo_blob_new(4, "abcd");
		lo_message_add_blob(m, b);
		n = serialise(buf, sizeof(buf), "/ctlbridge/profile", m);
		lo_blob_free(b);
	}
	oscrecv_send_raw(peer, port, buf, n);
	n = serialise(buf, sizeof(buf), "/ctlbridge/profile", lo_message_new());
	oscrecv_send_raw(peer, port, buf, n);
	m = lo_message_new();
	lo_message_add_string(m, "engineer");
	lo_message_add_string(m, "2");
	n = serialise(buf, sizeof(buf), "/ctlbridge/status", m);
	oscrecv_send_raw(peer, port, buf, n);
	assert_true(oscrecv_wait(peer, 4, test_slow(3000)) >= 4);
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(oscrecv_get(peer, i), "\"error\" "
		    "\"unknown request /ctlbridge/profile"));
	assert_non_null(strstr(oscrecv_get(peer, 3), "\"ok\""));
	/* a request cut short, and a big nothing */
	oscrecv_send_raw(peer, port, cut, sizeof(cut) - 1);
	memset(big, 0xff, sizeof(big));
	oscrecv_send_raw(peer, port, big, sizeof(big));

	/* the DAW (our receiver is at 127.0.0.1 too) with wrong types */
	m = lo_message_new();
	lo_message_add_string(m, "loud");
	n = serialise(buf, sizeof(buf), "/strip/gain", m);
	oscrecv_send_raw(f->osc, port, buf, n);
	m = lo_message_new();
	lo_message_add_int32(m, 1);
	lo_message_add_string(m, "x");
	n = serialise(buf, sizeof(buf), "/strip/fader", m);
	oscrecv_send_raw(f->osc, port, buf, n);
	m = lo_message_new();
	lo_message_add_symbol(m, "sym");
	lo_message_add_midi(m, (uint8_t[4]){ 1, 2, 3, 4 });
	n = serialise(buf, sizeof(buf), "/transport_play", m);
	oscrecv_send_raw(f->osc, port, buf, n);
	m = lo_message_new();
	lo_message_add_double(m, 0.0 / 0.0);
	n = serialise(buf, sizeof(buf), "/strip/mute", m);
	oscrecv_send_raw(f->osc, port, buf, n);

	usleep(200 * 1000);
	assert_false(proc_wait(&f->bridge, 0));
	assert_answers(port);
	oscrecv_free(peer);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ten_megabytes_of_noise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sysex_that_never_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_dir_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stranger_not_heard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types_on_the_port, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
