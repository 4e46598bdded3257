"""Backup and restore of everything the application stores, in one `.tar.gz`:

- `database.json`: every row of every installed app, in Django's portable JSON (any database engine can
  read it back), datetimes to the microsecond. Content types and permissions are written by natural key
  (`["actions", "action"]`), since their ids differ from one database to the next; everything else keeps
  its ids, so links, histories and URLs stay as they were.
- `media/…`: the stored files (logos, the bilans' PDF, frozen ones included), read through the storage.
- `manifest.json`: date, application version, applied migrations, rows per model and the SHA-256 of
  every other member, checked before a restore touches anything.

Sessions and login-throttling records are left out: they are short-lived, and users log in again.
Project wiring like `seed_demo`: it reads every installed app, importing none of them.
"""

import datetime
import hashlib
import io
import json
import tarfile
import tempfile
import tomllib
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.json"
MEDIA_PREFIX = "media/"
# Models never saved: transient state that a restored site does not need.
EXCLUDED = frozenset({"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"})
# Found again by natural key in the target database, where `migrate` has created them with other ids.
PORTABLE = (ContentType, Permission)
# Rows that `migrate` itself creates: a database holding only these counts as empty.
CREATED_BY_MIGRATE = frozenset({"contenttypes.contenttype", "auth.permission", "actions.targetpublic"})
CHUNK = 1024 * 1024

NOT_AN_ARCHIVE = "{path} n'est pas une sauvegarde de Pilote CTG lisible : {reason}."
ALREADY_EXISTS = "{path} existe déjà : choisissez un autre nom (une sauvegarde n'en écrase jamais une autre)."
ALTERED = "La sauvegarde est altérée : l'empreinte SHA-256 de {name} ne correspond pas au manifeste."
OTHER_MIGRATIONS = (
    "La sauvegarde a été faite avec une autre version du schéma ({detail}). Restaurez-la avec la version "
    "{version} de l'application (celle de la sauvegarde), puis mettez l'application à jour comme d'habitude."
)
NOT_EMPTY = (
    "La base n'est pas vide ({detail}). Restaurez dans une base neuve, ou ajoutez --force pour remplacer "
    "tout son contenu par celui de la sauvegarde."
)
MEDIA_CONFLICT = (
    "{count} fichier(s) existent déjà avec un autre contenu (par exemple {name}). Ajoutez --force pour les "
    "remplacer par ceux de la sauvegarde."
)
COUNTS_DIFFER = "Après restauration, {model} compte {found} ligne(s) au lieu de {expected}."
FILE_DIFFERS = "Après restauration, le fichier {name} ne correspond pas à son empreinte SHA-256."


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to the millisecond; a backup keeps them whole."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(JSONSerializer):
    """Natural keys for content types and permissions only: a key by natural key for users too would
    cost a query per row at restore, and fail on a history row whose user has since been deleted."""

    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        if isinstance(obj, PORTABLE):
            del data["pk"]
        return data

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, PORTABLE)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = issubclass(field.remote_field.model, PORTABLE)
        super().handle_m2m_field(obj, field)


def saved_models() -> list[type[models.Model]]:
    """The models a backup holds, content types and permissions first (other rows refer to them)."""
    found = [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in EXCLUDED and model._meta.managed and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: (model not in PORTABLE, model is not ContentType))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def app_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as stream:
            return tomllib.load(stream)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "inconnue"


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def stored_files(folder: str = "") -> list[str]:
    """Every file of the default storage, recursively (`listdir` works for any storage backend)."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += stored_files(f"{folder}{sub}/")
    return sorted(names)


def referenced_files() -> set[str]:
    """The file names the database's file fields point to."""
    names = set()
    for model in saved_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names |= set(model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True))
    return names - {None}


def _dump_database(path: Path) -> dict[str, int]:
    """All rows in one consistent snapshot (REPEATABLE READ on PostgreSQL), and the count per model."""
    fresh = not connection.in_atomic_block
    with transaction.atomic(), path.open("w", encoding="utf-8") as stream:
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        counts = {model._meta.label: model._base_manager.count() for model in saved_models()}
        rows = (obj for model in saved_models() for obj in model._base_manager.order_by("pk").iterator(2000))
        _Serializer().serialize(rows, stream=stream, cls=_ExactEncoder)
    return counts


def backup_create(path: Path) -> dict:
    """Write the archive next to its final name, then rename it: a backup cut short leaves no archive."""
    path = Path(path)
    if path.exists():
        raise CommandError(ALREADY_EXISTS.format(path=path))
    with tempfile.TemporaryDirectory(prefix="pilote-ctg-backup-") as folder:
        dump = Path(folder) / DATABASE
        counts = _dump_database(dump)
        media = stored_files()
        manifest = {
            "format": FORMAT,
            "application": "pilote-ctg",
            "version": app_version(),
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": applied_migrations(),
            "rows": counts,
            "files": {DATABASE: _sha256(dump)},
            "missing_files": sorted(referenced_files() - set(media)),
        }
        partial = path.with_name(f".{path.name}.partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=DATABASE)
            for name in media:
                digest = hashlib.sha256()
                with default_storage.open(name, "rb") as source, (Path(folder) / "file").open("wb") as copy:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        copy.write(chunk)
                manifest["files"][MEDIA_PREFIX + name] = digest.hexdigest()
                archive.add(Path(folder) / "file", arcname=MEDIA_PREFIX + name)
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
        partial.replace(path)
    return manifest


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def _extract(path: Path, folder: Path) -> tuple[dict, dict[str, Path]]:
    """Read the manifest and copy out every member it lists, checking each SHA-256 on the way."""
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the `with` below, once opened
    except (OSError, tarfile.TarError) as error:
        raise CommandError(NOT_AN_ARCHIVE.format(path=path, reason=error)) from error
    with archive:
        try:
            manifest = json.load(archive.extractfile(MANIFEST))
            files = manifest["files"]
            assert manifest.get("application") == "pilote-ctg" and manifest["format"] == FORMAT
            assert DATABASE in files and all(_safe_member(name) for name in files)
        except (KeyError, TypeError, ValueError, AssertionError, tarfile.TarError) as error:
            raise CommandError(NOT_AN_ARCHIVE.format(path=path, reason="manifeste absent ou invalide")) from error
        extracted = {}
        for index, name in enumerate(sorted(files)):
            target = folder / (DATABASE if name == DATABASE else f"{index:06d}")
            digest = hashlib.sha256()
            try:
                source = archive.extractfile(name)
            except KeyError as error:
                raise CommandError(ALTERED.format(name=name)) from error
            with source, target.open("wb") as copy:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    copy.write(chunk)
            if digest.hexdigest() != files[name]:
                raise CommandError(ALTERED.format(name=name))
            extracted[name] = target
    return manifest, extracted


def _stored_sha256(name: str) -> str | None:
    if not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def non_empty_models() -> dict[str, int]:
    """Rows already in the database, leaving out what `migrate` itself creates."""
    counts = {
        model._meta.label: model._base_manager.count()
        for model in saved_models()
        if model._meta.label_lower not in CREATED_BY_MIGRATE
    }
    return {label: count for label, count in counts.items() if count}


def backup_restore(path: Path, *, force: bool = False) -> dict:
    """Restore into an empty database (after `migrate`): check everything, then replace the database's
    content and write the files. Refuses a database or files that would be overwritten unless `force`."""
    with tempfile.TemporaryDirectory(prefix="pilote-ctg-restore-") as name:
        manifest, extracted = _extract(Path(path), Path(name))
        call_command("migrate", interactive=False, verbosity=0)
        if set(manifest.get("migrations", [])) != set(applied_migrations()):
            ours, theirs = set(applied_migrations()), set(manifest.get("migrations", []))
            detail = ", ".join(sorted(theirs ^ ours)[:5])
            raise CommandError(OTHER_MIGRATIONS.format(detail=detail, version=manifest.get("version", "?")))
        existing = non_empty_models()
        if existing and not force:
            detail = ", ".join(f"{label} : {count}" for label, count in sorted(existing.items())[:5])
            raise CommandError(NOT_EMPTY.format(detail=detail))
        media = {key.removeprefix(MEDIA_PREFIX): sha for key, sha in manifest["files"].items() if key != DATABASE}
        present = {file: _stored_sha256(file) for file in media}
        conflicts = sorted(file for file, sha in present.items() if sha not in (None, media[file]))
        if conflicts and not force:
            raise CommandError(MEDIA_CONFLICT.format(count=len(conflicts), name=conflicts[0]))

        with transaction.atomic():
            # flush empties every table, then recreates the content types and permissions.
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(extracted[DATABASE]), verbosity=0)
            for model in saved_models():
                expected = manifest["rows"].get(model._meta.label)
                found = model._base_manager.count()
                if expected is not None and model not in PORTABLE and found != expected:
                    raise CommandError(COUNTS_DIFFER.format(model=model._meta.label, found=found, expected=expected))

        for file, sha in media.items():
            if present[file] == sha:
                continue
            if present[file] is not None:
                default_storage.delete(file)
            with extracted[MEDIA_PREFIX + file].open("rb") as stream:
                saved = default_storage.save(file, File(stream, name=file))
            if saved != file or _stored_sha256(file) != sha:
                raise CommandError(FILE_DIFFERS.format(name=file))
    return manifest
