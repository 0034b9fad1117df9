"""docs/formats.md documents every column of every import, by both its names."""

from pathlib import Path

import pytest

from bdsmarket.core.tabular import importers

FORMATS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


@pytest.mark.parametrize("kind", list(importers()))
def test_every_column_of_every_import_is_documented(kind):
    text = FORMATS.read_text()
    assert f"(`{kind}`)" in text, f"docs/formats.md has no section for {kind}"
    missing = [
        column.name
        for column in importers()[kind].spec
        if f"| `{column.name}` | `{column.name_es}`" not in text
    ]
    assert missing == []
