from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Gouvernance : instances, réunions, décisions"

    def ready(self):
        # The fiche action shows the decisions about it through the actions app's panel registry (actions may
        # not import this app).
        from actions.panels import Panel, register
        from governance.panels import action_governance_panel

        register(Panel("governance/_action_panel.html", action_governance_panel))
