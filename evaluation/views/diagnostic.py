"""diagnostic pages."""

urlpatterns: list = []
