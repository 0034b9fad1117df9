"""National-scale data for benchmarks and load tests (`bdsmarket generate`).

A program of hundreds of providers and millions of deliveries, drawn from a seed: the same
seed and sizes give the same rows. Providers (and the cities and sectors they need, when
missing) are registered through registry.services; periods through period_get_or_create;
the submissions (approved) and cost reports are bulk-created; the deliveries take the fast
path, PostgreSQL's COPY or SQLite's executemany in large transactions, never the ORM row by
row. Rows are streamed in batches, so memory stays flat whatever the size.

The generated reports are approved but keep no approved-version snapshot (a copy of every
row as JSON would double the time and the database's size), and no reviewer: they are data
for measuring, not a program's history. A run interrupted halfway keeps the batches written
so far; generate again into a fresh database.
"""

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bdsmarket.core.db import statistics_refresh
from bdsmarket.core.demo.fake import NationalIds
from bdsmarket.core.events import publish
from bdsmarket.core.months import month_add
from bdsmarket.core.text import normalize_key
from bdsmarket.registry import services as registry
from bdsmarket.registry.demo import SECTORS
from bdsmarket.registry.models import (
    City,
    ClientType,
    Gender,
    LegalType,
    Program,
    Provider,
    ProviderStatus,
    ProviderStatusChange,
    Sector,
    ServiceType,
)

from . import events, rules, services, storing
from .models import (
    CostReport,
    ImportBatch,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
)

CODE_PREFIX = "GEN-"
LIMA = ZoneInfo("America/Lima")
# Department capitals, with a weight for how many providers and clients each has.
CITIES = [
    ("Lima", "Lima", 30), ("Arequipa", "Arequipa", 6), ("Trujillo", "La Libertad", 6),
    ("Chiclayo", "Lambayeque", 5), ("Piura", "Piura", 5), ("Cusco", "Cusco", 4),
    ("Huancayo", "Junín", 4), ("Iquitos", "Loreto", 3), ("Pucallpa", "Ucayali", 3),
    ("Tacna", "Tacna", 3), ("Ica", "Ica", 3), ("Cajamarca", "Cajamarca", 3),
    ("Puno", "Puno", 3), ("Ayacucho", "Ayacucho", 2), ("Huánuco", "Huánuco", 2),
    ("Chimbote", "Áncash", 2), ("Tarapoto", "San Martín", 2), ("Tumbes", "Tumbes", 1),
    ("Moquegua", "Moquegua", 1), ("Puerto Maldonado", "Madre de Dios", 1),
    ("Abancay", "Apurímac", 1), ("Huancavelica", "Huancavelica", 1),
    ("Chachapoyas", "Amazonas", 1), ("Cerro de Pasco", "Pasco", 1),
]  # fmt: skip
LEGAL_TYPES = [LegalType.NGO, LegalType.FIRM, LegalType.INDIVIDUAL, LegalType.INDIVIDUAL,
               LegalType.UNIVERSITY, LegalType.PUBLIC_INSTITUTE]  # fmt: skip
# (service type, service name, price in cents): weighted by repetition.
SERVICES = (
    [(ServiceType.TRAINING, "Taller de gestión", p) for p in (1500, 2000, 2500, 3000)] * 6
    + [(ServiceType.TRAINING, "Curso técnico especializado", p) for p in (4000, 5000, 6000)] * 4
    + [(ServiceType.TECHNICAL_ASSISTANCE, "Asistencia técnica", p) for p in (8000, 15000, 30000)]
    + [(ServiceType.INTERNET_ACCESS, "Acceso a internet", p) for p in (100, 150, 300)] * 2
    + [(ServiceType.INFORMATION, "Información de mercados", p) for p in (0, 500, 1000)]
    + [(ServiceType.MARKETING, "Ferias y ruedas de negocios", p) for p in (5000, 10000)]
    + [(ServiceType.BUSINESS_PLAN, "Plan de negocios", p) for p in (20000, 35000)]
)  # fmt: skip
CLIENT_TYPES = ([ClientType.MICRO] * 50 + [ClientType.PRE_ENTERPRISE] * 25
                + [ClientType.SMALL] * 18 + [ClientType.MEDIUM] * 3 + [ClientType.LARGE]
                + [ClientType.INSTITUTION] + [ClientType.PROFESSIONAL] * 2)  # fmt: skip
GENDERS = [Gender.FEMALE] * 48 + [Gender.MALE] * 47 + [Gender.MIXED] * 5
# Share of the price others than the client pay: most pay in full, some are subsidized.
SUBSIDIES = [0.0] * 60 + [0.25, 0.5, 0.75] * 8 + [1.0] * 16
SPONSOR = "Programa nacional de servicios empresariales"
# Each generated delivery is a tuple of these columns' values (money in cents).
DELIVERY_COLUMNS = storing.COLUMNS


@dataclass(frozen=True)
class GenerateResult:
    providers: int
    submissions: int
    deliveries: int
    cost_reports: int


@dataclass(frozen=True)
class _Client:
    client_id: str
    client_key: str
    client_type: str
    gender: str
    sector_id: int


def national_data_generate(
    *,
    providers: int,
    deliveries: int,
    seed: int = 1,
    batch: int = 50_000,
    first_month: date = date(2023, 1, 1),
    months: int = 24,
    progress: Callable[[str, float], None] = lambda label, fraction: None,
) -> GenerateResult:
    """Generate `providers` providers reporting `deliveries` deliveries over `months` months
    from `first_month`, all approved; return what was created.

    Raises ValidationError when the sizes are out of range or this database already holds
    generated providers (the generator fills a database once).
    """
    _check(providers=providers, deliveries=deliveries, batch=batch, months=months)
    if Provider.objects.filter(code__startswith=CODE_PREFIX).exists():
        raise ValidationError(
            _(
                "This database already has generated providers (codes starting with "
                "%(prefix)s): generate into an empty database or one without them."
            )
            % {"prefix": CODE_PREFIX}
        )
    rng = random.Random(f"generate:{seed}")
    first_month = first_month.replace(day=1)
    month_list = [month_add(first_month, n) for n in range(months)]
    stamp = datetime.combine(month_add(first_month, months), time(12), tzinfo=LIMA)
    with transaction.atomic():
        cities, city_weights = _cities()
        sectors = _sectors()
        created = _providers(rng, providers, cities, city_weights, first_month, stamp)
        periods = [services.period_get_or_create(month) for month in month_list]
        submissions = _submissions(created, periods, stamp)
        counts = _apportion(
            rng,
            deliveries,
            [size for size in (rng.lognormvariate(0, 0.8) for _p in created) for _m in periods],
        )
        costs = _cost_reports(rng, submissions, counts, stamp)
        import_batch = ImportBatch.objects.create(
            kind="deliveries",
            source=ImportBatch.Source.CLI,
            file_name=f"generate seed={seed}",
            rows=deliveries,
            created_at=stamp,
        )
    progress(_("deliveries"), 0.0)
    rows = _delivery_rows(rng, submissions, counts, sectors, import_batch.pk, seed)
    written = _deliveries_write(rows, deliveries, batch, progress)
    # The reports and periods went in by the thousand too: a plan that believes a handful
    # of approved reports loops over each of them (seconds per dashboard instead of ms).
    statistics_refresh(storing.TABLE, Submission._meta.db_table, ReportingPeriod._meta.db_table)
    progress(_("deliveries"), 1.0)
    # The reports went in approved without the workflow: the apps that keep figures from
    # approved reports take them once, now (the workflow has them report by report).
    progress(_("indicators"), 0.0)
    publish(
        events.DeliveriesStored(
            source=ImportBatch.Source.CLI,
            created=written,
            at=stamp,
            provider_ids=None,
            batch_id=import_batch.pk,
            reports_approved=True,
        )
    )
    progress(_("indicators"), 1.0)
    return GenerateResult(
        providers=len(created),
        submissions=len(submissions),
        deliveries=written,
        cost_reports=costs,
    )


def _check(*, providers: int, deliveries: int, batch: int, months: int) -> None:
    errors = {}
    if providers < 1:
        errors["providers"] = [_("Generate at least 1 provider.")]
    if deliveries < 0:
        errors["deliveries"] = [_("The number of deliveries cannot be negative.")]
    if batch < 1:
        errors["batch"] = [_("A batch holds at least 1 row.")]
    if not 1 <= months <= 600:
        errors["months"] = [_("Generate from 1 to 600 months.")]
    if errors:
        raise ValidationError(errors)


def _apportion(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainders)."""
    whole = sum(weights) or 1.0
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i], rng.random()))
    for i in order[len(order) - (total - sum(parts)) :]:
        parts[i] += 1
    return parts


def _cities() -> tuple[list[City], list[int]]:
    """Return the cities providers work in, creating the department capitals that are missing
    (and the program, with Lima as its capital, if there is none yet)."""
    if Program.current() is None:
        registry.program_configure(
            name="Programa nacional de servicios empresariales",
            currency="PEN",
            time_zone="America/Lima",
            capital_city="Lima",
            capital_region="Lima",
        )
    known = {city.name_key: city for city in City.objects.all()}
    cities, weights = [], []
    for name, region, weight in CITIES:
        city = known.get(normalize_key(name)) or registry.city_create(name=name, region=region)
        cities.append(city)
        weights.append(weight)
    return cities, weights


def _sectors() -> list[Sector]:
    """Return the program's sectors, creating the usual seven when it has none."""
    existing = list(Sector.objects.order_by("pk"))
    if existing:
        return existing
    return [
        registry.sector_create(
            code=code, name_en=en, name_es=es, isic_codes=isic, is_manufacturing=manufacturing
        )
        for code, en, es, isic, manufacturing, _weight in SECTORS
    ]


def _providers(
    rng: random.Random,
    count: int,
    cities: list[City],
    weights: list[int],
    first_month: date,
    stamp: datetime,
) -> list[Provider]:
    width = max(4, len(str(count)))
    since = first_month - timedelta(days=1)
    created = []
    for number in range(1, count + 1):
        city = rng.choices(cities, weights=weights)[0]
        created.append(
            registry.provider_create(
                actor=None,
                code=f"{CODE_PREFIX}{number:0{width}d}",
                name=f"Centro de Servicios Empresariales {city.name} {number}",
                legal_type=rng.choice(LEGAL_TYPES),
                city=city,
                status=ProviderStatus.ACTIVE,
                status_date=since,
                status_reason="Datos generados para pruebas de carga.",
                staff_count=rng.randint(2, 30),
                created_at=stamp,
            )
        )
    # The status log and the history record when they were written: give them the
    # generator's fixed moment, so that the same seed gives the same rows.
    ProviderStatusChange.objects.filter(provider__in=created).update(recorded_at=stamp)
    Provider.history.filter(code__startswith=CODE_PREFIX).update(history_date=stamp)  # type: ignore[attr-defined]
    return created


def _submissions(providers: list[Provider], periods: list, stamp: datetime) -> list[Submission]:
    """Create every provider's approved report for every period, provider by provider."""
    objects = []
    for provider in providers:
        for period in periods:
            submitted = datetime.combine(period.due_date - timedelta(days=2), time(12), LIMA)
            objects.append(
                Submission(
                    provider=provider,
                    period=period,
                    status=SubmissionStatus.APPROVED,
                    submitted_at=submitted,
                    reviewed_at=submitted + timedelta(days=5),
                )
            )
    return bulk_create_with_history(objects, Submission, batch_size=2000, default_date=stamp)


def _cost_reports(
    rng: random.Random, submissions: list[Submission], counts: list[int], stamp: datetime
) -> int:
    reports = []
    for submission, attentions in zip(submissions, counts, strict=True):
        staff = max(1, attentions // 150 + rng.randint(0, 2))
        reports.append(
            CostReport(
                provider_id=submission.provider_id,
                submission=submission,
                staff_costs=staff * rng.randint(900, 1800),
                premises_costs=rng.randint(200, 900),
                other_costs=rng.randint(100, 600),
                other_income=rng.choice([0, 0, 0, 500, 1500]),
                staff_count=staff,
            )
        )
    bulk_create_with_history(reports, CostReport, batch_size=2000, default_date=stamp)
    return len(reports)


def _client_pools(
    rng: random.Random, providers: list[Provider], sectors: list[Sector], size: int
) -> dict[int, list[_Client]]:
    """Return clients by city: national IDs most of them, keyed as every door keys them."""
    ids = NationalIds(rng)
    cities = sorted({provider.city_id for provider in providers})
    pools: dict[int, list[_Client]] = {city: [] for city in cities}
    for number in range(size):
        city = cities[number % len(cities)]
        client_type = rng.choice(CLIENT_TYPES)
        companies = (ClientType.SMALL, ClientType.MEDIUM, ClientType.LARGE, ClientType.INSTITUTION)
        client_id = ids.company_ruc() if client_type in companies else ids.dni()
        pools[city].append(
            _Client(
                client_id=client_id,
                client_key=rules.client_key("", client_id),
                client_type=client_type,
                gender=Gender.NA if client_type == ClientType.INSTITUTION else rng.choice(GENDERS),
                sector_id=rng.choice(sectors).pk,
            )
        )
    return pools


def _delivery_rows(
    rng: random.Random,
    submissions: list[Submission],
    counts: list[int],
    sectors: list[Sector],
    batch_id: int,
    seed: int,
) -> Iterator[tuple]:
    """Yield each delivery as a tuple of DELIVERY_COLUMNS' values (money in cents)."""
    total = sum(counts)
    providers: dict[int, Provider] = {}
    for submission in submissions:
        providers.setdefault(submission.provider_id, submission.provider)
    pools = _client_pools(rng, list(providers.values()), sectors, max(50, min(total // 4, 250_000)))
    # Pre-enterprises without a national ID: the provider's own client numbers.
    random_ = rng.random
    number = 0
    for submission, count in zip(submissions, counts, strict=True):
        provider = providers[submission.provider_id]
        pool = pools[provider.city_id]
        month = submission.period.month
        days = (month_add(month, 1) - month).days
        for _n in range(count):
            number += 1
            if random_() < 0.08:
                own = f"C-{int(random_() * 5000) + 1:05d}"
                client = _Client(
                    own,
                    rules.client_key(provider.code, own),
                    ClientType.PRE_ENTERPRISE,
                    GENDERS[int(random_() * len(GENDERS))],
                    sectors[0].pk,
                )
            else:
                client = pool[int(random_() * len(pool))]
            service_type, service_name, price = SERVICES[int(random_() * len(SERVICES))]
            share = SUBSIDIES[int(random_() * len(SUBSIDIES))]
            others = round(price * share)
            reference = f"G{seed}-{number}"
            yield (
                provider.pk,
                submission.pk,
                month + timedelta(days=int(random_() * days)),
                client.client_id,
                client.client_key,
                client.client_type,
                client.gender,
                client.sector_id,
                provider.city_id,
                service_type,
                service_name,
                1,
                price,
                price - others,
                0,
                "",
                others,
                SPONSOR if others else "",
                reference,
                rules.delivery_row_key(reference, (), 1),
                batch_id,
                None,
            )
    assert number == total


def _cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


_MONEY = [DELIVERY_COLUMNS.index(name) for name in ("price", "paid_by_client", "paid_by_voucher",
                                                     "paid_by_third_party")]  # fmt: skip


def _deliveries_write(
    rows: Iterator[tuple],
    total: int,
    batch: int,
    progress: Callable[[str, float], None],
) -> int:
    """Write the rows `batch` at a time, each batch in its own transaction; return how many."""
    write = (
        storing.deliveries_copy if connection.vendor == "postgresql" else storing.deliveries_insert
    )
    written = 0
    pending: list[list] = []
    for row in rows:
        values = list(row)
        for index in _MONEY:
            values[index] = _cents(values[index])
        pending.append(values)
        if len(pending) >= batch:
            with transaction.atomic():
                written += write(DELIVERY_COLUMNS, pending)
            pending = []
            progress(_("deliveries"), written / max(total, 1))
    if pending:
        with transaction.atomic():
            written += write(DELIVERY_COLUMNS, pending)
    return written
