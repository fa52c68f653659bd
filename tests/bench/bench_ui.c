/*
 * bench_ui: what the worker's screens cost on a big store (`make bench`,
 * `make bench-ui` alone).
 *
 * The store is `fieldvisit generate --persons 10000 --visits 100000` made
 * as bench_store makes it (fv_cmd_generate, seed 1, Argon2 at
 * vault_pw_fast(), the same file name and passphrase, so FV_BENCH_DIR=DIR
 * shares it with bench_store), copied so that the drafts written here do
 * not change it, with a generated 500-question form installed (the form of
 * bench_form: integers and select_ones, relevance and a running total
 * chained through every question).
 *
 * The real screens run headless (ui_run with an 80x24 screen of the
 * headless terminal, as tests/ui/test_screens drives them), fed by this
 * program's ui_input: a key's cost is the time from handing the key to the
 * frame until the frame asks for the next one, which is the screen's
 * handling of the key, everything it does in the store, and the drawing of
 * the next frame.  Each run is a new process started by a small spawner
 * (this program with --spawn), so its peak RSS (ru_maxrss) is its own.
 *
 *   (a) unlock to Today drawn: the passphrase typed, Enter, until Today
 *       (schedules of 10,000 people, alerts, drafts) is drawn; the KDF
 *       (vault_keyfile_unlock with the same key file, timed in the same
 *       process) is taken off.  Median of 5 processes, cold (the OS cache
 *       of the store dropped) and warm.  Reference: `fieldvisit person
 *       list --json` on the same store, a whole process, the same KDF
 *       taken off.  Target: under 300 ms.  The screens ask the system to
 *       read the store ahead when the unlock screen shows it and while
 *       the key is derived (fv_store_prefetch); with vault_pw_fast()
 *       there is no time for that, so the cold runs are made once more
 *       on a copy whose passphrase slot has the cost the program really
 *       uses (vault_pw_calibrate(0.5 s, 64 MiB), as fv_cli_pwcost_pick),
 *       its KDF (measured in each process) taken off: what a worker
 *       waits beyond Argon2 after a cold start.  That is the figure the
 *       cold target is judged on; its peak RSS (Argon2's 64 MiB) is left
 *       out of (c), as the KDF is out of the times.
 *   (b) each key in the form runner on the 500-question form: every
 *       question answered (an integer: a digit and Enter; a select_one:
 *       its number, then Enter); each answer saves the draft
 *       (fv_visit_save_draft) as the screen does.  Reference: a key the
 *       runner does nothing with (F9), pressed before each question on the
 *       same screen.  Target: the median key under 5 ms (all keys, and the
 *       keys that save an answer alone).  The run must end on the summary
 *       with all 500 answered, or the bench fails.
 *   (c) peak RSS of those processes: under 32 MB.
 *
 * `bench_ui --prepare` (with FV_BENCH_DIR) only makes the copy with the
 * form and prints it and the person, for `perf record bench_ui
 * --child-form STORE PERSON`.
 *
 * A benchmark, not a test: it exits 0 unless something fails to run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* wait4, posix_fadvise, mkdtemp, nftw */
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_NAME "bench_ui"
#include "bench.h"
#include "spawn.h"
#include "fieldvisit/cli.h"
#include "fieldvisit/forms.h"
#include "fieldvisit/store.h"
#include "fieldvisit/vault.h"
#include "ui_internal.h"

#define PASS "bench passphrase 1"   /* as bench_store: the fixture is shared */
#define PERSONS "10000"
#define VISITS "100000"
#define QUESTIONS 500
#define GROUP_SIZE 25
#define FORM_ID "bench_ui_500"
#define RUNS 5            /* unlock processes, cold and warm; the median */
#define FORM_RUNS 3       /* processes answering the whole form */
#define UNLOCK_MS_MAX 300.0
#define KEY_MS_MAX 5.0
#define RSS_MB_MAX 32.0

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

/* ------------------------------------------------------------------ */
/* The form: bench_form's 500 questions, with an id and a version      */

static void make_form(fv_buf *csv)
{
	bench_make_form(csv, QUESTIONS, GROUP_SIZE,
			"settings,form_id,form_title,version\n," FORM_ID ",Bench form,1\n");
}

/* ------------------------------------------------------------------ */
/* A child: the screens, driven                                        */

enum { K_NONE, K_UNLOCK, K_OPEN, K_NOOP, K_TYPE, K_ANSWER, K_NEXT, K_NKINDS };

typedef struct driver {
	ui_input in;         /* first: the frame calls in.next */
	int form;            /* 1: go on to the form after Today */
	const char *person;
	char checkin[40];
	size_t typed;        /* passphrase characters typed */
	int phase;           /* 0 passphrase, 1 unlocked, 2 form, 3 done */
	int q, sub;          /* the question (1-based) and the key of it */
	int kind;            /* of the key handed out, being timed */
	double sent;
	double *t[K_NKINDS];
	size_t n[K_NKINDS], cap[K_NKINDS];
	double unlock_ms, open_ms;
} driver;

static void record(driver *d, int kind, double ms)
{
	if (kind == K_UNLOCK) {
		d->unlock_ms = ms;
	} else if (kind == K_OPEN) {
		d->open_ms = ms;
	} else if (kind != K_NONE) {
		d->t[kind] = fv_xgrow(d->t[kind], &d->cap[kind], d->n[kind] + 1, sizeof(double));
		d->t[kind][d->n[kind]++] = ms;
	}
}

static int hand(driver *d, int kind, int key)
{
	d->kind = kind;
	d->sent = now_ms();
	return key;
}

static int screen_shows(ui *u, const char *text)
{
	fv_buf b;
	fv_buf_init(&b);
	ui_dump(u, &b);
	int yes = strstr(b.s, text) != NULL;
	fv_buf_release(&b);
	return yes;
}

static int drive(ui_input *in, ui *u)
{
	driver *d = (driver *)in;
	double t = now_ms();
	if (d->kind != K_NONE)
		record(d, d->kind, t - d->sent);
	/* F9 says it does nothing; anything else must not fail */
	if (d->kind != K_NONE && d->kind != K_NOOP && u->msg_error && u->msg[0])
		die("the screen says: %s", u->msg);
	d->kind = K_NONE;

	if (d->phase == 0) {
		if (d->typed < strlen(PASS))
			return (unsigned char)PASS[d->typed++];
		d->phase = 1;
		return hand(d, K_UNLOCK, UI_K_ENTER);
	}
	if (d->phase == 1) {
		if (!u->store || ui_top(u)->ops != &ui_scr_home)
			die("Enter did not unlock to Today (%s)", u->msg);
		if (!d->form)
			return UI_K_EOF;
		d->phase = 2;
		d->q = 1;
		d->sub = 0;
		/* the runner as the visit screen starts it for a form */
		fv_datetime_format(fv_clock_now(), d->checkin);
		d->kind = K_OPEN;
		d->sent = now_ms();
		ui_runner_start(u, FORM_ID, d->person, d->checkin, NULL);
		return UI_K_TICK;
	}
	if (d->phase == 2) {
		if (ui_top(u)->ops != &ui_scr_runner)
			die("the form runner is not on top at question %d", d->q);
		if (d->q > QUESTIONS) {
			char want[64];
			snprintf(want, sizeof want, "answered %d/%d", QUESTIONS, QUESTIONS);
			if (!screen_shows(u, "Summary") || !screen_shows(u, want))
				die("the runner did not reach its summary with %s", want);
			d->phase = 3;
			return UI_K_EOF;
		}
		int sub = d->sub++, integer = d->q % 2;
		if (sub == 2)
			d->q++, d->sub = 0;
		switch (sub) {
		case 0: return hand(d, K_NOOP, UI_K_F(9));
		/* an integer: '1' typed, Enter answers (and saves); a
		 * select_one: '2' chooses "Sometimes" (and saves), Enter goes
		 * on */
		case 1: return hand(d, integer ? K_TYPE : K_ANSWER, integer ? '1' : '2');
		default: return hand(d, integer ? K_ANSWER : K_NEXT, UI_K_ENTER);
		}
	}
	return UI_K_EOF;
}

static double med(const double *v, size_t n)
{
	if (!n)
		return 0;
	double *c = fv_xmalloc(n * sizeof *c);
	memcpy(c, v, n * sizeof *c);
	double m = median(c, n);
	free(c);
	return m;
}

static double pct(const double *v, size_t n, double p)
{
	if (!n)
		return 0;
	double *c = fv_xmalloc(n * sizeof *c);
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, bench_cmp_double);
	double x = c[(size_t)(p * (double)(n - 1))];
	free(c);
	return x;
}

/* Child: unlock (and with a person, answer the whole form); prints
 * "unlock kdf open noop keys answers p95 max n". */
static int child_ui(const char *path, const char *person)
{
	char *keys = fv_xasprintf("%s.keys", path);
	uint8_t id[VAULT_STORE_ID_BYTES];
	vault_key *master = NULL;
	fv_errors err;
	driver d;

	setlocale(LC_ALL, "C.UTF-8");
	fv_errors_init(&err);
	if (vault_init() != FV_OK)
		return 1;
	double t0 = now_ms();
	if (vault_keyfile_unlock(keys, PASS, &master, id, &err) != FV_OK)
		die_errors("unlocking", &err);
	double kdf = now_ms() - t0;
	vault_key_free(master);
	free(keys);

	/* the clock stands still: no idle lock in the middle */
	fv_clock_set(fv_clock_now());
	memset(&d, 0, sizeof d);
	d.in.next = drive;
	d.form = person != NULL;
	d.person = person;
	char *dir = fv_xstrdup(path);
	*strrchr(dir, '/') = '\0';
	char *config = fv_xasprintf("%s/ui.conf", dir);
	char *assets = fv_xasprintf("%s/assets", srcdir());
	ui_env env;
	memset(&env, 0, sizeof env);
	env.store = path;
	env.lang = "en";
	env.assets = assets;
	env.config_path = config;
	env.input = &d.in;
	env.rows = 24;
	env.cols = 80;
	if (ui_run(&env) != 0)
		die("%s", "the screens ended with an error");
	if (d.phase != (person ? 3 : 1))
		die("the screens ended early (phase %d)", d.phase);

	size_t nall = d.n[K_TYPE] + d.n[K_ANSWER] + d.n[K_NEXT], k = 0;
	double *all = fv_xmalloc((nall ? nall : 1) * sizeof *all);
	for (int kind = K_TYPE; kind <= K_NEXT; kind++)
		for (size_t i = 0; i < d.n[kind]; i++)
			all[k++] = d.t[kind][i];
	printf("%.3f %.3f %.3f %.4f %.4f %.4f %.4f %.4f %zu\n", d.unlock_ms - kdf, kdf, d.open_ms,
	       med(d.t[K_NOOP], d.n[K_NOOP]), med(all, nall),
	       med(d.t[K_ANSWER], d.n[K_ANSWER]), pct(d.t[K_ANSWER], d.n[K_ANSWER], 0.95),
	       pct(d.t[K_ANSWER], d.n[K_ANSWER], 1.0), d.n[K_ANSWER]);
	free(all);
	for (int kind = 0; kind < K_NKINDS; kind++)
		free(d.t[kind]);
	free(dir);
	free(config);
	free(assets);
	fv_errors_release(&err);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Children, each through the spawner (as bench_store)                 */

typedef struct run {
	double wall_ms, rss_mb;
	double unlock_ms, kdf_ms, open_ms, noop_ms, key_ms, answer_ms, p95_ms, max_ms;
	size_t answers;
} run;

static char exe[4096];

static void run_child(char *const argv[], run *r, int figures)
{
	char buf[1024];
	memset(r, 0, sizeof *r);
	if (bench_run_spawned(exe, argv, figures, buf, sizeof buf, &r->wall_ms, &r->rss_mb) != 0)
		die("%s %s failed", argv[0], argv[1]);
	if (figures && sscanf(buf, "%lf %lf %lf %lf %lf %lf %lf %lf %zu", &r->unlock_ms, &r->kdf_ms,
			  &r->open_ms, &r->noop_ms, &r->key_ms, &r->answer_ms, &r->p95_ms,
			  &r->max_ms, &r->answers) != 9)
		die("%s: no figures", argv[0]);
}

/* ------------------------------------------------------------------ */
/* The store                                                           */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static uint8_t recovery_pk[VAULT_BOX_PK_BYTES];

static void recovery_key(const char *dir)
{
	char *key = fv_xasprintf("%s/recovery.key", dir);
	uint8_t sk[VAULT_BOX_SK_BYTES];
	struct stat sb;
	fv_errors err;
	fv_errors_init(&err);
	if (stat(key, &sb) == 0 ? vault_recovery_load(key, sk, recovery_pk, &err) != FV_OK
				: vault_recovery_create(key, recovery_pk, &err) != FV_OK)
		die_errors("the recovery key", &err);
	vault_wipe(sk, sizeof sk);
	fv_errors_release(&err);
	free(key);
}

static const char *const store_suffixes[] = {"", "-wal", ".keys", ".keys.bak"};
#define NSUFFIXES (sizeof store_suffixes / sizeof store_suffixes[0])

static void remove_db(const char *path)
{
	for (size_t i = 0; i < NSUFFIXES; i++) {
		char *p = fv_xasprintf("%s%s", path, store_suffixes[i]);
		unlink(p);
		free(p);
	}
}

/* The same fixture as bench_store's (make_fixture there). */
static void make_fixture(const char *path)
{
	fv_errors err;
	fv_store *s;
	fv_errors_init(&err);
	char *forms = fv_xasprintf("%s/forms", srcdir());
	fv_store_init init = {FV_ROLE_WORKER, "bench", PASS, vault_pw_fast(), recovery_pk};
	remove_db(path);
	if (fv_store_create(path, &init, forms, &s, &err) != FV_OK)
		die_errors("creating the store", &err);
	fv_store_close(s);
	free(forms);
	fv_errors_release(&err);

	char *argv[] = {"generate", "--persons", PERSONS, "--visits", VISITS, "--seed", "1",
			"--store", (char *)path, NULL};
	fprintf(stderr, "bench_ui: generating %s people and %s visits into %s\n", PERSONS, VISITS,
		path);
	double t0 = now_ms();
	if (fv_cmd_generate(9, argv) != 0) {
		remove_db(path);
		die("%s", "fieldvisit generate failed");
	}
	fprintf(stderr, "bench_ui: generated in %.1f s\n", (now_ms() - t0) / 1000);
}

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return;   /* no -wal: nothing to copy */
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		die("%s: %s", to, strerror(errno));
	ssize_t k;
	while ((k = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)k) != k)
			die("%s: %s", to, strerror(errno));
	if (k < 0 || close(out) != 0)
		die("%s: %s", to, strerror(errno));
	close(in);
}

static void copy_store(const char *from, const char *to)
{
	remove_db(to);
	for (size_t i = 0; i < NSUFFIXES; i++) {
		char *a = fv_xasprintf("%s%s", from, store_suffixes[i]);
		char *b = fv_xasprintf("%s%s", to, store_suffixes[i]);
		copy_file(a, b);
		free(a);
		free(b);
	}
}

static void drop_cache(const char *path)
{
	for (size_t i = 0; i < NSUFFIXES; i++) {
		char *p = fv_xasprintf("%s%s", path, store_suffixes[i]);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			fdatasync(fd);
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			close(fd);
		}
		free(p);
	}
}

/* Give the store at path the passphrase cost the program really uses. */
static void real_kdf(const char *path)
{
	char *keys = fv_xasprintf("%s.keys", path);
	uint8_t id[VAULT_STORE_ID_BYTES];
	vault_key *master = NULL;
	fv_errors err;
	fv_errors_init(&err);
	if (vault_keyfile_unlock(keys, PASS, &master, id, &err) != FV_OK ||
	    vault_keyfile_rewrap(keys, master, PASS, vault_pw_calibrate(0.5, UINT64_C(64) << 20),
				 &err) != FV_OK)
		die_errors("giving the copy the program's KDF", &err);
	vault_key_free(master);
	fv_errors_release(&err);
	free(keys);
}

/* Install the form into the copy; *person gets someone to visit. */
static void prepare(const char *dir, const char *path, char **person)
{
	fv_errors err;
	fv_store *s;
	fv_buf csv;
	fv_person *people;
	size_t n;
	char *form = fv_xasprintf("%s/%s.csv", dir, FORM_ID);

	fv_errors_init(&err);
	fv_buf_init(&csv);
	make_form(&csv);
	if (fv_write_atomic(form, csv.s, csv.len, 0600, &err) != FV_OK)
		die_errors("writing the form", &err);
	if (fv_store_open(path, PASS, &s, &err) != FV_OK)
		die_errors("opening the copy", &err);
	if (fv_store_form_install(s, form, &err) != FV_OK)
		die_errors("installing the form", &err);
	if (fv_person_list(s, NULL, &people, &n, &err) != FV_OK || n == 0)
		die_errors("listing people", &err);
	*person = fv_xstrdup(people[n / 2].id);
	fv_person_list_free(people, n);
	fv_store_close(s);
	fv_buf_release(&csv);
	fv_errors_release(&err);
	free(form);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void figure(const char *label, double value, const char *unit, double ratio,
		   const char *note)
{
	char line[512];
	int n = snprintf(line, sizeof line, "  %-40s %9.*f %-3s", label, value >= 100 ? 1 : 3,
			 value, unit);
	if (ratio > 0 && n > 0 && (size_t)n < sizeof line)
		n += snprintf(line + n, sizeof line - (size_t)n, " %7.2f x", ratio);
	if (*note && n > 0 && (size_t)n < sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, "  %s", note);
	fv_trim(line + 2);
	puts(line);
}

static void target(const char *label, double value, const char *unit, int pass)
{
	printf("  %-40s %8.*f %-2s  %s\n", label, value >= 100 ? 1 : 3, value, unit,
	       pass ? "PASS" : "FAIL");
}

/* The median over n runs of the figure at offset off of a run. */
static double runs_median(const run *r, size_t n, size_t off)
{
	double v[RUNS > FORM_RUNS ? RUNS : FORM_RUNS];
	for (size_t i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&r[i] + off, sizeof v[i]);
	return median(v, n);
}
#define MEDIAN_OF(runs, n, field) runs_median((runs), (n), offsetof(run, field))

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--child-unlock") == 0)
		return child_ui(argv[2], NULL);
	if (argc == 4 && strcmp(argv[1], "--child-form") == 0)
		return child_ui(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "--spawn") == 0)
		return bench_spawn(strcmp(argv[2], "quiet") == 0, argv + 3);
	int prepare_only = argc == 2 && strcmp(argv[1], "--prepare") == 0;
	if (argc != 1 && !prepare_only) {
		fprintf(stderr, "usage: bench_ui [--prepare] (FV_BENCH_DIR=DIR keeps its files in"
			" DIR)\n");
		return 2;
	}
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0)
		die("%s", "cannot find this program");
	exe[k] = '\0';
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setenv("FIELDVISIT_PASSPHRASE", PASS, 1) != 0 || vault_init() != FV_OK)
		die("%s", "cannot start");
	unsetenv("FIELDVISIT_FAULT");
	unsetenv("FIELDVISIT_NOW");

	const char *keep = getenv("FV_BENCH_DIR");
	char *dir;
	if (keep && *keep) {
		mkdir(keep, 0700);
		dir = fv_xstrdup(keep);
	} else {
		const char *tmp = getenv("TMPDIR");
		dir = fv_xasprintf("%s/fvbench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			die("cannot make a folder: %s", strerror(errno));
	}
	char *fixture = fv_xasprintf("%s/generated.fv", dir);
	char *copy = fv_xasprintf("%s/ui.fv", dir);
	char *kdf_copy = fv_xasprintf("%s/ui-kdf.fv", dir);
	char *keyfile = fv_xasprintf("%s.keys", fixture);
	struct stat sb;
	recovery_key(dir);
	if (stat(fixture, &sb) != 0 || stat(keyfile, &sb) != 0)
		make_fixture(fixture);
	else
		fprintf(stderr, "bench_ui: reusing %s\n", fixture);
	free(keyfile);
	copy_store(fixture, copy);
	char *person;
	prepare(dir, copy, &person);
	copy_store(copy, kdf_copy);
	real_kdf(kdf_copy);
	if (prepare_only) {
		/* to profile one run: perf record ./bench_ui --child-form STORE PERSON */
		printf("%s %s\n", copy, person);
		return 0;
	}

	const char *bin = getenv("FV_BIN");
	char *prog = fv_xstrdup(bin && *bin ? bin : "./fieldvisit");
	int have_cli = access(prog, X_OK) == 0;
	char *unlock_argv[] = {exe, "--child-unlock", copy, NULL};
	char *kdf_argv[] = {exe, "--child-unlock", kdf_copy, NULL};
	char *form_argv[] = {exe, "--child-form", copy, person, NULL};
	char *cli_argv[] = {prog, "person", "list", "--json", "--store", copy, NULL};

	/* (a) unlock to Today, cold [0] and warm [1], in turns with the
	 * reference.  Cold: the store's OS cache dropped before each.  Warm:
	 * after an unlock that read everything Today reads (the cold
	 * reference reads only the people, so it would leave the visits cold) */
	run ul[2][RUNS], cli[2][RUNS], warmup, ulk[RUNS];
	for (int i = 0; i < RUNS; i++) {
		drop_cache(kdf_copy);
		run_child(kdf_argv, &ulk[i], 1);
		drop_cache(copy);
		run_child(unlock_argv, &ul[0][i], 1);
		if (have_cli) {
			drop_cache(copy);
			run_child(cli_argv, &cli[0][i], 0);
		}
		run_child(unlock_argv, &warmup, 1);
		run_child(unlock_argv, &ul[1][i], 1);
		if (have_cli)
			run_child(cli_argv, &cli[1][i], 0);
	}
	/* (b) the whole form, answered */
	run fr[FORM_RUNS];
	for (int i = 0; i < FORM_RUNS; i++)
		run_child(form_argv, &fr[i], 1);
	for (int i = 0; i < FORM_RUNS; i++)
		if (fr[i].answers != QUESTIONS)
			die("a run saved %zu answers, not %d", fr[i].answers, QUESTIONS);

	double kdf = MEDIAN_OF(ul[1], RUNS, kdf_ms);
	double unlock[2], cli_ms[2] = {0, 0}, ul_rss = 0, cli_rss = 0, form_rss = 0;
	for (int warm = 0; warm < 2; warm++) {
		unlock[warm] = MEDIAN_OF(ul[warm], RUNS, unlock_ms);
		if (have_cli)
			cli_ms[warm] = MEDIAN_OF(cli[warm], RUNS, wall_ms) - kdf;
		for (int i = 0; i < RUNS; i++) {
			if (ul[warm][i].rss_mb > ul_rss)
				ul_rss = ul[warm][i].rss_mb;
			if (have_cli && cli[warm][i].rss_mb > cli_rss)
				cli_rss = cli[warm][i].rss_mb;
		}
	}
	for (int i = 0; i < FORM_RUNS; i++)
		if (fr[i].rss_mb > form_rss)
			form_rss = fr[i].rss_mb;
	double noop = MEDIAN_OF(fr, FORM_RUNS, noop_ms), key = MEDIAN_OF(fr, FORM_RUNS, key_ms);
	double ans = MEDIAN_OF(fr, FORM_RUNS, answer_ms), p95 = MEDIAN_OF(fr, FORM_RUNS, p95_ms);
	double worst = MEDIAN_OF(fr, FORM_RUNS, max_ms), open = MEDIAN_OF(fr, FORM_RUNS, open_ms);
	double form_unlock = MEDIAN_OF(fr, FORM_RUNS, unlock_ms);
	double cold_kdf = MEDIAN_OF(ulk, RUNS, unlock_ms), real_kdf_ms = MEDIAN_OF(ulk, RUNS, kdf_ms);

	char note[200];
	printf("bench_ui: the screens headless at 80x24 on %s people, %s visits (fieldvisit"
	       " generate, seed 1)%s%s\n", PERSONS, VISITS, keep && *keep ? " in " : "",
	       keep && *keep ? dir : "");
	printf("\nreferences (this machine, this run)\n");
	if (have_cli) {
		snprintf(note, sizeof note, "(whole process; KDF %.2f ms taken off)", kdf);
		figure("fieldvisit person list --json, cold", cli_ms[0], "ms", 0, note);
		figure("fieldvisit person list --json, warm", cli_ms[1], "ms", 0, "");
		figure("... peak RSS", cli_rss, "MB", 0, "");
	} else {
		printf("  (no %s: FV_BIN=PATH gives the reference of unlock)\n", prog);
	}
	snprintf(note, sizeof note, "(F9 on the runner: the frame drawn again)");
	figure("a key that does nothing, median", noop, "ms", 0, note);

	printf("\nmeasured                                                       ratio\n");
	snprintf(note, sizeof note, "(median of %d processes; KDF %.2f ms taken off)", RUNS, kdf);
	figure("unlock to Today drawn, cold", unlock[0], "ms", have_cli ? unlock[0] / cli_ms[0] : 0,
	       note);
	snprintf(note, sizeof note, "(the program's KDF, %.0f ms, taken off)", real_kdf_ms);
	figure("... cold, read ahead during the KDF", cold_kdf, "ms",
	       have_cli ? cold_kdf / cli_ms[0] : 0, note);
	figure("unlock to Today drawn, warm", unlock[1], "ms", have_cli ? unlock[1] / cli_ms[1] : 0,
	       "");
	figure("... peak RSS", ul_rss, "MB", have_cli ? ul_rss / cli_rss : 0, "(the largest)");
	snprintf(note, sizeof note, "(after an unlock of %.1f ms)", form_unlock);
	figure("open the 500-question form", open, "ms", open / noop, note);
	snprintf(note, sizeof note, "(%d questions, 3 keys each, %d processes)", QUESTIONS,
		 FORM_RUNS);
	figure("runner key, median of all keys", key, "ms", key / noop, note);
	figure("runner key saving an answer, median", ans, "ms", ans / noop, "(draft saved)");
	figure("... 95th percentile", p95, "ms", p95 / noop, "");
	figure("... worst", worst, "ms", worst / noop, "");
	figure("... peak RSS", form_rss, "MB", have_cli ? form_rss / cli_rss : 0, "(the largest)");

	printf("\ntargets\n");
	char label[96];
	snprintf(label, sizeof label, "unlock to Today < %.0f ms, cold", UNLOCK_MS_MAX);
	target(label, cold_kdf, "ms", cold_kdf < UNLOCK_MS_MAX);
	snprintf(label, sizeof label, "unlock to Today < %.0f ms, warm", UNLOCK_MS_MAX);
	target(label, unlock[1], "ms", unlock[1] < UNLOCK_MS_MAX);
	snprintf(label, sizeof label, "runner key median < %.0f ms", KEY_MS_MAX);
	target(label, key, "ms", key < KEY_MS_MAX);
	snprintf(label, sizeof label, "... keys saving an answer < %.0f ms", KEY_MS_MAX);
	target(label, ans, "ms", ans < KEY_MS_MAX);
	double rss = ul_rss > form_rss ? ul_rss : form_rss;
	snprintf(label, sizeof label, "peak RSS < %.0f MB", RSS_MB_MAX);
	target(label, rss, "MB", rss < RSS_MB_MAX);

	remove_db(copy);
	remove_db(kdf_copy);
	free(kdf_copy);
	if (!(keep && *keep))
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(person);
	free(prog);
	free(fixture);
	free(copy);
	free(dir);
	return 0;
}
