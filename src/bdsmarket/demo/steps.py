"""The demo is the sum of the apps' parts: each app that has a `demo` module adds a step.

An app adds its part by defining `load(context: DemoContext) -> None` in `<app>/demo.py`.
Steps run in INSTALLED_APPS order, so an app's step sees everything the apps listed before
it have loaded (monitoring after registry, incentives after monitoring, and so on).
"""

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

from bdsmarket.core.demo.context import DemoContext

DemoLoad = Callable[[DemoContext], None]


@dataclass(frozen=True)
class DemoStep:
    label: str  # the app's label, e.g. "registry"
    load: DemoLoad


def demo_steps() -> list[DemoStep]:
    """Return the demo step of every installed app that has one, in INSTALLED_APPS order."""
    steps = []
    for app_config in apps.get_app_configs():
        # Only the project's own apps: a third-party app's `demo` module is none of ours.
        if not app_config.name.startswith("bdsmarket.") or app_config.name == "bdsmarket.demo":
            continue
        module_name = f"{app_config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        load = getattr(importlib.import_module(module_name), "load", None)
        if callable(load):
            steps.append(DemoStep(label=app_config.label, load=load))
    return steps
