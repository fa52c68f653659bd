/*
 * fieldvisit screens: the width of UTF-8 text on a terminal, clipping it
 * to a number of columns and wrapping it, never cutting a character.
 */
#include "config.h"   /* first: _GNU_SOURCE, for wcwidth */

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui_internal.h"

int ui_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xFFFD)
		return 1;   /* shown as '?' */
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

size_t ui_width(const char *s)
{
	size_t n = strlen(s), w = 0;
	while (n) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s, n, &cp);
		w += (size_t)ui_cp_width(cp);
		s += len;
		n -= len;
	}
	return w;
}

size_t ui_clip(const char *s, size_t n, size_t cols, size_t *width)
{
	size_t used = 0, w = 0;
	while (used < n) {
		uint32_t cp;
		size_t len = fv_utf8_decode(s + used, n - used, &cp);
		size_t cw = (size_t)ui_cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		used += len;
	}
	if (width)
		*width = w;
	return used;
}

void ui_lines_init(ui_lines *l)
{
	memset(l, 0, sizeof *l);
}

void ui_lines_release(ui_lines *l)
{
	free(l->start);
	free(l->len);
	ui_lines_init(l);
}

static void add_line(ui_lines *l, size_t start, size_t len)
{
	size_t cap = l->cap;
	l->start = fv_xgrow(l->start, &cap, l->n + 1, sizeof *l->start);
	l->len = fv_xgrow(l->len, &l->cap, l->n + 1, sizeof *l->len);
	l->start[l->n] = start;
	l->len[l->n] = len;
	l->n++;
}

void ui_wrap(const char *s, size_t cols, ui_lines *out)
{
	size_t n = strlen(s), pos = 0;
	if (cols < 2)
		cols = 2;
	do {
		size_t end = pos, w = 0, space = 0, after_space = 0;
		int have_space = 0;
		/* take characters while they fit, remembering the last space */
		while (end < n && s[end] != '\n') {
			uint32_t cp;
			size_t len = fv_utf8_decode(s + end, n - end, &cp);
			size_t cw = (size_t)ui_cp_width(cp);
			if (w + cw > cols)
				break;
			if (cp == ' ') {
				have_space = 1;
				space = end;
				after_space = end + len;
			}
			w += cw;
			end += len;
		}
		if (end >= n || s[end] == '\n') {
			add_line(out, pos, end - pos);
			pos = end + (end < n);   /* past the line break */
			if (end >= n)
				break;
			continue;
		}
		/* the line is full: break after the last space when the next
		 * character is a letter of a Latin word, else here */
		uint32_t next, prev = 0;
		fv_utf8_decode(s + end, n - end, &next);
		if (end > pos) {
			size_t back = end - 1;
			while (back > pos && ((unsigned char)s[back] & 0xC0) == 0x80)
				back--;
			fv_utf8_decode(s + back, end - back, &prev);
		}
		int in_word = next > ' ' && next < 0x80 && prev > ' ' && prev < 0x80;
		if (next == ' ') {
			add_line(out, pos, end - pos);
			pos = end + 1;
		} else if (in_word && have_space && space > pos) {
			add_line(out, pos, space - pos);
			pos = after_space;
		} else {
			add_line(out, pos, end - pos);
			pos = end;
		}
	} while (pos < n);
}
