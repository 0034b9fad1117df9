"""The incentives part of the demo: the support package of each of the sixteen selected
centers (about USD 50,000 each: co-financed investment in two tranches, incentives by
results, technical assistance, stipends for the third round's centers), its ledger, and the
incentives of 2003 and early 2004 under a scheme like the reference program's.

The story, as the program would have lived it:

- the scheme "Incentives by results" is adopted in December 2002, in force from January
  2003: 40% of what clients paid, declining with the center's program year, capped per
  month, per year and in total, paid on reports sent on time only; a bonus per attention to
  micro and pre-enterprises and per attention to women; penalties when the verification
  finds claimed figures the clients do not confirm. A second version, from January 2004,
  pays the income part only to centers whose clients cover 15% of their costs;
- each month's statements are computed once the month's reports are approved, approved on
  the 20th of the next month and paid by the bank on the 28th, through January 2004;
- CDE Chiclayo Emprende's June 2003 report is verified: two of the clients asked say they
  paid less than reported, and its statement keeps only part of each amount;
- in February 2004 the officer finds that a payment in one of CDE Chiclayo Emprende's
  reports of late 2003 came from the municipality, not the client; the report is amended
  and approved again, and the statement's new version claws back what was overpaid, in the
  next batch;
- February 2004's statements are approved and paid; March 2004's are computed and wait for
  the manager.

Services stamp the real clock; the demo replaces those stamps with its own dates
(`_restamp`), so that the same seed gives the same rows.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import Min
from django.utils.translation import gettext as _

from bdsmarket.core.demo.context import DemoContext, at_noon
from bdsmarket.core.models import Role, User
from bdsmarket.core.money import ZERO, money_round
from bdsmarket.core.months import month_add
from bdsmarket.monitoring import services as monitoring
from bdsmarket.monitoring.models import Submission, SubmissionStatus
from bdsmarket.monitoring.verification import verification_check_record, verification_sample_draw
from bdsmarket.registry.models import Provider, ProviderStatus

from . import services
from .models import Budget, Component, IncentiveScheme, Statement, SupportPackage
from .services import RuleInput

FIRST_MONTH = date(2003, 1, 1)
LAST_MONTH = date(2004, 3, 1)
LAST_PAID = date(2004, 2, 1)
VERIFIED = ("CDE-CIX-02", date(2003, 6, 1))
AMENDED = "CDE-CIX-02"  # one of its months of late 2003 whose income part was paid in full
AMENDED_ON = date(2004, 2, 9)
MUNICIPALITY = "Municipalidad Provincial de Chiclayo"

INVESTMENT_TRANCHE = Decimal("15000.00")
INCENTIVES_CEILING = Decimal("12000.00")
TECHNICAL_ASSISTANCE_HOURS = 300
STIPENDS = Decimal("6000.00")  # third round only: individuals setting up a center
BANKS = ["Banco de Crédito del Perú", "Interbank", "BBVA Banco Continental", "Banco de la Nación"]

INCOME_RULE = RuleInput(
    code="income",
    label="40 % de lo pagado por los clientes",
    base="paid_by_client",
    rate=Decimal("0.40"),
    # A center's sixth year and later earn half of the first's rate.
    year_factors=("1", "0.9", "0.8", "0.7", "0.6", "0.5"),
    cap_per_period=Decimal("400.00"),
    cap_per_year=Decimal("3000.00"),
    cap_total=INCENTIVES_CEILING,
    on_time_only=True,
)
MICRO_RULE = RuleInput(
    code="micro",
    label="1,00 por atención a una micro o preempresa",
    kind="bonus",
    base="micro_and_pre_attentions",
    amount_per_unit=Decimal("1.00"),
    cap_per_period=Decimal("100.00"),
)
WOMEN_RULE = RuleInput(
    code="women",
    label="1,50 por atención a una mujer",
    kind="bonus",
    base="women_attentions",
    amount_per_unit=Decimal("1.50"),
    cap_per_period=Decimal("100.00"),
)
PENALTY_BANDS = [
    (Decimal("0.10"), Decimal("0.75")),
    (Decimal("0.25"), Decimal("0.50")),
    (Decimal("0.50"), ZERO),  # claimed and verified differ by half or more: nothing
]


def load(context: DemoContext) -> None:
    """Open the selected centers' packages, adopt the scheme and live through its months."""
    context.progress(_("incentives"), 0.0)
    manager = _manager()
    officer = User.objects.get(username="officer")
    packages = _packages_open(context, manager)
    _schemes_adopt(context, manager)
    months = []
    month = FIRST_MONTH
    while month <= LAST_MONTH:
        months.append(month)
        month = month_add(month, 1)
    for position, month in enumerate(months):
        if month == VERIFIED[1]:
            _verification(context, officer)
        if month == month_add(AMENDED_ON.replace(day=1), -1):
            _amendment(context, officer, manager)
        _month_pay(context, month, officer, manager)
        context.progress(_("incentives"), (position + 1) / len(months))
    paid = Statement.objects.filter(status=Statement.Status.PAID).count()
    context.note(
        _(
            "incentives: %(packages)s support packages, %(statements)s statements "
            "(%(paid)s paid), one amended month clawed back"
        )
        % {
            "packages": len(packages),
            "statements": Statement.objects.count(),
            "paid": paid,
        }
    )


def _manager() -> User:
    """Return the program manager who adopts, approves and pays (the demo login's user)."""
    manager = User.objects.filter(username="manager").first()
    if manager is None:
        manager = User.objects.create(
            username="manager", role=Role.MANAGER, first_name="Rosa", last_name="Quispe"
        )
        manager.set_unusable_password()
        manager.save(update_fields=["password"])
    return manager


def _restamp(moment: datetime, context: DemoContext, labels=("incentives",)) -> None:
    """Put `moment` wherever a service of the apps `labels` stamped the real clock (any
    date-time after the demo's now)."""
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.DateTimeField):
                    model._default_manager.filter(**{f"{field.attname}__gt": context.now}).update(
                        **{field.attname: moment}
                    )


def _packages_open(context: DemoContext, manager: User) -> list[SupportPackage]:
    """The package of every selected center, with its commitments and what was paid."""
    selected = list(Provider.objects.filter(selection_round__isnull=False).order_by("code"))
    first_months = dict(
        Submission.objects.filter(provider__in=selected)
        .values("provider_id")
        .annotate(first=Min("period__month"))
        .values_list("provider_id", "first")
    )
    third_round = sum(1 for provider in selected if provider.selection_round == 3)
    Budget.objects.bulk_create(
        [
            Budget(component=Component.INVESTMENT, amount=INVESTMENT_TRANCHE * 2 * len(selected)),
            Budget(component=Component.INCENTIVES, amount=INCENTIVES_CEILING * len(selected)),
            Budget(
                component=Component.TECHNICAL_ASSISTANCE,
                amount=ZERO,
                hours=TECHNICAL_ASSISTANCE_HOURS * len(selected),
            ),
            Budget(component=Component.STIPENDS, amount=STIPENDS * third_round),
        ]
    )
    packages = []
    for provider in selected:
        starts = first_months[provider.pk]
        ended = provider.status in (ProviderStatus.CLOSED, ProviderStatus.EXITED)
        package = services.package_create(actor=manager, provider=provider, starts_on=starts)
        package.ends_on = provider.status_since if ended else None
        package.bank_name = context.rng.choice(BANKS)
        package.bank_account = "-".join(
            "".join(str(context.rng.randint(0, 9)) for _ in range(size)) for size in (3, 8, 2)
        )
        package.account_holder = provider.name
        package.save()
        _commitments(context, manager, package, starts, until=package.ends_on)
        packages.append(package)
    _restamp(context.now, context)
    return packages


def _commitments(
    context: DemoContext, manager: User, package: SupportPackage, starts: date, until: date | None
) -> None:
    """A package's four parts and the payments made against them up to `until`."""
    end = min(until or context.today, context.today)
    first = services.commitment_add(
        actor=manager, package=package, component=Component.INVESTMENT,
        label="Inversión, primer tramo", amount=INVESTMENT_TRANCHE, due_on=starts,
    )  # fmt: skip
    services.payment_record(
        actor=manager, package=package, component=Component.INVESTMENT,
        amount=INVESTMENT_TRANCHE, paid_on=starts, commitment=first,
    )  # fmt: skip
    second = services.commitment_add(
        actor=manager, package=package, component=Component.INVESTMENT,
        label="Inversión, segundo tramo", amount=INVESTMENT_TRANCHE,
        milestone="Doce informes mensuales aprobados",
    )  # fmt: skip
    met = month_add(starts, 13)
    if met <= end:
        services.milestone_met(actor=manager, commitment=second, on=met)
        services.payment_record(
            actor=manager, package=package, component=Component.INVESTMENT,
            amount=INVESTMENT_TRANCHE, paid_on=met + timedelta(days=14), commitment=second,
        )  # fmt: skip
    services.commitment_add(
        actor=manager, package=package, component=Component.INCENTIVES,
        label="Incentivos según resultados, como máximo", amount=INCENTIVES_CEILING,
    )  # fmt: skip
    advice = services.commitment_add(
        actor=manager, package=package, component=Component.TECHNICAL_ASSISTANCE,
        label="Asesoría en gestión, costos y servicios", hours=TECHNICAL_ASSISTANCE_HOURS,
    )  # fmt: skip
    year, delivered = starts, 0
    while year <= end and delivered < TECHNICAL_ASSISTANCE_HOURS:
        hours = min(context.rng.choice([40, 50, 60, 70]), TECHNICAL_ASSISTANCE_HOURS - delivered)
        services.payment_record(
            actor=manager, package=package, component=Component.TECHNICAL_ASSISTANCE,
            amount=ZERO, hours=hours, paid_on=month_add(year, 11), commitment=advice,
        )  # fmt: skip
        delivered += hours
        year = month_add(year, 12)
    if package.provider.selection_round == 3:
        stipend = services.commitment_add(
            actor=manager, package=package, component=Component.STIPENDS,
            label="Becas para el personal del centro, seis semestres", amount=STIPENDS,
        )  # fmt: skip
        for semester in range(6):
            paid_on = month_add(starts, 6 * semester)
            if paid_on > end:
                break
            services.payment_record(
                actor=manager, package=package, component=Component.STIPENDS,
                amount=STIPENDS / 6, paid_on=paid_on, commitment=stipend,
            )  # fmt: skip


def _schemes_adopt(context: DemoContext, manager: User) -> None:
    first = services.scheme_create(
        actor=manager,
        code="results",
        name="Incentivos por resultados",
        description=(
            "Lo que los centros ganan cada mes por lo que pagaron sus clientes y por llegar a "
            "microempresas y a mujeres."
        ),
        effective_from=FIRST_MONTH,
        rules_given=[INCOME_RULE, MICRO_RULE, WOMEN_RULE],
        penalty_bands=PENALTY_BANDS,
        penalty_measure="paid_by_client",
    )
    services.scheme_adopt(actor=manager, scheme=first)
    _restamp(at_noon(date(2002, 12, 16)), context)
    income = RuleInput(
        **{
            **INCOME_RULE.__dict__,
            "label": "40 % de lo pagado por los clientes, si cubren el 15 % de los costos",
            "threshold_indicator": "market_cost_recovery",
            "threshold_minimum": Decimal("0.15"),
        }
    )
    second = services.scheme_create(
        actor=manager,
        code="results",
        name="Incentivos por resultados",
        description=(
            "Desde 2004 la parte de ingresos se paga solo a los centros cuyos clientes cubren "
            "al menos el 15 % de sus costos."
        ),
        effective_from=date(2004, 1, 1),
        rules_given=[income, MICRO_RULE, WOMEN_RULE],
        penalty_bands=PENALTY_BANDS,
        penalty_measure="paid_by_client",
    )
    services.scheme_adopt(actor=manager, scheme=second)
    _restamp(at_noon(date(2003, 12, 10)), context)
    assert IncentiveScheme.objects.filter(status=IncentiveScheme.Status.ADOPTED).count() == 2


def _month_pay(context: DemoContext, month: date, officer: User, manager: User) -> None:
    """Compute a month's statements; approve and pay them unless the month is the last."""
    next_month = month_add(month, 1)
    computed_on = next_month.replace(day=18)
    services.statements_compute(actor=officer, month=month)
    _restamp(at_noon(computed_on), context)
    Statement.objects.filter(month=month, figures_as_of__gt=at_noon(computed_on)).update(
        figures_as_of=at_noon(computed_on)
    )
    if month > LAST_PAID:
        return
    waiting = Statement.objects.filter(status=Statement.Status.COMPUTED).order_by("month", "pk")
    for statement in waiting:
        services.statement_approve(actor=manager, statement=statement)
    _restamp(at_noon(next_month.replace(day=20)), context)
    batch = services.payment_batch_create(actor=manager)
    _restamp(at_noon(next_month.replace(day=21)), context)
    services.payment_batch_paid(
        actor=manager,
        batch=batch,
        paid_on=next_month.replace(day=28),
        reference=f"TRF-{next_month:%Y%m}",
    )
    _restamp(at_noon(next_month.replace(day=28)), context)


def _verification(context: DemoContext, officer: User) -> None:
    """The officer asks five clients of a month; two of them paid less than reported."""
    code, month = VERIFIED
    submission = Submission.objects.get(provider__code=code, period__month=month)
    sample = verification_sample_draw(
        actor=officer, submission=submission, size=5, seed=context.rng.getrandbits(62)
    )
    for position, check in enumerate(sample.checks.select_related("delivery").order_by("pk")):
        delivery = check.delivery
        less = position in (1, 3) and delivery.paid_by_client > 0
        verification_check_record(
            actor=officer,
            check=check,
            confirmed=True,
            verified_price=delivery.price,
            verified_paid_by_client=money_round(delivery.paid_by_client / 2) if less else None,
            note="La clienta dice que pagó la mitad." if less else "",
        )
    _restamp(at_noon(date(2003, 7, 15)), context, labels=("monitoring",))


def _amendment(context: DemoContext, officer: User, manager: User) -> None:
    """The municipality's payment typed as the client's: the report is amended."""
    paid_in_full = (
        Statement.objects.filter(
            provider__code=AMENDED,
            month__gte=date(2003, 9, 1),
            month__lte=date(2003, 12, 1),
            lines__rule__code="income",
            lines__reason="paid",
            lines__cap="",
            lines__amount__gt=0,
        )
        .order_by("month")
        .first()
    )
    assert paid_in_full is not None, "the demo's amendment needs a month paid in full"
    month = paid_in_full.month
    submission = Submission.objects.get(provider__code=AMENDED, period__month=month)
    assert submission.status == SubmissionStatus.APPROVED
    row = submission.deliveries.filter(paid_by_client__gt=0).order_by("-paid_by_client", "pk")[0]
    # The center corrects its own report once the officer has reopened it.
    staff = User.objects.filter(provider=submission.provider).order_by("pk").first() or officer
    monitoring.submission_amend(
        actor=officer,
        submission=submission,
        reason="Un curso pagado por la municipalidad se informó como pagado por el cliente.",
    )
    monitoring.delivery_update(
        actor=staff,
        delivery=row,
        changes={
            "paid_by_client": ZERO,
            "paid_by_third_party": row.paid_by_third_party + row.paid_by_client,
            "third_party": MUNICIPALITY,
        },
    )
    monitoring.submission_submit(actor=staff, submission=submission)
    for warning in submission.warnings.filter(
        version=submission.version, acknowledged_at__isnull=True
    ):
        monitoring.warning_acknowledge(actor=officer, warning=warning)
    monitoring.submission_approve(actor=officer, submission=submission)
    _restamp(at_noon(AMENDED_ON), context, labels=("monitoring", "indicators"))
    services.statements_compute(actor=officer, month=month, providers=[submission.provider])
    _restamp(at_noon(AMENDED_ON + timedelta(days=1)), context)
