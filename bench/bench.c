/*
 * ctlbridge benchmark.  Measures, on this machine:
 *  1. in-process cost per MIDI event: decode; decode + map (controller ->
 *     profile -> value); decode + map + build and serialise the OSC message;
 *  2. end to end through the real binary: a raw capture of N fader moves
 *     replayed to a liblo receiver: messages per second, and the bridge's
 *     peak resident memory (wait4 ru_maxrss);
 *  3. latency, MIDI byte in to OSC datagram out, through a FIFO into the
 *     real binary: median, 99th percentile, maximum of many single
 *     round trips;
 *  4. switching: from a /ctlbridge/profile request to the first message
 *     under the new profile, through the real binary;
 *  5. reload: loading a configuration whose profile has 1000 bindings
 *     (parse, validate, compile), in process;
 *  6. feedback: a DAW's bundle of reports (gains and meters) walked,
 *     matched and resolved to their targets, in process;
 *  7. the monitor: a real bridge's event path (deliver) in process, with
 *     no monitor attached and with one, for events that send OSC and for
 *     events that match no control.
 * Nothing here asserts a time: it prints figures.  Run: make bench.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "bridge.h"
#include "config.h"
#include "engine.h"
#include "feedback.h"
#include "midi_decode.h"
#include "oscrecv.h"
#include "osc_out.h"
#include "proc.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct sink {
	struct engine *eng;
	int mode;		/* 0 decode, 1 map, 2 map + serialise */
	unsigned long events, messages;
	char buf[1024];
};

static void
on_event(void *ctx, const struct midi_event *ev)
{
	struct sink *k = ctx;
	struct engine_output out;

	k->events++;
	if (k->mode == 0)
		return;
	if (engine_event(k->eng, ev, 0, &out) != ENGINE_SEND)
		return;
	k->messages++;
	if (k->mode == 2) {
		lo_message m = osc_build_message(out.binding, out.value, NULL);
		size_t size = sizeof(k->buf);
		lo_message_serialise(m, out.binding->msg.address, k->buf, &size);
		lo_message_free(m);
	}
}

/* N fader moves across eight faders, with full status bytes. */
static uint8_t *
fader_stream(size_t n, size_t *len)
{
	uint8_t *b = malloc(n * 3);

	for (size_t i = 0; i < n; i++) {
		b[i * 3] = 0xB0;
		b[i * 3 + 1] = (uint8_t)(i % 8);
		b[i * 3 + 2] = (uint8_t)((i / 8) % 128);
	}
	*len = n * 3;
	return b;
}

static void
bench_in_process(const struct profile *p)
{
	static const char *names[] = { "decode", "decode+map",
	    "decode+map+OSC serialise" };
	size_t n = 2000000, len;
	uint8_t *bytes = fader_stream(n, &len);

	printf("in-process, %zu fader events (engineer profile):\n", n);
	for (int mode = 0; mode < 3; mode++) {
		struct sink k = { engine_new(p), mode, 0, 0, { 0 } };
		struct midi_decoder d;
		double t0, t1;

		midi_decoder_init(&d, 0, on_event, NULL, &k);
		t0 = now_s();
		midi_decoder_feed(&d, bytes, len, 0);
		t1 = now_s();
		printf("  %-26s %7.1f ns/event  (%lu events, %lu messages)\n",
		    names[mode], (t1 - t0) * 1e9 / (double)n, k.events, k.messages);
		engine_free(k.eng);
	}
	free(bytes);
}

struct reports {
	const struct config *cfg;
	const struct profile *p;
	unsigned long reports, resolved;
};

static void
on_report(void *ctx, const struct osc_in *msg)
{
	struct reports *r = ctx;
	struct feedback_match m;

	r->reports++;
	if (feedback_match(r->p->dialect, msg->path, msg->types, msg->argv,
	    msg->argc, &m) && config_target_of(r->cfg, r->p, m.action,
	    m.track, m.marker, m.plugin) >= 0)
		r->resolved++;
}

/* What Ardour sends while a session plays: a bundle of eight gains and
 * eight meters. */
static void
bench_feedback(const struct config *cfg, const struct profile *p)
{
	char packet[4096];
	size_t size = 16;
	struct reports r = { cfg, p, 0, 0 };
	int rounds = 200000;
	double t0, t1;

	memcpy(packet, "#bundle\0\0\0\0\0\0\0\0\1", 16);
	for (int i = 0; i < 16; i++) {
		lo_message m = lo_message_new();
		size_t n = sizeof(packet) - size - 4;
		uint32_t len;
		lo_message_add_int32(m, i % 8 + 1);
		lo_message_add_float(m, i < 8 ? 0.5f : -20.0f);
		lo_message_serialise(m, i < 8 ? "/strip/gain" : "/strip/meter",
		    packet + size + 4, &n);
		lo_message_free(m);
		len = htonl((uint32_t)n);
		memcpy(packet + size, &len, 4);
		size += 4 + n;
	}
	t0 = now_s();
	for (int i = 0; i < rounds; i++)
		feedback_walk(packet, size, on_report, &r);
	t1 = now_s();
	printf("feedback, %d bundles of 16 reports (engineer profile):\n"
	    "  walk+match+target          %7.1f ns/report  (%lu reports, %lu "
	    "on a bound target)\n", rounds, (t1 - t0) * 1e9 / (double)r.reports,
	    r.reports, r.resolved);
}

/* The shipped files in dir, Ardour's dialect without its max_rate when
 * uncapped; 0 or -1. */
static int
shipped_config(const char *dir, bool uncapped)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cp -r mappings profiles %s/"
	    "%s%s%s", dir, dir, uncapped ? " && sed -i '/^max_rate/d' " : "",
	    uncapped ? dir : "", uncapped ? "/mappings/daws/ardour*.ini" : "");
	return system(cmd) == 0 ? 0 : -1;
}

/* 200,000 fader moves from a raw file through the engineer profile.
 * Uncapped: every one is sent (the send path's throughput); with
 * Ardour's max_rate, flood control merges them. */
static void
bench_throughput(const char *bridge, bool uncapped)
{
	size_t n = 200000, len;
	uint8_t *bytes = fader_stream(n, &len);
	char path[] = "/tmp/ctlbridge-bench-XXXXXX", daw[64], spec[128];
	char dir[] = "/tmp/ctlbridge-bench-conf-XXXXXX", cmd[300];
	struct oscrecv *r = oscrecv_new();
	struct rusage ru;
	int fd = mkstemp(path), status;
	long got = 0;
	double t0, t1;
	pid_t pid;

	if (write(fd, bytes, len) != (ssize_t)len)
		perror("write");
	close(fd);
	if (mkdtemp(dir) == NULL || shipped_config(dir, uncapped) < 0) {
		perror("bench: configuration");
		goto out;
	}
	snprintf(daw, sizeof(daw), "127.0.0.1:%d", oscrecv_port(r));
	snprintf(spec, sizeof(spec), "raw:%s", path);
	t0 = now_s();
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		execl(bridge, bridge, "-c", dir, "-o", daw, "-m", spec,
		    (char *)NULL);
		_exit(127);
	}
	/* receive while it runs, so the socket never overflows; the
	 * bridge's own rusage (the shell that copied the files is a child
	 * too) */
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, WNOHANG, &ru) == 0) {
		got += oscrecv_settle(r, 5);
		oscrecv_clear(r);
	}
	t1 = now_s();
	got += oscrecv_settle(r, 50);
	printf("end to end, raw capture of %zu fader moves -> UDP receiver, "
	    "%s:\n", n, uncapped ? "no max_rate" : "Ardour's max_rate 1000");
	printf("  %.0f moves/s (%.2f s wall), %ld messages received, bridge "
	    "peak RSS %ld KiB\n", (double)n / (t1 - t0), t1 - t0, got,
	    ru.ru_maxrss);
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		perror(cmd);
	oscrecv_free(r);
	unlink(path);
	free(bytes);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, 99th percentile and maximum of got times in microseconds. */
static void
print_spread(const char *what, double *lat, int got, const char *unit)
{
	qsort(lat, (size_t)got, sizeof(double), cmp_double);
	printf("%s, %d %s:\n", what, got, unit);
	if (got)
		printf("  median %.0f us, p99 %.0f us, max %.0f us\n",
		    lat[got / 2], lat[(int)(got * 0.99)], lat[got - 1]);
}

/* 3 MIDI bytes into a FIFO -> the datagram received.  Uncapped, back to
 * back: the path's latency.  Spaced, one event every 2 ms as a hand
 * moves, without and with Ardour's max_rate (1000/s): a lone event never
 * waits for the cap. */
static void
bench_latency(const char *bridge, bool uncapped, bool spaced)
{
	enum { ROUNDS = 2000 };
	char fifo[128], daw[64], spec[160];
	char dir[] = "/tmp/ctlbridge-bench-conf-XXXXXX", cmd[300];
	static double lat[ROUNDS];
	struct oscrecv *r = oscrecv_new();
	struct proc p;
	int fd, got = 0, rounds = spaced ? ROUNDS / 4 : ROUNDS;

	if (mkdtemp(dir) == NULL || shipped_config(dir, uncapped) < 0) {
		perror("bench: configuration");
		oscrecv_free(r);
		return;
	}
	snprintf(fifo, sizeof(fifo), "/tmp/%s", test_unique("ctlbridge-bench"));
	mkfifo(fifo, 0600);
	snprintf(daw, sizeof(daw), "127.0.0.1:%d", oscrecv_port(r));
	snprintf(spec, sizeof(spec), "raw:%s", fifo);
	{
		char *argv[] = { (char *)bridge, "-c", dir, "-o", daw, "-m", spec,
		    NULL };
		proc_start(&p, argv, NULL, NULL);
	}
	fd = open(fifo, O_WRONLY);
	for (int i = 0; i < rounds; i++) {
		uint8_t msg[3] = { 0xB0, (uint8_t)(i % 8), (uint8_t)(i % 128) };
		double t0;
		if (spaced)
			sleep_ms(2);
		t0 = now_s();
		if (write(fd, msg, 3) != 3)
			break;
		if (oscrecv_wait(r, 1, 1000) < 1)
			continue;
		lat[got++] = (now_s() - t0) * 1e6;
		oscrecv_clear(r);
	}
	close(fd);
	proc_wait(&p, 5000);
	proc_free(&p);
	unlink(fifo);
	oscrecv_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		perror(cmd);
	snprintf(cmd, sizeof(cmd), "latency, MIDI bytes into a FIFO -> OSC "
	    "datagram received, %s, %s", spaced ? "one event every 2 ms" :
	    "back to back", uncapped ? "no max_rate" : "Ardour's max_rate 1000");
	print_spread(cmd, lat, got, "round trips");
}

static void
make_big_config(const char *dir, int n)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "mkdir -p %s/mappings/controllers "
	    "%s/mappings/daws %s/profiles && cp mappings/daws/ardour.ini "
	    "%s/mappings/daws/", dir, dir, dir, dir);
	if (system(path) != 0)
		return;
	snprintf(path, sizeof(path), "%s/mappings/controllers/big.ini", dir);
	fp = fopen(path, "w");
	fprintf(fp, "[controller]\nname = Big\nport = big\n[controls]\n"
	    "k1..%d = nrpn 0..%d\n", n, n - 1);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/profiles/big.ini", dir);
	fp = fopen(path, "w");
	fprintf(fp, "[profile]\ncontroller = big\ndaw = ardour\n[bindings]\n");
	/* one line per binding, as a person would write them out */
	for (int i = 1; i <= n; i++)
		fprintf(fp, "k%d = track.gain track=%d\n", i, i);
	fclose(fp);
}

static void
bench_reload(void)
{
	char dir[] = "/tmp/ctlbridge-bench-conf-XXXXXX";
	char *dirs[1], cmd[300];
	double best = 1e9, total = 0;
	int rounds = 20, bindings = 0;

	if (mkdtemp(dir) == NULL)
		return;
	make_big_config(dir, 1000);
	dirs[0] = dir;
	for (int i = 0; i < rounds; i++) {
		struct diag_list dl;
		struct config *cfg;
		double t0 = now_s(), t;

		diag_init(&dl);
		cfg = config_load(dirs, 1, NULL, &dl);
		t = now_s() - t0;
		if (dl.errors)
			diag_print(&dl, stderr);
		bindings = config_profile(cfg, "big") ?
		    config_profile(cfg, "big")->nbindings : 0;
		config_free(cfg);
		diag_free(&dl);
		total += t;
		if (t < best)
			best = t;
	}
	printf("reload, a profile of %d bindings (parse, validate, compile):\n",
	    bindings);
	printf("  %.2f ms best, %.2f ms mean of %d\n", best * 1e3,
	    total / rounds * 1e3, rounds);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		perror("rm");
}

static void
bench_switch(const char *bridge)
{
	enum { ROUNDS = 500 };
	char fifo[128], daw[64], spec[160];
	static double lat[ROUNDS];
	struct oscrecv *r = oscrecv_new();
	struct sockaddr_in to;
	struct proc p;
	int fd, sock, got = 0, port = 0;
	const char *line;

	snprintf(fifo, sizeof(fifo), "/tmp/%s", test_unique("ctlbridge-bench"));
	mkfifo(fifo, 0600);
	snprintf(daw, sizeof(daw), "127.0.0.1:%d", oscrecv_port(r));
	snprintf(spec, sizeof(spec), "raw:%s", fifo);
	{
		char *argv[] = { (char *)bridge, "-c", "tests/data/switch", "-p",
		    "a", "-o", daw, "-m", spec, "--no-watch", NULL };
		proc_start(&p, argv, NULL, NULL);
	}
	fd = open(fifo, O_WRONLY);
	proc_wait_output(&p, "control: OSC port", 5000);
	if ((line = strstr(proc_output(&p), "control: OSC port ")) != NULL)
		port = atoi(line + strlen("control: OSC port "));
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < ROUNDS && port; i++) {
		const char *name = i % 2 ? "a" : "b";
		char buf[128], want[32];
		size_t size = sizeof(buf);
		uint8_t press[3] = { 0x90, 36, 100 };
		lo_message m = lo_message_new();
		double t0;

		lo_message_add_string(m, name);
		lo_message_serialise(m, "/ctlbridge/profile", buf, &size);
		lo_message_free(m);
		snprintf(want, sizeof(want), "/goto i %d", i % 2 ? 1 : 11);
		t0 = now_s();
		sendto(sock, buf, size, 0, (struct sockaddr *)&to, sizeof(to));
		/* press until the new profile answers */
		for (int tries = 0; tries < 1000; tries++) {
			if (write(fd, press, 3) != 3)
				break;
			if (oscrecv_wait(r, 1, 1000) < 1)
				break;
			if (strcmp(oscrecv_get(r, 0), want) == 0) {
				lat[got++] = (now_s() - t0) * 1e6;
				oscrecv_clear(r);
				break;
			}
			oscrecv_clear(r);
		}
	}
	close(sock);
	close(fd);
	proc_wait(&p, 5000);
	proc_free(&p);
	unlink(fifo);
	oscrecv_free(r);
	print_spread("switch, /ctlbridge/profile request -> first message under "
	    "the new profile", lat, got, "switches");
}

/* A UDP socket on loopback: a DAW or a monitor that reads nothing (the
 * kernel drops what overflows; the sender's cost is the same). */
static int
udp_sink(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static void
drain_udp(int fd)
{
	char buf[2048];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* ns per event through deliver (the surface's sink) */
static double
deliver_run(struct surface *sf, int number, int n, int fd1, int fd2)
{
	struct midi_event ev = { .kind = MIDI_CC, .number = (uint16_t)number };
	double t0, t = 0;

	for (int i = 0; i < n; i += 1000) {
		t0 = now_s();
		for (int k = 0; k < 1000; k++) {
			ev.value = (i + k) % 128;
			sf->in.sink.on_event(sf->in.sink.ctx, &ev);
		}
		t += now_s() - t0;
		drain_udp(fd1);
		drain_udp(fd2);
	}
	return t * 1e9 / n;
}

static void
bench_monitor(void)
{
	static struct bridge br;
	static struct surface_spec spec = { .profile = "engineer" };
	struct bridge_options opt = { 0 };
	struct daw_override daw;
	struct diag_list dl;
	struct sockaddr_in mon = { .sin_family = AF_INET };
	char *dirs[] = { "." }, text[64], msg[200], rt[256];
	int dawport, monport, dawfd = udp_sink(&dawport),
	    monfd = udp_sink(&monport), n = 200000;
	double sent0, sent1, none0, none1;
	sigset_t set;

	snprintf(rt, sizeof(rt), "/tmp/%s", test_unique("ctlbridge-bench"));
	mkdir(rt, 0700);
	setenv("XDG_RUNTIME_DIR", rt, 1);
	snprintf(text, sizeof(text), "127.0.0.1:%d", dawport);
	diag_init(&dl);
	daw_override_parse(text, &daw, &dl);
	diag_free(&dl);
	spec.inputs[0].type = INPUT_RAW;
	spec.inputs[0].arg = "/dev/null";
	spec.ninputs = 1;
	opt.dirs = dirs;
	opt.ndirs = 1;
	opt.surfaces = &spec;
	opt.nsurfaces = 1;
	opt.daw = &daw;
	opt.no_watch = true;
	log_init("bench", -1);
	if (bridge_start(&br, &opt) < 0) {
		printf("monitor: the bridge did not start\n");
		bridge_stop(&br);
		return;
	}
	/* every move sent, as before flood control: no cap */
	osc_flow_rate(&br.surfaces[0].link.address, 0);
	/* fader 1 (CC 0) sends; CC 0 on channel 2 matches nothing */
	none0 = deliver_run(&br.surfaces[0], 0, n, dawfd, monfd);
	{
		struct midi_event ev = { .kind = MIDI_CC, .channel = 1 };
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			ev.value = i % 128;
			br.surfaces[0].in.sink.on_event(br.surfaces[0].in.sink.ctx,
			    &ev);
		}
		none1 = (now_s() - t0) * 1e9 / n;
	}
	mon.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	mon.sin_port = htons((uint16_t)monport);
	monitor_attach(&br, &mon, false, msg, sizeof(msg));
	sent0 = deliver_run(&br.surfaces[0], 0, n, dawfd, monfd);
	{
		struct midi_event ev = { .kind = MIDI_CC, .channel = 1 };
		double t0 = now_s(), t = 0;
		for (int i = 0; i < n; i += 1000) {
			t0 = now_s();
			for (int k = 0; k < 1000; k++) {
				ev.value = (i + k) % 128;
				br.surfaces[0].in.sink.on_event(
				    br.surfaces[0].in.sink.ctx, &ev);
			}
			t += now_s() - t0;
			drain_udp(monfd);
		}
		sent1 = t * 1e9 / n;
	}
	printf("monitor, %d events through a real bridge's deliver (engineer "
	    "profile):\n", n);
	printf("  fader -> OSC, no monitor    %7.1f ns/event\n", none0);
	printf("  fader -> OSC, one monitor   %7.1f ns/event  (+%.1f)\n", sent0,
	    sent0 - none0);
	printf("  unmatched, no monitor       %7.1f ns/event\n", none1);
	printf("  unmatched, one monitor      %7.1f ns/event  (+%.1f)\n", sent1,
	    sent1 - none1);
	bridge_stop(&br);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	close(dawfd);
	close(monfd);
	rmdir(rt);
	unsetenv("XDG_RUNTIME_DIR");
}

int
main(int argc, char **argv)
{
	char *dirs[] = { "." };
	struct diag_list dl;
	struct config *cfg;
	const struct profile *p;
	const char *bridge = argc > 1 ? argv[1] : "build/ctlbridge";

	diag_init(&dl);
	cfg = config_load(dirs, 1, NULL, &dl);
	if (dl.errors || (p = config_profile(cfg, "engineer")) == NULL) {
		diag_print(&dl, stderr);
		return 1;
	}
	printf("ctlbridge benchmark (%ld cores)\n", sysconf(_SC_NPROCESSORS_ONLN));
	if (getenv("BENCH_SCENARIO") && strcmp(getenv("BENCH_SCENARIO"),
	    "monitor") == 0) {
		bench_monitor();
		config_free(cfg);
		diag_free(&dl);
		return 0;
	}
	bench_in_process(p);
	bench_feedback(cfg, p);
	bench_monitor();
	bench_throughput(bridge, true);
	bench_throughput(bridge, false);
	bench_latency(bridge, true, false);
	bench_latency(bridge, true, true);
	bench_latency(bridge, false, true);
	bench_switch(bridge);
	bench_reload();
	config_free(cfg);
	diag_free(&dl);
	return 0;
}
