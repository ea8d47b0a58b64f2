import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def _run_prod(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "motcua.conf.prod", "PYTHONPATH": str(ROOT / "src"), **env_extra})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_production_refuses_to_start_without_secret_key() -> None:
    result = _run_prod({"DATABASE_URL": "postgres://x@127.0.0.1/x"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_database_url() -> None:
    result = _run_prod({"SECRET_KEY": "k" * 50})
    assert result.returncode != 0
    assert "DATABASE_URL is required" in result.stderr


def test_production_starts_with_both() -> None:
    result = _run_prod({"SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://x@127.0.0.1/x"})
    assert result.returncode == 0, result.stderr
