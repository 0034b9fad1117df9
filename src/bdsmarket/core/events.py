"""Events: an app tells the apps above it what happened, without importing them.

The owner of a change defines its events as frozen dataclasses (subclasses of `Event`) and
publishes them from its service, inside the service's transaction. An app that must react
subscribes a handler in its `AppConfig.ready()`. Handlers run at once, in the order they
subscribed, in the publisher's transaction: a handler that raises rolls the whole change
back, so figures kept from the owner's rows never disagree with them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class Event:
    """Something that happened in the app that publishes it."""


E = TypeVar("E", bound=Event)

# Every subscription in the order it was made: (event type, handler).
_subscriptions: list[tuple[type[Event], Callable[[Event], None]]] = []


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Run `handler` on every published event of `event_type` or a type extending it (once,
    however often this is called)."""
    subscription = (event_type, handler)
    if subscription not in _subscriptions:
        _subscriptions.append(subscription)  # type: ignore[arg-type]  # called with E only


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Stop running `handler` on `event_type` (a test's own handler)."""
    subscription = (event_type, handler)
    if subscription in _subscriptions:
        _subscriptions.remove(subscription)  # type: ignore[arg-type]


def subscribers(event_type: type[Event]) -> list[Callable[[Event], None]]:
    """Return the handlers `publish` runs for an event of `event_type`, in the order they
    subscribed (to the type itself or to a type it extends)."""
    return [handler for kind, handler in _subscriptions if issubclass(event_type, kind)]


def publish(event: Event) -> None:
    """Run every handler subscribed to the event's type (or a type it extends), now, in the
    caller's transaction; a handler's error propagates to the caller."""
    for handler in subscribers(type(event)):
        handler(event)
