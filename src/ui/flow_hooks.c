/*
 * fieldvisit screens: the entry points of the visit flow (check-in, the
 * form runner, check-out, the crisis screen, registering a person), which
 * this build does not have: each says so on the message line.
 */
#include "ui_internal.h"

void ui_visit_start(ui *u, const char *person_id)
{
	(void)person_id;
	ui_say(u, 1, UI_S_FLOW_MISSING, NULL);
}

void ui_draft_resume(ui *u, const char *visit_id)
{
	(void)visit_id;
	ui_say(u, 1, UI_S_FLOW_MISSING, NULL);
}

void ui_register_start(ui *u)
{
	ui_say(u, 1, UI_S_FLOW_MISSING, NULL);
}

void ui_alert_open(ui *u, const char *alert_id)
{
	(void)alert_id;
	ui_say(u, 1, UI_S_FLOW_MISSING, NULL);
}
