/*
 * End-to-end benchmark through JACK: ctlbridge against the floor.
 *
 * A private jackd (dummy driver, 48 kHz), a JACK MIDI source in this
 * process that stamps each event with CLOCK_MONOTONIC in its process
 * callback, and a UDP receiver in this process that takes the kernel's
 * arrival stamp of each datagram (SO_TIMESTAMPNS).  Between them, in
 * turns: the real ctlbridge (-m jack:jackbench-src, the benchmark's
 * own controller, profile and dialect in bench/config/), and the floor
 * (bench/floor.c: a ringbuffer, an eventfd and one lo_send per event).
 * Both send /e i:track f:value for each event (the bridge bundles those of
 * one round of its loop, as it does to Ardour); track and value name the
 * event (16 channels x 64 CCs x 128 values: 131072 events before one
 * repeats), so each arrival is matched to its event and what never
 * arrives is counted as lost.
 *
 * Per run: latency (source process callback -> datagram queued at the
 * receiver), lost events, throughput, CPU time of all the bridge's threads
 * per 1000 events, its wakeups in an idle window beyond one per JACK
 * cycle, and its resident memory beyond JACK's shared memory.  Runs are
 * interleaved (floor, ctlbridge, floor, ...).  Nothing here asserts a
 * time: it prints figures.
 *
 * Scenarios: 1000 events/s at 256 and 64 frames; the same with a
 * controller's worth of controls and bindings (bench/config's first
 * channel, 64), which sets the bridge's memory apart from its
 * configuration's; the floor's highest held rate; 144,000 events/s at 32
 * frames.
 *
 *   bench-jack [CTLBRIDGE [FLOOR]]     (make bench)
 *   BENCH_QUICK=1: one short run of each, for smoke checks.
 *   BENCH_RUNS=N: runs of each (default 3).
 *   BENCH_NICE=N: the bridges' main threads and the receiver run at nice N
 *   (as root, -10 keeps other work on a shared machine out of the
 *   figures; the JACK threads are realtime anyway).
 *   BENCH_SCENARIO="PERIOD RATE SECONDS": that one scenario only (to
 *   profile one: perf record -a while it runs).
 *   BENCH_CONFIG=DIR: the bridge's configuration instead of bench/config
 *   (its profile bench; a copy with bundle = off in the dialect sends one
 *   datagram per message, as the floor does).
 *   BENCH_REALTIME=1: the bridge runs with -R (its event loop SCHED_FIFO).
 *   BENCH_SMAPS=PREFIX: each run's /proc/PID/smaps, as the memory is
 *   measured, into PREFIX.floor and PREFIX.ctlbridge (the last run's).
 *   BENCH_SOAK=SECONDS: instead, one bridge that long at 1000 events/s,
 *   with status requests and reloads, its memory printed each minute.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jack/jack.h>
#include <jack/midiport.h>

#include "proc.h"

#define SRC_CLIENT "jackbench-src"
#define FLOOR_CLIENT "ctlbridge-bench-floor"
#define SRATE 48000
#define NCONTROLS 1024			/* 16 channels x 64 CCs */
/* the stream's controls: NCONTROLS, or SMALL_CONTROLS (channel 1 only)
 * for the controller-sized configuration */
#define SMALL_CONTROLS 64
static int ncontrols = NCONTROLS;
#define IDSPACE (ncontrols * 128L)	/* events before an identity repeats */

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Event n of the stream as MIDI bytes, and back from what arrives. */
static void
encode(long n, uint8_t m[3])
{
	long id = n % IDSPACE;
	int ctl = (int)(id % ncontrols), val = (int)(id / ncontrols);
	int ch = ctl / 64, i = ctl % 64;

	m[0] = (uint8_t)(0xB0 | ch);
	m[1] = (uint8_t)(i < 56 ? 40 + i : 102 + i - 56);
	m[2] = (uint8_t)val;
}

static long
decode_id(int32_t track, float value)
{
	long val = lrintf(value * 127.0f);

	if (track < 1 || track > ncontrols || val < 0 || val > 127)
		return -1;
	return val * ncontrols + (track - 1);
}

static int nice_value;	/* BENCH_NICE, 0: as started */

/* ---- the source: a JACK client in this process ---- */

static struct {
	jack_client_t *client;
	jack_port_t *out;
	atomic_int go;
	long total;		/* events to send in this run */
	double rate;		/* events per second */
	atomic_long sent;
	bool started;
	jack_nframes_t start_frame;
	int64_t *t_sent;	/* ns, per event */
	atomic_ulong cycles;
	atomic_int tid;		/* of the process thread */
	atomic_uint xruns;
	atomic_long deferred;	/* MIDI buffer full: sent a cycle later */
} src;

static int
src_process(jack_nframes_t nframes, void *arg)
{
	void *buf = jack_port_get_buffer(src.out, nframes);
	long n, due, first;
	int64_t now;
	double elapsed;

	(void)arg;
	jack_midi_clear_buffer(buf);
	atomic_fetch_add(&src.cycles, 1);
	atomic_store(&src.tid, (int)gettid());
	if (!atomic_load(&src.go))
		return 0;
	now = mono_ns();
	if (!src.started) {
		src.start_frame = jack_last_frame_time(src.client);
		src.started = true;
	}
	/* the events due by the end of this cycle, spread over it */
	elapsed = (double)(jack_last_frame_time(src.client) - src.start_frame +
	    nframes) / SRATE;
	due = (long)(elapsed * src.rate);
	if (due > src.total)
		due = src.total;
	first = n = atomic_load(&src.sent);
	while (n < due) {
		uint8_t m[3];
		jack_nframes_t t = (jack_nframes_t)((n - first) * nframes /
		    (due - first));
		encode(n, m);
		if (jack_midi_event_write(buf, t, m, 3) != 0) {
			atomic_fetch_add(&src.deferred, due - n);
			break;
		}
		src.t_sent[n++] = now;
	}
	atomic_store(&src.sent, n);
	return 0;
}

static int
src_xrun(void *arg)
{
	(void)arg;
	atomic_fetch_add(&src.xruns, 1);
	return 0;
}

/* ---- the receiver: a UDP socket on loopback, kernel arrival stamps ---- */

struct arrival {
	long id;
	int64_t t_ns;
};

static struct {
	int fd, port;
	pthread_t thread;
	struct arrival *a;
	long cap;
	atomic_long n;
	atomic_int armed, quit;
	int64_t rt_minus_mono;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	atomic_long clock_steps;	/* the offset moved by over 1 ms */
	long malformed;
	atomic_ulong dropped;	/* by the kernel at our full buffer */
} rcv;

/* CLOCK_REALTIME - CLOCK_MONOTONIC from one close pair of reads (within
 * 20 us: not preempted between them), or false.  The kernel stamps
 * arrivals in the wall clock, which may step (a virtual machine's clock
 * set again after a pause: seen here once as every event of a run 3.3 s
 * "late"); read again at each batch, a step moves the stamps of the
 * batches after it, not of the whole run. */
static bool
clock_offset(int64_t *off)
{
	struct timespec a, r, b;
	int64_t am, bm;

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &b);
	am = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec;
	bm = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
	if (bm - am > 20000)
		return false;
	*off = (int64_t)r.tv_sec * 1000000000 + r.tv_nsec - (am + bm) / 2;
	return true;
}

/* One message, "/e\0\0" ",if\0" track value, arrived at t. */
static void
rcv_message(const unsigned char *d, size_t len, int64_t t)
{
	uint32_t tr, fv;
	float v;
	long id, k;

	if (len != 16 || memcmp(d, "/e\0\0,if\0", 8)) {
		rcv.malformed++;
		return;
	}
	memcpy(&tr, d + 8, 4);
	memcpy(&fv, d + 12, 4);
	tr = ntohl(tr);
	fv = ntohl(fv);
	memcpy(&v, &fv, 4);
	id = decode_id((int32_t)tr, v);
	k = atomic_load(&rcv.n);
	if (id < 0 || k >= rcv.cap) {
		rcv.malformed++;
		return;
	}
	rcv.a[k] = (struct arrival){ id, t };
	atomic_store(&rcv.n, k + 1);
}

static void *
rcv_thread(void *arg)
{
	enum { BATCH = 64 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	char data[BATCH][2048];	/* a message, or a bundle of them */
	char ctrl[BATCH][128];

	(void)arg;
	if (nice_value)
		setpriority(PRIO_PROCESS, (id_t)gettid(), nice_value);
	while (!atomic_load(&rcv.quit)) {
		int got;

		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ data[i], sizeof(data[i]) };
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_control = ctrl[i];
			msgs[i].msg_hdr.msg_controllen = sizeof(ctrl[i]);
		}
		got = recvmmsg(rcv.fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (got <= 0)
			continue;	/* the socket's 100 ms timeout */
		{
			int64_t off;
			if (clock_offset(&off)) {
				if (llabs(off - rcv.rt_minus_mono) > 1000000)
					atomic_fetch_add(&rcv.clock_steps, 1);
				rcv.rt_minus_mono = off;
			}
		}
		if (!atomic_load(&rcv.armed))
			continue;
		for (int i = 0; i < got; i++) {
			const unsigned char *d = (const unsigned char *)data[i];
			int64_t t = -1;

			for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
			    c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
				if (c->cmsg_level == SOL_SOCKET &&
				    c->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec ts;
					memcpy(&ts, CMSG_DATA(c), sizeof(ts));
					t = (int64_t)ts.tv_sec * 1000000000 +
					    ts.tv_nsec - rcv.rt_minus_mono;
				} else if (c->cmsg_level == SOL_SOCKET &&
				    c->cmsg_type == SO_RXQ_OVFL) {
					uint32_t ovfl;
					memcpy(&ovfl, CMSG_DATA(c), sizeof(ovfl));
					atomic_store(&rcv.dropped, ovfl);
				}
			}
			if (t < 0) {
				rcv.malformed++;
				continue;
			}
			if (msgs[i].msg_len >= 16 && memcmp(d, "#bundle", 8) == 0) {
				/* a bundle's messages arrived with it */
				for (size_t at = 16; at + 4 <= msgs[i].msg_len;) {
					uint32_t size;
					memcpy(&size, d + at, 4);
					size = ntohl(size);
					if (size > msgs[i].msg_len - at - 4) {
						rcv.malformed++;
						break;
					}
					rcv_message(d + at + 4, size, t);
					at += 4 + size;
				}
			} else
				rcv_message(d, msgs[i].msg_len, t);
		}
	}
	return NULL;
}

static int
rcv_start(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct timeval tv = { 0, 100000 };
	int big = 32 << 20;

	rcv.fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rcv.fd < 0 || bind(rcv.fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(rcv.fd, (struct sockaddr *)&sin, &len) < 0) {
		perror("bench-jack: receiver");
		return -1;
	}
	rcv.port = ntohs(sin.sin_port);
	/* a receiver that drops would make a bridge look lossy: a large
	 * buffer (beyond rmem_max where we may), and its drops counted */
	if (setsockopt(rcv.fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(rcv.fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(rcv.fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int));
	setsockopt(rcv.fd, SOL_SOCKET, SO_RXQ_OVFL, &(int){ 1 }, sizeof(int));
	setsockopt(rcv.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* the offset between the two clocks (read again at each batch) */
	for (int i = 0; i < 1000 && !clock_offset(&rcv.rt_minus_mono); i++)
		;
	rcv.cap = 4 * 1000 * 1000;
	rcv.a = calloc((size_t)rcv.cap, sizeof(*rcv.a));
	return pthread_create(&rcv.thread, NULL, rcv_thread, NULL) == 0 ? 0 : -1;
}

static void
rcv_stop(void)
{
	atomic_store(&rcv.quit, 1);
	pthread_join(rcv.thread, NULL);
	close(rcv.fd);
	free(rcv.a);
}

/* ---- what /proc says about a process ---- */

/* CPU time of all its threads, ns: utime + stime from /proc/PID/stat at
 * the kernel's full resolution (each thread's schedstat run time; the
 * clock ticks of /proc/PID/stat are 10 ms, as long as a whole run). */
static int64_t
proc_cpu_ns(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int64_t sum = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char p[320];
		FILE *fp;
		long long ns;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(p, sizeof(p), "/proc/%d/task/%s/schedstat", (int)pid,
		    e->d_name);
		if ((fp = fopen(p, "r")) == NULL)
			continue;
		if (fscanf(fp, "%lld", &ns) == 1)
			sum += ns;
		fclose(fp);
	}
	closedir(d);
	return sum;
}

/* The clock-tick figure, for a cross-check: utime + stime, ns. */
static int64_t
proc_stat_cpu_ns(pid_t pid)
{
	char path[64], buf[1024], *p;
	FILE *fp;
	unsigned long ut, st;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (int64_t)(ut + st) * (1000000000 / sysconf(_SC_CLK_TCK));
}

#define MAXTHREADS 64
struct switches {
	int n;
	int tid[MAXTHREADS];
	long count[MAXTHREADS];	/* voluntary context switches: sleeps */
};

static void
proc_switches(pid_t pid, struct switches *s)
{
	char path[64];
	DIR *d;
	struct dirent *e;

	s->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL && s->n < MAXTHREADS) {
		char p[320], line[256];
		FILE *fp;
		long c = 0, v;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(p, sizeof(p), "/proc/%d/task/%s/status", (int)pid,
		    e->d_name);
		if ((fp = fopen(p, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
				c += v;
		fclose(fp);
		s->tid[s->n] = atoi(e->d_name);
		s->count[s->n++] = c;
	}
	closedir(d);
}

/* Own wakeups over a window: the sleeps of the process's main thread
 * (voluntary context switches; each ends in a wakeup).  Its other threads
 * are libjack's: the process thread, woken once a cycle (as often as the
 * source's here, shown in debug), and the notification thread, woken by
 * xruns and graph changes.  Neither bridge starts a thread of its own. */
static long
own_wakeups(pid_t pid, const struct switches *a, const struct switches *b,
    long jack)
{
	long own = 0;

	for (int i = 0; i < b->n; i++) {
		long before = 0, delta;
		for (int k = 0; k < a->n; k++)
			if (a->tid[k] == b->tid[i])
				before = a->count[k];
		delta = b->count[i] - before;
		if (b->tid[i] == (int)pid)
			own = delta;
		if (getenv("BENCH_DEBUG"))
			fprintf(stderr, "  thread %d%s: %ld sleeps (the source's "
			    "process thread: %ld)\n", b->tid[i], b->tid[i] ==
			    (int)pid ? " (main)" : "", delta, jack);
	}
	return own;
}

/* The source's process thread: its switches are JACK's per-cycle ones. */
static long
thread_switches(int tid)
{
	char p[64], line[256];
	FILE *fp;
	long c = 0, v;

	snprintf(p, sizeof(p), "/proc/self/task/%d/status", tid);
	if ((fp = fopen(p, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
			c += v;
	fclose(fp);
	return c;
}

struct mem {
	long rss_kb, anon_kb, shm_kb;
};

static void
proc_mem(pid_t pid, struct mem *m)
{
	char path[64], line[512];
	FILE *fp;
	bool in_shm = false;
	long v;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp)) {
			if (sscanf(line, "Rss: %ld", &v) == 1)
				m->rss_kb = v;
			else if (sscanf(line, "Anonymous: %ld", &v) == 1)
				m->anon_kb = v;
		}
		fclose(fp);
	}
	/* JACK's shared memory: the segments mapped from /dev/shm */
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (isxdigit((unsigned char)line[0]) && strchr(line, '-') &&
		    strchr(line, ' ') < strchr(line, '\n')) {
			in_shm = strstr(line, " /dev/shm/") != NULL;
			continue;
		}
		if (in_shm && sscanf(line, "Rss: %ld", &v) == 1)
			m->shm_kb += v;
	}
	fclose(fp);
}

/* ---- runs ---- */

enum who { FLOOR, BRIDGE };
static const char *const who_name[] = { "floor", "ctlbridge" };

struct result {
	long sent, received, lost, stray;
	double *lat_us;		/* per matched event */
	long nlat;
	double seconds;		/* first send to last arrival */
	double cpu_ns, stat_cpu_ns;
	long idle_own, idle_cycles, idle_jack;	/* own: -1, not measured */
	double idle_s;
	struct mem mem;
	unsigned xruns;
	long deferred;
	unsigned long rcv_drops;
	long clock_steps;	/* the wall clock stepped during the run */
	int ok;
};

static const char *bridge_path, *floor_path;
/* set: the bridge runs the controller-sized configuration made there */
static char small_config[64];
/* the bridge's own OSC port (-P), for requests to it; 0: any */
static int bridge_osc_port;
static char server[96];
static char server_env[128];

/* Until the source feeds port (not the last run's target, whose
 * connection JACK may still show for a cycle). */
static int
wait_connected(const char *port, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (jack_port_connected_to(src.out, port))
			return 0;
		sleep_ms(10);
	}
	return -1;
}

static void
start_target(enum who w, struct proc *p)
{
	char daw[64];
	char *env[] = { server_env, NULL };

	snprintf(daw, sizeof(daw), "127.0.0.1:%d", rcv.port);
	if (w == BRIDGE) {
		const char *dir = small_config[0] ? small_config :
		    getenv("BENCH_CONFIG");
		const char *rt = getenv("BENCH_REALTIME");
		char port[16];
		char *argv[] = { (char *)bridge_path, "-c", dir && *dir ?
		    (char *)dir : "bench/config", "-p",
		    "bench", "-o", daw, "-m", "jack:" SRC_CLIENT,
		    "-P", port, rt && atoi(rt) ? "-R" : NULL, NULL };
		snprintf(port, sizeof(port), "%d", bridge_osc_port);
		proc_start(p, argv, env, NULL);
	} else {
		char port[16];
		char *argv[] = { (char *)floor_path, FLOOR_CLIENT, port, NULL };
		snprintf(port, sizeof(port), "%d", rcv.port);
		proc_start(p, argv, env, NULL);
	}
	/* the main thread's (nice is per thread on Linux) */
	if (nice_value && setpriority(PRIO_PROCESS, (id_t)p->pid, nice_value) < 0)
		perror("bench-jack: setpriority");
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The source set for a stream of rate events/s for seconds, and the
 * receiver emptied and counting; src.go starts it. */
static void
stream_ready(double rate, double seconds)
{
	src.total = (long)(rate * seconds);
	src.rate = rate;
	src.started = false;
	atomic_store(&src.sent, 0);
	atomic_store(&src.deferred, 0);
	atomic_store(&rcv.armed, 0);
	sleep_ms(20);
	atomic_store(&rcv.n, 0);
	rcv.malformed = 0;
	atomic_store(&rcv.armed, 1);
}

/* One run: the target up and connected, the stream, the idle window. */
static void
run_once(enum who w, double rate, double seconds, double idle_s,
    struct result *r)
{
	struct proc p;
	struct switches s0, s1;
	int64_t cpu0, cpu1, scpu0, scpu1, t_last;
	unsigned long drops0;
	long steps0;
	unsigned xr0;
	const char *e;
	long cursor = 0, last_n;
	int64_t deadline;

	memset(r, 0, sizeof(*r));
	r->idle_own = -1;
	start_target(w, &p);
	if (w == FLOOR) {
		/* the floor has no patterns: connect it */
		char dst[128];
		snprintf(dst, sizeof(dst), "%s:in", FLOOR_CLIENT);
		for (int i = 0; i < 500 && jack_port_by_name(src.client, dst) == NULL;
		    i++)
			sleep_ms(10);
		proc_wait_output(&p, "ready", 5000);
		jack_connect(src.client, SRC_CLIENT ":out", dst);
	}
	if (wait_connected(w == FLOOR ? FLOOR_CLIENT ":in" : "ctlbridge:midi_in",
	    10000) < 0) {
		fprintf(stderr, "bench-jack: %s did not connect:\n%s\n",
		    who_name[w], proc_output(&p));
		proc_free(&p);
		return;
	}
	sleep_ms(300);	/* settle: start-up work is not the steady state */

	stream_ready(rate, seconds);
	drops0 = atomic_load(&rcv.dropped);
	steps0 = atomic_load(&rcv.clock_steps);
	xr0 = atomic_load(&src.xruns);
	cpu0 = proc_cpu_ns(p.pid);
	scpu0 = proc_stat_cpu_ns(p.pid);
	atomic_store(&src.go, 1);

	/* the stream, then until nothing more arrives */
	deadline = mono_ns() + (int64_t)((seconds + 10) * 1e9);
	while (atomic_load(&src.sent) < src.total && mono_ns() < deadline)
		sleep_ms(5);
	last_n = -1;
	for (int quiet = 0; quiet < 30 && mono_ns() < deadline;) {
		long n = atomic_load(&rcv.n);
		if (n >= src.total)
			break;
		quiet = n == last_n ? quiet + 1 : 0;
		last_n = n;
		sleep_ms(10);
	}
	atomic_store(&src.go, 0);
	cpu1 = proc_cpu_ns(p.pid);
	scpu1 = proc_stat_cpu_ns(p.pid);
	r->rcv_drops = atomic_load(&rcv.dropped) - drops0;
	r->clock_steps = atomic_load(&rcv.clock_steps) - steps0;
	r->xruns = atomic_load(&src.xruns) - xr0;
	r->deferred = atomic_load(&src.deferred);
	proc_mem(p.pid, &r->mem);
	if ((e = getenv("BENCH_SMAPS")) && *e) {
		/* the whole map, to see where the memory is */
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "cat /proc/%d/smaps > %s.%s", (int)p.pid,
		    e, who_name[w]);
		if (system(cmd) != 0)
			perror("bench-jack: BENCH_SMAPS");
	}

	/* match arrivals to events: in order, one identity per IDSPACE */
	r->sent = atomic_load(&src.sent);
	r->received = atomic_load(&rcv.n);
	r->lat_us = malloc(sizeof(double) * (size_t)(r->received + 1));
	t_last = 0;
	for (long i = 0; i < r->received; i++) {
		const struct arrival *a = &rcv.a[i];
		long n = cursor + ((a->id - cursor % IDSPACE) + IDSPACE) % IDSPACE;
		if (n >= r->sent) {
			r->stray++;
			continue;
		}
		r->lat_us[r->nlat++] = (double)(a->t_ns - src.t_sent[n]) / 1e3;
		if (a->t_ns > t_last)
			t_last = a->t_ns;
		cursor = n + 1;
	}
	r->lost = r->sent - r->nlat;
	r->seconds = r->sent && t_last ? (double)(t_last - src.t_sent[0]) / 1e9 : 0;
	r->cpu_ns = (double)(cpu1 - cpu0);
	r->stat_cpu_ns = (double)(scpu1 - scpu0);
	atomic_store(&rcv.armed, 0);

	if (idle_s > 0) {
		unsigned long c0, c1;
		long j0, j1;
		int tid = atomic_load(&src.tid);
		sleep_ms(200);
		proc_switches(p.pid, &s0);
		j0 = thread_switches(tid);
		c0 = atomic_load(&src.cycles);
		sleep_ms((int)(idle_s * 1000));
		proc_switches(p.pid, &s1);
		j1 = thread_switches(tid);
		c1 = atomic_load(&src.cycles);
		r->idle_cycles = (long)(c1 - c0);
		r->idle_jack = j1 - j0;
		r->idle_own = own_wakeups(p.pid, &s0, &s1, r->idle_jack);
		r->idle_s = idle_s;
	}
	proc_stop(&p);
	if (w == FLOOR) {
		unsigned fx = 0, fl = 0;
		const char *o = strstr(proc_output(&p), "xruns ");
		if (o && sscanf(o, "xruns %u lost %u", &fx, &fl) == 2 && fl > 0)
			fprintf(stderr, "bench-jack: the floor's ring lost %u\n", fl);
	} else if (strstr(proc_output(&p), "lost") ||
	    strstr(proc_output(&p), "cannot send")) {
		proc_print_log(&p, (const char *const[]){ "surface 1:",
		    "control: OSC port", "jack: client", "jack: connected",
		    NULL });
	}
	proc_free(&p);
	r->ok = 1;
}

/* ---- jackd ---- */

static struct proc jackd;
static bool jack_rt;

static void
quiet(const char *msg)
{
	(void)msg;
}

static int
jack_up(int period)
{
	char ps[16], name[96];
	jack_status_t st;
	char *argv[] = { "jackd", jack_rt ? "-R" : "-r", "-S", "-n", server,
	    "-d", "dummy", "-r", "48000", "-p", ps, NULL };

	snprintf(name, sizeof(name), "%s", test_unique("ctlbridge-bench"));
	snprintf(server, sizeof(server), "%s", name);
	snprintf(server_env, sizeof(server_env), "JACK_DEFAULT_SERVER=%s", server);
	snprintf(ps, sizeof(ps), "%d", period);
	argv[4] = server;
	if (proc_start(&jackd, argv, NULL, NULL) < 0)
		return -1;
	for (int i = 0; i < 500; i++) {
		src.client = jack_client_open(SRC_CLIENT,
		    JackNoStartServer | JackServerName, &st, server);
		if (src.client)
			break;
		if (proc_wait(&jackd, 0)) {
			fprintf(stderr, "bench-jack: jackd exited:\n%s\n",
			    jackd.output);
			return -1;
		}
		sleep_ms(20);
	}
	if (src.client == NULL)
		return -1;
	src.out = jack_port_register(src.client, "out", JACK_DEFAULT_MIDI_TYPE,
	    JackPortIsOutput, 0);
	jack_set_process_callback(src.client, src_process, NULL);
	jack_set_xrun_callback(src.client, src_xrun, NULL);
	if (src.out == NULL || jack_activate(src.client) != 0)
		return -1;
	return 0;
}

static void
jack_down(void)
{
	if (src.client) {
		jack_deactivate(src.client);
		jack_client_close(src.client);
	}
	src.client = NULL;
	proc_free(&jackd);
}

/* ---- reporting ---- */

struct pooled {
	double *lat;
	long nlat, sent, lost, stray, deferred;
	double seconds, cpu_ns, stat_cpu_ns;
	long idle_own, idle_cycles, nidle;
	double idle_s;
	struct mem mem;		/* the largest of the runs */
	unsigned xruns;
	unsigned long rcv_drops;
	int runs;
};

static void
pool_add(struct pooled *p, const struct result *r)
{
	if (!r->ok)
		return;
	p->lat = realloc(p->lat, sizeof(double) * (size_t)(p->nlat + r->nlat + 1));
	memcpy(p->lat + p->nlat, r->lat_us, sizeof(double) * (size_t)r->nlat);
	p->nlat += r->nlat;
	p->sent += r->sent;
	p->lost += r->lost;
	p->stray += r->stray;
	p->deferred += r->deferred;
	p->seconds += r->seconds;
	p->cpu_ns += r->cpu_ns;
	p->stat_cpu_ns += r->stat_cpu_ns;
	if (r->idle_own >= 0) {
		p->idle_own += r->idle_own;
		p->idle_cycles += r->idle_cycles;
		p->idle_s += r->idle_s;
		p->nidle++;
	}
	if (r->mem.rss_kb - r->mem.shm_kb > p->mem.rss_kb - p->mem.shm_kb)
		p->mem = r->mem;
	p->xruns += r->xruns;
	p->rcv_drops += r->rcv_drops;
	p->runs++;
}

static double
pct(const struct pooled *p, double q)
{
	long i = (long)(q * (double)p->nlat);

	if (p->nlat == 0)
		return NAN;
	if (i >= p->nlat)
		i = p->nlat - 1;
	return p->lat[i];
}

static void
print_run(enum who w, int i, const struct result *r)
{
	struct pooled one = { 0 };

	pool_add(&one, r);
	qsort(one.lat, (size_t)one.nlat, sizeof(double), cmp_double);
	printf("    %-9s run %d: p50 %6.0f us  p99 %6.0f us  max %6.0f us  "
	    "lost %ld  CPU %.2f ms/1000 ev%s%s\n", who_name[w], i + 1,
	    pct(&one, 0.5), pct(&one, 0.99), pct(&one, 1.0), r->lost,
	    r->nlat ? r->cpu_ns / 1e6 / ((double)r->nlat / 1000) : 0,
	    r->xruns ? "  (xruns)" : "",
	    r->clock_steps ? "  (the wall clock stepped)" : "");
	free(one.lat);
}

/* A figure of each, with decimals, and the ratio to the floor. */
static void
row(const char *what, double f, double b, int decimals)
{
	char fs[32], bs[32], rs[32];

	snprintf(fs, sizeof(fs), "%.*f", decimals, f);
	snprintf(bs, sizeof(bs), "%.*f", decimals, b);
	if (f > 0 && isfinite(f) && isfinite(b))
		snprintf(rs, sizeof(rs), "%.2fx", b / f);
	else
		snprintf(rs, sizeof(rs), "-");
	printf("  %-34s %12s %12s %8s\n", what, fs, bs, rs);
}

static void
report(const char *title, struct pooled *p)
{
	struct pooled *f = &p[FLOOR], *b = &p[BRIDGE];

	for (int w = 0; w < 2; w++)
		qsort(p[w].lat, (size_t)p[w].nlat, sizeof(double), cmp_double);
	printf("  %s\n", title);
	printf("  %-34s %12s %12s %8s\n", "", "floor", "ctlbridge", "ratio");
	row("latency p50 (us)", pct(f, 0.5), pct(b, 0.5), 0);
	row("latency p99 (us)", pct(f, 0.99), pct(b, 0.99), 0);
	row("latency max (us)", pct(f, 1.0), pct(b, 1.0), 0);
	printf("  %-34s %12ld %12ld\n", "lost (events)", f->lost, b->lost);
	row("throughput (events/s)", f->seconds > 0 ? (double)(f->sent - f->lost) /
	    f->seconds : 0, b->seconds > 0 ? (double)(b->sent - b->lost) /
	    b->seconds : 0, 0);
	/* per event delivered: what is lost costs nothing */
	row("CPU per 1000 events (ms)", f->nlat ? f->cpu_ns / 1e6 /
	    ((double)f->nlat / 1000) : 0, b->nlat ? b->cpu_ns / 1e6 /
	    ((double)b->nlat / 1000) : 0, 3);
	if (getenv("BENCH_DEBUG"))
		row("  the same from clock ticks (ms)", f->nlat ? f->stat_cpu_ns /
		    1e6 / ((double)f->nlat / 1000) : 0, b->nlat ?
		    b->stat_cpu_ns / 1e6 / ((double)b->nlat / 1000) : 0, 3);
	if (f->nidle && b->nidle)
		row("own wakeups per idle second", (double)f->idle_own / f->idle_s,
		    (double)b->idle_own / b->idle_s, 1);
	row("RSS beyond JACK's shm (kB)", (double)(f->mem.rss_kb - f->mem.shm_kb),
	    (double)(b->mem.rss_kb - b->mem.shm_kb), 0);
	row("anonymous (kB)", (double)f->mem.anon_kb, (double)b->mem.anon_kb,
	    0);
	if (f->xruns || b->xruns || f->deferred || b->deferred || f->rcv_drops ||
	    b->rcv_drops || f->stray || b->stray)
		printf("  notes: xruns %u / %u, events the source had to defer "
		    "%ld / %ld, receiver drops %lu / %lu, unmatched %ld / %ld\n",
		    f->xruns, b->xruns, f->deferred, b->deferred, f->rcv_drops,
		    b->rcv_drops, f->stray, b->stray);
}

/* ---- scenarios ---- */

static int runs = 3;
static bool quick;

static void
src_alloc(double rate, double seconds)
{
	static long cap;
	long need = (long)(rate * seconds) + 1;

	if (need > cap) {
		free(src.t_sent);
		src.t_sent = calloc((size_t)need, sizeof(int64_t));
		cap = need;
	}
}

/* The scenario's figures; the bridge's anonymous memory (kB, the largest
 * of its runs), 0 when it did not run. */
static long
scenario(const char *title, int period, double rate, double seconds,
    double idle_s)
{
	struct pooled p[2];
	long anon_kb;

	memset(p, 0, sizeof(p));
	printf("%s\n", title);
	fflush(stdout);
	src_alloc(rate, seconds);
	if (jack_up(period) < 0) {
		fprintf(stderr, "bench-jack: cannot start jackd\n");
		jack_down();
		return 0;
	}
	for (int i = 0; i < runs; i++)
		for (int w = FLOOR; w <= BRIDGE; w++) {
			struct result r;
			run_once((enum who)w, rate, seconds, idle_s, &r);
			print_run((enum who)w, i, &r);
			pool_add(&p[w], &r);
			free(r.lat_us);
			fflush(stdout);
		}
	jack_down();
	report(title, p);
	printf("\n");
	fflush(stdout);
	free(p[FLOOR].lat);
	free(p[BRIDGE].lat);
	anon_kb = p[BRIDGE].mem.anon_kb;
	return anon_kb;
}

/* Does the floor hold this rate: nothing lost, no backlog growing (p99
 * under 10 ms), and the source could hand JACK every event on time? */
static bool
floor_holds(double rate, double seconds)
{
	struct result r;
	struct pooled one = { 0 };
	bool holds;

	src_alloc(rate, seconds);
	run_once(FLOOR, rate, seconds, 0, &r);
	pool_add(&one, &r);
	qsort(one.lat, (size_t)one.nlat, sizeof(double), cmp_double);
	holds = r.ok && r.lost == 0 && r.deferred == 0 && r.rcv_drops == 0 &&
	    pct(&one, 0.99) < 10000;
	printf("    floor at %.0f events/s: lost %ld, p99 %.0f us%s -> %s\n",
	    rate, r.lost, pct(&one, 0.99), r.deferred ? ", source deferred" : "",
	    holds ? "holds" : "does not hold");
	fflush(stdout);
	free(one.lat);
	free(r.lat_us);
	return holds;
}

/* A rate holds if a trial holds, or the one after a trial that did not
 * (a shared machine stalls now and then: one stall must not end the
 * search). */
static bool
floor_holds_twice(double rate, double seconds)
{
	return floor_holds(rate, seconds) || floor_holds(rate, seconds);
}

/* Doubling from 16000 events/s, then halving the gap twice; the rate
 * found must hold once more, else a quarter less is tried (twice at
 * most).  Trials last as long as the flood runs. */
static double
find_flood(int period, double seconds)
{
	double good = 0, bad = 0;

	printf("flood: the highest rate the floor holds (%d-frame period, "
	    "%.1f s each)\n", period, seconds);
	if (jack_up(period) < 0) {
		jack_down();
		return 0;
	}
	for (double rate = 16000; rate <= 1024000; rate *= 2) {
		if (!floor_holds_twice(rate, seconds)) {
			bad = rate;
			break;
		}
		good = rate;
	}
	for (int k = 0; k < (quick ? 0 : 2) && bad > 0 && good > 0; k++) {
		double mid = floor((good + bad) / 2 / 1000) * 1000;
		if (floor_holds_twice(mid, seconds))
			good = mid;
		else
			bad = mid;
	}
	for (int k = 0; k < (quick ? 0 : 2) && good > 0; k++) {
		if (floor_holds_twice(good, seconds))
			break;
		good = floor(good * 0.75 / 1000) * 1000;
	}
	jack_down();
	printf("\n");
	return good;
}

static double
loadavg(void)
{
	double l = -1;
	FILE *fp = fopen("/proc/loadavg", "r");

	if (fp) {
		if (fscanf(fp, "%lf", &l) != 1)
			l = -1;
		fclose(fp);
	}
	return l;
}

/* ---- soak: hours of a session in minutes ---- */

/* A free UDP port on loopback, for the bridge's -P. */
static int
free_udp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* An OSC request with no arguments ("/ctlbridge/reload") to the bridge;
 * its answer goes unread. */
static void
request(int fd, int port, const char *path)
{
	char buf[64] = { 0 };
	size_t n = (strlen(path) + 4) & ~(size_t)3;
	struct sockaddr_in to = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(buf, path, strlen(path));
	buf[n] = ',';
	sendto(fd, buf, n + 4, 0, (struct sockaddr *)&to, sizeof(to));
}

/* BENCH_SOAK=SECONDS: one bridge for that long at 1000 events/s (256
 * frames), asked for its status every 10 s and to reload every 30 s (a
 * new set built and swapped in, the old one freed), its memory printed
 * every minute.  A bridge used live for hours must not grow: what it
 * holds after the first minute is what it holds at the end. */
static int
soak(double seconds)
{
	const double rate = 1000;
	struct proc p;
	struct mem first = { 0 }, m;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), reloads = 0;
	int64_t t0;
	long peak_anon = 0;
	int first_s = 0;

	if (seconds > 3600)
		seconds = 3600;	/* the receiver keeps 4 million arrivals */
	alarm((unsigned)seconds + 120);
	src_alloc(rate, seconds);
	bridge_osc_port = free_udp_port();
	if (fd < 0 || bridge_osc_port == 0 || jack_up(256) < 0) {
		fprintf(stderr, "bench-jack: cannot set up the soak\n");
		jack_down();
		return 1;
	}
	start_target(BRIDGE, &p);
	if (wait_connected("ctlbridge:midi_in", 10000) < 0) {
		fprintf(stderr, "bench-jack: the bridge did not connect\n");
		proc_free(&p);
		jack_down();
		return 1;
	}
	printf("soak: ctlbridge at %.0f events/s for %.0f s (256 frames), "
	    "status every 10 s, reload every 30 s\n", rate, seconds);
	stream_ready(rate, seconds);
	atomic_store(&src.go, 1);
	t0 = mono_ns();
	for (int tick = 1; atomic_load(&src.sent) < src.total; tick++) {
		sleep_ms(10000);
		request(fd, bridge_osc_port, "/ctlbridge/status");
		if (tick % 3 == 0) {
			request(fd, bridge_osc_port, "/ctlbridge/reload");
			reloads++;
		}
		proc_mem(p.pid, &m);
		if (m.anon_kb > peak_anon)
			peak_anon = m.anon_kb;
		/* the baseline: a minute in, or the first sample of a
		 * shorter soak */
		if (tick == 1 || tick == 6) {
			first = m;
			first_s = tick * 10;
		}
		if (tick % 6 == 0)
			printf("  %5.0f s: %9ld events sent, %9ld received; "
			    "anonymous %ld kB, RSS beyond JACK's shm %ld kB\n",
			    (double)(mono_ns() - t0) / 1e9,
			    atomic_load(&src.sent), atomic_load(&rcv.n),
			    m.anon_kb, m.rss_kb - m.shm_kb);
		fflush(stdout);
	}
	sleep_ms(1000);
	atomic_store(&src.go, 0);
	proc_mem(p.pid, &m);
	printf("  end: %ld events sent, %ld received (%ld lost), %d reloads; "
	    "anonymous %ld kB at %d s, %ld kB at the end (%+ld), %ld kB "
	    "at most\n\n", atomic_load(&src.sent), atomic_load(&rcv.n),
	    atomic_load(&src.sent) - atomic_load(&rcv.n), reloads,
	    first.anon_kb, first_s, m.anon_kb, m.anon_kb - first.anon_kb,
	    peak_anon);
	proc_stop(&p);
	proc_free(&p);
	jack_down();
	close(fd);
	bridge_osc_port = 0;
	return 0;
}

/* ---- a controller-sized configuration ---- */

static const char *const config_files[] = {
	"mappings/controllers/bench.ini", "mappings/daws/bench.ini",
	"profiles/bench.ini",
};

/* A line of bench/config's for a control past channel 1 ("c2x40..95 ="). */
static bool
past_first_channel(const char *line)
{
	int ch;
	char x;

	return sscanf(line, "c%d%c", &ch, &x) == 2 && x == 'x' && ch != 1;
}

/* bench/config with its first channel only (SMALL_CONTROLS controls and
 * bindings, as a real controller has) in a directory of its own, into
 * small_config; false if it cannot be made. */
static bool
make_small_config(void)
{
	static const char *const subdirs[] = {
		"mappings", "mappings/controllers", "mappings/daws", "profiles",
	};
	char path[256], line[1024];

	snprintf(small_config, sizeof(small_config),
	    "/tmp/ctlbridge-bench-small.XXXXXX");
	if (mkdtemp(small_config) == NULL) {
		small_config[0] = '\0';
		return false;
	}
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", small_config, subdirs[i]);
		mkdir(path, 0700);
	}
	for (size_t i = 0; i < 3; i++) {
		FILE *in, *out;
		snprintf(path, sizeof(path), "bench/config/%s", config_files[i]);
		in = fopen(path, "r");
		snprintf(path, sizeof(path), "%s/%s", small_config,
		    config_files[i]);
		out = fopen(path, "w");
		if (in == NULL || out == NULL) {
			perror("bench-jack: the controller-sized configuration");
			if (in)
				fclose(in);
			if (out)
				fclose(out);
			return false;
		}
		while (fgets(line, sizeof(line), in))
			if (!past_first_channel(line))
				fputs(line, out);
		fclose(in);
		fclose(out);
	}
	return true;
}

static void
remove_small_config(void)
{
	static const char *const subdirs[] = {
		"mappings/controllers", "mappings/daws", "mappings", "profiles",
	};
	char path[256];

	if (!small_config[0])
		return;
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", small_config,
		    config_files[i]);
		unlink(path);
	}
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", small_config, subdirs[i]);
		rmdir(path);
	}
	rmdir(small_config);
	small_config[0] = '\0';
}

int
main(int argc, char **argv)
{
	const char *e;
	struct rlimit rl;
	double flood;
	int64_t t0 = mono_ns();
	char title[256];

	bridge_path = argc > 1 ? argv[1] : "build/ctlbridge";
	floor_path = argc > 2 ? argv[2] : "build/bench-floor";
	quick = (e = getenv("BENCH_QUICK")) && *e && strcmp(e, "0");
	if ((e = getenv("BENCH_RUNS")) && atoi(e) > 0)
		runs = atoi(e);
	if (quick)
		runs = 1;
	if ((e = getenv("BENCH_NICE")))
		nice_value = atoi(e);
	/* realtime JACK, as a studio runs it, where this user may */
	jack_rt = (getrlimit(RLIMIT_RTPRIO, &rl) == 0 && rl.rlim_cur > 0) ||
	    geteuid() == 0;
	if ((e = getenv("BENCH_JACK_RT")))
		jack_rt = atoi(e) != 0;
	/* bounded: whatever happens, this process ends, and its children
	 * (jackd, bridges) with it (proc_start asks for PR_SET_PDEATHSIG) */
	alarm(quick ? 120 : 600);
	signal(SIGPIPE, SIG_IGN);
	jack_set_error_function(quiet);
	jack_set_info_function(quiet);
	if (rcv_start() < 0)
		return 1;

	if ((e = getenv("BENCH_SOAK")) && atof(e) > 0) {
		int rc = soak(atof(e));
		rcv_stop();
		return rc;
	}
	printf("end to end through JACK: %s against the floor (bench/floor.c)\n"
	    "jackd -S%s -d dummy -r 48000; %ld cores, load average %.2f; "
	    "%d interleaved run%s of each%s\n"
	    "latency: source's process callback -> datagram queued at the "
	    "receiver\n\n", bridge_path, jack_rt ? " -R" : " -r",
	    sysconf(_SC_NPROCESSORS_ONLN), loadavg(), runs, runs == 1 ? "" : "s",
	    nice_value ? "; bridges and receiver niced" : "");

	if ((e = getenv("BENCH_SCENARIO"))) {
		int period;
		double rate, s;
		if (sscanf(e, "%d %lf %lf", &period, &rate, &s) != 3) {
			fprintf(stderr, "BENCH_SCENARIO=\"PERIOD RATE SECONDS\"\n");
			return 2;
		}
		snprintf(title, sizeof(title), "%d-frame period, %.0f events/s for "
		    "%.1f s", period, rate, s);
		scenario(title, period, rate, s, 0);
		rcv_stop();
		return 0;
	}
	double steady = 1000, secs = quick ? 0.5 : 3, idle = quick ? 1 : 5;
	long anon_full = 0, anon_small = 0;
	for (int k = 0; k < 2; k++) {
		int period = k == 0 ? 256 : 64;
		long kb;
		snprintf(title, sizeof(title), "%d-frame period (%.2f ms), %.0f "
		    "events/s for %.1f s, then %.0f s idle", period,
		    period * 1000.0 / SRATE, steady, secs, idle);
		kb = scenario(title, period, steady, secs, idle);
		if (k == 0)
			anon_full = kb;
	}
	/* what the configuration costs: the same, with a controller's worth
	 * of controls and bindings (a nanoKONTROL2 has 51, an X-Touch Mini
	 * 40, a MIDImix 65) */
	if (!getenv("BENCH_CONFIG") && make_small_config()) {
		ncontrols = SMALL_CONTROLS;
		snprintf(title, sizeof(title), "controller-sized: %d controls "
		    "and bindings (bench/config's first channel), 256-frame "
		    "period, %.0f events/s for %.1f s", SMALL_CONTROLS, steady,
		    secs);
		anon_small = scenario(title, 256, steady, secs, 0);
		ncontrols = NCONTROLS;
		remove_small_config();
		if (anon_full > 0 && anon_small > 0)
			printf("  memory of the configuration: %d more controls "
			    "and bindings, %ld kB more anonymous memory (%.0f "
			    "bytes each)\n\n", NCONTROLS - SMALL_CONTROLS,
			    anon_full - anon_small, (double)(anon_full -
			    anon_small) * 1024 / (NCONTROLS - SMALL_CONTROLS));
	}
	flood = find_flood(64, quick ? 0.5 : 2);
	if (flood > 0) {
		snprintf(title, sizeof(title), "flood: 64-frame period, %.0f "
		    "events/s (the floor's highest held rate) for %.1f s", flood,
		    quick ? 0.5 : 2.0);
		scenario(title, 64, flood, quick ? 0.5 : 2, 0);
	}
	snprintf(title, sizeof(title), "flood: 32-frame period, 144000 events/s "
	    "for %.1f s", quick ? 0.5 : 2.0);
	scenario(title, 32, 144000, quick ? 0.5 : 2, 0);
	printf("%.0f s in all; load average now %.2f\n",
	    (double)(mono_ns() - t0) / 1e9, loadavg());
	rcv_stop();
	free(src.t_sent);
	return 0;
}
