from django.urls import path

from partners import agreement_views, facility_views, views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("ajouter/", views.partner_create, name="create"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/modifier/", views.partner_edit, name="edit"),
    path("<int:pk>/contacts/ajouter/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/modifier/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/supprimer/", views.contact_remove, name="contact_delete"),
    path("contacts/<int:pk>/verifie/", views.contact_checked, name="contact_checked"),
    # Agreements and their signed documents.
    path("conventions/", agreement_views.agreement_list, name="agreement_list"),
    path("conventions/ajouter/", agreement_views.agreement_create, name="agreement_create"),
    path("conventions/<int:pk>/", agreement_views.agreement_detail, name="agreement_detail"),
    path("conventions/<int:pk>/modifier/", agreement_views.agreement_edit, name="agreement_edit"),
    path("conventions/<int:pk>/supprimer/", agreement_views.agreement_remove, name="agreement_delete"),
    path("conventions/<int:pk>/document/", agreement_views.agreement_document, name="agreement_document"),
    # Facilities and their funding lines.
    path("equipements/", facility_views.facility_list, name="facility_list"),
    path("equipements/ajouter/", facility_views.facility_create, name="facility_create"),
    path("equipements/<int:pk>/", facility_views.facility_detail, name="facility_detail"),
    path("equipements/<int:pk>/modifier/", facility_views.facility_edit, name="facility_edit"),
    path("equipements/<int:pk>/supprimer/", facility_views.facility_delete, name="facility_delete"),
    path("equipements/<int:pk>/financements/ajouter/", facility_views.funding_create, name="funding_create"),
    path("financements/", facility_views.funding_list, name="funding_list"),
    path("financements/export.csv", facility_views.funding_export, name="funding_export"),
    path("financements/<int:pk>/modifier/", facility_views.funding_edit, name="funding_edit"),
    path("financements/<int:pk>/supprimer/", facility_views.funding_delete, name="funding_delete"),
]
