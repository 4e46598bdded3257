from governance.views import attachments, bodies, decisions, documents, meetings, panels

app_name = "governance"

urlpatterns = [
    *bodies.urlpatterns,
    *meetings.urlpatterns,
    *decisions.urlpatterns,
    *documents.urlpatterns,
    *attachments.urlpatterns,
    *panels.urlpatterns,
]
