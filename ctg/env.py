"""The `.env` file, read before anything chooses the settings module.

`manage.py` and `ctg/wsgi.py` call `load_env()` first and only then `setdefault` the settings module, so a
server whose `.env` says `DJANGO_SETTINGS_MODULE=ctg.settings.base` (as `.env.example` does) really runs
the production settings, not the development ones. This module imports nothing from Django.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent


def load_env(base_dir: Path | str = BASE_DIR) -> None:
    """Copy the variables of `base_dir/.env` into the environment. A variable already set in the real
    environment wins over the file; a missing file is not an error (the environment may be set otherwise)."""
    path = Path(base_dir) / ".env"
    if path.is_file():
        environ.Env.read_env(path, overwrite=False)


def settings_module(default: str) -> str:
    """The settings module to use: `DJANGO_SETTINGS_MODULE` from the environment or `.env`, else `default`."""
    load_env()
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
