#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "feedback.h"

/* liblo's argument pointers are only 4-byte aligned: copy, never
 * dereference the lo_arg union. */
bool
feedback_arg_number(char type, const lo_arg *arg, double *out)
{
	int32_t i;
	int64_t h;
	float f;
	double d;

	switch (type) {
	case 'i': memcpy(&i, arg, sizeof(i)); *out = i; return true;
	case 'h': memcpy(&h, arg, sizeof(h)); *out = (double)h; return true;
	case 'f': memcpy(&f, arg, sizeof(f)); *out = f; return !isnan(f);
	case 'd': memcpy(&d, arg, sizeof(d)); *out = d; return !isnan(d);
	case 'T': *out = 1; return true;
	case 'F': *out = 0; return true;
	default: return false;
	}
}

static bool
arg_int(char type, const lo_arg *arg, int *out)
{
	double v;

	if (!feedback_arg_number(type, arg, &v) || v != floor(v) || v < -1e6 ||
	    v > 1e6)
		return false;
	*out = (int)v;
	return true;
}

/* "/strip/{track}/gain" against "/strip/3/gain". */
static bool
match_address(const char *tmpl, const char *path, struct feedback_match *m)
{
	while (*tmpl && *path) {
		if (*tmpl == '{') {
			const char *end = strchr(tmpl, '}');
			long n = 0;
			int digits = 0;
			if (end == NULL)
				return false;
			while (isdigit((unsigned char)*path) && digits < 6)
				n = n * 10 + (*path++ - '0'), digits++;
			if (digits == 0)
				return false;
			if (strncmp(tmpl, "{track}", 7) == 0)
				m->track = (int)n;
			else if (strncmp(tmpl, "{track0}", 8) == 0)
				m->track = (int)n + 1;
			else if (strncmp(tmpl, "{marker}", 8) == 0)
				m->marker = (int)n;
			else if (strncmp(tmpl, "{plugin}", 8) == 0)
				m->plugin = (int)n;
			else if (strncmp(tmpl, "{plugin0}", 9) == 0)
				m->plugin = (int)n + 1;
			tmpl = end + 1;
			continue;
		}
		if (*tmpl++ != *path++)
			return false;
	}
	return *tmpl == '\0' && *path == '\0';
}

static bool
match_args(const struct msg_template *t, const char *types, lo_arg **argv,
    int argc, struct feedback_match *m)
{
	bool value_slot = false;
	int i;

	for (i = 0; i < t->nargs; i++)
		value_slot |= t->args[i].source == ARG_VALUE;
	if (!(argc == t->nargs || (argc == t->nargs + 1 && !value_slot)))
		return false;
	for (i = 0; i < t->nargs; i++) {
		const struct arg_template *a = &t->args[i];
		double v, c;
		switch (a->source) {
		case ARG_CONST:
			if (a->type == 's') {
				if (types[i] != 's' ||
				    strcmp((const char *)argv[i], a->text) != 0)
					return false;
			} else if (a->text == NULL) {	/* T F N I */
				if (types[i] != a->type)
					return false;
			} else if (!feedback_arg_number(types[i], argv[i], &v) ||
			    (c = strtod(a->text, NULL), fabs(v - c) > 1e-6))
				return false;
			break;
		case ARG_TRACK:
			if (!arg_int(types[i], argv[i], &m->track))
				return false;
			break;
		case ARG_TRACK0:
			if (!arg_int(types[i], argv[i], &m->track))
				return false;
			m->track++;
			break;
		case ARG_MARKER:
			if (!arg_int(types[i], argv[i], &m->marker))
				return false;
			break;
		case ARG_PLUGIN:
			if (!arg_int(types[i], argv[i], &m->plugin))
				return false;
			break;
		case ARG_PLUGIN0:
			if (!arg_int(types[i], argv[i], &m->plugin))
				return false;
			m->plugin++;
			break;
		case ARG_LABEL:
			if (types[i] != 's')
				return false;
			break;
		case ARG_START:
		case ARG_END:
			if (!feedback_arg_number(types[i], argv[i], &v))
				return false;
			break;
		case ARG_VALUE:
			if (!feedback_arg_number(types[i], argv[i], &m->value))
				return false;
			m->has_value = true;
			break;
		}
	}
	if (argc == t->nargs + 1) {
		if (!feedback_arg_number(types[i], argv[i], &m->value))
			return false;
		m->has_value = true;
	}
	return true;
}

static int
match_table(const struct dialect *d, const struct dialect_action *table,
    const char *path, const char *types, lo_arg **argv, int argc,
    struct feedback_match *m)
{
	for (int i = 0; i < action_count(); i++) {
		const struct dialect_action *da = &table[i];
		const struct action_def *a = action_at(i);

		/* "none" in [feedback]: nothing the DAW says is a report */
		if (!da->defined || da->unsupported || d->reports[i].unreported ||
		    a->internal || da->msg.address == NULL)
			continue;
		/* one message, or ON | OFF: which of the two matched is the
		 * value */
		for (int off = 0; off < 2; off++) {
			const struct msg_template *t = off ? &da->msg_off : &da->msg;
			if (t->address == NULL)
				break;
			memset(m, 0, sizeof(*m));
			if (!match_address(t->address, path, m) ||
			    !match_args(t, types ? types : "", argv, argc, m))
				continue;
			m->action = a;
			if (da->msg_off.address) {
				m->value = !off;
				m->has_value = true;
			}
			return 1;
		}
	}
	return 0;
}

double
feedback_meter_db(const struct dialect *d, double v)
{
	if (d->meter_max <= 0)
		return v;	/* reported in dB */
	if (v <= 0)
		return -INFINITY;
	if (v > d->meter_max)
		v = d->meter_max;
	return d->meter_low + v / d->meter_max * (d->meter_high - d->meter_low);
}

int
feedback_match(const struct dialect *d, const char *path, const char *types,
    lo_arg **argv, int argc, struct feedback_match *m)
{
	/* where the DAW reports, then where it takes commands (most DAWs
	 * report on the command's own address) */
	if (!match_table(d, d->reports, path, types, argv, argc, m) &&
	    !match_table(d, d->actions, path, types, argv, argc, m))
		return 0;
	/* a meter on the DAW's own scale, in dB like every meter here */
	if (m->action->display && m->action->unit == UNIT_DB && m->has_value)
		m->value = feedback_meter_db(d, m->value);
	return 1;
}

static int
walk(const char *data, size_t len, int depth,
    void (*fn)(void *ctx, const char *path, lo_message msg), void *ctx)
{
	int count = 0;

	if (depth > 8)
		return -1;
	if (len >= 16 && memcmp(data, "#bundle", 8) == 0) {
		size_t pos = 16;	/* "#bundle\0" and the time tag */
		while (pos + 4 <= len) {
			uint32_t n;
			int c;
			memcpy(&n, data + pos, 4);
			n = ntohl(n);
			pos += 4;
			if (n > len - pos || n % 4 != 0)
				return -1;
			if ((c = walk(data + pos, n, depth + 1, fn, ctx)) < 0)
				return -1;
			count += c;
			pos += n;
		}
		return pos == len ? count : -1;
	}
	{
		int result = 0;
		const char *path = lo_get_path((void *)data, (ssize_t)len);
		lo_message m;

		if (path == NULL || path[0] != '/' ||
		    (m = lo_message_deserialise((void *)data, len, &result)) == NULL)
			return -1;
		fn(ctx, path, m);
		lo_message_free(m);
		return 1;
	}
}

int
feedback_walk(const void *data, size_t len,
    void (*fn)(void *ctx, const char *path, lo_message msg), void *ctx)
{
	return walk(data, len, 0, fn, ctx);
}
