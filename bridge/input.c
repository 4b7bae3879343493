#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "alsa_midi.h"
#include "input.h"
#include "jack_midi.h"
#include "log.h"
#include "raw_midi.h"

void
input_sink_decoder(const struct input_sink *sink, struct midi_decoder *d,
    midi_warn_fn warn)
{
	midi_decoder_init(d, sink->source, sink->on_event, warn, sink->ctx);
	for (int ch = 0; ch < 16; ch++)
		for (int n = 0; n < 32; n++)
			if (sink->cc14_mask[ch] & (1u << n))
				midi_decoder_set_cc14(d, ch, n, true);
}

int
input_spec_parse(const char *s, struct input_spec *spec)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	const char *arg = colon ? colon + 1 : NULL;

	if (arg && *arg == '\0')
		arg = NULL;
	spec->arg = arg;
	if (n == 4 && strncmp(s, "auto", 4) == 0 && !colon)
		spec->type = INPUT_AUTO;
	else if (n == 4 && strncmp(s, "alsa", 4) == 0)
		spec->type = INPUT_ALSA;
	else if (n == 4 && strncmp(s, "jack", 4) == 0)
		spec->type = INPUT_JACK;
	else if (n == 3 && strncmp(s, "raw", 3) == 0 && arg)
		spec->type = INPUT_RAW;
	else
		return -1;
	return 0;
}

bool
input_specs_default(const struct input_spec *specs, int n)
{
	for (int i = 0; i < n; i++)
		if (specs[i].type != INPUT_AUTO)
			return false;
	return true;
}

int
input_claims(const char *pattern, const struct input_spec *specs, int nspecs,
    char *out, size_t len)
{
	static const struct input_spec auto_spec = { INPUT_AUTO, NULL };
	size_t used = 0;
	int n = 0;

	*out = '\0';
	if (nspecs == 0) {
		specs = &auto_spec;
		nspecs = 1;
	}
	for (int i = 0; i < nspecs; i++) {
		const char *arg = specs[i].arg ? specs[i].arg : pattern;
		const char *kinds[2] = { NULL, NULL };
		switch (specs[i].type) {
		case INPUT_AUTO: kinds[0] = "alsa"; kinds[1] = "jack"; break;
		case INPUT_ALSA: kinds[0] = "alsa"; break;
		case INPUT_JACK: kinds[0] = "jack"; break;
		case INPUT_RAW:
			if (strcmp(arg, "-") != 0)
				kinds[0] = "raw";
			break;
		}
		for (int k = 0; k < 2 && kinds[k]; k++) {
			int w = snprintf(out + used, len - used, "%s:%s\n",
			    kinds[k], arg);
			if (w < 0 || (size_t)w >= len - used)
				return n;
			used += (size_t)w;
			n++;
		}
	}
	return n;
}

bool
port_pattern_match(const char *pattern, const char *port_name)
{
	if (strpbrk(pattern, "*?[") != NULL)
		return fnmatch(pattern, port_name, FNM_CASEFOLD) == 0;
	return strcasestr(port_name, pattern) != NULL;
}

bool
port_is_bridge(const char *port_name)
{
	return strncmp(port_name, "ctlbridge", 9) == 0 &&
	    (port_name[9] == ':' || port_name[9] == '-');
}

/* A backend's own copy of the sink, stamped with its source id. */
static struct input_sink
sink_for(const struct inputs *in, uint8_t source)
{
	struct input_sink sink = in->sink;

	sink.source = source;
	return sink;
}

static int
open_alsa(struct inputs *in, struct loop *loop, int surface, const char *name,
    const char *const *patterns, int npatterns, bool required)
{
	struct input_sink sink = sink_for(in, INPUT_SOURCE_ALSA);
	const char *why = NULL;

	in->alsa = alsa_midi_new(loop, name, patterns, npatterns, &sink, &why);
	if (in->alsa == NULL && required) {
		log_errx("alsa: cannot open the ALSA sequencer: %s; use "
		    "-m jack or -m raw:PATH instead", why);
		return -1;
	}
	if (in->alsa == NULL && surface == 1)
		log_info("alsa: sequencer not available: %s; MIDI comes "
		    "from JACK when a server runs (or use -m raw:PATH)", why);
	return 0;
}

int
inputs_open(struct inputs *in, struct loop *loop, int surface,
    const char *pattern, const struct input_spec *specs, int nspecs)
{
	char name[32];

	if (surface == 1)
		snprintf(name, sizeof(name), "ctlbridge");
	else
		snprintf(name, sizeof(name), "ctlbridge-%d", surface);
	return inputs_open_as(in, loop, name, surface, pattern, specs, nspecs);
}

int
inputs_open_as(struct inputs *in, struct loop *loop, const char *name,
    int surface, const char *pattern, const struct input_spec *specs,
    int nspecs)
{
	const char *alsa_pat[INPUT_MAX + 1], *jack_pat[INPUT_MAX + 1];
	int nalsa = 0, njack = 0;
	bool want_alsa = false, want_jack = false, is_auto = nspecs == 0;
	for (int i = 0; i < nspecs; i++) {
		const struct input_spec *sp = &specs[i];
		const char *pat = sp->arg ? sp->arg : pattern;
		struct input_sink sink;

		switch (sp->type) {
		case INPUT_RAW:
			sink = sink_for(in, (uint8_t)(INPUT_SOURCE_RAW + in->nraw));
			if ((in->raw[in->nraw] = raw_midi_new(loop, sp->arg,
			    &sink)) == NULL)
				return -1;
			in->nraw++;
			break;
		case INPUT_ALSA:
			want_alsa = true;
			alsa_pat[nalsa++] = pat;
			break;
		case INPUT_JACK:
			want_jack = true;
			jack_pat[njack++] = pat;
			break;
		case INPUT_AUTO:
			is_auto = true;
			break;
		}
	}
	if (is_auto) {
		alsa_pat[nalsa++] = pattern;
		jack_pat[njack++] = pattern;
	}
	if ((want_alsa || is_auto) &&
	    open_alsa(in, loop, surface, name, alsa_pat, nalsa, want_alsa) < 0)
		return -1;
	if (want_jack || is_auto) {
		/* explicit patterns come first: they connect whatever they
		 * match; the controller's own pattern leaves ALSA copies out */
		struct jack_midi_options jo = {
			.client_name = name,
			.patterns = jack_pat,
			.npatterns = njack,
			.required = want_jack,
			.skip_alsa_bridges = is_auto && in->alsa != NULL,
			.nexplicit = is_auto ? njack - 1 : njack,
		};
		struct input_sink sink = sink_for(in, INPUT_SOURCE_JACK);

		if ((in->jack = jack_midi_new(loop, &jo, &sink)) == NULL)
			return -1;
	}
	if (is_auto && in->alsa == NULL && in->jack &&
	    !jack_midi_connected(in->jack))
		log_info("surface %d: waiting for a controller matching '%s' or a "
		    "JACK server", surface, pattern);
	return 0;
}

void
inputs_close(struct inputs *in)
{
	for (int i = 0; i < in->nraw; i++)
		raw_midi_free(in->raw[i]);
	in->nraw = 0;
	jack_midi_free(in->jack);
	in->jack = NULL;
	alsa_midi_free(in->alsa);
	in->alsa = NULL;
}

void
inputs_send(struct inputs *in, const uint8_t *bytes, size_t len)
{
	if (len == 0)
		return;
	jack_midi_send(in->jack, bytes, len);
	alsa_midi_send(in->alsa, bytes, len);
	for (int i = 0; i < in->nraw; i++)
		raw_midi_send(in->raw[i], bytes, len);
}

struct conn_ctx {
	void (*fn)(void *ctx, const char *backend, const char *port);
	void *ctx;
	const char *backend;
};

static void
conn_one(void *ctx, const char *port)
{
	struct conn_ctx *c = ctx;

	c->fn(c->ctx, c->backend, port);
}

void
inputs_connections(const struct inputs *in,
    void (*fn)(void *ctx, const char *backend, const char *port), void *ctx)
{
	struct conn_ctx c = { fn, ctx, "jack" };

	for (int out = 0; out < 2; out++) {
		c.backend = "jack";
		if (in->jack)
			jack_midi_connections(in->jack, out, conn_one, &c);
		c.backend = "alsa";
		if (in->alsa)
			alsa_midi_connections(in->alsa, out, conn_one, &c);
	}
}

struct name_buf {
	char *buf;
	size_t len, n;
};

static void
name_one(void *ctx, const char *port)
{
	struct name_buf *nb = ctx;

	if (nb->n < nb->len)
		nb->n += (size_t)snprintf(nb->buf + nb->n, nb->len - nb->n, "%s%s",
		    nb->buf[nb->n - 1] == ':' ? "" : ",", port);
}

const char *
inputs_source_name(const struct inputs *in, uint8_t source, char *buf,
    size_t len)
{
	struct name_buf nb = { buf, len, 0 };

	if (source >= INPUT_SOURCE_RAW && source - INPUT_SOURCE_RAW < in->nraw) {
		snprintf(buf, len, "raw:%s", raw_midi_path(
		    in->raw[source - INPUT_SOURCE_RAW]));
		return buf;
	}
	nb.n = (size_t)snprintf(buf, len, "%s:", source == INPUT_SOURCE_JACK ?
	    "jack" : source == INPUT_SOURCE_ALSA ? "alsa" : "-");
	if (source == INPUT_SOURCE_JACK && in->jack)
		jack_midi_connections(in->jack, false, name_one, &nb);
	else if (source == INPUT_SOURCE_ALSA && in->alsa) {
		int client, port;
		alsa_midi_current_source(in->alsa, &client, &port);
		nb.n += (size_t)snprintf(buf + nb.n, len - nb.n, "%d:%d", client,
		    port);
	}
	if (buf[nb.n - 1] == ':')
		buf[nb.n - 1] = '\0';	/* none connected now */
	return buf;
}
