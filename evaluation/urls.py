from evaluation.views import assessments, diagnostic, grid, indicators, public, surveys, workshops

app_name = "evaluation"

urlpatterns = [
    *indicators.urlpatterns,
    *grid.urlpatterns,
    *diagnostic.urlpatterns,
    *surveys.urlpatterns,
    *public.urlpatterns,
    *workshops.urlpatterns,
    *assessments.urlpatterns,
]
