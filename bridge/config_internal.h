/* Shared between the configuration loaders; not for the rest of the bridge. */
#ifndef CTLBRIDGE_CONFIG_INTERNAL_H
#define CTLBRIDGE_CONFIG_INTERNAL_H

#include "config.h"

struct controller *controller_load(const char *path, const char *name,
    struct diag_list *dl);
void controller_free(struct controller *c);

struct dialect *dialect_load(const char *path, const char *name,
    struct diag_list *dl);
void dialect_free(struct dialect *d);

/* Where -o puts every profile's DAW: a numeric host and a port. */
struct daw_at {
	char *host;
	int port;
};

/* Resolves the controller and dialect it names through cfg (loading them
 * on demand with config_need_*); at: -o, or NULL. */
struct profile *profile_load(struct config *cfg, const char *path,
    const char *name, const struct daw_at *at, struct diag_list *dl);
void profile_free(struct profile *p);

/* Find a loaded controller/dialect by name, or load it from the search
 * path; NULL (with a diagnostic at file:line) when there is none. */
const struct controller *config_need_controller(struct config *cfg,
    const char *name, const char *file, int line, struct diag_list *dl);
const struct dialect *config_need_dialect(struct config *cfg,
    const char *name, const char *file, int line, struct diag_list *dl);

/* Resolve host to a numeric address; 0 or -1 with *err. */
int resolve_host(const char *host, char **numeric, const char **err);
/* The -o host resolved (caller frees), or NULL with a diagnostic. */
char *daw_override_resolve(const struct daw_override *o, struct diag_list *dl);

/* Number the targets of every profile and link bindings to them. */
void config_assign_targets(struct config *cfg);

/* "name" from ".../name.ini" */
char *file_stem(const char *path);

#endif
