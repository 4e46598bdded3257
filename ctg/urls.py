"""Project URLs. The `ctg` namespace also holds the CTG overview, which the `actions` app serves."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions.views.overview import overview
from ctg.views import editing, files, health, pages

ctg_patterns = [
    path("", pages.current, name="current"),
    path("<int:pk>/", overview, name="overview"),
    path("conventions/", pages.convention_list, name="convention_list"),
    path("conventions/nouvelle/", editing.convention_create, name="convention_create"),
    path("<int:pk>/modifier/", editing.convention_edit, name="convention_edit"),
    path("<int:pk>/logo/<str:kind>/", files.logo, name="convention_logo"),
    path("<int:convention_pk>/signataires/ajouter/", editing.signatory_create, name="signatory_create"),
    path("signataires/<int:pk>/modifier/", editing.signatory_edit, name="signatory_edit"),
    path("signataires/<int:pk>/supprimer/", editing.signatory_delete, name="signatory_delete"),
    path("<int:convention_pk>/avenants/ajouter/", editing.amendment_create, name="amendment_create"),
    path("avenants/<int:pk>/modifier/", editing.amendment_edit, name="amendment_edit"),
    path("avenants/<int:pk>/supprimer/", editing.amendment_delete, name="amendment_delete"),
    path("<int:convention_pk>/axes/ajouter/", editing.axis_create, name="axis_create"),
    path("axes/<int:pk>/modifier/", editing.axis_edit, name="axis_edit"),
    path("axes/<int:pk>/supprimer/", editing.axis_delete, name="axis_delete"),
    path("<int:convention_pk>/objectifs/ajouter/", editing.objective_create, name="objective_create"),
    path("objectifs/<int:pk>/modifier/", editing.objective_edit, name="objective_edit"),
    path("objectifs/<int:pk>/supprimer/", editing.objective_delete, name="objective_delete"),
    path("territoires/", pages.territory_list, name="territory_list"),
    path("territoires/ajouter/", editing.territory_create, name="territory_create"),
    path("territoires/<int:pk>/modifier/", editing.territory_edit, name="territory_edit"),
    path("services/", pages.service_list, name="service_list"),
    path("services/ajouter/", editing.service_create, name="service_create"),
    path("services/<int:pk>/modifier/", editing.service_edit, name="service_edit"),
]

account_patterns = [
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("mot-de-passe/oublie/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("sante/", health.health, name="health"),
    path("compte/", include(account_patterns)),
    path("ctg/", include((ctg_patterns, "ctg"))),
    path("actions/", include("actions.urls")),
    path("partenaires/", include("partners.urls")),
    path("instances/", include("governance.urls")),
    path("", include("evaluation.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]

# French error pages that need neither the request nor the database (ctg/views/errors.py); Django's own
# 403 and 404 handlers render our 403.html and 404.html.
handler400 = "ctg.views.errors.bad_request"
handler500 = "ctg.views.errors.server_error"
