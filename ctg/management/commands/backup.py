"""`manage.py backup <archive.tar.gz>`: the database and the stored files in one archive (see ctg/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ctg.backup import backup_create

WRITTEN = "Sauvegarde écrite : {path} ({rows} lignes, {files} fichier(s), version {version})."
MISSING = "Attention : {count} fichier(s) référencé(s) par la base sont absents du stockage, par exemple {name}."


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés (logos, PDF des bilans) dans une archive .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("path", help="archive à écrire, par exemple sauvegardes/pilote-ctg-2026-01-31.tar.gz")

    def handle(self, *args, path, **options):
        manifest = backup_create(Path(path))
        rows = sum(manifest["rows"].values())
        files = len(manifest["files"]) - 1
        self.stdout.write(WRITTEN.format(path=path, rows=rows, files=files, version=manifest["version"]))
        if manifest["missing_files"]:
            missing = manifest["missing_files"]
            self.stderr.write(MISSING.format(count=len(missing), name=missing[0]))
