"""Deployment files: the compose file validates, and the image installs SafeJob the way the README does."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _compose() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return None


def test_compose_file_validates() -> None:
    cmd = _compose()
    if cmd is None:
        pytest.skip("docker compose not installed (.ci/run installs Debian's docker-compose)")
    p = subprocess.run([*cmd, "-f", str(DEPLOY / "docker-compose.yml"), "config"], capture_output=True, text=True,
                       cwd=DEPLOY, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "safejob" in p.stdout and "/data" in p.stdout


def test_dockerfile_installs_like_the_readme() -> None:
    readme_first = (ROOT / "README.md").read_text(encoding="utf-8").split("```bash", 1)[1].split("```", 1)[0]
    setup_cmd = readme_first.strip().splitlines()[0].split("&&")[0].strip()
    assert setup_cmd == "./scripts/setup"
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^RUN \./scripts/setup$", dockerfile, re.M)
    assert re.search(r"^USER safejob$", dockerfile, re.M)  # non-root
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'VOLUME ["/data"]' in dockerfile and "SAFEJOB_DATA_DIR=/data" in dockerfile
    assert re.search(r"^FROM python:3\.\d+-slim$", dockerfile, re.M)
    # the shipped model is in the build context (nothing in .dockerignore drops it)
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8") if (ROOT / ".dockerignore").exists() else ""
    assert "models" not in ignore.split()


def test_env_example_lists_every_variable() -> None:
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    used = set(re.findall(r'env\.get\("([A-Z_]+)"', (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")))
    used |= {"SAFEJOB_MODELS_DIR"}
    for var in sorted(used):
        assert re.search(rf"^{var}=", example, re.M), var
