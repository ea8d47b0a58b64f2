"""`make run` path end to end: migrate an embedded SQLite database, load the real data and the demo, serve
over real HTTP, and find a procedure typed without diacritics."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read().decode("utf-8"))


def test_embedded_sqlite_server_serves_catalogue_and_demo(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "motcua.conf.dev",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_reference_data"],
        ["seed_demo", "--dossiers", "19"],
    ):
        subprocess.run([*manage, *command], env=env, check=True, cwd=ROOT, capture_output=True)
    assert (tmp_path / "motcua.sqlite3").exists()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "motcua.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
        env={**env, "DJANGO_SETTINGS_MODULE": "motcua.conf.dev"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{base}/api/v1/openapi.json")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        status, found = _get(
            f"{base}/api/v1/procedures?" + urllib.parse.urlencode({"q": "dang ky khai sinh"})
        )
        assert status == 200
        assert found[0]["national_code"] == "1.001193"
        status, agency = _get(f"{base}/api/v1/agencies/000.99.00.H37")
        assert agency["kind"] == "service_centre"
        status, schema = _get(f"{base}/api/v1/openapi.json")
        assert schema["openapi"].startswith("3.1")
        with urllib.request.urlopen(f"{base}/thu-tuc/?q=dang+ky+khai+sinh", timeout=10) as response:
            page = response.read().decode("utf-8")
        assert response.status == 200
        assert (
            "Thủ tục đăng ký khai sinh" in page
        )  # the citizen portal, served by gunicorn from static files too
        with urllib.request.urlopen(f"{base}/static/portal/site.css", timeout=10) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
