/* DAW addresses at load: host names resolved to numeric IPv4 addresses
 * (never on the event path), and the -o HOST:PORT that puts every
 * profile's DAW elsewhere. */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "util.h"

int
resolve_host(const char *host, char **numeric, const char **err)
{
	struct addrinfo hints, *res;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		*err = gai_strerror(rc);
		return -1;
	}
	/* OSC goes out of one IPv4 socket (see osc_out.h) */
	const struct addrinfo *pick = NULL;
	for (const struct addrinfo *ai = res; ai && !pick; ai = ai->ai_next)
		if (ai->ai_family == AF_INET)
			pick = ai;
	if (pick == NULL) {
		freeaddrinfo(res);
		*err = "no IPv4 address (IPv6 DAW addresses are not supported yet)";
		return -1;
	}
	if (getnameinfo(pick->ai_addr, pick->ai_addrlen, buf, sizeof(buf), NULL,
	    0, NI_NUMERICHOST) != 0) {
		freeaddrinfo(res);
		*err = "cannot format address";
		return -1;
	}
	freeaddrinfo(res);
	free(*numeric);
	*numeric = xstrdup(buf);
	return 0;
}

int
daw_override_parse(const char *hostport, struct daw_override *o,
    struct diag_list *dl)
{
	const char *colon = strrchr(hostport, ':');
	char *host = o->host;
	long port;

	if (colon == NULL || colon == hostport ||
	    (size_t)(colon - hostport) >= sizeof(o->host) ||
	    !parse_int(colon + 1, 1, 65535, &port)) {
		diag_error(dl, "-o", 0, "'%s' is not HOST:PORT", hostport);
		return -1;
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	o->port = (int)port;
	return 0;
}

char *
daw_override_resolve(const struct daw_override *o, struct diag_list *dl)
{
	char *numeric = NULL;
	const char *err;

	if (resolve_host(o->host, &numeric, &err) < 0) {
		diag_error(dl, "-o", 0, "host '%s': %s", o->host, err);
		return NULL;
	}
	return numeric;
}
