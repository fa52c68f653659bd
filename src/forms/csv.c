/*
 * fieldvisit forms: an RFC 4180 CSV reader.
 *
 * Cells may be quoted ("a ""b"" c"), quoted cells may hold commas and line
 * breaks.  Lines end in LF or CRLF; a UTF-8 BOM at the start is skipped.
 * Rows keep the line number where they start, for error messages.
 */
#include <stdlib.h>
#include <string.h>

#include "fieldvisit/forms.h"

static void add_cell(fv_csv_row *row, size_t *cap, fv_buf *cell)
{
	row->cells = fv_xgrow(row->cells, cap, row->ncells + 1, sizeof *row->cells);
	row->cells[row->ncells++] = fv_buf_take(cell);
	fv_buf_init(cell);
}

static void add_row(fv_csv *csv, fv_csv_row *row)
{
	csv->rows = fv_xgrow(csv->rows, &csv->cap, csv->nrows + 1, sizeof *csv->rows);
	csv->rows[csv->nrows++] = *row;
	memset(row, 0, sizeof *row);
}

static void free_row(fv_csv_row *row)
{
	for (size_t i = 0; i < row->ncells; i++)
		free(row->cells[i]);
	free(row->cells);
}

fv_status fv_csv_parse(const char *name, const char *data, size_t len, fv_csv *out,
		       fv_errors *err)
{
	size_t i = 0, rowcap = 0;
	int line = 1, row_line = 1;
	fv_csv_row row = {0};
	fv_buf cell;

	memset(out, 0, sizeof *out);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	if (memchr(data, '\0', len)) {
		size_t at = (size_t)((const char *)memchr(data, '\0', len) - data);
		int l = 1;
		for (size_t k = 0; k < at; k++)
			l += data[k] == '\n';
		fv_errors_add(err, name, l, "NUL byte in file");
		return FV_EINVAL;
	}
	if (!fv_utf8_valid(data + i, len - i)) {
		int l = 1;
		for (size_t k = i; k < len;) {
			uint32_t cp;
			size_t n = fv_utf8_decode(data + k, len - k, &cp);
			if (cp == 0xFFFD && n == 1)
				break;
			l += data[k] == '\n';
			k += n;
		}
		fv_errors_add(err, name, l, "not valid UTF-8 (save the file as UTF-8)");
		return FV_EINVAL;
	}

	fv_buf_init(&cell);
	while (i < len) {
		char c = data[i];
		if (c == '"' && cell.len == 0) {
			/* quoted cell */
			int qline = line;
			i++;
			for (;;) {
				if (i >= len) {
					fv_errors_add(err, name, qline, "unterminated quoted cell");
					goto fail;
				}
				if (data[i] == '"') {
					if (i + 1 < len && data[i + 1] == '"') {
						fv_buf_addc(&cell, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (data[i] == '\n')
					line++;
				fv_buf_addc(&cell, data[i++]);
			}
			if (i < len && data[i] != ',' && data[i] != '\n' &&
			    !(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') &&
			    !(data[i] == '\r' && i + 1 == len)) {
				fv_errors_add(err, name, line,
					      "text after a closing quote (write \"\" for a quote inside a quoted cell)");
				goto fail;
			}
			/* a quoted empty cell must still count as a cell */
			if (cell.len == 0)
				cell.s[0] = '\0';
			continue;
		}
		if (c == '"') {
			fv_errors_add(err, name, line,
				      "quote inside an unquoted cell (quote the whole cell)");
			goto fail;
		}
		if (c == ',') {
			add_cell(&row, &rowcap, &cell);
			i++;
			continue;
		}
		if (c == '\r' && (i + 1 == len || data[i + 1] == '\n')) {
			i++;
			continue;
		}
		if (c == '\r') {
			fv_errors_add(err, name, line,
				      "line ends in a lone CR (save the file with LF or CRLF line ends)");
			goto fail;
		}
		if (c == '\n') {
			add_cell(&row, &rowcap, &cell);
			row.line = row_line;
			add_row(out, &row);
			rowcap = 0;
			line++;
			row_line = line;
			i++;
			continue;
		}
		fv_buf_addc(&cell, c);
		i++;
	}
	/* last line without a line break */
	if (cell.len > 0 || row.ncells > 0) {
		add_cell(&row, &rowcap, &cell);
		row.line = row_line;
		add_row(out, &row);
	}
	fv_buf_release(&cell);
	return FV_OK;
fail:
	fv_buf_release(&cell);
	free_row(&row);
	fv_csv_release(out);
	return FV_EINVAL;
}

void fv_csv_release(fv_csv *csv)
{
	for (size_t i = 0; i < csv->nrows; i++)
		free_row(&csv->rows[i]);
	free(csv->rows);
	memset(csv, 0, sizeof *csv);
}
