/*
 * The bridge's control protocol, over OSC on the bridge's own UDP port
 * (accepted from loopback only):
 *   /ctlbridge/profile s:NAME [i:SURFACE]   switch a surface's profile
 *   /ctlbridge/status                        what runs, and the last reload
 *   /ctlbridge/reload                        reload the configuration now
 * Every request is answered to its sender with
 *   /ctlbridge/reply s:"ok"|"error" s:LINE...
 * Running bridges announce their port in a file named by their pid under
 * $XDG_RUNTIME_DIR/ctlbridge (or /tmp/ctlbridge-UID), which is how
 * `ctlbridge switch|status|reload` finds them.
 */
#ifndef CTLBRIDGE_CONTROL_H
#define CTLBRIDGE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_PREFIX "/ctlbridge/"
#define CONTROL_REPLY "/ctlbridge/reply"
/* the largest UDP payload over IPv4: a request or reply is one datagram */
#define CONTROL_MAX_DATAGRAM 65507

struct control_peer {
	int pid;
	int port;
};

/* Announce port for this process; the path is kept for control_withdraw. */
/* The runtime file: this bridge's port, and what its surfaces read
 * ("claim CONTROLLER KIND:PATTERN" lines, claims given without "claim "). */
int control_announce(int port, const char *claims, char *path, size_t len);
/* Other running bridges that read one of claims (lines "CONTROLLER
 * KIND:PATTERN"): every press of that controller would reach the DAW
 * once from each.  Their PIDs in pids; returns the count. */
int control_claimants(const char *claims, int *pids, int max);
void control_withdraw(const char *path);
/* Running bridges (stale files are removed); returns the count. */
int control_find(struct control_peer *peers, int max);

struct control_reply {
	bool ok;
	char **lines;
	int nlines;
};

/* Send a request to the bridge on 127.0.0.1:port and wait for its reply;
 * 0, or -1 with *err (static text) on no answer. */
int control_request(int port, const char *path, const char *sarg, int iarg,
    struct control_reply *reply, const char **err);
void control_reply_free(struct control_reply *reply);

#endif
