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

static void
binding_line(struct compiler *L, const struct pending_line *pl)
{
	const struct controller *c = L->p->controller;
	const struct dialect *d = L->p->dialect;
	char tok[TOKEN_MAX][TOKEN_LEN], prefix[TOKEN_LEN];
	const struct action_def *a;
	const struct dialect_action *da = NULL;
	const char *err, *path = L->path;
	struct binding proto;
	struct ranged track = { 0, 1, false }, marker = { 0, 1, false },
	    plugin = { 0, 1, false };
	long first_name;
	int ntok, nnames, line = pl->line;
	bool step_set = false, accel_set = false, min_set = false,
	    max_set = false, trigger_set = false, reported = false;

	nnames = parse_name_range(pl->key, prefix, sizeof(prefix), &first_name);
	if (nnames < 0) {
		diag_error(L->dl, path, line,
		    "bad control name range '%s' (write e.g. fader1..8)", pl->key);
		return;
	}
	if ((ntok = tokenize(pl->value, tok, TOKEN_MAX, &err)) < 0) {
		diag_error(L->dl, path, line, "%s in '%s'", err, pl->value);
		return;
	}
	if (ntok == 0) {
		diag_error(L->dl, path, line, "'%s' needs an action", pl->key);
		return;
	}
	if ((a = action_find(tok[0])) == NULL) {
		char hint[400];
		diag_error(L->dl, path, line, "unknown action '%s' (%s)", tok[0],
		    action_hint(tok[0], hint, sizeof(hint)));
		return;
	}
	memset(&proto, 0, sizeof(proto));
	proto.action = a;
	proto.min = a->min;
	proto.max = a->max;
	proto.taper = a->taper;
	proto.step = a->step;
	proto.trigger = a->type == ACTION_TOGGLE ? TRIGGER_TOGGLE :
	    a->type == ACTION_CONTINUOUS ? TRIGGER_MOMENTARY : TRIGGER_PRESS;
	proto.db_floor = d ? d->db_floor : -200;
	proto.pickup = true;
	proto.target = -1;
	proto.line = line;
	for (int i = 1; i < ntok; i++) {
		char *t = tok[i], *eq = strchr(t, '=');
		const char *v = eq ? eq + 1 : "";
		struct ranged *r = NULL;
		double dv;

		if (eq)
			*eq = '\0';
		if (strcmp(t, "track") == 0 || strcmp(t, "marker") == 0 ||
		    strcmp(t, "plugin") == 0) {
			unsigned need = t[0] == 't' ? PARAM_TRACK :
			    t[0] == 'm' ? PARAM_MARKER : PARAM_PLUGIN;
			r = t[0] == 't' ? &track : t[0] == 'm' ? &marker : &plugin;
			if (!(a->params & need)) {
				diag_error(L->dl, path, line,
				    "action '%s' takes no %s", a->name, t);
				goto out;
			}
			r->count = parse_int_range(v, &r->first);
			if (r->count == 0) {
				diag_error(L->dl, path, line,
				    "%s '%s' is not a number or a range like 1..8",
				    t, v);
				goto out;
			}
			if (r->count < 0 || r->first < 1 ||
			    r->first + r->count - 1 > 9999) {
				diag_error(L->dl, path, line,
				    "%s '%s' is out of range 1..9999 (%ss count "
				    "from 1)", t, v, t);
				goto out;
			}
			r->set = true;
		} else if (strcmp(t, "label") == 0) {
			if (!(a->params & PARAM_LABEL)) {
				diag_error(L->dl, path, line,
				    "action '%s' takes no label", a->name);
				goto out;
			}
			free(proto.label);
			proto.label = xstrdup(v);
		} else if (strcmp(t, "profile") == 0) {
			if (!(a->params & PARAM_PROFILE)) {
				diag_error(L->dl, path, line,
				    "action '%s' takes no profile", a->name);
				goto out;
			}
			if (*v == '\0') {
				diag_error(L->dl, path, line,
				    "profile= needs the name of a profile");
				goto out;
			}
			free(proto.profile);
			proto.profile = xstrdup(v);
		} else if (strcmp(t, "guard") == 0) {
			if (strcmp(v, "recording") != 0) {
				diag_error(L->dl, path, line,
				    "guard is 'recording' (a second press while "
				    "the DAW records), not '%s'", v);
				goto out;
			}
			if (a->type == ACTION_CONTINUOUS) {
				diag_error(L->dl, path, line,
				    "guard= applies to buttons, not '%s'", a->name);
				goto out;
			}
			proto.guard = true;
		} else if (strcmp(t, "pickup") == 0) {
			if (a->type != ACTION_CONTINUOUS) {
				diag_error(L->dl, path, line,
				    "pickup= applies to continuous actions, not '%s'",
				    a->name);
				goto out;
			}
			if (strcmp(v, "on") == 0)
				proto.pickup = true;
			else if (strcmp(v, "off") == 0)
				proto.pickup = false;
			else {
				diag_error(L->dl, path, line,
				    "pickup is 'on' or 'off', not '%s'", v);
				goto out;
			}
		} else if (strcmp(t, "min") == 0 || strcmp(t, "max") == 0) {
			if (a->type != ACTION_CONTINUOUS) {
				diag_error(L->dl, path, line,
				    "%s= applies to continuous actions, not '%s'",
				    t, a->name);
				goto out;
			}
			if (!parse_double(v, &dv)) {
				diag_error(L->dl, path, line,
				    "%s '%s' is not a number", t, v);
				goto out;
			}
			if (dv < a->min || dv > a->max) {
				diag_error(L->dl, path, line,
				    "%s %s is outside the range of '%s' (%g..%g)",
				    t, v, a->name, a->min, a->max);
				goto out;
			}
			if (t[1] == 'i') {
				proto.min = dv;
				min_set = true;
			} else {
				proto.max = dv;
				max_set = true;
			}
		} else if (strcmp(t, "invert") == 0) {
			if (eq) {
				diag_error(L->dl, path, line,
				    "invert takes no value: write just 'invert'");
				goto out;
			}
			if (a->type != ACTION_CONTINUOUS) {
				diag_error(L->dl, path, line,
				    "invert applies to continuous actions, not '%s'",
				    a->name);
				goto out;
			}
			proto.invert = true;
		} else if (strcmp(t, "taper") == 0) {
			if (a->type != ACTION_CONTINUOUS) {
				diag_error(L->dl, path, line,
				    "taper= applies to continuous actions, not '%s'",
				    a->name);
				goto out;
			}
			if (strcmp(v, "linear") == 0)
				proto.taper = TAPER_LINEAR;
			else if (strcmp(v, "fader") == 0) {
				if (a->unit != UNIT_DB || !isinf(a->min)) {
					diag_error(L->dl, path, line,
					    "taper=fader is a gain law down to -inf "
					    "dB; '%s' is not a gain", a->name);
					goto out;
				}
				proto.taper = TAPER_FADER;
			} else {
				diag_error(L->dl, path, line,
				    "unknown taper '%s' (expected linear or fader)", v);
				goto out;
			}
		} else if (strcmp(t, "trigger") == 0) {
			if (!parse_trigger(v, &proto.trigger)) {
				diag_error(L->dl, path, line,
				    "unknown trigger '%s' (expected press, toggle or "
				    "momentary)", v);
				goto out;
			}
			trigger_set = true;
		} else if (strcmp(t, "step") == 0 || strcmp(t, "accel") == 0) {
			if (!parse_double(v, &dv) || dv < 0 || isinf(dv)) {
				diag_error(L->dl, path, line,
				    "%s '%s' is not a number >= 0", t, v);
				goto out;
			}
			if (t[0] == 's') {
				proto.step = dv;
				step_set = true;
			} else {
				proto.accel = dv;
				accel_set = true;
			}
		} else {
			diag_error(L->dl, path, line,
			    "unknown option '%s' (expected track, marker, plugin, "
			    "label, profile, min, max, invert, taper, trigger, "
			    "step, accel, pickup, guard)", t);
			goto out;
		}
	}
	if ((a->required & PARAM_TRACK) && !track.set) {
		diag_error(L->dl, path, line, "action '%s' needs track=N", a->name);
		goto out;
	}
	if ((a->required & PARAM_PROFILE) && proto.profile == NULL) {
		diag_error(L->dl, path, line, "action '%s' needs profile=NAME",
		    a->name);
		goto out;
	}
	if ((a->required & PARAM_MARKER) && !marker.set) {
		diag_error(L->dl, path, line, "action '%s' needs marker=N", a->name);
		goto out;
	}
	if ((a->required & PARAM_PLUGIN) && !plugin.set) {
		diag_error(L->dl, path, line, "action '%s' needs plugin=N (the "
		    "plugin's place on the track, from 1)", a->name);
		goto out;
	}
	if ((min_set || max_set) && proto.min >= proto.max) {
		if (min_set && max_set)
			diag_error(L->dl, path, line,
			    "min %g must be below max %g", proto.min, proto.max);
		else if (min_set)
			diag_error(L->dl, path, line,
			    "min %g must be below %g, the top of '%s' (or give "
			    "a larger max=)", proto.min, proto.max, a->name);
		else
			diag_error(L->dl, path, line,
			    "max %g must be above %g, the bottom of '%s' (or "
			    "give a smaller min=)", proto.max, proto.min, a->name);
		goto out;
	}
	/* a meter's min= is the threshold its clip LED lights above */
	if (proto.taper == TAPER_FADER && (min_set || max_set) && !a->display) {
		diag_error(L->dl, path, line,
		    "taper=fader has a fixed range (-inf..+6 dB); use "
		    "taper=linear with min= and max=");
		goto out;
	}
	if (proto.taper == TAPER_LINEAR && isinf(proto.min)) {
		diag_error(L->dl, path, line,
		    "taper=linear needs a finite min= for '%s'", a->name);
		goto out;
	}
	for (struct ranged *r = &track; r; r = r == &track ? &marker :
	    r == &marker ? &plugin : NULL) {
		if (r->count > 1 && r->count != nnames) {
			diag_error(L->dl, path, line,
			    "'%s' names %d control%s but %s=%ld..%ld gives %d "
			    "values", pl->key, nnames, nnames == 1 ? "" : "s",
			    r == &track ? "track" : r == &marker ? "marker" :
			    "plugin", r->first,
			    r->first + r->count - 1, r->count);
			goto out;
		}
	}
	if (d != NULL && a->display) {
		if (!d->reports[action_index(a)].defined)
			diag_warning(L->dl, path, line,
			    "%s does not report '%s' (no [feedback] line in %s): "
			    "the binding shows nothing", d->title, a->name, d->file);
	} else if (d != NULL && !a->internal) {
		da = &d->actions[action_index(a)];
		if (!da->defined)
			diag_warning(L->dl, path, line,
			    "dialect '%s' does not define '%s': the binding does "
			    "nothing", d->name, a->name);
		else if (da->unsupported)
			diag_warning(L->dl, path, line,
			    "%s cannot do '%s' (declared unsupported at %s:%d): "
			    "the binding does nothing", d->title, a->name, d->file,
			    da->line);
	}
	for (int n = 0; n < nnames; n++) {
		char name[TOKEN_LEN + 32];
		struct binding *b;
		int ci;

		range_name(name, sizeof(name), prefix, first_name, n);
		if (c == NULL)
			continue;
		if ((ci = controller_control(c, name)) < 0) {
			diag_error(L->dl, path, line,
			    "controller '%s' has no control '%s'", c->name, name);
			continue;
		}
		if (L->p->by_control[ci] >= 0) {
			diag_error(L->dl, path, line,
			    "control '%s' is already bound at line %d", name,
			    L->p->bindings[L->p->by_control[ci]].line);
			continue;
		}
		{
			/* one report for the line, not one per control */
			const struct control *ctl = &c->controls[ci];
			if ((step_set || accel_set) && ctl->mode != MODE_RELATIVE) {
				if (!reported)
					diag_error(L->dl, path, line,
					    "step= and accel= apply to relative "
					    "encoders; '%s' (%s:%d) is not one",
					    name, c->file, ctl->line);
				reported = true;
				continue;
			}
			if (trigger_set && ctl->mode == MODE_ABSOLUTE &&
			    a->type == ACTION_CONTINUOUS) {
				if (!reported)
					diag_error(L->dl, path, line,
					    "trigger= applies to buttons; '%s' "
					    "(%s:%d) is absolute", name, c->file,
					    ctl->line);
				reported = true;
				continue;
			}
		}
		b = &L->p->bindings[L->p->nbindings];
		*b = proto;
		b->control = (uint16_t)ci;
		b->track = track.set ? (int)(track.first + (track.count > 1 ? n : 0)) : 0;
		b->marker = marker.set ? (int)(marker.first + (marker.count > 1 ? n : 0)) : 0;
		b->plugin = plugin.set ? (int)(plugin.first + (plugin.count > 1 ? n : 0)) : 0;
		b->label = proto.label ? xstrdup(proto.label) : NULL;
		b->profile = proto.profile ? xstrdup(proto.profile) : NULL;
		if (a->bipolar && b->taper == TAPER_LINEAR &&
		    c->controls[ci].mode == MODE_ABSOLUTE &&
		    a->def > b->min && a->def < b->max) {
			int32_t max = c->controls[ci].max;
			b->centred = true;
			b->centre = a->def;
			b->centre_pos = (double)((max + 1) / 2) / max;
			/* the engine inverts first: the middle raw value of an
			 * inverted control arrives as 1 - centre_pos */
			if (b->invert)
				b->centre_pos = 1 - b->centre_pos;
		}
		if (da && da->defined && !da->unsupported) {
			struct template_slots slots = { b->track, b->marker,
			    b->plugin };
			template_expand(&da->msg, &slots, b->label, &b->msg);
			if (da->msg_off.address)
				template_expand(&da->msg_off, &slots, b->label,
				    &b->msg_off);
		}
		L->p->by_control[ci] = L->p->nbindings++;
	}
out:
	free(proto.label);
	free(proto.profile);
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
	if (d)
		compile_address(&L, t, at);
	if (c)
		compile_bindings(&L, t);
	return p;
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nbindings; i++) {
		struct binding *b = &p->bindings[i];
		osc_msg_free(&b->msg);
		osc_msg_free(&b->msg_off);
		free(b->label);
		free(b->profile);
	}
	free(p->bindings);
	free(p->by_control);
	free(p->by_target);
	free(p->journal);
	free(p->name);
	free(p->file);
	free(p->title);
	free(p->host);
	free(p);
}
