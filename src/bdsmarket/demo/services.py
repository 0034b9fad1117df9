"""Loading the demo program and its logins into an empty database."""

import time
from collections.abc import Callable

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from bdsmarket.core.demo.context import DemoContext
from bdsmarket.core.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from bdsmarket.core.models import User
from bdsmarket.core.services import user_create

from .steps import demo_steps

DEFAULT_SEED = 1994
DEFAULT_ENTERPRISES = 3000


@transaction.atomic
def demo_load(
    *,
    seed: int = DEFAULT_SEED,
    enterprises: int = DEFAULT_ENTERPRISES,
    say: Callable[[str], None] = lambda message: None,
    progress: Callable[[str, float], None] = lambda label, fraction: None,
) -> DemoContext:
    """Load every app's part of the demo into an empty database; return the context.

    The same seed and size give the same rows (primary keys included, in a fresh database).
    Nothing is stored if any step fails.
    """
    context = DemoContext(seed=seed, enterprises=enterprises, say=say, progress=progress)
    for step in demo_steps():
        started = time.perf_counter()
        context.rng = context.rng_for(step.label)
        step.load(context)
        seconds = time.perf_counter() - started
        say(
            "  "
            + _("%(step)s loaded in %(seconds).1f s") % {"step": step.label, "seconds": seconds}
        )
    _history_stamp(context)
    return context


def _history_stamp(context: DemoContext) -> None:
    """Date every history entry the loading time stamped at the demo's fixed instant.

    History records when a row was entered; the demo's rows were "entered" by the end of the
    reference program at the latest, so two loads with the same seed give identical tables.
    Entries a step dated itself (when a report was sent, approved) keep their dates.
    """
    for model in apps.get_models():
        field_names = {f.name for f in model._meta.get_fields()}
        if {"history_id", "history_date", "history_type"} <= field_names:
            model._default_manager.filter(history_date__gt=context.now).update(
                history_date=context.now
            )


def demo_logins_create(*, password: str = DEMO_PASSWORD) -> list[User]:
    """Create one login per role (see DEMO_LOGINS) with `password`; return the users."""
    from bdsmarket.registry.models import Provider

    users = []
    for login in DEMO_LOGINS:
        existing = User.objects.filter(username=login.username).first()
        if existing is not None:
            # A demo step made this login because it acts in the data (the officer who
            # approved the monthly reports); it gets the shared password like the others.
            existing.set_password(password)
            existing.save(update_fields=["password"])
            users.append(existing)
            continue
        provider = Provider.objects.get(code=login.provider_code) if login.provider_code else None
        users.append(
            user_create(
                username=login.username,
                password=password,
                role=login.role,
                provider=provider,
                email=f"{login.username}@example.org",
                first_name=login.first_name,
                last_name=login.last_name,
                # A shared, printed password is the point of a demo; real logins are checked.
                check_password=False,
            )
        )
    return users
