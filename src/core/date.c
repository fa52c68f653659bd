/* fieldvisit core: calendar dates, times of day, date-times and the clock. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldvisit/core.h"

int fv_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int fv_days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && fv_is_leap(y) ? 29 : dim[m - 1];
}

/* Days from civil, after H. Hinnant's public-domain algorithm. */
int fv_date_from_ymd(int y, int m, int d, int32_t *days)
{
	if (y < 1 || y > 9999 || d < 1 || d > fv_days_in_month(y, m))
		return 0;
	long yy = m <= 2 ? y - 1 : y;
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = (int32_t)(era * 146097 + doe - 719468);
	return 1;
}

void fv_date_to_ymd(int32_t days, int *y, int *m, int *d)
{
	long z = (long)days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Read exactly n decimal digits. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int parse_ymd(const char *s, int32_t *days)
{
	int y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return 0;
	return fv_date_from_ymd(y, m, d, days);
}

int fv_date_parse(const char *s, int32_t *days)
{
	return strlen(s) == 10 && parse_ymd(s, days);
}

void fv_date_format(int32_t days, char out[static 16])
{
	int y, m, d;
	fv_date_to_ymd(days, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
}

/* A zone suffix: "" (none), "Z", "+08:00", "+0800", "-05".  Returns 1
 * when valid, with *has set when a zone is given and its offset from UTC in
 * seconds in *off. */
static int parse_zone(const char *s, int *has, long *off)
{
	int h, m = 0, sign;
	*has = 0;
	*off = 0;
	if (*s == '\0')
		return 1;
	*has = 1;
	if (s[0] == 'Z' && s[1] == '\0')
		return 1;
	if (*s != '+' && *s != '-')
		return 0;
	sign = *s++ == '-' ? -1 : 1;
	if (!digits(s, 2, &h) || h > 14)
		return 0;
	s += 2;
	if (*s == ':')
		s++;
	if (*s != '\0' && !(digits(s, 2, &m) && m < 60 && s[2] == '\0'))
		return 0;
	*off = sign * (h * 3600L + m * 60L);
	return 1;
}

/* Offset of local time from UTC, in seconds, at the UTC instant t. */
static long local_offset(time_t t)
{
	struct tm lt;
	if (!localtime_r(&t, &lt))
		return 0;
	return lt.tm_gmtoff;
}

/* Parse "HH:MM[:SS[.fff]]" at s; *end is set past it. */
static int parse_hms(const char *s, double *secs, const char **end)
{
	int h, m, sec = 0;
	double frac = 0;
	if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m) || h > 23 || m > 59)
		return 0;
	s += 5;
	if (*s == ':') {
		if (!digits(s + 1, 2, &sec) || sec > 59)
			return 0;
		s += 3;
		if (*s == '.') {
			double scale = 0.1;
			s++;
			if (*s < '0' || *s > '9')
				return 0;
			while (*s >= '0' && *s <= '9') {
				frac += (*s - '0') * scale;
				scale /= 10;
				s++;
			}
		}
	}
	*secs = h * 3600.0 + m * 60.0 + sec + frac;
	*end = s;
	return 1;
}

int fv_time_parse(const char *s, int32_t *secs)
{
	double t;
	const char *end;
	int has;
	long off;
	/* a time of day has no date to convert with: its zone is only checked */
	if (!parse_hms(s, &t, &end) || !parse_zone(end, &has, &off))
		return 0;
	*secs = (int32_t)t;
	return 1;
}

int fv_datetime_parse(const char *s, double *t)
{
	int32_t days;
	double secs = 0;
	const char *end;
	if (strlen(s) < 10 || !parse_ymd(s, &days))
		return 0;
	if (s[10] == '\0') {
		*t = days * 86400.0;
		return 1;
	}
	if (s[10] != 'T' && s[10] != ' ')
		return 0;
	int has;
	long off;
	if (!parse_hms(s + 11, &secs, &end) || !parse_zone(end, &has, &off))
		return 0;
	*t = days * 86400.0 + secs;
	if (has) {
		/* the same instant on this laptop's wall clock */
		double utc = *t - (double)off;
		*t = utc + (double)local_offset((time_t)floor(utc));
	}
	return 1;
}

/* Two digits of 0 <= v <= 99. */
static char *put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void fv_datetime_format(double t, char out[static 40])
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
	fv_date_to_ymd((int32_t)dayn, &y, &m, &d);
	/* t is a local wall clock: the UTC instant is t - offset.  Where the
	 * offset changes across that shift (a DST change), the wall clock wins. */
	long off = local_offset((time_t)secs);
	off = local_offset((time_t)(secs - off));
	char sign = off < 0 ? '-' : '+';
	int aoff = (int)(labs(off) % 86400);
	if (y < 0 || y > 9999 || ms < 0 || ms > 999) {
		snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", y % 10000,
			 m % 100, d % 100, rem / 3600 % 24, rem / 60 % 60, rem % 60, ms % 1000, sign,
			 aoff / 3600, aoff / 60 % 60);
		return;
	}
	/* the same text written digit by digit: snprintf was most of the cost
	 * of a row of an import (every visit's times, every row's "now") */
	char *p = out;
	*p++ = (char)('0' + y / 1000);
	*p++ = (char)('0' + y / 100 % 10);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, m % 100);
	*p++ = '-';
	p = put2(p, d % 100);
	*p++ = 'T';
	p = put2(p, rem / 3600 % 24);
	*p++ = ':';
	p = put2(p, rem / 60 % 60);
	*p++ = ':';
	p = put2(p, rem % 60);
	*p++ = '.';
	*p++ = (char)('0' + ms / 100);
	p = put2(p, ms % 100);
	*p++ = sign;
	p = put2(p, aoff / 3600);
	*p++ = ':';
	p = put2(p, aoff / 60 % 60);
	*p = '\0';
}

static double clock_override = -1;

void fv_clock_set(double t)
{
	clock_override = t;
}

double fv_clock_pinned(void)
{
	return clock_override;
}

double fv_clock_now(void)
{
	if (clock_override >= 0)
		return clock_override;
	const char *env = getenv("FIELDVISIT_NOW");
	double t;
	if (env && *env && fv_datetime_parse(env, &t))
		return t;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + local_offset(ts.tv_sec) + ts.tv_nsec / 1e9;
}
