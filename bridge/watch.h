/*
 * Watches the configuration directories with inotify and calls back once
 * the edits have settled (debounced), so that an editor's save (write a
 * temporary file, rename it over the old one) is one reload, not three.
 * Only *.ini files count; editors' swap and backup files are ignored.
 */
#ifndef CTLBRIDGE_WATCH_H
#define CTLBRIDGE_WATCH_H

#include "loop.h"

#define WATCH_SETTLE_NS 200000000ull	/* 200 ms after the last event */

struct watch;

/* NULL (with a warning) when inotify is not available. */
struct watch *watch_new(struct loop *loop, char *const *dirs, int ndirs,
    void (*on_change)(void *ctx), void *ctx);
void watch_free(struct watch *w);

#endif
