/* Unit tests of src/core: dates, UTF-8, number parsing, buffers, errors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldvisit/core.h"
#include "tap.h"

static void test_dates(void)
{
	int32_t d;
	char buf[16];
	int y, m, dd;

	ok(fv_date_parse("1970-01-01", &d) && d == 0, "epoch is day 0");
	ok(fv_date_parse("2000-03-01", &d) && d == 11017, "2000-03-01 is day 11017");
	ok(fv_date_parse("2024-02-29", &d), "2024-02-29 exists (leap year)");
	ok(!fv_date_parse("2023-02-29", &d), "2023-02-29 does not exist");
	ok(!fv_date_parse("1900-02-29", &d), "1900 is not a leap year (century rule)");
	ok(fv_date_parse("2000-02-29", &d), "2000 is a leap year (400 rule)");
	ok(!fv_date_parse("2026-13-01", &d), "month 13 refused");
	ok(!fv_date_parse("2026-04-31", &d), "April has 30 days");
	ok(!fv_date_parse("2026-1-01", &d), "short month refused");
	ok(!fv_date_parse("2026-01-01x", &d), "trailing text refused");
	ok(!fv_date_parse("", &d), "empty refused");
	ok(fv_date_parse("1969-12-31", &d) && d == -1, "day before the epoch is -1");
	fv_date_format(19684, buf);
	is_str(buf, "2023-11-23", "format day 19684");
	for (int32_t k = -719162; k <= 2932896; k += 997) {   /* 0001-01-01 .. 9999-12-31 */
		fv_date_to_ymd(k, &y, &m, &dd);
		int32_t back;
		if (!fv_date_from_ymd(y, m, dd, &back) || back != k) {
			ok(0, "round trip of day %d", (int)k);
			return;
		}
	}
	ok(1, "days <-> y-m-d round trip over years 1-9999");
	is_num(fv_days_in_month(2024, 2), 29, "February 2024");
	is_num(fv_days_in_month(2026, 12), 31, "December");
}

static void test_times(void)
{
	int32_t s;
	double t;
	char buf[40];

	ok(fv_time_parse("08:30", &s) && s == 30600, "08:30");
	ok(fv_time_parse("23:59:59", &s) && s == 86399, "23:59:59");
	ok(fv_time_parse("10:00:00.000+08:00", &s) && s == 36000, "time with zone");
	ok(!fv_time_parse("24:00", &s), "24:00 refused");
	ok(!fv_time_parse("8:30", &s), "one-digit hour refused");
	ok(fv_datetime_parse("2026-11-23T10:15:30", &t) && t == 20780 * 86400.0 + 36930,
	   "date-time");
	ok(fv_datetime_parse("2026-11-23", &t) && t == 20780 * 86400.0, "plain date as date-time");
	ok(!fv_datetime_parse("2026-11-23X10:00", &t), "bad separator refused");
	setenv("TZ", "Asia/Shanghai", 1);
	ok(fv_datetime_parse("2026-11-23T03:04:05+05:00", &t) && t == 20780 * 86400.0 + 6 * 3600 + 4 * 60 + 5,
	   "a zone is converted to the local wall clock (03:04 at +05 is 06:04 at +08)");
	ok(fv_datetime_parse("2026-11-23T02:00:00Z", &t) && t == 20780 * 86400.0 + 10 * 3600,
	   "Z is UTC");
	ok(!fv_datetime_parse("2026-11-23T02:00:00+15:00", &t), "zone beyond +14 refused");
	setenv("TZ", "Asia/Shanghai", 1);
	fv_datetime_format(20780 * 86400.0 + 36930.25, buf);
	is_str(buf, "2026-11-23T10:15:30.250+08:00", "date-time format with offset");
}

/* fv_datetime_format as it was written with snprintf: the reference. */
static void datetime_format_ref(double t, char out[static 40])
{
	double whole = floor(t);
	int ms = (int)llround((t - whole) * 1000);
	if (ms >= 1000) {
		whole += 1;
		ms -= 1000;
	}
	long long secs = (long long)whole;
	long long dayn = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int rem = (int)(secs - dayn * 86400);
	int y, m, d;
	struct tm lt;
	fv_date_to_ymd((int32_t)dayn, &y, &m, &d);
	time_t at = (time_t)secs;
	long off = localtime_r(&at, &lt) ? lt.tm_gmtoff : 0;
	at = (time_t)(secs - off);
	off = localtime_r(&at, &lt) ? lt.tm_gmtoff : 0;
	char sign = off < 0 ? '-' : '+';
	int aoff = (int)(labs(off) % 86400);
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", y % 10000, m % 100,
		 d % 100, rem / 3600 % 24, rem / 60 % 60, rem % 60, ms % 1000, sign, aoff / 3600,
		 aoff / 60 % 60);
}

/* The digit-by-digit fv_datetime_format writes what snprintf wrote, in
 * zones east and west, with half hours and summer time, over the years
 * 0000-9999 and past them, and around each second's milliseconds. */
static void test_datetime_format(void)
{
	static const char *const zones[] = {"Asia/Shanghai", "America/New_York", "Asia/Kolkata",
					    "UTC", "America/St_Johns", "Australia/Lord_Howe"};
	uint64_t x = 88172645463325252ULL;
	long bad = 0, n = 0;
	char got[40], want[40], first[100] = "";
	for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (int i = 0; i < 50000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			double t;
			switch (i % 4) {
			case 0:   /* any time of the years 0000-9999 and a little past */
				t = (double)((int64_t)(x % 330000000000ULL) - 62200000000LL) +
				    (double)(x >> 40 & 1023) / 1024;
				break;
			case 1:   /* this century, to the millisecond and between */
				t = 946684800.0 + (double)(x % 3200000000ULL) +
				    (double)((x >> 44) % 1000) / 1000.0 + (x >> 60 & 1 ? 0.0004999 : 0);
				break;
			case 2:   /* just under a whole second */
				t = 1767225600.0 + (double)(x % 100000000ULL) + 0.9995 +
				    (double)(x >> 50 & 7) / 100000.0;
				break;
			default:  /* far out */
				t = (double)((int64_t)x >> 20);
				break;
			}
			fv_datetime_format(t, got);
			datetime_format_ref(t, want);
			n++;
			if (strcmp(got, want) != 0 && bad++ == 0)
				snprintf(first, sizeof first, "%s %.4f: %s, not %s", zones[z], t, got, want);
		}
	}
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	ok(bad == 0, "fv_datetime_format writes what snprintf wrote (%ld times)", n);
	if (bad)
		printf("# %ld differ; first: %s\n", bad, first);
}

static void test_utf8(void)
{
	fv_buf b;
	uint32_t cp;
	ok(fv_utf8_valid("abc", 3), "ASCII is valid");
	ok(fv_utf8_valid("\xe5\xa4\xb1\xe7\x8b\xac", 6), "失独 is valid");
	ok(!fv_utf8_valid("\xe5\xa4", 2), "truncated sequence is invalid");
	ok(!fv_utf8_valid("\xc0\xaf", 2), "overlong '/' is invalid");
	ok(!fv_utf8_valid("\xed\xa0\x80", 3), "surrogate is invalid");
	ok(fv_utf8_valid("\xef\xbf\xbd", 3), "U+FFFD itself is valid");
	is_num((double)fv_utf8_len("失独家庭"), 4, "four Chinese characters");
	is_num((double)fv_utf8_offset("失独家庭", 2), 6, "offset of the third character");
	ok(fv_utf8_decode("\xe4\xb8\xad", 3, &cp) == 3 && cp == 0x4E2D, "decode 中");
	fv_buf_init(&b);
	fv_utf8_put(&b, 0x4E2D);
	fv_utf8_put(&b, 0x1F600);
	is_str(b.s, "\xe4\xb8\xad\xf0\x9f\x98\x80", "encode 中 and an emoji");
	fv_buf_release(&b);
}

static void test_numbers(void)
{
	double d;
	long l;
	ok(fv_parse_double(" 12.5 ", &d) && d == 12.5, "decimal with spaces");
	ok(fv_parse_double("-0.25", &d) && d == -0.25, "negative decimal");
	ok(fv_parse_double(".5", &d) && d == 0.5, "leading dot");
	ok(!fv_parse_double("0x10", &d), "hex refused");
	ok(!fv_parse_double("inf", &d), "inf refused");
	ok(!fv_parse_double("nan", &d), "nan refused");
	ok(!fv_parse_double("1,5", &d), "comma refused");
	ok(!fv_parse_double("", &d), "empty refused");
	ok(!fv_parse_double("1e999", &d), "overflow refused");
	ok(fv_parse_long("007", &l) && l == 7, "leading zeros");
	ok(!fv_parse_long("7.0", &l), "7.0 is not a whole number");
	ok(!fv_parse_long("99999999999999999999", &l), "too big refused");
	ok(!fv_parse_long("-", &l), "lone sign refused");
}

static void test_buf_errors(void)
{
	fv_buf b;
	fv_errors e;
	fv_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		fv_buf_addf(&b, "%d,", i % 10);
	is_num((double)b.len, 2000, "buffer grows");
	char *s = fv_buf_take(&b);
	ok(s[1999] == ',' && s[2000] == '\0', "taken string is terminated");
	free(s);
	fv_errors_init(&e);
	fv_errors_add(&e, "a.csv", 3, "bad %s", "thing");
	fv_errors_add(&e, "a.csv", 0, "whole file");
	fv_errors_add(&e, NULL, 0, "plain");
	is_str(e.lines[0], "a.csv:3: bad thing", "error with line");
	is_str(e.lines[1], "a.csv: whole file", "error without line");
	is_str(e.lines[2], "plain", "error without file");
	fv_errors_release(&e);
	char *t = fv_xstrdup("  x y \t\n");
	is_str(fv_trim(t), "x y", "trim");
	free(t);
	is_num(fv_status_exit(FV_EINVAL), 1, "rejected input exits 1");
	is_num(fv_status_exit(FV_EUSAGE), 2, "usage exits 2");
	is_num(fv_status_exit(FV_EIO), 4, "file error exits 4");
}

static void test_clock(void)
{
	fv_clock_set(1000.5);
	is_num(fv_clock_now(), 1000.5, "pinned clock");
	fv_clock_set(-1);
	setenv("FIELDVISIT_NOW", "2026-01-02T03:04:05", 1);
	is_num(fv_clock_now(), 20455 * 86400.0 + 11045, "FIELDVISIT_NOW pins the clock");
	unsetenv("FIELDVISIT_NOW");
	ok(fv_clock_now() > 1.7e9, "real clock");
}

int main(void)
{
	test_dates();
	test_times();
	test_datetime_format();
	test_utf8();
	test_numbers();
	test_buf_errors();
	test_clock();
	return done_testing();
}
