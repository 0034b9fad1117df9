"""docs/indicators.md is generated from the definitions and cannot drift from them."""

from bdsmarket.indicators import definitions
from bdsmarket.indicators.documents import DOC, indicators_markdown

ROOT = DOC.parents[1]


def test_docs_indicators_md_is_what_the_generator_writes():
    assert DOC.read_text() == indicators_markdown(), (
        "docs/indicators.md is out of date: "
        "run `.venv/bin/python -m bdsmarket.indicators.documents`"
    )


def test_every_indicator_is_on_the_page_with_its_english_name_and_definition():
    text = DOC.read_text()
    for indicator in definitions.ALL:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{indicator.id}` |"))
        assert f"| {indicator.name} |" in row
        assert " ".join(str(indicator.definition).split()) in row
        assert f"`{indicator.formula}`" in row


def test_the_page_says_which_indicators_wait_for_their_modules():
    text = DOC.read_text()
    for indicator in definitions.ALL:
        if not indicator.available:
            assert f"`{indicator.id}`" in text.split("## The indicators")[0]


def test_the_page_is_written_in_english_whatever_the_active_language():
    from django.utils import translation

    with translation.override("es"):
        assert indicators_markdown() == DOC.read_text()


def test_the_readme_links_the_page():
    assert "(docs/indicators.md)" in (ROOT / "README.md").read_text()
