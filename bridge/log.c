#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

int log_verbose;
static const char *log_prog = "ctlbridge";
static bool log_journal;	/* stderr is the systemd journal */
static bool log_stamps;		/* a time of day on each line */

/*
 * systemd sets JOURNAL_STREAM=DEV:INODE for a service whose stderr is the
 * journal.  A child of the service inherits the variable with its own
 * stderr elsewhere (a shell redirect), hence the comparison.
 */
static bool
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	char end;

	if (js == NULL || sscanf(js, "%ju:%ju%c", &dev, &ino, &end) != 2)
		return false;
	return fstat(STDERR_FILENO, &st) == 0 && (uintmax_t)st.st_dev == dev &&
	    (uintmax_t)st.st_ino == ino;
}

void
log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verbose = verbose;
	log_journal = stderr_is_journal();
	log_stamps = !log_journal && verbose >= 1;
}

bool
log_to_journal(void)
{
	return log_journal;
}

/* One line on stderr, written at once: the journal's priority, or a time
 * of day in the foreground with -v. */
static void
emit(int prio, const char *line)
{
	char head[64] = "";

	if (log_journal)
		snprintf(head, sizeof(head), "<%d>", prio);
	else if (log_stamps) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		snprintf(head, sizeof(head), "%02d:%02d:%02d.%03ld ", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
	}
	fprintf(stderr, "%s%s\n", head, line);
}

static bool
wanted(int prio)
{
	if (prio <= LOG_PRIO_ERR)
		return true;
	if (prio == LOG_PRIO_DEBUG)
		return log_verbose >= 1;
	return log_verbose >= 0;	/* -q: errors only */
}

static void vlog(int prio, const char *fmt, va_list ap, const char *suffix)
    __attribute__((format(printf, 2, 0)));

static void
vlog(int prio, const char *fmt, va_list ap, const char *suffix)
{
	static const char *const label[8] = {
		[LOG_PRIO_ERR] = "error: ", [LOG_PRIO_WARNING] = "warning: ",
		[LOG_PRIO_INFO] = "", [LOG_PRIO_DEBUG] = "debug: ",
	};
	char buf[1024], line[1400];

	if (!wanted(prio))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* the journal names the program itself */
	snprintf(line, sizeof(line), "%s%s%s%s%s%s", log_journal ? "" : log_prog,
	    log_journal ? "" : ": ", label[prio & 7] ? label[prio & 7] : "", buf,
	    suffix ? ": " : "", suffix ? suffix : "");
	emit(prio, line);
}

void
log_line(int prio, const char *text)
{
	if (wanted(prio))
		emit(prio, text);
}

void
log_err(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_PRIO_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_PRIO_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
log_prio(int prio, const char *fmt, ...) LOG_PRINTF(2, 3);

static void
log_prio(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap, NULL);
	va_end(ap);
}

static void vlog_limited(struct ratelimit *rl, int prio, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static void
vlog_limited(struct ratelimit *rl, int prio, const char *fmt, va_list ap)
{
	uint64_t now = now_ns();
	char buf[1024];

	if (rl->last_ns != 0 && now - rl->last_ns < rl->interval_ns) {
		rl->suppressed++;
		return;
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (rl->suppressed)
		log_prio(prio, "%s (%u more like this suppressed)", buf,
		    rl->suppressed);
	else
		log_prio(prio, "%s", buf);
	rl->last_ns = now;
	rl->suppressed = 0;
}

void
log_warnx_limited(struct ratelimit *rl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_limited(rl, LOG_PRIO_WARNING, fmt, ap);
	va_end(ap);
}

void
log_debug_limited(struct ratelimit *rl, const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog_limited(rl, LOG_PRIO_DEBUG, fmt, ap);
	va_end(ap);
}

/* FNV-1a: cheap, and collisions only cost a line not said */
static uint32_t
line_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

bool
log_once_first(struct log_once *lo, const char *text)
{
	uint32_t h = line_hash(text);
	unsigned n = lo->n < LOG_ONCE_LINES ? lo->n : LOG_ONCE_LINES;

	for (unsigned i = 0; i < n; i++)
		if (lo->seen[i] == h)
			return false;
	lo->seen[lo->n++ % LOG_ONCE_LINES] = h;
	return true;
}

void
log_once_reset(struct log_once *lo)
{
	lo->n = 0;
}
