"""docs/cli.md is generated from the commands' --help and cannot drift from them."""

from bdsmarket.core.clidoc import DOC, render
from bdsmarket.core.commands import project_commands


def test_docs_cli_md_is_what_the_generator_writes():
    assert DOC.read_text() == render(), (
        "docs/cli.md is out of date: run `python -m bdsmarket.core.clidoc`"
    )


def test_every_bdsmarket_command_is_in_docs_cli_md():
    text = DOC.read_text()
    missing = [name for name, _ in project_commands() if f"## `bdsmarket {name}`" not in text]
    assert missing == []
