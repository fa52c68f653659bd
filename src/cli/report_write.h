/* fieldvisit report: the writers of a computed report (report_write.c),
 * used by cmd_report.c. */
#ifndef FV_CLI_REPORT_WRITE_H
#define FV_CLI_REPORT_WRITE_H

#include "fieldvisit/report.h"

typedef enum fv_cli_report_format {
	FV_REPORT_TEXT,   /* aligned tables for a terminal */
	FV_REPORT_CSV,    /* UTF-8, CRLF, one block per table */
	FV_REPORT_JSON,   /* one object: the tables' rows as objects */
	FV_REPORT_HTML,   /* one page, inline SVG bar charts, A4 print styles */
} fv_cli_report_format;

/* "text", "csv", "json", "html"; returns 0 for another word. */
int fv_cli_report_format_parse(const char *s, fv_cli_report_format *out);
/* Append rep in format fmt to out (bom: a UTF-8 BOM first, for CSV). */
void fv_cli_report_write(const fv_report *rep, fv_cli_report_format fmt, int bom, fv_buf *out);

#endif
