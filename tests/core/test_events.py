"""Events: handlers run at once, in the order they subscribed, for the type they chose or a
type extending it; a handler's error reaches the publisher."""

from dataclasses import FrozenInstanceError, dataclass

import pytest

from bdsmarket.core import events


@dataclass(frozen=True)
class Happened(events.Event):
    what: str


@dataclass(frozen=True)
class HappenedAgain(Happened):
    pass


@pytest.fixture
def heard():
    """Subscribe two recording handlers for the test, and unsubscribe them after."""
    log: list[tuple[str, str]] = []

    def first(event: Happened) -> None:
        log.append(("first", event.what))

    def second(event: HappenedAgain) -> None:
        log.append(("second", event.what))

    events.subscribe(Happened, first)
    events.subscribe(HappenedAgain, second)
    events.subscribe(Happened, first)  # twice: still runs once
    yield log
    events.unsubscribe(Happened, first)
    events.unsubscribe(HappenedAgain, second)


def test_it_runs_the_handlers_of_the_event_s_type_at_once(heard):
    events.publish(Happened("a"))

    assert heard == [("first", "a")]


def test_a_handler_of_a_type_also_hears_the_types_extending_it_in_subscription_order(heard):
    events.publish(HappenedAgain("b"))

    assert heard == [("first", "b"), ("second", "b")]


def test_after_unsubscribing_nothing_runs():
    log = []
    events.subscribe(Happened, log.append)
    events.unsubscribe(Happened, log.append)

    events.publish(Happened("c"))

    assert log == []
    assert events.subscribers(Happened) == []


def test_a_handler_s_error_reaches_the_publisher():
    def failing(event: Happened) -> None:
        raise RuntimeError(event.what)

    events.subscribe(Happened, failing)
    try:
        with pytest.raises(RuntimeError, match="d"):
            events.publish(Happened("d"))
    finally:
        events.unsubscribe(Happened, failing)


def test_an_event_cannot_change_once_published():
    event = Happened("e")
    with pytest.raises(FrozenInstanceError):
        event.what = "f"  # type: ignore[misc]
