from pathlib import Path

from motcua.core.management.commands.show_configuration import render

DOC = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_configuration_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "run: python manage.py show_configuration > docs/configuration.md"
    )
