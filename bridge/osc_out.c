#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osc_out.h"
#include "util.h"

int
osc_target_open(struct osc_target *t, const char *host, int port,
    enum osc_proto proto)
{
	char portstr[16];

	memset(t, 0, sizeof(*t));
	t->warn = (struct ratelimit)RATELIMIT_INIT(10);
	snprintf(portstr, sizeof(portstr), "%d", port);
	t->proto = proto;
	t->addr = lo_address_new_with_proto(proto == OSC_TCP ? LO_TCP : LO_UDP,
	    host, portstr);
	if (t->addr == NULL) {
		log_warnx("cannot create OSC address %s:%d", host, port);
		return -1;
	}
	t->url = xasprintf("osc.%s://%s:%d", proto == OSC_TCP ? "tcp" : "udp",
	    host, port);
	return 0;
}

void
osc_target_close(struct osc_target *t)
{
	if (t->addr)
		lo_address_free(t->addr);
	free(t->url);
	memset(t, 0, sizeof(*t));
}

static void
add_value(lo_message m, char type, double v)
{
	switch (type) {
	case 'i': lo_message_add_int32(m, (int32_t)lrint(v)); break;
	case 'h': lo_message_add_int64(m, (int64_t)llrint(v)); break;
	case 'f': lo_message_add_float(m, (float)v); break;
	case 'd': lo_message_add_double(m, v); break;
	case 'b':
		if (v != 0)
			lo_message_add_true(m);
		else
			lo_message_add_false(m);
		break;
	case 's': {
		char buf[32];
		snprintf(buf, sizeof(buf), "%g", v);
		lo_message_add_string(m, buf);
		break;
	}
	default: break;
	}
}

lo_message
osc_build_message(const struct binding *b, double value)
{
	lo_message m = lo_message_new();

	if (m == NULL)
		return NULL;
	for (int i = 0; i < b->msg.nargs; i++) {
		const struct osc_arg *a = &b->msg.args[i];
		if (a->is_value) {
			add_value(m, a->type, value);
			continue;
		}
		switch (a->type) {
		case 'i': lo_message_add_int32(m, a->v.i); break;
		case 'h': lo_message_add_int64(m, a->v.h); break;
		case 'f': lo_message_add_float(m, a->v.f); break;
		case 'd': lo_message_add_double(m, a->v.d); break;
		case 's': lo_message_add_string(m, a->v.s ? a->v.s : ""); break;
		case 'T': lo_message_add_true(m); break;
		case 'F': lo_message_add_false(m); break;
		case 'N': lo_message_add_nil(m); break;
		case 'I': lo_message_add_infinitum(m); break;
		default: break;
		}
	}
	return m;
}

int
osc_send_binding(struct osc_target *t, lo_server srv, const struct binding *b,
    double value)
{
	lo_message m;
	int rc;

	if (t->addr == NULL || b->msg.address == NULL)
		return -1;
	if ((m = osc_build_message(b, value)) == NULL)
		return -1;
	if (t->proto == OSC_UDP && srv != NULL)
		rc = lo_send_message_from(t->addr, srv, b->msg.address, m);
	else
		rc = lo_send_message(t->addr, b->msg.address, m);
	lo_message_free(m);
	if (rc < 0) {
		t->failed++;
		log_warnx_limited(&t->warn, "osc: cannot send %s to %s: %s "
		    "(is the DAW running?)", b->msg.address, t->url,
		    lo_address_errstr(t->addr));
		return -1;
	}
	t->sent++;
	return 0;
}
