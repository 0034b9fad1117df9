"""Every write of incentives: schemes (checked, adopted, versioned), statements (computed
from approved reports, approved, paid in batches, superseded when the data changes), and
the support packages' ledger.

Services raise ValidationError (field → messages, in the active language) or
PermissionDenied; they run in a transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bdsmarket.core.audit import record_bulk_update, record_delete, record_save
from bdsmarket.core.clock import program_today
from bdsmarket.core.models import User
from bdsmarket.core.months import month_add
from bdsmarket.monitoring.models import Submission, SubmissionStatus
from bdsmarket.monitoring.verification import verification_summary
from bdsmarket.registry.models import Provider

from . import permissions, queries, rules
from .models import (
    Commitment,
    Component,
    IncentiveRule,
    IncentiveScheme,
    Payment,
    PaymentBatch,
    Statement,
    StatementLine,
    SupportPackage,
)

# Schemes


PROBLEM_MESSAGES = {
    "no_rules": lambda p: _("A scheme needs at least one rule."),
    "duplicate_code": lambda p: _("Two rules have this code."),
    "unknown_base": lambda p: _("“%(base)s” is none of the bases a rule may pay on.") % p,
    "base_not_count_for_rate": lambda p: (
        _(
            "“%(base)s” is a count: a rate applies to an amount; pay a count with an amount per "
            "unit."
        )
        % p
    ),
    "base_not_money_for_bonus": lambda p: (
        _(
            "“%(base)s” is an amount: an amount per unit applies to a count; pay an amount with "
            "a rate."
        )
        % p
    ),
    "rate_missing": lambda p: _("Give a rate or tiers."),
    "rate_and_tiers": lambda p: _("Give a rate or tiers, not both."),
    "rate_range": lambda p: _("%(value)s is not between 0 and 1.") % p,
    "amount_missing": lambda p: _("Give the amount paid per unit."),
    "negative": lambda p: _("This cannot be negative."),
    "tiers_overlap": lambda p: _("The tiers overlap at %(at)s.") % p,
    "tiers_gap": lambda p: _("The tiers leave a gap from %(from)s to %(to)s.") % p,
    "tiers_open_before_last": lambda p: _("Only the last tier may be open-ended."),
    "tiers_empty": lambda p: _("The tier from %(at)s ends where it begins.") % p,
    "unknown_indicator": lambda p: _("“%(indicator)s” is no indicator of a provider's month.") % p,
    "bands_order": lambda p: _("The penalty bands must go from the smallest gap up."),
}


def problem_message(problem: rules.Problem) -> str:
    """Return a scheme's problem in the active language."""
    return str(PROBLEM_MESSAGES[problem.code](problem.params))


def scheme_check(scheme: IncentiveScheme) -> None:
    """Raise ValidationError listing everything wrong with `scheme`, by rule and field."""
    problems = rules.scheme_problems(
        queries.scheme_spec(scheme), queries.base_units(), queries.threshold_indicators()
    )
    if problems:
        errors: dict[str, list[str]] = {}
        for problem in problems:
            key = f"{problem.rule}.{problem.field}" if problem.rule else problem.field
            errors.setdefault(key, []).append(problem_message(problem))
        raise ValidationError(errors)


@dataclass(frozen=True)
class RuleInput:
    """One rule as a door hands it over (the admin's form, a file, the demo)."""

    code: str
    label: str
    base: str
    kind: str = rules.Kind.RATE
    rate: Decimal | None = None
    tiers: tuple[dict[str, Any], ...] = ()
    amount_per_unit: Decimal | None = None
    base_floor: Decimal = Decimal(0)
    year_factors: tuple[str, ...] = ()
    cap_per_period: Decimal | None = None
    cap_per_year: Decimal | None = None
    cap_total: Decimal | None = None
    threshold_indicator: str = ""
    threshold_minimum: Decimal | None = None
    on_time_only: bool = False


@transaction.atomic
def scheme_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    effective_from: date,
    rules_given: Iterable[RuleInput],
    penalty_bands: Iterable[tuple[Decimal, Decimal]] = (),
    penalty_measure: str = rules.PenaltyMeasure.INCOME,
    unverified_keep: Decimal = Decimal(1),
    description: str = "",
) -> IncentiveScheme:
    """Create the next version of scheme `code` as a draft, its rules checked; raise
    ValidationError naming every problem (nothing is stored then)."""
    if actor is not None and not permissions.can_manage_schemes(actor):
        raise PermissionDenied
    latest = IncentiveScheme.objects.filter(code=code).order_by("-version").first()
    scheme = record_save(
        IncentiveScheme(
            code=code,
            version=(latest.version + 1) if latest else 1,
            name=name,
            description=description,
            effective_from=effective_from.replace(day=1),
            penalty_measure=penalty_measure,
            penalty_bands=[
                {"from_gap": str(gap), "keep": str(keep)} for gap, keep in penalty_bands
            ],
            unverified_keep=unverified_keep,
        ),
        actor=actor,
    )
    _rules_store(scheme, rules_given)
    scheme_check(scheme)
    return scheme


def _rules_store(scheme: IncentiveScheme, rules_given: Iterable[RuleInput]) -> None:
    """Store `rules_given` as the rules of `scheme`, in their order."""
    for position, rule in enumerate(rules_given, start=1):
        IncentiveRule.objects.create(
            scheme=scheme,
            position=position,
            code=rule.code,
            label=rule.label,
            kind=rule.kind,
            base=rule.base,
            rate=rule.rate,
            tiers=[
                {key: None if value is None else str(value) for key, value in tier.items()}
                for tier in rule.tiers
            ],
            amount_per_unit=rule.amount_per_unit,
            base_floor=rule.base_floor,
            year_factors=[str(factor) for factor in rule.year_factors],
            cap_per_period=rule.cap_per_period,
            cap_per_year=rule.cap_per_year,
            cap_total=rule.cap_total,
            threshold_indicator=rule.threshold_indicator,
            threshold_minimum=rule.threshold_minimum,
            on_time_only=rule.on_time_only,
        )


@transaction.atomic
def scheme_update(
    *,
    actor: User | None,
    scheme: IncentiveScheme,
    name: str,
    effective_from: date,
    rules_given: Iterable[RuleInput],
    penalty_bands: Iterable[tuple[Decimal, Decimal]] = (),
    penalty_measure: str = rules.PenaltyMeasure.INCOME,
    unverified_keep: Decimal = Decimal(1),
    description: str = "",
) -> IncentiveScheme:
    """Change a draft: its name, month, verification penalty and rules (given whole, in
    their order); raise ValidationError naming every problem (nothing is stored then). An
    adopted scheme never changes: a change is a new version (scheme_create)."""
    if actor is not None and not permissions.can_manage_schemes(actor):
        raise PermissionDenied
    scheme = IncentiveScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status != IncentiveScheme.Status.DRAFT:
        raise ValidationError(
            _("An adopted scheme never changes: make a new version from it instead.")
        )
    scheme.name, scheme.description = name, description
    scheme.effective_from = effective_from.replace(day=1)
    scheme.penalty_measure = penalty_measure
    scheme.penalty_bands = [
        {"from_gap": str(gap), "keep": str(keep)} for gap, keep in penalty_bands
    ]
    scheme.unverified_keep = unverified_keep
    record_save(scheme, actor=actor)
    scheme.rules.all().delete()
    _rules_store(scheme, rules_given)
    scheme_check(scheme)
    return scheme


@transaction.atomic
def scheme_adopt(*, actor: User | None, scheme: IncentiveScheme) -> IncentiveScheme:
    """Adopt a draft: from its month on, statements follow it; the version it replaces stays
    in force for the months before. An adopted scheme never changes again."""
    if actor is not None and not permissions.can_manage_schemes(actor):
        raise PermissionDenied
    if scheme.status != IncentiveScheme.Status.DRAFT:
        raise ValidationError(_("Only a draft can be adopted; make a new version to change it."))
    scheme_check(scheme)
    earlier = IncentiveScheme.objects.filter(
        code=scheme.code, status=IncentiveScheme.Status.ADOPTED, effective_to__isnull=True
    ).exclude(pk=scheme.pk)
    for previous in earlier:
        if previous.effective_from >= scheme.effective_from:
            raise ValidationError(
                {"effective_from": [_("A version in force from a later month is adopted already.")]}
            )
        previous.effective_to = month_add(scheme.effective_from, -1)
        record_save(previous, actor=actor, fields=["effective_to"])
    scheme.status = IncentiveScheme.Status.ADOPTED
    scheme.adopted_at, scheme.adopted_by = timezone.now(), actor
    record_save(scheme, actor=actor, fields=["status", "adopted_at", "adopted_by"])
    return scheme


# Statements


@dataclass(frozen=True)
class MonthFigures:
    """What one provider's month gives a scheme: the result and what it was computed from."""

    provider: Provider
    month: date
    result: rules.MonthResult
    program_year: int
    on_time: bool
    figures_as_of: Any


def month_figures(
    spec: rules.SchemeSpec,
    scheme_code: str,
    providers: list[Provider],
    month: date,
    *,
    earlier: dict[int, dict[str, tuple[Decimal, Decimal]]] | None = None,
) -> list[MonthFigures]:
    """Return the scheme applied to each provider's approved month (providers without one
    are left out), reading the bases through the indicator engine and the verification of
    the month's report. `earlier` gives what earlier months pay, by provider and rule code
    (this calendar year, in total); by default what the stored statements pay."""
    from bdsmarket.indicators.queries import _cut_off  # the facts' cut-off

    month = month.replace(day=1)
    submissions = {
        submission.provider_id: submission
        for submission in Submission.objects.approved()
        .filter(provider__in=providers, period__month=month)
        .select_related("period", "provider__package")
    }
    reporting = [provider for provider in providers if provider.pk in submissions]
    if not reporting:
        return []
    thresholds = {rule.threshold.indicator for rule in spec.rules if rule.threshold}
    figures = queries.figures_of(
        month,
        [p.pk for p in reporting],
        bases={rule.base for rule in spec.rules},
        indicators=thresholds,
    )
    on_time = _on_time(list(submissions.values()))
    cut_off = _cut_off(_approved_scope(month))
    found = []
    for provider in reporting:
        submission = submissions[provider.pk]
        starts = _support_start(provider, month)
        year = rules.program_year((starts.year, starts.month), (month.year, month.month))
        paid = (
            earlier.get(provider.pk, {})
            if earlier is not None
            else queries.paid_before(provider.pk, scheme_code, month)
        )
        inputs = {
            rule.code: rules.RuleInputs(
                base=figures[provider.pk].get(f"base:{rule.base}"),
                on_time=on_time[submission.pk],
                program_year=year,
                threshold_value=(
                    figures[provider.pk].get(f"indicator:{rule.threshold.indicator}")
                    if rule.threshold
                    else None
                ),
                paid_in_year=paid.get(rule.code, (Decimal(0), Decimal(0)))[0],
                paid_in_total=paid.get(rule.code, (Decimal(0), Decimal(0)))[1],
            )
            for rule in spec.rules
        }
        summary = verification_summary(submission)
        gap = rules.verification_gap(
            spec.penalty_measure,
            claimed_income=summary.claimed_income,
            verified_income=summary.verified_income,
            claimed_paid_by_client=summary.claimed_paid_by_client,
            verified_paid_by_client=summary.verified_paid_by_client,
            checked=summary.checked,
            discrepancies=summary.discrepancies,
        )
        found.append(
            MonthFigures(
                provider,
                month,
                rules.month_compute(spec, inputs, gap),
                year,
                on_time[submission.pk],
                cut_off,
            )
        )
    return found


def _approved_scope(month: date) -> Any:
    from bdsmarket.indicators.queries import Scope

    return Scope(month, month)


def _support_start(provider: Provider, month: date) -> date:
    """Return the month the provider's program years count from: its support package's
    start, else its first approved month."""
    package = getattr(provider, "package", None)
    if package is not None:
        return package.starts_on.replace(day=1)
    first = (
        Submission.objects.approved()
        .filter(provider=provider)
        .order_by("period__month")
        .values_list("period__month", flat=True)
        .first()
    )
    return first or month


def _on_time(submissions: list[Submission]) -> dict[int, bool]:
    """Return whether each report was first sent by its due date."""
    from bdsmarket.monitoring.page_queries import late_flags_set, submissions_with_figures

    annotated = submissions_with_figures(
        Submission.objects.filter(pk__in=[submission.pk for submission in submissions])
    )
    today = program_today()
    return {
        submission.pk: not submission.is_late  # type: ignore[attr-defined]
        for submission in late_flags_set(annotated, today)
    }


@dataclass
class ComputeResult:
    created: int = 0
    unchanged: int = 0
    superseded: int = 0


@transaction.atomic
def statements_compute(
    *, actor: User | None, month: date, providers: Iterable[Provider] | None = None
) -> ComputeResult:
    """Compute the incentive statements of `month` for every provider whose support
    package covers it (or `providers`, each of which must have one) under the scheme in
    force, and of every later month already computed for them (caps carry over from month
    to month). A provider without an approved report of the month gets no statement.

    A statement whose figures come out the same is left alone (computing again changes
    nothing); a computed one whose figures changed is replaced; an approved or paid one is
    superseded by a new version whose difference adds or claws back.
    """
    if actor is not None and not permissions.can_compute_statements(actor):
        raise PermissionDenied
    month = month.replace(day=1)
    supported = list(queries.supported_providers(month))
    chosen = supported
    if providers is not None:
        chosen = list(providers)
        outside = sorted(p.code for p in chosen if p not in supported)
        if outside:
            raise ValidationError(
                {
                    "providers": [
                        _("No support package covers %(month)s for %(codes)s.")
                        % {"month": f"{month:%Y-%m}", "codes": ", ".join(outside)}
                    ]
                }
            )
    result = ComputeResult()
    later = sorted(
        set(
            Statement.objects.current()
            .filter(provider__in=chosen, month__gt=month)
            .values_list("month", flat=True)
        )
    )
    for each in [month, *later]:
        scheme = queries.scheme_in_force(each)
        if scheme is None:
            if each == month:
                raise ValidationError(
                    _("No incentive scheme is in force in %(month)s.") % {"month": f"{each:%Y-%m}"}
                )
            continue
        spec = queries.scheme_spec(scheme)
        for figures in month_figures(spec, scheme.code, chosen, each):
            _statement_store(scheme, figures, result, actor=actor)
    return result


def _statement_store(
    scheme: IncentiveScheme, figures: MonthFigures, result: ComputeResult, *, actor: User | None
) -> None:
    current = (
        Statement.objects.current()
        .select_for_update()
        .filter(provider=figures.provider, month=figures.month)
        .first()
    )
    total = figures.result.total
    if current is not None and current.scheme_id == scheme.pk and _same(current, figures):
        result.unchanged += 1
        return
    rules_by_code = {rule.code: rule for rule in scheme.rules.all()}
    version, supersedes = 1, None
    if current is not None:
        if current.status in (Statement.Status.APPROVED, Statement.Status.PAID):
            current.status = Statement.Status.SUPERSEDED
            record_save(current, actor=actor, fields=["status"])
            version, supersedes = current.version + 1, current
            result.superseded += 1
        else:  # a computed statement is no one's word yet: it is computed again
            version, supersedes = current.version, current.supersedes
            record_delete(current, actor=actor)
    difference = total - _paid_for(figures.provider, figures.month)
    statement = record_save(
        Statement(
            provider=figures.provider,
            month=figures.month,
            scheme=scheme,
            version=version,
            total=total,
            difference=difference,
            verification_gap=figures.result.gap,
            penalty_keep=figures.result.keep,
            program_year=figures.program_year,
            on_time=figures.on_time,
            figures_as_of=figures.figures_as_of,
            supersedes=supersedes,
        ),
        actor=actor,
    )
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            rule=rules_by_code[line.code],
            position=position,
            base=line.base,
            counted=line.counted,
            gross=line.gross,
            year_factor=line.year_factor,
            penalty_keep=line.penalty_keep,
            before_caps=line.before_caps,
            cap=line.cap or "",
            amount=line.amount,
            reason=line.reason,
        )
        for position, line in enumerate(figures.result.lines, start=1)
    )
    result.created += 1


def _paid_for(provider: Provider, month: date) -> Decimal:
    """Return what the program has paid, or put in a payment batch, for a provider's month:
    a new version pays (or claws back) the difference."""
    sent = Statement.objects.filter(provider=provider, month=month, batch__isnull=False)
    return sum(sent.values_list("difference", flat=True), Decimal(0))


def _same(statement: Statement, figures: MonthFigures) -> bool:
    stored = list(statement.lines.order_by("position").values_list("rule__code", "amount", "base"))
    computed = [(line.code, line.amount, line.base) for line in figures.result.lines]
    return (
        statement.total == figures.result.total
        and [(code, amount) for code, amount, _base in stored]
        == [(code, amount) for code, amount, _base in computed]
        and all(
            (a is None and b is None) or (a is not None and b is not None and Decimal(a) == b)
            for (_c, _x, a), (_d, _y, b) in zip(stored, computed, strict=True)
        )
    )


@transaction.atomic
def statement_approve(*, actor: User, statement: Statement) -> Statement:
    """Approve a computed statement: from now on it is never edited, only superseded."""
    if not permissions.can_approve_statements(actor):
        raise PermissionDenied
    if statement.status != Statement.Status.COMPUTED:
        raise ValidationError(_("Only a computed statement can be approved."))
    submission = Submission.objects.filter(
        provider=statement.provider, period__month=statement.month
    ).first()
    if submission is None or submission.status != SubmissionStatus.APPROVED:
        raise ValidationError(
            _("The month's report is no longer approved: compute the statement again once it is.")
        )
    statement.status = Statement.Status.APPROVED
    statement.approved_at, statement.approved_by = timezone.now(), actor
    record_save(statement, actor=actor, fields=["status", "approved_at", "approved_by"])
    return statement


@transaction.atomic
def statements_approve(*, actor: User, statements: Iterable[Statement]) -> list[Statement]:
    """Approve several computed statements at once: all of them, or none when one cannot
    be (the error names it)."""
    if not permissions.can_approve_statements(actor):
        raise PermissionDenied
    approved = []
    for statement in statements:
        try:
            approved.append(statement_approve(actor=actor, statement=statement))
        except ValidationError as error:
            raise ValidationError(
                [f"{statement}: {message}" for message in error.messages]
            ) from error
    return approved


@transaction.atomic
def payment_batch_create(
    *, actor: User, statements: Iterable[Statement] | None = None
) -> PaymentBatch:
    """Gather the approved statements not yet in a batch (or `statements`) into a payment
    batch for the bank; raise ValidationError when there is none."""
    if not permissions.can_pay_statements(actor):
        raise PermissionDenied
    chosen = list(
        (
            Statement.objects.filter(status=Statement.Status.APPROVED, batch__isnull=True)
            if statements is None
            else Statement.objects.filter(pk__in=[s.pk for s in statements])
        ).select_for_update()
    )
    if not chosen or any(
        s.status != Statement.Status.APPROVED or s.batch_id is not None for s in chosen
    ):
        raise ValidationError(_("Only approved statements not in a batch yet can be paid."))
    batch = PaymentBatch.objects.create(created_by=actor)
    for statement in chosen:
        statement.batch = batch
    record_bulk_update(chosen, ["batch"], actor=actor)
    return batch


@transaction.atomic
def payment_batch_paid(
    *, actor: User, batch: PaymentBatch, paid_on: date, reference: str = ""
) -> list[Payment]:
    """Record that the bank paid `batch`: each statement paid, and in each provider's ledger
    the incentive payment (a claw-back is a negative payment)."""
    if not permissions.can_pay_statements(actor):
        raise PermissionDenied
    if batch.paid_on is not None:
        raise ValidationError(_("This batch is recorded as paid already."))
    payments = []
    for statement in batch.statements.select_related("provider").select_for_update(of=("self",)):
        package = _package_of(statement.provider, actor=actor)
        payment = record_save(
            Payment(
                package=package,
                component=Component.INCENTIVES,
                amount=statement.difference,
                paid_on=paid_on,
                reference=reference or f"{statement}",
                batch=batch,
                recorded_by=actor,
            ),
            actor=actor,
        )
        # A statement superseded while its batch was at the bank is paid all the same, and
        # stays superseded: its successor's difference counts this payment already.
        if statement.status == Statement.Status.APPROVED:
            statement.status = Statement.Status.PAID
        statement.payment = payment
        record_save(statement, actor=actor, fields=["status", "payment"])
        payments.append(payment)
    batch.paid_on, batch.reference = paid_on, reference
    batch.save(update_fields=["paid_on", "reference"])
    return payments


def _package_of(provider: Provider, *, actor: User) -> SupportPackage:
    """Return the provider's support package, opening one (by `actor`) from its first
    approved month if the program paid it incentives without one."""
    package = SupportPackage.objects.filter(provider=provider).first()
    if package is None:
        package = record_save(
            SupportPackage(provider=provider, starts_on=_support_start(provider, program_today())),
            actor=actor,
        )
    return package


# Support packages


@transaction.atomic
def package_create(
    *, actor: User | None, provider: Provider, starts_on: date, note: str = ""
) -> SupportPackage:
    """Open a support package for a selected provider."""
    if actor is not None and not permissions.can_manage_packages(actor):
        raise PermissionDenied
    if SupportPackage.objects.filter(provider=provider).exists():
        raise ValidationError({"provider": [_("This provider has a support package already.")]})
    return record_save(
        SupportPackage(provider=provider, starts_on=starts_on, note=note), actor=actor
    )


@transaction.atomic
def package_update(
    *,
    actor: User | None,
    package: SupportPackage,
    bank_name: str,
    bank_account: str,
    account_holder: str,
    ends_on: date | None = None,
    note: str = "",
) -> SupportPackage:
    """Change where a package's transfers go (the payment batches carry it to the bank),
    when its support ends, and its note."""
    if actor is not None and not permissions.can_manage_packages(actor):
        raise PermissionDenied
    if ends_on is not None and ends_on < package.starts_on:
        raise ValidationError({"ends_on": [_("The support cannot end before it starts.")]})
    package.bank_name, package.bank_account = bank_name, bank_account
    package.account_holder, package.ends_on, package.note = account_holder, ends_on, note
    record_save(
        package,
        actor=actor,
        fields=["bank_name", "bank_account", "account_holder", "ends_on", "note"],
    )
    return package


@transaction.atomic
def commitment_add(
    *,
    actor: User | None,
    package: SupportPackage,
    component: str,
    label: str,
    amount: Decimal = Decimal(0),
    hours: int | None = None,
    due_on: date | None = None,
    milestone: str = "",
) -> Commitment:
    """Commit an amount (or hours of technical assistance) of one component to a package."""
    if actor is not None and not permissions.can_manage_packages(actor):
        raise PermissionDenied
    if amount < 0 or (hours is not None and hours < 0):
        raise ValidationError({"amount": [_("This cannot be negative.")]})
    return record_save(
        Commitment(
            package=package,
            component=component,
            label=label,
            amount=amount,
            hours=hours,
            due_on=due_on,
            milestone=milestone,
        ),
        actor=actor,
    )


@transaction.atomic
def payment_record(
    *,
    actor: User | None,
    package: SupportPackage,
    component: str,
    amount: Decimal,
    paid_on: date,
    commitment: Commitment | None = None,
    hours: int | None = None,
    reference: str = "",
) -> Payment:
    """Record a payment (or hours delivered) against a package; an investment tranche tied
    to a milestone is paid only once the milestone is met, and no commitment is overpaid."""
    if actor is not None and not permissions.can_manage_packages(actor):
        raise PermissionDenied
    if component == Component.INCENTIVES:
        raise ValidationError(
            {"component": [_("Incentives are paid through the statements' payment batches.")]}
        )
    if commitment is not None:
        if commitment.package_id != package.pk or commitment.component != component:
            raise ValidationError(
                {"commitment": [_("The commitment is of another package or part.")]}
            )
        if commitment.milestone and commitment.milestone_met_on is None:
            raise ValidationError(
                {"commitment": [_("Its milestone is not met yet: record it first.")]}
            )
        paid = sum(commitment.payments.values_list("amount", flat=True), Decimal(0))
        if paid + amount > commitment.amount:
            raise ValidationError(
                {
                    "amount": [
                        _("This would pay %(over)s more than was committed.")
                        % {"over": paid + amount - commitment.amount}
                    ]
                }
            )
    return record_save(
        Payment(
            package=package,
            component=component,
            commitment=commitment,
            amount=amount,
            hours=hours,
            paid_on=paid_on,
            reference=reference,
            recorded_by=actor,
        ),
        actor=actor,
    )


@transaction.atomic
def milestone_met(*, actor: User | None, commitment: Commitment, on: date) -> Commitment:
    """Record that a commitment's milestone was met (its tranche may then be paid)."""
    if actor is not None and not permissions.can_manage_packages(actor):
        raise PermissionDenied
    if not commitment.milestone:
        raise ValidationError(_("This commitment has no milestone."))
    commitment.milestone_met_on = on
    record_save(commitment, actor=actor, fields=["milestone_met_on"])
    return commitment
