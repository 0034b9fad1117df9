"""Text matching shared by every import and lookup: accents, case and spacing never matter."""

import unicodedata
from collections.abc import Iterable

from django.db import models
from django.utils import translation


def normalize_key(text: object) -> str:
    """Return `text` folded for matching: no accents, lower case, letters and digits only.

    `"Huánuco"`, `"HUANUCO"` and `" huanuco "` all give `"huanuco"`;
    `"client_type"` and `"Client Type"` both give `"clienttype"`.
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in without_accents.casefold() if ch.isalnum())


_choice_keys_cache: dict[tuple, dict[str, str]] = {}


def choice_keys(
    choices: type[models.TextChoices], aliases: dict[str, Iterable[str]]
) -> dict[str, str]:
    """Return a map from every accepted spelling of a choice to its code.

    Accepted: the code, its English and Spanish labels, and the given aliases. The map is
    built once per choice class and set of aliases.
    """
    cache_key = (choices, tuple(sorted((code, tuple(names)) for code, names in aliases.items())))
    if cache_key in _choice_keys_cache:
        return _choice_keys_cache[cache_key]
    keys: dict[str, str] = {}
    for code, label in zip(choices.values, choices.labels, strict=True):
        spellings = [code, *aliases.get(code, ())]
        for language in ("en", "es"):
            with translation.override(language):
                spellings.append(str(label))
        for spelling in spellings:
            keys[normalize_key(spelling)] = code
    _choice_keys_cache[cache_key] = keys
    return keys


def parse_choice(
    value: object, choices: type[models.TextChoices], aliases: dict[str, Iterable[str]]
) -> str | None:
    """Return the code of the choice that `value` names, or None when it names none."""
    return choice_keys(choices, aliases).get(normalize_key(value))
