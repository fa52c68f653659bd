/*
 * fieldvisit screens: the per-user settings file, $XDG_CONFIG_HOME/
 * fieldvisit/ui.conf.  It holds nothing secret -- only the screen language
 * of each store, which must be known before the store is unlocked -- so it
 * lives outside the encrypted store:
 *
 *   # comment
 *   lang<TAB>NAME<TAB>zh     the language of store NAME (NAME.fv)
 *   lang<TAB>*<TAB>en        the last language chosen on this laptop
 *
 * Lines it does not know are kept when it is rewritten.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ui_internal.h"

char *ui_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg == '/')
		return fv_xasprintf("%s/fieldvisit/ui.conf", xdg);
	return fv_xasprintf("%s/.config/fieldvisit/ui.conf", home && *home ? home : ".");
}

char *ui_store_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".fv") == 0)
		n -= 3;
	return fv_xstrndup(base, n);
}

/* The file's text, NULL when it cannot be read (no settings yet). */
static char *read_config(const char *path)
{
	char *data;
	size_t len;
	fv_errors err;
	fv_errors_init(&err);
	if (fv_read_file(path, &data, &len, &err) != FV_OK)
		data = NULL;
	fv_errors_release(&err);
	return data;
}

/* The language of the line "lang<TAB>name<TAB>code" for name, or -1. */
static int line_lang(const char *line, size_t n, const char *name)
{
	size_t nl = strlen(name);
	ui_lang l;
	char code[8];
	if (n < 5 + nl + 1 || strncmp(line, "lang\t", 5) != 0 || strncmp(line + 5, name, nl) != 0 ||
	    line[5 + nl] != '\t')
		return -1;
	size_t clen = n - (5 + nl + 1);
	if (clen >= sizeof code)
		return -1;
	memcpy(code, line + 5 + nl + 1, clen);
	code[clen] = '\0';
	return ui_lang_parse(code, &l) ? (int)l : -1;
}

int ui_config_lang(const char *path, const char *name, ui_lang *out)
{
	char *data = read_config(path);
	int found = 0;
	if (!name)
		name = "*";
	for (char *line = data; line && *line;) {
		size_t n = strcspn(line, "\n");
		int l = line_lang(line, n, name);
		if (l >= 0) {
			*out = (ui_lang)l;
			found = 1;
		}
		line += n + (line[n] == '\n');
	}
	free(data);
	return found;
}

fv_status ui_config_set_lang(const char *path, const char *name, ui_lang l, fv_errors *err)
{
	char *data = read_config(path), *dir = fv_xstrdup(path), *slash;
	fv_buf b;
	fv_status st;

	if (strpbrk(name, "\t\n")) {
		fv_errors_add(err, path, 0, "a store name with a tab or a line break cannot be saved");
		free(data);
		free(dir);
		return FV_EINVAL;
	}
	fv_buf_init(&b);
	if (!data)
		fv_buf_adds(&b, "# fieldvisit: settings of this user (not secret): the screen"
			    " language\n# of each store (lang<TAB>STORE<TAB>zh|en; * is the last"
			    " one chosen)\n");
	for (char *line = data; line && *line;) {
		size_t n = strcspn(line, "\n");
		if (line_lang(line, n, name) < 0 && line_lang(line, n, "*") < 0) {
			fv_buf_add(&b, line, n);
			fv_buf_addc(&b, '\n');
		}
		line += n + (line[n] == '\n');
	}
	fv_buf_addf(&b, "lang\t%s\t%s\nlang\t*\t%s\n", name, ui_lang_code(l), ui_lang_code(l));
	/* the folders, private to the user (mkdir -p) */
	st = FV_OK;
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	for (char *p = slash ? strchr(dir + 1, '/') : NULL; slash; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			fv_errors_add(err, dir, 0, "cannot create: %s", strerror(errno));
			st = FV_EIO;
			break;
		}
		if (!p)
			break;
		*p = '/';
	}
	if (st == FV_OK)
		st = fv_write_atomic(path, b.s, b.len, 0600, err);
	fv_buf_release(&b);
	free(data);
	free(dir);
	return st;
}
