"""The objects the permission matrix knocks on: for each of the two providers of the shared
cast, one of everything a page or an endpoint can name by its ID.

    provider_a / provider_b   each with a service in its catalogue, an enterprise its staff
                              registered, an import job its staff started, and three months:
        May 2003   approved, with a cost report; its incentive statement computed, approved
                   and paid in a batch of its own; its bulletin queued to its staff
        June 2003  submitted, with a warning on it and a verification sample of one check
        July 2003  a draft, with two delivery rows
    both          a support package with a milestone to meet
    the program   one adopted incentive scheme; an API token for every person of the cast
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from bdsmarket.core.models import ApiToken, ImportJob, Role, User
from bdsmarket.core.services import api_token_create, import_job_start
from bdsmarket.incentives import services as incentives
from bdsmarket.incentives.models import (
    Commitment,
    Component,
    IncentiveScheme,
    PaymentBatch,
    Statement,
    SupportPackage,
)
from bdsmarket.indicators.models import Dispatch
from bdsmarket.indicators.services import bulletins_queue
from bdsmarket.monitoring import services as monitoring
from bdsmarket.monitoring.models import (
    Delivery,
    Submission,
    ValidationRule,
    ValidationWarning,
    VerificationCheck,
)
from bdsmarket.monitoring.services import DeliveryInput
from bdsmarket.monitoring.verification import verification_sample_draw
from bdsmarket.monitoring.warning_checks import warnings_refresh
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import City, Enterprise, Provider, ProviderService, Sector
from tests.conftest import program_make, provider_a_make, provider_b_make, user_make

MAY, JUNE, JULY = date(2003, 5, 1), date(2003, 6, 1), date(2003, 7, 1)


@dataclass
class Side:
    """One provider's objects."""

    provider: Provider
    staff: User
    service: ProviderService
    enterprise: Enterprise
    import_job: ImportJob
    approved: Submission
    submitted: Submission
    draft: Submission
    delivery: Delivery
    warning: ValidationWarning
    check: VerificationCheck
    dispatch: Dispatch
    statement: Statement
    batch: PaymentBatch
    package: SupportPackage
    milestone: Commitment


@dataclass
class World:
    cast: dict[str, User]
    sides: dict[str, Side]
    scheme: IncentiveScheme
    keys: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)
    digest: str = ""


def _report(provider: Provider, month: date) -> Submission:
    return Submission.objects.get(provider=provider, period__month=month)


def delivery_row(provider: Provider, **values) -> DeliveryInput:
    """One valid delivery of `provider` (as tests/conftest.py's `delivery_row`)."""
    given = {
        "client_id": "44556677",
        "client_type": "micro",
        "client_gender": "female",
        "client_sector": Sector.objects.get(code="garments"),
        "client_city": City.objects.get(name="Lima"),
        "service_type": "training",
        "price": Decimal("30.00"),
        "paid_by_client": Decimal("30.00"),
    }
    return DeliveryInput(provider=provider, **{**given, **values})


def _side(provider, staff, officer, manager, code: str) -> dict:
    """Store and move through review one provider's months; return its objects so far."""
    service = registry.service_create(
        actor=staff, provider=provider, service_type="training", name="Costeo", price=10
    )
    enterprise = registry.enterprise_create(
        actor=staff, name=f"Cliente {code}", client_type="micro"
    )
    upload = SimpleUploadedFile(
        "clientes.csv", f"nombre,tipo_cliente\nRosa {code},Microempresa\n".encode()
    )
    job = import_job_start(actor=staff, kind="enterprises", upload=upload)
    rows = [
        delivery_row(provider, reference=f"{code}-5", date=date(2003, 5, 6)),
        delivery_row(provider, reference=f"{code}-6a", date=date(2003, 6, 6), client_id="C-6"),
        delivery_row(provider, reference=f"{code}-6b", date=date(2003, 6, 6), client_id="C-6"),
        delivery_row(provider, reference=f"{code}-7a", date=date(2003, 7, 7)),
        delivery_row(provider, reference=f"{code}-7b", date=date(2003, 7, 8), client_id="C-7"),
    ]
    monitoring.deliveries_store(actor=staff, rows=rows, source="api")
    monitoring.cost_report_store(
        actor=staff,
        report=monitoring.CostInput(
            provider=provider,
            month=MAY,
            staff_costs=Decimal("150.00"),
            premises_costs=Decimal("100.00"),
            other_costs=Decimal("0"),
            other_income=Decimal("0"),
        ),
    )
    approved, submitted, draft = (_report(provider, m) for m in (MAY, JUNE, JULY))
    monitoring.submission_submit(actor=staff, submission=approved)
    monitoring.submission_approve(actor=officer, submission=approved)
    monitoring.submission_submit(actor=staff, submission=submitted)
    rule = ValidationRule.objects.get(kind=ValidationRule.Kind.SAME_CLIENT_SAME_DAY)
    threshold, rule.threshold = rule.threshold, 0
    rule.save()
    warnings_refresh(submitted)
    rule.threshold = threshold
    rule.save()
    sample = verification_sample_draw(actor=officer, submission=submitted, size=1)
    package = incentives.package_create(actor=manager, provider=provider, starts_on=MAY)
    milestone = incentives.commitment_add(
        actor=manager,
        package=package,
        component=Component.INVESTMENT,
        label="Second tranche",
        amount=Decimal("7000.00"),
        milestone="Three courses a month",
    )
    return {
        "provider": provider,
        "staff": staff,
        "service": service,
        "enterprise": enterprise,
        "import_job": job,
        "approved": approved,
        "submitted": submitted,
        "draft": draft,
        "delivery": draft.deliveries.order_by("pk").first(),
        "warning": ValidationWarning.objects.filter(submission=submitted).first(),
        "check": sample.checks.order_by("pk").first(),
        "package": package,
        "milestone": milestone,
    }


def world_build() -> World:
    """Build the shared cast of tests/conftest.py and the world of the module's docstring."""
    program_make()
    provider_a, provider_b = provider_a_make(), provider_b_make()
    cast = {
        "manager": user_make("manager", Role.MANAGER),
        "officer": user_make("officer", Role.OFFICER),
        "evaluator": user_make("evaluator", Role.EVALUATOR),
        "auditor": user_make("auditor", Role.AUDITOR),
        "staff_a": user_make("staff_a", Role.PROVIDER, provider_a),
        "staff_b": user_make("staff_b", Role.PROVIDER, provider_b),
    }
    manager, officer = cast["manager"], cast["officer"]
    parts = {}
    for side, staff in (("a", cast["staff_a"]), ("b", cast["staff_b"])):
        assert staff.provider is not None
        parts[side] = _side(staff.provider, staff, officer, manager, side.upper())
    scheme = incentives.scheme_create(
        actor=manager,
        code="pic",
        name="Pago por resultados",
        effective_from=date(2003, 1, 1),
        rules_given=[
            incentives.RuleInput(
                code="paid", label="30%", base="paid_by_client", rate=Decimal("0.30")
            )
        ],
    )
    scheme = incentives.scheme_adopt(actor=manager, scheme=scheme)
    incentives.statements_compute(actor=officer, month=MAY)
    for part in parts.values():
        statement = Statement.objects.get(provider=part["provider"], month=MAY)
        statement = incentives.statement_approve(actor=manager, statement=statement)
        part["statement"] = statement
        part["batch"] = incentives.payment_batch_create(actor=manager, statements=[statement])
        (part["dispatch"],) = bulletins_queue(
            month=MAY, provider=part["provider"], actor=officer, program=False
        )
    world = World(cast=cast, sides={k: Side(**v) for k, v in parts.items()}, scheme=scheme)
    for name, user in cast.items():
        world.tokens[name], world.keys[name] = api_token_create(user=user, name="matrix")
    return world
