/*
 * The bridge's own OSC port, on a real bridge: tests/data/config loaded,
 * one surface running profile 'good' (its input /dev/null, so no device is
 * needed), its port open.  Each input is datagrams as they arrive:
 * byte 0 picks the sender (bit 0: from this machine, else from another
 * host, 192.0.2.1), then per datagram two bytes of length (big-endian)
 * and its bytes.  Control requests (/ctlbridge/...) are served, answered
 * to a socket of ours; anything else is read as the DAW's.  The loop is
 * never run: the datagram's whole effect is synchronous.  The surface
 * goes back to 'good' before each input, so an input's effect is its own.
 * Host names are not looked up (as fuzz_config.c).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "fuzz.h"
#include "log.h"

static struct bridge br;
static struct bridge_options opt;
static struct surface_spec spec;
static char *dirs[] = { "tests/data/config" };
static int sink = -1;
static struct sockaddr_in from_local, from_far;

int __real_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);

int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h = *hints;

	h.ai_flags |= AI_NUMERICHOST;
	return __real_getaddrinfo(node, service, &h, res);
}

static void
stop(void)
{
	bridge_stop(&br);
	if (sink >= 0)
		close(sink);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	socklen_t len = sizeof(from_local);

	log_verbose = -1;
	spec.profile = "good";
	spec.ninputs = 1;
	spec.inputs[0].type = INPUT_RAW;
	spec.inputs[0].arg = "/dev/null";
	opt.dirs = dirs;
	opt.ndirs = 1;
	opt.surfaces = &spec;
	opt.nsurfaces = 1;
	opt.no_watch = true;
	if (bridge_start(&br, &opt) < 0) {
		fprintf(stderr, "fuzz: the bridge does not start\n");
		exit(2);
	}
	/* replies land here */
	memset(&from_local, 0, sizeof(from_local));
	from_local.sin_family = AF_INET;
	from_local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((sink = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0 ||
	    bind(sink, (struct sockaddr *)&from_local, sizeof(from_local)) < 0 ||
	    getsockname(sink, (struct sockaddr *)&from_local, &len) < 0) {
		perror("fuzz: reply socket");
		exit(2);
	}
	from_far = from_local;
	from_far.sin_addr.s_addr = htonl(0xc0000201);	/* TEST-NET-1 */
	atexit(stop);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sockaddr_in *from;
	const struct profile *good = config_profile(br.cfg, "good");
	char err[256], reply[65536];
	size_t i = 1;

	if (size < 1)
		return 0;
	from = data[0] & 1 ? &from_local : &from_far;
	if (br.surfaces[0].eng->profile != good)
		bridge_switch(&br.surfaces[0], good, "fuzz", err, sizeof(err));
	while (size - i >= 2) {
		size_t len = (size_t)data[i] << 8 | data[i + 1];
		char *copy;

		i += 2;
		if (len > size - i)
			len = size - i;
		/* exactly the datagram's bytes, as recvfrom leaves them */
		if ((copy = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(copy, data + i, len);
		bridge_datagram(&br, copy, len, from);
		free(copy);
		i += len;
	}
	while (recv(sink, reply, sizeof(reply), 0) > 0)
		;
	return 0;
}
