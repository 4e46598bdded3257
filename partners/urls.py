from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("ajouter/", views.partner_create, name="create"),
    path("<int:pk>/modifier/", views.partner_edit, name="edit"),
]
