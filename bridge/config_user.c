/*
 * User actions: a dialect's [actions] line whose name is not the
 * catalog's ("editor.zoom_fit = /access_action s:Editor/zoom-to-session"),
 * or a binding's own message ("solo1 = osc /strip/name i:1 s:LeadVox").
 * The message is read by template.c like any dialect's; the kind follows
 * from it: no {value} a trigger, ON | OFF or an on/off {value} a toggle,
 * a {value} with range=LOW..HIGH a continuous action.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "util.h"

const char *
split_bar(const char *value)
{
	bool quoted = false;

	for (const char *p = value; *p; p++) {
		if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '|' && !quoted)
			return p;
	}
	return NULL;
}

/* Is w (a word after the address) part of a message: an argument
 * ("i:3", "s:{label?}", T F N I), the '|' of ON | OFF, or an address
 * (after a '|')?  A word with a ':' before any '=' ("x:1", "int:1") is
 * an argument mistyped, left to the message to say so, where as an
 * option it would be an unknown option. */
static bool
message_word(const char *w, size_t len, bool after_bar)
{
	size_t colon = strcspn(w, ":= \t");

	if (len == 1 && strchr("TFNI|", w[0]))
		return true;
	if (colon < len && w[colon] == ':' && w[0] != '"')
		return true;
	return after_bar && w[0] == '/';
}

/* Where the message of value ends: the first word that is no part of it. */
static const char *
message_end(const char *value)
{
	const char *p = value;
	bool first = true, after_bar = false;

	for (;;) {
		const char *w;
		bool quoted = false;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return p;
		w = p;
		for (; *p && (quoted || !isspace((unsigned char)*p)); p++) {
			if (quoted && *p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		if (!first && !message_word(w, (size_t)(p - w), after_bar))
			return w;
		after_bar = (size_t)(p - w) == 1 && *w == '|';
		first = false;
	}
}

/* "LOW..HIGH" as numbers. */
static bool
parse_range(const char *s, double *lo, double *hi)
{
	const char *dots = strstr(s, "..");
	char a[64];

	if (dots == NULL || (size_t)(dots - s) >= sizeof(a))
		return false;
	memcpy(a, s, (size_t)(dots - s));
	a[dots - s] = '\0';
	return parse_double(a, lo) && parse_double(dots + 2, hi);
}

struct uopts {
	bool range, unit, taper, def, step;
	double lo, hi, dv, sv;
	enum value_unit u;
	enum taper t;
};

/* One option word of the definition; 1 taken, 0 not the action's (a
 * binding's, in a one-off), -1 with a diagnostic. */
static int
uoption(struct uopts *o, const char *name, char *word, bool oneoff,
    struct diag_list *dl, const char *file, int line)
{
	char *eq = strchr(word, '=');
	const char *v = eq ? eq + 1 : "";

	if (eq)
		*eq = '\0';
	if (strcmp(word, "range") == 0) {
		if (!parse_range(v, &o->lo, &o->hi) || isinf(o->hi) ||
		    (isinf(o->lo) && o->lo > 0)) {
			diag_error(dl, file, line, "range '%s' is LOW..HIGH, two "
			    "numbers (LOW may be -inf for a gain)", v);
			return -1;
		}
		if (o->lo >= o->hi) {
			diag_error(dl, file, line, "range %s: LOW must be below "
			    "HIGH", v);
			return -1;
		}
		o->range = true;
	} else if (strcmp(word, "unit") == 0) {
		if (strcasecmp(v, "db") == 0)
			o->u = UNIT_DB;
		else if (strcmp(v, "none") == 0)
			o->u = UNIT_NONE;
		else {
			diag_error(dl, file, line, "unit is 'dB' or 'none', not "
			    "'%s'", v);
			return -1;
		}
		o->unit = true;
	} else if (!oneoff && strcmp(word, "taper") == 0) {
		if (strcmp(v, "linear") == 0)
			o->t = TAPER_LINEAR;
		else if (strcmp(v, "fader") == 0)
			o->t = TAPER_FADER;
		else {
			diag_error(dl, file, line, "unknown taper '%s' (expected "
			    "linear or fader)", v);
			return -1;
		}
		o->taper = true;
	} else if (!oneoff && (strcmp(word, "default") == 0 ||
	    strcmp(word, "step") == 0)) {
		double *dst = word[0] == 'd' ? &o->dv : &o->sv;
		if (!parse_double(v, dst) || isinf(*dst)) {
			diag_error(dl, file, line, "%s '%s' is not a number", word,
			    v);
			return -1;
		}
		*(word[0] == 'd' ? &o->def : &o->step) = true;
	} else if (oneoff) {
		if (eq)
			*eq = '=';
		return 0;
	} else {
		diag_error(dl, file, line, "unknown option '%s' for action '%s' "
		    "(expected range, unit, taper, default, step)", word, name);
		return -1;
	}
	return 1;
}

/* The parameters a message takes from its binding: its placeholders. */
static unsigned
message_params(const struct msg_template *t)
{
	unsigned params = 0;

	if (t->address == NULL)
		return 0;
	if (strstr(t->address, "{track"))
		params |= PARAM_TRACK;
	if (strstr(t->address, "{marker}"))
		params |= PARAM_MARKER;
	if (strstr(t->address, "{plugin"))
		params |= PARAM_PLUGIN;
	for (int i = 0; i < t->nargs; i++)
		switch (t->args[i].source) {
		case ARG_TRACK: case ARG_TRACK0: params |= PARAM_TRACK; break;
		case ARG_MARKER: params |= PARAM_MARKER; break;
		case ARG_PLUGIN: case ARG_PLUGIN0: params |= PARAM_PLUGIN; break;
		case ARG_LABEL: params |= PARAM_LABEL; break;
		default: break;
		}
	return params;
}

/* The type its {value} is sent as, 0 if it has none. */
static char
value_type(const struct msg_template *t)
{
	for (int i = 0; i < t->nargs; i++)
		if (t->args[i].source == ARG_VALUE)
			return t->args[i].type;
	return 0;
}

static bool
valid_name(const char *name)
{
	if (strchr(name, '.') == NULL || name[0] == '.' ||
	    name[strlen(name) - 1] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return true;
}

/* The kind, from the message and the options; false with a diagnostic. */
static bool
infer_kind(struct action_def *a, const struct user_action *u,
    const struct uopts *o, bool oneoff, struct diag_list *dl,
    const char *file, int line)
{
	char vt = value_type(&u->da.msg);

	if (u->da.msg_off.address || vt == 0) {
		if (o->range || o->unit || o->taper || o->def || o->step) {
			diag_error(dl, file, line, "range=, unit=, taper=, "
			    "default= and step= are for a message with "
			    "{value}; '%s' has none", a->name);
			return false;
		}
		a->type = u->da.msg_off.address ? ACTION_TOGGLE : ACTION_TRIGGER;
		a->max = 1;
		return true;
	}
	if (!o->range) {
		if (vt == 'i' || vt == 'b' || vt == 'h') {
			if (o->unit || o->taper || o->def || o->step) {
				diag_error(dl, file, line, "unit=, taper=, "
				    "default= and step= need range=LOW..HIGH");
				return false;
			}
			a->type = ACTION_TOGGLE;	/* 1 on, 0 off */
			a->max = 1;
			return true;
		}
		diag_error(dl, file, line, "'%s' sends %c:{value} with no range: "
		    "give range=LOW..HIGH for a level, or send i:{value} for "
		    "on/off", oneoff ? "osc" : a->name, vt);
		return false;
	}
	if (vt == 's' || vt == 'b') {
		diag_error(dl, file, line, "a level is a number: %c:{value} "
		    "cannot carry range=", vt);
		return false;
	}
	a->type = ACTION_CONTINUOUS;
	a->min = o->lo;
	a->max = o->hi;
	a->unit = o->unit ? o->u : UNIT_NONE;
	a->taper = o->taper ? o->t : isinf(o->lo) ? TAPER_FADER : TAPER_LINEAR;
	if (a->taper == TAPER_FADER && (a->unit != UNIT_DB || !isinf(a->min) ||
	    a->max != 6)) {
		diag_error(dl, file, line, "taper=fader is a gain law, "
		    "range=-inf..6 unit=dB; '%s' is not that", oneoff ? "osc" :
		    a->name);
		return false;
	}
	if (isinf(a->min) && a->taper != TAPER_FADER) {
		diag_error(dl, file, line, "range from -inf needs taper=fader");
		return false;
	}
	a->def = o->def ? o->dv : (a->min <= 0 && a->max >= 0) ? 0 : a->min;
	if (a->def < a->min || a->def > a->max) {
		diag_error(dl, file, line, "default %g is outside range %g..%g",
		    a->def, a->min, a->max);
		return false;
	}
	a->step = o->step ? o->sv : isinf(a->min) ? 0.5 : (a->max - a->min) / 100;
	a->bipolar = a->min < a->def && a->def < a->max;
	return true;
}

bool
user_action_define(struct user_action *u, const char *name,
    const char *value, bool oneoff, char *rest, size_t restlen,
    struct diag_list *dl, const char *file, int line)
{
	char msg[1024], tok[TOKEN_MAX][TOKEN_LEN];
	struct action_def *a = &u->def;
	struct uopts o;
	const char *end = message_end(value), *err, *bar;
	size_t mlen = (size_t)(end - value), rlen = 0;
	int ntok;

	memset(u, 0, sizeof(*u));
	memset(&o, 0, sizeof(o));
	a->name = xstrdup(oneoff ? "osc" : name);
	a->user = true;
	a->index = -1;
	if (!oneoff && !valid_name(name)) {
		diag_error(dl, file, line, "'%s' is not in the catalog, and a new "
		    "action's name is GROUP.NAME (letters, digits, - and _, "
		    "with a dot), e.g. editor.zoom_session", name);
		return false;
	}
	if (rest && restlen)
		rest[0] = '\0';
	if ((ntok = tokenize(end, tok, TOKEN_MAX, &err)) < 0) {
		diag_error(dl, file, line, "%s in '%s'", err, end);
		return false;
	}
	for (int i = 0; i < ntok; i++) {
		int r = uoption(&o, a->name, tok[i], oneoff, dl, file, line);
		if (r < 0)
			return false;
		if (r == 0 && rest) {	/* the binding's: quoted again */
			int n = snprintf(rest + rlen, restlen - rlen, "%s\"", rlen ?
			    " " : "");
			rlen += (size_t)n;
			for (const char *p = tok[i]; *p && rlen + 4 < restlen; p++) {
				if (*p == '"' || *p == '\\')
					rest[rlen++] = '\\';
				rest[rlen++] = *p;
			}
			if (rlen + 2 < restlen)
				rest[rlen++] = '"';
			rest[rlen] = '\0';
		}
	}
	while (mlen && isspace((unsigned char)*value)) {
		value++;
		mlen--;
	}
	while (mlen && isspace((unsigned char)value[mlen - 1]))
		mlen--;
	if (mlen >= sizeof(msg)) {
		diag_error(dl, file, line, "line too long");
		return false;
	}
	memcpy(msg, value, mlen);
	msg[mlen] = '\0';
	if (oneoff && msg[0] != '/') {
		diag_error(dl, file, line, "osc needs an OSC address starting "
		    "with '/': osc /ADDRESS ARG... (e.g. osc /strip/name i:1 "
		    "s:LeadVox)");
		return false;
	}
	/* every placeholder a binding can fill; the kind decides the rest */
	a->params = PARAM_TRACK | PARAM_MARKER | PARAM_PLUGIN |
	    PARAM_LABEL;
	if ((bar = split_bar(msg)) != NULL) {
		char on[1024];
		memcpy(on, msg, (size_t)(bar - msg));
		on[bar - msg] = '\0';
		if (!template_parse(a, on, &u->da.msg, dl, file, line) ||
		    !template_parse(a, bar + 1, &u->da.msg_off, dl, file, line))
			return false;
		if (template_takes_value(&u->da.msg) ||
		    template_takes_value(&u->da.msg_off)) {
			diag_error(dl, file, line, "with two messages, ON | OFF, "
			    "the message itself says on or off: neither takes "
			    "{value}");
			return false;
		}
	} else if (!template_parse(a, msg, &u->da.msg, dl, file, line))
		return false;
	a->params = message_params(&u->da.msg) | message_params(&u->da.msg_off);
	a->required = a->params & ~PARAM_LABEL;
	if (!infer_kind(a, u, &o, oneoff, dl, file, line))
		return false;
	if (oneoff) {	/* its key in targets: the message as written */
		char *n = xmalloc(mlen + 5);
		memcpy(n, "osc ", 4);
		memcpy(n + 4, msg, mlen + 1);
		free((char *)a->name);
		a->name = n;
	}
	a->summary = xstrdup(msg);
	u->da.defined = true;
	u->da.line = line;
	return true;
}

void
user_action_free(struct user_action *u)
{
	if (u == NULL)
		return;
	template_free(&u->da.msg);
	template_free(&u->da.msg_off);
	template_free(&u->report.msg);
	free((char *)u->def.name);
	free((char *)u->def.summary);
}

/* ---- a profile's own actions ---- */

static struct user_action *
own_by_name(const struct profile *p, const char *name)
{
	for (int i = 0; i < p->nuser; i++)
		if (strcmp(p->user[i]->def.name, name) == 0)
			return p->user[i];
	return NULL;
}

/* A name of the profile's [actions] that is already someone's: false
 * with a diagnostic saying whose. */
static bool
own_name_free(const struct profile *p, const char *name, struct diag_list *dl,
    int line)
{
	const struct dialect *d = p->dialect;
	const struct action_def *a;
	const struct user_action *u;

	if (action_find(name) != NULL) {
		diag_error(dl, p->file, line, "'%s' shadows the catalog action "
		    "of that name: a profile's [actions] adds new names (how "
		    "'%s' is sent is the dialect's)", name, name);
		return false;
	}
	if ((a = dialect_action_find(d, name)) != NULL) {
		diag_error(dl, p->file, line, "'%s' shadows an action of dialect "
		    "'%s' (%s:%d): a profile's [actions] adds new names", name,
		    d->name, d->file, d->actions[action_index(a)].line);
		return false;
	}
	if ((u = own_by_name(p, name)) != NULL) {
		diag_error(dl, p->file, line, "action '%s' is already defined at "
		    "line %d", name, u->da.line);
		return false;
	}
	return true;
}

/* A [feedback] line of the profile for u (its own action called name,
 * or the one-off a control called name sends): where the DAW reports it,
 * or "none" for a toggle it never reports. */
static void
own_feedback(struct profile *p, struct user_action *u, const char *name,
    const struct pending_line *pl, struct diag_list *dl)
{
	struct dialect_action *r = &u->report;

	if (r->line != 0) {
		diag_error(dl, p->file, pl->line, "the feedback of '%s' is "
		    "already given at line %d", name, r->line);
		return;
	}
	r->line = pl->line;
	if (u->def.type == ACTION_TRIGGER) {
		diag_error(dl, p->file, pl->line, "'%s' has no state for a DAW "
		    "to report", name);
		return;
	}
	if (strcmp(pl->value, "none") == 0) {
		if (u->def.type != ACTION_TOGGLE)
			diag_error(dl, p->file, pl->line, "'none' is for an "
			    "on/off action the DAW never reports, which the bridge "
			    "then shows itself; '%s' is not one", name);
		else
			r->defined = r->unreported = true;
		return;
	}
	if (template_parse(&u->def, pl->value, &r->msg, dl, p->file, pl->line))
		r->defined = true;
}

void
profile_actions_define(struct profile *p, const struct profile_text *t,
    struct diag_list *dl)
{
	for (int i = 0; i < t->actions.count; i++) {
		const struct pending_line *pl = &t->actions.items[i];
		struct user_action *u;

		if (!own_name_free(p, pl->key, dl, pl->line))
			continue;
		u = xcalloc(1, sizeof(*u));
		if (!user_action_define(u, pl->key, pl->value, false, NULL, 0,
		    dl, p->file, pl->line)) {
			user_action_free(u);
			free(u);
			continue;
		}
		p->user = xrealloc(p->user, (size_t)(p->nuser + 1) *
		    sizeof(*p->user));
		p->user[p->nuser++] = u;
	}
	/* the profile's actions; the lines naming a control are for
	 * profile_oneoff_feedback, once the bindings are compiled */
	for (int i = 0; i < t->feedback.count; i++) {
		const struct pending_line *pl = &t->feedback.items[i];
		struct user_action *u = own_by_name(p, pl->key);

		if (u)
			own_feedback(p, u, pl->key, pl, dl);
	}
}

/* The one-off a control called name (or the first of a range) sends. */
static struct user_action *
oneoff_of(const struct profile *p, const char *name)
{
	char prefix[TOKEN_LEN], first[TOKEN_LEN + 32];
	const struct binding *b;
	long from;
	int ci;

	if (parse_name_range(name, prefix, sizeof(prefix), &from) < 1)
		return NULL;
	range_name(first, sizeof(first), prefix, from, 0);
	if ((ci = controller_control(p->controller, first)) < 0 ||
	    p->by_control[ci] < 0)
		return NULL;
	b = &p->bindings[p->by_control[ci]];
	for (int i = 0; i < p->noneoffs; i++)
		if (&p->oneoffs[i]->def == b->action)
			return p->oneoffs[i];
	return NULL;
}

void
profile_oneoff_feedback(struct profile *p, const struct profile_text *t,
    struct diag_list *dl)
{
	for (int i = 0; i < t->feedback.count; i++) {
		const struct pending_line *pl = &t->feedback.items[i];
		struct user_action *u;

		if (own_by_name(p, pl->key))
			continue;
		if ((u = oneoff_of(p, pl->key)) == NULL) {
			diag_error(dl, p->file, pl->line, "'%s' is not an action "
			    "of this profile's [actions] nor a control bound to an "
			    "osc message: a profile's [feedback] reads back what "
			    "the profile defines (the catalog's and the dialect's "
			    "actions are read through the dialect)", pl->key);
			continue;
		}
		own_feedback(p, u, pl->key, pl, dl);
		for (int j = 0; j < p->nbindings; j++)
			if (p->bindings[j].action == &u->def)
				p->bindings[j].unreported = u->report.unreported;
	}
}

const struct action_def *
profile_action_find(const struct profile *p, const char *name)
{
	const struct action_def *a = dialect_action_find(p->dialect, name);
	const struct user_action *u;

	if (a == NULL && (u = own_by_name(p, name)) != NULL)
		a = &u->def;
	return a;
}

const struct user_action *
profile_own_action(const struct profile *p, const struct action_def *a)
{
	if (!a->user || action_index(a) >= 0)
		return NULL;
	for (int i = 0; i < p->nuser; i++)
		if (&p->user[i]->def == a)
			return p->user[i];
	for (int i = 0; i < p->noneoffs; i++)
		if (&p->oneoffs[i]->def == a)
			return p->oneoffs[i];
	return NULL;
}

/* "unknown action" help in p (d when p is NULL): the catalog's actions
 * with the dialect's and the profile's own among them. */
const char *
user_action_hint(const struct dialect *d, const struct profile *p,
    const char *name, char *buf, size_t len)
{
	int nd = d ? d->nuser : 0, np = p ? p->nuser : 0, n = 0;
	const char **more = xcalloc((size_t)(nd + np + 1), sizeof(*more));

	for (int i = 0; i < nd; i++)
		more[n++] = d->user[i]->def.name;
	for (int i = 0; i < np; i++)
		more[n++] = p->user[i]->def.name;
	action_hint_among(name, more, n, buf, len);
	free(more);
	return buf;
}
