from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Gouvernance : instances, réunions, décisions"

    def ready(self):
        # The fiche action shows the decisions about it, and the partner the meetings its contacts attended,
        # through the panel registry (actions and partners may not import this app).
        from ctg.panels import Panel, register
        from governance.panels import action_governance_panel, partner_meetings_panel

        register("action", Panel("governance/_action_panel.html", action_governance_panel))
        register("partner", Panel("governance/_partner_meetings.html", partner_meetings_panel))
