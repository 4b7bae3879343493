/*
 * Logging to stderr, OpenBSD style, with a per-site rate limiter.
 *   error:    what stops the bridge (or the command)
 *   warning:  what it survives
 *   (none)    information; debug: only with -v
 * -q keeps errors only.  In the foreground -v puts a time of day on each
 * line; under systemd (JOURNAL_STREAM names our stderr) each line starts
 * with the <N> syslog priority the journal reads, and no time or name.
 */
#ifndef CTLBRIDGE_LOG_H
#define CTLBRIDGE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

/* syslog(3) priorities, as the journal reads them from "<N>" */
#define LOG_PRIO_ERR		3
#define LOG_PRIO_WARNING	4
#define LOG_PRIO_INFO		6
#define LOG_PRIO_DEBUG		7

extern int log_verbose;		/* -1 errors only (-q), 0 info, 1 debug (-v), 2 trace (-vv) */

void log_init(const char *progname, int verbose);
bool log_to_journal(void);
void log_err(const char *fmt, ...) LOG_PRINTF(1, 2);	/* adds strerror(errno) */
void log_errx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);	/* adds strerror(errno) */
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);
/* A line said as it is (a configuration diagnostic), at a priority. */
void log_line(int prio, const char *text);

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
/* The same at debug level (-v): nothing at all without it. */
void log_debug_limited(struct ratelimit *rl, const char *fmt, ...) LOG_PRINTF(2, 3);

/*
 * Lines said once per condition: a retry that meets the same lines again
 * stays quiet until the condition changes (log_once_reset).
 */
#define LOG_ONCE_LINES 32
struct log_once {
	uint32_t seen[LOG_ONCE_LINES];
	unsigned n;
};
/* true the first time text is seen since the last reset */
bool log_once_first(struct log_once *lo, const char *text);
void log_once_reset(struct log_once *lo);

uint64_t now_ns(void);	/* CLOCK_MONOTONIC */

#endif
