/* Shared between the configuration loaders; not for the rest of the bridge. */
#ifndef CTLBRIDGE_CONFIG_INTERNAL_H
#define CTLBRIDGE_CONFIG_INTERNAL_H

#include "config.h"
#include "util.h"

struct controller *controller_load(const char *path, const char *name,
    struct diag_list *dl);
void controller_free(struct controller *c);
/* One [layout] line of c (its controls all read): places the controls
 * named, or adds a diagnostic. */
void layout_line(struct controller *c, const char *path, const char *key,
    const char *value, int line, struct diag_list *dl);

struct dialect *dialect_load(const char *path, const char *name,
    struct diag_list *dl);
void dialect_free(struct dialect *d);

/* A profile file as read, before it is compiled against the controller
 * and the dialect it names. */
struct profile_text {
	char *name, *file;
	char *title, *journal;		/* NULL: not given */
	char *controller, *dialect, *host, *indicator;
	int controller_line, dialect_line, host_line, indicator_line;
	int port;			/* 0: the dialect's */
	struct pending_lines lines;	/* [bindings] */
	struct pending_lines hooks;	/* [on] */
	struct pending_lines actions;	/* [actions]: its own */
	struct pending_lines feedback;	/* [feedback] of its own actions */
};

/* NULL when the file cannot be read (with a diagnostic). */
struct profile_text *profile_read(const char *path, const char *name,
    struct diag_list *dl);
void profile_text_free(struct profile_text *t);

/* Where -o puts every profile's DAW: a numeric host and a port. */
struct daw_at {
	char *host;
	int port;
};

/* Compile t against c and d (either NULL when it names none that loaded:
 * the profile is then kept for its diagnostics only); at: -o, or NULL. */
struct profile *profile_compile(const struct profile_text *t,
    const struct controller *c, const struct dialect *d,
    const struct daw_at *at, struct diag_list *dl);
void profile_free(struct profile *p);

/* One action with its option words ("marker.add label=Verse"), as a
 * binding of no control, for a hook; false with a diagnostic at
 * path:line (key: the line's left side). */
bool action_compile(struct profile *p, const char *path, int line,
    const char *key, const char *text, struct binding *b,
    struct diag_list *dl);
void binding_free(struct binding *b);

/* config_hooks.c: a profile's [on] lines compiled (after its bindings);
 * freed with the profile. */
void hooks_compile(struct profile *p, const struct profile_text *t,
    struct diag_list *dl);
void hooks_free(struct profile *p);
/* Across profiles: a hook's profile.switch names one that exists, for
 * the same controller; no chain of switches within one event comes back
 * to a profile it left (all_loaded: profile.next and .previous are known
 * too). */
void hooks_check(struct config *cfg, bool all_loaded, struct diag_list *dl);
/* The name a hook switches to with profile.switch, for set_aside_unused;
 * NULL if none. */
const char *hook_switch_name(const struct hook *h);

/* Resolve host to a numeric address; 0 or -1 with *err. */
int resolve_host(const char *host, char **numeric, const char **err);
/* The -o host resolved (caller frees), or NULL with a diagnostic. */
char *daw_override_resolve(const struct daw_override *o, struct diag_list *dl);

/* Number the targets of every profile and link bindings to them. */
void config_assign_targets(struct config *cfg);

/* The '|' between ON and OFF in "ON | OFF", outside quotes; NULL if none. */
const char *split_bar(const char *value);

/* A user action from the text after its name (or after "osc"): its
 * message, then option words.  In a dialect (oneoff false) every option
 * is the action's (range= unit= taper= default= step=); in a binding's
 * "osc ..." range= and unit= are, and the other words are copied to
 * rest for the binding.  false with a diagnostic at file:line; u then
 * holds what user_action_free frees. */
bool user_action_define(struct user_action *u, const char *name,
    const char *value, bool oneoff, char *rest, size_t restlen,
    struct diag_list *dl, const char *file, int line);
void user_action_free(struct user_action *u);
/* The profile's own [actions] and their [feedback] lines, from t: each a
 * user action of p, or a diagnostic (a name the catalog or the dialect
 * has, one defined twice, what user_action_define refuses). */
void profile_actions_define(struct profile *p, const struct profile_text *t,
    struct diag_list *dl);
/* The profile's [feedback] lines that name a control bound to an "osc
 * ..." message (p's bindings compiled): where the DAW reports that
 * message, or "none"; a name neither p's action nor such a control is an
 * error. */
void profile_oneoff_feedback(struct profile *p, const struct profile_text *t,
    struct diag_list *dl);

/* "unknown action" help in profile p of dialect d (either may be NULL):
 * the catalog's, d's and p's own actions; returns buf. */
const char *user_action_hint(const struct dialect *d, const struct profile *p,
    const char *name, char *buf, size_t len);

/* "name" from ".../name.ini" */
char *file_stem(const char *path);

#endif
