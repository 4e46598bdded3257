from django.urls import path

from reports.views import bilans, campaign, dashboard, versions

app_name = "reports"
urlpatterns: list = []
urlpatterns += [
    path("bilans/campagne/", campaign.campaign, name="campaign"),
    path("bilans/campagne/relancer/", campaign.send_reminders, name="send_reminders"),
]
urlpatterns += [
    path("bilans/", bilans.bilan_list, name="bilan_list"),
    path("bilans/commencer/", bilans.bilan_create, name="bilan_create"),
    path("bilans/<int:pk>/", bilans.bilan_detail, name="bilan_detail"),
    path("bilans/<int:pk>/redaction/", bilans.bilan_edit, name="bilan_edit"),
    path("bilans/<int:pk>/apercu/", bilans.bilan_preview, name="bilan_preview"),
    path("bilans/<int:pk>/produire/", versions.bilan_generate, name="bilan_generate"),
    path("bilans/<int:pk>/valider/", bilans.bilan_validate, name="bilan_validate"),
    path("bilans/<int:pk>/transmettre/", bilans.bilan_transmit, name="bilan_transmit"),
    path("bilans/<int:pk>/remarques-caf/", bilans.bilan_remarks, name="bilan_remarks"),
    path("bilans/versions/<int:pk>/etat/", versions.version_state, name="version_state"),
    path("bilans/versions/<int:pk>/pdf/", versions.version_download, name="version_download"),
]
urlpatterns += [path("tableau-de-bord/", dashboard.dashboard, name="dashboard")]
