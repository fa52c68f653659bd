/*
 * The field simulation: a team of one supervisor and N workers over
 * simulated months, played through the real fieldvisit binary.  Daily
 * visits (GAD-7 and PHQ-9 assessments, alerts referred and closed), the
 * supervisor's satisfaction callbacks and reviews, bundles carried both
 * ways on a simulated stick that is sometimes full, pulled mid-write,
 * damaged (cut short or changed), carried twice, out of order or lost;
 * SIGKILL at random points of submit, export and import; a forgotten
 * passphrase recovered and a laptop replaced, both with the team's
 * recovery key.  Deterministic for a seed (the binary's own ids and keys
 * are random, the simulation's choices are not).
 *
 * At the end it checks, and prints as figures: every visit submitted is
 * at the supervisor exactly once at its latest version; every return
 * reached its worker, was corrected there (`visit correct`; one with a
 * PHQ-9 item 9 alert raises no second alert) and the correction reviewed
 * again; every
 * store passes `fieldvisit check`; the conflicts are those the scenario
 * made; the schedules (`visit list --due`) and the satisfaction
 * report agree with a recount from the simulation's own log; no canary
 * (names, answers, comments typed in the simulation) is found in any
 * file under the simulation's root (stores, logs, key files, bundles,
 * the temporary folder), in UTF-8, UTF-16, GB 18030 or JSON escapes.  Exit 0 when all hold, 1 when any
 * does not, 2 for a bad command line or a broken set-up.
 *
 * fieldsim --bin FIELDVISIT --srcdir SRC [--quick|--full] [--workers N]
 *          [--people N] [--months N] [--seed N] [--kill-rate P]
 *          [--damage-rate P] [--zili P] [--review P] [--meet N] [--root DIR]
 *          [--keep] [--verbose]
 *
 * --quick is the size of `make check` (3 workers, 150 people, 2 months),
 * --full the size of `make bench` (20 workers, 5,000 people, 12 months, 15%
 * of the people visited monthly, the others quarterly, 30% of the
 * visits reviewed, a meeting every fourth workday, 5% of processes killed,
 * 30% of bundles damaged); options after them change those.  --kill-rate is the
 * share of submits, exports and imports killed, --damage-rate the share
 * of bundles damaged (a sixteenth lost, carried twice, out of order, or a
 * stick full or pulled).  --review P is the share of visits the supervisor
 * reviews (a seventh of them returned; 0.5).  --zili P the share of people
 * visited monthly (0.5; the others quarterly).  --meet N: each worker meets the supervisor every
 * Nth workday (3).  --keep keeps the root (it is kept anyway when
 * an invariant breaks).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

/* ------------------------------------------------------------------ options */

static struct {
	int workers, people, months;
	uint64_t seed;
	double kill_rate, damage_rate, zili, review;
	int meet;
	const char *bin, *srcdir, *root;
	int keep, verbose;
} opt = {3, 150, 2, 1, 0.08, 0.25, 0.5, 0.5, 3, NULL, NULL, NULL, 0, 0};

static char root[1024];

/* ------------------------------------------------------------------ figures */

static struct {
	long processes, kills, kills_submit, kills_correct, kills_export, kills_import;
	long corrections, rereviewed, returns_fixable, returns_alert, corrected_alerts;
	long visits, visits_at_sup, visits_bad, callbacks, people_added;
	long returns, returns_delivered, approvals, alerts, alerts_closed;
	long bundles_up, bundles_down, damaged, lost, twice, held, full, pulled, parts;
	long refused_ok, replayed, forks, orphans;
	long conflicts_expected, conflicts_seen;
	long checks, checks_ok;
	long sched_checks, sched_people, sched_bad;
	long report_checks, report_bad;
	long canaries, files_scanned, bytes_scanned, canary_scans;
	long recovered, replaced, conflict_visits, cores, visits_at_worker, people_at_sup;
} fig;
static int failures;

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

static void say(const char *prefix, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static void fail(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void die(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void note(const char *fmt, ...) PRINTF_LIKE(1, 2);

static void say(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("fieldsim: FAIL: ", fmt, ap);
	va_end(ap);
	failures++;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("fieldsim: ", fmt, ap);
	va_end(ap);
	exit(2);
}

static void note(const char *fmt, ...)
{
	if (!opt.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die("out of memory");
	return p;
}

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? 2 * (cap) : 16;                                            \
			(arr) = xrealloc((arr), (cap) * sizeof *(arr));                             \
		}                                                                                  \
	} while (0)

static int rm_tree(const char *dir);

/* ------------------------------------------------------------------ PRNG */

/* Two streams: the scenario's choices, and where kills land and which
 * faults are injected.  Whether a kill lands before the process ends
 * depends on the machine's timing, and so does what happens next
 * (re-runs): on a stream of its own it leaves the scenario alone. */
static uint64_t rng, rng_kill, *stream = &rng;

static uint64_t rnd(void)
{
	uint64_t z = (*stream += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int below(int n)
{
	return n <= 1 ? 0 : (int)(rnd() % (uint64_t)n);
}

static int chance(double p)
{
	return (double)(rnd() >> 11) / 9007199254740992.0 < p;
}

/* ------------------------------------------------------------------ dates */

/* days since 1970-01-01 of a civil date, and back (Howard Hinnant's) */
static int32_t days_of(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

static void ymd_of(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int yy = (int)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yy + (*m <= 2);
}

static void date_str(int32_t z, char out[11])
{
	int y, m, d;
	ymd_of(z, &y, &m, &d);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static int weekday(int32_t z)  /* 0 Monday .. 6 Sunday */
{
	return (int)(((z % 7) + 7 + 3) % 7);
}

static int32_t month_first(int32_t z)
{
	int y, m, d;
	ymd_of(z, &y, &m, &d);
	return days_of(y, m, 1);
}

static int32_t quarter_first(int32_t z)
{
	int y, m, d;
	ymd_of(z, &y, &m, &d);
	return days_of(y, (m - 1) / 3 * 3 + 1, 1);
}

static int32_t month_last(int32_t z)
{
	int y, m, d;
	ymd_of(z, &y, &m, &d);
	return m == 12 ? days_of(y + 1, 1, 1) - 1 : days_of(y, m + 1, 1) - 1;
}

static int32_t quarter_last(int32_t z)
{
	int32_t q = quarter_first(z);
	int y, m, d;
	ymd_of(q, &y, &m, &d);
	return m == 10 ? days_of(y + 1, 1, 1) - 1 : days_of(y, m + 3, 1) - 1;
}

static int32_t today;  /* the simulated day */

/* ------------------------------------------------------------------ canaries */

/* Typed into names, answers, referrals and comments; never expected in
 * any file but an explicit export. */
static const char *const canaries[] = {
	"\xe9\x87\x91\xe4\xb8\x9d\xe9\x9b\x80\xe5\x93\xa8",  /* 金丝雀哨: people's names */
	"FVCANARYSUGGEST",                                     /* satisfaction suggestions */
	"\xe6\x8a\x95\xe8\xaf\x89\xe9\x87\x91\xe4\xb8\x9d",  /* 投诉金丝: complaints */
	"FVCANARYREFERRAL",                                    /* what was done about an alert */
	"FVCANARYRETURN",                                      /* a supervisor's return comment */
	"FVCANARYHOUSE",                                       /* household ids */
};
#define NCANARY (sizeof canaries / sizeof canaries[0])

typedef struct {
	unsigned char *b;
	size_t n;
	const char *what;
	size_t canary;  /* index in canaries[] */
} pattern;
static pattern *pats;
static size_t npats, cpats;

static size_t cur_canary;
/* the canaries seen by a control scan (an explicit export) */
static int control_seen[16];

static void add_pattern(const void *b, size_t n, const char *what)
{
	for (size_t i = 0; i < npats; i++)
		if (pats[i].n == n && memcmp(pats[i].b, b, n) == 0)
			return;
	GROW(pats, npats, cpats);
	pats[npats].b = xmalloc(n);
	memcpy(pats[npats].b, b, n);
	pats[npats].n = n;
	pats[npats].what = what;
	pats[npats].canary = cur_canary;
	npats++;
}

static void add_iconv(const char *s, const char *to, const char *what)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	if (cd == (iconv_t)-1)
		die("iconv: no %s", to);
	char out[256], *in = (char *)s, *o = out;
	size_t il = strlen(s), ol = sizeof out;
	if (iconv(cd, &in, &il, &o, &ol) == (size_t)-1)
		die("iconv %s: %s", to, strerror(errno));
	iconv_close(cd);
	add_pattern(out, (size_t)(o - out), what);
}

/* \uXXXX escapes of the non-ASCII characters (JSON), lower and upper case */
static void add_json_escaped(const char *s, int upper)
{
	iconv_t cd = iconv_open("UTF-16BE", "UTF-8");
	char u16[256], *in = (char *)s, *o = u16;
	size_t il = strlen(s), ol = sizeof u16;
	if (cd == (iconv_t)-1 || iconv(cd, &in, &il, &o, &ol) == (size_t)-1)
		die("iconv UTF-16BE");
	iconv_close(cd);
	char out[1024];
	size_t n = 0, units = (size_t)(o - u16) / 2;
	int any = 0;
	for (size_t i = 0; i < units; i++) {
		unsigned c = (unsigned char)u16[2 * i] << 8 | (unsigned char)u16[2 * i + 1];
		if (c < 0x80) {
			out[n++] = (char)c;
		} else {
			n += (size_t)snprintf(out + n, sizeof out - n, upper ? "\\u%04X" : "\\u%04x", c);
			any = 1;
		}
	}
	if (any)
		add_pattern(out, n, "JSON escapes");
}

static void canaries_init(void)
{
	for (size_t i = 0; i < NCANARY; i++) {
		cur_canary = i;
		add_pattern(canaries[i], strlen(canaries[i]), "UTF-8");
		add_iconv(canaries[i], "UTF-16LE", "UTF-16LE");
		add_iconv(canaries[i], "UTF-16BE", "UTF-16BE");
		add_iconv(canaries[i], "GB18030", "GB 18030");
		add_iconv(canaries[i], "UTF-32LE", "UTF-32LE");
		add_json_escaped(canaries[i], 0);
		add_json_escaped(canaries[i], 1);
	}
}

/* Which patterns b holds, in one pass: a table of every pattern's first
 * two bytes, then a comparison where one of them starts. */
static void scan_buf(const unsigned char *b, size_t n, int seen[64])
{
	static unsigned char first2[65536];
	static int ready;
	if (!ready) {
		for (size_t i = 0; i < npats; i++)
			first2[pats[i].b[0] << 8 | pats[i].b[1]] = 1;
		ready = 1;
	}
	for (size_t at = 0; at + 1 < n; at++) {
		if (!first2[b[at] << 8 | b[at + 1]])
			continue;
		for (size_t i = 0; i < npats && i < 64; i++)
			if (pats[i].n <= n - at && memcmp(b + at, pats[i].b, pats[i].n) == 0)
				seen[i] = 1;
	}
}

/* The scan finds every pattern, in the middle of noise and at the end. */
static void scan_selftest(void)
{
	for (size_t i = 0; i < npats; i++) {
		unsigned char buf[512];
		for (size_t k = 0; k < sizeof buf; k++)
			buf[k] = (unsigned char)(k * 131 + 7);
		size_t at = i % 2 ? 100 : sizeof buf - pats[i].n;
		memcpy(buf + at, pats[i].b, pats[i].n);
		int seen[64] = {0};
		scan_buf(buf, sizeof buf, seen);
		if (!seen[i])
			die("the scan does not find pattern %zu (%s)", i, pats[i].what);
	}
}

static long scan_file(const char *path, int control)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	unsigned char *b = xmalloc(cap);
	ssize_t k;
	while ((k = read(fd, b + n, cap - n)) > 0) {
		n += (size_t)k;
		if (n == cap)
			b = xrealloc(b, cap *= 2);
	}
	close(fd);
	long found = 0;
	int seen[64] = {0};
	scan_buf(b, n, seen);
	for (size_t i = 0; i < npats && i < 64; i++)
		if (seen[i]) {
			if (control) {
				control_seen[pats[i].canary] = 1;
				continue;
			}
			fail("canary (%s) found in %s", pats[i].what, path);
			found++;
		}
	free(b);
	if (!control) {
		fig.files_scanned++;
		fig.bytes_scanned += (long)n;
	}
	return found;
}

/* every file under dir, recursively */
static long scan_tree(const char *dir, int control)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	long found = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) != 0)
			continue;
		if (!control && !strncmp(e->d_name, "core", 4) && S_ISREG(st.st_mode)) {
			fig.cores++;
			fail("a core file: %s", p);
		}
		if (S_ISDIR(st.st_mode))
			found += scan_tree(p, control);
		else if (S_ISREG(st.st_mode))
			found += scan_file(p, control);
	}
	closedir(d);
	return found;
}

static void scan_all(void)
{
	fig.canary_scans++;
	fig.canaries += scan_tree(root, 0);
}

/* ------------------------------------------------------------------ running the binary */

typedef struct {
	int code;       /* exit status; -1 killed by us; -2 another signal */
	char *out, *err;
	double ms;
} res;

static void res_free(res *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* what each kind of command takes, to choose a point to kill it */
enum { OP_SUBMIT, OP_EXPORT, OP_IMPORT, OP_OTHER, OP_N };
static double op_ms[OP_N] = {20, 40, 40, 20};
static double op_total[OP_N];
static long op_count[OP_N];

static double op_avg(int op)
{
	return op_count[op] ? op_total[op] / (double)op_count[op] : 0;
}

static char now_text[32];
static const char *g_fault;

static void set_now(int32_t day, int hour)
{
	char d[11];
	date_str(day, d);
	snprintf(now_text, sizeof now_text, "%sT%02d:%02d:00", d, hour, 0);
}

static void drain(int fd, char **buf, size_t *n, size_t *cap, int *open_)
{
	if (*n + 65536 > *cap) {
		*cap = (*n + 65536) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	ssize_t k = read(fd, *buf + *n, *cap - *n - 1);
	if (k > 0)
		*n += (size_t)k;
	else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(fd);
		*open_ = 0;
	}
}

/*
 * Run the binary with args (NULL-terminated), the passphrase pass (NULL:
 * none), stdin text in (NULL: /dev/null), killing it with SIGKILL after
 * kill_us microseconds when kill_us > 0.
 */
static void run_v(res *r, int op, const char *pass, const char *in, long kill_us,
		  const char *const *args)
{
	int po[2], pe[2], pi[2];
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || pipe2(pi, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (chdir(root) != 0)
			_exit(126);
		/* a process that crashed would leave its core here, to be
		 * scanned (core_pattern permitting): the program turns them
		 * off itself */
		struct rlimit rl;
		if (getrlimit(RLIMIT_CORE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_CORE, &rl);
		}
		setenv("FIELDVISIT_NOW", now_text, 1);
		if (pass)
			setenv("FIELDVISIT_PASSPHRASE", pass, 1);
		else
			unsetenv("FIELDVISIT_PASSPHRASE");
		if (g_fault)
			setenv("FIELDVISIT_FAULT", g_fault, 1);
		else
			unsetenv("FIELDVISIT_FAULT");
		const char *argv[48];
		size_t n = 0;
		argv[n++] = opt.bin;
		for (size_t i = 0; args[i] && n < 47; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		execv(opt.bin, (char *const *)argv);
		_exit(127);
	}
	fig.processes++;
	close(po[1]);
	close(pe[1]);
	close(pi[0]);
	if (in) {
		size_t len = strlen(in), off = 0;
		while (off < len) {
			ssize_t k = write(pi[1], in + off, len - off);
			if (k <= 0)
				break;
			off += (size_t)k;
		}
	}
	close(pi[1]);
	char *ob = NULL, *eb = NULL;
	size_t on = 0, oc = 0, en = 0, ec = 0;
	int oo = 1, eo = 1, killed = 0;
	double deadline = kill_us > 0 ? t0 + (double)kill_us / 1e6 : 0;
	while (oo || eo) {
		struct pollfd p[2];
		int np = 0;
		if (oo)
			p[np++] = (struct pollfd){.fd = po[0], .events = POLLIN};
		if (eo)
			p[np++] = (struct pollfd){.fd = pe[0], .events = POLLIN};
		int timeout = -1;
		if (deadline > 0 && !killed) {
			double left = deadline - now_s();
			if (left <= 0) {
				kill(pid, SIGKILL);
				killed = 1;
				continue;
			}
			struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
			int k = ppoll(p, (nfds_t)np, &ts, NULL);
			if (k < 0 && errno != EINTR)
				die("poll: %s", strerror(errno));
			if (k <= 0)
				continue;
		} else if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR) {
			die("poll: %s", strerror(errno));
		}
		for (int i = 0; i < np; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (p[i].fd == po[0])
				drain(po[0], &ob, &on, &oc, &oo);
			else
				drain(pe[0], &eb, &en, &ec, &eo);
		}
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	r->ms = (now_s() - t0) * 1000.0;
	if (!ob)
		ob = xmalloc(1);
	if (!eb)
		eb = xmalloc(1);
	ob[on] = '\0';
	eb[en] = '\0';
	r->out = ob;
	r->err = eb;
	if (WIFSIGNALED(st))
		r->code = WTERMSIG(st) == SIGKILL && killed ? -1 : -2;
	else
		r->code = WEXITSTATUS(st);
	if (r->code == -2)
		fail("%s %s: killed by signal %d: %s", args[0], args[1] ? args[1] : "", WTERMSIG(st),
		     eb);
	if (r->code >= 0)
		op_ms[op] = op_ms[op] * 0.9 + r->ms * 0.1;
	op_total[op] += r->ms;
	op_count[op]++;
}

#define RUN(r, op, pass, in, kill_us, ...)                                                          \
	run_v((r), (op), (pass), (in), (kill_us), (const char *const[]){__VA_ARGS__, NULL})

/* a point to kill a command of kind op at, or 0 to let it run */
static long kill_point(int op, int allow)
{
	stream = &rng_kill;
	long us = 0;
	if (allow && chance(opt.kill_rate)) {
		double ms = op_ms[op] * (0.1 + 1.1 * (double)(rnd() % 1000) / 1000.0);
		us = (long)(ms * 1000.0);
		if (us < 200)
			us = 200;
	}
	stream = &rng;
	return us;
}

static json_t *parse_json(const char *text, const char *what)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		die("%s: not JSON (%s): %.200s", what, e.text, text);
	return j;
}

/* ------------------------------------------------------------------ the world */

enum { CAT_ZILI, CAT_SHIDU };
static const char *const cat_code[] = {"zili", "shidu"};

typedef struct {
	char id[40];
	int worker;
	int cat;
	int32_t since;     /* the day it was registered */
	int dup;           /* registered twice: a conflict at the supervisor */
	int plan;          /* the workday of the period it is visited on */
	int at_sup;        /* the supervisor has it (roster, or received) */
	char alert[40];    /* an open alert */
	int32_t alert_day;
	char village[64];
	int nvisits, *visits, cvisits;
} person;

typedef struct {
	char id[40];
	int person, worker;
	int32_t day;
	int minutes;
	int phq9, q9;
	int nq, ans[9];    /* the answers of the latest version */
	int version;       /* the latest version (a correction adds one) */
	int review;        /* of the latest version: 0 none, 1 approved, 2 returned */
	int to_review;     /* the supervisor will review it */
	long review_clock;
	int returned_here; /* the worker's store has the return */
	int32_t returned_day; /* the day it reached the worker */
	int conflict;
} visit;

typedef struct {
	char name[16], village[64], dir[2048], store[PATH_MAX], pass[64];
	char key[17];      /* the store's key id in hex */
	int laptop, recovered;
	int *people;
	size_t npeople, cpeople;
	char **down;       /* down-bundles waiting for the worker (carried) */
	long *down_clock;
	int *down_damaged;
	size_t ndown, cdown;
	char **held;       /* up-bundles kept back to arrive out of order */
	int *held_damaged;
	size_t nheld, cheld;
} worker;

static person *P;
static size_t nP, cP;
static visit *V;
static size_t nV, cV;
static worker *W;
static char sup_store[PATH_MAX], sup_pass[] = "supervisor-pass-1", team_key[PATH_MAX];
static char stick[2048];
static long g_clock, trips;
static long rid_serial;

static void person_visit(int pi, int vi)
{
	person *p = &P[pi];
	GROW(p->visits, p->nvisits, p->cvisits);
	p->visits[p->nvisits++] = vi;
}

/* an 18-character resident ID with its check digit (ISO 7064 MOD 11-2) */
static void resident_id(char out[19], char birth[11], int *male)
{
	long s = rid_serial++;
	int32_t b = days_of(1930, 1, 1) + (int32_t)(s / 400) * 37 % 12000;
	int y, m, d;
	ymd_of(b, &y, &m, &d);
	snprintf(birth, 11, "%04d-%02d-%02d", y, m, d);
	int seq = (int)(s % 400) * 2 + (int)(s / 400 % 2);
	*male = seq % 2;
	snprintf(out, 19, "110105%04d%02d%02d%03d", y, m, d, seq);
	static const int wt[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * wt[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
static const char *const given[] = {"秀英", "桂英", "建国", "玉兰", "德明", "淑珍", "志强", "凤英"};

/* Register a person in store (as pass); returns its index, or -1. */
static int add_person(const char *store, const char *pass, int w, int cat, const char *rid_in)
{
	char rid[19], birth[11], name[128], hh[64], village[64];
	int male;
	resident_id(rid, birth, &male);
	if (rid_in) {
		memcpy(rid, rid_in, 19);
		/* the birth and sex of the ID */
		snprintf(birth, 11, "%.4s-%.2s-%.2s", rid + 6, rid + 10, rid + 12);
		male = (rid[16] - '0') % 2;
	}
	snprintf(name, sizeof name, "%s%s%s%ld", surnames[below(10)], given[below(8)], canaries[0],
		 (long)nP);
	snprintf(hh, sizeof hh, "%s%d-%ld", canaries[5], w, (long)nP / 3);
	snprintf(village, sizeof village, "%s", W[w].village);
	res r = {0};
	RUN(&r, OP_OTHER, pass, NULL, 0, "person", "add", "--store", store, "--name", name, "--id",
	    rid, "--sex", male ? "male" : "female", "--birth", birth, "--village", village,
	    "--household", hh, "--category", cat_code[cat], "--phone", "13800138000");
	if (r.code != 0) {
		fail("person add: exit %d: %s", r.code, r.err);
		res_free(&r);
		return -1;
	}
	GROW(P, nP, cP);
	person *p = &P[nP];
	memset(p, 0, sizeof *p);
	snprintf(p->id, sizeof p->id, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	p->worker = w;
	p->cat = cat;
	p->since = today;
	p->plan = below(20);
	snprintf(p->village, sizeof p->village, "%s", village);
	res_free(&r);
	worker *wk = &W[w];
	GROW(wk->people, wk->npeople, wk->cpeople);
	wk->people[wk->npeople++] = (int)nP;
	fig.people_added++;
	return (int)nP++;
}

/* ------------------------------------------------------------------ the stick */

static void ensure_dir(const char *p)
{
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		die("mkdir %s: %s", p, strerror(errno));
}

/* Move every finished bundle on the stick into a trip folder of its own
 * (so that a name used twice, after a fork, keeps both files); returns
 * their paths. */
static size_t take_bundles(char ***out)
{
	DIR *d = opendir(stick);
	if (!d)
		die("opendir %s", stick);
	size_t n = 0;
	char **list = NULL;
	struct dirent *e;
	char trip[PATH_MAX + 32];
	snprintf(trip, sizeof trip, "%s/t%06ld", stick, ++trips);
	int made = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".fvb") != 0)
			continue;
		if (!made) {
			ensure_dir(trip);
			made = 1;
		}
		char from[PATH_MAX + 300], to[PATH_MAX + 300];
		snprintf(from, sizeof from, "%s/%s", stick, e->d_name);
		snprintf(to, sizeof to, "%s/%s", trip, e->d_name);
		if (rename(from, to) != 0)
			die("rename %s: %s", from, strerror(errno));
		list = xrealloc(list, (n + 1) * sizeof *list);
		list[n++] = xstrdup(to);
	}
	closedir(d);
	*out = list;
	return n;
}

/* damage a bundle as a bad stick does: cut short, or bytes changed */
static void damage(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	fig.damaged++;
	if (chance(0.5) || st.st_size < 2) {
		off_t to = st.st_size > 1 ? (off_t)(rnd() % (uint64_t)st.st_size) : 0;
		if (truncate(path, to) != 0)
			fail("truncate %s", path);
		note("damaged (cut to %ld of %ld) %s", (long)to, (long)st.st_size, path);
		return;
	}
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return;
	int flips = 1 + below(4);
	for (int i = 0; i < flips; i++) {
		off_t at = (off_t)(rnd() % (uint64_t)st.st_size);
		unsigned char c;
		if (pread(fd, &c, 1, at) == 1) {
			c ^= (unsigned char)(1u << below(8));
			if (pwrite(fd, &c, 1, at) != 1)
				fail("pwrite %s", path);
		}
	}
	close(fd);
	note("damaged (%d bytes changed) %s", flips, path);
}

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out;
	if (in < 0)
		die("open %s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0)
		die("open %s: %s", to, strerror(errno));
	char buf[65536];
	ssize_t k;
	while ((k = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)k) != k)
			die("write %s", to);
	close(in);
	close(out);
}

/* ------------------------------------------------------------------ export and import */

/*
 * Export from a store (the supervisor's: for worker w) until a bundle is
 * written or there is nothing to send; with faults, a stick that is full
 * or pulled, and SIGKILL at a random point.  Every bundle that reached
 * the stick, also from a killed attempt, is taken.  Returns 1 when the
 * last attempt had nothing to send.
 */
static int export_bundles(int sup, int w, int faults, char ***files, size_t *nfiles,
			  long **clocks)
{
	const char *store = sup ? sup_store : W[w].store;
	const char *pass = sup ? sup_pass : W[w].pass;
	int nothing = 0;
	*files = NULL;
	*nfiles = 0;
	if (clocks)
		*clocks = NULL;
	for (int attempt = 0;; attempt++) {
		long clock = ++g_clock;
		char fault[32] = "";
		g_fault = NULL;
		int may = faults && attempt < 4;
		stream = &rng_kill;
		if (may && chance(opt.damage_rate / 4)) {
			/* a full stick, or one pulled while the file is written */
			int full = chance(0.5);
			snprintf(fault, sizeof fault, "%s:%d", full ? "bfull" : "bwrite", 1 + below(3));
			g_fault = fault;
		}
		stream = &rng;
		long k = g_fault ? 0 : kill_point(OP_EXPORT, may);
		res r = {0};
		if (sup)
			RUN(&r, OP_EXPORT, pass, NULL, k, "bundle", "export", "--to", stick, "--worker",
			    W[w].name, "--store", store);
		else
			RUN(&r, OP_EXPORT, pass, NULL, k, "bundle", "export", "--to", stick, "--store",
			    store);
		g_fault = NULL;
		char **got;
		size_t ngot = take_bundles(&got);
		for (size_t i = 0; i < ngot; i++) {
			*files = xrealloc(*files, (*nfiles + 1) * sizeof **files);
			(*files)[*nfiles] = got[i];
			if (clocks) {
				*clocks = xrealloc(*clocks, (*nfiles + 1) * sizeof **clocks);
				(*clocks)[*nfiles] = clock;
			}
			(*nfiles)++;
		}
		free(got);
		if (r.code == -1) {
			fig.kills++;
			fig.kills_export++;
			note("killed export (%s) after %.1f ms, %zu files", sup ? "sup" : W[w].name, r.ms,
			     ngot);
			res_free(&r);
			/* a bundle on the stick: now and then it is carried as it
			 * is, and the next export waits for the next meeting */
			if (ngot && chance(0.5)) {
				fig.orphans++;
				break;
			}
			continue;
		}
		if (fault[0] && r.code == 4 && may && ngot == 0 &&
		    strstr(r.err, "nothing was changed")) {
			if (strstr(r.err, "No space left"))
				fig.full++;
			else
				fig.pulled++;
			res_free(&r);
			continue;
		}
		if (r.code != 0) {
			fail("bundle export (%s): exit %d: %s", sup ? "supervisor" : W[w].name, r.code,
			     r.err);
			res_free(&r);
			return 0;
		}
		nothing = strstr(r.err, "nothing to send") != NULL;
		res_free(&r);
		break;
	}
	return nothing;
}

/*
 * Import one bundle, killing the import at random points and running it
 * again until it ends.  Returns 1 when the bundle is in the store (now,
 * or by an attempt that was killed after its commit), 0 when it was
 * refused (which a damaged bundle must be), -1 when it was a replay of a
 * bundle imported before the call.
 */
static int import_bundle(const char *store, const char *pass, const char *file, int damaged,
			 int faults)
{
	int killed_before = 0;
	for (int attempt = 0;; attempt++) {
		long k = kill_point(OP_IMPORT, faults && attempt < 4);
		res r = {0};
		RUN(&r, OP_IMPORT, pass, NULL, k, "bundle", "import", file, "--store", store);
		if (r.code == -1) {
			fig.kills++;
			fig.kills_import++;
			killed_before = 1;
			res_free(&r);
			continue;
		}
		if (r.code == 0) {
			if (damaged)
				fail("a damaged bundle was imported: %s", file);
			if (strstr(r.err, "fork"))
				fig.forks++;
			res_free(&r);
			return 1;
		}
		if (r.code == 1 && strstr(r.err, "replayed")) {
			res_free(&r);
			if (killed_before)
				return 1;
			fig.replayed++;
			return -1;
		}
		if (r.code == 1 && damaged) {
			/* one line, naming the file */
			if (strncmp(r.err, "fieldvisit: ", 12) != 0 || strchr(r.err, '\n') != r.err +
			    strlen(r.err) - 1)
				fail("a damaged bundle's refusal is not one line: %s", r.err);
			fig.refused_ok++;
			res_free(&r);
			return 0;
		}
		fail("bundle import %s: exit %d: %s", file, r.code, r.err);
		res_free(&r);
		return 0;
	}
}

/* ------------------------------------------------------------------ the team */

static void set_worker_paths(worker *wk)
{
	snprintf(wk->dir, sizeof wk->dir, "%s/%s-laptop%d", root, wk->name, wk->laptop);
	ensure_dir(wk->dir);
	snprintf(wk->store, sizeof wk->store, "%s/%s.fv", wk->dir, wk->name);
}

static void setup_team(void)
{
	res r = {0};
	char d[2048];
	snprintf(d, sizeof d, "%s/supervisor", root);
	ensure_dir(d);
	snprintf(sup_store, sizeof sup_store, "%s/sup.fv", d);
	snprintf(d, sizeof d, "%s/keys", root);
	ensure_dir(d);
	snprintf(team_key, sizeof team_key, "%s/team.key", d);
	RUN(&r, OP_OTHER, sup_pass, NULL, 0, "init", "--role", "supervisor", "--name", "Boss",
	    "--store", sup_store, "--recovery-key", team_key);
	if (r.code != 0)
		die("init supervisor: %s", r.err);
	res_free(&r);

	/* the roster: every village's people, registered by the supervisor */
	W = calloc((size_t)opt.workers, sizeof *W);
	for (int w = 0; w < opt.workers; w++) {
		snprintf(W[w].name, sizeof W[w].name, "w%02d", w + 1);
		snprintf(W[w].village, sizeof W[w].village, "村%02d", w + 1);
		snprintf(W[w].pass, sizeof W[w].pass, "worker-%02d-pass-0", w + 1);
	}
	for (int i = 0; i < opt.people; i++) {
		int w = i % opt.workers;
		int pi = add_person(sup_store, sup_pass, w, chance(opt.zili) ? CAT_ZILI : CAT_SHIDU,
				  NULL);
		if (pi >= 0)
			P[pi].at_sup = 1;
	}
	/* invitations, joins, hellos */
	for (int w = 0; w < opt.workers; w++) {
		worker *wk = &W[w];
		RUN(&r, OP_OTHER, sup_pass, NULL, 0, "team", "invite", wk->name, "--village", wk->village,
		    "--to", stick, "--store", sup_store);
		char *c = strstr(r.err, "invitation code for ");
		char code[64] = "";
		if (r.code != 0 || !c || sscanf(strchr(c, ':') + 2, "%63[A-Z0-9-]", code) != 1)
			die("team invite %s: %s", wk->name, r.err);
		char inv[PATH_MAX];
		snprintf(inv, sizeof inv, "%.*s", (int)strcspn(r.out, "\n"), r.out);
		res_free(&r);
		set_worker_paths(wk);
		RUN(&r, OP_OTHER, wk->pass, NULL, 0, "init", "--join", inv, "--code", code, "--to",
		    stick, "--store", wk->store);
		if (r.code != 0)
			die("init --join %s: %s", wk->name, r.err);
		res_free(&r);
		char **hello;
		size_t nh = take_bundles(&hello);
		if (nh != 1)
			die("init --join %s: %zu hello bundles", wk->name, nh);
		const char *base = strrchr(hello[0], '/') + 1;
		if (strncmp(base, "hello-", 6) != 0)
			die("hello name %s", base);
		memcpy(wk->key, base + 6, 16);
		if (import_bundle(sup_store, sup_pass, hello[0], 0, 0) != 1)
			die("hello of %s not imported", wk->name);
		unlink(hello[0]);
		free(hello[0]);
		free(hello);
		unlink(inv);
	}
}

/* the person's visits that count in the worker's schedule */
static int counted_days(const person *p, int32_t from, int32_t to, int min)
{
	int32_t last = -1;
	int n = 0;
	/* visits are logged in day order */
	for (int i = 0; i < p->nvisits; i++) {
		const visit *v = &V[p->visits[i]];
		if (v->day < from || v->day > to || v->returned_here || (min > 0 && v->minutes < min))
			continue;
		if (v->day != last)
			n++;
		last = v->day;
	}
	return n;
}

/* The recount of a schedule: does the person owe a regular visit, a
 * make-up, on day d?  (fieldvisit-rules(5): a period's visit is not
 * asked in the period of registration; a short previous period is made
 * up when its rule says so.) */
static void owed(const person *p, int32_t d, int *regular, int *makeup)
{
	int min = p->cat == CAT_ZILI ? 60 : 0;
	int32_t first = p->cat == CAT_ZILI ? month_first(d) : quarter_first(d);
	*regular = *makeup = 0;
	if (p->since >= first)
		return;
	int k = counted_days(p, first, d, min);
	*regular = k < 1;
	if (p->cat != CAT_ZILI)
		return;
	int32_t pfirst = month_first(first - 1);
	if (p->since < pfirst && counted_days(p, pfirst, first - 1, min) < 1)
		*makeup = (k > 1 ? k - 1 : 0) < 1;
}

/* ------------------------------------------------------------------ visits */

static int find_visit_on(const char *store, const char *pass, const person *p, int32_t day,
			 char id[40])
{
	char d[11];
	date_str(day, d);
	res r = {0};
	RUN(&r, OP_OTHER, pass, NULL, 0, "visit", "list", "--person", p->id, "--json", "--store",
	    store);
	if (r.code != 0)
		die("visit list --person: %s", r.err);
	json_t *a = parse_json(r.out, "visit list");
	int found = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		const char *vd = json_string_value(json_object_get(v, "visit_date"));
		const char *vid = json_string_value(json_object_get(v, "id"));
		if (vd && vid && strcmp(vd, d) == 0) {
			/* the simulation visits a person at most once a day */
			int known = 0;
			for (int j = 0; j < p->nvisits; j++)
				if (strcmp(V[p->visits[j]].id, vid) == 0)
					known = 1;
			if (!known) {
				snprintf(id, 40, "%s", vid);
				found++;
			}
		}
	}
	json_decref(a);
	res_free(&r);
	if (found > 1)
		fail("a killed submit left %d visits of one person on %s", found, d);
	return found > 0;
}

static const char *const sat[] = {"very_satisfied", "satisfied", "fairly_satisfied",
				  "dissatisfied", "very_dissatisfied"};
/* the satisfaction the supervisor's callbacks recorded, per month: surveys
 * and each rating counted over the four questions */
static long sat_count[400][7];

/* One visit of worker w to person pi today: submit (killed at random and
 * resolved), log it.  Returns the visit's index or -1. */
static int do_visit(int w, int pi, int slot, int faults)
{
	worker *wk = &W[w];
	person *p = &P[pi];
	int phq = chance(0.35), q9 = phq && chance(0.06) ? 1 + below(3) : 0;
	int minutes = p->cat == CAT_ZILI ? (chance(0.06) ? 30 + below(29) : 60 + below(40))
					 : 20 + below(60);
	static const int phq_max[8] = {4, 4, 3, 3, 2, 2, 2, 2}, gad_max[7] = {4, 4, 4, 3, 3, 2, 2};
	int nq = phq ? 9 : 7, ans[9] = {0};
	for (int i = 0; i < nq; i++)
		ans[i] = i == 8 ? q9 : below(phq ? phq_max[i] : gad_max[i]);
	char answers[256];
	size_t alen = 0;
	for (int i = 0; i < nq; i++)
		alen += (size_t)snprintf(answers + alen, sizeof answers - alen, "%s\"q%d\":%d",
					 i ? "," : "{", i + 1, ans[i]);
	snprintf(answers + alen, sizeof answers - alen, "}");
	char d[11], in[32], out[32];
	date_str(today, d);
	int start = 8 * 60 + slot * 7 % 480;
	snprintf(in, sizeof in, "%sT%02d:%02d", d, start / 60, start % 60);
	int end = start + minutes;
	snprintf(out, sizeof out, "%sT%02d:%02d", d, end / 60, end % 60);
	char id[40] = "";
	for (int attempt = 0;; attempt++) {
		long k = kill_point(OP_SUBMIT, faults && attempt < 4);
		res r = {0};
		RUN(&r, OP_SUBMIT, wk->pass, answers, k, "visit", "submit", phq ? "phq9" : "gad7",
		    "--person", p->id, "--answers", "-", "--checkin", in, "--checkout", out,
		    "--services", "comfort,errands", "--store", wk->store);
		if (r.code == -1) {
			fig.kills++;
			fig.kills_submit++;
			res_free(&r);
			/* landed or not? */
			if (find_visit_on(wk->store, wk->pass, p, today, id)) {
				note("killed submit had landed: %s", id);
				break;
			}
			continue;
		}
		if (r.code != 0) {
			fail("visit submit (%s): exit %d: %s", wk->name, r.code, r.err);
			res_free(&r);
			return -1;
		}
		snprintf(id, sizeof id, "%.*s", (int)strcspn(r.out, "\n"), r.out);
		res_free(&r);
		break;
	}
	GROW(V, nV, cV);
	visit *v = &V[nV];
	memset(v, 0, sizeof *v);
	snprintf(v->id, sizeof v->id, "%s", id);
	v->person = pi;
	v->worker = w;
	v->day = today;
	v->minutes = minutes;
	v->phq9 = phq;
	v->q9 = q9;
	v->nq = nq;
	memcpy(v->ans, ans, sizeof ans);
	v->version = 1;
	v->conflict = p->dup;
	v->to_review = chance(opt.review);
	person_visit(pi, (int)nV);
	fig.visits++;
	if (p->dup) {
		fig.conflicts_expected++;
		fig.conflict_visits++;
	}
	/* an alert: refer it at once; close it after the next visit */
	if (p->alert[0] && p->alert_day < today) {
		res r = {0};
		RUN(&r, OP_OTHER, wk->pass, NULL, 0, "alert", "close", p->alert, "--store", wk->store);
		if (r.code != 0)
			fail("alert close %s: %s", p->alert, r.err);
		else
			fig.alerts_closed++;
		res_free(&r);
		p->alert[0] = '\0';
	}
	if (q9 > 0 && !p->alert[0]) {
		fig.alerts++;
		res r = {0};
		RUN(&r, OP_OTHER, wk->pass, NULL, 0, "alert", "list", "--person", p->id, "--json",
		    "--store", wk->store);
		json_t *a = parse_json(r.out, "alert list");
		json_t *al = json_array_get(a, 0);
		const char *aid = json_string_value(json_object_get(al, "id"));
		if (!aid) {
			fail("no open alert after PHQ-9 item 9 = %d", q9);
		} else {
			snprintf(p->alert, sizeof p->alert, "%s", aid);
			p->alert_day = today;
			char done[128], fu[11];
			snprintf(done, sizeof done, "%s: called the township doctor", canaries[3]);
			date_str(today + 7, fu);
			res r2 = {0};
			RUN(&r2, OP_OTHER, wk->pass, NULL, 0, "alert", "refer", aid, "--to",
			    "镇卫生院", "--on", d, "--done", done, "--follow-up", fu, "--store",
			    wk->store);
			if (r2.code != 0)
				fail("alert refer: %s", r2.err);
			res_free(&r2);
		}
		json_decref(a);
		res_free(&r);
	}
	return (int)nV++;
}

/* The supervisor calls a person back about the service (satisfaction). */
static void callback(int pi)
{
	person *p = &P[pi];
	int visited = !chance(0.05), complaint = visited && chance(0.1);
	int rate[4];
	char in[512], extra[256] = "";
	for (int i = 0; i < 4; i++)
		rate[i] = below(5);
	if (complaint)
		snprintf(extra, sizeof extra, ",\"complaint_text\":\"%s 来晚了\"", canaries[2]);
	if (visited)
		snprintf(in, sizeof in,
			 "{\"method\":\"phone\",\"respondent\":\"%s\",\"visited\":\"yes\","
			 "\"attitude\":\"%s\",\"timeliness\":\"%s\",\"quality\":\"%s\",\"overall\":\"%s\","
			 "\"complaint\":\"%s\"%s,\"suggestion\":\"%s 多来看看\"}",
			 chance(0.7) ? "self" : "family", sat[rate[0]], sat[rate[1]], sat[rate[2]],
			 sat[rate[3]], complaint ? "yes" : "no", extra, canaries[1]);
	else
		snprintf(in, sizeof in,
			 "{\"method\":\"phone\",\"respondent\":\"self\",\"visited\":\"no\","
			 "\"not_visited_note\":\"%s\",\"complaint\":\"no\"}",
			 canaries[1]);
	char d[11], ci[32], co[32];
	date_str(today, d);
	snprintf(ci, sizeof ci, "%sT16:%02d", d, below(50));
	snprintf(co, sizeof co, "%sT16:55", d);
	res r = {0};
	RUN(&r, OP_OTHER, sup_pass, in, 0, "visit", "submit", "satisfaction", "--person", p->id,
	    "--answers", "-", "--checkin", ci, "--checkout", co, "--store", sup_store);
	if (r.code != 0) {
		fail("satisfaction callback: exit %d: %s", r.code, r.err);
		res_free(&r);
		return;
	}
	res_free(&r);
	int y, m, dd;
	ymd_of(today, &y, &m, &dd);
	long *c = sat_count[(y - 2026) * 12 + m - 1];
	c[0]++;
	if (!visited)
		c[6]++;
	else
		for (int i = 0; i < 4; i++)
			c[1 + rate[i]]++;
	fig.callbacks++;
}

/* the score of a visit's answers, as the forms work it out */
static int score_of(const visit *v)
{
	int n = 0;
	for (int i = 0; i < v->nq; i++)
		n += v->ans[i];
	return n;
}

static int settling; /* the meetings after the field work */

static uint64_t rng_seed_of(size_t j, int version)
{
	uint64_t z = opt.seed * 0x2545f4914f6cdd1dULL + (uint64_t)j * 0x9e3779b97f4a7c15ULL +
		     (uint64_t)version;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The alerts of visit v in its worker's store, open or closed: one. */
static void one_alert_of(worker *wk, const visit *v)
{
	res r = {0};
	RUN(&r, OP_OTHER, wk->pass, NULL, 0, "alert", "list", "--person", P[v->person].id, "--all",
	    "--json", "--store", wk->store);
	if (r.code != 0)
		die("alert list: %s", r.err);
	json_t *a = parse_json(r.out, "alert list");
	size_t k, n = 0;
	json_t *al;
	json_array_foreach(a, k, al) {
		const char *of = json_string_value(json_object_get(al, "visit"));
		n += of && strcmp(of, v->id) == 0;
	}
	json_decref(a);
	res_free(&r);
	fig.corrected_alerts++;
	if (n != 1)
		fail("visit %s corrected with item 9 still above 0: %zu alerts, not 1", v->id, n);
}

/* Worker w corrects the visits returned to it on an earlier day (all of
 * them, when settling): one answer changed (never PHQ-9 item 9), the
 * next version submitted, killed at random like a submit; `visit show`
 * tells whether a killed one landed, and `visit correct` again finishes
 * what it left (also a draft of the next version). */
static void correct_returns(int w, int faults)
{
	worker *wk = &W[w];
	for (size_t j = 0; j < nV; j++) {
		visit *v = &V[j];
		if (v->worker != w || !v->returned_here || v->conflict ||
		    (!settling && v->returned_day >= today))
			continue;
		/* the change drawn from the visit and its version, not the
		 * scenario's stream: when a return arrives depends on kills */
		uint64_t h = rng_seed_of(j, v->version);
		int item = (int)(h % (uint64_t)(v->nq == 9 ? 8 : v->nq)), was = v->ans[item];
		int val = (was + 1 + (int)((h >> 32) % 3)) % 4;
		char answers[64];
		snprintf(answers, sizeof answers, "{\"q%d\":%d}", item + 1, val);
		v->ans[item] = val;
		int want_score = score_of(v), landed = 0;
		json_t *got = NULL;
		for (int attempt = 0; !landed; attempt++) {
			long k = kill_point(OP_SUBMIT, faults && attempt < 4);
			res r = {0};
			RUN(&r, OP_SUBMIT, wk->pass, answers, k, "visit", "correct", v->id, "--answers",
			    "-", "--json", "--store", wk->store);
			if (r.code == -1) {
				fig.kills++;
				fig.kills_correct++;
				res_free(&r);
				/* landed or not? */
				RUN(&r, OP_OTHER, wk->pass, NULL, 0, "visit", "show", v->id, "--json",
				    "--store", wk->store);
				if (r.code != 0)
					die("visit show %s: %s", v->id, r.err);
				json_t *sh = parse_json(r.out, "visit show");
				res_free(&r);
				int ver = (int)json_integer_value(json_object_get(sh, "version"));
				const char *st = json_string_value(json_object_get(sh, "state"));
				if (ver == v->version + 1 && st && strcmp(st, "draft") != 0) {
					note("killed correct had landed: %s", v->id);
					got = sh;
					landed = 1;
				} else {
					if (ver != v->version && ver != v->version + 1)
						fail("a killed correct left %s at version %d (was %d)", v->id,
						     ver, v->version);
					json_decref(sh);
				}
				continue;
			}
			if (r.code != 0) {
				fail("visit correct %s (%s): exit %d: %s", v->id, wk->name, r.code, r.err);
				res_free(&r);
				v->ans[item] = was;
				return;
			}
			got = parse_json(r.out, "visit correct");
			res_free(&r);
			landed = 1;
		}
		long ver = (long)json_integer_value(json_object_get(got, "version"));
		double score = json_number_value(json_object_get(got, "score"));
		if (ver != v->version + 1 || score != (double)want_score)
			fail("visit correct %s: version %ld score %g, the simulation expects %d and %d",
			     v->id, ver, score, v->version + 1, want_score);
		json_decref(got);
		note("%s corrected %s to version %d (q%d %d -> %d)", wk->name, v->id, v->version + 1,
		     item + 1, was, val);
		if (v->q9)   /* still item 9 above 0: the visit's one alert, no second */
			one_alert_of(wk, v);
		v->version++;
		v->review = 0;
		v->returned_here = 0;
		v->to_review = 1;
		fig.corrections++;
	}
}

/* ------------------------------------------------------------------ a meeting */

/* worker w imports what was carried to it: each down-bundle in the order
 * carried; returns delivered to the visits' log */
static void worker_imports(int w, int faults)
{
	worker *wk = &W[w];
	size_t n = wk->ndown;
	for (size_t i = 0; i < n; i++) {
		const char *f = wk->down[i];
		int rc = import_bundle(wk->store, wk->pass, f, wk->down_damaged[i], faults);
		if (rc == 1) {
			for (size_t j = 0; j < nV; j++) {
				visit *v = &V[j];
				if (v->worker == w && v->review == 2 && !v->returned_here &&
				    v->review_clock < wk->down_clock[i]) {
					v->returned_here = 1;
					v->returned_day = today;
					fig.returns_delivered++;
				}
			}
		}
		if (faults && chance(opt.damage_rate / 4) && !wk->down_damaged[i] && rc == 1) {
			/* carried twice */
			fig.twice++;
			if (import_bundle(wk->store, wk->pass, f, 0, 0) != -1)
				fail("a down-bundle carried twice was not refused as replayed: %s", f);
		}
		unlink(f);
		free(wk->down[i]);
	}
	wk->ndown = 0;
}

/* the supervisor imports what the worker exported */
static void sup_imports(int w, char **files, size_t n, int faults)
{
	worker *wk = &W[w];
	/* the order they arrive in: now the ones kept back, then these (or
	 * some of these kept back for next time) */
	char **list = NULL;
	int *dmg = NULL;
	size_t nl = 0;
	for (size_t i = 0; i < wk->nheld; i++) {
		list = xrealloc(list, (nl + 1) * sizeof *list);
		dmg = xrealloc(dmg, (nl + 1) * sizeof *dmg);
		list[nl] = wk->held[i];
		dmg[nl++] = wk->held_damaged[i];
	}
	wk->nheld = 0;
	for (size_t i = 0; i < n; i++) {
		int damaged = 0;
		fig.bundles_up++;
		if (faults && chance(opt.damage_rate / 4)) {
			fig.lost++;
			unlink(files[i]);
			free(files[i]);
			continue;
		}
		if (faults && chance(opt.damage_rate)) {
			damage(files[i]);
			damaged = 1;
		}
		if (faults && chance(opt.damage_rate / 4)) {
			fig.held++;
			GROW(wk->held, wk->nheld, wk->cheld);
			wk->held_damaged = xrealloc(wk->held_damaged, wk->cheld * sizeof *wk->held_damaged);
			wk->held[wk->nheld] = files[i];
			wk->held_damaged[wk->nheld++] = damaged;
			continue;
		}
		list = xrealloc(list, (nl + 1) * sizeof *list);
		dmg = xrealloc(dmg, (nl + 1) * sizeof *dmg);
		list[nl] = files[i];
		dmg[nl++] = damaged;
	}
	for (size_t i = 0; i < nl; i++) {
		int rc = import_bundle(sup_store, sup_pass, list[i], dmg[i], faults);
		if (faults && rc == 1 && chance(opt.damage_rate / 4)) {
			fig.twice++;
			if (import_bundle(sup_store, sup_pass, list[i], 0, 0) != -1)
				fail("an up-bundle carried twice was not refused as replayed");
		}
		unlink(list[i]);
		free(list[i]);
	}
	free(list);
	free(dmg);
}

/* the supervisor reviews some of what came: approves, or returns with a
 * comment */
static void sup_reviews(int w)
{
	for (size_t j = 0; j < nV; j++) {
		visit *v = &V[j];
		if (v->worker != w || !v->to_review || v->review || v->conflict || v->day >= today)
			continue;
		/* a correction is returned again rarely, and not once the
		 * field work is over */
		int ret = chance(v->version > 1 ? (settling ? 0 : 0.05) : 0.15);
		char comment[128];
		snprintf(comment, sizeof comment, "%s: the care level is missing", canaries[4]);
		res r = {0};
		if (ret)
			RUN(&r, OP_OTHER, sup_pass, NULL, 0, "review", v->id, "return", "--comment",
			    comment, "--store", sup_store);
		else
			RUN(&r, OP_OTHER, sup_pass, NULL, 0, "review", v->id, "approve", "--store",
			    sup_store);
		if (r.code == 0) {
			v->review = ret ? 2 : 1;
			v->review_clock = ++g_clock;
			if (v->version > 1)
				fig.rereviewed++;
			if (ret) {
				fig.returns++;
				/* corrected like any other: the visit's alert
				 * stays the one it raised */
				fig.returns_fixable++;
				if (v->q9)
					fig.returns_alert++;
			} else
				fig.approvals++;
		} else if (r.code != 1 || !strstr(r.err, "no visit")) {
			/* not received yet (lost or kept back): later */
			if (!strstr(r.err, "not found") && !strstr(r.err, "no such"))
				note("review %s: %s", v->id, r.err);
		}
		res_free(&r);
		if (v->review && !ret && chance(0.15))
			callback(v->person);
	}
}

/* One meeting of worker w with the supervisor: the worker imports what
 * was carried to it, exports, the supervisor imports, reviews and
 * writes the worker's down-bundle, which waits for the next meeting (or
 * is imported at once).  Returns 1 when neither side had anything. */
static int meeting(int w, int faults)
{
	worker *wk = &W[w];
	worker_imports(w, faults);
	char **up;
	size_t nup;
	int quiet_up = export_bundles(0, w, faults, &up, &nup, NULL);
	sup_imports(w, up, nup, faults);
	free(up);
	sup_reviews(w);
	char **down;
	size_t ndown;
	long *clocks;
	int quiet_down = export_bundles(1, w, faults, &down, &ndown, &clocks);
	for (size_t i = 0; i < ndown; i++) {
		fig.bundles_down++;
		if (faults && chance(opt.damage_rate / 4)) {
			fig.lost++;
			unlink(down[i]);
			free(down[i]);
			continue;
		}
		int dmg = 0;
		if (faults && chance(opt.damage_rate)) {
			damage(down[i]);
			dmg = 1;
		}
		GROW(wk->down, wk->ndown, wk->cdown);
		wk->down_clock = xrealloc(wk->down_clock, wk->cdown * sizeof *wk->down_clock);
		wk->down_damaged = xrealloc(wk->down_damaged, wk->cdown * sizeof *wk->down_damaged);
		/* out of order: now and then a newer one first */
		size_t at = wk->ndown;
		if (faults && at > 0 && chance(opt.damage_rate / 4)) {
			fig.held++;
			at = wk->ndown - 1;
			wk->down[wk->ndown] = wk->down[at];
			wk->down_clock[wk->ndown] = wk->down_clock[at];
			wk->down_damaged[wk->ndown] = wk->down_damaged[at];
		}
		wk->down[at] = down[i];
		wk->down_clock[at] = clocks[i];
		wk->down_damaged[at] = dmg;
		wk->ndown++;
	}
	free(down);
	free(clocks);
	if (!faults || chance(0.5))
		worker_imports(w, faults);
	return quiet_up && quiet_down && nup == 0 && ndown == 0;
}

/* ------------------------------------------------------------------ passphrases and laptops */

static void recover(int w, const char *why)
{
	worker *wk = &W[w];
	char old[64], pf[PATH_MAX];
	snprintf(old, sizeof old, "%s", wk->pass);
	wk->recovered++;
	snprintf(wk->pass, sizeof wk->pass, "worker-%02d-pass-%d", w + 1, wk->recovered);
	snprintf(pf, sizeof pf, "%s/keys/new-pass-%s", root, wk->name);
	FILE *f = fopen(pf, "w");
	if (!f)
		die("%s: %s", pf, strerror(errno));
	fprintf(f, "%s\n", wk->pass);
	fclose(f);
	res r = {0};
	RUN(&r, OP_OTHER, NULL, NULL, 0, "recover", "--recovery-key", team_key,
	    "--new-passphrase-file", pf, "--store", wk->store);
	unlink(pf);
	if (r.code != 0)
		fail("recover %s (%s): exit %d: %s", wk->name, why, r.code, r.err);
	res_free(&r);
	RUN(&r, OP_OTHER, old, NULL, 0, "check", "--store", wk->store);
	if (r.code != 3 || !strstr(r.err, "wrong passphrase"))
		fail("%s: the forgotten passphrase still opens the store (exit %d)", wk->name, r.code);
	res_free(&r);
	RUN(&r, OP_OTHER, wk->pass, NULL, 0, "check", "--store", wk->store);
	if (r.code != 0)
		fail("%s: the new passphrase does not open the store: %s", wk->name, r.err);
	res_free(&r);
	note("%s: %s, recovered with the team key", wk->name, why);
}

/* the laptop is replaced: its store, restored on the new one, opened with
 * the team's recovery key */
static void replace_laptop(int w)
{
	worker *wk = &W[w];
	char olddir[2048], oldstore[PATH_MAX];
	snprintf(olddir, sizeof olddir, "%s", wk->dir);
	snprintf(oldstore, sizeof oldstore, "%s", wk->store);
	wk->laptop++;
	set_worker_paths(wk);
	static const char *const ext[] = {"", ".keys", ".keys.bak", "-wal"};
	for (size_t i = 0; i < 4; i++) {
		char a[PATH_MAX + 16], b[PATH_MAX + 16];
		snprintf(a, sizeof a, "%s%s", oldstore, ext[i]);
		snprintf(b, sizeof b, "%s%s", wk->store, ext[i]);
		if (access(a, F_OK) == 0) {
			copy_file(a, b);
			unlink(a);
		}
	}
	rmdir(olddir);
	fig.replaced++;
	recover(w, "laptop replaced");
}

/* ------------------------------------------------------------------ checks */

static void check_schedules(int32_t d)
{
	char ds[11];
	date_str(d, ds);
	for (int w = 0; w < opt.workers; w++) {
		worker *wk = &W[w];
		res r = {0};
		RUN(&r, OP_OTHER, wk->pass, NULL, 0, "visit", "list", "--due", "--date", ds, "--json",
		    "--store", wk->store);
		if (r.code != 0) {
			fail("visit list --due (%s): %s", wk->name, r.err);
			res_free(&r);
			continue;
		}
		json_t *a = parse_json(r.out, "visit list --due");
		fig.sched_checks++;
		for (size_t i = 0; i < wk->npeople; i++) {
			person *p = &P[wk->people[i]];
			int reg, mk, greg = 0, gmk = 0;
			owed(p, d, &reg, &mk);
			size_t j;
			json_t *e;
			json_array_foreach(a, j, e) {
				if (strcmp(json_string_value(json_object_get(e, "person")), p->id) != 0)
					continue;
				size_t k;
				json_t *it;
				json_array_foreach(json_object_get(e, "items"), k, it) {
					const char *t = json_string_value(json_object_get(it, "type"));
					greg |= !strcmp(t, "regular");
					gmk |= !strcmp(t, "makeup");
				}
			}
			fig.sched_people++;
			if (reg != greg || mk != gmk) {
				fig.sched_bad++;
				fail("schedule of %s on %s for %s (%s): regular %d makeup %d, recount %d %d",
				     wk->name, ds, p->id, cat_code[p->cat], greg, gmk, reg, mk);
			}
		}
		json_decref(a);
		res_free(&r);
	}
}

static void check_reports(int32_t start, int32_t end)
{
	for (int32_t m = month_first(start); m <= end; m = month_last(m) + 1) {
		int y, mo, dd;
		ymd_of(m, &y, &mo, &dd);
		char period[16];
		snprintf(period, sizeof period, "%04d-%02d", y, mo);
		res r = {0};
		RUN(&r, OP_OTHER, sup_pass, NULL, 0, "report", "satisfaction", "--period", period,
		    "--format", "json", "--store", sup_store);
		if (r.code != 0) {
			fail("report satisfaction %s: %s", period, r.err);
			res_free(&r);
			continue;
		}
		json_t *j = parse_json(r.out, "report");
		json_t *row = json_array_get(
			json_object_get(json_object_get(json_object_get(j, "tables"), "summary"), "rows"),
			0);
		long *c = sat_count[(y - 2026) * 12 + mo - 1];
		static const char *const cols[] = {"surveys", "n_very_satisfied", "n_satisfied",
						   "n_fairly_satisfied", "n_dissatisfied",
						   "n_very_dissatisfied", "not_visited"};
		fig.report_checks++;
		for (int i = 0; i < 7; i++) {
			long got = (long)json_integer_value(json_object_get(row, cols[i]));
			if (got != c[i]) {
				fig.report_bad++;
				fail("report satisfaction %s: %s %ld, recount %ld", period, cols[i], got, c[i]);
			}
		}
		json_decref(j);
		res_free(&r);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void final_checks(void)
{
	/* every visit at the supervisor exactly once, at its latest version */
	res r = {0};
	RUN(&r, OP_OTHER, sup_pass, NULL, 0, "visit", "list", "--json", "--store", sup_store);
	if (r.code != 0)
		die("visit list (supervisor): %s", r.err);
	json_t *a = parse_json(r.out, "visit list");
	res_free(&r);
	size_t n = json_array_size(a), ns = 0;
	char **ids = xmalloc(n * sizeof *ids);
	const char **states = xmalloc(n * sizeof *states);
	int *versions = xmalloc(n * sizeof *versions);
	double *scores = xmalloc(n * sizeof *scores);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		if (!strcmp(json_string_value(json_object_get(v, "form_id")), "satisfaction"))
			continue;
		ids[ns] = (char *)json_string_value(json_object_get(v, "id"));
		versions[ns] = (int)json_integer_value(json_object_get(v, "version"));
		scores[ns] = json_number_value(json_object_get(v, "score"));
		states[ns++] = json_string_value(json_object_get(v, "state"));
	}
	/* sorted ids with their states: sort indexes by id */
	char **sorted = xmalloc((ns ? ns : 1) * sizeof *sorted);
	for (size_t i = 0; i < ns; i++) {
		size_t len = strlen(ids[i]);
		sorted[i] = xmalloc(len + 2 + 48);
		snprintf(sorted[i], len + 50, "%s %d %g %s", ids[i], versions[i], scores[i], states[i]);
	}
	qsort(sorted, ns, sizeof *sorted, cmp_str);
	for (size_t i = 1; i < ns; i++)
		if (strncmp(sorted[i], sorted[i - 1], 36) == 0)
			fail("visit %.36s is twice at the supervisor", sorted[i]);
	long want = 0;
	for (size_t j = 0; j < nV; j++) {
		visit *v = &V[j];
		if (v->conflict)
			continue;
		want++;
		char key[48];
		snprintf(key, sizeof key, "%s", v->id);
		size_t lo = 0, hi = ns;
		const char *hit = NULL;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strncmp(sorted[mid], key, 36);
			if (c == 0) {
				hit = sorted[mid];
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!hit) {
			fail("visit %s of %s is not at the supervisor", v->id, W[v->worker].name);
			continue;
		}
		int ver = 0;
		double score = -1;
		char st[16] = "";
		sscanf(hit + 37, "%d %lf %15s", &ver, &score, st);
		const char *exp = v->review == 2 ? "returned" : v->review == 1 ? "approved" : "received";
		if (strcmp(st, exp) != 0 || ver != v->version || score != (double)score_of(v))
			fail("visit %s is %s at version %d (score %g) at the supervisor, not %s at "
			     "version %d (score %d)", v->id, st, ver, score, exp, v->version,
			     score_of(v));
		else
			fig.visits_at_sup++;
	}
	if ((long)ns != want)
		fail("the supervisor has %zu visits of workers, %ld were submitted (less conflicts)", ns,
		     want);
	for (size_t i = 0; i < ns; i++)
		free(sorted[i]);
	free(sorted);
	free(ids);
	free(states);
	free(versions);
	free(scores);
	json_decref(a);

	/* every return reached its worker, and every receipt: each visit is
	 * in the worker's store once, received, approved or returned as the
	 * supervisor decided */
	for (int w = 0; w < opt.workers; w++) {
		RUN(&r, OP_OTHER, W[w].pass, NULL, 0, "visit", "list", "--json", "--store", W[w].store);
		json_t *all = parse_json(r.out, "visit list");
		res_free(&r);
		size_t nw = json_array_size(all), mine = 0;
		char **have = xmalloc((nw ? nw : 1) * sizeof *have);
		for (size_t i = 0; i < nw; i++) {
			json_t *e = json_array_get(all, i);
			const char *id = json_string_value(json_object_get(e, "id"));
			const char *st = json_string_value(json_object_get(e, "state"));
			size_t len = strlen(id) + strlen(st) + 16;
			have[i] = xmalloc(len);
			snprintf(have[i], len, "%s %d %s", id,
				 (int)json_integer_value(json_object_get(e, "version")), st);
		}
		qsort(have, nw, sizeof *have, cmp_str);
		for (size_t i = 1; i < nw; i++)
			if (strncmp(have[i], have[i - 1], 36) == 0)
				fail("visit %.36s is twice in %s's store", have[i], W[w].name);
		for (size_t j = 0; j < nV; j++) {
			visit *v = &V[j];
			if (v->worker != w)
				continue;
			mine++;
			const char *hit = NULL;
			size_t lo = 0, hi = nw;
			while (lo < hi && !hit) {
				size_t mid = (lo + hi) / 2;
				int c = strncmp(have[mid], v->id, 36);
				if (c == 0)
					hit = have[mid];
				else if (c < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			const char *exp = v->review == 2 ? "returned" : v->review == 1 ? "approved" : "received";
			int ver = 0;
			char st[16] = "";
			if (hit)
				sscanf(hit + 37, "%d %15s", &ver, st);
			if (!hit)
				fail("visit %s is not in %s's store", v->id, W[w].name);
			else if (strcmp(st, exp) != 0 || ver != v->version)
				fail("visit %s is %s at version %d in %s's store, not %s at version %d%s",
				     v->id, st, ver, W[w].name, exp, v->version,
				     v->review == 2 ? ": the return did not reach the worker" : "");
			else
				fig.visits_at_worker++;
			if (v->review == 2 && !v->returned_here)
				fail("the simulation did not see the return of %s delivered", v->id);
		}
		if (nw != mine)
			fail("%s's store has %zu visits, the simulation submitted %zu", W[w].name, nw, mine);
		for (size_t i = 0; i < nw; i++)
			free(have[i]);
		free(have);
		json_decref(all);
	}

	/* every return corrected, and the correction reviewed again */
	if (fig.rereviewed != fig.returns_fixable)
		fail("%ld returns, %ld corrections reviewed again", fig.returns_fixable,
		     fig.rereviewed);

	/* every person a worker registered is at the supervisor (but the one
	 * registered twice) */
	RUN(&r, OP_OTHER, sup_pass, NULL, 0, "person", "list", "--json", "--store", sup_store);
	json_t *people = parse_json(r.out, "person list");
	res_free(&r);
	size_t npeople = json_array_size(people);
	char **pids = xmalloc((npeople ? npeople : 1) * sizeof *pids);
	for (size_t i = 0; i < npeople; i++)
		pids[i] = (char *)json_string_value(json_object_get(json_array_get(people, i), "id"));
	qsort(pids, npeople, sizeof *pids, cmp_str);
	long want_people = 0;
	for (size_t i = 0; i < nP; i++) {
		if (P[i].dup)
			continue;
		want_people++;
		char *key = P[i].id;
		if (!bsearch(&key, pids, npeople, sizeof *pids, cmp_str))
			fail("person %s (of %s) is not at the supervisor", P[i].id, W[P[i].worker].name);
	}
	if ((long)npeople != want_people)
		fail("the supervisor has %zu people, the simulation registered %ld", npeople,
		     want_people);
	fig.people_at_sup = (long)npeople;
	free(pids);
	json_decref(people);

	/* conflicts: those the scenario made */
	RUN(&r, OP_OTHER, sup_pass, NULL, 0, "bundle", "conflicts", "--store", sup_store);
	long lines = 0;
	for (const char *p = r.out; *p; p++)
		lines += *p == '\n';
	fig.conflicts_seen = lines > 0 ? lines - 1 : 0;
	if (r.code != 0)
		fail("bundle conflicts: %s", r.err);
	res_free(&r);
	if (fig.conflicts_seen != fig.conflicts_expected)
		fail("%ld conflicts at the supervisor, the scenario made %ld", fig.conflicts_seen,
		     fig.conflicts_expected);

	/* integrity */
	for (int w = -1; w < opt.workers; w++) {
		fig.checks++;
		RUN(&r, OP_OTHER, w < 0 ? sup_pass : W[w].pass, NULL, 0, "check", "--store",
		    w < 0 ? sup_store : W[w].store);
		if (r.code == 0)
			fig.checks_ok++;
		else
			fail("check %s: exit %d: %s", w < 0 ? "supervisor" : W[w].name, r.code, r.err);
		res_free(&r);
	}
}

/*
 * The control: `fieldvisit export` writes plaintext on purpose, outside
 * the simulation's root; the canaries must be found there, so that the
 * scan is known to see them and the data is known to hold them.
 */
static int control_scan(void)
{
	char dir[1100];
	snprintf(dir, sizeof dir, "%s.export", root);
	ensure_dir(dir);
	const char *stores[] = {sup_store, W[0].store}, *passes[] = {sup_pass, W[0].pass};
	for (int i = 0; i < 2; i++) {
		res r = {0};
		char sub[1200];
		snprintf(sub, sizeof sub, "%s/%d", dir, i);
		RUN(&r, OP_OTHER, passes[i], NULL, 0, "export", "--format", "jsonl", "--to", sub,
		    "--store", stores[i]);
		if (r.code != 0)
			fail("export (control): exit %d: %s", r.code, r.err);
		res_free(&r);
	}
	(void)scan_tree(dir, 1);
	rm_tree(dir);
	int n = 0;
	for (size_t i = 0; i < NCANARY; i++)
		n += control_seen[i];
	return n;
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fputs("usage: fieldsim --bin FIELDVISIT --srcdir SRC [--workers N] [--people N] [--months N]\n"
	      "                [--seed N] [--kill-rate P] [--damage-rate P] [--zili P] [--review P]\n"
	      "                [--meet N]\n"
	      "                [--root DIR] [--keep] [--verbose]\n"
	      "--quick and --full set sizes and rates; options after them change those\n",
	      stderr);
	exit(2);
}

static int rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return unlink(dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	return rmdir(dir);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && (i++, 1))
		if (OPT("--bin"))
			opt.bin = v;
		else if (OPT("--srcdir"))
			opt.srcdir = v;
		else if (OPT("--workers"))
			opt.workers = atoi(v);
		else if (OPT("--people"))
			opt.people = atoi(v);
		else if (OPT("--months"))
			opt.months = atoi(v);
		else if (OPT("--seed"))
			opt.seed = strtoull(v, NULL, 10);
		else if (OPT("--kill-rate"))
			opt.kill_rate = atof(v);
		else if (OPT("--damage-rate"))
			opt.damage_rate = atof(v);
		else if (OPT("--meet"))
			opt.meet = atoi(v);
		else if (OPT("--zili"))
			opt.zili = atof(v);
		else if (OPT("--review"))
			opt.review = atof(v);
		else if (OPT("--root"))
			opt.root = v;
		else if (!strcmp(a, "--keep"))
			opt.keep = 1;
		else if (!strcmp(a, "--verbose"))
			opt.verbose = 1;
		else if (!strcmp(a, "--quick")) {
			opt.workers = 3, opt.people = 150, opt.months = 2;
		} else if (!strcmp(a, "--full")) {
			opt.workers = 20, opt.people = 5000, opt.months = 12;
			opt.kill_rate = 0.05, opt.damage_rate = 0.3;
			opt.zili = 0.15, opt.review = 0.3, opt.meet = 4;
		} else
			usage();
#undef OPT
	}
	if (!opt.bin || !opt.srcdir || opt.workers < 1 || opt.workers > 99 || opt.people < opt.workers ||
	    opt.months < 1 || opt.months > 24 || opt.meet < 1)
		usage();
	double t0 = now_s();
	rng = opt.seed * 0x2545f4914f6cdd1dULL + 1;
	rng_kill = rng ^ 0x6a09e667f3bcc909ULL;
	canaries_init();
	if (npats > 64)
		die("too many patterns");
	scan_selftest();
	signal(SIGPIPE, SIG_IGN);

	/* the simulation's root: every file the program writes is under it */
	char tmpl[PATH_MAX];
	const char *base = opt.root ? opt.root : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(tmpl, sizeof tmpl, "%s/fieldsim.XXXXXX", base);
	if (!mkdtemp(tmpl))
		die("mkdtemp %s: %s", tmpl, strerror(errno));
	char real[PATH_MAX];
	if (!realpath(tmpl, real) || strlen(real) >= sizeof root)
		die("realpath %s: %s", tmpl, strerror(errno));
	memcpy(root, real, strlen(real) + 1);
	char ep[PATH_MAX + 32];
	snprintf(stick, sizeof stick, "%s/stick", root);
	ensure_dir(stick);
	snprintf(ep, sizeof ep, "%s/tmp", root);
	ensure_dir(ep);
	setenv("TMPDIR", ep, 1);
	snprintf(ep, sizeof ep, "%s/home", root);
	ensure_dir(ep);
	setenv("HOME", ep, 1);
	snprintf(ep, sizeof ep, "%s/data", root);
	ensure_dir(ep);
	setenv("XDG_DATA_HOME", ep, 1);
	setenv("FIELDVISIT_TEST_FAST_KDF", "1", 1);
	snprintf(ep, sizeof ep, "%s/forms", opt.srcdir);
	setenv("FIELDVISIT_FORMS_DIR", ep, 1);
	snprintf(ep, sizeof ep, "%s/assets", opt.srcdir);
	setenv("FIELDVISIT_ASSETS_DIR", ep, 1);
	setenv("TZ", "Asia/Shanghai", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	unsetenv("FIELDVISIT_STORE");
	unsetenv("FIELDVISIT_FAULT");
	unsetenv("FIELDVISIT_INVITE_CODE");
	printf("# fieldsim: %d workers, %d people, %d months, seed %llu, kill rate %.3f, damage rate "
	       "%.3f, root %s\n",
	       opt.workers, opt.people, opt.months, (unsigned long long)opt.seed, opt.kill_rate,
	       opt.damage_rate, root);
	fflush(stdout);

	/* the roster is registered the month before */
	int32_t start = days_of(2026, 1, 5), end;
	today = days_of(2025, 12, 15);
	set_now(today, 10);
	setup_team();
	{
		int y, m, d;
		ymd_of(start, &y, &m, &d);
		m += opt.months;
		while (m > 12)
			m -= 12, y++;
		end = days_of(y, m, 1) - 1;
	}
	note("set up in %.1f s", now_s() - t0);

	/* the scenario's special days */
	int32_t forget_day = start + (end - start) / 3, replace_day = start + (end - start) * 2 / 3;
	int32_t dup_day = start + (end - start) / 2;
	int forgot = 0, replaced = 0, dupped = 0;
	int workday = 0;
	for (today = start; today <= end; today++) {
		if (weekday(today) >= 5)
			continue;
		workday++;
		set_now(today, 19);
		int32_t mfirst = month_first(today), mlast = month_last(today);
		int32_t qfirst = quarter_first(today), qlast = quarter_last(today);
		int mdays_left = 0, qdays_left = 0, mwork = 0, qwork = 0;
		for (int32_t d = today; d <= mlast; d++)
			mdays_left += weekday(d) < 5;
		for (int32_t d = today; d <= qlast; d++)
			qdays_left += weekday(d) < 5;
		for (int32_t d = mfirst; d < today; d++)
			mwork += weekday(d) < 5;
		for (int32_t d = qfirst; d < today; d++)
			qwork += weekday(d) < 5;
		for (int w = 0; w < opt.workers; w++) {
			worker *wk = &W[w];
			int slot = 0;
			/* what the supervisor returned on an earlier day is corrected */
			correct_returns(w, 1);
			/* new people now and then; one registered twice on dup_day */
			if (chance(0.02 * 20.0 / (double)opt.workers * (double)opt.people / 5000.0 + 0.01))
				(void)add_person(wk->store, wk->pass, w, CAT_ZILI, NULL);
			if (!dupped && today >= dup_day && w == opt.workers - 1) {
				dupped = 1;
				/* someone of another village, registered again here */
				const person *o = &P[0];
				char rid[19];
				/* the resident ID of the supervisor's person 0 */
				res r = {0};
				RUN(&r, OP_OTHER, sup_pass, NULL, 0, "person", "show", o->id, "--json",
				    "--store", sup_store);
				json_t *j = parse_json(r.out, "person show");
				snprintf(rid, sizeof rid, "%s",
					 json_string_value(json_object_get(j, "resident_id")));
				json_decref(j);
				res_free(&r);
				if (o->worker != w) {
					int pi = add_person(wk->store, wk->pass, w, CAT_ZILI, rid);
					if (pi >= 0) {
						P[pi].dup = 1;
						fig.conflicts_expected++;
					}
				}
			}
			for (size_t i = 0; i < wk->npeople; i++) {
				int pi = wk->people[i];
				person *p = &P[pi];
				int reg, mk;
				owed(p, today, &reg, &mk);
				int left = p->cat == CAT_ZILI ? mdays_left : qdays_left;
				int day_of = p->cat == CAT_ZILI ? mwork : qwork;
				int go = (reg || mk) &&
					 (day_of >= p->plan % (p->cat == CAT_ZILI ? 18 : 55) || left <= 3 ||
					  mk);
				/* the follow-up of an alert */
				if (p->alert[0] && today >= p->alert_day + 3)
					go = 1;
				/* a person newly registered is visited within days */
				if (p->since >= (p->cat == CAT_ZILI ? mfirst : qfirst) && p->nvisits == 0 &&
				    today > p->since + 2)
					go = 1;
				if (p->nvisits && V[p->visits[p->nvisits - 1]].day == today)
					go = 0;
				/* now and then a month is missed */
				if (go && !mk && left > 3 && chance(0.02))
					go = 0;
				if (go)
					(void)do_visit(w, pi, slot++, 1);
			}
			if ((workday + w) % opt.meet == 0)
				(void)meeting(w, 1);
		}
		if (!forgot && today >= forget_day) {
			forgot = 1;
			fig.recovered++;
			recover(0, "passphrase forgotten");
		}
		if (!replaced && today >= replace_day) {
			replaced = 1;
			replace_laptop(opt.workers > 1 ? 1 : 0);
		}
		/* the schedules on the 20th of each month (or the next workday) */
		int y, m, d;
		ymd_of(today, &y, &m, &d);
		if (d >= 20 && d <= 22 && (d == 20 || weekday(today) == 0))
			check_schedules(today);
		if (today == mlast || (weekday(today) == 4 && today + 3 > mlast)) {
			scan_all();
			printf("# %04d-%02d: %ld visits, %ld kills, %ld damaged bundles, %.0f s\n", y, m,
			       fig.visits, fig.kills, fig.damaged, now_s() - t0);
			fflush(stdout);
		}
	}
	/* settle: meetings without faults until nothing moves */
	today = end + 1;
	while (weekday(today) >= 5)
		today++;
	set_now(today, 10);
	settling = 1;
	for (int round = 0; round < 12; round++) {
		int quiet = 1;
		for (int w = 0; w < opt.workers; w++) {
			/* the returns still open are corrected; what is still
			 * kept back arrives now */
			long before = fig.corrections;
			correct_returns(w, 0);
			quiet &= fig.corrections == before;
			quiet &= meeting(w, 0);
			quiet &= W[w].nheld == 0 && W[w].ndown == 0;
		}
		if (quiet)
			break;
	}
	for (int w = 0; w < opt.workers; w++)
		if (W[w].nheld)
			sup_imports(w, NULL, 0, 0);
	final_checks();
	check_schedules(today);
	check_reports(start, end);
	scan_all();
	int control = control_scan();
	/* names, households, suggestions (referrals and review comments are
	 * not exported) */
	if (!control_seen[0] || !control_seen[1] || !control_seen[5])
		fail("the control export holds %d of the %zu canaries: the scan proves nothing", control,
		     NCANARY);

	/* a core file would have been scanned; none is expected */
	double elapsed = now_s() - t0;
	printf("visits submitted: %ld\n", fig.visits);
	printf("visits at the supervisor exactly once, latest version: %ld of %ld (%ld kept aside as "
	       "conflicts)\n",
	       fig.visits_at_sup, fig.visits - fig.conflict_visits, fig.conflict_visits);
	printf("returns: %ld, delivered to the worker: %ld\n", fig.returns, fig.returns_delivered);
	printf("returns corrected and re-reviewed: %ld of %ld (%ld corrections; %ld of the returns "
	       "had an alert, %ld corrections with one kept it alone)\n",
	       fig.rereviewed, fig.returns_fixable, fig.corrections, fig.returns_alert,
	       fig.corrected_alerts);
	printf("visits in their worker's store in the state the supervisor gave: %ld of %ld\n",
	       fig.visits_at_worker, fig.visits);
	printf("people: %ld registered, %ld at the supervisor\n", fig.people_added,
	       fig.people_at_sup);
	printf("approvals: %ld, satisfaction callbacks: %ld, alerts: %ld (closed %ld)\n",
	       fig.approvals, fig.callbacks, fig.alerts, fig.alerts_closed);
	printf("kills: %ld (submit %ld, correct %ld, export %ld, import %ld)\n", fig.kills,
	       fig.kills_submit, fig.kills_correct, fig.kills_export, fig.kills_import);
	printf("bundles: %ld up, %ld down; damaged %ld (refused %ld), lost %ld, carried twice %ld, "
	       "out of order %ld, stick full %ld, pulled %ld; killed after the rename %ld, forks %ld\n",
	       fig.bundles_up, fig.bundles_down, fig.damaged, fig.refused_ok, fig.lost, fig.twice,
	       fig.held, fig.full, fig.pulled, fig.orphans, fig.forks);
	printf("conflicts: expected %ld, seen %ld\n", fig.conflicts_expected, fig.conflicts_seen);
	printf("integrity checks: %ld of %ld ok\n", fig.checks_ok, fig.checks);
	printf("schedules: %ld people in %ld lists, %ld differ from the recount\n", fig.sched_people,
	       fig.sched_checks, fig.sched_bad);
	printf("reports: %ld satisfaction months, %ld figures differ from the recount\n",
	       fig.report_checks, fig.report_bad);
	printf("passphrases recovered: %ld, laptops replaced: %ld\n", fig.recovered, fig.replaced);
	printf("canaries found: %ld (%ld scans, %ld files, %.1f MB, %zu patterns; the control export "
	       "holds %d of %zu)\n",
	       fig.canaries, fig.canary_scans, fig.files_scanned, (double)fig.bytes_scanned / 1e6,
	       npats, control, NCANARY);
	printf("core files: %ld\n", fig.cores);
	printf("processes: %ld (submit %ld, %.1f ms each; export %ld, %.1f ms; import %ld, %.1f ms; "
	       "other %ld, %.1f ms)\n",
	       fig.processes, op_count[OP_SUBMIT], op_avg(OP_SUBMIT), op_count[OP_EXPORT],
	       op_avg(OP_EXPORT), op_count[OP_IMPORT], op_avg(OP_IMPORT), op_count[OP_OTHER],
	       op_avg(OP_OTHER));
	printf("failures: %d\n", failures);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("elapsed: %.1f s (the commands' CPU: %.1f s user, %.1f s system)\n", elapsed,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	if (!opt.keep && failures == 0)
		rm_tree(root);
	else
		printf("# kept %s\n", root);
	return failures ? 1 : 0;
}
