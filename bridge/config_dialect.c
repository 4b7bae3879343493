/* Loads DAW dialects: mappings/daws/NAME.ini. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "ini_read.h"
#include "util.h"

struct dialect_loader {
	struct dialect *d;
	const char *path;
	struct diag_list *dl;
	bool seen_daw;
};

/* Parse a template of this file: the diagnostics name it. */
static bool
parse_template(struct dialect_loader *L, const struct action_def *a,
    const char *value, struct msg_template *t, int line)
{
	return template_parse(a, value, t, L->dl, L->path, line);
}

/* A [daw] key naming where the DAW reports one value (position =,
 * playhead =): an address with exactly one {value}. */
static void
parse_report(struct dialect_loader *L, const char *key, const char *value,
    int line, const char *example, struct msg_template *out)
{
	const struct action_def what = { .name = key };
	struct msg_template t;

	memset(&t, 0, sizeof(t));
	template_free(out);
	memset(out, 0, sizeof(*out));
	if (!parse_template(L, &what, value, &t, line)) {
		template_free(&t);
		return;
	}
	if (t.nargs == 1 && t.args[0].source == ARG_VALUE)
		*out = t;
	else {
		diag_error(L->dl, L->path, line, "%s is an address with one "
		    "{value}, e.g. %s", key, example);
		template_free(&t);
	}
}

static void
on_section(void *user, const char *section, int line)
{
	struct dialect_loader *L = user;

	if (strcmp(section, "daw") == 0)
		L->seen_daw = true;
	else if (strcmp(section, "actions") != 0 &&
	    strcmp(section, "feedback") != 0)
		diag_error(L->dl, L->path, line, "unknown section [%s] (expected "
		    "[daw], [actions] or [feedback])", section);
}

static void
handshake_key(struct dialect_loader *L, const char *value, int line)
{
	/* constants only: what to send to ask for feedback */
	static const struct action_def hs = { .name = "handshake" };
	struct dialect *d = L->d;
	struct msg_template t;
	bool ok;

	memset(&t, 0, sizeof(t));
	ok = parse_template(L, &hs, value, &t, line);
	if (ok && !template_is_constant(&t)) {
		diag_error(L->dl, L->path, line, "a handshake is sent as it is "
		    "written: constants only, no {placeholders}");
		ok = false;
	}
	if (!ok) {
		template_free(&t);
		return;
	}
	d->handshake = xrealloc(d->handshake,
	    (size_t)(d->nhandshake + 1) * sizeof(t));
	d->handshake[d->nhandshake++] = t;
}

static void
meter_range_key(struct dialect_loader *L, const char *value, int line)
{
	char tok[TOKEN_MAX][TOKEN_LEN];
	const char *err;
	double lo, hi, max = 1;
	int n = tokenize(value, tok, TOKEN_MAX, &err);

	if (n < 2 || n > 3 || !parse_double(tok[0], &lo) ||
	    !parse_double(tok[1], &hi) || (n == 3 && !parse_double(tok[2], &max)) ||
	    isinf(lo) || isinf(hi) || isinf(max))
		diag_error(L->dl, L->path, line, "meter_range is LOW HIGH [MAX]: "
		    "the dB at the bottom and the top of the DAW's meter scale, "
		    "and the number it sends at the top (default 1), not '%s'",
		    value);
	else if (lo >= hi || max <= 0)
		diag_error(L->dl, L->path, line, "meter_range '%s': LOW must be "
		    "below HIGH, and MAX above 0", value);
	else {
		L->d->meter_low = lo;
		L->d->meter_high = hi;
		L->d->meter_max = max;
	}
}

/* A key of [daw]. */
static void
daw_key(struct dialect_loader *L, const char *key, const char *value, int line)
{
	struct dialect *d = L->d;
	long n;

	if (strcmp(key, "name") == 0) {
		free(d->title);
		d->title = xstrdup(value);
	} else if (strcmp(key, "host") == 0) {
		free(d->host);
		d->host = xstrdup(value);
	} else if (strcmp(key, "port") == 0) {
		if (!parse_int(value, 1, 65535, &n))
			diag_error(L->dl, L->path, line,
			    "port '%s' is out of range 1..65535", value);
		else
			d->port = (int)n;
	} else if (strcmp(key, "protocol") == 0) {
		if (strcmp(value, "udp") == 0)
			d->proto = OSC_UDP;
		else if (strcmp(value, "tcp") == 0)
			d->proto = OSC_TCP;
		else
			diag_error(L->dl, L->path, line,
			    "protocol '%s' is not udp or tcp", value);
	} else if (strcmp(key, "bundle") == 0) {
		if (strcmp(value, "on") == 0)
			d->bundle = true;
		else if (strcmp(value, "off") == 0)
			d->bundle = false;
		else
			diag_error(L->dl, L->path, line,
			    "bundle is 'on' or 'off', not '%s'", value);
	} else if (strcmp(key, "handshake") == 0)
		handshake_key(L, value, line);
	else if (strcmp(key, "position") == 0)
		/* the playhead, as seconds or "hh:mm:ss.mmm" text */
		parse_report(L, key, value, line, "/position/time s:{value}",
		    &d->position);
	else if (strcmp(key, "playhead") == 0)
		/* the playhead as a number, for loop.section */
		parse_report(L, key, value, line, "/position/samples s:{value}",
		    &d->playhead);
	else if (strcmp(key, "heartbeat") == 0) {
		if (!parse_int(value, 0, 3600, &n))
			diag_error(L->dl, L->path, line, "heartbeat '%s' is not "
			    "a number of seconds 0..3600", value);
		else
			d->heartbeat_s = (int)n;
	} else if (strcmp(key, "max_rate") == 0) {
		if (!parse_int(value, 1, 100000, &n))
			diag_error(L->dl, L->path, line, "max_rate '%s' is not "
			    "a number of messages a second 1..100000", value);
		else
			d->max_rate = (int)n;
	} else if (strcmp(key, "meter_range") == 0)
		meter_range_key(L, value, line);
	else if (strcmp(key, "db_floor") == 0) {
		if (!parse_double(value, &d->db_floor))
			diag_error(L->dl, L->path, line,
			    "db_floor '%s' is not a number", value);
	} else
		diag_error(L->dl, L->path, line,
		    "unknown key '%s' in [daw] (expected name, host, port, "
		    "protocol, bundle, db_floor, meter_range, handshake, "
		    "heartbeat, max_rate, position, playhead)", key);
}

/* A new action of this dialect: "editor.zoom = /access_action s:...". */
static void
user_action(struct dialect_loader *L, const char *key, const char *value,
    int line)
{
	struct dialect *d = L->d;
	struct user_action *u = xcalloc(1, sizeof(*u));
	size_t n = (size_t)d->nactions + 1;

	if (!user_action_define(u, key, value, false, NULL, 0, L->dl, L->path,
	    line)) {
		user_action_free(u);
		free(u);
		return;
	}
	d->actions = xrealloc(d->actions, n * sizeof(*d->actions));
	d->reports = xrealloc(d->reports, n * sizeof(*d->reports));
	memset(&d->reports[n - 1], 0, sizeof(*d->reports));
	d->user = xrealloc(d->user, (size_t)(d->nuser + 1) * sizeof(*d->user));
	u->def.index = d->nactions;
	d->user[d->nuser++] = u;
	/* the table's entry is the user action's message; the user action
	 * keeps ownership of its templates */
	d->actions[n - 1] = u->da;
	d->nactions = (int)n;
}

/* Where an action's line of [actions] or [feedback] goes, or NULL with a
 * diagnostic. */
static struct dialect_action *
action_slot(struct dialect_loader *L, const char *section, const char *key,
    int line, const struct action_def **ap)
{
	bool feedback = strcmp(section, "feedback") == 0;
	const struct action_def *a;
	struct dialect_action *da;

	if ((a = *ap = dialect_action_find(L->d, key)) == NULL) {
		char hint[600];
		diag_error(L->dl, L->path, line, "unknown action '%s' (%s)", key,
		    user_action_hint(L->d, NULL, key, hint, sizeof(hint)));
		return NULL;
	}
	if (a->user && !feedback) {
		diag_error(L->dl, L->path, line,
		    "action '%s' is already defined at line %d", key,
		    L->d->actions[action_index(a)].line);
		return NULL;
	}
	if (a->internal) {
		diag_error(L->dl, L->path, line,
		    "'%s' is done by the bridge itself: a DAW dialect cannot "
		    "define it", key);
		return NULL;
	}
	if (a->display && !feedback) {
		diag_error(L->dl, L->path, line, "'%s' is only shown, never sent: "
		    "define it in [feedback], where the DAW reports it", key);
		return NULL;
	}
	if (feedback && a->type == ACTION_TRIGGER &&
	    strncmp(a->name, "transport.", 10) != 0) {
		diag_error(L->dl, L->path, line, "'%s' has no state for a DAW to "
		    "report", key);
		return NULL;
	}
	da = feedback ? &L->d->reports[action_index(a)] :
	    &L->d->actions[action_index(a)];
	if (da->line != 0) {	/* even if that definition was rejected */
		diag_error(L->dl, L->path, line,
		    "action '%s' is already defined at line %d", key, da->line);
		return NULL;
	}
	da->line = line;
	return da;
}

/* "none" in [feedback]: the DAW never reports this toggle. */
static void
action_none(struct dialect_loader *L, const char *section,
    const struct action_def *a, struct dialect_action *da, int line)
{
	if (strcmp(section, "feedback") != 0)
		diag_error(L->dl, L->path, line, "'none' belongs in [feedback] "
		    "(the DAW never reports '%s'); here write its message or "
		    "'unsupported'", a->name);
	else if (a->type != ACTION_TOGGLE)
		diag_error(L->dl, L->path, line, "'none' is for an on/off action "
		    "the DAW never reports, which the bridge then shows itself; "
		    "'%s' is not one", a->name);
	else
		da->defined = da->unreported = true;
}

/* "ON | OFF": a toggle sent as two commands. */
static void
action_on_off(struct dialect_loader *L, const char *section,
    const struct action_def *a, struct dialect_action *da, const char *value,
    const char *bar, int line)
{
	char on[1024];
	bool ok;

	if (a->type != ACTION_TOGGLE || strcmp(section, "actions") != 0) {
		diag_error(L->dl, L->path, line, "two messages, ON | OFF, are for "
		    "an on/off action's command; '%s' is not one", a->name);
		return;
	}
	if ((size_t)(bar - value) >= sizeof(on)) {
		diag_error(L->dl, L->path, line, "line too long");
		return;
	}
	memcpy(on, value, (size_t)(bar - value));
	on[bar - value] = '\0';
	ok = parse_template(L, a, on, &da->msg, line) &&
	    parse_template(L, a, bar + 1, &da->msg_off, line);
	if (ok && (template_takes_value(&da->msg) ||
	    template_takes_value(&da->msg_off))) {
		diag_error(L->dl, L->path, line, "with two messages, ON | OFF, "
		    "the message itself says on or off: neither takes {value}");
		ok = false;
	}
	if (!ok) {
		template_free(&da->msg);
		template_free(&da->msg_off);
		memset(&da->msg, 0, sizeof(da->msg));
		memset(&da->msg_off, 0, sizeof(da->msg_off));
		return;
	}
	da->defined = true;
}

static void
on_key(void *user, const char *section, const char *key, const char *value,
    int line)
{
	struct dialect_loader *L = user;
	const struct action_def *a;
	struct dialect_action *da;
	const char *bar;

	if (strcmp(section, "daw") == 0) {
		daw_key(L, key, value, line);
		return;
	}
	if (strcmp(section, "actions") != 0 && strcmp(section, "feedback") != 0) {
		if (*section == '\0')
			diag_error(L->dl, L->path, line,
			    "key '%s' is outside any section", key);
		return;
	}
	/* a name the catalog does not have: a new action of this DAW */
	if (strcmp(section, "actions") == 0 &&
	    dialect_action_find(L->d, key) == NULL) {
		user_action(L, key, value, line);
		return;
	}
	if ((da = action_slot(L, section, key, line, &a)) == NULL)
		return;
	if (strcmp(value, "unsupported") == 0)
		da->defined = da->unsupported = true;
	else if (strcmp(value, "none") == 0)
		action_none(L, section, a, da, line);
	else if ((bar = split_bar(value)) != NULL)
		action_on_off(L, section, a, da, value, bar, line);
	else if (parse_template(L, a, value, &da->msg, line))
		da->defined = true;
}

struct dialect *
dialect_load(const char *path, const char *name, struct diag_list *dl)
{
	struct dialect_loader L;
	int errors = dl->errors;

	memset(&L, 0, sizeof(L));
	L.d = xcalloc(1, sizeof(*L.d));
	L.d->name = xstrdup(name);
	L.d->file = xstrdup(path);
	L.d->db_floor = -200;
	L.d->nactions = action_count();
	L.d->actions = xcalloc((size_t)action_count(), sizeof(*L.d->actions));
	L.d->reports = xcalloc((size_t)action_count(), sizeof(*L.d->reports));
	L.path = L.d->file;
	L.dl = dl;
	if (ini_read_file(path, on_section, on_key, &L, dl) < 0) {
		dialect_free(L.d);
		return NULL;
	}
	if (!L.seen_daw)
		diag_error(dl, path, 0, "missing [daw] section");
	else if (L.d->port == 0)
		diag_error(dl, path, 0, "[daw] needs 'port', the DAW's OSC port");
	if (L.d->host == NULL)
		L.d->host = xstrdup("127.0.0.1");
	if (L.d->title == NULL)
		L.d->title = xstrdup(name);
	L.d->errors = dl->errors - errors;
	return L.d;
}

void
dialect_free(struct dialect *d)
{
	if (d == NULL)
		return;
	/* a user action's message is its own (user_action_free) */
	for (int i = 0; d->actions && i < action_count(); i++) {
		template_free(&d->actions[i].msg);
		template_free(&d->actions[i].msg_off);
	}
	for (int i = 0; d->reports && i < d->nactions; i++)
		template_free(&d->reports[i].msg);
	for (int i = 0; i < d->nuser; i++) {
		user_action_free(d->user[i]);
		free(d->user[i]);
	}
	free(d->user);
	free(d->actions);
	free(d->reports);
	for (int i = 0; i < d->nhandshake; i++)
		template_free(&d->handshake[i]);
	free(d->handshake);
	template_free(&d->position);
	template_free(&d->playhead);
	free(d->name);
	free(d->file);
	free(d->title);
	free(d->host);
	free(d);
}

const struct action_def *
dialect_action_find(const struct dialect *d, const char *name)
{
	const struct action_def *a = action_find(name);

	for (int i = 0; a == NULL && d && i < d->nuser; i++)
		if (strcmp(d->user[i]->def.name, name) == 0)
			a = &d->user[i]->def;
	return a;
}

const struct action_def *
dialect_action_at(const struct dialect *d, int i)
{
	return i < action_count() ? action_at(i) :
	    &d->user[i - action_count()]->def;
}
