"""A missing browser tool skips the browser tests on a developer's machine and fails them in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.helpers import require_tool


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_a_missing_tool_fails_in_ci(ci: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", ci)

    with pytest.raises(pytest.fail.Exception) as failure:
        require_tool(tmp_path / "chromium", what="Chromium", install="apt-get install -y chromium")

    assert "never a skip" in str(failure.value)
    assert "apt-get install -y chromium" in str(failure.value)


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_a_missing_tool_skips_elsewhere_with_the_install_command(
    ci: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)

    with pytest.raises(pytest.skip.Exception) as skipped:
        require_tool(tmp_path / "axe.min.js", what="axe-core", install="npm ci --prefix tests/e2e")

    assert "npm ci --prefix tests/e2e" in str(skipped.value)


def test_a_present_tool_neither_skips_nor_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    tool = tmp_path / "chromium"
    tool.write_text("#!/bin/sh\n")

    require_tool(tool, what="Chromium", install="unused")
