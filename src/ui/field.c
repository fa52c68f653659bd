/*
 * fieldvisit screens: a one-line text field.  Its buffer has a fixed size
 * and is wiped when cleared or released, so a passphrase typed into it
 * leaves no copy behind.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/vault.h"
#include "ui_internal.h"

void ui_field_init(ui_field *f, int secret)
{
	f->text = fv_xcalloc(1, UI_FIELD_MAX + 1);
	f->len = f->cursor = 0;
	f->secret = secret;
}

void ui_field_clear(ui_field *f)
{
	vault_wipe(f->text, UI_FIELD_MAX + 1);
	f->len = f->cursor = 0;
}

void ui_field_release(ui_field *f)
{
	if (!f->text)
		return;
	ui_field_clear(f);
	free(f->text);
	f->text = NULL;
}

/* The start of the character before byte offset at. */
static size_t prev_char(const char *s, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && ((unsigned char)s[at] & 0xC0) == 0x80)
		at--;
	return at;
}

static size_t next_char(const ui_field *f, size_t at)
{
	uint32_t cp;
	return at < f->len ? at + fv_utf8_decode(f->text + at, f->len - at, &cp) : at;
}

/* Remove bytes [from, to). */
static void cut(ui_field *f, size_t from, size_t to)
{
	memmove(f->text + from, f->text + to, f->len - to);
	f->len -= to - from;
	memset(f->text + f->len, 0, to - from);
	f->cursor = from;
}

int ui_field_key(ui_field *f, int key, ui_action act)
{
	switch (act) {
	case UI_ACT_LEFT: f->cursor = prev_char(f->text, f->cursor); return 1;
	case UI_ACT_RIGHT: f->cursor = next_char(f, f->cursor); return 1;
	case UI_ACT_TEXT_HOME: f->cursor = 0; return 1;
	case UI_ACT_TEXT_END: f->cursor = f->len; return 1;
	case UI_ACT_TEXT_ERASE:
		if (f->cursor)
			cut(f, prev_char(f->text, f->cursor), f->cursor);
		return 1;
	case UI_ACT_TEXT_DELETE:
		cut(f, f->cursor, next_char(f, f->cursor));
		return 1;
	case UI_ACT_TEXT_CLEAR: ui_field_clear(f); return 1;
	default: break;
	}
	if (act != UI_ACT_NONE || !ui_key_is_text(key))
		return 0;
	/* UTF-8 by hand: fv_utf8_put would leave a copy in a heap buffer */
	char enc[4];
	size_t n = 0;
	uint32_t cp = (uint32_t)key;
	if (cp < 0x80) {
		enc[n++] = (char)cp;
	} else if (cp < 0x800) {
		enc[n++] = (char)(0xC0 | (cp >> 6));
		enc[n++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		enc[n++] = (char)(0xE0 | (cp >> 12));
		enc[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		enc[n++] = (char)(0x80 | (cp & 0x3F));
	} else {
		enc[n++] = (char)(0xF0 | (cp >> 18));
		enc[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		enc[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		enc[n++] = (char)(0x80 | (cp & 0x3F));
	}
	if (f->len + n > UI_FIELD_MAX)
		return 1;   /* full: the key is taken and dropped */
	memmove(f->text + f->cursor + n, f->text + f->cursor, f->len - f->cursor);
	memcpy(f->text + f->cursor, enc, n);
	f->len += n;
	f->cursor += n;
	vault_wipe(enc, sizeof enc);
	return 1;
}

void ui_field_draw(ui *u, const ui_field *f, int y, int x, int w, const char *label,
		   int focus)
{
	int lw = (int)ui_width(label) + 1;
	ui_text(u, y, x, lw, focus ? UI_HEADING : UI_NORMAL, label);
	x += lw;
	w -= lw;
	if (w < 2)
		return;
	/* what shows: the text, or one '*' per character of a secret */
	fv_buf shown;
	size_t cursor = 0;
	fv_buf_init(&shown);
	for (size_t at = 0; at < f->len;) {
		uint32_t cp;
		size_t len = fv_utf8_decode(f->text + at, f->len - at, &cp);
		if (at == f->cursor)
			cursor = shown.len;
		if (f->secret)
			fv_buf_addc(&shown, '*');
		else
			fv_buf_add(&shown, f->text + at, len);
		at += len;
	}
	if (f->cursor >= f->len)
		cursor = shown.len;
	/* scroll so that the cursor fits in the field */
	size_t start = 0, cw;
	ui_clip(shown.s, cursor, (size_t)-1, &cw);
	while (cw >= (size_t)w) {
		uint32_t cp;
		size_t len = fv_utf8_decode(shown.s + start, shown.len - start, &cp);
		start += len;
		ui_clip(shown.s + start, cursor - start, (size_t)-1, &cw);
	}
	ui_text(u, y, x, w, focus ? UI_SELECTED : UI_DIM, shown.s + start);
	if (focus)
		ui_cursor(u, y, x + (int)cw);
	fv_buf_release(&shown);
}
