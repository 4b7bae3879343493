/*
 * ctlbridge learn: what a control sends, as the [controls] line that
 * defines it.  Listens on the inputs the bridge would use (or -m SPEC),
 * gathers the messages of each control the user moves, and decides when
 * the controls have been quiet for LEARN_QUIET_NS: a button (press and
 * release, or one press), an absolute control, a relative encoder in one
 * of its three codings, a 14-bit pair, an NRPN or RPN, a note, pitch bend.
 * With a controller and control names it asks for each in turn and adds
 * the lines to that controller file in the user's directory.
 */
#include <sys/signalfd.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_internal.h"
#include "input.h"
#include "learn.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#define LEARN_QUIET_NS (600ull * 1000000)
#define LEARN_MAX_OBS 64
#define LEARN_MAX_VALUES 256
#define LEARN_MAX_NAMES 64

/* Everything one MIDI message address (kind, channel, number) sent. */
struct obs {
	uint8_t kind;		/* enum midi_kind; note off counts as note on */
	uint8_t channel;
	uint16_t number;
	int n;			/* messages */
	int nvalues;
	int32_t values[LEARN_MAX_VALUES];
	int deltas;		/* NRPN/RPN increments and decrements */
	bool merged;		/* taken into another (the LSB of a pair) */
};

struct learner {
	struct loop *loop;
	struct inputs in;
	struct obs obs[LEARN_MAX_OBS];
	int nobs;
	int timer;
	int want;		/* controls to learn; 0: no end */
	int learned;
	int default_channel;	/* 0-based */
	bool finished;		/* input ended */
	bool interrupted;	/* SIGINT or SIGTERM: what was learned is kept */
	/* naming */
	char *const *names;	/* asked for in turn, or NULL */
	int nnames;
	const struct controller *ctl;	/* names in use, or NULL */
	char lines[LEARN_MAX_NAMES][256];	/* what was learned, per name */
	int nlines;
	int counters[16];
	int rc;
};

static void
obs_add(struct obs *o, int32_t v)
{
	if (o->nvalues < LEARN_MAX_VALUES)
		o->values[o->nvalues++] = v;
	o->n++;
}

static struct obs *
obs_find(struct learner *L, int kind, int channel, int number)
{
	for (int i = 0; i < L->nobs; i++)
		if (L->obs[i].kind == kind && L->obs[i].channel == channel &&
		    L->obs[i].number == number)
			return &L->obs[i];
	if (L->nobs == LEARN_MAX_OBS)
		return NULL;
	L->obs[L->nobs] = (struct obs){ .kind = (uint8_t)kind,
	    .channel = (uint8_t)channel, .number = (uint16_t)number };
	return &L->obs[L->nobs++];
}

/* ---- deciding what a control is ---- */

/* Ticks of a relative value in a coding, or 0 for none / out of the
 * small steps an encoder sends (at most 31 a message). */
static int
ticks(int v, enum relative_format f)
{
	int t;

	switch (f) {
	case REL_TWOS_COMPLEMENT:
		t = v < 64 ? v : v - 128;
		break;
	case REL_SIGN_MAGNITUDE:
		t = v < 64 ? v : -(v - 64);
		break;
	default:
		t = v - 64;
		break;
	}
	return t >= -31 && t <= 31 ? t : 0;
}

static const char *const rel_words[] = {
	[REL_TWOS_COMPLEMENT] = "twos-complement",
	[REL_SIGN_MAGNITUDE] = "sign-magnitude",
	[REL_BINARY_OFFSET] = "binary-offset",
};

/*
 * A 7-bit control's values read as a relative encoder: the coding every
 * value fits (a step of 1 to 31 either way) with both directions seen;
 * failing that, one direction only but a value repeated (an absolute
 * control never sends the same value twice running), and then the first
 * coding that fits, *sure false.  -1: not an encoder.
 */
static int
relative_coding(const struct obs *o, bool *sure)
{
	bool repeat = false;
	int fallback = -1;

	for (int i = 1; i < o->nvalues; i++)
		if (o->values[i] == o->values[i - 1])
			repeat = true;
	for (int f = REL_TWOS_COMPLEMENT; f <= REL_BINARY_OFFSET; f++) {
		bool fits = true, up = false, down = false;
		for (int i = 0; i < o->nvalues && fits; i++) {
			int t = ticks(o->values[i], (enum relative_format)f);
			fits = t != 0;
			up |= t > 0;
			down |= t < 0;
		}
		if (fits && up && down) {
			*sure = true;
			return f;
		}
		if (fits && repeat && fallback < 0)
			fallback = f;
	}
	*sure = false;
	return fallback;
}

/* Values 0 and one other (press and release), or a single 127 or 0
 * (a latching button pressed once). */
static bool
is_button(const struct obs *o)
{
	int32_t on = -1;
	bool zero = false;

	for (int i = 0; i < o->nvalues; i++) {
		if (o->values[i] == 0)
			zero = true;
		else if (on < 0)
			on = o->values[i];
		else if (o->values[i] != on)
			return false;
	}
	if (on >= 0 && zero)
		return true;
	return o->n == 1 && (on == 127 || zero);
}

enum { P_FADER, P_KNOB, P_BUTTON, P_FINE, P_PARAM, P_PAD, P_BEND,
    P_PRESSURE, P_PROGRAM };
static const char *const prefixes[] = { "fader", "knob", "button", "fine",
    "param", "pad", "bend", "pressure", "program" };

/* The definition of o (after its name's "= "), and a name prefix. */
static int
describe_obs(const struct learner *L, const struct obs *o, char *buf,
    size_t len, const char **note)
{
	int prefix = P_FADER, rel;
	bool sure;
	size_t n;

	*note = NULL;
	switch (o->kind) {
	case MIDI_CC:
		if (is_button(o)) {
			snprintf(buf, len, "cc %u button", o->number);
			prefix = P_BUTTON;
		} else if ((rel = relative_coding(o, &sure)) >= 0) {
			snprintf(buf, len, "cc %u relative=%s", o->number,
			    rel_words[rel]);
			prefix = P_KNOB;
			if (!sure)
				*note = "turned one way only: turn it both ways "
				    "to be sure of the coding";
		} else
			snprintf(buf, len, "cc %u", o->number);
		break;
	case MIDI_CC14:
		snprintf(buf, len, "cc14 %u", o->number);
		prefix = P_FINE;
		break;
	case MIDI_NRPN:
	case MIDI_RPN:
		snprintf(buf, len, "%s %u%s", o->kind == MIDI_NRPN ? "nrpn" :
		    "rpn", o->number, o->deltas > 0 && o->deltas == o->n ?
		    " relative" : "");
		prefix = P_PARAM;
		break;
	case MIDI_NOTE_ON:
		snprintf(buf, len, "note %u button", o->number);
		prefix = P_PAD;
		break;
	case MIDI_POLY_AFTERTOUCH:
		snprintf(buf, len, "polyaftertouch %u", o->number);
		prefix = P_PRESSURE;
		break;
	case MIDI_PITCH_BEND:
		snprintf(buf, len, "pitchbend");
		prefix = P_BEND;
		break;
	case MIDI_CHANNEL_AFTERTOUCH:
		snprintf(buf, len, "aftertouch");
		prefix = P_PRESSURE;
		break;
	case MIDI_PROGRAM:
		snprintf(buf, len, "program %u", o->number);
		prefix = P_PROGRAM;
		break;
	default:
		return -1;
	}
	n = strlen(buf);
	if (o->channel != L->default_channel && n < len)
		snprintf(buf + n, len - n, " channel=%u", o->channel + 1u);
	return prefix;
}

/* Pairs (CC n, CC n+32) become one 14-bit control; a note's aftertouch
 * is the note's. */
static void
merge(struct learner *L)
{
	for (int i = 0; i < L->nobs; i++) {
		struct obs *o = &L->obs[i];
		if (o->merged)
			continue;
		for (int j = 0; j < L->nobs; j++) {
			struct obs *p = &L->obs[j];
			if (j == i || p->merged || p->channel != o->channel)
				continue;
			if (o->kind == MIDI_CC && p->kind == MIDI_CC &&
			    o->number < 32 && p->number == o->number + 32) {
				p->merged = true;
				o->kind = MIDI_CC14;
			} else if (o->kind == MIDI_NOTE_ON &&
			    p->kind == MIDI_POLY_AFTERTOUCH &&
			    p->number == o->number)
				p->merged = true;
		}
	}
}

static bool
name_taken(const struct learner *L, const char *name)
{
	if (L->ctl && controller_control(L->ctl, name) >= 0)
		return true;
	for (int i = 0; i < L->nlines; i++) {
		size_t n = strlen(name);
		if (strncmp(L->lines[i], name, n) == 0 &&
		    L->lines[i][n] == ' ')
			return true;
	}
	return false;
}

static void ask(struct learner *L);

static void
decide(struct learner *L)
{
	char def[160], name[64];
	const char *note;
	int prefix;

	merge(L);
	for (int i = 0; i < L->nobs; i++) {
		const struct obs *o = &L->obs[i];
		if (o->merged || (L->want && L->learned >= L->want))
			continue;
		if ((prefix = describe_obs(L, o, def, sizeof(def), &note)) < 0)
			continue;
		if (L->names) {
			if (L->nlines >= L->nnames)
				break;
			snprintf(name, sizeof(name), "%s", L->names[L->nlines]);
		} else
			do
				snprintf(name, sizeof(name), "%s%d",
				    prefixes[prefix], ++L->counters[prefix]);
			while (name_taken(L, name));
		if (L->nlines < LEARN_MAX_NAMES)
			snprintf(L->lines[L->nlines++], sizeof(L->lines[0]),
			    "%s = %s", name, def);
		printf("%s = %s\n", name, def);
		fflush(stdout);
		if (note)
			fprintf(stderr, "ctlbridge: %s: %s\n", name, note);
		L->learned++;
		if (L->names)
			break;	/* one control per name: the rest was noise */
	}
	L->nobs = 0;
	if (L->want && L->learned >= L->want)
		loop_stop(L->loop);
	else
		ask(L);
}

static void
on_quiet(void *ctx)
{
	struct learner *L = ctx;

	L->timer = 0;
	decide(L);
}

static void
on_event(void *ctx, const struct midi_event *ev)
{
	struct learner *L = ctx;
	int kind = ev->kind, number = ev->number;
	struct obs *o;

	switch (kind) {
	case MIDI_NOTE_OFF:
		kind = MIDI_NOTE_ON;
		break;
	case MIDI_PITCH_BEND:
	case MIDI_CHANNEL_AFTERTOUCH:
		number = 0;
		break;
	case MIDI_PROGRAM:
		number = ev->value;
		break;
	case MIDI_CC:
	case MIDI_NRPN:
	case MIDI_RPN:
	case MIDI_NOTE_ON:
	case MIDI_POLY_AFTERTOUCH:
		break;
	default:
		return;		/* sysex, clock, CC14 (never asked for) */
	}
	if ((o = obs_find(L, kind, ev->channel, number)) == NULL)
		return;
	obs_add(o, ev->value);
	if ((kind == MIDI_NRPN || kind == MIDI_RPN) &&
	    ev->flags == MIDI_PARAM_DELTA)
		o->deltas++;
	if (L->timer > 0)
		loop_cancel_timer(L->loop, L->timer);
	L->timer = loop_add_timer(L->loop, LEARN_QUIET_NS, on_quiet, L);
}

static void
on_finished(void *ctx, int err)
{
	struct learner *L = ctx;

	L->finished = true;
	if (L->timer > 0)
		loop_cancel_timer(L->loop, L->timer);
	L->timer = 0;
	if (L->nobs)
		decide(L);
	loop_stop(L->loop);
}

/* ^C (or SIGTERM) ends the listening, not the program: the lines
 * learned so far are still added to the controller file.  A control
 * moved but not yet decided is let go: it was not shown. */
static void
on_signal(void *ctx, int fd, short revents)
{
	struct learner *L = ctx;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	L->interrupted = true;
	loop_stop(L->loop);
}

static void
ask(struct learner *L)
{
	if (L->names && L->nlines < L->nnames)
		fprintf(stderr, "ctlbridge: move %s (a button: press and "
		    "release it; an encoder: turn it both ways)\n",
		    L->names[L->nlines]);
}

/* ---- adding lines to a controller file ---- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen_regular(path);
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) < 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) < 0) {
		fclose(fp);
		return NULL;
	}
	buf = xmalloc((size_t)n + 2);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

/* Write len bytes to path through a temporary file beside it, renamed. */
static int
write_atomic(const char *path, const char *text, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644), rc = -1;

	if (fd >= 0 && write(fd, text, len) == (ssize_t)len &&
	    fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		rc = rename(tmp, path);
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		log_warn("%s", tmp);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/* Where in text a line for [controls] goes: after its last definition
 * (before blank lines, comments and the next section). */
static size_t
insert_point(const char *text)
{
	const char *p = text;
	size_t at = strlen(text);
	bool in_controls = false, seen = false;

	while (*p) {
		const char *eol = strchr(p, '\n'), *s = p;
		size_t next = eol ? (size_t)(eol - text) + 1 : strlen(text);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			if (in_controls && seen)
				return at;
			in_controls = strncmp(s, "[controls]", 10) == 0;
		} else if (in_controls && *s != ';' && *s != '#' &&
		    *s != '\n' && *s != '\r' && *s != '\0') {
			at = next;
			seen = true;
		}
		p = text + next;
	}
	return at;
}

/* text with line inserted into [controls] (caller frees). */
static char *
with_line(const char *text, const char *line)
{
	size_t at = insert_point(text), len = strlen(text);
	bool nl = at > 0 && text[at - 1] != '\n';
	char *out = xmalloc(len + strlen(line) + 3);

	memcpy(out, text, at);
	sprintf(out + at, "%s%s\n", nl ? "\n" : "", line);
	strcat(out, text + at);
	return out;
}

/* Does the file with this text load with no more errors than before?
 * If not, says why (the loader's words, at the real file's lines). */
static bool
still_loads(const char *path, const char *text, int errors_before,
    const char *line)
{
	char *tmp = xasprintf("%s.check.%d", path, (int)getpid());
	struct diag_list dl;
	struct controller *c;
	bool ok;

	diag_init(&dl);
	if (write_atomic(tmp, text, strlen(text)) < 0) {
		free(tmp);
		return false;
	}
	c = controller_load(tmp, "learn", &dl);
	ok = dl.errors <= errors_before;
	if (!ok)
		for (int i = 0; i < dl.count; i++) {
			const char *t = dl.items[i].text;
			if (strncmp(t, tmp, strlen(tmp)) == 0) {
				t += strlen(tmp);	/* ":31: " */
				t += strspn(t, ":0123456789");
				t += strspn(t, " ");
			}
			fprintf(stderr, "ctlbridge: %s: '%s' refused: %s\n",
			    path, line, t);
		}
	controller_free(c);
	diag_free(&dl);
	unlink(tmp);
	free(tmp);
	return ok;
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int
mkdirs(const char *dir)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/*
 * The user's copy of controller name (dirs[0]/mappings/controllers/
 * NAME.ini), made from the first one on the search path if there is
 * none yet.  NULL, said, when there is no such controller.
 */
static char *
user_file(char *const *dirs, int ndirs, const char *name)
{
	char *path = xasprintf("%s/mappings/controllers/%s.ini", dirs[0], name);
	char *dir, *text;
	size_t len;

	if (file_exists(path))
		return path;
	for (int i = 1; i < ndirs; i++) {
		char *src = xasprintf("%s/mappings/controllers/%s.ini", dirs[i],
		    name);
		if ((text = slurp(src, &len)) != NULL) {
			dir = xasprintf("%s/mappings/controllers", dirs[0]);
			if (mkdirs(dir) < 0 || write_atomic(path, text, len) < 0) {
				log_warn("%s", dir);
				free(dir);
				free(src);
				free(text);
				free(path);
				return NULL;
			}
			fprintf(stderr, "ctlbridge: copied %s to %s\n", src, path);
			free(dir);
			free(src);
			free(text);
			return path;
		}
		free(src);
	}
	log_errx("no controller '%s' in %s/mappings/controllers%s", name,
	    dirs[0], ndirs > 1 ? " or the search path" : "");
	free(path);
	return NULL;
}

/* Add the learned lines to path, each checked; a backup FILE.bak. */
static int
save(struct learner *L, const char *path)
{
	size_t len;
	char *orig = slurp(path, &len), *text, *bak;
	struct diag_list dl;
	struct controller *c;
	int errors, added = 0, rc = 0;

	if (orig == NULL) {
		log_err("%s", path);
		return 1;
	}
	diag_init(&dl);
	c = controller_load(path, "learn", &dl);
	errors = dl.errors;
	controller_free(c);
	diag_free(&dl);
	text = xstrdup(orig);
	for (int i = 0; i < L->nlines; i++) {
		char *next = with_line(text, L->lines[i]);
		if (still_loads(path, next, errors, L->lines[i])) {
			free(text);
			text = next;
			added++;
		} else {
			free(next);
			rc = 1;
		}
	}
	if (added) {
		bak = xasprintf("%s.bak", path);
		if (write_atomic(bak, orig, len) < 0 ||
		    write_atomic(path, text, strlen(text)) < 0)
			rc = 1;
		else
			fprintf(stderr, "ctlbridge: added %d line%s to %s "
			    "(was kept as %s)\n", added, added == 1 ? "" : "s",
			    path, bak);
		free(bak);
	}
	free(text);
	free(orig);
	return rc;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ctlbridge learn [-c DIR] [-m SPEC]... [-n COUNT] "
	    "[CONTROLLER [NAME...]]\n"
	    "  -m SPEC     where to listen (default: JACK and ALSA, every port\n"
	    "              or the controller's): alsa[:PATTERN], jack[:PATTERN],\n"
	    "              raw:PATH\n"
	    "  -n COUNT    exit after COUNT controls (default: each NAME, or "
	    "no end)\n"
	    "  CONTROLLER NAME...  ask for each NAME and add its line to the\n"
	    "              controller's file in the configuration directory\n");
}

/* Learning into a controller file: its user copy loaded (*path, *ctl),
 * and the names asked for checked against it.  0, or an exit status. */
static int
learn_into(struct learner *L, char *const *dirs, int ndirs, int argc,
    char **argv, char **path, struct controller **ctl, long *count)
{
	struct diag_list dl;
	int rc = 0;

	if (ndirs == 0) {
		log_errx("no configuration directory; give one with -c DIR");
		return 1;
	}
	if ((*path = user_file(dirs, ndirs, argv[optind])) == NULL)
		return 1;
	diag_init(&dl);
	*ctl = controller_load(*path, argv[optind], &dl);
	diag_print(&dl, stderr);
	diag_free(&dl);
	if (*ctl == NULL)
		return 1;
	L->default_channel = (*ctl)->channel;
	L->ctl = *ctl;
	for (int i = optind + 1; i < argc; i++) {
		int at = controller_control(*ctl, argv[i]);
		/* a name its line could not give back, refused before the
		 * control is asked for: "x=y = cc 0" reads as x */
		if (argv[i][0] == '\0' || strpbrk(argv[i], "=:;#[] \t") ||
		    strstr(argv[i], "..")) {
			log_errx("'%s' cannot name a control: a name is one word "
			    "without = : ; # [ ] or .., like fader9", argv[i]);
			rc = 2;
			continue;
		}
		if (at >= 0) {
			log_errx("%s:%d: '%s' is already defined there",
			    *path, (*ctl)->controls[at].line, argv[i]);
			rc = 1;
		}
		for (int j = optind + 1; j < i; j++)
			if (strcmp(argv[i], argv[j]) == 0) {
				log_errx("'%s' named twice", argv[i]);
				rc = 2;
			}
	}
	if (rc == 0 && argc - optind > 1) {
		L->names = argv + optind + 1;
		L->nnames = argc - optind - 1;
		if (*count == 0 || *count > L->nnames)
			*count = L->nnames;
	}
	return rc;
}

/* Listen until the controls wanted are learned or the input ends.  0, or
 * an exit status. */
static int
learn_listen(struct learner *L, const struct input_spec *specs, int nspecs,
    const char *pattern)
{
	sigset_t stop;
	int rc = 0, sigfd = -1;

	if ((L->loop = loop_new()) == NULL)
		return 1;
	/* blocked before JACK's threads start, so that only signalfd
	 * sees them, and left blocked to the end: a second ^C must not kill
	 * learn before it has saved what it learned */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if ((sigfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC)) >= 0 &&
	    sigprocmask(SIG_BLOCK, &stop, NULL) == 0)
		loop_add_fd(L->loop, sigfd, POLLIN, on_signal, L);
	L->in.sink = (struct input_sink){ .on_event = on_event, .ctx = L,
	    .on_finished = on_finished };
	if (inputs_open_as(&L->in, L->loop, "ctlbridge-learn", 1, pattern,
	    specs, nspecs) < 0) {
		inputs_close(&L->in);
		rc = 1;
		goto out;
	}
	if (!L->names)
		fprintf(stderr, "ctlbridge: move a control (a button: press and "
		    "release it; an encoder: turn it both ways); each is "
		    "decided after %d ms of quiet\n",
		    (int)(LEARN_QUIET_NS / 1000000));
	ask(L);
	loop_run(L->loop);
	inputs_close(&L->in);
	if (L->timer > 0)
		loop_cancel_timer(L->loop, L->timer);
	if (L->want && L->learned < L->want) {
		log_errx("%s after %d of %d control%s", L->interrupted ?
		    "interrupted" : "input ended", L->learned, L->want,
		    L->want == 1 ? "" : "s");
		rc = 1;
	} else if (!L->want && L->learned == 0 && L->finished) {
		log_errx("input ended before any control moved");
		rc = 1;
	}
out:
	if (sigfd >= 0) {
		loop_del_fd(L->loop, sigfd);
		close(sigfd);
	}
	loop_free(L->loop);
	return rc;
}

int
learn_main(int argc, char **argv, char *const *dirs, int ndirs)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct input_spec specs[INPUT_MAX];
	static struct learner L;
	char *own_dirs[1], *path = NULL;
	const char *pattern = "*";
	struct controller *ctl = NULL;
	int ch, nspecs = 0, rc = 0;
	long count = 0;

	memset(&L, 0, sizeof(L));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:m:n:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			own_dirs[0] = optarg;
			dirs = own_dirs;
			ndirs = 1;
			break;
		case 'm':
			if (nspecs == INPUT_MAX ||
			    input_spec_parse(optarg, &specs[nspecs]) < 0) {
				log_errx("bad MIDI input '%s' (expected auto, "
				    "alsa[:PATTERN], jack[:PATTERN] or raw:PATH)",
				    optarg);
				return 2;
			}
			nspecs++;
			break;
		case 'n':
			if (!parse_int(optarg, 1, 100000, &count)) {
				log_errx("-n takes a count of controls");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (dirs == own_dirs && confdir_check(own_dirs[0]) < 0)
		return 1;
	if (argc - optind > 1 + LEARN_MAX_NAMES) {
		log_errx("at most %d names at a time", LEARN_MAX_NAMES);
		return 2;
	}
	if (optind < argc) {
		if ((rc = learn_into(&L, dirs, ndirs, argc, argv, &path, &ctl,
		    &count)) != 0)
			goto out;
		pattern = ctl->port_pattern ? ctl->port_pattern : "*";
	}
	L.want = (int)count;
	rc = learn_listen(&L, specs, nspecs, pattern);
	if (L.names && L.nlines > 0 && save(&L, path) != 0)
		rc = 1;
out:
	controller_free(ctl);
	free(path);
	return rc;
}
