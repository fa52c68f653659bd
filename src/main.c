/* fieldvisit: home visits, assessments and surveys for village field work. */
#include "fieldvisit/cli.h"

int main(int argc, char **argv)
{
	return fv_cli_main(argc, argv);
}
