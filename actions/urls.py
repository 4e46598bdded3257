from django.urls import path

from actions.views import detail, exports, inline, lists, progress

app_name = "actions"
urlpatterns = [
    path("", lists.action_list, name="list"),
    path("mes-actions/", lists.my_actions, name="mine"),
    path("nouvelle/", detail.action_create, name="create"),
    path("export/<str:dataset>.<str:fmt>", exports.export, name="export"),
    path("<int:pk>/", detail.action_detail, name="detail"),
    path("<int:pk>/pdf/", exports.action_pdf, name="pdf"),
    path("<int:pk>/modifier/", detail.action_edit, name="edit"),
    path("<int:pk>/archiver/", detail.action_archive, name="archive"),
    path("<int:pk>/supprimer/", detail.action_remove, name="delete"),
    path("<int:pk>/point-etape/", progress.record_progress, name="record_progress"),
    path("<int:pk>/jalons/ajouter/", inline.milestone_add, name="milestone_add"),
    path("jalons/<int:pk>/modifier/", inline.milestone_edit, name="milestone_edit"),
    path("jalons/<int:pk>/supprimer/", inline.milestone_delete, name="milestone_delete"),
    path("<int:pk>/budget/ajouter/", inline.budget_add, name="budget_add"),
    path("budget/<int:pk>/modifier/", inline.budget_edit, name="budget_edit"),
    path("budget/<int:pk>/supprimer/", inline.budget_delete, name="budget_delete"),
    path("<int:pk>/partenaires/ajouter/", inline.partner_add, name="partner_add"),
    path("partenaires/<int:pk>/retirer/", inline.partner_remove, name="partner_remove"),
]
