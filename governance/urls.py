from governance.views import bodies, decisions, documents, meetings, panels

app_name = "governance"

urlpatterns = [
    *bodies.urlpatterns,
    *meetings.urlpatterns,
    *decisions.urlpatterns,
    *documents.urlpatterns,
    *panels.urlpatterns,
]
