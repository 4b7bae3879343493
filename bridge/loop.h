/*
 * A small epoll(7) reactor, in the manner of early Redis ae.c: file
 * descriptors with callbacks (revents as poll(2)'s; a regular file, which
 * epoll refuses, ready every round as poll says), one-shot timers, the
 * wait's timeout taken from the nearest timer.  Single-threaded; everything but the JACK callback
 * runs from here.
 */
#ifndef CTLBRIDGE_LOOP_H
#define CTLBRIDGE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*loop_fd_fn)(void *ctx, int fd, short revents);
typedef void (*loop_timer_fn)(void *ctx);

struct loop;

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* One callback per fd; adding an fd again replaces it.  0 or -1. */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_fn fn, void *ctx);
/* An eventfd written to wake the loop (from another thread): edge-
 * triggered, each write since the last round wakes it once, and the
 * callback need not read it (one syscall less a wake). */
int loop_add_wake_fd(struct loop *l, int fd, loop_fd_fn fn, void *ctx);
void loop_del_fd(struct loop *l, int fd);
/* One-shot timer; returns an id > 0 for loop_cancel_timer(), or -1. */
int loop_add_timer(struct loop *l, uint64_t delay_ns, loop_timer_fn fn, void *ctx);
void loop_cancel_timer(struct loop *l, int id);
/* Wait for and dispatch one round of events; -1 on a wait error. */
int loop_run_once(struct loop *l, int max_wait_ms);
void loop_stop(struct loop *l);
/* Run until loop_stop(). */
void loop_run(struct loop *l);

#endif
