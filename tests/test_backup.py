"""Backup and restore: a backup of the demo CTG (plus the rarer rows: groups and permissions, the admin's log,
a queued task, a history pointing to a deleted row) restored into an empty database gives back every row of
every model and every stored file, byte for byte, the frozen bilan's PDF and its SHA-256 included."""

import hashlib
import io
import json
import logging
import shutil
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from actions.models import Action
from ctg import backup
from ctg.models import Service, User
from partners.models import Partner
from reports.enums import ReportStatus
from reports.models import ReportVersion

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(media_root):
    """The demo CTG; seed_demo quiets two loggers for its own run, which other tests must not inherit."""
    levels = {name: logging.getLogger(name).level for name in ("actions", "reports")}
    call_command("seed_demo", stdout=io.StringIO())
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    coordination = User.objects.get(username="coordination")
    readers = Group.objects.create(name="Relecteurs")
    readers.permissions.set(Permission.objects.filter(codename__in=["view_action", "view_partner"]))
    coordination.groups.add(readers)
    coordination.user_permissions.add(Permission.objects.get(codename="change_partner"))
    action = Action.objects.order_by("pk").first()
    LogEntry.objects.create(
        user=coordination,
        content_type=ContentType.objects.get_for_model(Action),
        object_id=str(action.pk),
        object_repr=str(action),
        action_flag=CHANGE,
        change_message="[]",
    )
    DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="reports.tasks.produce_report_version",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    # The history keeps pointing to a service that no longer exists.
    former, pilot = Service.objects.create(name="Service dissous"), action.pilot_service
    for service in (former, pilot):
        action.pilot_service = service
        action.save()
    former.delete()


def portable(obj, field):
    """A field's value as a backup must give it back: content types and permissions by natural key."""
    value = field.value_from_object(obj)
    if field.is_relation and issubclass(field.related_model, backup.PORTABLE):
        return getattr(obj, field.name).natural_key() if value is not None else None
    return getattr(value, "name", value) if field.get_internal_type() in ("FileField", "ImageField") else value


def database_rows() -> dict[str, list[dict]]:
    """Every row of every saved model, many-to-many links included."""
    snapshot = {}
    for model in backup.saved_models():
        rows = []
        for obj in model._base_manager.order_by("pk"):
            row = {field.attname: portable(obj, field) for field in model._meta.concrete_fields}
            for field in model._meta.many_to_many:
                if field.remote_field.through._meta.auto_created:
                    related = getattr(obj, field.name).all()
                    row[field.name] = sorted(
                        item.natural_key() if isinstance(item, backup.PORTABLE) else item.pk for item in related
                    )
            if isinstance(obj, backup.PORTABLE):
                row.pop("id")
            rows.append(row)
        snapshot[model._meta.label] = sorted(rows, key=repr) if model in backup.PORTABLE else rows
    return snapshot


def stored_bytes(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def empty_everything(media_root: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root, ignore_errors=True)
    assert backup.non_empty_models() == {}


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of the archive where `change(name, data)` may alter each member."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


class TestRoundTrip:
    def test_restore_gives_back_identical_data(self, demo, media_root, tmp_path):
        rows, files = database_rows(), stored_bytes(media_root)
        frozen = ReportVersion.objects.get(report__status=ReportStatus.TRANSMITTED)
        frozen_bytes = frozen.file.read()
        frozen.file.close()
        assert hashlib.sha256(frozen_bytes).hexdigest() == frozen.sha256
        assert len(files) >= 3 and frozen.file.name in files  # two logos and the frozen PDF at least
        assert all(rows[model._meta.label] for model in (Action, Partner, LogEntry, Group, DBTaskResult))
        archive = tmp_path / "sauvegarde.tar.gz"
        out = io.StringIO()

        call_command("backup", str(archive), stdout=out)
        assert "Sauvegarde écrite" in out.getvalue()
        empty_everything(media_root)
        call_command("restore", str(archive), stdout=out)

        assert "empreintes vérifiées" in out.getvalue()
        assert database_rows() == rows
        assert stored_bytes(media_root) == files
        restored = ReportVersion.objects.get(pk=frozen.pk)
        with restored.file.open("rb") as stream:
            content = stream.read()
        assert content == frozen_bytes
        assert hashlib.sha256(content).hexdigest() == restored.sha256 == frozen.sha256


@pytest.fixture
def archive(media_root, tmp_path, own_action, other_action) -> Path:
    """A backup of a small CTG: the two actions of the conftest and a logo."""
    own_action.convention.collectivity_logo.save("logo.png", ContentFile(b"\x89PNG logo"))
    path = tmp_path / "sauvegarde.tar.gz"
    backup.backup_create(path)
    return path


class TestManifest:
    def test_lists_every_member_with_its_sha256(self, archive):
        with tarfile.open(archive, "r:gz") as tar:
            manifest = json.load(tar.extractfile(backup.MANIFEST))
            assert sorted(tar.getnames()) == sorted([backup.MANIFEST, *manifest["files"]])
            for name, sha in manifest["files"].items():
                assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == sha
        assert manifest["version"] == backup.app_version() != "inconnue"
        assert manifest["rows"]["actions.Action"] == Action.objects.count() == 2
        assert manifest["migrations"] == backup.applied_migrations()
        assert manifest["missing_files"] == []
        assert [name for name in manifest["files"] if name.startswith(backup.MEDIA_PREFIX)] == [
            f"media/{Action.objects.first().convention.collectivity_logo.name}"
        ]

    def test_every_model_is_saved_but_the_transient_ones(self):
        left_out = {model._meta.label_lower for model in apps.get_models()} - {
            model._meta.label_lower for model in backup.saved_models()
        }
        assert left_out <= backup.EXCLUDED

    def test_warns_of_a_file_the_database_names_but_the_storage_lacks(self, media_root, tmp_path, own_action):
        own_action.convention.collectivity_logo.save("logo.png", ContentFile(b"\x89PNG logo"))
        next(media_root.rglob("logo*.png")).unlink()
        err = io.StringIO()
        call_command("backup", str(tmp_path / "sauvegarde.tar.gz"), stdout=io.StringIO(), stderr=err)
        assert err.getvalue().startswith("Attention : 1 fichier(s) référencé(s) par la base sont absents")


class TestRefusals:
    def test_never_overwrites_a_backup(self, archive):
        with pytest.raises(CommandError, match="existe déjà"):
            call_command("backup", str(archive))

    def test_refuses_a_database_that_is_not_empty(self, archive):
        with pytest.raises(CommandError) as error:
            call_command("restore", str(archive))
        assert str(error.value).startswith("La base n'est pas vide (")

    def test_force_replaces_the_content(self, archive):
        extra = Partner.objects.create(name="Ajouté après la sauvegarde")
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
        assert not Partner.objects.filter(pk=extra.pk).exists()
        assert Action.objects.filter(code="FA1.1").exists()

    def test_refuses_a_file_that_would_be_overwritten(self, archive, media_root):
        call_command("flush", interactive=False, verbosity=0)
        logo = next(media_root.rglob("logo*.png"))
        logo.write_bytes(b"another logo")
        with pytest.raises(CommandError, match="existent déjà avec un autre contenu"):
            call_command("restore", str(archive))
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
        assert logo.read_bytes() == b"\x89PNG logo"

    def test_refuses_an_altered_archive_before_touching_anything(self, archive, tmp_path, media_root):
        altered = rewrite(
            archive, tmp_path / "altérée.tar.gz", lambda name, data: data + b"!" if name.startswith("media/") else data
        )
        call_command("flush", interactive=False, verbosity=0)
        shutil.rmtree(media_root)
        with pytest.raises(CommandError, match="La sauvegarde est altérée"):
            call_command("restore", str(altered))
        assert not media_root.exists()

    def test_refuses_another_schema(self, archive, tmp_path):
        def newer(name, data):
            if name != backup.MANIFEST:
                return data
            manifest = json.loads(data)
            manifest["migrations"].append("actions.9999_from_the_future")
            return json.dumps(manifest).encode()

        call_command("flush", interactive=False, verbosity=0)
        with pytest.raises(CommandError, match="autre version du schéma .*actions.9999_from_the_future"):
            call_command("restore", str(rewrite(archive, tmp_path / "future.tar.gz", newer)))

    @pytest.mark.parametrize("content", [b"", b"not a tar file", None])
    def test_refuses_what_is_not_a_backup(self, tmp_path, content):
        path = tmp_path / "autre.tar.gz"
        if content is None:
            with tarfile.open(path, "w:gz") as tar:
                tar.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
        else:
            path.write_bytes(content)
        with pytest.raises(CommandError, match="n'est pas une sauvegarde de Pilote CTG"):
            call_command("restore", str(path))
