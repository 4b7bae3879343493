/* Compiles a profile as read (config_profile.c) against the controller
 * and the dialect it names: each binding line becomes bindings with their
 * OSC messages filled in, so the event path only indexes arrays. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "util.h"

/* One profile being compiled. */
struct compiler {
	struct profile *p;
	const char *path;
	struct diag_list *dl;
};

static bool
parse_trigger(const char *s, enum trigger_mode *t)
{
	if (strcmp(s, "press") == 0)
		*t = TRIGGER_PRESS;
	else if (strcmp(s, "toggle") == 0)
		*t = TRIGGER_TOGGLE;
	else if (strcmp(s, "momentary") == 0)
		*t = TRIGGER_MOMENTARY;
	else
		return false;
	return true;
}

/*
 * Option words of a binding line that take an integer range advancing
 * with the key's range: track=1..8, marker=1..4.
 */
struct ranged { long first; int count; bool set; };

/* One line of [bindings], "fader1..8 = track.gain track=1..8 min=-20":
 * what its option words set, before it is expanded over its controls. */
struct bline {
	struct compiler *L;
	const char *key;
	int line;
	const struct action_def *a;
	/* the profile's own action ([actions], or "osc ADDRESS ARG..."): its
	 * message is there, not in the dialect */
	const struct user_action *own;
	struct binding proto;	/* what each binding of the line starts as */
	struct ranged track, marker, plugin;
	char *label, *profile;	/* label=, profile= (each binding's copy is
				 * in its more) */
	bool step_set, accel_set, min_set, max_set, trigger_set;
	unsigned options_seen;	/* bit per option_words[] entry */
	bool warned_button;	/* a level on a button, said once a line */
};

#define line_error(bl, ...) \
	diag_error((bl)->L->dl, (bl)->L->path, (bl)->line, __VA_ARGS__)
#define line_warning(bl, ...) \
	diag_warning((bl)->L->dl, (bl)->L->path, (bl)->line, __VA_ARGS__)

/* ---- option words: each false with a diagnostic ---- */

static bool
opt_ranged(struct bline *bl, const char *t, const char *v, bool eq)
{
	unsigned need = t[0] == 't' ? PARAM_TRACK : t[0] == 'm' ? PARAM_MARKER :
	    PARAM_PLUGIN;
	struct ranged *r = t[0] == 't' ? &bl->track : t[0] == 'm' ?
	    &bl->marker : &bl->plugin;

	if (!(bl->a->params & need)) {
		line_error(bl, "action '%s' takes no %s", bl->a->name, t);
		return false;
	}
	r->count = parse_int_range(v, &r->first);
	if (r->count == 0) {
		line_error(bl, "%s '%s' is not a number or a range like 1..8",
		    t, v);
		return false;
	}
	if (r->count < 0) {
		line_error(bl, "%s '%s' runs backwards: a range goes from low "
		    "to high (1..8)", t, v);
		return false;
	}
	if (r->first < 1 || r->first + r->count - 1 > 9999) {
		line_error(bl, "%s '%s' is out of range 1..9999 (%ss count "
		    "from 1)", t, v, t);
		return false;
	}
	r->set = true;
	return true;
}

static bool
opt_label(struct bline *bl, const char *t, const char *v, bool eq)
{
	if (!(bl->a->params & PARAM_LABEL)) {
		line_error(bl, "action '%s' takes no label", bl->a->name);
		return false;
	}
	free(bl->label);
	bl->label = xstrdup(v);
	return true;
}

static bool
opt_profile(struct bline *bl, const char *t, const char *v, bool eq)
{
	if (!(bl->a->params & PARAM_PROFILE)) {
		line_error(bl, "action '%s' takes no profile", bl->a->name);
		return false;
	}
	if (*v == '\0') {
		line_error(bl, "profile= needs the name of a profile");
		return false;
	}
	free(bl->profile);
	bl->profile = xstrdup(v);
	return true;
}

static bool
opt_guard(struct bline *bl, const char *t, const char *v, bool eq)
{
	if (strcmp(v, "recording") != 0) {
		line_error(bl, "guard is 'recording' (a second press while the "
		    "DAW records), not '%s'", v);
		return false;
	}
	if (bl->a->type == ACTION_CONTINUOUS) {
		line_error(bl, "guard= applies to buttons, not '%s'", bl->a->name);
		return false;
	}
	bl->proto.guard = true;
	return true;
}

/* The options that only a continuous action takes. */
static bool
continuous_only(struct bline *bl, const char *what)
{
	if (bl->a->type == ACTION_CONTINUOUS)
		return true;
	line_error(bl, "%s applies to continuous actions, not '%s'", what,
	    bl->a->name);
	return false;
}

static bool
opt_pickup(struct bline *bl, const char *t, const char *v, bool eq)
{
	if (!continuous_only(bl, "pickup="))
		return false;
	if (strcmp(v, "on") == 0)
		bl->proto.pickup = true;
	else if (strcmp(v, "off") == 0)
		bl->proto.pickup = false;
	else {
		line_error(bl, "pickup is 'on' or 'off', not '%s'", v);
		return false;
	}
	return true;
}

static bool
opt_limit(struct bline *bl, const char *t, const char *v, bool eq)
{
	const struct action_def *a = bl->a;
	char what[8];
	double dv;

	snprintf(what, sizeof(what), "%s=", t);
	if (!continuous_only(bl, what))
		return false;
	if (!parse_double(v, &dv)) {
		line_error(bl, "%s '%s' is not a number", t, v);
		return false;
	}
	if (dv < a->min || dv > a->max) {
		line_error(bl, "%s %s is outside the range of '%s' (%g..%g)", t,
		    v, a->name, a->min, a->max);
		return false;
	}
	if (t[1] == 'i') {
		bl->proto.min = dv;
		bl->min_set = true;
	} else {
		bl->proto.max = dv;
		bl->max_set = true;
	}
	return true;
}

static bool
opt_invert(struct bline *bl, const char *t, const char *v, bool eq)
{
	if (eq) {
		line_error(bl, "invert takes no value: write just 'invert'");
		return false;
	}
	if (!continuous_only(bl, "invert"))
		return false;
	bl->proto.invert = true;
	return true;
}

static bool
opt_taper(struct bline *bl, const char *t, const char *v, bool eq)
{
	const struct action_def *a = bl->a;

	if (!continuous_only(bl, "taper="))
		return false;
	if (strcmp(v, "linear") == 0)
		bl->proto.taper = TAPER_LINEAR;
	else if (strcmp(v, "fader") == 0) {
		if (a->unit != UNIT_DB || !isinf(a->min)) {
			line_error(bl, "taper=fader is a gain law down to -inf "
			    "dB; '%s' is not a gain", a->name);
			return false;
		}
		bl->proto.taper = TAPER_FADER;
	} else {
		line_error(bl, "unknown taper '%s' (expected linear or fader)", v);
		return false;
	}
	return true;
}

static bool
opt_trigger(struct bline *bl, const char *t, const char *v, bool eq)
{
	enum trigger_mode m;

	if (!parse_trigger(v, &m)) {
		line_error(bl, "unknown trigger '%s' (expected press, toggle or "
		    "momentary)", v);
		return false;
	}
	bl->proto.trigger = (uint8_t)m;
	bl->trigger_set = true;
	return true;
}

static bool
opt_step(struct bline *bl, const char *t, const char *v, bool eq)
{
	double dv;

	if (!parse_double(v, &dv) || dv < 0 || isinf(dv)) {
		line_error(bl, "%s '%s' is not a number >= 0", t, v);
		return false;
	}
	if (t[0] == 's') {
		bl->proto.step = dv;
		bl->step_set = true;
	} else {
		bl->proto.accel = dv;
		bl->accel_set = true;
	}
	return true;
}

static const struct option_word {
	const char *word;
	bool (*set)(struct bline *bl, const char *word, const char *value,
	    bool has_value);
} option_words[] = {
	{ "track", opt_ranged }, { "marker", opt_ranged },
	{ "plugin", opt_ranged }, { "label", opt_label },
	{ "profile", opt_profile }, { "guard", opt_guard },
	{ "pickup", opt_pickup }, { "min", opt_limit }, { "max", opt_limit },
	{ "invert", opt_invert }, { "taper", opt_taper },
	{ "trigger", opt_trigger }, { "step", opt_step }, { "accel", opt_step },
};

/* "word" or "word=value"; false with a diagnostic. */
static bool
option(struct bline *bl, char *t)
{
	char *eq = strchr(t, '=');
	const char *v = eq ? eq + 1 : "";

	if (eq)
		*eq = '\0';
	for (size_t i = 0; i < sizeof(option_words) / sizeof(*option_words); i++)
		if (strcmp(t, option_words[i].word) == 0) {
			/* track=1..8 track=2: a slip, not a choice */
			if (bl->options_seen & 1u << i)
				line_warning(bl, "option '%s' is given twice; the "
				    "last one counts", t);
			bl->options_seen |= 1u << i;
			return option_words[i].set(bl, t, v, eq != NULL);
		}
	line_error(bl, "unknown option '%s' (expected track, marker, plugin, "
	    "label, profile, min, max, invert, taper, trigger, step, accel, "
	    "pickup, guard)", t);
	return false;
}

/* ---- the line as a whole ---- */

/* What a binding of a starts as, before its option words. */
static void
line_defaults(struct bline *bl, const struct dialect *d)
{
	const struct action_def *a = bl->a;
	struct binding *p = &bl->proto;

	memset(p, 0, sizeof(*p));
	p->action = a;
	p->min = a->min;
	p->max = a->max;
	p->taper = a->taper;
	p->step = a->step;
	p->trigger = a->type == ACTION_TOGGLE ? TRIGGER_TOGGLE :
	    a->type == ACTION_CONTINUOUS ? TRIGGER_MOMENTARY : TRIGGER_PRESS;
	p->db_floor = d ? d->db_floor : -200;
	p->pickup = true;
	p->target = -1;
	p->line = bl->line;
	bl->track = bl->marker = bl->plugin = (struct ranged){ 0, 1, false };
}

static bool
check_required(struct bline *bl)
{
	const struct action_def *a = bl->a;

	if ((a->required & PARAM_TRACK) && !bl->track.set)
		line_error(bl, "action '%s' needs track=N", a->name);
	else if ((a->required & PARAM_PROFILE) && bl->profile == NULL)
		line_error(bl, "action '%s' needs profile=NAME", a->name);
	else if ((a->required & PARAM_MARKER) && !bl->marker.set)
		line_error(bl, "action '%s' needs marker=N", a->name);
	else if ((a->required & PARAM_PLUGIN) && !bl->plugin.set)
		line_error(bl, "action '%s' needs plugin=N (the plugin's place "
		    "on the track, from 1)", a->name);
	else
		return true;
	return false;
}

/* min= max= and taper= agree with each other and the action. */
static bool
check_value_range(struct bline *bl)
{
	const struct binding *p = &bl->proto;
	const struct action_def *a = bl->a;

	if ((bl->min_set || bl->max_set) && p->min >= p->max) {
		if (bl->min_set && bl->max_set)
			line_error(bl, "min %g must be below max %g", p->min,
			    p->max);
		else if (bl->min_set)
			line_error(bl, "min %g must be below %g, the top of '%s' "
			    "(or give a larger max=)", p->min, p->max, a->name);
		else
			line_error(bl, "max %g must be above %g, the bottom of "
			    "'%s' (or give a smaller min=)", p->max, p->min,
			    a->name);
		return false;
	}
	/* a meter's min= is the threshold its clip LED lights above */
	if (p->taper == TAPER_FADER && (bl->min_set || bl->max_set) &&
	    !a->display) {
		line_error(bl, "taper=fader has a fixed range (-inf..+6 dB); use "
		    "taper=linear with min= and max=");
		return false;
	}
	if (p->taper == TAPER_LINEAR && isinf(p->min)) {
		line_error(bl, "taper=linear needs a finite min= for '%s'",
		    a->name);
		return false;
	}
	return true;
}

/* A range of tracks (markers, plugins) has one value per control. */
static bool
check_counts(struct bline *bl, int nnames)
{
	static const char *const words[] = { "track", "marker", "plugin" };
	const struct ranged *rs[] = { &bl->track, &bl->marker, &bl->plugin };

	for (int i = 0; i < 3; i++) {
		const struct ranged *r = rs[i];
		if (r->count > 1 && r->count != nnames) {
			line_error(bl, "'%s' names %d control%s but %s=%ld..%ld "
			    "gives %d values", bl->key, nnames,
			    nnames == 1 ? "" : "s", words[i], r->first,
			    r->first + r->count - 1, r->count);
			return false;
		}
	}
	return true;
}

/* The dialect's message for the line's action, or NULL (with a warning
 * when the binding will do nothing). */
static const struct dialect_action *
line_message(struct bline *bl, const struct dialect *d)
{
	const struct action_def *a = bl->a;
	const struct dialect_action *da;

	if (d == NULL)
		return NULL;
	if (a->display) {
		if (!d->reports[action_index(a)].defined)
			line_warning(bl, "%s does not report '%s' (no [feedback] "
			    "line in %s): the binding shows nothing", d->title,
			    a->name, d->file);
		return NULL;
	}
	if (a->internal)
		return NULL;
	da = &d->actions[action_index(a)];
	if (!da->defined)
		line_warning(bl, "dialect '%s' does not define '%s': the binding "
		    "does nothing", d->name, a->name);
	else if (da->unsupported)
		line_warning(bl, "%s cannot do '%s' (declared unsupported at "
		    "%s:%d): the binding does nothing", d->title, a->name,
		    d->file, da->line);
	return da->defined && !da->unsupported ? da : NULL;
}

/* The control a name of the line binds, or -1 with a diagnostic (once
 * per line where the options do not fit the control). */
static int
line_control(struct bline *bl, const char *name, bool *reported)
{
	const struct controller *c = bl->L->p->controller;
	const struct profile *p = bl->L->p;
	const struct control *ctl;
	int ci;

	if ((ci = controller_control(c, name)) < 0) {
		line_error(bl, "controller '%s' has no control '%s'", c->name,
		    name);
		return -1;
	}
	if (p->by_control[ci] >= 0) {
		line_error(bl, "control '%s' is already bound at line %d", name,
		    p->bindings[p->by_control[ci]].line);
		return -1;
	}
	ctl = &c->controls[ci];
	if ((bl->step_set || bl->accel_set) && ctl->mode != MODE_RELATIVE) {
		if (!*reported)
			line_error(bl, "step= and accel= apply to relative "
			    "encoders; '%s' (%s:%d) is not one", name, c->file,
			    ctl->line);
		*reported = true;
		return -1;
	}
	/* play = track.gain: a press sends the top of the range, a release
	 * the bottom (+6 dB, then silence); min= max= or trigger= say it
	 * is meant, and a meter on a button is a clip lamp */
	if (ctl->mode == MODE_BUTTON && bl->a->type == ACTION_CONTINUOUS &&
	    !bl->a->display && !bl->min_set && !bl->max_set &&
	    !bl->trigger_set && !bl->warned_button) {
		line_warning(bl, "'%s' is a button and %s sets a level: a press "
		    "sends the top of its range and a release the bottom (bind "
		    "a fader or knob, or give min= and max=)", name, bl->a->name);
		bl->warned_button = true;
	}
	if (bl->trigger_set && ctl->mode == MODE_ABSOLUTE &&
	    bl->a->type == ACTION_CONTINUOUS) {
		if (!*reported)
			line_error(bl, "trigger= applies to buttons; '%s' (%s:%d) "
			    "is absolute", name, c->file, ctl->line);
		*reported = true;
		return -1;
	}
	return ci;
}

static int
ranged_at(const struct ranged *r, int n)
{
	return r->set ? (int)(r->first + (r->count > 1 ? n : 0)) : 0;
}

/* b's more, made when it has none. */
static struct binding_more *
binding_more(struct binding *b)
{
	if (b->more == NULL)
		b->more = xcalloc(1, sizeof(*b->more));
	return b->more;
}

/* The line's marker, plugin, label and profile for its n-th binding b:
 * in b's more, made only when one of them is set. */
static void
binding_params(const struct bline *bl, int n, struct binding *b)
{
	int marker = ranged_at(&bl->marker, n), plugin = ranged_at(&bl->plugin, n);

	if (marker == 0 && plugin == 0 && bl->label == NULL &&
	    bl->profile == NULL)
		return;
	binding_more(b)->marker = marker;
	b->more->plugin = plugin;
	b->more->label = bl->label ? xstrdup(bl->label) : NULL;
	b->more->profile = bl->profile ? xstrdup(bl->profile) : NULL;
}

/* What b sends, its slots filled (track, marker, plugin, label), and
 * whether the DAW reports it: from the line's own message or the
 * dialect's. */
static void
binding_message(const struct bline *bl, const struct profile *p,
    const struct dialect_action *da, struct binding *b)
{
	if (bl->own)
		b->unreported = bl->own->report.unreported;
	else if (p->dialect && action_index(bl->a) >= 0)
		b->unreported =
		    p->dialect->reports[action_index(bl->a)].unreported;
	if (da) {
		struct template_slots slots = { b->track, binding_marker(b),
		    binding_plugin(b) };
		template_expand(&da->msg, &slots, binding_label(b), &b->msg);
		if (da->msg_off.address)
			template_expand(&da->msg_off, &slots, binding_label(b),
			    &binding_more(b)->msg_off);
	}
}

/* The line's n-th binding, on control ci, with its message. */
static void
add_binding(struct bline *bl, int ci, int n, const struct dialect_action *da)
{
	struct profile *p = bl->L->p;
	const struct control *ctl = &p->controller->controls[ci];
	const struct action_def *a = bl->a;
	struct binding *b = &p->bindings[p->nbindings];

	*b = bl->proto;
	b->control = (uint16_t)ci;
	b->track = ranged_at(&bl->track, n);
	binding_params(bl, n, b);
	if (a->bipolar && b->taper == TAPER_LINEAR &&
	    ctl->mode == MODE_ABSOLUTE && a->def > b->min && a->def < b->max) {
		struct binding_more *m = binding_more(b);
		b->centred = true;
		m->centre = a->def;
		m->centre_pos = (double)((ctl->max + 1) / 2) / ctl->max;
		/* the engine inverts first: the middle raw value of an
		 * inverted control arrives as 1 - centre_pos */
		if (b->invert)
			m->centre_pos = 1 - m->centre_pos;
	}
	binding_message(bl, p, da, b);
	p->by_control[ci] = p->nbindings++;
}

/* "osc ADDRESS ARG... key=value": the line's own message, kept by the
 * profile. */
static bool
read_oneoff(struct bline *bl, const char *value)
{
	struct profile *p = bl->L->p;
	struct user_action *u = xcalloc(1, sizeof(*u));
	char rest[1024], tok[TOKEN_MAX][TOKEN_LEN];
	const char *err;
	int ntok;

	value += strspn(value, " \t");
	value += 3;	/* "osc" */
	if (!user_action_define(u, NULL, value, true, rest, sizeof(rest),
	    bl->L->dl, bl->L->path, bl->line)) {
		user_action_free(u);
		free(u);
		return false;
	}
	p->oneoffs = xrealloc(p->oneoffs, (size_t)(p->noneoffs + 1) *
	    sizeof(*p->oneoffs));
	p->oneoffs[p->noneoffs++] = u;
	bl->own = u;
	bl->a = &u->def;
	line_defaults(bl, p->dialect);
	if ((ntok = tokenize(rest, tok, TOKEN_MAX, &err)) < 0) {
		line_error(bl, "%s in '%s'", err, rest);
		return false;
	}
	for (int i = 0; i < ntok; i++)
		if (!option(bl, tok[i]))
			return false;
	return true;
}

/* The action and its option words; false with a diagnostic. */
static bool
read_line(struct bline *bl, const char *value)
{
	char tok[TOKEN_MAX][TOKEN_LEN];
	const char *err;
	int ntok;

	if ((ntok = tokenize(value, tok, TOKEN_MAX, &err)) < 0) {
		line_error(bl, "%s in '%s'", err, value);
		return false;
	}
	if (ntok == 0) {
		line_error(bl, "'%s' needs an action", bl->key);
		return false;
	}
	if (strcmp(tok[0], "osc") == 0)
		return read_oneoff(bl, value);
	if ((bl->a = profile_action_find(bl->L->p, tok[0])) == NULL) {
		char hint[600];
		line_error(bl, "unknown action '%s' (%s)", tok[0],
		    user_action_hint(bl->L->p->dialect, bl->L->p, tok[0], hint,
		    sizeof(hint)));
		return false;
	}
	bl->own = profile_own_action(bl->L->p, bl->a);
	line_defaults(bl, bl->L->p->dialect);
	for (int i = 1; i < ntok; i++)
		if (!option(bl, tok[i]))
			return false;
	return true;
}

static void
binding_line(struct compiler *L, const struct pending_line *pl)
{
	const struct dialect_action *da;
	char prefix[TOKEN_LEN];
	struct bline bl;
	long first_name;
	int nnames;
	bool reported = false;

	memset(&bl, 0, sizeof(bl));
	bl.L = L;
	bl.key = pl->key;
	bl.line = pl->line;
	nnames = parse_name_range(pl->key, prefix, sizeof(prefix), &first_name);
	if (nnames < 0) {
		line_error(&bl, "bad control name range '%s' (write e.g. "
		    "fader1..8)", pl->key);
		return;
	}
	if (!read_line(&bl, pl->value) || !check_required(&bl) ||
	    !check_value_range(&bl) || !check_counts(&bl, nnames))
		goto out;
	da = bl.own ? &bl.own->da : line_message(&bl, L->p->dialect);
	for (int n = 0; n < nnames && L->p->controller; n++) {
		char name[TOKEN_LEN + 32];
		int ci;

		range_name(name, sizeof(name), prefix, first_name, n);
		if ((ci = line_control(&bl, name, &reported)) >= 0)
			add_binding(&bl, ci, n, da);
	}
out:
	free(bl.label);
	free(bl.profile);
}

bool
action_compile(struct profile *p, const char *path, int line,
    const char *key, const char *text, struct binding *b,
    struct diag_list *dl)
{
	struct compiler L = { p, path, dl };
	const struct dialect_action *da;
	struct bline bl;
	bool ok = false;

	memset(&bl, 0, sizeof(bl));
	memset(b, 0, sizeof(*b));
	bl.L = &L;
	bl.key = key;
	bl.line = line;
	if (!read_line(&bl, text) || !check_required(&bl))
		goto out;
	if (bl.track.count > 1 || bl.marker.count > 1 || bl.plugin.count > 1) {
		line_error(&bl, "a hook's '%s' sends one message: give one "
		    "track, marker or plugin, not a range", bl.a->name);
		goto out;
	}
	da = bl.own ? &bl.own->da : line_message(&bl, p->dialect);
	*b = bl.proto;
	b->control = CONTROL_NONE;
	b->track = ranged_at(&bl.track, 0);
	binding_params(&bl, 0, b);
	binding_message(&bl, p, da, b);
	ok = true;
out:
	free(bl.label);
	free(bl.profile);
	return ok;
}

/* The profile's DAW: its own host and port, or the dialect's; -o over
 * both. */
static void
compile_address(struct compiler *L, const struct profile_text *t,
    const struct daw_at *at)
{
	struct profile *p = L->p;
	const char *err;

	p->port = t->port ? t->port : p->dialect->port;
	p->proto = p->dialect->proto;
	if (resolve_host(t->host ? t->host : p->dialect->host, &p->host,
	    &err) < 0)
		diag_error(L->dl, t->host ? t->file : p->dialect->file,
		    t->host ? t->host_line : 0, "host '%s': %s",
		    t->host ? t->host : p->dialect->host, err);
	if (at) {
		free(p->host);
		p->host = xstrdup(at->host);
		p->port = at->port;
	}
}

static void
compile_bindings(struct compiler *L, const struct profile_text *t)
{
	struct profile *p = L->p;
	int n = p->controller->ncontrols;

	p->by_control = xcalloc((size_t)n, sizeof(int));
	for (int i = 0; i < n; i++)
		p->by_control[i] = -1;
	/* at most one binding per control */
	p->bindings = xcalloc((size_t)n, sizeof(*p->bindings));
	for (int i = 0; i < t->lines.count; i++)
		binding_line(L, &t->lines.items[i]);
	/* sized for every control while compiling; most are not bound */
	if (p->nbindings < n)
		p->bindings = xrealloc(p->bindings, (size_t)(p->nbindings ?
		    p->nbindings : 1) * sizeof(*p->bindings));
	if (t->indicator &&
	    (p->indicator = controller_control(p->controller, t->indicator)) < 0)
		diag_error(L->dl, t->file, t->indicator_line,
		    "controller '%s' has no control '%s' to light",
		    p->controller->name, t->indicator);
}

struct profile *
profile_compile(const struct profile_text *t, const struct controller *c,
    const struct dialect *d, const struct daw_at *at, struct diag_list *dl)
{
	struct compiler L;
	struct profile *p = xcalloc(1, sizeof(*p));

	p->indicator = -1;
	p->name = xstrdup(t->name);
	p->file = xstrdup(t->file);
	p->title = xstrdup(t->title ? t->title : t->name);
	p->journal = t->journal ? xstrdup(t->journal) : NULL;
	p->controller = c;
	p->dialect = d;
	L.p = p;
	L.path = p->file;
	L.dl = dl;
	/* a controller or dialect with errors has said so in its own file:
	 * its profiles' bindings are not checked against it, each repeating
	 * one cause ("has no control 'rec1'" for every profile) */
	if (d && d->errors == 0)
		compile_address(&L, t, at);
	if (d == NULL || d->errors == 0)
		profile_actions_define(p, t, dl);
	if (c && c->errors == 0 && (d == NULL || d->errors == 0)) {
		compile_bindings(&L, t);
		profile_oneoff_feedback(p, t, dl);
		hooks_compile(p, t, dl);
	}
	return p;
}

void
binding_free(struct binding *b)
{
	osc_msg_free(&b->msg);
	if (b->more) {
		osc_msg_free(&b->more->msg_off);
		free(b->more->label);
		free(b->more->profile);
		free(b->more);
	}
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nbindings; i++)
		binding_free(&p->bindings[i]);
	free(p->bindings);
	hooks_free(p);
	for (int i = 0; i < p->noneoffs; i++) {
		user_action_free(p->oneoffs[i]);
		free(p->oneoffs[i]);
	}
	free(p->oneoffs);
	for (int i = 0; i < p->nuser; i++) {
		user_action_free(p->user[i]);
		free(p->user[i]);
	}
	free(p->user);
	free(p->by_control);
	free(p->by_target);
	free(p->journal);
	free(p->name);
	free(p->file);
	free(p->title);
	free(p->host);
	free(p);
}
