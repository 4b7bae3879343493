/*
 * The monitor, the bridge's side: who watches (a few loopback addresses,
 * each on a lease the client renews), and each event written as one
 * tab-separated line (ctlbridge(1), MONITOR) sent to them as
 * /ctlbridge/event s:LINE.  The event path calls in here only while
 * br->nmonitors is not 0; an expired lease is dropped by a timer, so a
 * monitor that went away costs nothing once its lease ends.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "control.h"
#include "loop.h"
#include "util.h"

/* ---- who watches ---- */

static bool
same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr &&
	    a->sin_port == b->sin_port;
}

static void
drop(struct bridge *br, int i, const char *why)
{
	log_debug("monitor: 127.0.0.1:%d %s", ntohs(br->monitors[i].addr.sin_port),
	    why);
	br->monitors[i] = br->monitors[--br->nmonitors];
}

static void sweep(void *ctx);

/* The timer follows the earliest lease. */
static void
schedule(struct bridge *br, uint64_t now)
{
	uint64_t first = UINT64_MAX;

	if (br->monitor_timer > 0)
		loop_cancel_timer(br->loop, br->monitor_timer);
	br->monitor_timer = 0;
	for (int i = 0; i < br->nmonitors; i++)
		if (br->monitors[i].until_ns < first)
			first = br->monitors[i].until_ns;
	if (br->nmonitors)
		br->monitor_timer = loop_add_timer(br->loop, first > now ?
		    first - now : 0, sweep, br);
}

static void
sweep(void *ctx)
{
	struct bridge *br = ctx;
	uint64_t now = now_ns();

	br->monitor_timer = 0;
	for (int i = br->nmonitors - 1; i >= 0; i--)
		if (br->monitors[i].until_ns <= now)
			drop(br, i, "gone (its lease ended)");
	schedule(br, now);
}

int
monitor_attach(struct bridge *br, const struct sockaddr_in *from, bool stop,
    char *msg, size_t len)
{
	uint64_t now = now_ns();
	int i;

	for (i = 0; i < br->nmonitors; i++)
		if (same_addr(&br->monitors[i].addr, from))
			break;
	if (stop) {
		if (i < br->nmonitors)
			drop(br, i, "detached");
		schedule(br, now);
		snprintf(msg, len, "detached");
		return 0;
	}
	if (i == br->nmonitors) {
		if (br->nmonitors == MONITOR_MAX) {
			snprintf(msg, len, "%d monitors are attached already",
			    MONITOR_MAX);
			return -1;
		}
		br->monitors[br->nmonitors++].addr = *from;
		log_debug("monitor: 127.0.0.1:%d attached", ntohs(from->sin_port));
	}
	br->monitors[i].until_ns = now + MONITOR_LEASE_NS;
	schedule(br, now);
	snprintf(msg, len, "monitoring %d surface%s; renew within %d s",
	    br->nsurfaces, br->nsurfaces == 1 ? "" : "s",
	    (int)(MONITOR_LEASE_NS / 1000000000ull));
	return 0;
}

void
monitor_close(struct bridge *br)
{
	if (br->monitor_timer > 0)
		loop_cancel_timer(br->loop, br->monitor_timer);
	br->monitor_timer = 0;
	br->nmonitors = 0;
}

/* ---- one line to each ---- */

struct line {
	char buf[1400];
	size_t n;
};

static void
add(struct line *l, const char *fmt, ...) LOG_PRINTF(2, 3);

/* A field; tabs and newlines in names would break the columns. */
static void
add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	size_t start = l->n;
	int k;

	if (l->n >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(l->buf + l->n, sizeof(l->buf) - l->n, fmt, ap);
	va_end(ap);
	l->n += k < 0 ? 0 : (size_t)k;
	if (l->n > sizeof(l->buf) - 1)
		l->n = sizeof(l->buf) - 1;
	for (size_t i = start; i < l->n; i++)
		if (l->buf[i] == '\t' || l->buf[i] == '\n')
			l->buf[i] = ' ';
}

static void
tab(struct line *l)
{
	if (l->n < sizeof(l->buf) - 1)
		l->buf[l->n++] = '\t';
	l->buf[l->n] = '\0';
}

static void
head(struct line *l, const char *kind, const struct surface *sf)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	l->n = 0;
	add(l, "%s", kind);
	tab(l);
	add(l, "%lld.%06ld", (long long)ts.tv_sec, ts.tv_nsec / 1000);
	tab(l);
	add(l, "%d", sf->index);
	tab(l);
}

static size_t
pad4(size_t n)
{
	return (n + 4) & ~(size_t)3;	/* with its NUL */
}

/* /ctlbridge/event s:LINE, built by hand: nothing allocated. */
static void
send_line(struct bridge *br, const struct line *l)
{
	static const char path[] = "/ctlbridge/event";
	char pkt[1600];
	size_t n = 0, plen = pad4(sizeof(path) - 1), slen = pad4(l->n);

	memset(pkt, 0, plen + 4 + slen);
	memcpy(pkt, path, sizeof(path) - 1);
	n = plen;
	memcpy(pkt + n, ",s", 2);
	n += 4;
	memcpy(pkt + n, l->buf, l->n);
	n += slen;
	/* ECONNREFUSED is an earlier datagram's (a DAW not there, a monitor
	 * gone): this one was not sent, so once more */
	for (int i = 0; i < br->nmonitors; i++)
		for (int k = 0; k < 2; k++)
			if (sendto(br->osc.fd, pkt, n, MSG_DONTWAIT,
			    (const struct sockaddr *)&br->monitors[i].addr,
			    sizeof(br->monitors[i].addr)) >= 0 ||
			    errno != ECONNREFUSED)
				break;
}

/* ---- what an event is, in words ---- */

/* The message as a controller file names it: "ch 2 cc 0". */
const char *
monitor_message_name(const struct midi_event *ev, char *buf, size_t len)
{
	int ch = ev->channel + 1;

	switch (ev->kind) {
	case MIDI_NOTE_ON:
	case MIDI_NOTE_OFF:
		snprintf(buf, len, "ch %d note %u", ch, ev->number);
		break;
	case MIDI_CC:
	case MIDI_CC14:
	case MIDI_NRPN:
	case MIDI_RPN:
	case MIDI_PROGRAM:
		snprintf(buf, len, "ch %d %s %u", ch, ev->kind == MIDI_PROGRAM ?
		    "program" : midi_kind_name(ev->kind), ev->kind == MIDI_PROGRAM ?
		    (unsigned)ev->value : ev->number);
		break;
	case MIDI_POLY_AFTERTOUCH:
		snprintf(buf, len, "ch %d polyaftertouch %u", ch, ev->number);
		break;
	case MIDI_PITCH_BEND:
		snprintf(buf, len, "ch %d pitchbend", ch);
		break;
	case MIDI_CHANNEL_AFTERTOUCH:
		snprintf(buf, len, "ch %d aftertouch", ch);
		break;
	case MIDI_SYSEX:
		snprintf(buf, len, "sysex (%zu bytes)", ev->sysex_len);
		break;
	default:
		snprintf(buf, len, "%s %02X", midi_kind_name(ev->kind), ev->number);
		break;
	}
	return buf;
}

/* The bytes the event stands for (a 14-bit pair or an NRPN as the
 * messages that make it), as hex. */
static void
add_bytes(struct line *l, const struct midi_event *ev)
{
	uint8_t b[12], ch = ev->channel & 15;
	int n = 0;
	int32_t v = ev->value;

	switch (ev->kind) {
	case MIDI_NOTE_OFF: b[0] = 0x80 | ch; b[1] = (uint8_t)ev->number;
		b[2] = (uint8_t)v; n = 3; break;
	case MIDI_NOTE_ON: b[0] = 0x90 | ch; b[1] = (uint8_t)ev->number;
		b[2] = (uint8_t)v; n = 3; break;
	case MIDI_POLY_AFTERTOUCH: b[0] = 0xA0 | ch; b[1] = (uint8_t)ev->number;
		b[2] = (uint8_t)v; n = 3; break;
	case MIDI_CC: b[0] = 0xB0 | ch; b[1] = (uint8_t)ev->number;
		b[2] = (uint8_t)v; n = 3; break;
	case MIDI_CC14: b[0] = b[3] = 0xB0 | ch; b[1] = (uint8_t)ev->number;
		b[2] = (uint8_t)(v >> 7); b[4] = (uint8_t)(ev->number + 32);
		b[5] = (uint8_t)(v & 127); n = 6; break;
	case MIDI_NRPN:
	case MIDI_RPN: {
		bool nrpn = ev->kind == MIDI_NRPN;
		b[0] = b[3] = b[6] = b[9] = 0xB0 | ch;
		b[1] = nrpn ? 99 : 101; b[2] = (uint8_t)(ev->number >> 7);
		b[4] = nrpn ? 98 : 100; b[5] = (uint8_t)(ev->number & 127);
		if (ev->flags == MIDI_PARAM_DELTA) {
			b[7] = v > 0 ? 96 : 97; b[8] = (uint8_t)(v > 0 ? v : -v);
			n = 9;
		} else {
			b[7] = 6; b[8] = (uint8_t)(v >> 7);
			b[10] = 38; b[11] = (uint8_t)(v & 127); n = 12;
		}
		break;
	}
	case MIDI_PROGRAM: b[0] = 0xC0 | ch; b[1] = (uint8_t)v; n = 2; break;
	case MIDI_CHANNEL_AFTERTOUCH: b[0] = 0xD0 | ch; b[1] = (uint8_t)v;
		n = 2; break;
	case MIDI_PITCH_BEND: b[0] = 0xE0 | ch; b[1] = (uint8_t)(v & 127);
		b[2] = (uint8_t)(v >> 7); n = 3; break;
	case MIDI_REALTIME: b[0] = (uint8_t)ev->number; n = 1; break;
	case MIDI_SYSEX:
		for (size_t i = 0; i < ev->sysex_len && i < 16; i++)
			add(l, "%s%02X", i ? " " : "", ev->sysex[i]);
		if (ev->sysex_len > 16)
			add(l, " ...");
		return;
	}
	for (int i = 0; i < n; i++)
		add(l, "%s%02X", i ? " " : "", b[i]);
	if (n == 0)
		add(l, "-");
}

static void
add_action(struct line *l, const struct binding *b)
{
	if (b == NULL) {
		add(l, "-");
		return;
	}
	add(l, "%s", b->action->name);
	if (b->track > 0)
		add(l, " track=%d", b->track);
	if (binding_marker(b) > 0)
		add(l, " marker=%d", binding_marker(b));
	if (binding_plugin(b) > 0)
		add(l, " plugin=%d", binding_plugin(b));
	if (binding_profile(b))
		add(l, " profile=%s", binding_profile(b));
}

void
monitor_midi(struct surface *sf, const struct profile *p,
    const struct midi_event *ev,
    const struct engine_output *out, const char *did)
{
	const struct engine *eng = sf->eng;
	const char *ctl = out->control >= 0 ?
	    eng->controller->controls[out->control].name : NULL;
	struct line l;
	char name[300];

	head(&l, "midi", sf);
	add(&l, "%s", inputs_source_name(&sf->in, ev->source, name,
	    sizeof(name)));
	tab(&l);
	add_bytes(&l, ev);
	tab(&l);
	add(&l, "%s", monitor_message_name(ev, name, sizeof(name)));
	if (ev->kind == MIDI_NOTE_OFF)
		add(&l, " off");
	else if (ev->kind == MIDI_NRPN || ev->kind == MIDI_RPN)
		add(&l, ev->flags == MIDI_PARAM_DELTA ? " %+d" : " = %d",
		    (int)ev->value);
	else if (ev->kind != MIDI_PROGRAM && ev->kind != MIDI_SYSEX &&
	    ev->kind != MIDI_REALTIME)
		add(&l, " = %d", (int)ev->value);
	tab(&l);
	if (ctl)
		add(&l, "%s", ctl);
	else
		add(&l, "unmatched: %s", name);
	tab(&l);
	add(&l, "%s", p->name);
	tab(&l);
	add_action(&l, out->binding);
	tab(&l);
	switch (out->why) {
	case ENGINE_WHY_SENT:
		add(&l, "%s", did ? did : "sent");
		break;
	case ENGINE_WHY_UNMATCHED:
		add(&l, "not in controller %s", eng->controller->name);
		break;
	case ENGINE_WHY_UNBOUND:
		add(&l, "unbound in %s", p->name);
		break;
	case ENGINE_WHY_PICKUP:
		add(&l, "pick-up: waiting for %.2f, at %.2f", out->want, out->at);
		break;
	case ENGINE_WHY_GUARD:
		add(&l, "guard: press again within 1 s");
		break;
	case ENGINE_WHY_ECHO:
		add(&l, "echo of feedback");
		break;
	case ENGINE_WHY_DISPLAY:
		add(&l, "meter: shows the DAW's level");
		break;
	case ENGINE_WHY_IDLE:
		add(&l, "nothing to do");
		break;
	case ENGINE_WHY_INERT:
		add(&l, "the action sends nothing");
		break;
	}
	send_line(sf->br, &l);
}

static void
add_osc(struct line *l, const struct osc_in *msg)
{
	add(l, "%s", msg->path);
	for (int i = 0; i < msg->argc; i++) {
		double v;
		if (msg->types[i] == 's' || msg->types[i] == 'S')
			add(l, " \"%.60s\"", (const char *)msg->argv[i]);
		else if (osc_arg_number(msg->types[i], msg->argv[i], &v))
			add(l, " %g", v);
		else
			add(l, " %c", msg->types[i]);
	}
}

/* For the monitor: what became of a message sent, flood control's
 * counts when it waits. */
void
monitor_say_sent(const struct surface *sf, const struct binding *b,
    double value, const struct osc_context *args, char *did, size_t didlen)
{
	const struct osc_msg *msg = binding_msg(b, value);
	const struct osc_flow *f = &sf->link.address.flow;
	char text[256];

	osc_msg_format(msg, value, args, text, sizeof(text));
	if (f->fate == OSC_FATE_SENT)
		snprintf(did, didlen, "sent %s%s", msg->address, text);
	else
		snprintf(did, didlen, "%s %.100s%.100s (flood control: %d "
		    "waiting, %llu coalesced, %llu queued so far)", f->fate ==
		    OSC_FATE_MERGED ? "coalesced" : "queued", msg->address,
		    text, f->q.n, (unsigned long long)f->coalesced,
		    (unsigned long long)f->queued);
}

/* "hook": the port and bytes columns empty, the event as the message
 * and the control (monitor recording.start shows its hooks). */
void
monitor_hook(struct surface *sf, const struct profile *p, enum hook_event e,
    const struct binding *b, const char *did)
{
	struct line l;

	head(&l, "hook", sf);
	add(&l, "-");
	tab(&l);
	add(&l, "-");
	tab(&l);
	add(&l, "on %s", hook_event_name(e));
	tab(&l);
	add(&l, "%s", hook_event_name(e));
	tab(&l);
	add(&l, "%s", p->name);
	tab(&l);
	add_action(&l, b);
	tab(&l);
	add(&l, "%s", did);
	send_line(sf->br, &l);
}

void
monitor_daw(struct surface *sf, const struct osc_in *msg,
    const struct feedback_match *m, int target)
{
	const struct profile *p = sf->eng->profile;
	struct line l;

	head(&l, "daw", sf);
	add(&l, "%s", sf->link.address.url);
	tab(&l);
	add(&l, "-");
	tab(&l);
	add_osc(&l, msg);
	tab(&l);
	if (m && target >= 0 && p->by_target[target] >= 0)
		add(&l, "%s", sf->eng->controller->controls[
		    p->bindings[p->by_target[target]].control].name);
	else
		add(&l, "-");
	tab(&l);
	add(&l, "%s", p->name);
	tab(&l);
	if (m) {
		add(&l, "%s", m->action->name);
		if (m->track > 0)
			add(&l, " track=%d", m->track);
		if (m->marker > 0)
			add(&l, " marker=%d", m->marker);
		if (m->plugin > 0)
			add(&l, " plugin=%d", m->plugin);
	} else
		add(&l, "-");
	tab(&l);
	if (m == NULL)
		add(&l, "no action of %s reads it", p->dialect->name);
	else if (target < 0)
		add(&l, "not bound in %s", p->name);
	else if (m->has_value)
		add(&l, "stored %g", m->value);
	else
		add(&l, "stored");
	send_line(sf->br, &l);
}

void
monitor_feedback(struct surface *sf, int control, const uint8_t *bytes,
    size_t n)
{
	const struct profile *p = sf->eng->profile;
	int bi = control >= 0 ? p->by_control[control] : -1;
	struct line l;

	if (n == 0)
		return;
	head(&l, "out", sf);
	add(&l, "controller");
	tab(&l);
	for (size_t i = 0; i < n && i < 16; i++)
		add(&l, "%s%02X", i ? " " : "", bytes[i]);
	if (n > 16)
		add(&l, " ...");
	tab(&l);
	if (bytes[0] == 0xF0)
		add(&l, "sysex (%zu bytes)", n);
	else if (n == 3 && bytes[0] >= 0x80 && bytes[0] < 0xF0) {
		struct midi_event ev = { 0 };
		char name[64];
		uint8_t st = bytes[0] & 0xF0;
		ev.channel = bytes[0] & 15;
		ev.number = bytes[1];
		ev.value = bytes[2];
		ev.kind = st == 0x90 ? MIDI_NOTE_ON : st == 0x80 ? MIDI_NOTE_OFF :
		    st == 0xB0 ? MIDI_CC : st == 0xE0 ? MIDI_PITCH_BEND : MIDI_NONE;
		if (ev.kind == MIDI_PITCH_BEND)
			ev.value = bytes[1] | bytes[2] << 7;
		add(&l, "%s = %d", monitor_message_name(&ev, name, sizeof(name)),
		    (int)ev.value);
	} else
		add(&l, "-");
	tab(&l);
	add(&l, "%s", control >= 0 ?
	    sf->eng->controller->controls[control].name : "-");
	tab(&l);
	add(&l, "%s", p->name);
	tab(&l);
	add_action(&l, bi >= 0 ? &p->bindings[bi] : NULL);
	tab(&l);
	add(&l, "sent to the controller");
	send_line(sf->br, &l);
}

/* ---- the client: ctlbridge monitor ---- */

#define MONITOR_RENEW_MS 2000
#define MONITOR_SILENT_NS (MONITOR_LEASE_NS + 2000000000ull)

static volatile sig_atomic_t monitor_stop;

static void
on_stop(int sig)
{
	monitor_stop = 1;
}

enum column { COL_KIND, COL_TIME, COL_SURFACE, COL_PORT, COL_BYTES,
	COL_MESSAGE, COL_CONTROL, COL_PROFILE, COL_ACTION, COL_OUTCOME,
	COL_COUNT };

/* A name filter: a glob, or a word that is the field or its first word
 * ("track.gain" for "track.gain track=1", "unmatched" for "unmatched:
 * ch 2 cc 0"). */
static bool
name_match(const char *pattern, const char *field)
{
	size_t n = strlen(pattern);

	if (strpbrk(pattern, "*?[") != NULL)
		return fnmatch(pattern, field, 0) == 0;
	return strncmp(field, pattern, n) == 0 && (field[n] == '\0' ||
	    field[n] == ' ' || field[n] == ':');
}

/* Surface filters (surface=N, or a bare number) and name filters
 * (control=GLOB, action=GLOB, or a bare word for either): an event shows
 * when it matches one of each kind given. */
static bool
wanted_event(char **col, char *const *filters, int n)
{
	bool any_surface = false, surface_ok = false, any_name = false,
	    name_ok = false;
	long num;

	for (int i = 0; i < n; i++) {
		const char *f = filters[i];
		if (strncmp(f, "surface=", 8) == 0 || parse_int(f, 1, 99, &num)) {
			any_surface = true;
			surface_ok |= strcmp(col[COL_SURFACE], f[0] == 's' ? f + 8 :
			    f) == 0;
		} else if (strncmp(f, "control=", 8) == 0) {
			any_name = true;
			name_ok |= name_match(f + 8, col[COL_CONTROL]);
		} else if (strncmp(f, "action=", 7) == 0) {
			any_name = true;
			name_ok |= name_match(f + 7, col[COL_ACTION]);
		} else {
			any_name = true;
			name_ok |= name_match(f, col[COL_CONTROL]) ||
			    name_match(f, col[COL_ACTION]);
		}
	}
	return (!any_surface || surface_ok) && (!any_name || name_ok);
}

/* The surface a filter names (surface=N, or a bare number), 0 for a name
 * filter. */
static long
filter_surface(const char *f)
{
	long num;

	if (strncmp(f, "surface=", 8) == 0)
		return parse_int(f + 8, 1, BRIDGE_MAX_SURFACES, &num) ? num : -1;
	return parse_int(f, 1, 99, &num) ? num : 0;
}

/*
 * A filter that can match nothing is a slip, said before attaching rather
 * than left to print nothing for ever: surface= without a surface's
 * number, control= or action= without a name, an unknown NAME= (a glob
 * before the '=', or a '.' or a blank, is a name filter: "*track=1",
 * "track.gain track=1").  0, or -1 said.
 */
static int
filters_check(char *const *filters, int n)
{
	for (int i = 0; i < n; i++) {
		const char *f = filters[i], *eq = strchr(f, '=');
		size_t k = eq ? (size_t)(eq - f) : 0;

		if (filter_surface(f) < 0) {
			fprintf(stderr, "ctlbridge: monitor: '%s': surface= takes "
			    "a surface's number, 1 to %d\n", f,
			    BRIDGE_MAX_SURFACES);
			return -1;
		}
		if (eq == NULL || strspn(f, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") != k ||
		    (k == 7 && strncmp(f, "surface", 7) == 0))
			continue;
		if ((k == 7 && strncmp(f, "control", 7) == 0) ||
		    (k == 6 && strncmp(f, "action", 6) == 0)) {
			if (eq[1] == '\0') {
				fprintf(stderr, "ctlbridge: monitor: '%s' names "
				    "no %.*s\n", f, (int)k, f);
				return -1;
			}
			continue;
		}
		fprintf(stderr, "ctlbridge: monitor: unknown filter '%s' "
		    "(expected surface=N, control=NAME, action=NAME, or a "
		    "number or a name alone)\n", f);
		return -1;
	}
	return 0;
}

/* The surfaces the bridge runs, from its answer to the attach
 * ("monitoring 2 surfaces; ..."), against those the filters name: a
 * surface it does not run is said as switch says it.  0, or -1 said. */
static int
filters_against(const char *answer, char *const *filters, int n)
{
	int nsurfaces;

	if (sscanf(answer, "monitoring %d surface", &nsurfaces) != 1)
		return 0;
	for (int i = 0; i < n; i++)
		if (filter_surface(filters[i]) > nsurfaces) {
			fprintf(stderr, "ctlbridge: monitor: no surface %ld (the "
			    "bridge runs %d)\n", filter_surface(filters[i]),
			    nsurfaces);
			return -1;
		}
	return 0;
}

static void
print_event(const char *line, bool raw, char *const *filters, int nfilters)
{
	char buf[1600], *col[COL_COUNT], *p = buf;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	while (n < COL_COUNT && p) {
		col[n++] = p;
		if ((p = strchr(p, '\t')) != NULL)
			*p++ = '\0';
	}
	if (n < COL_COUNT || !wanted_event(col, filters, nfilters))
		return;
	if (raw) {
		printf("%s\n", line);
		return;
	}
	{
		double t = strtod(col[COL_TIME], NULL);
		time_t sec = (time_t)t;
		struct tm tm;
		localtime_r(&sec, &tm);
		printf("%02d:%02d:%02d.%03d %s %-4s ", tm.tm_hour, tm.tm_min,
		    tm.tm_sec, (int)((t - (double)sec) * 1000), col[COL_SURFACE],
		    strcmp(col[COL_KIND], "midi") == 0 ? col[COL_PORT] :
		    col[COL_KIND]);
	}
	if (strcmp(col[COL_KIND], "hook") == 0)
		printf("%-43s %s", col[COL_MESSAGE], col[COL_PROFILE]);
	else {
		if (strcmp(col[COL_KIND], "daw") == 0)
			printf("%-30s", col[COL_MESSAGE]);
		else
			printf("%-18s %-20s", col[COL_BYTES],
			    col[COL_MESSAGE]);
		printf(" %-12s %s", col[COL_CONTROL], col[COL_PROFILE]);
	}
	if (strcmp(col[COL_ACTION], "-") != 0)
		printf(" %s", col[COL_ACTION]);
	printf(": %s\n", col[COL_OUTCOME]);
}

static int
monitor_send(int fd, const struct sockaddr_in *to, const char *arg)
{
	lo_message m = lo_message_new();
	char buf[256];
	size_t size = sizeof(buf);
	int rc = -1;

	if (arg)
		lo_message_add_string(m, arg);
	if (lo_message_serialise(m, "/ctlbridge/monitor", buf, &size) != NULL &&
	    sendto(fd, buf, size, 0, (const struct sockaddr *)to,
	    sizeof(*to)) >= 0)
		rc = 0;
	lo_message_free(m);
	return rc;
}

int
monitor_run(int port, bool raw, char *const *filters, int nfilters)
{
	struct sockaddr_in to, me;
	struct sigaction sa;
	struct pollfd pfd;
	uint64_t last_heard = 0, next_renew;
	bool attached = false;
	int fd, rc = 1;

	if (filters_check(filters, nfilters) < 0)
		return 2;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me = to;
	me.sin_port = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    monitor_send(fd, &to, NULL) < 0) {
		fprintf(stderr, "ctlbridge: monitor: %s\n", strerror(errno));
		goto out;
	}
	next_renew = now_ns() + MONITOR_RENEW_MS * 1000000ull;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!monitor_stop) {
		static char buf[65536];
		uint64_t now = now_ns();
		ssize_t len;
		const char *path;
		lo_message m;
		int result;

		if (now >= next_renew) {
			monitor_send(fd, &to, NULL);
			next_renew = now + MONITOR_RENEW_MS * 1000000ull;
		}
		if ((!attached && now - (next_renew - MONITOR_RENEW_MS *
		    1000000ull) > 3000000000ull && last_heard == 0) ||
		    (attached && now - last_heard > MONITOR_SILENT_NS)) {
			fprintf(stderr, "ctlbridge: monitor: no answer from the "
			    "bridge on port %d\n", port);
			goto out;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((len = recv(fd, buf, sizeof(buf), 0)) <= 0 ||
		    (path = lo_get_path(buf, len)) == NULL ||
		    (m = lo_message_deserialise(buf, (size_t)len, &result)) == NULL)
			continue;
		if (lo_message_get_argc(m) >= 1 &&
		    lo_message_get_types(m)[0] == 's') {
			/* a string argument is where its lo_arg points, 4-byte
			 * aligned only: no member access of the union */
			const char *s = (const char *)lo_message_get_argv(m)[0];
			if (strcmp(path, CONTROL_REPLY) == 0) {
				last_heard = now_ns();
				if (strcmp(s, "ok") != 0) {
					lo_arg **argv = lo_message_get_argv(m);
					fprintf(stderr, "ctlbridge: monitor: %s\n",
					    lo_message_get_argc(m) > 1 ?
					    (const char *)argv[1] : "refused");
					lo_message_free(m);
					goto out;
				}
				const char *said = lo_message_get_argc(m) > 1 ?
				    (const char *)lo_message_get_argv(m)[1] : "ok";
				if (!attached && filters_against(said, filters,
				    nfilters) < 0) {
					lo_message_free(m);
					monitor_send(fd, &to, "stop");
					goto out;
				}
				if (!attached && !raw)
					fprintf(stderr, "ctlbridge: monitor: bridge "
					    "on port %d: %s\n", port, said);
				attached = true;
			} else if (strcmp(path, "/ctlbridge/event") == 0)
				print_event(s, raw, filters, nfilters);
		}
		lo_message_free(m);
		if (ferror(stdout)) {
			monitor_stop = 1;	/* a closed pipe: the reader is done */
		}
	}
	monitor_send(fd, &to, "stop");
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
