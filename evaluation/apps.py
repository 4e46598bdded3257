from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Indicateurs et évaluation"

    def ready(self):
        # The fiche action shows its indicators through the panel registry (actions may not import this app).
        from ctg.panels import Panel, register
        from evaluation.views.indicators import action_indicators_panel

        register("action", Panel("evaluation/_action_indicators.html", action_indicators_panel))
