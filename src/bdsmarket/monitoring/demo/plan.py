"""The plan of the monitoring demo: every delivery and cost report, drawn from a seed.

Pure computation (no database): `plan_draw` takes the centers as the registry has them and the
enterprises they registered, and returns the attentions with their clients, services, prices
and payers, and a cost report per center and month, all in cents. The figures it must meet
are the constants below, from the reference program's final report.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bdsmarket.core.demo.fake import NationalIds, weighted
from bdsmarket.core.months import month_end, months_between
from bdsmarket.core.text import normalize_key
from bdsmarket.registry.demo import SECTORS as REGISTRY_SECTORS
from bdsmarket.registry.models import ClientType, Gender, LegalType, ServiceType

FIRST_YEAR, LAST_YEAR = 1996, 2004
LAST_DAY = date(2004, 4, 30)  # the demo's today: April 2004 is the month being reported

# Attentions (repeat clients included) each center reported, by year from 1996 to 2004
# (January to April). Each city adds up to the final report's figure; 2003 adds up to 9,657
# (USD 270,399 of income at an average price of USD 28). A center reports only while it is
# in the program: the round-1 NGOs close between 1999 and 2001, the Trujillo firm leaves in
# March 2001, round 2 starts in June 1997, round 3 in October 1998.
ATTENTIONS: dict[str, tuple[int, ...]] = {
    #              1996 1997 1998 1999  2000 2001 2002  2003 2004
    "CDE-LIM-01": (240, 320, 300, 170, 0, 0, 0, 0, 0),
    "CDE-LIM-02": (230, 300, 320, 290, 110, 0, 0, 0, 0),
    "CDE-LIM-03": (210, 290, 320, 300, 270, 0, 0, 0, 0),
    "CDE-LIM-04": (160, 250, 300, 310, 340, 170, 0, 0, 0),
    "CDE-LIM-05": (110, 220, 300, 340, 560, 460, 540, 1400, 378),
    "SENATI-LIM": (0, 350, 500, 550, 800, 550, 550, 1700, 519),
    "SENATI-CIX": (0, 450, 650, 700, 1050, 700, 750, 2500, 675),
    "CDE-CIX-01": (0, 0, 60, 330, 560, 370, 400, 1100, 280),
    "CDE-CIX-02": (0, 0, 40, 170, 330, 250, 280, 640, 182),
    "CDE-TRU-01": (0, 80, 180, 210, 200, 40, 0, 0, 0),
    "CDE-TRU-02": (0, 0, 50, 280, 420, 330, 340, 950, 287),
    "CDE-HYO-01": (0, 120, 220, 220, 310, 205, 205, 430, 80),
    "CDE-HYO-02": (0, 0, 30, 100, 150, 110, 120, 150, 52),
    "CDE-AQP-01": (0, 80, 140, 140, 180, 140, 140, 140, 40),
    "CDE-AQP-02": (0, 0, 15, 40, 60, 50, 50, 60, 25),
    "SENATI-AQP": (0, 0, 0, 40, 85, 60, 60, 120, 43),
    "CDE-PIU-01": (0, 40, 80, 85, 110, 80, 75, 190, 64),
    "CDE-HCO-01": (0, 0, 30, 120, 160, 120, 110, 78, 0),
    "CDE-CJA-01": (0, 0, 10, 55, 85, 75, 75, 199, 56),
}  # fmt: skip

# The Huánuco center stopped sending its reports in August 2003, three months before the
# program suspended it.
REPORTED_UNTIL = {"CDE-HCO-01": date(2003, 7, 31)}

# Summer holidays (January, February) and Christmas are slow months.
SEASON = (0.7, 0.7, 1.0, 1.05, 1.1, 1.1, 1.0, 1.05, 1.1, 1.1, 1.05, 0.75)

T, TA = ServiceType.TRAINING, ServiceType.TECHNICAL_ASSISTANCE
INFO, MKT = ServiceType.INFORMATION, ServiceType.MARKETING
WEB, PLAN, OTHER = ServiceType.INTERNET_ACCESS, ServiceType.BUSINESS_PLAN, ServiceType.OTHER

# Services by year. Training stays at two thirds; technical assistance gives way to
# internet access from 2000 on. The 2003 figures are counts (6,500 training, 242 technical
# assistance), the others shares.
SERVICE_MIX: dict[int, dict[str, float]] = {
    1996: {T: 66, TA: 16, INFO: 8, MKT: 6, PLAN: 3, OTHER: 1},
    1997: {T: 66, TA: 15, INFO: 8, MKT: 7, PLAN: 3, OTHER: 1},
    1998: {T: 66, TA: 13, INFO: 9, MKT: 7, PLAN: 4, OTHER: 1},
    1999: {T: 66, TA: 11, INFO: 10, MKT: 8, PLAN: 4, OTHER: 1},
    2000: {T: 66, TA: 10, INFO: 10, MKT: 8, PLAN: 4, WEB: 1, OTHER: 1},
    2001: {T: 66, TA: 7, INFO: 9, MKT: 7, PLAN: 3, WEB: 7, OTHER: 1},
    2002: {T: 66, TA: 5, INFO: 7, MKT: 4, PLAN: 2, WEB: 15, OTHER: 1},
    2003: {T: 6500, TA: 242, WEB: 2150, INFO: 480, MKT: 170, PLAN: 80, OTHER: 35},
    2004: {T: 66, TA: 3, WEB: 23, INFO: 5, MKT: 2, PLAN: 1},
}

MICRO, PRE, SMALL = ClientType.MICRO, ClientType.PRE_ENTERPRISE, ClientType.SMALL
MEDIUM, LARGE = ClientType.MEDIUM, ClientType.LARGE
INSTITUTION, PROFESSIONAL = ClientType.INSTITUTION, ClientType.PROFESSIONAL

# Clients by year (shares of attentions): 80% micro- and pre-enterprises over the years,
# 18% small, 2% medium; pre-enterprises grow to 35% in 2003 (51% micro). Large firms,
# institutions and professionals are few, but institutions bring 42% of 2003's income.
_EARLY: dict[str, float] = {
    MICRO: 55, PRE: 18.5, SMALL: 23, MEDIUM: 2.2, LARGE: 0.5, INSTITUTION: 0.5, PROFESSIONAL: 0.3,
}  # fmt: skip
CLIENT_MIX: dict[int, dict[str, float]] = {
    **{year: _EARLY for year in range(1996, 2001)},
    2001: {MICRO: 55, PRE: 22, SMALL: 18.5, MEDIUM: 2.5, LARGE: 0.7, INSTITUTION: 0.6,
           PROFESSIONAL: 0.7},
    2002: {MICRO: 53, PRE: 27, SMALL: 16, MEDIUM: 2.2, LARGE: 0.6, INSTITUTION: 0.6,
           PROFESSIONAL: 0.6},
    2003: {MICRO: 51, PRE: 35, SMALL: 9.6, MEDIUM: 2.0, LARGE: 0.5, INSTITUTION: 0.6,
           PROFESSIONAL: 1.3},
    2004: {MICRO: 51, PRE: 35, SMALL: 9.6, MEDIUM: 2.0, LARGE: 0.5, INSTITUTION: 0.6,
           PROFESSIONAL: 1.3},
}  # fmt: skip

# Income (USD). 2003 by client type is the final report's table; 2000 is the reported total,
# of which the Trujillo firm brought 300,000. Other years follow the average price.
INCOME_2003: dict[str, int] = {MICRO: 56_603, SMALL: 23_280, MEDIUM: 11_862, LARGE: 23_605,
               INSTITUTION: 112_727, PROFESSIONAL: 2_318, PRE: 40_004}  # fmt: skip
INCOME_2000 = 662_488
AVERAGE_PRICE = {1996: 82, 1997: 78, 1998: 75, 1999: 71, 2001: 52, 2002: 40, 2004: 27}
LARGE_FIRM = "CDE-TRU-01"
LARGE_FIRM_INCOME = {1997: 10_000, 1998: 25_000, 1999: 30_000, 2000: 300_000, 2001: 12_000}
# 2003: 45% of income paid by the end users, 55% by others (institutions, projects).
END_USER_SHARE_2003 = Decimal("0.45")
# Who paid, by year: shares of attentions fully paid by the client, partly subsidized and
# fully subsidized (the 2000/01 survey: 28.5%, 30%, 42%).
PAYMENT_MODES = {
    **{year: (45, 30, 25) for year in range(1996, 1999)},
    **{year: (28.5, 30, 41.5) for year in range(1999, 2002)},
    2002: (50, 28, 22),
    2003: (66, 22, 12),
    2004: (66, 22, 12),
}
VOUCHER_YEARS = range(1999, 2002)  # BONOPYME: training for manufacturing enterprises
# Training got cheaper: shorter workshops, bigger groups, more competition.
TRAINING_LEVEL = {1996: 1.0, 1997: 0.98, 1998: 0.95, 1999: 0.9, 2000: 0.85, 2001: 0.7,
                  2002: 0.55, 2003: 0.38, 2004: 0.38}  # fmt: skip

# Repeat business: about one attention in five is a client's return to the same center;
# of the clients who bought again, 42% went back to the same center first. The rest of the
# clients who came back tried another center of their city (some of them 8% of attentions).
REPEAT_SHARE = 0.20
SAME_PROVIDER_SHARE = 0.42
SWITCH_SHARE = 0.08

# Centers whose income (subsidies included) covered their costs, by year.
COVERS_COSTS = {
    2002: ("CDE-LIM-05", "CDE-AQP-01", "CDE-CIX-01", "CDE-CJA-01", "SENATI-CIX"),
    2003: ("CDE-LIM-05", "CDE-AQP-01", "CDE-CIX-01", "CDE-CJA-01", "SENATI-CIX", "CDE-CIX-02"),
}

# Who commissioned group services (client type "institution"), and who paid subsidies.
INSTITUTIONS = [
    "Proyecto de Apoyo a la Pequeña y Microempresa (COSUDE)",
    "Programa de Desarrollo Rural (Unión Europea)",
    "Proyecto Sierra Productiva (GTZ)",
    "CARE Perú",
    "Cáritas del Perú",
    "Fondo de Contravalor Perú-Canadá",
    "Programa de Capacitación Laboral Juvenil",
    "Municipalidad Provincial de {city}",
    "Gobierno Regional de {city}",
    "Cámara de Comercio de {city}",
]
SPONSORS = [
    "FONDOEMPLEO",
    "Proyecto de Apoyo a la Pequeña y Microempresa (COSUDE)",
    "Municipalidad Provincial de {city}",
    "Programa Mujer Emprendedora",
    "Cámara de la Micro y Pequeña Empresa de {city}",
    "PROMPYME",
]
GENERIC_SERVICES: dict[str, str] = {
    T: "Taller de gestión para la microempresa",
    TA: "Asesoría a la medida",
    INFO: "Consulta de información comercial",
    MKT: "Apoyo en ferias y ruedas de negocios",
    WEB: "Acceso a internet (por hora)",
    PLAN: "Elaboración de plan de negocios",
    OTHER: "Trámites y servicios diversos",
}
# Prices (USD) of services a center does not list, from its catalogue otherwise.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    T: (15, 40), TA: (40, 200), INFO: (5, 20), MKT: (40, 150), WEB: (0.5, 1.5), PLAN: (150, 350),
    OTHER: (10, 50),
}  # fmt: skip
# How much more a client of each type is charged for the same kind of service.
CLIENT_PRICE: dict[str, float] = {
    MICRO: 1.0, PRE: 0.8, SMALL: 1.4, MEDIUM: 2.5, LARGE: 5.0, INSTITUTION: 1.0, PROFESSIONAL: 1.0,
}  # fmt: skip

# How likely each kind of center attends each type of client and sells each service.
PROVIDER_CLIENTS: dict[str, dict[str, float]] = {
    LARGE_FIRM: {SMALL: 3, MEDIUM: 6, LARGE: 12, INSTITUTION: 8, MICRO: 0.3, PRE: 0.1},
    "CDE-LIM-05": {INSTITUTION: 3, LARGE: 2, MEDIUM: 1.5},
    "CDE-CJA-01": {INSTITUTION: 4},
    "CDE-AQP-01": {INSTITUTION: 2},
    "CDE-CIX-01": {SMALL: 1.5, MEDIUM: 2, INSTITUTION: 2},
    "SENATI-LIM": {SMALL: 1.6, MEDIUM: 1.5, LARGE: 1.5},
    "SENATI-CIX": {SMALL: 1.6, MEDIUM: 1.5, LARGE: 1.5, INSTITUTION: 1.5},
    "SENATI-AQP": {SMALL: 1.6, MEDIUM: 1.5},
}
CLIENT_SERVICES: dict[str, dict[str, float]] = {
    INSTITUTION: {T: 5, TA: 3, MKT: 1, PLAN: 0.3},
    LARGE: {TA: 5, T: 1, MKT: 2, PLAN: 1, INFO: 0.3},
    MEDIUM: {TA: 3, T: 1, MKT: 1.5, PLAN: 1, INFO: 0.5},
    SMALL: {TA: 1.5, T: 1, MKT: 1.2, PLAN: 1, INFO: 1, WEB: 0.5},
    PROFESSIONAL: {WEB: 5, INFO: 2, T: 1, TA: 0.2},
    PRE: {T: 1.2, PLAN: 2, WEB: 1.2, INFO: 1, TA: 0.2, MKT: 0.3},
}
# The large firm sold consultancy, not internet hours.
LARGE_FIRM_SERVICES: dict[str, float] = {TA: 4, PLAN: 2, MKT: 2, WEB: 0.01}
# A client of these types keeps coming back more often than a micro-enterprise does.
LOYALTY: dict[str, int] = {INSTITUTION: 12, PROFESSIONAL: 4, LARGE: 3, MEDIUM: 2}

# The plan


@dataclass(slots=True)
class Client:
    client_id: str
    client_type: str
    gender: str
    sector: str  # code
    national: bool  # a valid DNI or RUC: the same client whichever center serves it
    name: str = ""  # institutions: who commissioned the service
    visits: int = 0
    last: date = date.min
    first_provider: str = ""


@dataclass(slots=True)
class Attention:
    """One planned delivery; amounts in cents."""

    provider: str
    day: date
    client: Client | None = None
    service_type: str = ""
    service_name: str = ""
    participants: int = 1
    price: int = 0
    voucher: int = 0
    third: int = 0
    voucher_code: str = ""
    third_party: str = ""

    @property
    def year(self) -> int:
        return self.day.year

    @property
    def month(self) -> date:
        return self.day.replace(day=1)


@dataclass(frozen=True)
class Center:
    """What the plan needs to know about a provider."""

    code: str
    city: str  # the city's name
    legal_type: str
    supported: bool  # chosen in a bidding round (receives the program's support)
    staff: int
    start: date
    end: date
    sectors: tuple[str, ...]
    catalogue: dict[str, list[tuple[str, float]]]  # service type -> (name, price)


@dataclass
class CostPlan:
    provider: str
    month: date
    staff_costs: int
    premises_costs: int
    other_costs: int
    other_income: int
    staff_count: int


@dataclass
class Plan:
    attentions: list[Attention]
    costs: list[CostPlan]


def plan_draw(
    rng: random.Random,
    centers: list[Center],
    enterprises: dict[tuple[str, str], list[Client]],
    ids: NationalIds,
) -> Plan:
    """Return the attentions and cost reports of the program, drawn from `rng` alone."""
    attentions = _schedule(rng, centers)
    by_code = {center.code: center for center in centers}
    _clients_assign(rng, attentions, by_code, enterprises, ids)
    _services_assign(rng, attentions, by_code)
    _prices_set(rng, attentions)
    _payers_set(rng, attentions, by_code)
    costs = _costs_plan(rng, attentions, centers)
    return Plan(attentions=attentions, costs=costs)


def _schedule(rng: random.Random, centers: list[Center]) -> list[Attention]:
    """Spread each center's yearly attentions over the days it was in the program."""
    attentions: list[Attention] = []
    for center in centers:
        for offset, count in enumerate(ATTENTIONS.get(center.code, ())):
            year = FIRST_YEAR + offset
            if not count:
                continue
            spans = []
            for month in months_between(max(center.start, date(year, 1, 1)), center.end):
                if month.year != year:
                    break
                first = max(month, center.start)
                last = min(month_end(month), center.end)
                share = ((last - first).days + 1) / ((month_end(month) - month).days + 1)
                spans.append((first, last, SEASON[month.month - 1] * share * rng.uniform(0.8, 1.2)))
            if not spans:
                raise ValueError(f"{center.code} has attentions in {year} but was not active")
            for (first, last, _weight), n in zip(
                spans, _apportion(rng, count, [w for *_days, w in spans]), strict=True
            ):
                days = [
                    first + timedelta(days=d)
                    for d in range((last - first).days + 1)
                    if _open_on(first + timedelta(days=d))
                ] or [first]
                attentions.extend(
                    Attention(provider=center.code, day=rng.choice(days)) for _ in range(n)
                )
    order = {center.code: position for position, center in enumerate(centers)}
    attentions.sort(key=lambda a: (a.day, order[a.provider]))
    return attentions


def _open_on(day: date) -> bool:
    """Whether centers work on `day`: not on Sundays, New Year's Day or Christmas."""
    return day.weekday() != 6 and (day.month, day.day) not in ((1, 1), (12, 25))


def _apportion(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainders, with
    ties and the last units drawn at random)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [math.floor(x) for x in exact]
    rest = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i], rng.random()))
    for i in order[len(order) - rest :]:
        parts[i] += 1
    return parts


def _clients_assign(
    rng: random.Random,
    attentions: list[Attention],
    centers: dict[str, Center],
    enterprises: dict[tuple[str, str], list[Client]],
    ids: NationalIds,
) -> None:
    """Give each attention a client: a new one, one coming back, or one trying another center.

    Processed in date order with feedback, so that whatever the seed about 20% of the
    attentions are repeats, and of the clients who bought again 42% did so first at the same
    center. A client never comes twice on one day, which keeps "first" and "second" clear.
    """
    once: dict[str, list[Client]] = defaultdict(list)  # one attention so far, at this center
    regulars: dict[str, list[Client]] = defaultdict(list)  # came back (to this center)
    city_once: dict[str, list[Client]] = defaultdict(list)  # one attention, with a national ID
    own_numbers: dict[str, int] = defaultdict(int)
    year_slots: dict[int, int] = defaultdict(int)
    for attention in attentions:
        year_slots[attention.year] += 1
    seen_in_year: dict[int, int] = defaultdict(int)
    types_in_year: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    repeats = same = switched = 0
    for number, attention in enumerate(attentions):
        center = centers[attention.provider]
        city = normalize_key(center.city)
        day = attention.day
        want_repeat = REPEAT_SHARE * (number + 1) - repeats
        want_switch = SWITCH_SHARE * (number + 1) - switched
        p_repeat = min(0.9, max(0.0, REPEAT_SHARE + 0.02 * want_repeat))
        p_switch = min(0.9, max(0.0, SWITCH_SHARE + 0.02 * want_switch))
        draw = rng.random()
        client = None
        if draw < p_repeat:
            first_return = same < SAME_PROVIDER_SHARE / (1 - SAME_PROVIDER_SHARE) * switched
            pools = [once, regulars] if first_return else [regulars, once]
            for pool in pools:
                client = _pick(rng, pool[center.code], day, pool is once, None)
                if client is not None:
                    break
            if client is not None:
                repeats += 1
                if client.visits == 1:
                    same += 1
                    regulars[center.code].append(client)
        elif draw < p_repeat + p_switch:
            client = _pick(rng, city_once[city], day, True, center.code)
            if client is not None:
                switched += 1
                regulars[center.code].append(client)
                regulars[client.first_provider].append(client)
        if client is None:
            client = _client_new(
                rng, center, attention.year, enterprises, ids, own_numbers,
                types_in_year[attention.year],
                seen_in_year[attention.year] / year_slots[attention.year],
                year_slots[attention.year],
            )  # fmt: skip
            client.first_provider = center.code
            once[center.code].append(client)
            if client.national:
                city_once[city].append(client)
        client.visits += 1
        client.last = day
        attention.client = client
        seen_in_year[attention.year] += 1
        types_in_year[attention.year][client.client_type] += 1


def _pick(
    rng: random.Random, pool: list[Client], day: date, first_visit_only: bool, not_at: str | None
) -> Client | None:
    """Draw a recent client from `pool` that may come on `day`; drop stale entries."""
    for _attempt in range(6):
        if not pool:
            return None
        index = len(pool) - 1 - min(len(pool) - 1, int(rng.expovariate(1 / 120)))
        client = pool[index]
        if first_visit_only and client.visits != 1:
            pool.pop(index)
            continue
        if client.last >= day or (not_at is not None and client.first_provider == not_at):
            continue
        if not first_visit_only and client.client_type not in LOYALTY:
            # Regular clients of the kinds that come back most are drawn more often.
            alternative = pool[len(pool) - 1 - min(len(pool) - 1, int(rng.expovariate(1 / 60)))]
            if alternative.client_type in LOYALTY and alternative.last < day:
                client = alternative
        return client
    return None


def _client_new(
    rng: random.Random,
    center: Center,
    year: int,
    enterprises: dict[tuple[str, str], list[Client]],
    ids: NationalIds,
    own_numbers: dict[str, int],
    types_so_far: dict[str, int],
    done: float,
    slots: int,
) -> Client:
    """Return a client that has not been attended yet, of the type the year's mix needs."""
    affinity = PROVIDER_CLIENTS.get(center.code, {})
    weights = []
    for client_type, share in CLIENT_MIX[year].items():
        expected = share / 100 * slots * done
        nudge = min(5.0, max(0.05, 1 + 0.05 * (expected - types_so_far[client_type])))
        weights.append((client_type, share * affinity.get(client_type, 1) * nudge))
    client_type = weighted(rng, weights)
    registered = enterprises.get((center.code, client_type))
    if registered and rng.random() < 0.6:
        return registered.pop(0)
    sector = _sector(rng, center)
    if client_type == INSTITUTION:
        name = rng.choice(INSTITUTIONS).format(city=center.city)
        return Client(ids.company_ruc(), client_type, Gender.NA, sector, True, name=name)
    if client_type in (PRE, PROFESSIONAL):
        gender = weighted(rng, [(Gender.FEMALE, 52), (Gender.MALE, 48)])
    elif client_type == MICRO:
        gender = weighted(rng, [(Gender.FEMALE, 48), (Gender.MALE, 47), (Gender.MIXED, 5)])
    else:
        gender = weighted(rng, [(Gender.MALE, 60), (Gender.FEMALE, 30), (Gender.MIXED, 10)])
    kind = weighted(rng, _ID_KINDS[client_type])
    if kind == "own":
        # No national ID: the center's own client number, meaningful only at that center.
        own_numbers[center.code] += 1
        return Client(f"C-{own_numbers[center.code]:05d}", client_type, gender, sector, False)
    national_id = {"dni": ids.dni, "person": ids.person_ruc, "company": ids.company_ruc}[kind]()
    return Client(national_id, client_type, gender, sector, True)


_ID_KINDS: dict[str, list[tuple[str, float]]] = {
    PRE: [("own", 55), ("dni", 45)],
    MICRO: [("own", 10), ("dni", 27), ("person", 50), ("company", 13)],
    PROFESSIONAL: [("dni", 30), ("person", 70)],
    SMALL: [("person", 15), ("company", 85)],
    MEDIUM: [("company", 100)],
    LARGE: [("company", 100)],
}
_SECTOR_WEIGHTS = [(code, weight) for code, *_names, weight in REGISTRY_SECTORS]


def _sector(rng: random.Random, center: Center) -> str:
    if center.sectors and rng.random() < 0.7:
        return rng.choice(center.sectors)
    return weighted(rng, _SECTOR_WEIGHTS)


def _services_assign(
    rng: random.Random, attentions: list[Attention], centers: dict[str, Center]
) -> None:
    """Choose each attention's service so that each year's mix is met exactly."""
    by_year: dict[int, list[Attention]] = defaultdict(list)
    for attention in attentions:
        by_year[attention.year].append(attention)
    for year, rows in by_year.items():
        mix = SERVICE_MIX[year]
        remaining = dict(zip(mix, _apportion(rng, len(rows), list(mix.values())), strict=True))
        for attention in rows:
            center = centers[attention.provider]
            client_type = attention.client.client_type  # type: ignore[union-attr]
            likes = CLIENT_SERVICES.get(client_type, {})
            options = []
            for service_type, left in remaining.items():
                if not left:
                    continue
                fit = likes.get(service_type, 0.01 if client_type in (INSTITUTION, LARGE) else 1)
                if service_type in center.catalogue:
                    fit *= 2
                if center.code == LARGE_FIRM:
                    fit *= LARGE_FIRM_SERVICES.get(service_type, 1)
                options.append((service_type, left * fit))
            service_type = weighted(rng, options)
            remaining[service_type] -= 1
            attention.service_type = service_type
            offers = center.catalogue.get(service_type)
            name, unit = (
                rng.choice(offers)
                if offers
                else (GENERIC_SERVICES[service_type], rng.uniform(*DEFAULT_PRICES[service_type]))
            )
            attention.service_name = name
            attention.participants = _participants(rng, service_type, client_type)
            attention.price = _base_price(rng, attention, unit, client_type)


def _participants(rng: random.Random, service_type: str, client_type: str) -> int:
    if service_type != T:
        return 1
    if client_type == INSTITUTION:
        return rng.randint(12, 35)  # a course for a project's beneficiaries
    if client_type in (MEDIUM, LARGE):
        return rng.randint(2, 10)  # in-company training
    return weighted(rng, [(1, 85), (2, 10), (3, 3), (4, 2)])


def _base_price(rng: random.Random, attention: Attention, unit: float, client_type: str) -> int:
    """Return the price in cents before the year's calibration."""
    service_type = attention.service_type
    value = unit * rng.uniform(0.8, 1.2)
    if service_type == T:
        value *= TRAINING_LEVEL[attention.year] * attention.participants
    elif service_type == WEB:
        value *= rng.randint(1, 5)  # hours
    elif service_type == INFO and rng.random() < 0.05:
        return 0  # a free first consultation
    else:
        value *= CLIENT_PRICE[client_type] * (5 if client_type == INSTITUTION else 1)
    if attention.provider == LARGE_FIRM:
        value *= 3
    return max(10, round(value * 100))


def _prices_set(rng: random.Random, attentions: list[Attention]) -> None:
    """Scale each year's prices to the reported income (2003: to each client type's income).

    Prices keep their shape within a group; rounding is to 10 cents below USD 10, to whole
    dollars above, and the last cents go to the group's dearest row so that totals are exact.
    """
    groups: dict[tuple[int, str], list[Attention]] = defaultdict(list)
    for attention in attentions:
        year = attention.year
        if year == 2003:
            key = attention.client.client_type  # type: ignore[union-attr]
        elif attention.provider == LARGE_FIRM:
            key = "large firm"
        else:
            key = "others"
        groups[(year, key)].append(attention)
    counts: dict[int, int] = defaultdict(int)
    for attention in attentions:
        counts[attention.year] += 1
    for (year, key), rows in groups.items():
        if year == 2003:
            target = INCOME_2003[key] * 100
        elif key == "large firm":
            target = LARGE_FIRM_INCOME[year] * 100
        else:
            total = INCOME_2000 if year == 2000 else AVERAGE_PRICE[year] * counts[year]
            target = (total - LARGE_FIRM_INCOME.get(year, 0)) * 100
        _scale(rows, target)


def _scale(rows: list[Attention], target: int) -> None:
    base = sum(row.price for row in rows)
    factor = target / base
    for row in rows:
        value = row.price * factor
        step = 10 if value < 1000 else 100 if value < 50_000 else 500
        row.price = round(value / step) * step
    dearest = max(rows, key=lambda row: row.price)
    dearest.price += target - sum(row.price for row in rows)


def _payers_set(
    rng: random.Random, attentions: list[Attention], centers: dict[str, Center]
) -> None:
    """Split each price between the client, a voucher and third parties.

    Institutions pay for their beneficiaries' services (a third party for the rows: the end
    users are the participants). Vouchers covered 20-80% of training for manufacturing
    enterprises from 1999 to 2001. In 2003 others than the end users paid 55% of income.
    """
    manufacturing = {"garments", "agroindustry", "footwear", "metalworking"}
    shares: list[tuple[Attention, float]] = []
    for attention in attentions:
        client = attention.client
        assert client is not None
        city = centers[attention.provider].city
        if attention.price == 0:
            continue
        if client.client_type == INSTITUTION:
            attention.third = attention.price
            attention.third_party = client.name
            continue
        mode = weighted(
            rng,
            list(
                zip(("paid", "partial", "subsidized"), PAYMENT_MODES[attention.year], strict=True)
            ),
        )
        if mode == "paid":
            share = 0.0
        elif mode == "partial":
            share = rng.uniform(0.2, 0.8)
        else:
            share = 1.0
        voucher = (
            mode == "partial"
            and attention.year in VOUCHER_YEARS
            and attention.service_type == T
            and client.client_type in (MICRO, SMALL)
            and client.sector in manufacturing
        )
        if voucher:
            attention.voucher_code = f"BP-{attention.year % 100:02d}-{rng.randint(1, 999_999):06d}"
        elif share:
            attention.third_party = rng.choice(SPONSORS).format(city=city)
        shares.append((attention, share))
    # 2003: scale the subsidies so that end users paid the reported 45% of income.
    rows_2003 = [(a, s) for a, s in shares if a.year == 2003]
    income_2003 = sum(a.price for a in attentions if a.year == 2003)
    institutions = sum(a.third for a in attentions if a.year == 2003)
    wanted = float(income_2003 * (1 - END_USER_SHARE_2003)) - institutions
    factor = 1.0
    for _round in range(8):
        got = sum(a.price * min(1.0, s * factor) for a, s in rows_2003)
        if got <= 0 or abs(got - wanted) < 1:
            break
        factor *= wanted / got
    for attention, share in shares:
        if attention.year == 2003:
            share = min(1.0, share * factor)
        paid_by_others = round(attention.price * share)
        if attention.voucher_code:
            attention.voucher = paid_by_others
            if not paid_by_others:
                attention.voucher_code = ""
        else:
            attention.third = paid_by_others
            if not paid_by_others:
                attention.third_party = ""


def _costs_plan(
    rng: random.Random, planned: list[Attention], centers: list[Center]
) -> list[CostPlan]:
    """Plan a cost report for every month a center reported.

    Costs pay the center's people (one to four, by its activity) and premises; they grow
    with its activity, so that (income + other income) / costs lands on a ratio drawn per
    year: at least 1.08 for the centers that covered their costs (COVERS_COSTS; other income
    such as rented rooms or grants makes up what services did not bring), below 0.9 for the
    others in 2002 and 2003.
    """
    income: dict[tuple[str, int], int] = defaultdict(int)
    attentions: dict[tuple[str, int], int] = defaultdict(int)
    for attention in planned:
        income[(attention.provider, attention.year)] += attention.price
        attentions[(attention.provider, attention.year)] += 1
    plans = []
    for center in centers:
        months = list(months_between(center.start, center.end))
        staff_share = rng.uniform(0.55, 0.7)
        premises_share = rng.uniform(0.1, 0.2)
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            in_year = [m for m in months if m.year == year]
            if not in_year:
                continue
            earned = income[(center.code, year)]
            # People in the services: one for every 150 attentions a year or so, up to four.
            yearly = attentions[(center.code, year)] * 12 / len(in_year)
            people = max(1, min(center.staff, round(yearly / 150) + 1, 4))
            support = _support(center, year) * len(in_year)
            floor = round(people * _salary(center, year) / staff_share) * len(in_year)
            covers = center.code in COVERS_COSTS.get(year, ())
            if covers:
                ratio = rng.uniform(1.08, 1.35)
            elif year in COVERS_COSTS:
                ratio = rng.uniform(0.45, 0.9)
            elif center.code == LARGE_FIRM:
                ratio = rng.uniform(0.95, 1.2)
            else:
                ratio = rng.uniform(0.4, 0.95)
            costs = max(floor, round((earned + support) / ratio))
            other = max(support, math.ceil(ratio * costs) - earned) if covers else support
            monthly_costs = _apportion(rng, costs, [rng.uniform(0.85, 1.15) for _m in in_year])
            monthly_other = _apportion(rng, other, [rng.uniform(0.8, 1.2) for _m in in_year])
            salary = _salary(center, year)
            for month, cost, extra in zip(in_year, monthly_costs, monthly_other, strict=True):
                staff = round(cost * staff_share)
                premises = round(cost * premises_share)
                plans.append(
                    CostPlan(
                        provider=center.code,
                        month=month,
                        staff_costs=staff,
                        premises_costs=premises,
                        other_costs=cost - staff - premises,
                        other_income=extra,
                        staff_count=max(1, round(staff / salary)),
                    )
                )
    return plans


def _support(center: Center, year: int) -> int:
    """Return the program's monthly support (cents) in `year`: stipends and incentives for
    the supported centers' first three years, tapering off."""
    if not center.supported:
        return 0
    age = year - center.start.year
    return {0: 90_000, 1: 70_000, 2: 45_000, 3: 20_000}.get(age, 0)


def _salary(center: Center, year: int) -> int:
    """Return a month's pay (cents) of one person at `center` in `year`."""
    base = 30_000 + 2_000 * (year - FIRST_YEAR)
    if center.legal_type in (LegalType.FIRM, LegalType.PUBLIC_INSTITUTE):
        return round(base * 1.6)
    return base
