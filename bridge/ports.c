/*
 * ctlbridge ports: every MIDI port this machine shows, ALSA sequencer and
 * JACK (with aliases), one tab-separated line each: backend, port,
 * direction, the controller whose port pattern matches it, and which
 * running bridge is connected to it (asked with /ctlbridge/ports).
 * Needs neither a sequencer nor a JACK server: says which is missing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>
#include <jack/jack.h>

#include "config.h"
#include "control.h"
#include "input.h"
#include "ports.h"
#include "util.h"

/* What running bridges say they are connected to. */
struct link {
	int pid, surface;
	char backend[8];
	char *port;
};

struct links {
	struct link *v;
	int n;
};

static void
ask_bridges(struct links *ls)
{
	struct control_peer peers[32];
	int npeers = control_find(peers, 32);

	for (int i = 0; i < npeers; i++) {
		struct control_reply rep;
		const char *err;

		if (control_request(peers[i].port, "/ctlbridge/ports", NULL, 0,
		    &rep, &err) < 0 || !rep.ok) {
			if (rep.lines == NULL)
				fprintf(stderr, "ctlbridge: bridge %d: %s\n",
				    peers[i].pid, err);
			control_reply_free(&rep);
			continue;
		}
		for (int k = 0; k < rep.nlines; k++) {
			struct link l = { .pid = peers[i].pid };
			char port[512];
			if (sscanf(rep.lines[k], "%d\t%7[^\t]\t%511[^\n]", &l.surface,
			    l.backend, port) != 3)
				continue;
			l.port = xstrdup(port);
			ls->v = xrealloc(ls->v, (size_t)(ls->n + 1) * sizeof(*ls->v));
			ls->v[ls->n++] = l;
		}
		control_reply_free(&rep);
	}
}

/* "bridge PID surface N[, ...]" or "-" into buf. */
static const char *
connected(const struct links *ls, const char *backend, const char *port,
    char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < ls->n; i++)
		if (strcmp(ls->v[i].backend, backend) == 0 &&
		    strcmp(ls->v[i].port, port) == 0 && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%sbridge %d surface "
			    "%d", n ? ", " : "", ls->v[i].pid, ls->v[i].surface);
	return n ? buf : "-";
}

/* The controllers whose pattern matches one of names. */
static const char *
matching(const struct config *cfg, const char *const *names, int nnames,
    char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int c = 0; cfg && c < cfg->ncontrollers; c++) {
		const struct controller *ctl = cfg->controllers[c];
		bool hit = false;
		if (ctl->port_pattern == NULL)
			continue;
		for (int i = 0; i < nnames && !hit; i++)
			hit = port_pattern_match(ctl->port_pattern, names[i]);
		if (hit && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
			    ctl->name);
	}
	return n ? buf : "none";
}

/* A bridge's own client is no controller. */
static bool
is_bridge_client(const char *name)
{
	return strncmp(name, "ctlbridge", 9) == 0 && (name[9] == '\0' ||
	    name[9] == '-' || name[9] == ':');
}

static void
alsa_quiet(const char *file, int line, const char *func, int err,
    const char *fmt, ...)
{
}

static int
list_alsa(const struct config *cfg, const struct links *ls)
{
	snd_seq_t *seq;
	snd_seq_client_info_t *cinfo;
	snd_seq_port_info_t *pinfo;
	int rc, count = 0;

	snd_lib_error_set_handler(alsa_quiet);
	if ((rc = snd_seq_open(&seq, "default", SND_SEQ_OPEN_DUPLEX,
	    SND_SEQ_NONBLOCK)) < 0) {
		printf("# alsa: no sequencer (%s)\n", rc == -ENOENT ?
		    "/dev/snd/seq does not exist" : snd_strerror(rc));
		return -1;
	}
	snd_seq_client_info_alloca(&cinfo);
	snd_seq_port_info_alloca(&pinfo);
	snd_seq_client_info_set_client(cinfo, -1);
	while (snd_seq_query_next_client(seq, cinfo) >= 0) {
		int client = snd_seq_client_info_get_client(cinfo);
		const char *cname = snd_seq_client_info_get_name(cinfo);
		if (client == SND_SEQ_CLIENT_SYSTEM ||
		    client == snd_seq_client_id(seq) || is_bridge_client(cname))
			continue;
		snd_seq_port_info_set_client(pinfo, client);
		snd_seq_port_info_set_port(pinfo, -1);
		while (snd_seq_query_next_port(seq, pinfo) >= 0) {
			unsigned caps = snd_seq_port_info_get_capability(pinfo);
			bool out = caps & SND_SEQ_PORT_CAP_READ;
			bool in = caps & SND_SEQ_PORT_CAP_WRITE;
			char name[300], addr[32], ctl[256], con[256];
			const char *names[1] = { name };

			if ((caps & SND_SEQ_PORT_CAP_NO_EXPORT) || (!in && !out))
				continue;
			snprintf(name, sizeof(name), "%s:%s", cname,
			    snd_seq_port_info_get_name(pinfo));
			snprintf(addr, sizeof(addr), "%d:%d", client,
			    snd_seq_port_info_get_port(pinfo));
			printf("alsa\t%s\t%s\t%s\t%s\t%s\n", name, out && in ? "out,in" :
			    out ? "out" : "in", matching(cfg, names, 1, ctl,
			    sizeof(ctl)), connected(ls, "alsa", addr, con,
			    sizeof(con)), addr);
			count++;
		}
	}
	snd_seq_close(seq);
	if (count == 0)
		printf("# alsa: no MIDI ports\n");
	return 0;
}

static void
jack_quiet(const char *msg)
{
}

static int
list_jack(const struct config *cfg, const struct links *ls)
{
	jack_client_t *client;
	jack_status_t status;
	const char **ports;
	int count = 0;

	jack_set_error_function(jack_quiet);
	jack_set_info_function(jack_quiet);
	if ((client = jack_client_open("ctlbridge-ports", JackNoStartServer,
	    &status)) == NULL) {
		printf("# jack: no JACK server running\n");
		return -1;
	}
	ports = jack_get_ports(client, NULL, JACK_DEFAULT_MIDI_TYPE, 0);
	for (int i = 0; ports && ports[i]; i++) {
		jack_port_t *p = jack_port_by_name(client, ports[i]);
		char a0[1024], a1[1024], *aliases[2] = { a0, a1 };
		const char *names[3] = { ports[i] };
		char ctl[256], con[256], alias[2100];
		int flags, na;

		if (p == NULL || is_bridge_client(ports[i]))
			continue;
		flags = jack_port_flags(p);
		na = jack_port_get_aliases(p, aliases);
		alias[0] = '\0';
		for (int k = 0; k < na && k < 2; k++) {
			names[1 + k] = aliases[k];
			snprintf(alias + strlen(alias), sizeof(alias) - strlen(alias),
			    "%s%s", k ? "," : "", aliases[k]);
		}
		printf("jack\t%s\t%s\t%s\t%s\t%s\n", ports[i],
		    flags & JackPortIsOutput ? "out" : "in",
		    matching(cfg, names, 1 + (na > 0 ? (na > 2 ? 2 : na) : 0), ctl,
		    sizeof(ctl)), connected(ls, "jack", ports[i], con, sizeof(con)),
		    *alias ? alias : "-");
		count++;
	}
	jack_free(ports);
	jack_client_close(client);
	if (count == 0)
		printf("# jack: no MIDI ports\n");
	return 0;
}

int
ports_main(int argc, char **argv, char *const *dirs, int ndirs)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *confdir[1];
	struct diag_list dl;
	struct config *cfg;
	struct links ls = { NULL, 0 };
	int ch, alsa, jack;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			confdir[0] = optarg;
			dirs = confdir;
			ndirs = 1;
			break;
		case 'h':
			printf("usage: ctlbridge ports [-c DIR]\n"
			    "One line per MIDI port, tab-separated: backend, port, "
			    "direction,\nmatching controller, connected bridge, "
			    "aliases (ALSA: CLIENT:PORT).\n");
			return 0;
		default:
			fprintf(stderr, "usage: ctlbridge ports [-c DIR]\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "usage: ctlbridge ports [-c DIR]\n");
		return 2;
	}
	if (dirs == confdir && confdir_check(confdir[0]) < 0)
		return 1;
	/* controllers only: a broken profile does not hide a port */
	diag_init(&dl);
	cfg = config_load((char **)dirs, ndirs, NULL, &dl);
	diag_free(&dl);
	ask_bridges(&ls);
	setvbuf(stdout, NULL, _IOLBF, 0);
	alsa = list_alsa(cfg, &ls);
	jack = list_jack(cfg, &ls);
	if (alsa < 0 && jack < 0)
		printf("# no ALSA sequencer and no JACK server: no MIDI ports "
		    "to see\n");
	for (int i = 0; i < ls.n; i++)
		free(ls.v[i].port);
	free(ls.v);
	config_free(cfg);
	return 0;
}
