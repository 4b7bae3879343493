#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lo/lo.h>

#include "bridge.h"
#include "control.h"
#include "input.h"
#include "util.h"

#define CONTROL_TIMEOUT_MS 3000

static void
runtime_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg)
		snprintf(buf, len, "%s/ctlbridge", xdg);
	else
		snprintf(buf, len, "/tmp/ctlbridge-%u", (unsigned)getuid());
}

/* When process pid started (clock ticks since boot, /proc/PID/stat's
 * 22nd field); false if unknown.  With the pid it names one process: a
 * pid alone may be another program's once its bridge is gone. */
static bool
process_start(int pid, unsigned long long *start)
{
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* after the command's name, which may hold spaces and parentheses:
	 * the state is field 3, the start field 22 */
	if ((p = strrchr(buf, ')')) == NULL)
		return false;
	p++;
	for (int field = 3; field < 22; field++)
		if ((p = strchr(p + 1, ' ')) == NULL)
			return false;
	return sscanf(p, " %llu", start) == 1;
}

int
control_announce(int port, const char *claims, char *path, size_t len)
{
	char dir[512];
	unsigned long long start = 0;
	FILE *fp;

	runtime_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, len, "%s/%d", dir, (int)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fprintf(fp, "port %d\n", port);
	if (process_start((int)getpid(), &start))
		fprintf(fp, "start %llu\n", start);
	fputs(claims ? claims : "", fp);
	return fclose(fp);
}

/* Is line (up to its newline) one of the lines of text? */
static bool
has_line(const char *text, const char *line, size_t len)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ?
	    strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, line, len) == 0 && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

int
control_claimants(const char *claims, int *pids, int max)
{
	struct control_peer peers[16];
	char dir[512];
	int npeers = control_find(peers, 16), n = 0;

	runtime_dir(dir, sizeof(dir));
	for (int i = 0; i < npeers && n < max; i++) {
		char path[1024], *line = NULL;
		size_t cap = 0;
		ssize_t len;
		FILE *fp;

		if (peers[i].pid == (int)getpid())
			continue;
		snprintf(path, sizeof(path), "%s/%d", dir, peers[i].pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		while ((len = getline(&line, &cap, fp)) > 0) {
			if (strncmp(line, "claim ", 6) != 0)
				continue;
			if (line[len - 1] == '\n')
				line[--len] = '\0';
			if (has_line(claims, line + 6, (size_t)len - 6)) {
				pids[n++] = peers[i].pid;
				break;
			}
		}
		free(line);
		fclose(fp);
	}
	return n;
}

void
control_withdraw(const char *path)
{
	if (path && *path)
		unlink(path);
}

static int
cmp_peer(const void *a, const void *b)
{
	return ((const struct control_peer *)a)->pid -
	    ((const struct control_peer *)b)->pid;
}

int
control_find(struct control_peer *peers, int max)
{
	char dir[512], path[1024];
	struct dirent *de;
	DIR *dp;
	int n = 0;

	runtime_dir(dir, sizeof(dir));
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(dp)) != NULL && n < max) {
		unsigned long long wrote, now;
		long pid;
		int port;
		FILE *fp;

		if (!parse_int(de->d_name, 1, 1 << 30, &pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			unlink(path);	/* a bridge that died without saying so */
			continue;
		}
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		port = -1;
		wrote = 0;
		if (fscanf(fp, "port %d\n", &port) == 1 &&
		    fscanf(fp, "start %llu", &wrote) != 1)
			wrote = 0;	/* a bridge that does not say */
		fclose(fp);
		/* killed (-9) without saying so, and its pid another
		 * program's since */
		if (wrote && process_start((int)pid, &now) && now != wrote) {
			unlink(path);
			continue;
		}
		if (port >= 0) {
			peers[n].pid = (int)pid;
			peers[n].port = port;
			n++;
		}
	}
	closedir(dp);
	qsort(peers, (size_t)n, sizeof(*peers), cmp_peer);
	return n;
}

/* ---- the client: ctlbridge switch|status|reload ---- */

/* The request as a datagram in buf (*size in: its room, out: its length);
 * 0, or -1 with *err. */
static int
request_datagram(const char *path, const char *sarg, int iarg, char *buf,
    size_t *size, const char **err)
{
	lo_message m = lo_message_new();
	int rc = -1;

	if (sarg)
		lo_message_add_string(m, sarg);
	if (iarg > 0)
		lo_message_add_int32(m, iarg);
	/* liblo's serialiser trusts the size it is given: check it first */
	if (lo_message_length(m, path) > CONTROL_MAX_DATAGRAM)
		*err = "the request is too long";
	else if (lo_message_serialise(m, path, buf, size) == NULL)
		*err = "cannot build the request";
	else
		rc = 0;
	lo_message_free(m);
	return rc;
}

/* A datagram that is the bridge's reply, read into reply; false for any
 * other. */
static bool
read_reply(const char *buf, ssize_t len, struct control_reply *reply)
{
	const char *rpath = lo_get_path((void *)buf, len);
	const char *types;
	lo_arg **argv;
	int argc, result = 0;
	lo_message m;

	if (rpath == NULL || strcmp(rpath, CONTROL_REPLY) != 0 ||
	    (m = lo_message_deserialise((void *)buf, (size_t)len, &result)) == NULL)
		return false;
	types = lo_message_get_types(m);
	argv = lo_message_get_argv(m);
	argc = lo_message_get_argc(m);
	reply->lines = xcalloc((size_t)(argc ? argc : 1), sizeof(char *));
	for (int i = 0; i < argc; i++) {
		if (types[i] != 's')
			continue;
		if (i == 0)
			reply->ok = strcmp((const char *)argv[i], "ok") == 0;
		else
			reply->lines[reply->nlines++] = xstrdup((const char *)argv[i]);
	}
	lo_message_free(m);
	return true;
}

int
control_request(int port, const char *path, const char *sarg, int iarg,
    struct control_reply *reply, const char **err)
{
	struct sockaddr_in to, me;
	char buf[65536];	/* any datagram */
	size_t size = sizeof(buf);
	int fd, rc = -1;
	struct pollfd p;

	memset(reply, 0, sizeof(*reply));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me = to;
	me.sin_port = 0;
	if (request_datagram(path, sarg, iarg, buf, &size, err) < 0)
		return -1;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    sendto(fd, buf, size, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		*err = strerror(errno);
		goto out;
	}
	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		ssize_t len;

		if (poll(&p, 1, CONTROL_TIMEOUT_MS) <= 0) {
			*err = "no answer from the bridge";
			goto out;
		}
		if ((len = recv(fd, buf, sizeof(buf), 0)) > 0 &&
		    read_reply(buf, len, reply)) {
			rc = 0;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

void
control_reply_free(struct control_reply *reply)
{
	for (int i = 0; i < reply->nlines; i++)
		free(reply->lines[i]);
	free(reply->lines);
	memset(reply, 0, sizeof(*reply));
}

/* ---- the runtime file of a running bridge ---- */

/* What the surface reads, as "CONTROLLER KIND:PATTERN" lines. */
static void
surface_claims(struct surface *sf, const struct surface_spec *spec)
{
	const struct controller *c = sf->eng->controller;
	char inputs[sizeof(sf->claims)];
	size_t used = 0;

	input_claims(c->port_pattern, spec->inputs, spec->ninputs, inputs,
	    sizeof(inputs));
	sf->claims[0] = '\0';
	for (char *line = strtok(inputs, "\n"); line; line = strtok(NULL, "\n")) {
		int w = snprintf(sf->claims + used, sizeof(sf->claims) - used,
		    "%s %s\n", c->name, line);
		if (w < 0 || (size_t)w >= sizeof(sf->claims) - used)
			break;
		used += (size_t)w;
	}
}

/* Another bridge reading the same controller sends every press to the
 * DAW a second time: said at start, naming it (status says it too). */
static void
warn_claimed(const struct bridge *br)
{
	for (int i = 0; i < br->nsurfaces; i++) {
		const struct surface *sf = &br->surfaces[i];
		int pids[8], n = control_claimants(sf->claims, pids, 8);
		for (int j = 0; j < n; j++)
			log_warnx("surface %d: bridge %d reads controller '%s' "
			    "too: every press would reach the DAW twice; stop one "
			    "(ctlbridge status --control %d), or give each its "
			    "own -m", sf->index, pids[j], sf->eng->controller->name,
			    pids[j]);
	}
}

void
control_announce_bridge(struct bridge *br)
{
	char claims[BRIDGE_MAX_SURFACES * (sizeof(br->surfaces[0].claims) + 64)];
	size_t used = 0;

	for (int i = 0; i < br->nsurfaces; i++)
		surface_claims(&br->surfaces[i], &br->opt->surfaces[i]);
	warn_claimed(br);
	for (int i = 0; i < br->nsurfaces; i++)
		for (char *p = br->surfaces[i].claims; *p; ) {
			char *nl = strchr(p, '\n');
			int w = snprintf(claims + used, sizeof(claims) - used,
			    "claim %.*s\n", (int)(nl - p), p);
			if (w > 0 && (size_t)w < sizeof(claims) - used)
				used += (size_t)w;
			p = nl + 1;
		}
	claims[used] = '\0';
	if (control_announce(br->osc.port, claims, br->runtime_file,
	    sizeof(br->runtime_file)) < 0)
		log_warn("control: cannot announce port %d", br->osc.port);
}

/* ---- the server: the bridge answers ---- */

/* Who is heard on the bridge's port: this machine (control requests, a
 * DAW here) and the DAW hosts of the loaded profiles (any of them: a
 * switch may lead there).  Nobody else has anything to say to it. */
bool
control_sender_allowed(const struct bridge *br, const struct sockaddr_in *from)
{
	struct in_addr a;

	if (from->sin_family != AF_INET)
		return false;
	if ((ntohl(from->sin_addr.s_addr) >> 24) == 127)
		return true;
	for (int i = 0; i < br->nsurfaces; i++)
		if (daw_link_from(&br->surfaces[i], from))
			return true;
	for (int i = 0; i < br->cfg->nprofiles; i++)
		if (inet_pton(AF_INET, br->cfg->profiles[i]->host, &a) == 1 &&
		    a.s_addr == from->sin_addr.s_addr)
			return true;
	return false;
}


/* One datagram, whatever the diagnostics hold: lines are added while the
 * message fits (liblo's serialiser trusts the size it is given), and what
 * does not fit is counted in a last line; the log has them all. */
static void
reply(struct bridge *br, const struct sockaddr_in *to, bool ok,
    const char *const *lines, int n)
{
	static char buf[CONTROL_MAX_DATAGRAM];
	size_t size = sizeof(buf);
	lo_message m = lo_message_new();
	char more[80];
	int sent = 0;

	lo_message_add_string(m, ok ? "ok" : "error");
	for (; sent < n; sent++) {
		/* room for this line and a last "N more" line */
		if (lo_message_length(m, CONTROL_REPLY) + strlen(lines[sent]) +
		    sizeof(more) + 8 > sizeof(buf))
			break;
		lo_message_add_string(m, lines[sent]);
	}
	if (sent < n) {
		snprintf(more, sizeof(more), "... and %d more line%s (see the "
		    "bridge's log)", n - sent, n - sent == 1 ? "" : "s");
		lo_message_add_string(m, more);
	}
	if (lo_message_length(m, CONTROL_REPLY) <= sizeof(buf) &&
	    lo_message_serialise(m, CONTROL_REPLY, buf, &size) != NULL)
		sendto(br->osc.fd, buf, size, 0, (const struct sockaddr *)to,
		    sizeof(*to));
	lo_message_free(m);
}

static void
reply_line(struct bridge *br, const struct sockaddr_in *to, bool ok,
    const char *line)
{
	reply(br, to, ok, &line, 1);
}

static void
reply_diags(struct bridge *br, const struct sockaddr_in *to, bool ok,
    const char *first, const struct diag_list *dl)
{
	const char *lines[65];
	int n = 0;

	lines[n++] = first;
	for (int i = 0; dl && i < dl->count && n < 65; i++)
		lines[n++] = dl->items[i].text;
	reply(br, to, ok, lines, n);
}

/* What a surface sent its DAW, and what flood control did with it. */
static char *
surface_flow(const struct surface *sf)
{
	const struct daw_address *a = &sf->link.address;
	const struct osc_flow *f = &a->flow;
	char cap[64];

	if (a->proto == OSC_TCP)
		return xasprintf("surface %d: %llu messages sent, %llu failed",
		    sf->index, (unsigned long long)a->sent,
		    (unsigned long long)a->failed);
	if (f->rate > 0)
		snprintf(cap, sizeof(cap), "max_rate %d/s", f->rate);
	else
		snprintf(cap, sizeof(cap), "no max_rate");
	return xasprintf("surface %d: %llu messages sent, %llu failed; flood "
	    "control (%s): %llu coalesced, %llu queued and sent late, %d "
	    "waiting, %llu dropped", sf->index, (unsigned long long)a->sent,
	    (unsigned long long)a->failed, cap,
	    (unsigned long long)f->coalesced,
	    (unsigned long long)(f->queued - (uint64_t)f->q.n), f->q.n,
	    (unsigned long long)f->dropped);
}

static void
serve_status(struct bridge *br, const struct sockaddr_in *to)
{
	char *text[(3 + HOOK_NEVENTS) * BRIDGE_MAX_SURFACES + 3];
	const char *lines[(3 + HOOK_NEVENTS) * BRIDGE_MAX_SURFACES + 3 + 65];
	int n = 0, ntext = 0;
	size_t len = 0;
	char *path;

	for (int i = 0; i < br->nsurfaces; i++) {
		const struct surface *sf = &br->surfaces[i];
		const struct profile *p = sf->eng->profile;
		text[ntext] = xasprintf("surface %d: %s, profile %s (%s), %s at "
		    "%s, from %s", sf->index, sf->eng->controller->name,
		    p->name, p->title, p->dialect->title, sf->link.address.url,
		    p->file);
		lines[n++] = text[ntext++];
		text[ntext] = surface_flow(sf);
		lines[n++] = text[ntext++];
		/* what the DAW's state does to it ([on]) */
		for (int e = 0; e < HOOK_NEVENTS; e++)
			if (p->hooks[e].nactions) {
				text[ntext] = xasprintf("surface %d: on %s: %s",
				    sf->index, hook_event_name(e),
				    p->hooks[e].text);
				lines[n++] = text[ntext++];
			}
		/* another bridge on the same controller: presses twice */
		{
			int pids[8], k = control_claimants(sf->claims, pids, 8);
			char who[120] = "";
			for (int j = 0; j < k; j++)
				snprintf(who + strlen(who), sizeof(who) - strlen(who),
				    "%s%d", j ? ", " : "", pids[j]);
			if (k > 0) {
				text[ntext] = xasprintf("surface %d: warning: bridge%s "
				    "%s read%s controller '%s' too: every press "
				    "reaches the DAW more than once", sf->index,
				    k > 1 ? "s" : "", who, k > 1 ? "" : "s",
				    sf->eng->controller->name);
				lines[n++] = text[ntext++];
			}
		}
	}
	/* where files are looked for, first found first */
	for (int i = 0; i < br->opt->ndirs; i++)
		len += strlen(br->opt->dirs[i]) + 32;
	path = xcalloc(1, len + 16);
	strcpy(path, "search path:");
	for (int i = 0; i < br->opt->ndirs; i++) {
		struct stat st;
		bool there = stat(br->opt->dirs[i], &st) == 0 &&
		    S_ISDIR(st.st_mode);
		sprintf(path + strlen(path), "%s %s%s", i ? "," : "",
		    br->opt->dirs[i], there ? "" : " (not there yet)");
	}
	text[ntext++] = path;
	lines[n++] = path;
	if (br->nmonitors) {
		text[ntext] = xasprintf("monitors: %d attached", br->nmonitors);
		lines[n++] = text[ntext++];
	}
	/* the diagnostics of the last reload: why it was rejected, or what
	 * it warned of (a file no running surface uses, not loaded) */
	text[ntext] = xasprintf("last reload: %s", br->reload_failed ?
	    "rejected, the running configuration stays in service:" :
	    !br->reloads ? "none yet" : br->last_reload.count ? "ok, with "
	    "warnings:" : "ok");
	lines[n++] = text[ntext++];
	for (int i = 0; br->reloads && i < br->last_reload.count && n <
	    (int)(sizeof(lines) / sizeof(lines[0])); i++)
		lines[n++] = br->last_reload.items[i].text;
	reply(br, to, true, lines, n);
	for (int i = 0; i < ntext; i++)
		free(text[i]);
}

struct port_lines {
	char *text[256];
	int n, surface;
};

static void
port_line(void *ctx, const char *backend, const char *port)
{
	struct port_lines *pl = ctx;

	if (pl->n < 256)
		pl->text[pl->n++] = xasprintf("%d\t%s\t%s", pl->surface, backend,
		    port);
}

/* Each port a surface is connected to: "SURFACE\tBACKEND\tPORT" lines,
 * for `ctlbridge ports`. */
static void
serve_ports(struct bridge *br, const struct sockaddr_in *to)
{
	struct port_lines pl = { .n = 0 };

	for (int i = 0; i < br->nsurfaces; i++) {
		pl.surface = br->surfaces[i].index;
		inputs_connections(&br->surfaces[i].in, port_line, &pl);
	}
	reply(br, to, true, (const char *const *)pl.text, pl.n);
	for (int i = 0; i < pl.n; i++)
		free(pl.text[i]);
}

/* The surface a switch to p is for: number surface (1-based), or with 0
 * the first that runs p's controller; NULL with the reason in msg. */
static struct surface *
switch_surface(struct bridge *br, const struct profile *p, int surface,
    char *msg, size_t len)
{
	if (surface > 0) {
		if (surface <= br->nsurfaces)
			return &br->surfaces[surface - 1];
		snprintf(msg, len, "no surface %d (the bridge runs %d)", surface,
		    br->nsurfaces);
		return NULL;
	}
	for (int i = 0; i < br->nsurfaces; i++)
		if (br->surfaces[i].eng->controller == p->controller)
			return &br->surfaces[i];
	snprintf(msg, len, "no surface runs controller '%s', which profile "
	    "'%s' is for", p->controller->name, p->name);
	return NULL;
}

static void
serve_switch(struct bridge *br, const struct sockaddr_in *to,
    const char *name, int surface)
{
	const struct profile *p = config_profile(br->cfg, name);
	struct surface *sf;
	char msg[600];

	if (p == NULL) {
		reply_line(br, to, false, config_no_profile(br->cfg, name, msg,
		    sizeof(msg)));
		return;
	}
	if ((sf = switch_surface(br, p, surface, msg, sizeof(msg))) == NULL ||
	    (sf->eng->profile != p &&
	    bridge_switch(sf, p, "control port", msg, sizeof(msg)) < 0)) {
		reply_line(br, to, false, msg);
		return;
	}
	snprintf(msg, sizeof(msg), "surface %d: profile %s", sf->index, p->name);
	reply_line(br, to, true, msg);
}

/* Reloads on request: a burst of RELOAD_BURST, then RELOAD_PER_SECOND.
 * A reload takes milliseconds of the one thread MIDI runs on. */
#define RELOAD_BURST		5
#define RELOAD_PER_SECOND	2

static bool
reload_allowed(struct bridge *br)
{
	uint64_t now = now_ns();

	if (br->reload_tokens_ns == 0)
		br->reload_tokens = RELOAD_BURST;
	else
		br->reload_tokens += (double)(now - br->reload_tokens_ns) * 1e-9 *
		    RELOAD_PER_SECOND;
	if (br->reload_tokens > RELOAD_BURST)
		br->reload_tokens = RELOAD_BURST;
	br->reload_tokens_ns = now;
	if (br->reload_tokens < 1)
		return false;
	br->reload_tokens -= 1;
	return true;
}

static void
serve_reload(struct bridge *br, const struct sockaddr_in *to)
{
	if (!reload_allowed(br)) {
		char msg[100];
		snprintf(msg, sizeof(msg), "too many reload requests (at most %d "
		    "a second); nothing reloaded", RELOAD_PER_SECOND);
		log_warnx_limited(&br->reload_warn, "control: %s", msg);
		reply_line(br, to, false, msg);
	} else if (reload(br, "control port") == 0)
		reply_diags(br, to, true, "reloaded", &br->last_reload);
	else
		reply_diags(br, to, false, "reload rejected; the running "
		    "configuration stays in service", &br->last_reload);
}

void
control_serve(struct bridge *br, const char *buf, size_t len,
    const struct sockaddr_in *from)
{
	const char *path = lo_get_path((void *)buf, (ssize_t)len);
	int result = 0;
	lo_message m;
	const char *types;
	lo_arg **argv;
	int argc;

	if ((m = lo_message_deserialise((void *)buf, len, &result)) == NULL) {
		log_warnx_limited(&br->control_warn, "control: a malformed OSC "
		    "message (liblo error %d) ignored", result);
		return;
	}
	types = lo_message_get_types(m);
	argv = lo_message_get_argv(m);
	argc = lo_message_get_argc(m);
	if (strcmp(path, "/ctlbridge/status") == 0)
		serve_status(br, from);
	else if (strcmp(path, "/ctlbridge/reload") == 0)
		serve_reload(br, from);
	else if (strcmp(path, "/ctlbridge/ports") == 0)
		serve_ports(br, from);
	else if (strcmp(path, "/ctlbridge/monitor") == 0) {
		char msg[200];
		bool stop = argc >= 1 && types[0] == 's' &&
		    strcmp((const char *)argv[0], "stop") == 0;
		int rc = monitor_attach(br, from, stop, msg, sizeof(msg));
		reply_line(br, from, rc == 0, msg);
	}
	else if (strcmp(path, "/ctlbridge/profile") == 0 && argc >= 1 &&
	    types[0] == 's') {
		int32_t surface = 0;
		if (argc >= 2 && types[1] == 'i')
			memcpy(&surface, argv[1], sizeof(surface));
		serve_switch(br, from, (const char *)argv[0], surface);
	} else {
		char msg[300];
		snprintf(msg, sizeof(msg), "unknown request %.100s,%.20s (expected "
		    "/ctlbridge/profile s [i], /ctlbridge/status, "
		    "/ctlbridge/reload, /ctlbridge/monitor [s], /ctlbridge/ports)", path, types);
		reply_line(br, from, false, msg);
	}
	lo_message_free(m);
}
