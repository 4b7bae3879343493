/* Loads controller definitions: mappings/controllers/NAME.ini. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "ini_read.h"
#include "util.h"

struct kind_info {
	const char *word;
	enum control_kind kind;
	bool has_number;
	long number_max;
	int32_t value_max;
	enum control_mode mode;
};

static const struct kind_info kinds[] = {
	{ "cc", CONTROL_CC, true, 127, 127, MODE_ABSOLUTE },
	{ "cc14", CONTROL_CC14, true, 31, 16383, MODE_ABSOLUTE },
	{ "nrpn", CONTROL_NRPN, true, 16383, 16383, MODE_ABSOLUTE },
	{ "rpn", CONTROL_RPN, true, 16383, 16383, MODE_ABSOLUTE },
	{ "note", CONTROL_NOTE, true, 127, 127, MODE_BUTTON },
	{ "pitchbend", CONTROL_PITCH_BEND, false, 0, 16383, MODE_ABSOLUTE },
	{ "aftertouch", CONTROL_CHANNEL_AFTERTOUCH, false, 0, 127, MODE_ABSOLUTE },
	{ "polyaftertouch", CONTROL_POLY_AFTERTOUCH, true, 127, 127, MODE_ABSOLUTE },
	{ "program", CONTROL_PROGRAM, true, 127, 127, MODE_BUTTON },
};

/*
 * The controls loaded so far, hashed by name and by MIDI message, so that
 * each new control is checked against the others in constant time: a
 * controller may define tens of thousands (nrpn 0..16383), and a check
 * against every earlier one made loading quadratic (seconds, during which
 * a reloading daemon stood still).  Open addressing; slots hold a control
 * index + 1, 0 is empty.
 */
struct ctl_hash {
	uint32_t *slots;
	size_t size;		/* a power of two */
	size_t used;
};

struct ctl_loader {
	struct controller *c;
	const char *path;
	struct diag_list *dl;
	int default_channel;	/* 0-based */
	int cap;
	bool seen_controller;
	struct pending_lines controls;	/* read after [controller]'s channel */
	struct pending_lines layout;	/* read after every control */
	int section_line;
	struct ctl_hash names;		/* by name */
	struct ctl_hash messages;	/* by kind, channel and number */
};

static uint32_t
hash_name(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static uint32_t
message_key(int kind, int channel, int number)
{
	return (uint32_t)kind << 20 | (uint32_t)channel << 14 | (uint32_t)number;
}

static uint32_t
hash_message(uint32_t key)
{
	key ^= key >> 16;
	key *= 0x7feb352du;
	key ^= key >> 15;
	return key;
}

static uint32_t hash_of(const struct ctl_loader *L, const struct ctl_hash *h,
    uint32_t i);

/* The index of the control at the end of key's probe sequence, -1 if none:
 * same() says whether a control matches the key. */
static int
ctl_hash_find(const struct ctl_hash *h, uint32_t hash,
    bool (*same)(const struct control *, const void *), const void *key,
    const struct controller *c)
{
	if (h->size == 0)
		return -1;
	for (size_t at = hash & (h->size - 1);; at = (at + 1) & (h->size - 1)) {
		uint32_t slot = h->slots[at];
		if (slot == 0)
			return -1;
		if (same(&c->controls[slot - 1], key))
			return (int)slot - 1;
	}
}

static void
ctl_hash_put(struct ctl_loader *L, struct ctl_hash *h, uint32_t hash,
    uint32_t index)
{
	if ((h->used + 1) * 2 > h->size) {
		struct ctl_hash grown = { .size = h->size ? h->size * 2 : 64 };
		grown.slots = xcalloc(grown.size, sizeof(*grown.slots));
		for (size_t i = 0; i < h->size; i++)
			if (h->slots[i] != 0) {
				size_t at = hash_of(L, h, h->slots[i] - 1) &
				    (grown.size - 1);
				while (grown.slots[at] != 0)
					at = (at + 1) & (grown.size - 1);
				grown.slots[at] = h->slots[i];
			}
		grown.used = h->used;
		free(h->slots);
		*h = grown;
	}
	for (size_t at = hash & (h->size - 1);; at = (at + 1) & (h->size - 1))
		if (h->slots[at] == 0) {
			h->slots[at] = index + 1;
			h->used++;
			return;
		}
}

/* the hash a control was filed under in h */
static uint32_t
hash_of(const struct ctl_loader *L, const struct ctl_hash *h, uint32_t i)
{
	const struct control *ctl = &L->c->controls[i];

	if (h == &L->names)
		return hash_name(ctl->name);
	return hash_message(message_key(ctl->kind, ctl->channel, ctl->number));
}

static bool
same_name(const struct control *ctl, const void *key)
{
	return strcmp(ctl->name, key) == 0;
}

static bool
same_message(const struct control *ctl, const void *key)
{
	return message_key(ctl->kind, ctl->channel, ctl->number) ==
	    *(const uint32_t *)key;
}

/* the one defined first of two controls, either -1 for none */
static int
first_of(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* The control already sending kind/channel/number, -1 if none. */
static int
find_message(const struct ctl_loader *L, int kind, int channel, int number)
{
	uint32_t key = message_key(kind, channel, number);

	if (number < 0)
		return -1;
	return ctl_hash_find(&L->messages, hash_message(key), same_message,
	    &key, L->c);
}

static const struct kind_info *
kind_find(const char *word)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].word, word) == 0)
			return &kinds[i];
	return NULL;
}

static uint32_t
param_key_of(int kind, int channel, int number)
{
	return (uint32_t)kind << 20 | (uint32_t)channel << 14 | (uint32_t)number;
}

static uint16_t *
slot_for(struct controller *c, const struct control *ctl)
{
	switch (ctl->kind) {
	case CONTROL_CC: return &c->by_cc[ctl->channel][ctl->number];
	case CONTROL_CC14: return &c->by_cc14[ctl->channel][ctl->number];
	case CONTROL_NOTE: return &c->by_note[ctl->channel][ctl->number];
	case CONTROL_POLY_AFTERTOUCH: return &c->by_poly[ctl->channel][ctl->number];
	case CONTROL_PITCH_BEND: return &c->by_bend[ctl->channel];
	case CONTROL_CHANNEL_AFTERTOUCH: return &c->by_chanat[ctl->channel];
	case CONTROL_PROGRAM: return &c->by_program[ctl->channel][ctl->number];
	default: return NULL;
	}
}

static const char *
describe(const struct control *ctl, char *buf, size_t len)
{
	const struct kind_info *k = NULL;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == ctl->kind)
			k = &kinds[i];
	if (k && k->has_number)
		snprintf(buf, len, "%s %u on channel %u", k->word, ctl->number,
		    ctl->channel + 1);
	else
		snprintf(buf, len, "%s on channel %u", k ? k->word : "?",
		    ctl->channel + 1);
	return buf;
}

static void
add_control(struct ctl_loader *L, const char *name, const struct kind_info *k,
    long number, int channel, enum control_mode mode,
    enum relative_format rel, int line)
{
	struct controller *c = L->c;
	struct control ctl;
	char desc[64];

	int o_at;

	if ((o_at = ctl_hash_find(&L->names, hash_name(name), same_name, name,
	    c)) >= 0) {
		diag_error(L->dl, L->path, line,
		    "control '%s' is already defined at line %d", name,
		    c->controls[o_at].line);
		return;
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.kind = (uint8_t)k->kind;
	ctl.mode = (uint8_t)mode;
	ctl.relative = (uint8_t)rel;
	ctl.channel = (uint8_t)channel;
	ctl.number = (uint16_t)(k->has_number ? number : 0);
	ctl.max = k->value_max;
	ctl.line = line;
	if ((o_at = find_message(L, ctl.kind, ctl.channel, ctl.number)) >= 0) {
		const struct control *o = &c->controls[o_at];
		diag_error(L->dl, L->path, line,
		    "%s is already control '%s' (line %d)",
		    describe(&ctl, desc, sizeof(desc)), o->name, o->line);
		return;
	}
	/* a 14-bit pair takes its MSB and LSB controllers */
	if (ctl.kind == CONTROL_CC)
		o_at = first_of(find_message(L, CONTROL_CC14, ctl.channel,
		    ctl.number), find_message(L, CONTROL_CC14, ctl.channel,
		    ctl.number - 32));
	else if (ctl.kind == CONTROL_CC14)
		o_at = first_of(find_message(L, CONTROL_CC, ctl.channel,
		    ctl.number), find_message(L, CONTROL_CC, ctl.channel,
		    ctl.number + 32));
	if (o_at >= 0) {
		const struct control *o = &c->controls[o_at];
		unsigned msb = ctl.kind == CONTROL_CC14 ? ctl.number : o->number;
		diag_error(L->dl, L->path, line,
		    "%s overlaps control '%s' (line %d): cc14 %u uses cc %u "
		    "and cc %u", describe(&ctl, desc, sizeof(desc)),
		    o->name, o->line, msb, msb, msb + 32);
		return;
	}
	if (c->ncontrols == L->cap) {
		L->cap = L->cap ? L->cap * 2 : 32;
		c->controls = xrealloc(c->controls, (size_t)L->cap * sizeof(ctl));
	}
	if (c->ncontrols >= CONTROL_NONE - 1) {
		diag_error(L->dl, L->path, line, "too many controls");
		return;
	}
	ctl.name = xstrdup(name);
	c->controls[c->ncontrols] = ctl;
	ctl_hash_put(L, &L->names, hash_name(ctl.name), (uint32_t)c->ncontrols);
	ctl_hash_put(L, &L->messages, hash_message(message_key(ctl.kind,
	    ctl.channel, ctl.number)), (uint32_t)c->ncontrols);
	c->ncontrols++;
}

static bool
parse_relative(const char *s, enum relative_format *rel)
{
	if (strcmp(s, "twos-complement") == 0)
		*rel = REL_TWOS_COMPLEMENT;
	else if (strcmp(s, "sign-magnitude") == 0)
		*rel = REL_SIGN_MAGNITUDE;
	else if (strcmp(s, "binary-offset") == 0)
		*rel = REL_BINARY_OFFSET;
	else
		return false;
	return true;
}

/* One line of [controls], "fader1..8 = cc 0..7 channel=2": what its
 * words say, before it is expanded into controls. */
struct cline {
	struct ctl_loader *L;
	const char *key;
	int line;
	const struct kind_info *k;
	char numbers[TOKEN_LEN];	/* the number (range) as written */
	int nnames, nnums;
	long first_num;
	int channel;
	enum control_mode mode;
	enum relative_format rel;
	int feedback;			/* -1: by mode */
	int on_value, off_value;
	int nleds;
	long first_led;
};

#define cline_error(cl, ...) \
	diag_error((cl)->L->dl, (cl)->L->path, (cl)->line, __VA_ARGS__)

/* "0..7" after the kind; false with a diagnostic. */
static bool
control_numbers(struct cline *cl, const char *text)
{
	const struct kind_info *k = cl->k;

	snprintf(cl->numbers, sizeof(cl->numbers), "%s", text);
	cl->nnums = parse_int_range(text, &cl->first_num);
	if (cl->nnums == 0) {
		cline_error(cl, "%s number '%s' is not a number or a range N..M",
		    k->word, text);
		return false;
	}
	if (cl->nnums < 0) {
		cline_error(cl, "%s number '%s' runs backwards: a range goes "
		    "from low to high (0..7)", k->word, text);
		return false;
	}
	if (cl->first_num < 0 ||
	    cl->first_num + cl->nnums - 1 > k->number_max) {
		cline_error(cl, "%s number '%s' is out of range 0..%ld", k->word,
		    text, k->number_max);
		return false;
	}
	if (k->kind == CONTROL_CC && cl->first_num <= 101 &&
	    cl->first_num + cl->nnums - 1 >= 98) {
		cline_error(cl, "cc 98..101 select NRPN and RPN parameters and "
		    "never reach a control: write 'nrpn N' or 'rpn N'");
		return false;
	}
	return true;
}

/* One word after the kind and number; false with a diagnostic. */
static bool
control_word(struct cline *cl, const char *t)
{
	long v;

	if (strcmp(t, "button") == 0)
		cl->mode = MODE_BUTTON;
	else if (strcmp(t, "feedback") == 0)
		cl->feedback = 1;
	else if (strcmp(t, "nofeedback") == 0)
		cl->feedback = 0;
	else if (strncmp(t, "led=", 4) == 0) {
		cl->nleds = parse_int_range(t + 4, &cl->first_led);
		if (cl->nleds < 0) {
			cline_error(cl, "led '%s' runs backwards: a range goes "
			    "from low to high (0..7)", t + 4);
			return false;
		}
		if (cl->nleds == 0 || cl->first_led < 0 ||
		    cl->first_led + cl->nleds - 1 > cl->k->number_max) {
			cline_error(cl, "led '%s' is out of range 0..%ld", t + 4,
			    cl->k->number_max);
			return false;
		}
	} else if (strncmp(t, "on=", 3) == 0 || strncmp(t, "off=", 4) == 0) {
		const char *val = strchr(t, '=') + 1;
		if (!parse_int(val, 0, 127, &v)) {
			cline_error(cl, "%.*s '%s' is out of range 0..127",
			    (int)(val - t - 1), t, val);
			return false;
		}
		if (t[1] == 'n')
			cl->on_value = (int)v;
		else
			cl->off_value = (int)v;
	} else if (strcmp(t, "absolute") == 0)
		cl->mode = MODE_ABSOLUTE;
	else if (strcmp(t, "relative") == 0)
		cl->mode = MODE_RELATIVE;
	else if (strncmp(t, "relative=", 9) == 0) {
		cl->mode = MODE_RELATIVE;
		if (!parse_relative(t + 9, &cl->rel)) {
			cline_error(cl, "unknown relative format '%s' (expected "
			    "twos-complement, sign-magnitude or binary-offset)",
			    t + 9);
			return false;
		}
	} else if (strncmp(t, "channel=", 8) == 0) {
		if (!parse_int(t + 8, 1, 16, &v)) {
			cline_error(cl, "channel '%s' is out of range 1..16", t + 8);
			return false;
		}
		cl->channel = (int)v - 1;
	} else {
		cline_error(cl, "unknown word '%s' (expected button, absolute, "
		    "relative=FORMAT, channel=N, feedback, nofeedback, on=N, "
		    "off=N or led=N)", t);
		return false;
	}
	return true;
}

/* The kind, its number and the words; false with a diagnostic. */
static bool
read_control_line(struct cline *cl, const char *value)
{
	char tok[TOKEN_MAX][TOKEN_LEN];
	const char *err;
	int ntok, i = 1;

	if ((ntok = tokenize(value, tok, TOKEN_MAX, &err)) < 0) {
		cline_error(cl, "%s in '%s'", err, value);
		return false;
	}
	if (ntok == 0) {
		cline_error(cl, "control '%s' needs a message kind (cc, cc14, "
		    "nrpn, rpn, note, pitchbend, aftertouch, polyaftertouch, "
		    "program)", cl->key);
		return false;
	}
	if ((cl->k = kind_find(tok[0])) == NULL) {
		cline_error(cl, "unknown message kind '%s' (expected cc, cc14, "
		    "nrpn, rpn, note, pitchbend, aftertouch, polyaftertouch, "
		    "program)", tok[0]);
		return false;
	}
	cl->mode = cl->k->mode;
	if (cl->k->has_number) {
		if (ntok < 2) {
			cline_error(cl, "%s needs a number", cl->k->word);
			return false;
		}
		if (!control_numbers(cl, tok[1]))
			return false;
		i = 2;
	}
	for (; i < ntok; i++)
		if (!control_word(cl, tok[i]))
			return false;
	return true;
}

/* The names, numbers and LEDs of the line agree; false with a
 * diagnostic. */
static bool
check_control_counts(struct cline *cl)
{
	const struct kind_info *k = cl->k;
	int nnames = cl->nnames, nnums = cl->nnums;

	if (cl->mode == MODE_RELATIVE && k->kind != CONTROL_CC &&
	    k->kind != CONTROL_NRPN && k->kind != CONTROL_RPN)
		cline_error(cl, "relative applies to cc, nrpn and rpn controls, "
		    "not %s", k->word);
	else if (nnames > 1 && k->has_number && nnums != nnames && nnums != 1)
		cline_error(cl, "'%s' names %d controls but '%s' gives %d "
		    "numbers", cl->key, nnames, cl->numbers, nnums);
	else if (nnames == 1 && nnums > 1)
		cline_error(cl, "'%s' is one control but '%s' gives %d numbers "
		    "(write e.g. %s1..%d)", cl->key, cl->numbers, nnums, cl->key,
		    nnums);
	else if (nnames > 1 && (!k->has_number || nnums == 1))
		cline_error(cl, "'%s' names %d controls but they would all be "
		    "one message", cl->key, nnames);
	else if (cl->nleds > 1 && cl->nleds != nnames)
		cline_error(cl, "'%s' names %d controls but led= gives %d "
		    "numbers", cl->key, nnames, cl->nleds);
	else if (cl->L->c->ncontrols + nnames > CONTROL_NONE - 1)
		cline_error(cl, "too many controls: '%s' would make %d, and a "
		    "controller holds at most %d", cl->key,
		    cl->L->c->ncontrols + nnames, CONTROL_NONE - 1);
	else
		return true;
	return false;
}

static void
control_line(struct ctl_loader *L, const char *key, const char *value, int line)
{
	char prefix[TOKEN_LEN];
	struct cline cl = {
		.L = L, .key = key, .line = line, .nnums = 1,
		.channel = L->default_channel, .rel = REL_TWOS_COMPLEMENT,
		.feedback = -1, .on_value = 127, .off_value = 0,
	};
	long first_name;

	cl.nnames = parse_name_range(key, prefix, sizeof(prefix), &first_name);
	if (cl.nnames < 0) {
		cline_error(&cl, "bad control name range '%s' (write e.g. "
		    "fader1..8)", key);
		return;
	}
	if (!read_control_line(&cl, value) || !check_control_counts(&cl))
		return;
	for (int n = 0; n < cl.nnames; n++) {
		char name[TOKEN_LEN + 32];
		int before = L->c->ncontrols;
		range_name(name, sizeof(name), prefix, first_name, n);
		add_control(L, name, cl.k, cl.first_num + n, cl.channel, cl.mode,
		    cl.rel, line);
		if (L->c->ncontrols > before) {
			struct control *c = &L->c->controls[before];
			/* buttons light their LED; faders and rings only when
			 * they can show a value (motor, LED ring) */
			c->feedback = cl.feedback >= 0 ? cl.feedback :
			    cl.mode == MODE_BUTTON;
			c->on_value = (uint8_t)cl.on_value;
			c->off_value = (uint8_t)cl.off_value;
			/* a device that lights on other numbers than it sends */
			c->led_number = (uint16_t)(cl.nleds == 0 ? c->number :
			    cl.first_led + (cl.nleds > 1 ? n : 0));
		}
	}
}

/* init = F0 42 40 00 01 13 00 ... F7: hex bytes, sent as they are when
 * the controller connects (repeat the key for more). */
static void
parse_init(struct ctl_loader *L, const char *value, int line)
{
	char tok[TOKEN_MAX][TOKEN_LEN];
	const char *err;
	int n = tokenize(value, tok, TOKEN_MAX, &err);

	if (n <= 0) {
		diag_error(L->dl, L->path, line, "init needs MIDI bytes in hex, "
		    "e.g. init = B0 79 00");
		return;
	}
	L->c->init = xrealloc(L->c->init, L->c->init_len + (size_t)n);
	for (int i = 0; i < n; i++) {
		char *end;
		long b = strtol(tok[i], &end, 16);
		if (*end != '\0' || end == tok[i] || b < 0 || b > 255 ||
		    strlen(tok[i]) > 2) {
			diag_error(L->dl, L->path, line, "init byte '%s' is not "
			    "two hex digits", tok[i]);
			return;
		}
		if (i == 0 && b < 0x80) {
			diag_error(L->dl, L->path, line, "init must start with a "
			    "status byte (80..FF), not '%s'", tok[0]);
			return;
		}
		L->c->init[L->c->init_len++] = (uint8_t)b;
	}
}

static void
on_section(void *user, const char *section, int line)
{
	struct ctl_loader *L = user;

	if (strcmp(section, "controller") == 0)
		L->seen_controller = true;
	else if (strcmp(section, "layout") == 0)
		L->c->layout_line = line;
	else if (strcmp(section, "controls") != 0)
		diag_error(L->dl, L->path, line,
		    "unknown section [%s] (expected [controller], [controls] or "
		    "[layout])", section);
}

static void
on_key(void *user, const char *section, const char *key, const char *value,
    int line)
{
	struct ctl_loader *L = user;
	struct controller *c = L->c;
	long ch;

	if (strcmp(section, "controller") == 0) {
		if (strcmp(key, "name") == 0) {
			free(c->title);
			c->title = xstrdup(value);
		} else if (strcmp(key, "port") == 0) {
			if (*value == '\0') {
				diag_error(L->dl, L->path, line,
				    "port pattern is empty");
				return;
			}
			free(c->port_pattern);
			c->port_pattern = xstrdup(value);
		} else if (strcmp(key, "init") == 0) {
			parse_init(L, value, line);
		} else if (strcmp(key, "channel") == 0) {
			if (!parse_int(value, 1, 16, &ch))
				diag_error(L->dl, L->path, line,
				    "channel '%s' is out of range 1..16", value);
			else
				L->default_channel = (int)ch - 1;
		} else
			diag_error(L->dl, L->path, line,
			    "unknown key '%s' in [controller] (expected name, "
			    "port, channel, init)", key);
	} else if (strcmp(section, "controls") == 0)
		pending_add(&L->controls, key, value, line);
	else if (strcmp(section, "layout") == 0)
		pending_add(&L->layout, key, value, line);
	else if (*section == '\0')
		diag_error(L->dl, L->path, line,
		    "key '%s' is outside any section", key);
}

static int
cmp_param(const void *a, const void *b)
{
	const struct param_key *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* qsort has no context argument; loading runs on one thread */
static const struct controller *sorting;

static int
cmp_by_name(const void *a, const void *b)
{
	return strcmp(sorting->controls[*(const uint16_t *)a].name,
	    sorting->controls[*(const uint16_t *)b].name);
}

static void
build_lookup(struct controller *c)
{
	int nparam = 0;

	memset(c->by_cc, 0xFF, sizeof(c->by_cc));
	memset(c->by_note, 0xFF, sizeof(c->by_note));
	memset(c->by_poly, 0xFF, sizeof(c->by_poly));
	memset(c->by_cc14, 0xFF, sizeof(c->by_cc14));
	memset(c->by_bend, 0xFF, sizeof(c->by_bend));
	memset(c->by_chanat, 0xFF, sizeof(c->by_chanat));
	memset(c->by_program, 0xFF, sizeof(c->by_program));
	memset(c->cc14_mask, 0, sizeof(c->cc14_mask));
	for (int i = 0; i < c->ncontrols; i++) {
		const struct control *ctl = &c->controls[i];
		uint16_t *slot = slot_for(c, ctl);
		if (slot)
			*slot = (uint16_t)i;
		else
			nparam++;
		if (ctl->kind == CONTROL_CC14)
			c->cc14_mask[ctl->channel] |= 1u << ctl->number;
	}
	c->by_param = xcalloc((size_t)nparam, sizeof(*c->by_param));
	for (int i = 0; i < c->ncontrols; i++) {
		const struct control *ctl = &c->controls[i];
		if (ctl->kind == CONTROL_NRPN || ctl->kind == CONTROL_RPN) {
			c->by_param[c->nparam].key =
			    param_key_of(ctl->kind, ctl->channel, ctl->number);
			c->by_param[c->nparam++].control = (uint16_t)i;
		}
	}
	qsort(c->by_param, (size_t)c->nparam, sizeof(*c->by_param), cmp_param);
	c->by_name = xcalloc((size_t)(c->ncontrols ? c->ncontrols : 1),
	    sizeof(*c->by_name));
	for (int i = 0; i < c->ncontrols; i++)
		c->by_name[i] = (uint16_t)i;
	sorting = c;
	qsort(c->by_name, (size_t)c->ncontrols, sizeof(*c->by_name),
	    cmp_by_name);
	sorting = NULL;
}

int
controller_control(const struct controller *c, const char *name)
{
	int lo = 0, hi = c->ncontrols - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int cmp = strcmp(c->controls[c->by_name[mid]].name, name);
		if (cmp == 0)
			return c->by_name[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

struct controller *
controller_load(const char *path, const char *name, struct diag_list *dl)
{
	struct ctl_loader L;
	int errors = dl->errors;

	memset(&L, 0, sizeof(L));
	L.c = xcalloc(1, sizeof(*L.c));
	L.c->name = xstrdup(name);
	L.c->file = xstrdup(path);
	L.path = L.c->file;
	L.dl = dl;
	if (ini_read_file(path, on_section, on_key, &L, dl) < 0) {
		controller_free(L.c);
		return NULL;
	}
	for (int i = 0; i < L.controls.count; i++)
		control_line(&L, L.controls.items[i].key,
		    L.controls.items[i].value, L.controls.items[i].line);
	pending_free(&L.controls);
	build_lookup(L.c);	/* names too: the layout needs them */
	for (int i = 0; i < L.layout.count; i++)
		layout_line(L.c, path, L.layout.items[i].key,
		    L.layout.items[i].value, L.layout.items[i].line, dl);
	pending_free(&L.layout);
	L.c->channel = (uint8_t)L.default_channel;
	free(L.names.slots);
	free(L.messages.slots);
	if (!L.seen_controller)
		diag_error(dl, path, 0, "missing [controller] section");
	else if (L.c->port_pattern == NULL)
		diag_error(dl, path, 0, "[controller] needs 'port', the "
		    "port-name pattern that identifies the device");
	if (L.c->ncontrols == 0 && dl->errors == errors)
		diag_error(dl, path, 0, "no controls defined in [controls]");
	if (L.c->title == NULL)
		L.c->title = xstrdup(name);
	L.c->errors = dl->errors - errors;
	return L.c;
}

void
controller_free(struct controller *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->ncontrols; i++)
		free(c->controls[i].name);
	free(c->controls);
	free(c->by_param);
	free(c->by_name);
	free(c->init);
	free(c->name);
	free(c->file);
	free(c->title);
	free(c->port_pattern);
	free(c);
}

static uint16_t
param_lookup(const struct controller *c, uint32_t key)
{
	int lo = 0, hi = c->nparam - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (c->by_param[mid].key == key)
			return c->by_param[mid].control;
		if (c->by_param[mid].key < key)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return CONTROL_NONE;
}

uint16_t
controller_lookup(const struct controller *c, const struct midi_event *ev)
{
	unsigned ch = ev->channel & 15, n = ev->number;

	switch (ev->kind) {
	case MIDI_CC:
		return n < 128 ? c->by_cc[ch][n] : CONTROL_NONE;
	case MIDI_NOTE_ON:
	case MIDI_NOTE_OFF:
		return n < 128 ? c->by_note[ch][n] : CONTROL_NONE;
	case MIDI_POLY_AFTERTOUCH:
		return n < 128 ? c->by_poly[ch][n] : CONTROL_NONE;
	case MIDI_CC14:
		return n < 32 ? c->by_cc14[ch][n] : CONTROL_NONE;
	case MIDI_PITCH_BEND:
		return c->by_bend[ch];
	case MIDI_CHANNEL_AFTERTOUCH:
		return c->by_chanat[ch];
	case MIDI_PROGRAM:	/* "program N" is a button pressed by program N */
		return c->by_program[ch][ev->value & 127];
	case MIDI_NRPN:
		return c->nparam ? param_lookup(c,
		    param_key_of(CONTROL_NRPN, (int)ch, (int)n)) : CONTROL_NONE;
	case MIDI_RPN:
		return c->nparam ? param_lookup(c,
		    param_key_of(CONTROL_RPN, (int)ch, (int)n)) : CONTROL_NONE;
	default:
		return CONTROL_NONE;
	}
}
