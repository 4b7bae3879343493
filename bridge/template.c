#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

static const struct placeholder {
	const char *name;
	uint8_t source;
	unsigned param;		/* what the action must take to use it */
	bool in_address;	/* may stand in an address */
	const char *what;	/* in "takes no track" */
} placeholders[] = {
	{ "{track}", ARG_TRACK, PARAM_TRACK, true, "track" },
	{ "{track0}", ARG_TRACK0, PARAM_TRACK, true, "track" },
	{ "{marker}", ARG_MARKER, PARAM_MARKER, true, "marker" },
	{ "{plugin}", ARG_PLUGIN, PARAM_PLUGIN, true, "plugin" },
	{ "{plugin0}", ARG_PLUGIN0, PARAM_PLUGIN, true, "plugin" },
	{ "{label}", ARG_LABEL, PARAM_LABEL, false, "label" },
	{ "{label?}", ARG_LABEL, PARAM_LABEL, false, "label" },
	{ "{start}", ARG_START, PARAM_RANGE, false, NULL },
	{ "{end}", ARG_END, PARAM_RANGE, false, NULL },
	{ "{value}", ARG_VALUE, 0, false, NULL },
};
#define NPLACEHOLDERS (sizeof(placeholders) / sizeof(*placeholders))

/* The address placeholder s starts with, or NULL. */
static const struct placeholder *
address_placeholder(const char *s)
{
	for (size_t i = 0; i < NPLACEHOLDERS; i++)
		if (placeholders[i].in_address && strncmp(s, placeholders[i].name,
		    strlen(placeholders[i].name)) == 0)
			return &placeholders[i];
	return NULL;
}

/* The argument placeholder s is, or NULL. */
static const struct placeholder *
arg_placeholder(const char *s)
{
	for (size_t i = 0; i < NPLACEHOLDERS; i++)
		if (strcmp(s, placeholders[i].name) == 0)
			return &placeholders[i];
	return NULL;
}

/* A slot's number as the template writes it (0-based for {track0}). */
static int
slot_get(uint8_t source, const struct template_slots *s)
{
	switch (source) {
	case ARG_TRACK: return s->track;
	case ARG_TRACK0: return s->track - 1;
	case ARG_MARKER: return s->marker;
	case ARG_PLUGIN: return s->plugin;
	case ARG_PLUGIN0: return s->plugin - 1;
	default: return 0;
	}
}

static void
slot_set(uint8_t source, struct template_slots *s, int n)
{
	switch (source) {
	case ARG_TRACK: s->track = n; break;
	case ARG_TRACK0: s->track = n + 1; break;
	case ARG_MARKER: s->marker = n; break;
	case ARG_PLUGIN: s->plugin = n; break;
	case ARG_PLUGIN0: s->plugin = n + 1; break;
	default: break;
	}
}

/* ---- parse ---- */

static bool
parse_address(const struct action_def *a, const char *addr,
    struct diag_list *dl, const char *file, int line)
{
	for (const char *p = strchr(addr, '{'); p; p = strchr(p + 1, '{')) {
		const struct placeholder *ph = address_placeholder(p);
		if (ph == NULL) {
			diag_error(dl, file, line,
			    "unknown placeholder in address '%s' (expected "
			    "{track}, {track0}, {marker}, {plugin} or {plugin0})",
			    addr);
			return false;
		}
		if (!(a->params & ph->param)) {
			diag_error(dl, file, line, "'%s' takes no %s, so its "
			    "address cannot use {%s}", a->name, ph->what, ph->what);
			return false;
		}
	}
	return true;
}

/* One argument, "i:{track}" or "f:0.5" or T; false with a diagnostic. */
static bool
parse_arg(const struct action_def *a, const char *s, struct arg_template *arg,
    struct diag_list *dl, const char *file, int line)
{
	const struct placeholder *ph;
	const char *spec;

	arg->source = ARG_CONST;
	if (strlen(s) == 1 && strchr("TFNI", s[0])) {
		arg->type = arg->value.type = s[0];
		return true;
	}
	if (strlen(s) < 2 || s[1] != ':' || !strchr("ifdhsb", s[0])) {
		diag_error(dl, file, line,
		    "argument '%s' should be TYPE:VALUE with TYPE one of "
		    "i f d h s b, or T F N I alone", s);
		return false;
	}
	arg->type = s[0];
	spec = s + 2;
	if ((ph = arg_placeholder(spec)) == NULL && spec[0] == '{') {
		diag_error(dl, file, line,
		    "unknown placeholder '%s' (expected {value}, "
		    "{track}, {track0}, {marker}, {plugin}, {plugin0}, "
		    "{label}, {start} or {end})", spec);
		return false;
	}
	if (ph == NULL) {
		/* read once, here: sent and matched as this value */
		if (!osc_arg_parse(&arg->value, arg->type, spec)) {
			diag_error(dl, file, line,
			    "'%s' is not a valid %c argument (%s)", s, arg->type,
			    arg->type == 'i' ? "i wants a 32-bit integer" :
			    arg->type == 'h' ? "h wants a 64-bit integer" :
			    arg->type == 'b' ? "b is only b:{value}, sent "
			    "as T or F" : "f and d want a number");
			return false;
		}
		arg->text = xstrdup(spec);
		return true;
	}
	arg->source = ph->source;
	/* {label?}: argument left out when no label */
	arg->optional = strchr(ph->name, '?') != NULL;
	if (ph->param && !(a->params & ph->param)) {
		if (ph->param == PARAM_RANGE)
			diag_error(dl, file, line, "'%s' has no range, so it "
			    "cannot send '%s' (only loop.section does)", a->name, s);
		else
			diag_error(dl, file, line, "'%s' takes no %s, so it "
			    "cannot send '%s'", a->name, ph->what, s);
		return false;
	}
	if (arg->source == ARG_LABEL && arg->type != 's') {
		diag_error(dl, file, line,
		    "{label} is text: write it as s:{label}");
		return false;
	}
	return true;
}

bool
template_parse(const struct action_def *a, const char *text,
    struct msg_template *t, struct diag_list *dl, const char *file, int line)
{
	char tok[TOKEN_MAX][TOKEN_LEN];
	const char *err;
	int ntok;

	if ((ntok = tokenize(text, tok, TOKEN_MAX, &err)) < 0) {
		diag_error(dl, file, line, "%s in '%s'", err, text);
		return false;
	}
	if (ntok == 0 || tok[0][0] != '/') {
		diag_error(dl, file, line,
		    "'%s' needs an OSC address starting with '/' or the word "
		    "'unsupported'", a->name);
		return false;
	}
	if (!parse_address(a, tok[0], dl, file, line))
		return false;
	t->address = xstrdup(tok[0]);
	t->args = xcalloc((size_t)ntok, sizeof(*t->args));
	for (int i = 1; i < ntok; i++) {
		if (!parse_arg(a, tok[i], &t->args[t->nargs], dl, file, line))
			return false;
		t->nargs++;
	}
	return true;
}

void
template_free(struct msg_template *t)
{
	for (int i = 0; i < t->nargs; i++) {
		free(t->args[i].text);
		if (t->args[i].source == ARG_CONST && t->args[i].value.type == 's')
			free(t->args[i].value.v.s);
	}
	free(t->args);
	free(t->address);
}

bool
template_takes_value(const struct msg_template *t)
{
	for (int i = 0; i < t->nargs; i++)
		if (t->args[i].source == ARG_VALUE)
			return true;
	return false;
}

bool
template_is_constant(const struct msg_template *t)
{
	for (int i = 0; i < t->nargs; i++)
		if (t->args[i].source != ARG_CONST)
			return false;
	return true;
}

/* ---- expand ---- */

#define ADDRESS_MAX 512

/* The address with its slots filled in, into out; its length. */
static size_t
expand_address(const char *tmpl, const struct template_slots *s,
    char out[ADDRESS_MAX])
{
	size_t n = 0;

	for (const char *p = tmpl; *p && n < ADDRESS_MAX - 16;) {
		const struct placeholder *ph = *p == '{' ?
		    address_placeholder(p) : NULL;
		if (ph) {
			int w = snprintf(out + n, ADDRESS_MAX - n, "%d",
			    slot_get(ph->source, s));
			n += w > 0 ? (size_t)w : 0;
			p += strlen(ph->name);
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
	return n;
}

void
template_expand(const struct msg_template *t,
    const struct template_slots *slots, const char *label, struct osc_msg *out)
{
	char address[ADDRESS_MAX];
	size_t len = expand_address(t->address, slots, address);
	size_t args_size = (size_t)t->nargs * sizeof(*out->args);

	/* one block: the arguments, then the address (a binding's message
	 * is built once and kept; one allocation where there were two) */
	out->args = xcalloc(1, args_size + len + 1);
	out->address = (char *)out->args + args_size;
	memcpy(out->address, address, len + 1);
	for (int i = 0; i < t->nargs; i++) {
		const struct arg_template *at = &t->args[i];
		struct osc_arg *a = &out->args[out->nargs];

		a->type = at->type;
		switch (at->source) {
		case ARG_VALUE:
			a->is_value = true;
			if (!out->has_value)
				out->value_arg = out->nargs;
			out->has_value = true;
			break;
		case ARG_TRACK:
		case ARG_TRACK0:
		case ARG_MARKER:
		case ARG_PLUGIN:
		case ARG_PLUGIN0:
			osc_arg_set_number(a, at->type, slot_get(at->source, slots));
			break;
		case ARG_START:
		case ARG_END:
			a->range = at->source == ARG_START ? 1 : 2;
			break;
		case ARG_LABEL:
			if (at->optional && (label == NULL || !*label))
				continue;
			a->v.s = xstrdup(label ? label : "");
			a->is_template = strstr(a->v.s, "{take}") != NULL;
			break;
		case ARG_CONST:
			*a = at->value;
			if (a->type == 's')
				a->v.s = xstrdup(at->value.v.s);
			break;
		}
		out->nargs++;
	}
}

/* ---- match ---- */

/* "/strip/{track}/gain" against "/strip/3/gain". */
static bool
match_address(const char *tmpl, const char *path, struct template_slots *s)
{
	while (*tmpl && *path) {
		const struct placeholder *ph = *tmpl == '{' ?
		    address_placeholder(tmpl) : NULL;
		if (ph) {
			long n = 0;
			int digits = 0;
			while (isdigit((unsigned char)*path) && digits < 6)
				n = n * 10 + (*path++ - '0'), digits++;
			if (digits == 0)
				return false;
			slot_set(ph->source, s, (int)n);
			tmpl += strlen(ph->name);
			continue;
		}
		if (*tmpl++ != *path++)
			return false;
	}
	return *tmpl == '\0' && *path == '\0';
}

static bool
arg_int(char type, const lo_arg *arg, int *out)
{
	double v;

	if (!osc_arg_number(type, arg, &v) || v != floor(v) || v < -1e6 ||
	    v > 1e6)
		return false;
	*out = (int)v;
	return true;
}

static bool
match_constant(const struct arg_template *a, char type, const lo_arg *arg)
{
	double v;

	double c;

	switch (a->value.type) {
	case 's':
		return type == 's' && strcmp((const char *)arg, a->value.v.s) == 0;
	case 'i': c = a->value.v.i; break;
	case 'h': c = (double)a->value.v.h; break;
	case 'f': c = a->value.v.f; break;
	case 'd': c = a->value.v.d; break;
	default:	/* T F N I */
		return type == a->type;
	}
	return osc_arg_number(type, arg, &v) && fabs(v - c) <= 1e-6;
}

static bool
match_arg(const struct arg_template *a, char type, const lo_arg *arg,
    struct template_slots *s, double *value, bool *has_value)
{
	double v;
	int n;

	switch (a->source) {
	case ARG_CONST:
		return match_constant(a, type, arg);
	case ARG_TRACK:
	case ARG_TRACK0:
	case ARG_MARKER:
	case ARG_PLUGIN:
	case ARG_PLUGIN0:
		if (!arg_int(type, arg, &n))
			return false;
		slot_set(a->source, s, n);
		return true;
	case ARG_LABEL:
		return type == 's';
	case ARG_START:
	case ARG_END:
		return osc_arg_number(type, arg, &v);
	case ARG_VALUE:
		if (!osc_arg_number(type, arg, value))
			return false;
		*has_value = true;
		return true;
	}
	return false;
}

bool
template_match(const struct msg_template *t, const char *path,
    const char *types, lo_arg **argv, int argc, struct template_slots *slots,
    double *value, bool *has_value)
{
	bool value_slot = template_takes_value(t);
	int i;

	if (!match_address(t->address, path, slots))
		return false;
	if (!(argc == t->nargs || (argc == t->nargs + 1 && !value_slot)))
		return false;
	for (i = 0; i < t->nargs; i++)
		if (!match_arg(&t->args[i], types[i], argv[i], slots, value,
		    has_value))
			return false;
	if (argc == t->nargs + 1) {
		if (!osc_arg_number(types[i], argv[i], value))
			return false;
		*has_value = true;
	}
	return true;
}
