"""Documentation that cannot drift: every setting is on docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    settings_source = (ROOT / "src/bdsmarket/settings.py").read_text()
    read = set(re.findall(r'(?:getenv|envbool|envint|envlist)\("([A-Z_]+)"', settings_source))
    documented = (ROOT / "docs/configuration.md").read_text()
    assert read, "no variable found: the pattern no longer matches settings.py"
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert missing == []
