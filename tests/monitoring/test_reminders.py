"""Reminder e-mails: before the due day and after it, to each provider's staff, in their
language, once a day at most, and to nobody whose report is in.

The program's defaults: reports due on the 10th of the next month, a reminder 3 days before
(May's report: on 7 June) and 3 days after, then every 7 days (13, 20, 27 June...).
"""

import email
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bdsmarket.core.models import Role
from bdsmarket.core.services import user_create
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import MonitoringSettings, ValidationWarning
from bdsmarket.monitoring.notifications import reminders_send
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import LegalType, Provider, ProviderStatus

MAY = date(2003, 5, 1)
BEFORE, AFTER = date(2003, 6, 7), date(2003, 6, 13)


def _provider(code: str, lima, status: str = ProviderStatus.ACTIVE) -> Provider:
    return registry.provider_create(
        actor=None,
        code=code,
        name=f"Centro {code}",
        legal_type=LegalType.NGO,
        city=lima,
        status=status,
        status_date=MAY,
    )


def _staff(username: str, provider: Provider, language: str = "", email: str = "x", **extra):
    user = user_create(
        username=username,
        password="a-long-test-password-17",
        role=Role.PROVIDER,
        provider=provider,
        email=f"{username}@example.org" if email == "x" else email,
        language=language,
        check_password=False,
    )
    for name, value in extra.items():
        setattr(user, name, value)
    user.save()
    return user


@pytest.fixture
def centre(lima) -> Provider:
    return _provider("CDE-R1", lima)


@pytest.fixture
def ana(centre):
    return _staff("ana", centre, language="en", first_name="Ana", last_name="Quispe")


def _recipients(messages) -> list[str]:
    return sorted(address for message in messages for address in message.to)


def test_the_staff_are_reminded_days_before_the_due_day(ana, mailoutbox):
    sent = reminders_send(today=BEFORE)
    assert _recipients(sent) == ["ana@example.org"]
    (message,) = mailoutbox
    assert message.subject == "Centro CDE-R1: the report for May 2003 is due on June 10, 2003"
    assert "Hello Ana Quispe," in message.body
    assert "May 2003: due on June 10, 2003" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<li>May 2003: due on June 10, 2003</li>" in html
    assert 'href="http://' in html


def test_the_staff_are_reminded_after_the_due_day_then_weekly(ana, mailoutbox):
    reminded = []
    for offset in range(0, 30):
        day = date(2003, 6, 1) + timedelta(days=offset)
        if reminders_send(today=day):
            reminded.append(day.day)
    assert reminded == [7, 13, 20, 27]
    assert len(mailoutbox) == 4
    assert mailoutbox[1].subject == "Centro CDE-R1: 1 monthly report is overdue"
    assert "May 2003: due on June 10, 2003, 3 days late" in mailoutbox[1].body
    assert "May 2003: due on June 10, 2003, 10 days late" in mailoutbox[2].body


def test_daily_runs_remind_each_person_at_most_once_a_day(centre, ana, lima, mailoutbox):
    _staff("beto", centre, language="es")
    _staff("carla", _provider("CDE-R2", lima))
    sent: Counter[tuple[str, date]] = Counter()
    for offset in range(120):
        day = date(2003, 6, 1) + timedelta(days=offset)
        for message in reminders_send(today=day):
            sent[(message.to[0], day)] += 1
    assert set(sent.values()) == {1}
    assert len(mailoutbox) == sum(sent.values())
    june = sorted(
        day.day for address, day in sent if address == "ana@example.org" and day.month == 6
    )
    assert june == [7, 13, 20, 27]


def test_the_e_mail_is_in_each_persons_language(centre, ana, mailoutbox, settings):
    settings.LANGUAGE_CODE = "es"
    _staff("beto", centre, language="es")
    _staff("dora", centre, language="")
    reminders_send(today=BEFORE)
    by_address = {m.to[0]: m for m in mailoutbox}
    assert "May 2003" in by_address["ana@example.org"].subject
    # Month and date names come from the language's own formats.
    assert "mayo de 2003" in by_address["beto@example.org"].subject
    assert "10 de junio de 2003" in by_address["beto@example.org"].body
    assert "mayo de 2003" in by_address["dora@example.org"].subject
    html, _type = by_address["beto@example.org"].alternatives[0]
    assert '<html lang="es">' in html


def test_the_program_language_follows_the_setting(centre, mailoutbox, settings):
    settings.LANGUAGE_CODE = "en"
    _staff("dora", centre, language="")
    reminders_send(today=BEFORE)
    assert "May 2003" in mailoutbox[0].subject


def test_only_the_providers_active_staff_with_an_address_are_reminded(
    centre, ana, lima, officer, staff_a, mailoutbox
):
    _staff("no_address", centre, email="")
    _staff("gone", centre, is_active=False)
    suspended = _provider("CDE-R3", lima, status=ProviderStatus.SUSPENDED)
    _staff("suspended_staff", suspended)
    reminders_send(today=BEFORE)
    # staff_a's provider became active today, long after 2003: it owes nothing yet.
    assert _recipients(mailoutbox) == ["ana@example.org"]


def test_nobody_is_reminded_of_a_report_that_is_in(centre, ana, delivery_row, officer, mailoutbox):
    result = services.deliveries_store(
        actor=ana, rows=[delivery_row(centre, date=date(2003, 5, 5))], source="file"
    )
    (may,) = result.submissions
    services.submission_submit(actor=ana, submission=may)
    assert reminders_send(today=AFTER) == []
    for warning in ValidationWarning.objects.filter(submission=may):
        services.warning_acknowledge(actor=officer, warning=warning)
    services.submission_approve(actor=officer, submission=may)
    assert reminders_send(today=AFTER) == []
    assert reminders_send(today=AFTER + timedelta(days=7)) == []
    assert mailoutbox == []


def test_a_draft_is_still_reminded(centre, ana, delivery_row, mailoutbox):
    services.deliveries_store(
        actor=ana, rows=[delivery_row(centre, date=date(2003, 5, 5))], source="file"
    )
    assert _recipients(reminders_send(today=AFTER)) == ["ana@example.org"]


def test_the_reminder_days_are_tunable(ana, mailoutbox):
    config = MonitoringSettings.current()
    config.remind_days_before, config.remind_days_after = 5, 0
    config.save()
    assert reminders_send(today=BEFORE) == []
    assert len(reminders_send(today=date(2003, 6, 5))) == 1
    assert reminders_send(today=AFTER) == []


def test_a_late_provider_hears_of_every_report_it_owes(ana, mailoutbox):
    # On 7 July: June's report is 3 days from due, May's is 27 days late.
    (message,) = reminders_send(today=date(2003, 7, 7))
    assert message.subject == "Centro CDE-R1: 1 monthly report is overdue"
    assert "May 2003: due on June 10, 2003, 27 days late" in message.body
    assert "June 2003: due on July 10, 2003" in message.body


# The command


def test_the_command_sends_and_summarises(ana, mailoutbox):
    out = StringIO()
    call_command("remind", "--today", "2003-06-07", stdout=out)
    assert len(mailoutbox) == 1
    assert "ana@example.org: Centro CDE-R1" in out.getvalue()
    assert out.getvalue().strip().endswith("1 reminder sent for 2003-06-07.")


def test_the_command_dry_run_sends_nothing(ana, mailoutbox):
    out = StringIO()
    call_command("remind", "--today", "2003-06-07", "--dry-run", stdout=out)
    assert mailoutbox == []
    assert "ana@example.org" in out.getvalue()
    assert "Dry run: 1 reminder would be sent for 2003-06-07." in out.getvalue()


def test_the_command_refuses_a_date_it_cannot_read(program):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("remind", "--today", "7/6/2003")


def test_the_command_without_a_date_uses_today(program, mailoutbox):
    out = StringIO()
    call_command("remind", stdout=out)
    assert f"0 reminders sent for {timezone.localdate().isoformat()}." in out.getvalue()


# A real SMTP server


def test_reminders_reach_a_real_smtp_server(ana, smtp_server):
    reminders_send(today=BEFORE)

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ana@example.org"]
    received = email.message_from_bytes(envelope.original_content)
    assert received.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in received.get_payload()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "May 2003: due on June 10, 2003" in parts["text/plain"].get_payload(decode=True).decode()
