from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Indicateurs et évaluation"

    def ready(self):
        # The fiche action shows its indicators through the actions app's panel registry (actions may not
        # import this app).
        from actions.panels import Panel, register
        from evaluation.views.indicators import action_indicators_panel

        register(Panel("evaluation/_action_indicators.html", action_indicators_panel))
