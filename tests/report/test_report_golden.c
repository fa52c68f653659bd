/*
 * Every report in every format against golden files (tests/report/golden/).
 *
 * A fixed data set: people and visits made with the library API on a
 * pinned clock, with pinned UUIDs (vault_uuid_pin), plus rows written as
 * an import from other workers' laptops would write them (other authors,
 * a check-out before its check-in, overlapping visits, callbacks), plus
 * `fieldvisit generate --seed 5` for volume.  The reports are run through
 * the command itself (fv_cli_main, --out FILE) and compared byte for byte.
 *
 * After checking that a change of output is right, regenerate with
 *   FV_UPDATE_GOLDEN=1 make check TESTS=tests/report/test_report_golden
 */
#include <fcntl.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/store.h"
#include "../../src/store/data_internal.h"
#include "../unit/tap.h"

#define PASS "correct horse battery"

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

static fv_errors err;
static char dir[64];
static char *store_path;

static void must(fv_status st, const char *what)
{
	if (st != FV_OK) {
		printf("Bail out! %s: %s\n", what, err.n ? err.lines[0] : "?");
		exit(1);
	}
}

static double at(const char *s)
{
	double t;
	if (!fv_datetime_parse(s, &t)) {
		printf("Bail out! bad time %s\n", s);
		exit(1);
	}
	return t;
}

static void exec_sql(fv_store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		printf("Bail out! %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
}

/* ---- the hand-made data ---------------------------------------------- */

static char ids[16][FV_ID_BYTES];

static void person(fv_store *s, int i, const char *name, const char *sex, const char *birth,
		   const char *rid, const char *phone, const char *village, const char *cats)
{
	fv_person_input in = {.name = name, .sex = sex, .birth = birth, .resident_id = rid,
			      .phone = phone, .village = village, .categories = cats};
	must(fv_person_add(s, &in, ids[i], &err), name);
}

static char visit_ids[64][FV_ID_BYTES];
static int nvisit;

/* A visit through the API, submitted at submit (the clock is moved). */
static const char *submit(fv_store *s, fv_form *f, int who, const char *in, const char *out,
			  const char *services, const char *answers, const char *submitted)
{
	fv_answers a = {0};
	must(fv_answers_parse("answers", answers, strlen(answers), &a, &err), "answers");
	fv_visit_input vi = {ids[who], in, out, services};
	fv_clock_set(at(submitted));
	must(fv_visit_submit(s, f, &vi, &a, visit_ids[nvisit], &err), answers);
	fv_answers_release(&a);
	return visit_ids[nvisit++];
}

/* A visit as an import from another worker's laptop writes it. */
static void imported(fv_store *s, const char *id, const char *author, int who, const char *in,
		     const char *out, int duration, const char *submitted)
{
	char *sql = fv_xasprintf(
		"INSERT INTO visit(id, version, author, person_id, form_id, form_version, state,"
		" answers, checkin, checkout, duration, services, visit_date, created_at,"
		" updated_at, submitted_at) VALUES ('%s', 1, '%s', '%s', 'home_visit',"
		" '2026112301', 'received', '{\"checkin\":\"OK\",\"visit_type\":\"regular\","
		"\"met\":\"self\",\"services\":\"comfort\",\"living\":\"alone\","
		"\"health_change\":\"no\",\"emergency\":\"no\",\"checkout\":\"OK\"}', '%s', '%s',"
		" %d, 'comfort', substr('%s', 1, 10), '%s', '%s', '%s')",
		id, author, ids[who], in, out, duration, in, submitted, submitted, submitted);
	exec_sql(s, sql);
	free(sql);
}

static const char home[] =
	"{\"checkin\":\"OK\",\"visit_type\":\"regular\",\"met\":\"self\",\"services\":\"%s\","
	"\"living\":\"alone\",\"health_change\":\"no\",\"emergency\":\"%s\"%s,\"checkout\":\"OK\"}";

static char *home_answers(const char *services, int emergency)
{
	return fv_xasprintf(home, services, emergency ? "yes" : "no",
			    emergency ? ",\"emergency_details\":\"fell at home\"" : "");
}

static const char sat_yes[] =
	"{\"method\":\"phone\",\"respondent\":\"self\",\"visited\":\"yes\","
	"\"attitude\":\"%s\",\"timeliness\":\"%s\",\"quality\":\"%s\",\"overall\":\"%s\","
	"\"complaint\":\"no\"}";
static const char sat_no[] =
	"{\"method\":\"phone\",\"respondent\":\"self\",\"visited\":\"no\","
	"\"not_visited_note\":\"nobody came\",\"complaint\":\"no\"}";

static void make_data(void)
{
	char *forms = fv_xasprintf("%s/forms", srcdir());
	uint8_t pk[VAULT_BOX_PK_BYTES];
	char *rk = fv_xasprintf("%s/recovery.key", dir);
	must(vault_recovery_create(rk, pk, &err), "recovery key");
	free(rk);
	fv_store_init init = {FV_ROLE_SUPERVISOR, "Wang", PASS, vault_pw_fast(), pk};
	fv_store *s = NULL;
	fv_form *hv = NULL, *sat = NULL;

	fv_clock_set(at("2026-01-02T09:00:00"));
	must(fv_store_create(store_path, &init, forms, &s, &err), "create");
	free(forms);
	must(fv_store_form_load(s, "home_visit", &hv, &err), "home_visit");
	must(fv_store_form_load(s, "satisfaction", &sat, &err), "satisfaction");

	/* people, registered in January (ids are pinned) */
	person(s, 0, "赵桂兰", "female", "1940-03-01", "990101194003010028", "10011110001",
	       "东村", "gaoling zili");
	person(s, 1, "钱进", "male", "1948-07-15", "990101194807150018", "10011110002", "东村",
	       "banshineng");
	person(s, 2, "孙丽", "female", "1968-05-20", "990101196805200025", "", "西村", "shidu");
	person(s, 3, "李强", "male", "1950-11-11", "990101195011110015", "10011110004", "西村",
	       "zili");
	person(s, 4, "周芳", "female", "1938-02-02", "990101193802020025", "", "西村",
	       "gaoling shineng");
	/* the same person registered twice (another resident ID) and a shared
	 * phone */
	person(s, 5, "李强", "male", "1950-11-11", "990101195011110031", "10011110002", "西村",
	       "zili");

	char *a;
	/* worker of this store: visits with check-in and check-out */
	a = home_answers("meals cleaning", 0);
	submit(s, hv, 0, "2026-10-12T09:00", "2026-10-12T10:10", "meals cleaning", a,
	       "2026-10-12T10:15:00");
	submit(s, hv, 0, "2026-11-05T09:00", "2026-11-05T10:05", "comfort", a,
	       "2026-11-05T10:10:00");
	free(a);
	a = home_answers("care", 0);
	submit(s, hv, 1, "2026-11-03T14:00", "2026-11-03T15:30", "care", a, "2026-11-03T15:31:00");
	/* too short (40 minutes for banshineng) */
	submit(s, hv, 1, "2026-11-17T14:00", "2026-11-17T14:40", "care", a, "2026-11-17T14:41:00");
	/* recorded 3 days after the check-out */
	submit(s, hv, 3, "2026-11-06T09:00", "2026-11-06T10:00", "care", a, "2026-11-09T12:00:00");
	free(a);
	/* an emergency: an alert that nobody followed up */
	a = home_answers("urgent", 1);
	submit(s, hv, 4, "2026-11-02T08:00", "2026-11-02T09:20", "urgent", a, "2026-11-02T09:30:00");
	free(a);

	/* satisfaction callbacks: 赵 and 钱 rate, 李强 says nobody came */
	a = fv_xasprintf(sat_yes, "very_satisfied", "satisfied", "satisfied", "dissatisfied");
	submit(s, sat, 0, NULL, NULL, "", a, "2026-11-10T16:00:00");
	free(a);
	a = fv_xasprintf(sat_yes, "fairly_satisfied", "dissatisfied", "very_dissatisfied",
			 "dissatisfied");
	submit(s, sat, 1, NULL, NULL, "", a, "2026-11-20T16:00:00");
	free(a);
	submit(s, sat, 3, NULL, NULL, "", sat_no, "2026-11-12T16:00:00");

	/* person 4 dies on 11-10 */
	fv_clock_set(at("2026-11-11T09:00:00"));
	must(fv_person_archive(s, ids[4], "died", "2026-11-10", "died at home", &err), "archive");

	/* rows from other workers' laptops, as an import writes them */
	exec_sql(s, "UPDATE person SET author = 'worker-b' WHERE village = '西村'");
	imported(s, "00000000-0000-4000-8000-00000000000b", "worker-b", 3,
		 "2026-11-18T10:00:00.000+08:00", "2026-11-18T09:00:00.000+08:00", 0,
		 "2026-11-18T10:05:00.000+08:00");
	/* two people at once */
	imported(s, "00000000-0000-4000-8000-00000000000c", "worker-b", 2,
		 "2026-11-19T09:00:00.000+08:00", "2026-11-19T10:30:00.000+08:00", 90,
		 "2026-11-19T10:40:00.000+08:00");
	imported(s, "00000000-0000-4000-8000-00000000000d", "worker-b", 5,
		 "2026-11-19T10:00:00.000+08:00", "2026-11-19T11:00:00.000+08:00", 60,
		 "2026-11-19T11:05:00.000+08:00");
	/* after the death on 11-10 */
	imported(s, "00000000-0000-4000-8000-00000000000e", "worker-b", 4,
		 "2026-11-20T09:00:00.000+08:00", "2026-11-20T10:00:00.000+08:00", 60,
		 "2026-11-20T10:05:00.000+08:00");
	/* a callback result on one of this store's visits */
	char *sql = fv_xasprintf(
		"INSERT INTO callback(id, version, author, visit_id, visit_version, person_id,"
		" sample, state, called_at, satisfied, result, created_at, updated_at) VALUES"
		" ('00000000-0000-4000-8000-0000000000c1', 1, 'sup', '%s', 1, '%s', '2026-11',"
		" 'done', '2026-11-21T10:00:00.000+08:00', 0, 'waited two hours',"
		" '2026-11-21T10:00:00.000+08:00', '2026-11-21T10:00:00.000+08:00')",
		visit_ids[2], ids[1]);
	exec_sql(s, sql);
	free(sql);
	fv_form_free(hv);
	fv_form_free(sat);
	fv_store_close(s);
}

/* ---- running the command ------------------------------------------- */

/* fieldvisit ARGS... with stdout sent to /dev/null; the exit code. */
static int run(char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	fflush(stdout);
	int saved = dup(1), null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	close(null);
	int rc = fv_cli_main(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	fv_errors e;
	fv_errors_init(&e);
	if (fv_read_file(path, &data, len, &e) != FV_OK)
		data = NULL;
	fv_errors_release(&e);
	return data;
}

static int update;

static void golden(const char *name, char **args)
{
	char *out = fv_xasprintf("%s/out", dir);
	char *argv[32] = {"fieldvisit", "report"};
	int n = 2;
	for (char **a = args; *a; a++)
		argv[n++] = *a;
	argv[n++] = "--out";
	argv[n++] = out;
	argv[n++] = "--store";
	argv[n++] = store_path;
	argv[n] = NULL;
	unlink(out);
	int rc = run(argv);
	size_t glen = 0, olen = 0;
	char *path = fv_xasprintf("%s/tests/report/golden/%s", srcdir(), name);
	char *got = slurp(out, &olen);
	if (update && got) {
		FILE *fp = fopen(path, "wb");
		if (fp) {
			fwrite(got, 1, olen, fp);
			fclose(fp);
		}
	}
	char *want = slurp(path, &glen);
	int same = rc == 0 && got && want && glen == olen && memcmp(got, want, olen) == 0;
	ok(same, "%s (exit %d)", name, rc);
	if (!same && got && want) {
		size_t i = 0;
		while (i < olen && i < glen && got[i] == want[i])
			i++;
		diag("differs at byte %zu: got '%.60s' expected '%.60s'", i, got + i, want + i);
	}
	free(got);
	free(want);
	free(path);
	free(out);
}

int main(void)
{
	static const char *const kinds[] = {"coverage", "overdue", "satisfaction", "alerts",
					    "callbacks", "anomalies", "services"};
	static const char *const formats[] = {"text", "csv", "json", "html"};

	/* times are shown on the wall clock of the place: pin it */
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	update = getenv("FV_UPDATE_GOLDEN") && strcmp(getenv("FV_UPDATE_GOLDEN"), "1") == 0;
	snprintf(dir, sizeof dir, "/tmp/fv-golden-XXXXXX");
	if (!mkdtemp(dir)) {
		puts("Bail out! mkdtemp");
		return 1;
	}
	store_path = fv_xasprintf("%s/sup.fv", dir);
	setenv("FIELDVISIT_PASSPHRASE", PASS, 1);
	setenv("FIELDVISIT_TEST_FAST_KDF", "1", 1);
	char *assets = fv_xasprintf("%s/assets", srcdir());
	setenv("FIELDVISIT_ASSETS_DIR", assets, 1);
	fv_errors_init(&err);
	if (vault_init() != FV_OK) {
		puts("Bail out! vault_init");
		return 1;
	}
	vault_uuid_pin(20261123);
	make_data();

	/* volume: fictional people and visits of the past year */
	fv_clock_set(at("2026-11-23T10:00:00"));
	char *gen[] = {"fieldvisit", "generate", "--persons", "60", "--visits", "700", "--seed", "5",
		       "--store", store_path, NULL};
	ok(run(gen) == 0, "generate --seed 5 adds people and visits");

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
			char name[64];
			snprintf(name, sizeof name, "%s.%s", kinds[k], formats[f]);
			char *args[] = {(char *)kinds[k], "--period", "2026-11", "--format",
					(char *)formats[f], NULL};
			golden(name, args);
		}
	char *q1[] = {"coverage", "--period", "2026Q4", "--format", "json", NULL};
	golden("coverage-2026Q4.json", q1);
	char *q2[] = {"satisfaction", "--period", "2026", "--format", "csv", "--bom", NULL};
	golden("satisfaction-2026-bom.csv", q2);
	char *q3[] = {"anomalies", "--period", "2026-11", "--worker", "worker-b", NULL};
	golden("anomalies-worker-b.text", q3);
	char *q4[] = {"coverage", "--period", "2026-11", "--village", "西村", NULL};
	golden("coverage-xicun.text", q4);
	char *q5[] = {"callbacks", "--period", "2026-11", "--caller", "provider", "--format", "csv",
		      NULL};
	golden("callbacks-provider.csv", q5);

	/* the same report twice is the same file (no hidden randomness) */
	char *out1 = fv_xasprintf("%s/a", dir), *out2 = fv_xasprintf("%s/b", dir);
	char *r1[] = {"fieldvisit", "report", "callbacks", "--format", "json", "--out", out1,
		      "--store", store_path, NULL};
	char *r2[] = {"fieldvisit", "report", "callbacks", "--format", "json", "--out", out2,
		      "--store", store_path, NULL};
	size_t l1 = 0, l2 = 0;
	run(r1);
	run(r2);
	char *d1 = slurp(out1, &l1), *d2 = slurp(out2, &l2);
	ok(d1 && d2 && l1 == l2 && memcmp(d1, d2, l1) == 0, "the same callback sample twice");
	free(d1);
	free(d2);
	free(out1);
	free(out2);

	char *rm = fv_xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		diag("could not remove %s", dir);
	free(rm);
	free(assets);
	free(store_path);
	fv_errors_release(&err);
	if (update)
		diag("golden files written: check them with git diff");
	return done_testing();
}
