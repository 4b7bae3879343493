#include <sys/types.h>

#include <arpa/inet.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osc_msg.h"
#include "util.h"

void
osc_arg_set_number(struct osc_arg *a, char type, double v)
{
	a->type = type;
	switch (type) {
	case 'i': a->v.i = (int32_t)lrint(v); break;
	case 'h': a->v.h = (int64_t)llrint(v); break;
	case 'f': a->v.f = (float)v; break;
	case 'd': a->v.d = v; break;
	case 's': a->v.s = xasprintf("%g", v); break;
	case 'b': a->type = v != 0 ? 'T' : 'F'; break;
	default: break;
	}
}

bool
osc_arg_parse(struct osc_arg *a, char type, const char *text)
{
	long lv;
	double dv;

	a->type = type;
	switch (type) {
	case 'i':
		if (!parse_int(text, INT32_MIN, INT32_MAX, &lv))
			return false;
		a->v.i = (int32_t)lv;
		return true;
	case 'h':
		if (!parse_int(text, LONG_MIN, LONG_MAX, &lv))
			return false;
		a->v.h = lv;
		return true;
	case 'f':
	case 'd':
		if (!parse_double(text, &dv))
			return false;
		osc_arg_set_number(a, type, dv);
		return true;
	case 's':
		a->v.s = xstrdup(text);
		return true;
	case 'T': case 'F': case 'N': case 'I':
		return true;
	default:
		return false;	/* b is only ever b:{value} */
	}
}

/* Argument i of m as it goes out now: per-event parts filled in.  A
 * string may point into sbuf. */
static struct osc_arg
fill_arg(const struct osc_msg *m, int i, double value,
    const struct osc_context *ctx, char *sbuf, size_t slen)
{
	const struct osc_arg *a = &m->args[i];
	struct osc_arg out = *a;

	if (a->is_value || a->range) {
		double v = a->is_value ? value : a->range == 1 ? ctx->start :
		    ctx->end;
		if (a->type == 's') {
			snprintf(sbuf, slen, "%g", v);
			out.v.s = sbuf;
		} else
			osc_arg_set_number(&out, a->type, v);
	} else if (a->type == 's')
		out.v.s = !a->v.s ? "" : a->is_template ?
		    (char *)osc_label(a->v.s, ctx->take, sbuf, slen) : a->v.s;
	return out;
}

static void
add_arg(lo_message lm, const struct osc_arg *a)
{
	switch (a->type) {
	case 'i': lo_message_add_int32(lm, a->v.i); break;
	case 'h': lo_message_add_int64(lm, a->v.h); break;
	case 'f': lo_message_add_float(lm, a->v.f); break;
	case 'd': lo_message_add_double(lm, a->v.d); break;
	case 's': lo_message_add_string(lm, a->v.s); break;
	case 'T': lo_message_add_true(lm); break;
	case 'F': lo_message_add_false(lm); break;
	case 'N': lo_message_add_nil(lm); break;
	case 'I': lo_message_add_infinitum(lm); break;
	default: break;
	}
}

static int
format_arg(char *buf, size_t len, const struct osc_arg *a)
{
	switch (a->type) {
	case 'i': return snprintf(buf, len, " %d", a->v.i);
	case 'h': return snprintf(buf, len, " %lld", (long long)a->v.h);
	case 'f': return snprintf(buf, len, " %g", a->v.f);
	case 'd': return snprintf(buf, len, " %.10g", a->v.d);
	case 's': return snprintf(buf, len, " \"%s\"", a->v.s);
	default: return snprintf(buf, len, " %c", a->type);
	}
}

static const struct osc_context no_context;

lo_message
osc_msg_build(const struct osc_msg *m, double value,
    const struct osc_context *ctx)
{
	lo_message lm = lo_message_new();

	if (lm == NULL)
		return NULL;
	for (int i = 0; i < m->nargs; i++) {
		char sbuf[256];
		struct osc_arg a = fill_arg(m, i, value, ctx ? ctx : &no_context,
		    sbuf, sizeof(sbuf));
		add_arg(lm, &a);
	}
	return lm;
}

/* OSC's padding: a string's bytes, its NUL, zeros to a multiple of 4. */
static bool
put_string(char *buf, size_t len, size_t *n, const char *s)
{
	size_t l = strlen(s), padded = (l + 4) & ~(size_t)3;

	if (padded > len - *n)
		return false;
	memcpy(buf + *n, s, l);
	memset(buf + *n + l, 0, padded - l);
	*n += padded;
	return true;
}

static bool
put_bytes(char *buf, size_t len, size_t *n, const void *p, size_t size)
{
	if (size > len - *n)
		return false;
	memcpy(buf + *n, p, size);
	*n += size;
	return true;
}

static bool
put_u32(char *buf, size_t len, size_t *n, uint32_t v)
{
	v = htonl(v);
	return put_bytes(buf, len, n, &v, sizeof(v));
}

static bool
put_u64(char *buf, size_t len, size_t *n, uint64_t v)
{
	return put_u32(buf, len, n, (uint32_t)(v >> 32)) &&
	    put_u32(buf, len, n, (uint32_t)v);
}

size_t
osc_msg_write(const struct osc_msg *m, const char *address, double value,
    const struct osc_context *ctx, char *buf, size_t len)
{
	char types[OSC_MAX_ARGS + 2];
	size_t n = 0;
	int nt = 0;

	if (!ctx)
		ctx = &no_context;
	if (m->nargs > OSC_MAX_ARGS || !put_string(buf, len, &n, address))
		return 0;
	types[nt++] = ',';
	for (int i = 0; i < m->nargs; i++) {
		/* b turns into T or F with the value: fill in the type too */
		char sbuf[256];
		struct osc_arg a = fill_arg(m, i, value, ctx, sbuf, sizeof(sbuf));
		types[nt++] = a.type;
	}
	types[nt] = '\0';
	if (!put_string(buf, len, &n, types))
		return 0;
	for (int i = 0; i < m->nargs; i++) {
		char sbuf[256];
		struct osc_arg a = fill_arg(m, i, value, ctx, sbuf, sizeof(sbuf));
		uint32_t u32;
		uint64_t u64;
		bool ok = true;
		switch (a.type) {
		case 'i': ok = put_u32(buf, len, &n, (uint32_t)a.v.i); break;
		case 'h': ok = put_u64(buf, len, &n, (uint64_t)a.v.h); break;
		case 'f':
			memcpy(&u32, &a.v.f, sizeof(u32));
			ok = put_u32(buf, len, &n, u32);
			break;
		case 'd':
			memcpy(&u64, &a.v.d, sizeof(u64));
			ok = put_u64(buf, len, &n, u64);
			break;
		case 's': ok = put_string(buf, len, &n, a.v.s); break;
		default: break;	/* T F N I: the type says it all */
		}
		if (!ok)
			return 0;
	}
	return n;
}

const char *
osc_msg_format(const struct osc_msg *m, double value,
    const struct osc_context *ctx, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < m->nargs && n < len; i++) {
		char sbuf[256];
		struct osc_arg a = fill_arg(m, i, value, ctx ? ctx : &no_context,
		    sbuf, sizeof(sbuf));
		int w = format_arg(buf + n, len - n, &a);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return buf;
}

void
osc_msg_free(struct osc_msg *m)
{
	for (int j = 0; j < m->nargs; j++)
		if (m->args[j].type == 's')
			free(m->args[j].v.s);
	free(m->args);		/* the address is in the same block */
}

const char *
osc_label(const char *tmpl, int take, char *buf, size_t len)
{
	size_t n = 0;

	if (strstr(tmpl, "{take}") == NULL)
		return tmpl;
	for (const char *p = tmpl; *p && n + 1 < len;) {
		if (strncmp(p, "{take}", 6) == 0) {
			int w = snprintf(buf + n, len - n, "%d", take);
			n += w > 0 ? (size_t)w : 0;
			p += 6;
		} else
			buf[n++] = *p++;
	}
	buf[n < len ? n : len - 1] = '\0';
	return buf;
}

/* liblo's argument pointers are only 4-byte aligned: copy, never
 * dereference the lo_arg union. */
bool
osc_arg_number(char type, const lo_arg *arg, double *out)
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

/* ---- reading a received message in place ---- */

/* The length of a padded OSC string at p (NUL and padding included), or
 * 0 when it does not end inside end. */
static size_t
padded_len(const char *p, const char *end)
{
	const char *nul = memchr(p, '\0', (size_t)(end - p));

	if (nul == NULL)
		return 0;
	return ((size_t)(nul - p) / 4 + 1) * 4;
}

static void
swap32(char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	v = ntohl(v);
	memcpy(p, &v, 4);
}

static void
swap64(char *p)
{
	uint32_t hi, lo;
	uint64_t v;

	memcpy(&hi, p, 4);
	memcpy(&lo, p + 4, 4);
	v = (uint64_t)ntohl(hi) << 32 | ntohl(lo);
	memcpy(p, &v, 8);
}

/* The size of an argument of type at p, or -1 when it does not fit
 * before end or the type is unknown. */
static ssize_t
arg_size(char type, const char *p, const char *end)
{
	size_t left = (size_t)(end - p), n;
	uint32_t blob;

	switch (type) {
	case 'i': case 'f': case 'c': case 'r': case 'm':
		return left >= 4 ? 4 : -1;
	case 'h': case 'd': case 't':
		return left >= 8 ? 8 : -1;
	case 's': case 'S':
		return left && (n = padded_len(p, end)) && n <= left ?
		    (ssize_t)n : -1;
	case 'b':
		if (left < 4)
			return -1;
		memcpy(&blob, p, 4);
		blob = ntohl(blob);
		if (blob > left - 4)
			return -1;
		n = 4 + ((size_t)blob + 3) / 4 * 4;
		return n <= left ? (ssize_t)n : -1;
	case 'T': case 'F': case 'N': case 'I':
		return 0;
	default:
		return -1;
	}
}

int
osc_msg_read(char *data, size_t len, struct osc_in *in, lo_arg **argv,
    int max)
{
	const char *end = data + len;
	char *p = data;
	size_t n;

	if (len == 0 || len % 4 != 0 || data[0] != '/' ||
	    (n = padded_len(p, end)) == 0 || n > len)
		return -1;
	in->path = p;
	p += n;
	if (p >= end || *p != ',' || (n = padded_len(p, end)) == 0 ||
	    n > (size_t)(end - p))
		return -1;
	in->types = p + 1;
	p += n;
	in->argc = 0;
	in->argv = argv;
	for (const char *t = in->types; *t; t++) {
		ssize_t size = arg_size(*t, p, end);
		if (size < 0 || in->argc == max)
			return -1;
		switch (*t) {
		case 'i': case 'f': case 'c': case 'r': case 'm': case 'b':
			swap32(p);	/* a blob: its length */
			break;
		case 'h': case 'd':
			swap64(p);
			break;
		case 't':		/* seconds, fraction */
			swap32(p);
			swap32(p + 4);
			break;
		default:
			break;
		}
		argv[in->argc++] = (lo_arg *)p;
		p += size;
	}
	return p == end ? 0 : -1;
}
