"""grid pages."""

urlpatterns: list = []
