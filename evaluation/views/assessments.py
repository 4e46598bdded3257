"""assessments pages."""

urlpatterns: list = []
