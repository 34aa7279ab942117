/*
 * date.c -- RFC 5322 and ISO 8601 date parsing without locale or libc
 * time-zone state (timegm only).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "date.h"

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	return s;
}

/* Read up to MAX decimal digits; false if none. */
static bool read_num(const char **sp, int max, int *out)
{
	const char *s = *sp;
	int v = 0, n = 0;

	while (n < max && isdigit((unsigned char)*s)) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0)
		return false;
	*sp = s;
	*out = v;
	return true;
}

static int month_index(const char *s)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	for (int i = 0; i < 12; i++)
		if (strncasecmp(s, months + 3 * i, 3) == 0)
			return i;
	return -1;
}

/* Zone offset in seconds east of UTC from "+0100", "-0500", "GMT", "EST". */
static long zone_offset(const char *s)
{
	static const struct { const char *name; int hours; } zones[] = {
		{ "UT", 0 }, { "GMT", 0 }, { "UTC", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
	};
	int hh, mm = 0;

	if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1;
		const char *p = s + 1;
		int v = 0;
		if (!read_num(&p, 4, &v))
			return 0;
		if (p - s - 1 <= 2) {	/* "+01" or "+01:00" */
			hh = v;
			mm = 0;
			if (*p == ':') {
				p++;
				if (!read_num(&p, 2, &mm))
					mm = 0;
			}
		} else {
			hh = v / 100;
			mm = v % 100;
		}
		if (hh > 23 || mm > 59)
			return 0;
		return sign * (hh * 3600L + mm * 60L);
	}
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		size_t n = strlen(zones[i].name);
		if (strncasecmp(s, zones[i].name, n) == 0 &&
		    !isalpha((unsigned char)s[n]))
			return zones[i].hours * 3600L;
	}
	return 0;
}

static int64_t make_time(int y, int mon, int d, int h, int mi, int sec,
			 long off)
{
	struct tm tm = { 0 };
	time_t t;

	if (y < 1970 || y > 2200 || mon < 0 || mon > 11 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	return (int64_t)t - off;
}

int64_t rbl_date_parse(const char *s)
{
	int d = 0, y = 0, h = 0, mi = 0, sec = 0, mon;

	s = skip_blanks(s);
	if (isalpha((unsigned char)*s)) {	/* weekday */
		while (isalpha((unsigned char)*s))
			s++;
		s = skip_blanks(s);
	}
	if (!read_num(&s, 2, &d))
		return 0;
	s = skip_blanks(s);
	if ((mon = month_index(s)) < 0)
		return 0;
	while (isalpha((unsigned char)*s))
		s++;
	s = skip_blanks(s);
	const char *ys = s;
	if (!read_num(&s, 4, &y))
		return 0;
	if (s - ys <= 2)
		y += y < 50 ? 2000 : 1900;
	else if (s - ys == 3)
		y += 1900;
	s = skip_blanks(s);
	if (!read_num(&s, 2, &h) || *s++ != ':' || !read_num(&s, 2, &mi))
		return 0;
	if (*s == ':' && (s++, !read_num(&s, 2, &sec)))
		return 0;
	s = skip_blanks(s);
	return make_time(y, mon, d, h, mi, sec, zone_offset(s));
}

int64_t rbl_date_parse_iso(const char *s)
{
	int y = 0, mon = 0, d = 0, h = 0, mi = 0, sec = 0;

	s = skip_blanks(s);
	if (!read_num(&s, 4, &y) || *s++ != '-' || !read_num(&s, 2, &mon) ||
	    *s++ != '-' || !read_num(&s, 2, &d))
		return 0;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!read_num(&s, 2, &h) || *s++ != ':' || !read_num(&s, 2, &mi))
			return 0;
		if (*s == ':' && (s++, !read_num(&s, 2, &sec)))
			return 0;
		if (*s == '.' || *s == ',')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	while (*s == ' ')
		s++;
	return make_time(y, mon - 1, d, h, mi, sec, zone_offset(s));
}

int64_t rbl_date_parse_any(const char *s)
{
	int64_t t;
	char *end = NULL;

	s = skip_blanks(s);
	if (strlen(s) >= 9 && strspn(s, "0123456789") == strlen(s)) {
		long long v = strtoll(s, &end, 10);
		return v > 0 ? (int64_t)v : 0;
	}
	if ((t = rbl_date_parse_iso(s)) != 0)
		return t;
	return rbl_date_parse(s);
}
