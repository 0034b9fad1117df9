"""Writing the monitoring demo's plan: rows, costs and reviews.

The thousand monthly reports approved without a story are stored in bulk, row for row as the
services would have stored them: each delivery is built by services.delivery_build (the code
deliveries_store runs), each cost report validated as cost_report_store validates it, each
submission saved with the three history entries of its life (created, submitted, approved)
and the approved version submission_approve keeps (services.delivery_snapshot). Through the
services, that would take a minute (each submission runs the warning checks over the
provider's history). The reports of STORIES then go through the real review workflow.

Services stamp the clock where people act (submitted, returned, approved); the demo replaces
those stamps with dates of its own (`_stamp`), so that the same seed gives the same rows.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bdsmarket.core.audit import record_as
from bdsmarket.core.demo.context import DemoContext, at_noon
from bdsmarket.core.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from bdsmarket.core.models import Role, User
from bdsmarket.core.months import month_end
from bdsmarket.core.services import user_create
from bdsmarket.registry.models import Enterprise, Provider, ProviderService, ProviderStatus, Sector

from .. import rules, services
from ..models import (
    ApprovedVersion,
    CostReport,
    Delivery,
    ImportBatch,
    MonitoringSettings,
    RowComment,
    Submission,
    SubmissionStatus,
    ValidationWarning,
)
from .plan import (
    FIRST_YEAR,
    INSTITUTION,
    LARGE,
    LAST_DAY,
    MICRO,
    PRE,
    REPORTED_UNTIL,
    Attention,
    Center,
    Client,
    Plan,
)


@dataclass(frozen=True)
class Story:
    """A report that went through the review workflow visibly (not a plain approval)."""

    provider: str
    month: date
    ending: str  # approved, amended, returned, resubmitted, submitted or draft
    error: str = ""  # the mistake the officer returned it for (ERRORS)


APRIL = date(2004, 4, 1)  # the month being reported when the demo stands (due 10 May)
STORIES = [
    Story("CDE-LIM-02", date(1998, 6, 1), "approved", "price"),
    Story("CDE-HYO-01", date(1999, 11, 1), "approved", "sponsor"),
    Story("CDE-TRU-02", date(2000, 8, 1), "approved", "client_type"),
    Story("CDE-CIX-02", date(2001, 5, 1), "approved", "price"),
    Story("CDE-AQP-01", date(2002, 3, 1), "approved", "sponsor"),
    Story("SENATI-CIX", date(2003, 6, 1), "approved", "client_type"),
    Story("SENATI-LIM", date(2003, 9, 1), "amended"),
    Story("CDE-CIX-02", date(2004, 3, 1), "returned", "price"),
    Story("CDE-TRU-02", date(2004, 3, 1), "returned", "client_type"),
    Story("CDE-HYO-01", date(2004, 3, 1), "resubmitted", "sponsor"),
    Story("SENATI-LIM", date(2004, 3, 1), "submitted"),
    Story("CDE-PIU-01", date(2004, 3, 1), "draft"),
    *[
        Story(code, APRIL, "submitted")
        for code in ("CDE-LIM-05", "SENATI-CIX", "CDE-CIX-01", "CDE-CJA-01")
    ],
]
# The other April reports are drafts, and these have no cost report yet.
COSTS_MISSING = {("SENATI-LIM", APRIL), ("CDE-HYO-02", APRIL), ("CDE-AQP-02", APRIL)}

# What the officer and the centers wrote (the demo's data is in the program's language).
REPORT_COMMENT = "Revise las filas comentadas y vuelva a enviar el reporte."
ERRORS = {
    "price": "El precio parece mal digitado (un cero de más): revise el monto cobrado.",
    "client_type": "¿Una gran empresa en un taller para microempresas? Revise el tipo de cliente.",
    "sponsor": "Hay un monto pagado por terceros sin decir quién pagó: indique el tercero.",
}
ACKNOWLEDGEMENT = "Confirmado con el centro por teléfono: el dato es correcto."
AMENDMENT_REASON = (
    "SENATI Lima informó que un curso de septiembre lo pagó un auspiciador y no el cliente, "
    "y que omitió la última atención del mes."
)


def demo_users() -> tuple[User, User]:
    """Return the officer who reviewed the reports and the staff login of CDE-CIX-02.

    They are the demo's own logins (core.demo.logins.DEMO_LOGINS), made here because they act
    in the reports' history; demo_logins_create finds them and gives them the password.
    """
    users = {}
    for login in DEMO_LOGINS:
        if login.role not in (Role.OFFICER, Role.PROVIDER):
            continue
        users[login.role] = User.objects.filter(username=login.username).first() or user_create(
            username=login.username,
            password=DEMO_PASSWORD,
            role=login.role,
            provider=Provider.objects.get(code=login.provider_code)
            if login.provider_code
            else None,
            email=f"{login.username}@example.org",
            first_name=login.first_name,
            last_name=login.last_name,
            check_password=False,
        )
    return users[Role.OFFICER], users[Role.PROVIDER]


def centers_read() -> list[Center]:
    """Return every provider that was in the program, with the days it reported (from its
    status history), its people, sectors and catalogue."""
    catalogue: dict[int, dict[str, list[tuple[str, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    sectors: dict[int, list[str]] = defaultdict(list)
    for service in ProviderService.objects.order_by("pk").prefetch_related("sectors"):
        catalogue[service.provider_id][service.service_type].append(
            (service.name, float(service.price))
        )
        for sector in service.sectors.all():
            if sector.code not in sectors[service.provider_id]:
                sectors[service.provider_id].append(sector.code)
    centers = []
    for provider in Provider.objects.select_related("city").order_by("code"):
        changes = list(provider.status_changes.order_by("date", "pk"))
        start = next((c.date for c in changes if c.status == ProviderStatus.ACTIVE), None)
        if start is None:
            continue
        ends = [c.date for c in changes if c.date > start and c.status != ProviderStatus.ACTIVE]
        centers.append(
            Center(
                code=provider.code,
                city=provider.city.name,
                legal_type=provider.legal_type,
                supported=provider.selection_round is not None,
                staff=provider.staff_count or 1,
                # Selected (or joined) on a day, serving clients from the next one.
                start=max(start + timedelta(days=1), date(FIRST_YEAR, 1, 1)),
                end=min([LAST_DAY, *ends, REPORTED_UNTIL.get(provider.code, LAST_DAY)]),
                sectors=tuple(sectors[provider.pk]),
                catalogue=dict(catalogue[provider.pk]),
            )
        )
    return centers


def registered_clients() -> dict[tuple[str, str], list[Client]]:
    """Return the enterprises with a national ID each center registered, by center and
    client type: the first clients of their type it attends."""
    pools: dict[tuple[str, str], list[Client]] = defaultdict(list)
    rows = (
        Enterprise.objects.filter(registered_by__isnull=False)
        .exclude(national_id="")
        .order_by("pk")
        .values_list(
            "registered_by__code", "client_type", "national_id", "owner_gender", "sector__code"
        )
    )
    for code, client_type, national_id, gender, sector in rows:
        pools[(code, client_type)].append(
            Client(national_id, client_type, gender, sector or "other", True)
        )
    return pools


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


class Loader:
    """Writes a plan: every month's report, then the stories' reviews."""

    def __init__(self, context: DemoContext, plan: Plan, officer: User, staff: User) -> None:
        self.context = context
        self.rng = context.rng
        self.officer = officer
        self.staff = staff
        self.providers = {p.code: p for p in Provider.objects.select_related("city")}
        self.sectors = {s.code: s for s in Sector.objects.all()}
        self.stories = {(story.provider, story.month): story for story in STORIES}
        self.attentions: dict[tuple[str, date], list[Attention]] = defaultdict(list)
        for attention in plan.attentions:
            self.attentions[(attention.provider, attention.month)].append(attention)
        self.costs = {(cost.provider, cost.month): cost for cost in plan.costs}
        # Every provider-month with rows or costs, in the order the reports came in.
        self.months = sorted(
            set(self.attentions) | set(self.costs), key=lambda key: (key[1], key[0])
        )
        self.plain = {key for key in self.months if key not in self.stories and key[1] < APRIL}
        self.due_day = MonitoringSettings.current().due_day
        self.entered: dict[tuple[str, date], datetime] = {}
        self.submissions: dict[tuple[str, date], Submission] = {}
        # Rows typed in wrongly, with their corrections and the officer's comment.
        self.mistakes: dict[tuple[str, date], list[tuple[Attention, dict, str]]] = {}
        self.amendment: tuple[Attention, dict, services.DeliveryInput] | None = None

    def entered_by(self, code: str) -> User:
        """Return who typed a center's reports in: its own staff where it has a login (the
        demo's provider login), otherwise the officer, from the paper forms of the time."""
        own = self.staff.provider is not None and self.staff.provider.code == code
        return self.staff if own else self.officer

    def delivery_input(self, attention: Attention) -> services.DeliveryInput:
        provider = self.providers[attention.provider]
        client = attention.client
        assert client is not None
        return services.DeliveryInput(
            provider=provider,
            date=attention.day,
            client_id=client.client_id,
            client_type=client.client_type,
            client_gender=client.gender,
            client_sector=self.sectors[client.sector],
            client_city=provider.city,
            service_type=attention.service_type,
            service_name=attention.service_name,
            participants=attention.participants,
            price=_cents(attention.price),
            paid_by_client=_cents(attention.price - attention.voucher - attention.third),
            paid_by_voucher=_cents(attention.voucher),
            voucher_code=attention.voucher_code,
            paid_by_third_party=_cents(attention.third),
            third_party=attention.third_party,
        )

    # Every month's report

    def store(self) -> None:
        """Store every month's report: rows, costs, and for the plain past months the
        approval, as the services would have stored them."""
        for key in self.months:
            self.entered[key] = self._entry_time(*key)
        self._submissions_create()
        self.context.progress(_("monitoring"), 0.3)
        deliveries = self._deliveries_create()
        self.context.progress(_("monitoring"), 0.6)
        costs = self._costs_create()
        self._approved_versions_create(deliveries, costs)
        self.context.progress(_("monitoring"), 0.8)

    def _entry_time(self, code: str, month: date) -> datetime:
        """Return when a month's report was typed in and sent: a few days before it was due
        (one in ten late), never after the demo's today."""
        due = rules.due_date(month, self.due_day)
        late = self.rng.random() < 0.1
        lag = self.rng.randint(1, 15) if late else self.rng.randint(-9, -1)
        day = min(max(due + timedelta(days=lag), month_end(month)), LAST_DAY)
        return at_noon(day)

    def _submissions_create(self) -> None:
        """Create every month's submission; the plain past ones approved, with the history
        of a report created, submitted and approved."""
        periods = {}
        for _code, month in self.months:
            if month not in periods:
                periods[month] = services.period_get_or_create(month)
        created = []
        for key in self.months:
            code, month = key
            submission = Submission(provider=self.providers[code], period=periods[month])
            if key in self.plain:
                submission.status = SubmissionStatus.APPROVED
                submission.submitted_at = self.entered[key]
                submission.submitted_by = self.entered_by(code)
                submission.reviewed_at = min(
                    self.entered[key] + timedelta(days=self.rng.randint(2, 12)), self.context.now
                )
                submission.reviewed_by = self.officer
            self.submissions[key] = submission
            created.append(submission)
        Submission.objects.bulk_create(created, batch_size=500)
        final = {s.pk: (s.status, s.submitted_at, s.submitted_by, s.reviewed_at) for s in created}
        history = Submission.history  # type: ignore[attr-defined]
        for submission in created:
            submission.status = SubmissionStatus.DRAFT
            submission.submitted_at = submission.submitted_by = submission.reviewed_at = None
            submission.reviewed_by = None
            record_as(submission, actor=self.entered_by(submission.provider.code))
            sent = final[submission.pk][1]
            # Each history entry is dated when the step happened, as if people had acted then.
            submission._history_date = (  # type: ignore[attr-defined]
                sent - timedelta(hours=1) if sent else self.context.now
            )
        history.bulk_history_create(created, default_date=self.context.now)
        approved = [self.submissions[key] for key in self.months if key in self.plain]
        for submission in approved:
            _status, submission.submitted_at, submission.submitted_by, _at = final[submission.pk]
            submission.status = SubmissionStatus.SUBMITTED
            submission._history_date = submission.submitted_at  # type: ignore[attr-defined]
        history.bulk_history_create(approved, update=True, default_date=self.context.now)
        for submission in approved:
            submission.status, _at, _by, submission.reviewed_at = final[submission.pk]
            submission.reviewed_by = self.officer
            record_as(submission, actor=self.officer)
            submission._history_date = submission.reviewed_at  # type: ignore[attr-defined]
        history.bulk_history_create(approved, update=True, default_date=self.context.now)
        for submission in created:
            del submission._history_date  # type: ignore[attr-defined]  # the stories stamp their own

    def _deliveries_create(self) -> list[Delivery]:
        """Store each month's rows as one import, built as deliveries_store builds them."""
        batches = {}
        inputs = {}
        for key in self.months:
            code, _month = key
            rows = [self.delivery_input(a) for a in self.attentions.get(key, [])]
            story = self.stories.get(key)
            if story and story.error:
                rows = self._with_mistakes(key, rows, story.error)
            if story and story.ending == "amended":
                rows = self._without_forgotten(key, rows)
            if rows:
                inputs[key] = rows
                batches[key] = ImportBatch(
                    kind="deliveries",
                    source=ImportBatch.Source.DEMO,
                    rows=len(rows),
                    created_by=self.entered_by(code),
                    created_at=self.entered[key],
                )
        ImportBatch.objects.bulk_create(list(batches.values()), batch_size=500)
        deliveries = []
        for key, rows in inputs.items():
            occurrences: Counter[tuple] = Counter()
            for row in rows:
                fingerprint = row.fingerprint()
                occurrences[fingerprint] += 1
                deliveries.append(
                    services.delivery_build(
                        row,
                        submission=self.submissions[key],
                        batch=batches[key],
                        occurrence=occurrences[fingerprint],
                        fingerprint=fingerprint,
                    )
                )
        return Delivery.objects.bulk_create(deliveries, batch_size=1000)

    def _costs_create(self) -> dict[int, CostReport]:
        """Store the cost reports, each validated as cost_report_store validates it."""
        reports = []
        for key in self.months:
            cost = self.costs.get(key)
            if cost is None or key in COSTS_MISSING:
                continue
            report = CostReport(
                provider=self.providers[cost.provider],
                submission=self.submissions[key],
                staff_costs=_cents(cost.staff_costs),
                premises_costs=_cents(cost.premises_costs),
                other_costs=_cents(cost.other_costs),
                other_income=_cents(cost.other_income),
                staff_count=cost.staff_count,
            )
            report.full_clean(exclude=["submission", "provider"])
            record_as(report, actor=self.entered_by(cost.provider))
            reports.append(report)
        stored = bulk_create_with_history(
            reports, CostReport, batch_size=500, default_date=self.context.now
        )
        return {report.submission_id: report for report in stored}

    def _approved_versions_create(
        self, deliveries: list[Delivery], costs: dict[int, CostReport]
    ) -> None:
        """Keep what was approved of each plain month, as submission_approve does."""
        if deliveries and deliveries[0].pk is None:  # a database that returns no new keys
            deliveries = list(Delivery.objects.order_by("pk"))
        rows: dict[int, list[dict]] = defaultdict(list)
        for delivery in sorted(deliveries, key=lambda d: d.pk):
            rows[delivery.submission_id].append(services.delivery_snapshot(delivery))
        versions = []
        for key in self.months:
            if key not in self.plain:
                continue
            submission = self.submissions[key]
            versions.append(
                ApprovedVersion(
                    submission=submission,
                    number=submission.version,
                    approved_by=self.officer,
                    approved_at=submission.reviewed_at or self.context.now,
                    deliveries=rows[submission.pk],
                    cost_report=_cost_snapshot(costs.get(submission.pk)),
                )
            )
        ApprovedVersion.objects.bulk_create(versions, batch_size=100)

    def _with_mistakes(
        self, key: tuple[str, date], rows: list[services.DeliveryInput], error: str
    ) -> list[services.DeliveryInput]:
        """Type one or two rows in wrongly, as the officer will return them for; keep the
        corrections (the planned values) for later."""
        attentions = self.attentions[key]
        fits: dict[str, Callable[[Attention], bool]] = {
            "price": _typo_fits,
            "client_type": lambda a: a.client is not None and a.client.client_type in (MICRO, PRE),
            "sponsor": lambda a: (
                a.third > 0 and a.client is not None and a.client.client_type != INSTITUTION
            ),
        }
        candidates = [i for i, a in enumerate(attentions) if fits[error](a)]
        if not candidates:
            error = "price"
            candidates = [i for i, a in enumerate(attentions) if _typo_fits(a)]
        count = min(1 if error == "client_type" else 2, len(candidates))
        mistakes = []
        for index in sorted(self.rng.sample(candidates, count)):
            row = rows[index]
            fix: dict
            if error == "price":  # a zero too many
                fix = {
                    "price": row.price,
                    "paid_by_client": row.paid_by_client,
                    "paid_by_voucher": row.paid_by_voucher,
                    "paid_by_third_party": row.paid_by_third_party,
                }
                row.price, row.paid_by_client = row.price * 10, row.paid_by_client * 10
                row.paid_by_voucher, row.paid_by_third_party = (
                    row.paid_by_voucher * 10,
                    row.paid_by_third_party * 10,
                )
            elif error == "client_type":
                fix = {"client_type": row.client_type}
                row.client_type = LARGE
            else:
                fix = {"third_party": row.third_party}
                row.third_party = ""
            mistakes.append((attentions[index], fix, ERRORS[error]))
        self.mistakes[key] = mistakes
        return rows

    def _without_forgotten(
        self, key: tuple[str, date], rows: list[services.DeliveryInput]
    ) -> list[services.DeliveryInput]:
        """Leave out the row the amendment adds, and type a sponsored row in as paid by the
        client, as the first approved version had them."""
        attentions = self.attentions[key]
        forgotten = max(range(len(attentions)), key=lambda i: (attentions[i].day, i))
        sponsored = next(
            i
            for i, a in enumerate(attentions)
            if a.third and a.client and a.client.client_type != INSTITUTION and i != forgotten
        )
        row = rows[sponsored]
        fix = {
            "paid_by_client": row.paid_by_client,
            "paid_by_third_party": row.paid_by_third_party,
            "third_party": row.third_party,
        }
        self.amendment = (attentions[sponsored], fix, rows[forgotten])
        row.paid_by_client += row.paid_by_third_party
        row.paid_by_third_party, row.third_party = Decimal(0), ""
        return [row for i, row in enumerate(rows) if i != forgotten]

    # The stories, through the review workflow

    def tell_stories(self) -> None:
        """Take the reports of STORIES through the services, in date order."""
        for story in sorted(STORIES, key=lambda s: (s.month, s.provider)):
            key = (story.provider, story.month)
            submission = self.submissions[key]
            moment = self.entered[key]
            if story.ending == "draft":
                continue
            if story.ending == "amended":
                self._amend(submission, moment)
                continue
            self._submit(submission, moment)
            if not story.error:
                continue
            moment += timedelta(days=3)
            self._return(submission, moment)
            if story.ending == "returned":
                continue
            moment += timedelta(days=4)
            for attention, fix, _comment in self.mistakes[key]:
                services.delivery_update(
                    actor=self.entered_by(story.provider),
                    delivery=self._stored(submission, attention),
                    changes=fix,
                )
            self._submit(submission, moment)
            if story.ending == "approved":
                self._approve(submission, moment + timedelta(days=3))

    def _stored(self, submission: Submission, attention: Attention) -> Delivery:
        """Return the stored row of a planned attention (a client comes once a day at most)."""
        assert attention.client is not None
        return submission.deliveries.get(date=attention.day, client_id=attention.client.client_id)

    def _submit(self, submission: Submission, moment: datetime) -> None:
        actor = self.entered_by(submission.provider.code)
        services.submission_submit(actor=actor, submission=submission)
        _stamp(submission, submitted_at=min(moment, self.context.now))

    def _return(self, submission: Submission, moment: datetime) -> None:
        moment = min(moment, self.context.now)
        key = (submission.provider.code, submission.period.month)
        comments = {
            self._stored(submission, attention).pk: comment
            for attention, _fix, comment in self.mistakes[key]
        }
        services.submission_return(
            actor=self.officer, submission=submission, comment=REPORT_COMMENT, row_comments=comments
        )
        _stamp(submission, reviewed_at=moment)
        RowComment.objects.filter(submission=submission, version=submission.version).update(
            created_at=moment
        )

    def _approve(self, submission: Submission, moment: datetime) -> None:
        """Acknowledge the report's warnings (the officer checked them) and approve it."""
        moment = min(moment, self.context.now)
        warnings = ValidationWarning.objects.filter(
            submission=submission, version=submission.version, acknowledged_at__isnull=True
        )
        for warning in warnings.order_by("pk"):
            services.warning_acknowledge(actor=self.officer, warning=warning, note=ACKNOWLEDGEMENT)
        ValidationWarning.objects.filter(
            submission=submission, version=submission.version, acknowledged_by__isnull=False
        ).update(acknowledged_at=moment)
        services.submission_approve(actor=self.officer, submission=submission)
        _stamp(submission, reviewed_at=moment)
        ApprovedVersion.objects.filter(submission=submission, number=submission.version).update(
            approved_at=moment
        )

    def _amend(self, submission: Submission, moment: datetime) -> None:
        """Approve; reopen with a reason; correct one row and add the forgotten one; approve
        again. The two approved versions differ by those two rows."""
        self._submit(submission, moment)
        self._approve(submission, moment + timedelta(days=5))
        reopened = at_noon(submission.period.due_date + timedelta(days=52))
        code = submission.provider.code
        services.submission_amend(
            actor=self.officer, submission=submission, reason=AMENDMENT_REASON
        )
        assert self.amendment is not None
        attention, fix, forgotten = self.amendment
        services.delivery_update(
            actor=self.entered_by(code), delivery=self._stored(submission, attention), changes=fix
        )
        result = services.deliveries_store(
            actor=self.entered_by(code), rows=[forgotten], source=ImportBatch.Source.DEMO
        )
        newest = result.batch or ImportBatch.objects.order_by("-pk").first()
        assert newest is not None
        ImportBatch.objects.filter(pk=newest.pk).update(created_at=reopened)
        self._submit(submission, reopened + timedelta(days=1))
        self._approve(submission, reopened + timedelta(days=4))


def _typo_fits(attention: Attention) -> bool:
    """Whether a row can take a zero too many: a modest price, paid by an enterprise."""
    client = attention.client
    return 0 < attention.price < 100_00 and client is not None and client.client_type != INSTITUTION


def _stamp(submission: Submission, **moments: datetime) -> None:
    """Put the demo's dates where a service has just stamped the clock: on the submission
    and on its newest history entry."""
    for name, value in moments.items():
        setattr(submission, name, value)
    Submission.objects.filter(pk=submission.pk).update(**moments)
    latest = submission.history.order_by("-history_id").values_list("history_id", flat=True)[:1]  # type: ignore[attr-defined]
    submission.history.model.objects.filter(history_id__in=list(latest)).update(**moments)  # type: ignore[attr-defined]


def _cost_snapshot(report: CostReport | None) -> dict | None:
    """Return a cost report as submission_approve keeps it."""
    if report is None:
        return None
    return {name: str(getattr(report, name)) for name in services.COST_FIELDS}
