"""The `bdsmarket` entry point: its own help first, Django's commands underneath."""

import io

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

from bdsmarket.cli import main
from bdsmarket.core.commands import first_sentence, project_commands
from bdsmarket.core.progress import ProgressBar


@pytest.fixture(autouse=True)
def _in_english():
    """The help is asserted in English; the program's default language is Spanish."""
    with translation.override("en"):
        yield


def test_the_help_speaks_spanish_too(capsys):
    with translation.override("es"):
        main(["--help"])
    assert capsys.readouterr().out.startswith("Uso: bdsmarket COMANDO")


@pytest.mark.parametrize("argv", [[], ["--help"], ["-h"], ["help"]])
def test_help_lists_the_projects_commands_first(capsys, argv):
    main(argv)
    out = capsys.readouterr().out
    assert out.startswith("Usage: bdsmarket COMMAND")
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  ")]
    assert {"import", "migrate", "check", "compilemessages"} <= set(listed)
    assert listed == sorted(listed)
    assert "runserver" not in listed  # Django's own commands are not in the first list
    assert "bdsmarket help --all" in out


def test_help_all_lists_djangos_commands_too(capsys):
    main(["help", "--all"])
    out = capsys.readouterr().out
    assert "runserver" in out
    assert "import" in out


def test_help_for_one_command_is_djangos(capsys):
    main(["help", "import"])
    assert capsys.readouterr().out.startswith("usage: bdsmarket import")


def test_every_command_of_a_bdsmarket_app_is_listed_with_its_first_sentence():
    ours = {name for name, app in get_commands().items() if app.startswith("bdsmarket.")}
    listed = dict(project_commands())
    assert ours <= set(listed)
    assert listed["import"] == "Import a CSV or XLSX file of one kind of record."
    assert listed["migrate"] == "Updates database schema."


@pytest.mark.parametrize("name", [name for name, _text in project_commands()])
def test_every_listed_commands_help_can_be_shown(name):
    command = load_command_class(get_commands()[name], name)
    assert f"usage: bdsmarket {name}" in command.create_parser("bdsmarket", name).format_help()


def test_first_sentence_keeps_a_one_line_description():
    assert first_sentence("Load the demo.\nThen serve it. Fast.") == "Load the demo."
    assert first_sentence("Compile 1.5 catalogues") == "Compile 1.5 catalogues"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_and_ends_its_line():
    terminal = FakeTerminal()
    bar = ProgressBar(terminal)
    bar.DELAY = bar.INTERVAL = 0
    bar.show("checking", 0.5)
    bar.show("checking", 1.0)
    bar.show("checking", 1.0)  # the same line is not drawn twice
    bar.close()
    out = terminal.getvalue()
    assert "\rchecking   [" + "#" * 15 + "-" * 15 + "]  50%" in out
    assert out.endswith("100%\n")
    assert out.count("100%") == 1


def test_the_progress_bar_stays_away_from_short_work():
    terminal = FakeTerminal()
    bar = ProgressBar(terminal)
    bar.show("checking", 1.0)
    bar.close()
    assert terminal.getvalue() == ""


def test_the_progress_bar_is_silent_when_not_on_a_terminal():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.show("checking", 0.5)
    bar.close()
    assert stream.getvalue() == ""
