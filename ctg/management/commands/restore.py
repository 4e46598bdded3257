"""`manage.py restore <archive.tar.gz>`: back into an empty database, files included (see ctg/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ctg.backup import backup_restore

RESTORED = "Sauvegarde du {date} restaurée : {rows} lignes, {files} fichier(s), empreintes vérifiées."


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde faite par `manage.py backup` dans une base vide (après `migrate`) : les "
        "données et les fichiers déposés, dont les empreintes SHA-256 sont vérifiées."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="archive écrite par `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="remplace le contenu d'une base qui n'est pas vide et les fichiers qui diffèrent",
        )

    def handle(self, *args, path, force, **options):
        manifest = backup_restore(Path(path), force=force)
        rows = sum(manifest["rows"].values())
        files = len(manifest["files"]) - 1
        self.stdout.write(RESTORED.format(date=manifest["created_at"], rows=rows, files=files))
