/*
 * fieldvisit report NAME: the supervisor's reports on the command line.
 * The store gathers the facts (fv_store_report_facts), src/rules/report.c
 * computes the tables, report_write.c lays them out.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/cli.h"
#include "fieldvisit/report.h"
#include "fieldvisit/store.h"
#include "report_write.h"

static void report_usage(FILE *fp)
{
	fputs("Usage: fieldvisit report NAME [--period P] [--village V] [--worker W]\n"
	      "                         [--format text|csv|json|html] [--bom] [--out FILE]\n"
	      "                         [--caller provider|district]\n"
	      "\n"
	      "Reports for a supervisor, computed from the store and the rule tables.\n"
	      "NAME is one of:\n"
	      "  coverage      people due in the period and visited, by rule, by village\n"
	      "                and by worker; the people with overdue visits\n"
	      "  overdue       the overdue visits on the period's last day (or today), and why\n"
	      "  satisfaction  satisfaction rates from the satisfaction callbacks, by\n"
	      "                village, worker and month; those below the threshold marked\n"
	      "  alerts        alerts by kind and village: open, referred, closed, and\n"
	      "                those whose follow-up visit is overdue\n"
	      "  callbacks     a reproducible sample of the period's visits to call back,\n"
	      "                callback results, and callbacks that contradict a visit\n"
	      "  anomalies     the fraud checks: short, overlapping and too many visits,\n"
	      "                visits after death or move, check-out before check-in, late\n"
	      "                records, duplicate people, copied answers, same minute\n"
	      "  services      different service items per person in the year vs the minimum\n"
	      "\n"
	      "  --period P           a month (2026-11), a quarter (2026Q4) or a year (2026);\n"
	      "                       default: this month\n"
	      "  --village V          only this village\n"
	      "  --worker W           only this worker (a device id, as reports show it)\n"
	      "  --format F           text (default), csv, json or html\n"
	      "  --bom                start the CSV with a UTF-8 BOM (for Excel)\n"
	      "  --out FILE           write the report to FILE (atomically) and print its path\n"
	      "  --caller C           callbacks: whose share to draw (default district)\n"
	      "  --store PATH         the store (see 'fieldvisit --help')\n"
	      "  --passphrase-file F  read the passphrase from the first line of F\n"
	      "  -h, --help           show this help\n",
	      fp);
}

enum { O_PERIOD = 256, O_VILLAGE, O_WORKER, O_FORMAT, O_BOM, O_OUT, O_CALLER, O_STORE, O_PASSFILE };

static const struct option opts[] = {
	{"period", required_argument, NULL, O_PERIOD},
	{"village", required_argument, NULL, O_VILLAGE},
	{"worker", required_argument, NULL, O_WORKER},
	{"format", required_argument, NULL, O_FORMAT},
	{"bom", no_argument, NULL, O_BOM},
	{"out", required_argument, NULL, O_OUT},
	{"caller", required_argument, NULL, O_CALLER},
	{"store", required_argument, NULL, O_STORE},
	{"passphrase-file", required_argument, NULL, O_PASSFILE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char kinds[] = "coverage, overdue, satisfaction, alerts, callbacks, anomalies,"
			    " services";

static int32_t today(void)
{
	double now = fv_clock_now();
	int32_t day = (int32_t)(now / 86400.0);
	if (day * 86400.0 > now)
		day--;
	return day;
}

int fv_cmd_report(int argc, char **argv)
{
	const char *period = NULL, *out = NULL, *format = "text";
	fv_report_args a = {0};
	fv_cli_store_opts so = {0};
	fv_cli_report_format fmt;
	fv_report_kind kind;
	int bom = 0, c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_PERIOD: period = optarg; break;
		case O_VILLAGE: a.village = optarg; break;
		case O_WORKER: a.worker = optarg; break;
		case O_FORMAT: format = optarg; break;
		case O_BOM: bom = 1; break;
		case O_OUT: out = optarg; break;
		case O_CALLER: a.caller = optarg; break;
		case O_STORE: so.store = optarg; break;
		case O_PASSFILE: so.passphrase_file = optarg; break;
		case 'h': report_usage(stdout); return 0;
		default: return fv_cli_bad_option("report", c, argv);
		}
	}
	if (optind >= argc) {
		fv_cli_error("report: give the report's name (%s)", kinds);
		return 2;
	}
	if (!fv_report_parse(argv[optind], &kind)) {
		fv_cli_error("report: no report '%s' (%s)", argv[optind], kinds);
		return 2;
	}
	if (optind + 1 < argc)
		return fv_cli_unexpected("report", "report", argv[optind + 1]);
	if (!fv_cli_report_format_parse(format, &fmt)) {
		fv_cli_error("report: --format: '%s' is not text, csv, json or html", format);
		return 2;
	}
	if (bom && fmt != FV_REPORT_CSV) {
		fv_cli_error("report: --bom goes with --format csv");
		return 2;
	}
	if (a.village && !*a.village) {
		fv_cli_error("report: --village: give a village's name");
		return 2;
	}
	if (a.worker && !*a.worker) {
		fv_cli_error("report: --worker: give a worker");
		return 2;
	}
	if (out && !*out) {
		fv_cli_error("report: --out: give a file name");
		return 2;
	}
	int32_t now = today();
	if (!period) {
		fv_period_month(now, &a.period);
	} else if (!fv_period_parse(period, &a.period)) {
		fv_cli_error("report: --period: '%s' is not a month (2026-11), a quarter (2026Q4)"
			     " or a year (2026)",
			     period);
		return 2;
	}
	if (a.period.first > now) {
		char d[16];
		fv_date_format(now, d);
		fv_cli_error("report: the period %s has not begun (today is %s)", a.period.label, d);
		return 2;
	}
	a.day = fv_period_day(&a.period, now);

	fv_rules *r = NULL;
	fv_store *s = NULL;
	int rc = fv_cli_open_store(&so, &s);
	if (rc != 0)
		return rc;
	if ((rc = fv_cli_load_rules(s, &r)) != 0) {
		fv_store_close(s);
		return rc;
	}
	if (a.caller && !fv_rules_caller_find(r, a.caller)) {
		fv_cli_error("report: --caller: '%s' is not provider or district", a.caller);
		fv_rules_free(r);
		fv_store_close(s);
		return 2;
	}

	fv_report_facts facts;
	fv_errors err;
	fv_status st;
	int32_t from, to;
	fv_errors_init(&err);
	unsigned need = fv_report_needs(kind, &a, &from, &to);
	if ((st = fv_store_report_facts(s, r, need, from, to, &facts, &err)) != FV_OK) {
		rc = fv_cli_fail(st, &err);
	} else {
		fv_report rep;
		fv_buf text;
		fv_buf_init(&text);
		fv_report_compute(kind, r, &facts, &a, &rep);
		fv_cli_report_write(&rep, fmt, bom, &text);
		if (!out) {
			fwrite(text.s, 1, text.len, stdout);
		} else if ((st = fv_write_atomic(out, text.s, text.len, 0600, &err)) != FV_OK) {
			rc = fv_cli_fail(st, &err);
		} else {
			puts(out);
		}
		fv_buf_release(&text);
		fv_report_release(&rep);
		fv_report_facts_release(&facts);
	}
	fv_errors_release(&err);
	fv_store_close(s);
	fv_rules_free(r);
	return rc;
}
