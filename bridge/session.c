/*
 * The producer's session: the take counter ({take} in labels), the
 * section markers this bridge added and loop.section, which loops the
 * section around the playhead; and each surface's journal, one CSV line
 * per action.  Takes and sections are the bridge's (struct session), so
 * they survive a switch of role; a journal is the active profile's.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bridge.h"
#include "util.h"

static bool
rolling(const struct surface *sf)
{
	return engine_value(sf->eng, sf->eng->profile->play_target) == 1;
}

/* ---- sections, for loop.section ---- */

static void
section_add(struct surface *sf, uint64_t now)
{
	struct session *s = &sf->br->session;
	const char *daw = sf->link.address.url;
	double at = playhead_at(&sf->playhead, rolling(sf), now);

	if (isnan(at)) {
		log_warnx_limited(&sf->no_playhead_warn,
		    "surface %d: %s reports no playhead: this section "
		    "cannot be looped (loop.section)", sf->index,
		    sf->eng->profile->dialect->title);
		return;
	}
	for (int i = 0; i < s->nsections; i++)
		if (strcmp(s->sections[i].daw, daw) == 0 &&
		    fabs(s->sections[i].at - at) < 1e-9)
			return;		/* one there already */
	if (s->nsections == s->sections_cap) {
		s->sections_cap = s->sections_cap ? s->sections_cap * 2 : 32;
		s->sections = xrealloc(s->sections,
		    (size_t)s->sections_cap * sizeof(*s->sections));
	}
	s->sections[s->nsections].daw = xstrdup(daw);
	s->sections[s->nsections].at = at;
	s->nsections++;
}

/* The section around the playhead: from the last section start at or
 * before it to the next one after it, or to the playhead itself in the
 * last section.  false (and says why) when there is none. */
static bool
section_around(struct surface *sf, uint64_t now, struct osc_context *ev)
{
	const struct session *s = &sf->br->session;
	const char *daw = sf->link.address.url;
	double p = playhead_at(&sf->playhead, rolling(sf), now);
	double start = -INFINITY, end = INFINITY;
	double slack = playhead_slack(&sf->playhead);

	if (isnan(p)) {
		log_warnx_limited(&sf->no_playhead_warn,
		    "surface %d: %s reports no playhead: nothing to loop",
		    sf->index, sf->eng->profile->dialect->title);
		return false;
	}
	for (int i = 0; i < s->nsections; i++) {
		double at = s->sections[i].at;
		if (strcmp(s->sections[i].daw, daw) == 0 && at <= p + slack &&
		    at > start)
			start = at;
	}
	for (int i = 0; i < s->nsections; i++) {
		double at = s->sections[i].at;
		if (strcmp(s->sections[i].daw, daw) == 0 && at > start &&
		    at < end)
			end = at;
	}
	if (isinf(start)) {
		log_warnx_limited(&sf->no_section_warn,
		    "surface %d: no section marker before the playhead: "
		    "add one (marker.section) to loop from it", sf->index);
		return false;
	}
	if (isinf(end))
		end = p;	/* the last section: up to here */
	if (end <= start + slack) {
		log_warnx_limited(&sf->no_end_warn,
		    "surface %d: the last section has no end yet: play "
		    "into it, or add the next section marker", sf->index);
		return false;
	}
	ev->start = start;
	ev->end = end;
	return true;
}

/* After loop.section set the range: start looping, unless the DAW loops
 * already (its transport.loop toggles, so it is sent only when it is
 * known to be off, or not known). */
static void
loop_play(struct surface *sf)
{
	const struct profile *p = sf->eng->profile;
	const struct dialect_action *da =
	    &p->dialect->actions[action_index(action_find("transport.loop"))];

	if (engine_value(sf->eng, p->loop_target) == 1 ||
	    !da->defined || da->unsupported)
		return;
	for (int i = 0; i < da->msg.nargs; i++)
		if (da->msg.args[i].source != ARG_CONST)
			return;		/* not a plain command */
	osc_send_template(&sf->link.address, &sf->br->osc, &da->msg);
}

bool
session_before_send(struct surface *sf, const struct binding *b, bool press,
    uint64_t now, struct osc_context *ev)
{
	struct session *s = &sf->br->session;

	if (press && b->action->effect == EFFECT_NEW_TAKE)
		s->take++;
	ev->take = s->take;
	if (press && b->action->effect == EFFECT_LOOP_SECTION)
		return section_around(sf, now, ev);
	return true;
}

void
session_after_send(struct surface *sf, const struct binding *b, uint64_t now)
{
	if (b->action->effect == EFFECT_SECTION)
		section_add(sf, now);
	else if (b->action->effect == EFFECT_LOOP_SECTION)
		loop_play(sf);
}

void
session_free(struct session *s)
{
	for (int i = 0; i < s->nsections; i++)
		free(s->sections[i].daw);
	free(s->sections);
	memset(s, 0, sizeof(*s));
}

/* ---- the journal ---- */

void
journal_open(struct surface *sf)
{
	struct journal *j = &sf->journal;
	const char *path = sf->eng->profile->journal;
	struct stat st;

	if (j->path && path && strcmp(j->path, path) == 0)
		return;
	journal_close(sf);
	j->path = path;
	if (path == NULL)
		return;
	/* O_APPEND and one write(2) a line: a killed bridge loses nothing
	 * it has written, and two bridges never interleave a line */
	j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		log_warn("journal %s", path);
		return;
	}
	if (fstat(j->fd, &st) == 0 && st.st_size == 0) {
		static const char head[] =
		    "time,position,profile,control,action,label,value\n";
		if (write(j->fd, head, sizeof(head) - 1) < 0)
			log_warn("journal %s", path);
	}
	log_info("surface %d: journal %s", sf->index, path);
}

void
journal_close(struct surface *sf)
{
	if (sf->journal.fd >= 0)
		close(sf->journal.fd);
	sf->journal.fd = -1;
	sf->journal.path = NULL;
}

static void
csv_field(char *out, size_t len, const char *text)
{
	size_t n = 0;

	if (n + 1 < len)
		out[n++] = '"';
	for (const char *p = text; *p && n + 3 < len; p++) {
		if (*p == '"')
			out[n++] = '"';
		out[n++] = *p;
	}
	if (n + 1 < len)
		out[n++] = '"';
	out[n] = '\0';
}

/* One line: who did it (a control, "on recording.start"), what, when. */
static void
journal_line(struct surface *sf, const char *who, const struct binding *b,
    double value)
{
	struct journal *j = &sf->journal;
	char line[1024], when[64], pos[32], label[300], quoted[320];
	struct timespec ts;
	struct tm tm;
	int n;

	if (j->fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = (int)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - (size_t)n, ".%03ldZ", ts.tv_nsec / 1000000);
	if (isnan(sf->playhead.position))
		pos[0] = '\0';
	else
		snprintf(pos, sizeof(pos), "%.3f", sf->playhead.position);
	csv_field(quoted, sizeof(quoted), binding_label(b) ? osc_label(
	    binding_label(b), sf->br->session.take, label, sizeof(label)) : "");
	n = snprintf(line, sizeof(line), "%s,%s,%s,%s,%s,%s,%g\n", when, pos,
	    sf->eng->profile->name, who, b->action->name, quoted, value);
	if (n > 0 && write(j->fd, line, (size_t)n) != n)
		log_warnx_limited(&j->warn, "journal %s: %s", j->path,
		    strerror(errno));
}

void
journal_write(struct surface *sf, const struct binding *b, double value)
{
	if (sf->journal.fd >= 0)
		journal_line(sf, sf->eng->controller->controls[b->control].name,
		    b, value);
}

void
journal_hook(struct surface *sf, const char *event, const struct binding *b,
    double value)
{
	char who[64];

	if (sf->journal.fd < 0)
		return;
	snprintf(who, sizeof(who), "on %s", event);
	journal_line(sf, who, b, value);
}
