/*
 * bench_report: how long each report takes (`make bench`).
 *
 * Builds a supervisor store with `fieldvisit generate` itself (seed 1,
 * FV_BENCH_VISITS visits, default 100,000, to a tenth as many people; the
 * clock pinned at 2026-11-23, Argon2 at its cheapest), then for every
 * report, for the month 2026-11 and for the year 2026, measures what the
 * command does after unlocking: gather the facts, compute, write JSON
 * (median of three).  The reference, measured in the same run, is a
 * plain full scan of the visit table (every row's answers read), so each
 * figure is also a ratio that does not depend on the machine.  The issue's
 * target is 1,000,000 visits with each report under 2 s: each figure is
 * also scaled linearly to that size (the month of a year of 1,000,000
 * visits holds about 83,000 of them).  Then what the supervisor's inbox
 * reads when it opens (the counts by state, the latest 1,000 visits
 * received, each one's person), every visit made received inside a
 * transaction that is rolled back; its target is 300 ms at 1,000,000.
 * Peak RSS at the end.
 *
 * FV_BENCH_DIR=DIR keeps the generated store in DIR and reuses it;
 * FV_BENCH_ONLY=inbox measures the inbox alone (a big store's reports
 * take minutes).  A
 * benchmark, not a test: it exits 0 unless something fails to run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/report.h"
#include "fieldvisit/store.h"
#include "../../src/cli/report_write.h"
#include "../../src/store/data_internal.h"
#include "bench.h"

#define PASS "correct horse battery"

static void die(const char *what, const fv_errors *err)
{
	fprintf(stderr, "bench_report: %s: %s\n", what, err && err->n ? err->lines[0] : "failed");
	exit(1);
}

static double scan(fv_store *s)
{
	double t0 = bench_seconds();
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT sum(length(answers)), count(*) FROM visit", -1, &q,
			       NULL) != SQLITE_OK || sqlite3_step(q) != SQLITE_ROW)
		die("scan", NULL);
	sqlite3_finalize(q);
	return bench_seconds() - t0;
}

static double one(fv_store *s, const fv_rules *r, fv_report_kind k, const char *period,
		  size_t *rows)
{
	fv_report_args a = {0};
	fv_report_facts f;
	fv_report rep;
	fv_errors err;
	fv_buf out;
	int32_t from, to;
	double t0 = bench_seconds();

	fv_errors_init(&err);
	fv_period_parse(period, &a.period);
	a.day = fv_period_day(&a.period, (int32_t)(fv_clock_now() / 86400.0));
	unsigned need = fv_report_needs(k, &a, &from, &to);
	if (fv_store_report_facts(s, r, need, from, to, &f, &err) != FV_OK)
		die("facts", &err);
	fv_report_compute(k, r, &f, &a, &rep);
	fv_buf_init(&out);
	fv_cli_report_write(&rep, FV_REPORT_JSON, 0, &out);
	double t = bench_seconds() - t0;
	*rows = f.nvisits;
	fv_buf_release(&out);
	fv_report_release(&rep);
	fv_report_facts_release(&f);
	fv_errors_release(&err);
	return t;
}

/* What the inbox reads when it opens (src/ui/scr_inbox.c: inbox_load). */
static double inbox(fv_store *s, const char *from, const char *to, size_t *rows)
{
	fv_visit_query q = {.states = FV_VISIT_BIT(FV_VISIT_RECEIVED), .from = from, .to = to,
			    .limit = 1000};
	size_t counts[FV_VISIT_NSTATES];
	fv_visit *v;
	fv_errors err;
	double t0 = bench_seconds();
	fv_errors_init(&err);
	if (fv_visit_count(s, &q, counts, &err) != FV_OK ||
	    fv_visit_list(s, &q, &v, rows, &err) != FV_OK)
		die("inbox", &err);
	for (size_t i = 0; i < *rows; i++) {
		fv_person p;
		if (fv_person_get(s, v[i].person, &p, &err) != FV_OK)
			die("inbox person", &err);
		fv_person_release(&p);
	}
	double t = bench_seconds() - t0;
	fv_visit_list_free(v, *rows);
	fv_errors_release(&err);
	return t;
}

int main(void)
{
	const char *keep = getenv("FV_BENCH_DIR");
	const char *nv = getenv("FV_BENCH_VISITS");
	long visits = nv && *nv ? atol(nv) : 100000;
	char dir[64] = "/tmp/fv-bench-report-XXXXXX";
	char *path, *counts[2];
	fv_errors err;
	fv_rules *r = NULL;
	fv_store *s = NULL;

	if (keep && *keep) {
		mkdir(keep, 0700);
		snprintf(dir, sizeof dir, "%s", keep);
	} else if (!mkdtemp(dir)) {
		die("mkdtemp", NULL);
	}
	path = fv_xasprintf("%s/report-%ld.fv", dir, visits);
	setenv("FIELDVISIT_PASSPHRASE", PASS, 1);
	setenv("FIELDVISIT_TEST_FAST_KDF", "1", 1);
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	double now;
	if (!fv_datetime_parse("2026-11-23T10:00:00", &now))
		die("clock", NULL);
	fv_clock_set(now);
	fv_errors_init(&err);
	if (vault_init() != FV_OK)
		die("vault_init", NULL);

	if (access(path, F_OK) != 0) {
		char *rk = fv_xasprintf("%s/recovery-%ld.key", dir, visits);
		char *init[] = {"fieldvisit", "init", "--role", "supervisor", "--name", "bench",
				"--store", path, "--recovery-key", rk, NULL};
		counts[0] = fv_xasprintf("%ld", visits / 10);
		counts[1] = fv_xasprintf("%ld", visits);
		char *gen[] = {"fieldvisit", "generate", "--persons", counts[0], "--visits",
			       counts[1], "--seed", "1", "--store", path, NULL};
		fprintf(stderr, "bench_report: generating %ld visits (a while)...\n", visits);
		double t0 = bench_seconds();
		int saved = dup(1), null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		if (fv_cli_main(10, init) != 0 || fv_cli_main(10, gen) != 0)
			die("generate", NULL);
		fflush(stdout);
		dup2(saved, 1);
		close(null);
		close(saved);
		fprintf(stderr, "bench_report: generated in %.0f s\n", bench_seconds() - t0);
		free(counts[0]);
		free(counts[1]);
		free(rk);
	}
	char *rules = fv_xasprintf("%s/assets/rules", getenv("FV_SRCDIR") ? getenv("FV_SRCDIR")
									: FV_SRCDIR);
	if (fv_rules_load_dir(rules, &r, &err) != FV_OK)
		die("rules", &err);
	free(rules);
	if (fv_store_open(path, PASS, &s, &err) != FV_OK)
		die("open", &err);

	double ref[3];
	for (int i = 0; i < 3; i++)
		ref[i] = scan(s);
	double base = median(ref, 3);
	printf("bench_report: %ld visits; reference: a full scan of the visit table %.3f s\n",
	       visits, base);
	printf("%-13s %-7s %8s %9s %8s %14s\n", "report", "period", "visits", "seconds", "x scan",
	       "at 1M (linear)");
	static const char *const periods[] = {"2026-11", "2026"};
	const char *only = getenv("FV_BENCH_ONLY");   /* "inbox": the inbox alone */
	int reports = !(only && strcmp(only, "inbox") == 0);
	for (int k = 0; reports && k < FV_REPORT_NKINDS; k++)
		for (int p = 0; p < 2; p++) {
			double t[3];
			size_t rows = 0;
			for (int i = 0; i < 3; i++)
				t[i] = one(s, r, (fv_report_kind)k, periods[p], &rows);
			double m = median(t, 3);
			printf("%-13s %-7s %8zu %9.3f %8.2f %12.2f s\n",
			       fv_report_name((fv_report_kind)k), periods[p], rows, m, m / base,
			       m * 1000000.0 / (double)visits);
		}

	/* the inbox, over every visit received */
	if (sqlite3_exec(s->db, "BEGIN; UPDATE visit SET state = 'sent' WHERE state = 'submitted';"
			 " UPDATE visit SET state = 'received' WHERE state = 'sent'", NULL, NULL,
			 NULL) != SQLITE_OK)
		die("received", NULL);
	static const char *const ranges[][3] = {
		{"inbox", NULL, NULL}, {"inbox", "2026-11-01", "2026-11-30"}};
	for (int k = 0; k < 2; k++) {
		double t[3];
		size_t rows = 0;
		for (int i = 0; i < 3; i++)
			t[i] = inbox(s, ranges[k][1], ranges[k][2], &rows);
		double m = median(t, 3);
		printf("%-13s %-7s %8zu %9.3f %8.2f %12.2f s\n", ranges[k][0],
		       ranges[k][1] ? "2026-11" : "all", rows, m, m / base,
		       m * 1000000.0 / (double)visits);
	}
	if (sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		die("rollback", NULL);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld MB\n", ru.ru_maxrss / 1024);
	fv_store_close(s);
	fv_rules_free(r);
	fv_errors_release(&err);
	if (!(keep && *keep)) {
		char *rm = fv_xasprintf("rm -rf '%s'", dir);
		if (system(rm) != 0)
			fprintf(stderr, "bench_report: could not remove %s\n", dir);
		free(rm);
	}
	free(path);
	return 0;
}
