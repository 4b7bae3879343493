/* Logging to stderr, OpenBSD style, with a per-site rate limiter. */
#ifndef CTLBRIDGE_LOG_H
#define CTLBRIDGE_LOG_H

#include <stdint.h>

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

extern int log_verbose;		/* 0 info, 1 debug (-v), 2 trace (-vv) */

void log_init(const char *progname, int verbose);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);	/* adds strerror(errno) */
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

/*
 * One rate limiter per warning site: the first occurrence is logged, then
 * at most one line per interval, saying how many were suppressed.
 */
struct ratelimit {
	uint64_t last_ns;
	uint64_t interval_ns;
	unsigned suppressed;
};
#define RATELIMIT_INIT(seconds) { 0, (uint64_t)(seconds) * 1000000000ull, 0 }
void log_warnx_limited(struct ratelimit *rl, const char *fmt, ...) LOG_PRINTF(2, 3);

uint64_t now_ns(void);	/* CLOCK_MONOTONIC */

#endif
