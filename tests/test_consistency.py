"""Checks on the codebase itself: every URL in the permission matrix, every model in the admin, no
unused (or missing) template, the admin reserved to the technical administrator."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views import defaults
from simple_history.admin import SimpleHistoryAdmin

from tests.evaluation.test_permissions import MATRIX_URL_NAMES as EVALUATION_URL_NAMES
from tests.governance.test_permissions import MATRIX_URL_NAMES as GOVERNANCE_URL_NAMES
from tests.partners.test_permissions import MATRIX_URL_NAMES as PARTNER_URL_NAMES
from tests.test_permissions import MATRIX_URL_NAMES as CORE_URL_NAMES

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES_DIR = BASE_DIR / "templates"
OUR_APPS = ("ctg", "actions", "partners", "evaluation", "reports", "governance")
MATRIX_URL_NAMES = CORE_URL_NAMES | EVALUATION_URL_NAMES | PARTNER_URL_NAMES | GOVERNANCE_URL_NAMES


# --- URLs -------------------------------------------------------------------------------------------------


def walk_patterns(resolver=None, namespace: str = ""):
    """(qualified name or None, pattern) for every URL of the project outside the Django admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk_patterns(pattern, prefix)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None), pattern


class TestUrls:
    def test_every_url_is_named(self):
        unnamed = [str(pattern.pattern) for name, pattern in walk_patterns() if name is None]
        assert unnamed == []

    def test_every_url_is_in_the_permission_matrix(self):
        names = {name for name, pattern in walk_patterns()}
        missing = sorted(names - MATRIX_URL_NAMES)
        assert missing == [], f"URLs absentes de la matrice de tests/test_permissions.py : {missing}"

    def test_the_matrix_names_only_existing_urls(self):
        names = {name for name, pattern in walk_patterns()}
        assert sorted(MATRIX_URL_NAMES - names) == []


# --- Admin ------------------------------------------------------------------------------------------------


def our_models():
    return [model for label in OUR_APPS for model in apps.get_app_config(label).get_models()]


def is_history(model) -> bool:
    """django-simple-history's table of past versions of `model.instance_type`."""
    return hasattr(model, "instance_type")


class TestAdmin:
    @pytest.mark.parametrize("model", [m for m in our_models() if not is_history(m)], ids=lambda m: m._meta.label)
    def test_model_is_registered(self, model):
        assert admin.site.is_registered(model), f"{model._meta.label} n'est pas enregistré dans l'admin"

    @pytest.mark.parametrize("model", [m for m in our_models() if is_history(m)], ids=lambda m: m._meta.label)
    def test_history_is_shown_by_the_admin_of_its_model(self, model):
        """Past versions are not a model of their own in the admin, but the "Historique" page of the
        tracked model must show them."""
        tracked = model.instance_type
        assert admin.site.is_registered(tracked)
        assert isinstance(admin.site.get_model_admin(tracked), SimpleHistoryAdmin), tracked._meta.label

    @pytest.mark.parametrize("model", [m for m in our_models() if not is_history(m)], ids=lambda m: m._meta.label)
    @pytest.mark.parametrize("view", ["changelist", "add"])
    def test_admin_pages_load(self, client_for, own_action, other_action, model, view, rf, tech_admin):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")
        request = rf.get(url)
        request.user = tech_admin
        # Records only the app writes (the frozen versions of a bilan) have no "add" page.
        addable = view != "add" or admin.site.get_model_admin(model).has_add_permission(request)
        assert client_for("tech_admin").get(url).status_code == (200 if addable else 403)

    def test_index_loads_for_the_technical_administrator(self, client_for):
        assert client_for("tech_admin").get(reverse("admin:index")).status_code == 200

    @pytest.mark.parametrize("role", ["anonymous", "coordination", "direction", "elected", "service_head"])
    def test_index_sends_everyone_else_to_the_admin_login(self, client, db, user_for, role):
        if role != "anonymous":
            client.force_login(user_for(role))
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        location = urlsplit(response.url)
        assert location.path == reverse("admin:login")
        assert parse_qs(location.query)["next"] == [reverse("admin:index")]


# --- Templates --------------------------------------------------------------------------------------------


def template_names() -> list[str]:
    return sorted(path.relative_to(TEMPLATES_DIR).as_posix() for path in TEMPLATES_DIR.rglob("*") if path.is_file())


def source_files() -> list[Path]:
    """The Python code of our apps (settings and URLs included) and every template."""
    python = [
        path for label in OUR_APPS for path in (BASE_DIR / label).rglob("*.py") if "migrations" not in path.parts
    ]
    return python + [path for path in TEMPLATES_DIR.rglob("*") if path.is_file()]


def routed_view_templates() -> set[str]:
    """Templates the class-based views of the URL conf render under their default names (the auth views'
    registration/*), read from the views themselves and from the `as_view()` arguments."""
    names = set()
    for _, pattern in walk_patterns():
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None:
            continue
        attributes = {name: getattr(view_class, name) for name in dir(view_class) if name.endswith("template_name")}
        attributes |= {k: v for k, v in pattern.callback.view_initkwargs.items() if k.endswith("template_name")}
        names |= {value for value in attributes.values() if isinstance(value, str)}
    return names


# Django renders these by name when an error happens (django.views.defaults).
ERROR_TEMPLATES = {
    defaults.ERROR_400_TEMPLATE_NAME,
    defaults.ERROR_403_TEMPLATE_NAME,
    defaults.ERROR_404_TEMPLATE_NAME,
    defaults.ERROR_500_TEMPLATE_NAME,
}

QUOTED_TEMPLATE = re.compile(r"""["']([\w/.-]+\.(?:html|txt))(?:#[\w-]+)?["']""")


class TestTemplates:
    @pytest.mark.parametrize("name", template_names())
    def test_template_is_used(self, name):
        if name in ERROR_TEMPLATES or name in routed_view_templates():
            return
        quoted = re.compile(rf"""["']{re.escape(name)}(?:#[^"']*)?["']""")
        own_file = TEMPLATES_DIR / name
        users = [path for path in source_files() if path != own_file and quoted.search(path.read_text())]
        assert users, f"Le gabarit {name} n'est utilisé nulle part"

    def test_every_referenced_template_exists(self):
        """The other way round: each template name written in the code or a template can be loaded."""
        referenced = {
            (path.relative_to(BASE_DIR).as_posix(), match.group(0).strip("\"'"))
            for path in source_files()
            for match in QUOTED_TEMPLATE.finditer(path.read_text())
        }
        assert referenced, "the scan found no template name at all"
        missing = []
        for source, name in sorted(referenced):
            try:
                get_template(name)
            except TemplateDoesNotExist:
                missing.append(f"{source}: {name}")
        assert missing == []

    def test_error_and_view_templates_exist(self):
        for name in ERROR_TEMPLATES - {defaults.ERROR_400_TEMPLATE_NAME} | routed_view_templates():
            get_template(name)
