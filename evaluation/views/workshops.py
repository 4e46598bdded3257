"""workshops pages."""

urlpatterns: list = []
