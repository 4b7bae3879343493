/*
 * A profile's [on] section: "recording.start = profile.switch
 * profile=takes, take.new".  Each line names a DAW event and the actions
 * it runs, in order, separated by commas: bridge actions (profile.switch,
 * .next, .previous, take.new) and DAW actions, each with the options a
 * binding gives it (label=, track= ...), a toggle with "on" or "off".
 * Compiled as bindings of no control (config_compile.c:action_compile);
 * across profiles, no chain of switches within one event may come back to
 * a profile it left (hooks_check).  The events fire in hooks.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "util.h"

static const char *const event_names[HOOK_NEVENTS] = {
	[HOOK_RECORDING_START] = "recording.start",
	[HOOK_RECORDING_STOP] = "recording.stop",
	[HOOK_TRANSPORT_START] = "transport.start",
	[HOOK_TRANSPORT_STOP] = "transport.stop",
	[HOOK_DAW_CONNECTED] = "daw.connected",
	[HOOK_DAW_LOST] = "daw.lost",
};

#define EVENT_LIST "recording.start, recording.stop, transport.start, " \
	"transport.stop, daw.connected, daw.lost"

const char *
hook_event_name(enum hook_event e)
{
	return e >= 0 && e < HOOK_NEVENTS ? event_names[e] : "?";
}

int
hook_event_find(const char *name)
{
	for (int e = 0; e < HOOK_NEVENTS; e++)
		if (strcmp(name, event_names[e]) == 0)
			return e;
	return -1;
}

/* The action of h that switches profile, NULL if none. */
static const struct hook_action *
switch_action(const struct hook *h)
{
	for (int i = 0; i < h->nactions; i++) {
		enum action_effect e = h->actions[i].b.action->effect;
		if (e == EFFECT_SWITCH || e == EFFECT_NEXT || e == EFFECT_PREVIOUS)
			return &h->actions[i];
	}
	return NULL;
}

const struct profile *
hook_switch(const struct config *cfg, const struct profile *p,
    const struct hook *h, int *line)
{
	const struct hook_action *ha = switch_action(h);

	if (ha == NULL)
		return NULL;
	if (line)
		*line = h->line;
	switch (ha->b.action->effect) {
	case EFFECT_SWITCH:
		return config_profile(cfg, binding_profile(&ha->b));
	case EFFECT_NEXT:
		return p->next;
	default:
		return p->previous;
	}
}

const char *
hook_switch_name(const struct hook *h)
{
	const struct hook_action *ha = switch_action(h);

	return ha ? binding_profile(&ha->b) : NULL;
}

/* ---- compiling a line ---- */

/* The next action of a line: up to a comma outside quotes. */
static const char *
next_piece(const char *s, char *out, size_t len)
{
	bool quoted = false;
	size_t n = 0;

	for (; *s && (quoted || *s != ','); s++) {
		if (quoted && *s == '\\' && (s[1] == '"' || s[1] == '\\')) {
			if (n + 1 < len)
				out[n++] = *s;
			s++;
		} else if (*s == '"')
			quoted = !quoted;
		if (n + 1 < len)
			out[n++] = *s;
	}
	out[n] = '\0';
	return *s == ',' ? s + 1 : NULL;
}

/* A last word "on" or "off" (a toggle's state) taken off text: 1, 0, or
 * -1 when there is none. */
static int
take_state(char *text)
{
	size_t n = strlen(text);
	int state = -1;

	while (n > 0 && isspace((unsigned char)text[n - 1]))
		text[--n] = '\0';
	if (n > 3 && strcmp(text + n - 3, " on") == 0)
		state = 1, n -= 3;
	else if (n > 4 && strcmp(text + n - 4, " off") == 0)
		state = 0, n -= 4;
	else if (n > 3 && strcmp(text + n - 3, "\ton") == 0)
		state = 1, n -= 3;
	else if (n > 4 && strcmp(text + n - 4, "\toff") == 0)
		state = 0, n -= 4;
	text[n] = '\0';
	return state;
}

/* The option words a control needs and a hook cannot have. */
static const char *
control_option(const char *text)
{
	static const char *const words[] = { "guard", "trigger", "step",
	    "accel", "pickup" };
	char tok[TOKEN_MAX][TOKEN_LEN];
	const char *err;
	int ntok = tokenize(text, tok, TOKEN_MAX, &err);

	for (int i = 1; i < ntok; i++)
		for (size_t w = 0; w < sizeof(words) / sizeof(*words); w++) {
			size_t len = strlen(words[w]);
			if (strncmp(tok[i], words[w], len) == 0 &&
			    (tok[i][len] == '=' || tok[i][len] == '\0'))
				return words[w];
		}
	return NULL;
}

/* One action of an [on] line into ha; false with a diagnostic. */
static bool
hook_action(struct profile *p, const struct pending_line *pl, char *text,
    struct hook_action *ha, struct diag_list *dl)
{
	const struct action_def *a;
	const char *word;
	int state = take_state(text);

	if ((word = control_option(text)) != NULL) {
		diag_error(dl, p->file, pl->line, "option '%s' is for a control; "
		    "a hook has none", word);
		return false;
	}
	if (!action_compile(p, p->file, pl->line, pl->key, text, &ha->b, dl))
		return false;
	a = ha->b.action;
	if (a->type == ACTION_CONTINUOUS) {
		diag_error(dl, p->file, pl->line, "'%s' takes its value from a "
		    "control's position, which a hook has not: use a trigger, "
		    "or a toggle with on or off", a->name);
		goto fail;
	}
	if (a->type == ACTION_TOGGLE && state < 0) {
		diag_error(dl, p->file, pl->line, "'%s' is a toggle: say which "
		    "state the hook sets ('%s on' or '%s off')", a->name,
		    a->name, a->name);
		goto fail;
	}
	if (a->type != ACTION_TOGGLE && state >= 0) {
		diag_error(dl, p->file, pl->line, "'%s' is not a toggle: it "
		    "takes no '%s'", a->name, state ? "on" : "off");
		goto fail;
	}
	ha->value = state == 0 ? 0 : 1;
	return true;
fail:
	binding_free(&ha->b);
	return false;
}

static void
hook_line(struct profile *p, const struct pending_line *pl,
    struct diag_list *dl)
{
	int e = hook_event_find(pl->key);
	struct hook *h;
	const char *s = pl->value;
	char piece[512];
	int switches = 0;

	if (e < 0) {
		diag_error(dl, p->file, pl->line, "unknown event '%s' in [on] "
		    "(expected " EVENT_LIST ")", pl->key);
		return;
	}
	h = &p->hooks[e];
	if (h->line) {
		diag_error(dl, p->file, pl->line, "'%s' already has its hook at "
		    "line %d (one line per event: list its actions with commas)",
		    pl->key, h->line);
		return;
	}
	h->line = pl->line;
	while (s) {
		struct hook_action ha;

		s = next_piece(s, piece, sizeof(piece));
		if (strspn(piece, " \t") == strlen(piece)) {
			diag_error(dl, p->file, pl->line, "'%s' has an empty "
			    "action (an action between each two commas)",
			    pl->key);
			break;
		}
		if (!hook_action(p, pl, piece, &ha, dl))
			break;
		h->actions = xrealloc(h->actions, (size_t)(h->nactions + 1) *
		    sizeof(*h->actions));
		h->actions[h->nactions++] = ha;
		if (switch_action(&(struct hook){ &ha, 1, NULL, 0 }) &&
		    ++switches == 2) {
			diag_error(dl, p->file, pl->line, "'%s' switches profile "
			    "twice: a hook switches once", pl->key);
			break;
		}
	}
	h->text = xstrdup(pl->value);
}

void
hooks_compile(struct profile *p, const struct profile_text *t,
    struct diag_list *dl)
{
	for (int i = 0; i < t->hooks.count; i++)
		hook_line(p, &t->hooks.items[i], dl);
}

void
hooks_free(struct profile *p)
{
	for (int e = 0; e < HOOK_NEVENTS; e++) {
		struct hook *h = &p->hooks[e];
		for (int i = 0; i < h->nactions; i++)
			binding_free(&h->actions[i].b);
		free(h->actions);
		free(h->text);
		memset(h, 0, sizeof(*h));
	}
}

/* ---- across profiles ---- */

static int
index_of(const struct config *cfg, const struct profile *p)
{
	for (int i = 0; i < cfg->nprofiles; i++)
		if (cfg->profiles[i] == p)
			return i;
	return -1;
}

/*
 * A loop: within one event, a profile's hook switches to another whose
 * hook for the same event switches on, and the chain comes back to a
 * profile it left (or a hook switches to its own profile).  Each loop is
 * said once, at the hook of the first of its profiles in the set.
 */
static void
check_loop(struct config *cfg, int start, enum hook_event e, bool all_loaded,
    struct diag_list *dl)
{
	const struct profile *p = cfg->profiles[start];
	const struct profile **chain = xcalloc((size_t)cfg->nprofiles + 2,
	    sizeof(*chain));
	const struct profile *at = p, *to;
	int n = 0;

	chain[n++] = p;
	for (;;) {
		const struct hook_action *ha = switch_action(&at->hooks[e]);
		bool back = false;

		if (ha == NULL || (!all_loaded && ha->b.action->effect !=
		    EFFECT_SWITCH))
			break;	/* profile.next: not known from some files */
		to = hook_switch(cfg, at, &at->hooks[e], NULL);
		if (to == NULL || to->controller != p->controller)
			break;	/* said by check_switches */
		for (int i = 0; i < n && !back; i++)
			back = chain[i] == to;
		chain[n++] = to;
		if (!back)
			at = to;
		else {
			char text[512];
			size_t len = 0;
			bool first = to == p;
			/* said at the first profile of the loop only */
			for (int i = 0; i < n - 1 && first; i++)
				first = index_of(cfg, chain[i]) >= start;
			if (!first)
				break;
			text[0] = '\0';
			for (int i = 0; i < n && len < sizeof(text) - 64; i++)
				len += (size_t)snprintf(text + len,
				    sizeof(text) - len, "%s%s", i ? " -> " : "",
				    chain[i]->name);
			if (n == 2)
				diag_error(dl, p->file, p->hooks[e].line, "'%s' "
				    "switches to '%s', the profile itself",
				    hook_event_name(e), p->name);
			else
				diag_error(dl, p->file, p->hooks[e].line, "'%s' "
				    "loops: %s (within one event a chain of "
				    "switches must not come back to a profile "
				    "it left)", hook_event_name(e), text);
			break;
		}
	}
	free(chain);
}

void
hooks_check(struct config *cfg, bool all_loaded, struct diag_list *dl)
{
	for (int e = 0; e < HOOK_NEVENTS; e++)
		for (int i = 0; i < cfg->nprofiles; i++)
			if (cfg->profiles[i]->controller &&
			    cfg->profiles[i]->hooks[e].nactions)
				check_loop(cfg, i, (enum hook_event)e, all_loaded,
				    dl);
}
