"""Deployment settings: `.env` read before the settings module is chosen (by `manage.py` and the WSGI
application), HSTS and login throttling set from the environment, and the production lock file."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ctg.env import load_env

BASE_DIR = Path(settings.BASE_DIR)


# --- Settings from the environment ------------------------------------------------------------------------


class TestLoadEnv:
    def test_the_file_fills_the_environment_without_overriding_it(self, tmp_path, monkeypatch):
        (tmp_path / ".env").write_text("CTG_TEST_FROM_FILE=fichier\nCTG_TEST_ALREADY_SET=fichier\n")
        monkeypatch.setenv("CTG_TEST_ALREADY_SET", "environnement")
        monkeypatch.delenv("CTG_TEST_FROM_FILE", raising=False)  # and so removed again after the test
        load_env(tmp_path)
        assert os.environ["CTG_TEST_FROM_FILE"] == "fichier"
        assert os.environ["CTG_TEST_ALREADY_SET"] == "environnement"

    def test_a_missing_file_is_not_an_error(self, tmp_path):
        load_env(tmp_path)


PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SECURE_HSTS_PRELOAD, "
    "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)"
)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """A copy of the project's code in a folder of its own, where a `.env` can be written."""
    root = tmp_path_factory.mktemp("projet")
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("ctg", "actions", "partners", "reports", "evaluation", "governance"):
        if (BASE_DIR / name).is_dir():
            shutil.copytree(BASE_DIR / name, root / name, ignore=ignore)
    shutil.copy(BASE_DIR / "manage.py", root / "manage.py")
    (root / "templates").symlink_to(BASE_DIR / "templates")
    (root / "static").symlink_to(BASE_DIR / "static")
    return root


def run_python(root: Path, *args: str, **env: str) -> str:
    """Python in the copy, with the environment of a fresh shell (none of the variables the tests set)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS")}
    result = subprocess.run(
        [sys.executable, *args], cwd=root, env=clean | env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


PRODUCTION_ENV_FILE = """DJANGO_SETTINGS_MODULE=ctg.settings.base
SECRET_KEY=une-cle-secrete-de-test-assez-longue-pour-les-verifications-de-django
ALLOWED_HOSTS=ctg.example.fr
SECURE_HSTS_PRELOAD=true
AXES_COOLOFF_MINUTES=30
"""


class TestSettingsModuleFromDotEnv:
    @pytest.fixture
    def env_file(self, project_copy):
        path = project_copy / ".env"
        path.write_text(PRODUCTION_ENV_FILE)
        yield path
        path.unlink()

    def test_manage_py_runs_the_settings_named_in_dot_env(self, project_copy, env_file):
        out = run_python(project_copy, "manage.py", "shell", "-v", "0", "-c", PRINT_SETTINGS)
        assert out == "ctg.settings.base False True True 5 0:30:00"

    def test_the_wsgi_application_runs_the_settings_named_in_dot_env(self, project_copy, env_file):
        out = run_python(project_copy, "-c", f"import ctg.wsgi; {PRINT_SETTINGS}")
        assert out == "ctg.settings.base False True True 5 0:30:00"

    def test_the_real_environment_wins_over_dot_env(self, project_copy, env_file):
        out = run_python(
            project_copy,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            PRINT_SETTINGS,
            DJANGO_SETTINGS_MODULE="ctg.settings.dev",
        )
        assert out.startswith("ctg.settings.dev True ")

    def test_without_dot_env_manage_py_runs_the_development_settings(self, project_copy):
        out = run_python(project_copy, "manage.py", "shell", "-v", "0", "-c", PRINT_SETTINGS)
        assert out == "ctg.settings.dev True False True 5 0:15:00"


# --- Lock files -------------------------------------------------------------------------------------------

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", re.M)


def pins(name: str) -> dict[str, str]:
    return {package.lower(): version for package, version in PIN.findall((BASE_DIR / name).read_text())}


class TestLockFiles:
    def test_production_pins_are_the_tested_ones(self):
        development = pins("requirements.lock")
        production = pins("requirements-prod.lock")
        assert {name: development.get(name) for name in production} == production

    def test_production_holds_no_development_tool_and_the_server(self):
        production = pins("requirements-prod.lock")
        assert {"pytest", "pip-audit", "ruff", "playwright", "factory-boy"}.isdisjoint(production)
        assert {"gunicorn", "django-axes", "django-csp"} <= set(production)

    def test_every_production_pin_has_a_hash(self):
        lines = (BASE_DIR / "requirements-prod.lock").read_text().splitlines()
        pinned = [number for number, line in enumerate(lines) if PIN.match(line)]
        assert pinned and all(lines[number + 1].strip().startswith("--hash=sha256:") for number in pinned)


@pytest.mark.django_db
@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3", reason="PostgreSQL only")
def test_postgresql_runs_without_its_jit_compiler():
    """The indicator status is one large expression: JIT compiling it costs seconds (see ctg/settings/base.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
