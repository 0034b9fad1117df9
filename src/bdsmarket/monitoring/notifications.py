"""Reminder e-mails to providers: before a monthly report is due, and after, while it is
not sent.

Nothing records which reminders went out: whether a report is reminded today follows
from the dates alone (rules.reminder_kind), so a run once a day (`bdsmarket remind`,
from cron) sends each reminder once, and a second run on the same day sends them again.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bdsmarket.core.models import Role, User
from bdsmarket.registry.models import Provider

from . import rules
from .models import MonitoringSettings
from .queries import OwedReport, reports_owed


@dataclass(frozen=True)
class Reminder:
    """What one provider is reminded of today: the reports coming due and those overdue."""

    provider: Provider
    due_soon: list[OwedReport]
    overdue: list[OwedReport]


def reminders_due(today: date) -> list[Reminder]:
    """Return the providers to remind `today`, by provider code.

    A provider is reminded on a day when one of its unsent reports is due in exactly
    `remind_days_before` days, or is `remind_days_after` days late (then every 7 days);
    the reminder lists every report it owes that is due soon or overdue.
    """
    config = MonitoringSettings.current()
    owed = reports_owed(
        due_from=None, due_to=today + timedelta(days=config.remind_days_before), today=today
    )
    by_provider: dict[int, list[OwedReport]] = defaultdict(list)
    for report in owed:
        by_provider[report.provider.pk].append(report)
    reminders = []
    for reports in by_provider.values():
        if not any(
            rules.reminder_kind(
                today, report.due_date, config.remind_days_before, config.remind_days_after
            )
            for report in reports
        ):
            continue
        reminders.append(
            Reminder(
                provider=reports[0].provider,
                due_soon=sorted((r for r in reports if r.days_late <= 0), key=lambda r: r.month),
                overdue=sorted((r for r in reports if r.days_late > 0), key=lambda r: r.month),
            )
        )
    return sorted(reminders, key=lambda reminder: reminder.provider.code)


def reminder_recipients(providers: list[Provider]) -> dict[int, list[User]]:
    """Return the active staff with an e-mail address of each of `providers`, by its id."""
    staff: dict[int, list[User]] = defaultdict(list)
    for user in (
        User.objects.filter(role=Role.PROVIDER, provider__in=providers, is_active=True)
        .exclude(email="")
        .order_by("username")
    ):
        staff[user.provider_id].append(user)  # type: ignore[index]  # provider staff have one
    return staff


def user_language(user: User) -> str:
    """Return the language to write to `user` in: their own, else the program's."""
    known = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in known else settings.LANGUAGE_CODE


def reminder_message(reminder: Reminder, user: User, today: date) -> EmailMultiAlternatives:
    """Return the reminder e-mail for one of the provider's staff, in their language, with a
    plain-text body and an HTML alternative."""
    with translation.override(user_language(user)):
        if reminder.overdue:
            count = len(reminder.overdue)
            subject = ngettext(
                "%(provider)s: %(count)s monthly report is overdue",
                "%(provider)s: %(count)s monthly reports are overdue",
                count,
            ) % {"provider": reminder.provider.name, "count": count}
        else:
            first = reminder.due_soon[0]
            subject = _("%(provider)s: the report for %(month)s is due on %(date)s") % {
                "provider": reminder.provider.name,
                "month": date_format(first.month, "YEAR_MONTH_FORMAT"),
                "date": date_format(first.due_date, "DATE_FORMAT"),
            }
        context = {
            "user": user,
            "provider": reminder.provider,
            "due_soon": reminder.due_soon,
            "overdue": reminder.overdue,
            "today": today,
            "site_url": settings.SITE_URL.rstrip("/") + reverse("home"),
        }
        text = render_to_string("monitoring/email/reminder.txt", context)
        html = render_to_string("monitoring/email/reminder.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def reminders_send(*, today: date, dry_run: bool = False) -> list[EmailMultiAlternatives]:
    """Send today's reminders to every active provider staff member with an e-mail address;
    return the messages (built but not sent with `dry_run`)."""
    reminders = reminders_due(today)
    staff = reminder_recipients([reminder.provider for reminder in reminders])
    messages = [
        reminder_message(reminder, user, today)
        for reminder in reminders
        for user in staff[reminder.provider.pk]
    ]
    if messages and not dry_run:
        get_connection().send_messages(messages)
    return messages
