"""What the incentive pages show, read in a few queries: statements with the state of
their month's report, a statement's lines and versions, batches and packages with their
totals, and a simulation laid out side by side."""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from bdsmarket.core.db import MONEY_SUM
from bdsmarket.core.money import ZERO_AMOUNT
from bdsmarket.monitoring.models import Submission, SubmissionStatus
from bdsmarket.registry.models import Provider

from . import queries, wording
from .models import (
    Commitment,
    IncentiveScheme,
    Payment,
    PaymentBatch,
    Statement,
    StatementLine,
    SupportPackage,
)
from .simulation import Simulation


def statements_listed(statements: QuerySet[Statement]) -> QuerySet[Statement]:
    """Return `statements` with the state of their month's report: `report_status`, and
    `figures_changed` when the report was approved again after the statement was computed
    (computing again gives the new figures)."""
    report = Submission.objects.filter(
        provider=OuterRef("provider_id"), period__month=OuterRef("month")
    )
    return statements.annotate(
        report_status=Subquery(report.values("status")[:1]),
        report_reviewed_at=Subquery(report.values("reviewed_at")[:1]),
    ).annotate(
        figures_changed=Case(
            When(
                Q(report_status=SubmissionStatus.APPROVED)
                & Q(report_reviewed_at__gt=F("computed_at")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


@dataclass(frozen=True)
class Totals:
    count: int
    total: Decimal
    difference: Decimal
    ids: tuple[int, ...] = ()  # the statements counted, when asked for


def statements_totals(statements: QuerySet[Statement]) -> Totals:
    """Return how many `statements` there are and what they pay (their totals, and their
    differences: what paying them moves)."""
    found = statements.order_by().aggregate(
        count=Count("pk"), total=Sum("total"), difference=Sum("difference")
    )
    return Totals(found["count"], found["total"] or ZERO_AMOUNT, found["difference"] or ZERO_AMOUNT)


def _waiting(statements: QuerySet[Statement]) -> Totals:
    ids = tuple(statements.order_by("pk").values_list("pk", flat=True))
    return replace(statements_totals(statements), ids=ids)


def statements_waiting(statements: QuerySet[Statement]) -> dict[str, Totals]:
    """Return, among `statements`, the computed ones (to approve) and the approved ones not
    in a batch yet (to pay), each with the statements' IDs (what a button acts on is what
    the page showed)."""
    return {
        "computed": _waiting(statements.filter(status=Statement.Status.COMPUTED)),
        "approved": _waiting(
            statements.filter(status=Statement.Status.APPROVED, batch__isnull=True)
        ),
    }


def statements_for_file(statements: QuerySet[Statement]) -> list[Statement]:
    """Return `statements` as documents.statements_file writes them: by provider code and
    version, with their lines and rules."""
    return list(
        statements.select_related("provider", "scheme", "superseded_by")
        .prefetch_related("lines__rule")
        .order_by("provider__code", "version")
    )


@dataclass(frozen=True)
class LineView:
    """One line of a statement as its page shows it."""

    line: StatementLine
    base_name: str
    rows_url: str
    reason: str
    cap: str
    rule: str  # the rule in plain words


def statement_lines(statement: Statement) -> list[LineView]:
    """Return the statement's lines, each with the rows behind its base and its reason."""
    return [
        LineView(
            line,
            wording.base_name(line.rule.base),
            queries.line_rows_url(statement, line.rule.base)
            if line.rule.base in queries.BASES
            else "",
            wording.reason_text(line),
            wording.cap_name(line.cap) if line.cap else "",
            wording.rule_sentence(line.rule),
        )
        for line in statement.lines.select_related("rule").order_by("position")
    ]


def statement_versions(statement: Statement) -> list[Statement]:
    """Return every version of the statement's provider and month, the first first: what
    each gave, and what each added or clawed back."""
    return list(
        Statement.objects.filter(provider_id=statement.provider_id, month=statement.month)
        .select_related("scheme", "batch", "approved_by")
        .order_by("version")
    )


def statement_report(statement: Statement) -> Submission | None:
    """Return the report of the statement's provider and month (None when it is gone)."""
    return (
        Submission.objects.filter(provider_id=statement.provider_id, period__month=statement.month)
        .select_related("period")
        .first()
    )


def schemes_listed(schemes: QuerySet[IncentiveScheme]) -> QuerySet[IncentiveScheme]:
    """Return `schemes` by code and version (the latest first), each with its number of
    rules and of statements computed under it."""
    return schemes.annotate(
        rule_count=Count("rules", distinct=True),
        statement_count=Count("statements", distinct=True),
    ).order_by("code", "-version")


def batch_statements(batch: PaymentBatch) -> QuerySet[Statement]:
    """Return the statements of `batch`, by provider code and month."""
    return batch.statements.select_related("provider", "scheme").order_by(
        "provider__code", "month", "version"
    )


def batches_listed(batches: QuerySet[PaymentBatch]) -> QuerySet[PaymentBatch]:
    """Return `batches` with their number of statements and what they move in all."""
    return batches.annotate(
        statement_count=Count("statements"),
        amount=Coalesce(Sum("statements__difference"), Value(ZERO_AMOUNT), output_field=MONEY_SUM),
    )


def packages_listed(packages: QuerySet[SupportPackage]) -> QuerySet[SupportPackage]:
    """Return `packages` with what each has committed and paid, by provider code."""

    def total(model: Any) -> Any:
        rows = (
            model.objects.filter(package=OuterRef("pk"))
            .order_by()
            .values("package")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        return Coalesce(
            Subquery(rows, output_field=MONEY_SUM), Value(ZERO_AMOUNT), output_field=MONEY_SUM
        )

    return packages.annotate(committed=total(Commitment), paid=total(Payment)).order_by(
        "provider__code"
    )


@dataclass(frozen=True)
class CommitmentView:
    commitment: Commitment
    paid: Decimal
    hours_paid: int

    @property
    def balance(self) -> Decimal:
        return self.commitment.amount - self.paid

    @property
    def waits_for_milestone(self) -> bool:
        return bool(self.commitment.milestone) and self.commitment.milestone_met_on is None


def package_commitments(package: SupportPackage) -> list[CommitmentView]:
    """Return the package's commitments, by component and due date, with what was paid
    against each."""
    commitments = package.commitments.annotate(
        paid=Coalesce(Sum("payments__amount"), Value(ZERO_AMOUNT), output_field=MONEY_SUM),
        hours_paid=Coalesce(Sum("payments__hours"), Value(0)),
    )
    return [
        CommitmentView(commitment, commitment.paid, commitment.hours_paid)  # type: ignore[attr-defined]
        for commitment in commitments
    ]


def package_payments(package: SupportPackage) -> QuerySet[Payment]:
    """Return the package's ledger, the latest payment first."""
    return package.payments.select_related("commitment", "batch", "recorded_by")


def providers_without_package() -> QuerySet[Provider]:
    """Return the providers a support package may be opened for, by code."""
    return Provider.objects.filter(package__isnull=True).order_by("code")


# The simulator


@dataclass(frozen=True)
class SideBySide:
    """One row of a simulation: what each scheme pays, and the second's difference."""

    label: str
    amounts: list[Decimal | None]
    hint: str = ""

    @property
    def difference(self) -> Decimal | None:
        if len(self.amounts) < 2:
            return None
        first, second = self.amounts[0], self.amounts[1]
        return (second or ZERO_AMOUNT) - (first or ZERO_AMOUNT)


@dataclass(frozen=True)
class SimulationTables:
    simulation: Simulation
    schemes: list[IncentiveScheme]
    providers: list[SideBySide]
    months: list[SideBySide]
    rules: list[SideBySide]
    totals: SideBySide

    @property
    def scheme_totals(self) -> list[tuple[IncentiveScheme, Decimal | None]]:
        """Return each scheme with what it would have cost over the span."""
        return list(zip(self.schemes, self.totals.amounts, strict=True))


def simulation_tables(simulation: Simulation, month_label: Any) -> SimulationTables:
    """Return a simulation as the simulator's tables: by provider, by month and by rule,
    the schemes side by side. `month_label` writes a month."""
    runs = simulation.runs
    providers = [
        SideBySide(
            provider.code,
            [run.provider_total(provider.pk) for run in runs],
            provider.name,
        )
        for provider in simulation.providers
    ]
    months = [
        SideBySide(month_label(month), [run.month_total(month) for run in runs])
        for month in simulation.months
    ]
    labels: dict[str, str] = {}
    for run in runs:
        for rule in run.scheme.rules.all():
            labels.setdefault(rule.code, rule.label)
    by_rule = [
        SideBySide(label, [run.by_rule.get(code) for run in runs], code)
        for code, label in labels.items()
    ]
    return SimulationTables(
        simulation,
        [run.scheme for run in runs],
        providers,
        months,
        by_rule,
        SideBySide("", [run.total for run in runs]),
    )
