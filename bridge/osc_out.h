/*
 * OSC out through liblo.  Messages leave from the bridge's own server
 * socket, so that a DAW which answers to the sender (Ardour) answers to us.
 * Targets are created when a profile is activated, with addresses already
 * numeric (resolved at load), never per event.  Send failures cost one
 * rate-limited warning, never the daemon.
 */
#ifndef CTLBRIDGE_OSC_OUT_H
#define CTLBRIDGE_OSC_OUT_H

#include <lo/lo.h>

#include "config.h"
#include "log.h"

struct osc_target {
	lo_address addr;
	char *url;		/* for messages */
	enum osc_proto proto;
	struct ratelimit warn;
	uint64_t sent, failed;
};

/* 0 or -1 with a warning. */
int osc_target_open(struct osc_target *t, const char *host, int port,
    enum osc_proto proto);
void osc_target_close(struct osc_target *t);

/* Send b's message with value filled in, from srv's socket when UDP. */
int osc_send_binding(struct osc_target *t, lo_server srv,
    const struct binding *b, double value);

/* Build (without sending) b's message: for tests and tools.  The caller
 * frees it with lo_message_free(). */
lo_message osc_build_message(const struct binding *b, double value);

#endif
