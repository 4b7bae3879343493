/*
 * OSC arguments, in one place: a constant's text read into a typed value
 * (when a dialect is compiled), a number written as an argument of a
 * given type (at compile time and per event), a compiled message filled
 * in and built as a lo_message for the sender, the same filled-in
 * arguments written as text for the debug trace, and a received argument
 * read back as a number (feedback), and a received message read in place.
 */
#ifndef CTLBRIDGE_OSC_MSG_H
#define CTLBRIDGE_OSC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lo/lo.h>

/* One precompiled OSC argument: constant, or the per-event value, or a
 * label with {take} filled in per event. */
struct osc_arg {
	char type;		/* i h f d s T F N I, or b (T/F from a number) */
	bool is_value;
	bool is_template;	/* v.s holds "TAKE {take} keep" */
	uint8_t range;		/* per event: 1 the range's start, 2 its end */
	union {
		int32_t i;
		int64_t h;
		float f;
		double d;
		char *s;
	} v;
};

struct osc_msg {
	char *address;		/* fully expanded */
	struct osc_arg *args;
	int nargs;
	bool has_value;		/* an argument carries the per-event value */
	int value_arg;		/* with has_value: the first such argument */
};

/* What a message takes at the moment it is sent, besides the value. */
struct osc_context {
	int take;		/* the take counter, for {take} in labels */
	double start, end;	/* loop.section's range, for {start} {end} */
};

/* a->type set, a->v from v (b: the type becomes T or F). */
void osc_arg_set_number(struct osc_arg *a, char type, double v);
/* a->type set, a->v from a constant as written ("3", "-inf", "text");
 * T F N I take no text.  false if the text does not fit the type. */
bool osc_arg_parse(struct osc_arg *a, char type, const char *text);

/* Build m filled in with value and ctx (NULL: none); the caller frees the
 * result with lo_message_free(). */
lo_message osc_msg_build(const struct osc_msg *m, double value,
    const struct osc_context *ctx);
/* The most arguments osc_msg_write() writes. */
#define OSC_MAX_ARGS 64
/* The same message serialised into buf as one OSC packet, byte for byte
 * what liblo's lo_message_serialise writes, without allocating: its
 * size, or 0 when it does not fit in len bytes. */
size_t osc_msg_write(const struct osc_msg *m, const char *address,
    double value, const struct osc_context *ctx, char *buf, size_t len);
/* The same arguments as text, " 3 0.5 \"TAKE 4\" T", into buf. */
const char *osc_msg_format(const struct osc_msg *m, double value,
    const struct osc_context *ctx, char *buf, size_t len);
void osc_msg_free(struct osc_msg *m);

/* A label with {take} replaced by the number; returns buf (or tmpl when
 * it has no {take}). */
const char *osc_label(const char *tmpl, int take, char *buf, size_t len);

/* A received OSC message, read in place: the strings and numbers its
 * argv points at lie in the packet (numbers in host order, 4-byte
 * aligned: read them with osc_arg_number). */
struct osc_in {
	const char *path;
	const char *types;
	lo_arg **argv;
	int argc;
};

/* Read the message in data (len bytes; its numbers are turned to host
 * order in place), with room for max arguments in argv; allocates
 * nothing.  0, or -1 when it is malformed or has more arguments. */
int osc_msg_read(char *data, size_t len, struct osc_in *in, lo_arg **argv,
    int max);

/* A received argument of any numeric type (i h f d, T F) as a double;
 * false for other types and NaN. */
bool osc_arg_number(char type, const lo_arg *arg, double *out);

#endif
