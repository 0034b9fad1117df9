"""Writes of indicators: the facts, rebuilt from the rows whenever a report enters or leaves a
basis. Everything else in this app reads.

The facts are derived data: `facts_refresh` deletes a provider's facts and computes them
again from its reports' rows and cost reports, in SQL (one pass that numbers each client's
visits to the provider, then one GROUP BY per dimension). It runs on monitoring's events
(a report submitted, returned, approved or reopened; rows loaded straight into approved
reports), subscribed in apps.py, inside monitoring's transaction, so a figure never lags the
reports it counts.
"""

from collections.abc import Collection
from datetime import date, datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone, translation

from bdsmarket.core.clock import program_today
from bdsmarket.core.db import statistics_refresh
from bdsmarket.core.models import PROGRAM_STAFF, Role, User
from bdsmarket.monitoring import events
from bdsmarket.monitoring.models import (
    CostReport,
    Delivery,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)
from bdsmarket.registry.models import City, ClientType, Gender, Provider

from . import permissions
from .models import DIMENSIONS, Basis, Dispatch, Fact
from .rules import bulletin_is_news

# Which report statuses each basis counts.
BASIS_STATUSES: dict[str, tuple[str, ...]] = {
    Basis.APPROVED: (SubmissionStatus.APPROVED,),
    Basis.REPORTED: (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.RESUBMITTED,
        SubmissionStatus.APPROVED,
    ),
}
RANKED = "indicators_ranked_rows"

# What each measure adds up over the ranked rows (see `_ranked_rows`): the one definition of
# the measures in SQL, for the facts and for the scopes read from the rows (queries.py).
MEASURE_SQL: dict[str, str] = {
    "attentions": "COUNT(*)",
    "participants": "SUM(participants)",
    "income": "SUM(price)",
    "paid_by_client": "SUM(paid_by_client)",
    "paid_by_voucher": "SUM(paid_by_voucher)",
    "paid_by_third_party": "SUM(paid_by_third_party)",
    "priced": "SUM(CASE WHEN price > 0 THEN 1 ELSE 0 END)",
    "fully_paid": "SUM(CASE WHEN price > 0 AND paid_by_client = price THEN 1 ELSE 0 END)",
    "partially_subsidized": (
        "SUM(CASE WHEN paid_by_client > 0 AND paid_by_client < price THEN 1 ELSE 0 END)"
    ),
    "fully_subsidized": "SUM(CASE WHEN price > 0 AND paid_by_client = 0 THEN 1 ELSE 0 END)",
    "free": "SUM(CASE WHEN price = 0 THEN 1 ELSE 0 END)",
    "repeats": "SUM(CASE WHEN visit > 1 THEN 1 ELSE 0 END)",
    "women": f"SUM(CASE WHEN client_gender = '{Gender.FEMALE}' THEN 1 ELSE 0 END)",
    "gendered": f"SUM(CASE WHEN client_gender <> '{Gender.NA}' THEN 1 ELSE 0 END)",
    "micro_and_pre": (
        f"SUM(CASE WHEN client_type IN ('{ClientType.MICRO}', '{ClientType.PRE_ENTERPRISE}') "
        "THEN 1 ELSE 0 END)"
    ),
    "outside_capital": "SUM(CASE WHEN in_capital = 1 THEN 0 ELSE 1 END)",
}
ROW_MEASURES = tuple(MEASURE_SQL)
COST_MEASURES = ("costs", "other_income", "cost_reports")
# A dimension's value as the facts keep it: text.
DIMENSION_SQL = {
    "client_type": "client_type",
    "client_gender": "client_gender",
    "client_sector": "CAST(client_sector_id AS VARCHAR(20))",
    "client_city": "CAST(client_city_id AS VARCHAR(20))",
    "service_type": "service_type",
}


def _cents(column: str) -> str:
    """An amount column as whole cents: exact sums on SQLite too (it adds decimals as floats)."""
    return f"CAST(ROUND(({column}) * 100) AS BIGINT)"


def ranked_rows_sql(
    statuses: tuple[str, ...],
    providers: Collection[int] | None,
    *,
    visits: bool = True,
    months: tuple[date, date] | None = None,
) -> tuple[str, list]:
    """Return the SELECT of the rows a basis counts (of `providers`, or all), with each row's
    month, money in cents, whether its client's city is the capital, and `visit`: the
    how-manyeth attention of its client by its provider this is (1 = the first; on the same
    day, the row stored first comes first).

    Without `visits` (distinct clients need no history), the rows may be narrowed to the
    reports of `months` (first, last) at once.
    """
    delivery = Delivery._meta.db_table
    submission = Submission._meta.db_table
    period = ReportingPeriod._meta.db_table
    city = City._meta.db_table
    params: list = list(statuses)
    where = f"s.status IN ({', '.join(['%s'] * len(statuses))})"
    if providers is not None:
        where += f" AND d.provider_id IN ({', '.join(['%s'] * len(providers))})"
        params += list(providers)
    if months is not None:
        assert not visits, "a client's visits count the months before the scope"
        where += " AND p.month >= %s AND p.month <= %s"
        params += list(months)
    visit = (
        "ROW_NUMBER() OVER (PARTITION BY d.provider_id, d.client_key ORDER BY d.date, d.id)"
        if visits
        else "0"
    )
    sql = (
        "SELECT d.id AS delivery_id, d.provider_id, p.month, d.date, d.client_key, "
        "d.client_type, d.client_gender, "
        "d.client_sector_id, d.client_city_id, d.service_type, d.participants, "
        f"{_cents('d.price')} AS price, {_cents('d.paid_by_client')} AS paid_by_client, "
        f"{_cents('d.paid_by_voucher')} AS paid_by_voucher, "
        f"{_cents('d.paid_by_third_party')} AS paid_by_third_party, "
        "CASE WHEN c.is_capital THEN 1 ELSE 0 END AS in_capital, "
        f"{visit} AS visit "
        f"FROM {delivery} d JOIN {submission} s ON s.id = d.submission_id "
        f"JOIN {period} p ON p.id = s.period_id JOIN {city} c ON c.id = d.client_city_id "
        f"WHERE {where}"
    )
    return sql, params


@transaction.atomic
def facts_refresh(*, providers: Collection[int] | None = None, at: datetime | None = None) -> int:
    """Compute the facts of `providers` (every provider when None) again from their reports;
    return how many fact rows there are now. `at` is the moment they record (default now:
    a result's data cut-off)."""
    facts = Fact.objects.all() if providers is None else Fact.objects.filter(provider__in=providers)
    facts.delete()
    if providers is not None and not providers:
        return 0
    written = 0
    for basis, statuses in BASIS_STATUSES.items():
        written += _facts_write(basis, statuses, providers, at or timezone.now())
    if providers is None:
        statistics_refresh(Fact._meta.db_table)
    return written


def facts_refresh_on_report(event: events.ReportEvent) -> None:
    """Recompute the facts of the report's provider: its report just entered or left a
    basis (submitted, returned, approved, reopened)."""
    facts_refresh(providers=[event.provider_id])


def facts_refresh_on_load(event: events.DeliveriesStored) -> None:
    """Recompute the facts when rows went straight into approved reports (the generator);
    rows stored in a report under way count once the report is submitted."""
    if event.reports_approved:
        facts_refresh(providers=event.provider_ids, at=event.at)


def bulletin_queue_on_approval(event: events.ReportApproved) -> None:
    """Send the provider its benchmark for the month just approved, if it is news."""
    if bulletin_is_news(event.month, program_today()):
        bulletins_queue(
            month=event.month, provider=Provider.objects.get(pk=event.provider_id), program=False
        )


def _facts_write(
    basis: str, statuses: tuple[str, ...], providers: Collection[int] | None, now: datetime
) -> int:
    fact = Fact._meta.db_table
    ranked, params = ranked_rows_sql(statuses, providers)
    measures = ", ".join(MEASURE_SQL.values())
    row_columns = ", ".join(ROW_MEASURES)
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RANKED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {RANKED} AS {ranked}", params)
        # The whole month: every report of the basis has one, rows or not, with its costs.
        submission = Submission._meta.db_table
        period = ReportingPeriod._meta.db_table
        costs = CostReport._meta.db_table
        where = f"s.status IN ({', '.join(['%s'] * len(statuses))})"
        where_params: list = list(statuses)
        if providers is not None:
            where += f" AND s.provider_id IN ({', '.join(['%s'] * len(providers))})"
            where_params += list(providers)
        totals = ", ".join(f"COALESCE(a.{name}, 0)" for name in ROW_MEASURES)
        cursor.execute(
            f"INSERT INTO {fact} (basis, provider_id, month, dimension, value, refreshed_at, "
            f"{row_columns}, costs, other_income, cost_reports) "
            f"SELECT %s, s.provider_id, p.month, '', '', %s, {totals}, "
            f"COALESCE({_cents('cr.staff_costs + cr.premises_costs + cr.other_costs')}, 0), "
            f"COALESCE({_cents('cr.other_income')}, 0), "
            "CASE WHEN cr.id IS NULL THEN 0 ELSE 1 END "
            f"FROM {submission} s JOIN {period} p ON p.id = s.period_id "
            f"LEFT JOIN {costs} cr ON cr.submission_id = s.id "
            f"LEFT JOIN (SELECT provider_id, month, {_named(MEASURE_SQL)} FROM {RANKED} "
            "GROUP BY provider_id, month) a ON a.provider_id = s.provider_id AND a.month = p.month "
            f"WHERE {where}",
            [basis, now, *where_params],
        )
        written += cursor.rowcount
        for dimension in DIMENSIONS:
            value = DIMENSION_SQL[dimension]
            cursor.execute(
                f"INSERT INTO {fact} (basis, provider_id, month, dimension, value, refreshed_at, "
                f"{row_columns}, costs, other_income, cost_reports) "
                f"SELECT %s, provider_id, month, %s, {value}, %s, {measures}, 0, 0, 0 "
                f"FROM {RANKED} GROUP BY provider_id, month, {value}",
                [basis, dimension, now],
            )
            written += cursor.rowcount
        cursor.execute(f"DROP TABLE {RANKED}")
    return written


def _named(measures: dict[str, str]) -> str:
    return ", ".join(f"{sql} AS {name}" for name, sql in measures.items())


# The monthly bulletin: queued as dispatches, sent by the worker, retried while mail fails.

# Seconds to wait before the next attempt after each failure; then the dispatch fails.
RETRY_DELAYS = (60, 5 * 60, 15 * 60, 60 * 60, 3 * 60 * 60)


def bulletins_queue(
    *,
    month: date,
    provider: Provider | None = None,
    actor: User | None = None,
    program: bool = True,
) -> list[Dispatch]:
    """Queue the bulletins of `month`: each provider's benchmark (of `provider` only, when
    given) to its staff, and the program-wide bulletin to the program's staff; return the
    dispatches queued by this call. A bulletin already queued or sent for the same person and
    month is left as it is (use dispatch_resend to send it again)."""
    month = month.replace(day=1)
    if actor is not None and not permissions.can_send_bulletins(actor):
        raise PermissionDenied
    reporting = Fact.objects.filter(basis=Basis.APPROVED, dimension="", month=month)
    if provider is not None:
        reporting = reporting.filter(provider=provider)
    provider_ids = set(reporting.values_list("provider_id", flat=True))
    readers = User.objects.filter(is_active=True).exclude(email="")
    wanted: list[tuple[str, Provider | None, User]] = [
        (Dispatch.Kind.PROVIDER, staff.provider, staff)
        for staff in readers.filter(role=Role.PROVIDER, provider_id__in=provider_ids)
        .select_related("provider")
        .order_by("provider_id", "pk")
    ]
    if program and provider is None:
        wanted += [
            (Dispatch.Kind.PROGRAM, None, staff)
            for staff in readers.filter(role__in=PROGRAM_STAFF).order_by("pk")
        ]
    queued = []
    with transaction.atomic():
        for kind, bulletin_provider, user in wanted:
            dispatch, created = Dispatch.objects.get_or_create(
                kind=kind,
                month=month,
                provider=bulletin_provider,
                email=user.email,
                resend_of=None,
                defaults={
                    "recipient": user,
                    "language": user.language or settings.LANGUAGE_CODE,
                    "requested_by": actor,
                },
            )
            if created:
                _dispatch_start(dispatch)
                queued.append(dispatch)
    return queued


def dispatch_resend(*, actor: User, dispatch: Dispatch) -> Dispatch:
    """Queue `dispatch`'s bulletin again for the same person, with today's figures."""
    if not permissions.can_send_bulletins(actor):
        raise PermissionDenied
    with transaction.atomic():
        again = Dispatch.objects.create(
            kind=dispatch.kind,
            month=dispatch.month,
            provider=dispatch.provider,
            recipient=dispatch.recipient,
            email=dispatch.email,
            language=dispatch.language,
            resend_of=dispatch,
            requested_by=actor,
        )
        _dispatch_start(again)
    return again


def _dispatch_start(dispatch: Dispatch) -> None:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    dispatch.message_id = make_msgid(f"bulletin-{dispatch.pk}", domain=domain)
    dispatch.save(update_fields=["message_id"])
    _dispatch_enqueue(dispatch.pk)


def _dispatch_enqueue(dispatch_id: int, when: datetime | None = None) -> None:
    """Hand the dispatch to the worker once the transaction that made it is committed."""
    from .tasks import dispatch_send_task

    def enqueue() -> None:
        task = dispatch_send_task if when is None else dispatch_send_task.using(run_after=when)
        task.enqueue(dispatch_id)

    transaction.on_commit(enqueue)


def dispatch_send(*, dispatch_id: int) -> str:
    """Send one queued bulletin; return its status afterwards.

    The dispatch is locked while it is sent, so two workers never send it both; a failure
    (the mail server is down) is recorded and the next attempt scheduled, until the last
    of RETRY_DELAYS, when the dispatch fails. A dispatch sent already is left alone.
    """
    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("provider")
            .filter(pk=dispatch_id)
            .first()
        )
        if dispatch is None:
            return "busy"  # another worker is sending it
        if dispatch.status != Dispatch.Status.QUEUED:
            return dispatch.status
        now = timezone.now()
        if dispatch.next_attempt_at > now:
            return dispatch.status  # too early: its retry is scheduled
        try:
            message, figures_as_of = _bulletin_message(dispatch)
            message.send()
        except Exception as error:  # any failure is recorded and retried
            dispatch.attempts += 1
            dispatch.last_error = f"{type(error).__name__}: {error}"[:2000]
            if dispatch.attempts > len(RETRY_DELAYS):
                dispatch.status = Dispatch.Status.FAILED
            else:
                delay = RETRY_DELAYS[dispatch.attempts - 1]
                dispatch.next_attempt_at = now + timedelta(seconds=delay)
                _dispatch_enqueue(dispatch.pk, dispatch.next_attempt_at)
        else:
            dispatch.attempts += 1
            dispatch.status = Dispatch.Status.SENT
            dispatch.sent_at = timezone.now()
            dispatch.figures_as_of = figures_as_of
            dispatch.last_error = ""
        dispatch.save()
        return dispatch.status


def dispatches_retry_due() -> int:
    """Hand every queued dispatch whose time has come to the worker again (for a worker that
    was down, or a queue that was emptied); return how many."""
    due = list(
        Dispatch.objects.filter(
            status=Dispatch.Status.QUEUED, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for dispatch_id in due:
            _dispatch_enqueue(dispatch_id)
    return len(due)


def _bulletin_message(dispatch: Dispatch) -> tuple[EmailMultiAlternatives, datetime | None]:
    """Return the e-mail of a dispatch (HTML body, plain text, the PDF attached)."""
    from . import bulletin

    if dispatch.kind == Dispatch.Kind.PROVIDER:
        assert dispatch.provider is not None
        content: bulletin.ProviderBulletin | bulletin.ProgramBulletin = bulletin.provider_bulletin(
            dispatch.provider, dispatch.month
        )
    else:
        content = bulletin.program_bulletin(dispatch.month)
    language = dispatch.language
    with translation.override(language):
        subject = bulletin.bulletin_subject(content)
        filename = bulletin.bulletin_filename(content)
    message = EmailMultiAlternatives(
        subject=subject,
        body=bulletin.bulletin_text(content, language),
        to=[dispatch.email],
        headers={"Message-ID": dispatch.message_id},
    )
    message.attach_alternative(bulletin.bulletin_html(content, language), "text/html")
    message.attach(filename, bulletin.bulletin_pdf(content, language), "application/pdf")
    return message, content.figures_as_of
