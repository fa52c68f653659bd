/*
 * fieldvisit command line: where the data files of assets/ and the shipped
 * forms are found.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "fieldvisit/cli.h"

char *fv_cli_assets_dir(const char *sub)
{
	const char *env = getenv("FIELDVISIT_ASSETS_DIR");
	struct stat sb;
	char *dir;

	if (env && *env)
		return fv_xasprintf("%s/%s", env, sub);
	/* the installed data first: the build machine's source path must not
	 * win over it (anyone could create it); the source tree serves a
	 * build that is run without being installed */
	dir = fv_xasprintf("%s/assets/%s", FV_DATADIR, sub);
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return dir;
	free(dir);
	return fv_xasprintf("%s/assets/%s", FV_SRCDIR, sub);
}

const char *fv_cli_forms_dir(void)
{
	const char *env = getenv("FIELDVISIT_FORMS_DIR");
	struct stat sb;
	if (env && *env)
		return env;
	/* the installed forms first: the build machine's source path must not
	 * win over them (anyone could create it) */
	if (stat(FV_DATADIR "/forms", &sb) == 0 && S_ISDIR(sb.st_mode))
		return FV_DATADIR "/forms";
	return FV_SRCDIR "/forms";
}
