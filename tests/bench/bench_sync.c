/*
 * bench_sync: what sync bundles cost (`make bench`).
 *
 * A supervisor and a worker are made through the API (invitation, join,
 * hello), the worker's store is filled by `fieldvisit generate` itself
 * (fv_cmd_generate: 10,000 people, 100,000 visits, seed 1), then:
 *
 *   - export: the worker writes its up-bundle (every person and visit:
 *     read from the encrypted store, JSON Lines, deflate, secretstream,
 *     signature, .part, fsync, read back, rename).  The reference is
 *     `gzip -6` over the same JSON Lines payload (the bundle's own
 *     records, decrypted), run as a program in the same run: export time
 *     at most 2 x gzip's, bundle size at most 1.05 x gzip's output;
 *   - import into the supervisor's empty store (every record checked by
 *     the forms engine and the person checks, one transaction): at least
 *     20,000 visits a second;
 *   - import again: the same file is refused as replayed (its hash is in
 *     the log), and a second up-bundle re-sending the same 110,000 records
 *     (no receipt came back yet) changes nothing: at least 5 x faster than
 *     the first import.
 *
 * Argon2 runs at vault_pw_fast().  The work folder is a new temporary
 * folder, removed at the end.  FV_BENCH_VISITS=N generates N visits (and
 * a tenth as many people) for a quick look; FV_BENCH_DIR=DIR keeps the two
 * stores as they are before the export in DIR/N/ and copies them from
 * there on the next run (generating 100,000 visits takes a minute).  A benchmark, not a test: it exits 0 unless
 * something fails to run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* mkdtemp, setenv */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_NAME "bench_sync"
#include "bench.h"
#include "fieldvisit/cli.h"
#include "fieldvisit/rules.h"
#include "fieldvisit/store.h"
#include "fieldvisit/sync.h"

#define PASS "bench passphrase 1"
#define PERSONS "10000"
#define VISITS "100000"
#define EXPORT_RATIO_MAX 2.0
#define SIZE_RATIO_MAX 1.05
#define IMPORT_RATE_MIN 20000.0
#define REIMPORT_SPEEDUP_MIN 5.0

static const char *srcdir(void)
{
	const char *s = getenv("FV_SRCDIR");
	return s && *s ? s : FV_SRCDIR;
}

static fv_store *create(const char *path, fv_role role, const uint8_t *rpk, fv_errors *err)
{
	char *forms = fv_xasprintf("%s/forms", srcdir());
	fv_store_init in = {role, role == FV_ROLE_WORKER ? "bench" : "boss", PASS, vault_pw_fast(),
			    rpk};
	fv_store *s;
	if (fv_store_create(path, &in, forms, &s, err) != FV_OK)
		die_errors("creating a store", err);
	free(forms);
	return s;
}

static fv_store *reopen(const char *path, fv_errors *err)
{
	fv_store *s;
	if (fv_store_open(path, PASS, &s, err) != FV_OK)
		die_errors("opening a store", err);
	return s;
}

/* CPU seconds (user + system) of this process, or of its finished
 * children: on a shared machine these vary less than the clock does. */
static double cpu_seconds(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static int to_file(void *ctx, const char *line, size_t len, fv_errors *err)
{
	(void)err;
	fwrite(line, 1, len, ctx);
	fputc('\n', ctx);
	return 0;
}

static void target(const char *label, double value, const char *unit, int pass)
{
	printf("  %-44s %10.3f %-4s %s\n", label, value, unit, pass ? "ok" : "MISSED");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = fv_xasprintf("%s/fvbench-sync.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fv_errors err;
	uint8_t rpk[32];
	fv_rules *rules;
	fv_sync_file *files;
	fv_sync_report rep;
	size_t n;
	char code[FV_INVITE_CODE_BYTES], *inv_path, *hello;
	fv_invitation *inv;

	fv_errors_init(&err);
	if (vault_init() != FV_OK || !mkdtemp(dir))
		return 1;
	setenv("FIELDVISIT_PASSPHRASE", PASS, 1);
	char *sup_path = fv_xasprintf("%s/sup.fv", dir), *wk_path = fv_xasprintf("%s/wk.fv", dir);
	char *rdir = fv_xasprintf("%s/assets/rules", srcdir());
	vault_random(rpk, sizeof rpk);

	/* FV_BENCH_VISITS=N (and a tenth as many people) for a quick look */
	const char *nv = getenv("FV_BENCH_VISITS");
	char np[32];
	snprintf(np, sizeof np, "%ld", nv ? atol(nv) / 10 : atol(PERSONS));
	const char *keep = getenv("FV_BENCH_DIR");
	char *fixture = keep && *keep ? fv_xasprintf("%s/%s", keep, nv ? nv : VISITS) : NULL;
	char *copy;
	struct stat sb;
	fv_store *sup, *wk;
	double t0;
	char *argv[] = {"generate", "--persons", np, "--visits", (char *)(nv ? nv : VISITS),
			"--seed", "1", "--store", wk_path, NULL};

	if (fixture && stat(fixture, &sb) == 0) {
		copy = fv_xasprintf("cp -p '%s'/* '%s'/", fixture, dir);
		if (system(copy) != 0)
			return 1;
		free(copy);
		fprintf(stderr, "bench_sync: the stores of %s\n", fixture);
		sup = reopen(sup_path, &err);
	} else {
		/* a team of two */
		sup = create(sup_path, FV_ROLE_SUPERVISOR, rpk, &err);
		if (fv_sync_team_create(sup, rpk, &err) != FV_OK ||
		    fv_rules_load_dir(rdir, &rules, &err) != FV_OK ||
		    fv_sync_invite(sup, "bench", "", rules, dir, &inv_path, code, &err) != FV_OK ||
		    fv_invitation_open(inv_path, code, &inv, &err) != FV_OK)
			die_errors("inviting", &err);
		wk = create(wk_path, FV_ROLE_WORKER, fv_invitation_recovery_pk(inv), &err);
		if (fv_sync_join(wk, inv, dir, &hello, &err) != FV_OK ||
		    fv_sync_import(sup, hello, NULL, &rep, &err) != FV_OK)
			die_errors("joining", &err);
		fv_sync_report_release(&rep);
		fv_store_close(wk);

		/* the worker's data, by generate itself */
		fprintf(stderr, "bench_sync: generating %s people and %s visits\n", np, argv[4]);
		t0 = bench_seconds();
		if (fv_cmd_generate(9, argv) != 0)
			return 1;
		fprintf(stderr, "bench_sync: generated in %.1f s\n", bench_seconds() - t0);
		if (fixture) {
			fv_store_close(sup);
			copy = fv_xasprintf("mkdir -p '%s' && cp -p '%s'/sup.fv* '%s'/wk.fv* '%s'/",
					    fixture, dir, dir, fixture);
			if (system(copy) != 0)
				return 1;
			free(copy);
			sup = reopen(sup_path, &err);
		}
	}

	/* export */
	char *out1 = fv_xasprintf("%s/out1", dir), *out2 = fv_xasprintf("%s/out2", dir);
	mkdir(out1, 0700);
	mkdir(out2, 0700);
	wk = reopen(wk_path, &err);
	double c0 = cpu_seconds(RUSAGE_SELF);
	t0 = bench_seconds();
	if (fv_sync_export(wk, out1, NULL, &files, &n, &err) != FV_OK || n != 1)
		die_errors("exporting", &err);
	double export_s = bench_seconds() - t0, export_cpu = cpu_seconds(RUSAGE_SELF) - c0;
	char *bundle = fv_xstrdup(files[0].path);
	size_t records = files[0].records;
	fv_sync_files_free(files, n);
	long bundle_size = file_size(bundle);

	/* the reference: gzip -6 over the same JSON Lines */
	char *payload = fv_xasprintf("%s/payload.jsonl", dir);
	{
		fv_sync_self me;
		char *text;
		size_t len;
		FILE *fp = fopen(payload, "w");
		if (!fp || fv_store_sync_self(sup, &me, &err) != FV_OK ||
		    fv_read_file(bundle, &text, &len, &err) != FV_OK)
			die_errors("reading the bundle", &err);
		if (fv_bundle_records(bundle, (uint8_t *)text, len, me.box_sk, me.box_pk, 0, to_file,
				      fp, NULL, NULL, &err) != FV_OK)
			die_errors("decrypting the bundle", &err);
		fclose(fp);
		free(text);
		fv_sync_self_release(&me);
	}
	char *cmd = fv_xasprintf("gzip -6 -c '%s' > '%s.gz'", payload, payload);
	double gz[3], gc0 = cpu_seconds(RUSAGE_CHILDREN);
	for (int i = 0; i < 3; i++) {
		t0 = bench_seconds();
		if (system(cmd) != 0) {
			fprintf(stderr, "bench_sync: gzip failed\n");
			return 1;
		}
		gz[i] = bench_seconds() - t0;
	}
	double gzip_s = median(gz, 3), gzip_cpu = (cpu_seconds(RUSAGE_CHILDREN) - gc0) / 3;
	char *gzpath = fv_xasprintf("%s.gz", payload);
	long gzip_size = file_size(gzpath), payload_size = file_size(payload);

	/* import into the empty supervisor store */
	c0 = cpu_seconds(RUSAGE_SELF);
	t0 = bench_seconds();
	if (fv_sync_import(sup, bundle, NULL, &rep, &err) != FV_OK)
		die_errors("importing", &err);
	double import_s = bench_seconds() - t0, import_cpu = cpu_seconds(RUSAGE_SELF) - c0;
	double nvisits = atof(argv[4]);
	size_t visits = 0;
	{
		fv_visit *vs;
		if (fv_visit_list(sup, NULL, &vs, &visits, &err) != FV_OK)
			die_errors("listing", &err);
		fv_visit_list_free(vs, visits);
	}
	fv_sync_report_release(&rep);

	/* the same file again: refused as replayed */
	t0 = bench_seconds();
	fv_status st = fv_sync_import(sup, bundle, NULL, &rep, &err);
	double replay_s = bench_seconds() - t0;
	fv_errors_release(&err);
	fv_sync_report_release(&rep);
	if (st != FV_EINVAL)
		return 1;

	/* a second bundle re-sending the same records: all here already */
	if (fv_sync_export(wk, out2, NULL, &files, &n, &err) != FV_OK || n != 1)
		die_errors("exporting again", &err);
	c0 = cpu_seconds(RUSAGE_SELF);
	t0 = bench_seconds();
	if (fv_sync_import(sup, files[0].path, NULL, &rep, &err) != FV_OK)
		die_errors("importing again", &err);
	double reimport_s = bench_seconds() - t0, reimport_cpu = cpu_seconds(RUSAGE_SELF) - c0;
	size_t same = rep.same;
	fv_sync_report_release(&rep);
	fv_sync_files_free(files, n);

	printf("bench_sync: %s people, %s visits (fieldvisit generate, seed 1): %zu records,"
	       " %.1f MB of JSON Lines\n", np, argv[4], records, payload_size / 1e6);
	printf("\nreference: gzip -6 over the same JSON Lines (this machine, this run)\n");
	printf("  %-44s %10.3f s     %.2f MB\n", "gzip -6 (median of 3)", gzip_s, gzip_size / 1e6);
	printf("\nmeasured                                              ratio\n");
	printf("  %-44s %10.3f s     %5.2f x   (%.2f MB)\n", "export (store -> bundle on disk)",
	       export_s, export_s / gzip_s, bundle_size / 1e6);
	printf("  %-44s %10.3f      %5.3f x\n", "bundle size / gzip size",
	       (double)bundle_size / (double)gzip_size, (double)bundle_size / (double)gzip_size);
	printf("  %-44s %10.3f s     %.0f visits/s (%zu visits now)\n",
	       "import into an empty supervisor store", import_s, nvisits / import_s, visits);
	printf("  %-44s %10.3f s     (refused: replayed)\n", "the same file again", replay_s);
	printf("  %-44s %10.3f s     %5.1f x faster (%zu here already)\n",
	       "a bundle re-sending the same records", reimport_s, import_s / reimport_s, same);
	printf("\nCPU seconds (user + system; less disturbed by other programs)\n");
	printf("  %-44s %10.3f s\n", "gzip -6 (mean of 3)", gzip_cpu);
	printf("  %-44s %10.3f s     %5.2f x\n", "export", export_cpu, export_cpu / gzip_cpu);
	printf("  %-44s %10.3f s     %.0f visits/s\n", "import", import_cpu, nvisits / import_cpu);
	printf("  %-44s %10.3f s     %5.1f x faster\n", "re-import", reimport_cpu,
	       import_cpu / reimport_cpu);
	printf("\ntargets\n");
	target("export <= 2 x gzip -6", export_s / gzip_s, "x", export_s / gzip_s <=
	       EXPORT_RATIO_MAX);
	target("bundle <= 1.05 x gzip -6 output", (double)bundle_size / (double)gzip_size, "x",
	       (double)bundle_size / (double)gzip_size <= SIZE_RATIO_MAX);
	target("import >= 20,000 visits/s", nvisits / import_s / 1000, "k/s",
	       nvisits / import_s >= IMPORT_RATE_MIN);
	target("re-import (records here) >= 5 x faster", import_s / reimport_s, "x",
	       import_s / reimport_s >= REIMPORT_SPEEDUP_MIN);
	target("re-import (same file) >= 5 x faster", import_s / replay_s, "x",
	       import_s / replay_s >= REIMPORT_SPEEDUP_MIN);

	fv_store_close(wk);
	fv_store_close(sup);
	char *rm = fv_xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		fprintf(stderr, "bench_sync: could not remove %s\n", dir);
	return 0;
}
