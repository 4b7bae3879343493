/*
 * The running bridge, in one header (as ntpd.h): the structs every runtime
 * file shares, and what each file offers the others.
 *
 * A bridge owns the configuration set, the event loop, the OSC socket, the
 * values of the DAW's targets and the producer's session, and one struct
 * surface per -p: one controller, with its engine (active profile and the
 * state of each control, engine.h), its MIDI inputs, its link to the DAW,
 * the playhead the DAW reports, and its journal.  Everything runs on the
 * main thread (see INTERNALS.md for the flows, file by file).
 *
 *   bridge.c    set-up and teardown, deliver (MIDI in -> OSC out), the OSC
 *               socket's demultiplexing (DAW report -> LED), switching,
 *               LED resync
 *   daw_link.c  a surface's DAW: open, retarget, handshake, back-off,
 *               heartbeat, recognising its reports
 *   playhead.c  where the DAW's playhead is between two reports (pure)
 *   session.c   the producer's take counter, sections and loop, journal
 *   hooks.c     a profile's [on] hooks, fired by the DAW's state changing
 *   reload.c    a new configuration set checked, carried over, swapped in
 *   control.c   the control port, both ends
 *   input.c     a surface's MIDI inputs, both ways
 */
#ifndef CTLBRIDGE_BRIDGE_H
#define CTLBRIDGE_BRIDGE_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lo/lo.h>

#include "config.h"
#include "diag.h"
#include "engine.h"
#include "feedback.h"
#include "input.h"
#include "log.h"
#include "osc_out.h"

struct daw_override;
struct loop;
struct watch;

#define BRIDGE_MAX_SURFACES 8

/* -p PROFILE followed by its -m inputs (none: auto). */
struct surface_spec {
	const char *profile;
	struct input_spec inputs[INPUT_MAX];
	int ninputs;
};

struct bridge_options {
	char **dirs;
	int ndirs;
	struct surface_spec *surfaces;
	int nsurfaces;
	const struct daw_override *daw;	/* -o HOST:PORT, or NULL */
	int osc_port;		/* the bridge's own port; 0: any free one */
	const char *listen;	/* -L: its address; NULL: loopback, or any
				 * when a profile's DAW is elsewhere */
	bool no_watch;		/* do not follow edits with inotify */
	bool realtime;		/* -R: the main thread SCHED_FIFO */
};

/* Runs until a signal or the end of a raw input; returns the exit status. */
int bridge_run(const struct bridge_options *opt);

/* ---- what a surface is made of ---- */

/* The DAW as one surface talks to it and hears from it (daw_link.c). */
struct daw_link {
	struct daw_address address;	/* where its messages go */
	bool heard;			/* it answered since the last handshake */
	uint64_t last_heard_ns;
	uint64_t retry_ns, next_try_ns;	/* handshake back-off */
	int timer;			/* the link's next deadline, 0 if none */
	uint64_t timer_at;		/* when it fires */
};

/*
 * The DAW's playhead (playhead.c).  position is the last report in
 * seconds, for the journal.  at is the last report in the unit the DAW's
 * loop takes (Ardour: samples), made at at_ns, while rolling or not
 * (rolled); rate is how fast it moves while rolling, per second; outlier a
 * rate unlike it, seen once (a locate, or a new speed).  NAN: unknown.
 */
struct playhead {
	double position;
	double at, rate;
	uint64_t at_ns;
	bool rolled;
	double outlier;
};

/* The active profile's journal (session.c). */
struct journal {
	int fd;			/* -1: none */
	const char *path;	/* the profile's string */
	struct ratelimit warn;
};

/* The DAW's state as a surface's hooks last saw it (hooks.c): 1, 0, or
 * -1 while unknown; resets counts hooks_reset (a new DAW). */
struct hook_watch {
	int8_t connected, rolling, recording;
	unsigned resets;
};

/* One controller, as the bridge runs it. */
struct surface {
	struct bridge *br;
	int index;			/* 1-based, as users count them */
	struct engine *eng;		/* active profile, control states */
	struct inputs in;
	struct daw_link link;
	struct playhead playhead;
	struct journal journal;
	struct hook_watch hooks;
	struct ratelimit clip_warn;
	/* -v: a control waiting for pick-up, a message no control sends */
	struct ratelimit pickup_log, unmatched_log;
	/* why a press could not mark or loop a section, each reason its
	 * own limit: stuck or random input must not flood the log */
	struct ratelimit no_playhead_warn, no_section_warn, no_end_warn;
	/* what it reads, for other bridges to compare: "CONTROLLER
	 * KIND:PATTERN" lines (control_claimants) */
	char claims[1024];
	/* the controller's port pattern its inputs were opened with, ""
	 * when none of them uses it (-m raw:PATH, -m jack:PATTERN) */
	char pattern[256];
};

/* ---- what the bridge is made of ---- */

/* Where a section marker this bridge added starts, in one DAW (its URL),
 * in that DAW's playhead unit, for loop.section. */
struct section {
	char *daw;
	double at;
};

/* The producer's session: bridge-wide, so it survives a switch of role. */
struct session {
	int take;			/* the take counter, for {take} */
	struct section *sections;	/* never cleared */
	int nsections, sections_cap;
};

/* A configuration set replaced by a reload while a button held a binding
 * of it: freed once that button is released. */
struct retired {
	struct config *cfg;
	struct retired *next;
};

/* A `ctlbridge monitor` attached: its address, and when its lease ends
 * unless it renews it. */
struct monitor {
	struct sockaddr_in addr;
	uint64_t until_ns;
};

#define MONITOR_MAX 8
#define MONITOR_LEASE_NS 6000000000ull

struct bridge {
	struct loop *loop;
	bool stopping;		/* loop_stop() called: bridge_run's loop ends */
	struct config *cfg;
	const struct bridge_options *opt;
	struct osc_port osc;
	struct surface surfaces[BRIDGE_MAX_SURFACES];
	int nsurfaces;
	struct target_values *values;	/* shared by the surfaces' engines */
	struct session session;
	struct retired *retired;
	struct watch *watch;
	int sigfd;
	int exit_code;
	char runtime_file[1024];
	/* the last reload: "ok" or its diagnostics, for status */
	struct diag_list last_reload;
	bool reload_failed;
	unsigned reloads;		/* attempts, for status */
	/* reloads asked over the control port: a token bucket, so no local
	 * process can keep the loop busy reloading (control.c) */
	double reload_tokens;
	uint64_t reload_tokens_ns;
	struct ratelimit reload_warn;
	struct ratelimit control_warn;
	uint64_t refused;		/* datagrams from senders not heard */
	struct ratelimit refused_warn;
	/* monitors attached: the event path looks at nmonitors only */
	struct monitor monitors[MONITOR_MAX];
	int nmonitors;
	int monitor_timer;		/* the earliest lease's end, 0 if none */
};

/* ---- bridge.c ---- */

/* bridge_run in steps, for tests that drive a real bridge without its loop:
 * load, open the port and the surfaces (0, or -1 said in the log); a
 * datagram on the bridge's port from from; close and free everything
 * (also after a failed start). */
int bridge_start(struct bridge *br, const struct bridge_options *opt);
void bridge_datagram(struct bridge *br, const char *buf, size_t len,
    const struct sockaddr_in *from);
void bridge_stop(struct bridge *br);

/* Make p the surface's active profile, between two events (p is for its
 * controller, else -1 with the reason in err); why is for the log. */
int bridge_switch(struct surface *sf, const struct profile *p, const char *why,
    char *err, size_t errlen);
/* Every LED and motor fader of the controller to the active profile's
 * state: after a switch, a reload, a reconnect. */
void bridge_resync(struct surface *sf);
/* Every control bound to target id on the surface to its value. */
void bridge_show_target(struct surface *sf, int id, uint64_t now);

/* ---- hooks.c: the [on] hooks of the surface's profile ---- */

/* The DAW's state unknown: at start, and for another DAW. */
void hooks_reset(struct surface *sf);
/* After a message from the surface's DAW: fire what changed. */
void hooks_after_report(struct surface *sf, uint64_t now);
/* The link gave the DAW up (silent past its heartbeat): daw.lost. */
void hooks_lost(struct surface *sf, uint64_t now);
/* Run the profile's hook for e, and the next profile's after a switch. */
void hooks_fire(struct surface *sf, enum hook_event e, uint64_t now);

/* ---- daw_link.c ---- */

/* Open the link to p's DAW and start greeting it; 0 or -1. */
int daw_link_open(struct surface *sf, const struct profile *p);
/* p's DAW from now on: when its address differs, a new link (greeted
 * anew, its playhead unknown); 0, or -1 with err (the old link stays). */
int daw_link_retarget(struct surface *sf, const struct profile *p, char *err,
    size_t errlen);
/* After the surface's profile changed (switch, reload): the link's timer
 * follows the new dialect (a handshake, a heartbeat, or none: no wakeup). */
void daw_link_switched(struct surface *sf);
/* After the loop's round sent its batch: when messages wait for the DAW
 * (flood control), the timer is set for when they may go. */
void daw_link_flow(struct surface *sf);
void daw_link_close(struct surface *sf);
/* Does a datagram from this address come from the surface's DAW? */
bool daw_link_from(const struct surface *sf, const struct sockaddr_in *from);
/* A message from the surface's DAW at now: it is alive; a playhead report
 * is taken in; 1 and *m when it reports an action's value, else 0. */
int daw_link_report(struct surface *sf, const struct osc_in *msg,
    uint64_t now, struct feedback_match *m);

/* ---- playhead.c: pure functions of (report, rolling, now) ---- */

void playhead_reset(struct playhead *ph);
/* A report of the playhead, v in the loop's unit, at now. */
void playhead_report(struct playhead *ph, double v, bool rolling, uint64_t now);
/* Where the playhead is at now; NAN if unknown. */
double playhead_at(const struct playhead *ph, bool rolling, uint64_t now);
/* How far short of a section start the playhead still counts as at it. */
double playhead_slack(const struct playhead *ph);

/* ---- session.c ---- */

/* Before a press of b is sent: count a new take, work out loop.section's
 * range; fills ev; false (and says why) when it cannot be sent. */
bool session_before_send(struct surface *sf, const struct binding *b,
    bool press, uint64_t now, struct osc_context *ev);
/* After a press of b was sent: remember a section, start the loop. */
void session_after_send(struct surface *sf, const struct binding *b,
    uint64_t now);
void session_free(struct session *s);
/* The active profile's journal (re)opened when it is another file. */
void journal_open(struct surface *sf);
void journal_write(struct surface *sf, const struct binding *b, double value);
/* An action of a hook for event ("recording.start"), before it runs. */
void journal_hook(struct surface *sf, const char *event,
    const struct binding *b, double value);
void journal_close(struct surface *sf);

/* ---- reload.c ---- */

/* Load everything anew and swap it in, or keep the running set; 0 or -1.
 * The outcome is kept in br->last_reload for status. */
int reload(struct bridge *br, const char *why);
/* Free the retired sets no button holds any more. */
void reload_release(struct bridge *br);
/* At exit: free them all. */
void reload_free_retired(struct bridge *br);
/* -v: the file each loaded profile came from (start-up and reload). */
void reload_log_sources(const struct config *cfg);

/* ---- trace.c ---- */

/* -v: a message sent, as the sender formats it. */
void trace_sent(const struct surface *sf, const struct engine_output *out,
    const struct osc_context *ctx);
/* -v: why an event sent nothing, where a user would wonder (pick-up,
 * unmatched); rate-limited. */
void trace_silence(struct surface *sf, const struct midi_event *ev,
    const struct engine_output *out);

/* ---- monitor.c ---- */

/* A monitor at from attaches or renews its lease (stop: detaches); 0, or
 * -1 when MONITOR_MAX are attached; msg says which. */
int monitor_attach(struct bridge *br, const struct sockaddr_in *from,
    bool stop, char *msg, size_t len);
void monitor_close(struct bridge *br);
/* One line to every monitor: a MIDI event and what became of it (did:
 * what send_output did, for a sent one); a DAW message (m NULL: no action
 * read it; target -1: none of this surface's); MIDI sent to the
 * controller for a control (-1: none).  p: the profile that took the
 * event (a switch it made is already done). */
void monitor_midi(struct surface *sf, const struct profile *p,
    const struct midi_event *ev,
    const struct engine_output *out, const char *did);
void monitor_daw(struct surface *sf, const struct osc_in *msg,
    const struct feedback_match *m, int target);
/* What became of a message sent for b (its flood control's fate). */
void monitor_say_sent(const struct surface *sf, const struct binding *b,
    double value, const struct osc_context *args, char *did, size_t didlen);
/* An action of p's hook for e, and what became of it (did). */
void monitor_hook(struct surface *sf, const struct profile *p,
    enum hook_event e, const struct binding *b, const char *did);
void monitor_feedback(struct surface *sf, int control, const uint8_t *bytes,
    size_t n);
/* ctlbridge monitor: attach to the bridge on port, print its events
 * (raw: the tab-separated lines as they come) that pass the filters,
 * until a signal; the exit status. */
int monitor_run(int port, bool raw, char *const *filters, int nfilters);
/* The message as a controller file would name it: "ch 2 cc 0". */
const char *monitor_message_name(const struct midi_event *ev, char *buf,
    size_t len);

/* ---- control.c (the server side; control.h has the protocol) ---- */

/* Who is heard on the bridge's port: this machine (control requests, a
 * DAW here) and the DAW hosts of the loaded profiles. */
bool control_sender_allowed(const struct bridge *br,
    const struct sockaddr_in *from);

/* Say what the surfaces read in the runtime file (the command line finds
 * the bridge there), warning of another bridge that reads the same. */
void control_announce_bridge(struct bridge *br);

/* A request on the bridge's port from a loopback sender: answer it. */
void control_serve(struct bridge *br, const char *buf, size_t len,
    const struct sockaddr_in *from);

#endif
