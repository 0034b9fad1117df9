"""The registry's part of the demo: the reference program of Peru, 1994-2004.

The program, its eight cities, seven sectors and the size classes of two laws; the nineteen
business development centers of the monitoring system (sixteen chosen in three bidding
rounds, three SENATI centers that joined without support) with their status histories and
catalogues; a few thousand client enterprises; and thirty-five business organizations.
The figures follow the program's final report (see src/bdsmarket/demo/README.md).
Every row is written through registry.services, which validates it as any other door would,
except the enterprises: those are validated the same way and inserted in batches.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bdsmarket.core.demo.context import DemoContext, at_noon
from bdsmarket.core.demo.fake import NationalIds, amount, date_between, person_name, phone, weighted
from bdsmarket.core.text import normalize_key

from . import services
from .models import (
    City,
    ClientType,
    Enterprise,
    Gender,
    LegalType,
    OrganizationKind,
    Provider,
    ProviderStatus,
    ProviderStatusChange,
    Sector,
    ServiceType,
)
from .queries import size_bounds

PROGRAM_NAME = "Programa DESIDE de Desarrollo de Servicios Empresariales"

# City, region, and the attentions its centers reported from 1996 to April 2004 (repeat
# clients included): the enterprises are spread over the cities in these proportions.
CITIES = [
    ("Lima", "Lima", 15_027),
    ("Chiclayo", "Lambayeque", 12_467),
    ("Trujillo", "La Libertad", 3_367),
    ("Huancayo", "Junín", 2_502),
    ("Arequipa", "Arequipa", 1_708),
    ("Piura", "Piura", 724),
    ("Huánuco", "Huánuco", 618),
    ("Cajamarca", "Cajamarca", 555),
]

# code, English, Spanish, ISIC rev.3 (CIIU) codes, manufacturing, weight among clients
SECTORS = [
    ("garments", "Garments", "Confecciones", "18", True, 30),
    ("services", "Services", "Servicios", "55,60,63,64,72,74,85,93", False, 22),
    ("commerce", "Commerce", "Comercio", "50,51,52", False, 18),
    ("agroindustry", "Agroindustry", "Agroindustria", "15", True, 10),
    ("footwear", "Footwear", "Calzado", "19", True, 8),
    ("metalworking", "Metalworking", "Metalmecánica", "28,29", True, 7),
    ("other", "Other activities", "Otras actividades", "01,02,05,45", False, 5),
]

# Ley 28015 (3 July 2003) set the bounds in UIT (tax units). In USD, at the 2003 UIT of
# S/ 3,100 and about S/ 3.48 per USD: 150 UIT ≈ USD 133,600 and 850 UIT ≈ USD 757,200.
# The program applied the new table to the whole of 2003 so that a year's figures are
# classed by one table; the old one ends on 31 December 2002.
OLD_LAW = "Definiciones legales vigentes hasta 2002 (usadas por el monitoreo del programa)"
NEW_LAW = (
    "Ley 28015 (julio de 2003): {limit}; convertido con 1 UIT = S/ 3,100 (2003) "
    "y S/ 3.48 por USD; aplicado por el programa desde el 1 de enero de 2003"
)
SIZE_CLASSES = [
    ("micro", "Micro-enterprise", "Microempresa", 1, 10, "60000", date(1994, 1, 1),
     date(2002, 12, 31), OLD_LAW),
    ("small", "Small enterprise", "Pequeña empresa", 2, 50, "750000", date(1994, 1, 1),
     date(2002, 12, 31), OLD_LAW),
    ("micro", "Micro-enterprise", "Microempresa", 1, 10, "133600", date(2003, 1, 1), None,
     NEW_LAW.format(limit="hasta 10 trabajadores y ventas anuales hasta 150 UIT")),
    ("small", "Small enterprise", "Pequeña empresa", 2, 50, "757200", date(2003, 1, 1), None,
     NEW_LAW.format(limit="hasta 50 trabajadores y ventas anuales hasta 850 UIT")),
]  # fmt: skip


@dataclass(frozen=True)
class Round:
    number: int
    applied: date
    selected: date
    ordinal: str  # as the reasons say it


ROUNDS = {
    1: Round(1, date(1995, 9, 29), date(1995, 12, 15), "primer"),
    2: Round(2, date(1997, 3, 14), date(1997, 5, 30), "segundo"),
    3: Round(3, date(1998, 7, 31), date(1998, 10, 15), "tercer"),
}


@dataclass(frozen=True)
class Fate:
    """How a center left the active list: its status, the date and the reason."""

    status: str
    on: date
    reason: str


@dataclass(frozen=True)
class Center:
    code: str
    name: str
    legal_type: str
    city: str
    round: int | None
    staff: int
    sectors: tuple[str, ...]  # the sectors it works with most
    description: str
    joined: date | None = None  # SENATI: when it joined the monitoring without support
    fate: Fate | None = None
    catalogue_size: tuple[int, int] = (3, 5)

    @property
    def active_from(self) -> date:
        return self.joined or ROUNDS[self.round or 0].selected

    def serves_on(self, day: date) -> bool:
        """Return True when the center was in the program on `day` (a suspended one still was)."""
        ended = self.fate.on if self.fate and self.fate.status != ProviderStatus.SUSPENDED else None
        return self.active_from <= day and (ended is None or day <= ended)


NGO_CLOSED = (
    "La ONG cerró su centro de desarrollo empresarial: no logró gestionar una unidad "
    "orientada al mercado dentro de una organización financiada por donantes."
)
ALL = ("garments", "services", "commerce", "agroindustry", "footwear", "metalworking")

CENTERS = [
    # Round 1: five providers in Lima, four NGOs (all closed their centers) and one firm.
    Center("CDE-LIM-01", "Centro de Desarrollo Empresarial Promoción Andina", LegalType.NGO,
           "Lima", 1, 4, ("garments", "commerce"),
           "Centro de la ONG Promoción Andina para microempresas de confecciones del Cercado.",
           fate=Fate(ProviderStatus.CLOSED, date(1999, 8, 31), NGO_CLOSED), catalogue_size=(4, 6)),
    Center("CDE-LIM-02", "Centro de Servicios Empresariales Nuevo Horizonte", LegalType.NGO,
           "Lima", 1, 5, ("services", "commerce"),
           "Servicios para microempresas de comercio y servicios de Lima Sur.",
           fate=Fate(ProviderStatus.CLOSED, date(2000, 6, 30),
                     NGO_CLOSED + " La caída de la demanda en 2000 precipitó el cierre."),
           catalogue_size=(4, 6)),
    Center("CDE-LIM-03", "Centro de Desarrollo Empresarial Cono Norte", LegalType.NGO,
           "Lima", 1, 4, ("garments", "footwear"),
           "Capacitación y asistencia técnica a talleres de confecciones y calzado de Lima Norte.",
           fate=Fate(ProviderStatus.CLOSED, date(2000, 12, 31), NGO_CLOSED), catalogue_size=(4, 6)),
    Center("CDE-LIM-04", "Centro de Servicios a la Microempresa Villa Solidaria", LegalType.NGO,
           "Lima", 1, 3, ("metalworking", "garments"),
           "Servicios para el parque industrial de la microempresa de Lima Sur.",
           fate=Fate(ProviderStatus.CLOSED, date(2001, 9, 30), NGO_CLOSED), catalogue_size=(4, 6)),
    Center("CDE-LIM-05", "Gestión y Desarrollo Consultores S.A.C.", LegalType.FIRM,
           "Lima", 1, 12, ALL,
           "Consultora que gana la mitad de sus ingresos con servicios en el extranjero y "
           "atiende proyectos de la cooperación internacional.", catalogue_size=(6, 8)),
    # Round 2: other cities, younger providers: three smaller NGOs and one firm.
    Center("CDE-AQP-01", "Centro de Desarrollo Empresarial del Sur", LegalType.NGO,
           "Arequipa", 2, 6, ("footwear", "services", "agroindustry"),
           "ONG arequipeña con infraestructura propia; cubre sus costos desde 2002.",
           catalogue_size=(5, 7)),
    Center("CDE-HYO-01", "Centro de Desarrollo Empresarial Valle del Mantaro", LegalType.NGO,
           "Huancayo", 2, 3, ("agroindustry", "garments"),
           "Servicios para productores y microempresas del valle del Mantaro.",
           catalogue_size=(4, 6)),
    Center("CDE-PIU-01", "Centro de Servicios Empresariales Tallán", LegalType.NGO,
           "Piura", 2, 3, ("agroindustry", "commerce"),
           "Servicios para microempresas de Piura y del Bajo Piura.", catalogue_size=(3, 5)),
    Center("CDE-TRU-01", "Consultores Norteños Asociados S.A.", LegalType.FIRM,
           "Trujillo", 2, 15, ("footwear", "metalworking", "agroindustry"),
           "Consultora grande de la costa norte.",
           fate=Fate(ProviderStatus.EXITED, date(2001, 3, 31),
                     "Se retiró del programa tras reportar ingresos de USD 300,000 en 2000; "
                     "sigue como consultora sin el apoyo del programa."),
           catalogue_size=(6, 8)),
    # Round 3: only entrepreneurial individuals, in cities outside Lima.
    Center("CDE-CIX-01", "Asesoría Empresarial Lambayeque", LegalType.INDIVIDUAL,
           "Chiclayo", 3, 5, ("agroindustry", "commerce", "services"),
           "Atendía a pequeñas y medianas empresas antes de ampliarse a la microempresa "
           "con el apoyo del programa; cubre sus costos.", catalogue_size=(5, 7)),
    Center("CDE-CIX-02", "CDE Chiclayo Emprende", LegalType.INDIVIDUAL,
           "Chiclayo", 3, 3, ("garments", "commerce", "services"),
           "Capacitación para micro y preempresas del centro de Chiclayo.", catalogue_size=(4, 6)),
    Center("CDE-TRU-02", "CDE El Porvenir", LegalType.INDIVIDUAL,
           "Trujillo", 3, 3, ("footwear", "garments"),
           "Servicios para los talleres de calzado de El Porvenir.", catalogue_size=(3, 5)),
    Center("CDE-HYO-02", "CDE Huancayo Empresarial", LegalType.INDIVIDUAL,
           "Huancayo", 3, 3, ("commerce", "services", "garments"),
           "Capacitación y acceso a internet para micro y preempresas.", catalogue_size=(3, 5)),
    Center("CDE-HCO-01", "CDE Huánuco", LegalType.INDIVIDUAL,
           "Huánuco", 3, 2, ("commerce", "agroindustry"),
           "Pequeño centro de capacitación para la microempresa de Huánuco.",
           fate=Fate(ProviderStatus.SUSPENDED, date(2003, 10, 31),
                     "Dejó de entregar sus reportes mensuales desde agosto de 2003; los "
                     "incentivos quedan retenidos hasta que reanude el reporte."),
           catalogue_size=(3, 4)),
    Center("CDE-CJA-01", "CDE Cajamarca Agro", LegalType.INDIVIDUAL,
           "Cajamarca", 3, 3, ("agroindustry",),
           "Asistencia técnica a una comunidad de productores lecheros; cubre sus costos.",
           catalogue_size=(3, 5)),
    Center("CDE-AQP-02", "CDE Arequipa Emprende", LegalType.INDIVIDUAL,
           "Arequipa", 3, 3, ("services", "commerce"),
           "Capacitación para preempresas y microempresas de servicios.", catalogue_size=(3, 5)),
    # Three centers of the national industrial-training institute joined the monitoring
    # without the support package (no bidding round).
    Center("SENATI-LIM", "Centro de Servicios Empresariales SENATI Lima",
           LegalType.PUBLIC_INSTITUTE, "Lima", None, 28, ("metalworking", "garments", "footwear"),
           "Centro de servicios a la pequeña empresa del instituto nacional de formación "
           "industrial; se sumó al monitoreo sin apoyo del programa.",
           joined=date(1997, 1, 15), catalogue_size=(8, 8)),
    Center("SENATI-CIX", "Centro de Servicios Empresariales SENATI Chiclayo",
           LegalType.PUBLIC_INSTITUTE, "Chiclayo", None, 22,
           ("metalworking", "agroindustry", "garments"),
           "Centro de servicios a la pequeña empresa del instituto nacional de formación "
           "industrial; se sumó al monitoreo sin apoyo del programa.",
           joined=date(1997, 1, 15), catalogue_size=(8, 8)),
    Center("SENATI-AQP", "Centro de Servicios Empresariales SENATI Arequipa",
           LegalType.PUBLIC_INSTITUTE, "Arequipa", None, 14, ("metalworking", "footwear"),
           "Centro de servicios a la pequeña empresa del instituto nacional de formación "
           "industrial; se sumó al monitoreo sin apoyo del programa.",
           joined=date(1999, 4, 1), catalogue_size=(6, 8)),
]  # fmt: skip


@dataclass(frozen=True)
class Offer:
    """A service a center may list: type, Spanish name, price range and sectors it is for."""

    service_type: str
    name: str
    low: float
    high: float
    step: str = "1"
    sectors: tuple[str, ...] = field(default=())  # empty: any sector the center works with


T, TA = ServiceType.TRAINING, ServiceType.TECHNICAL_ASSISTANCE
TRAINING = [
    Offer(T, "Curso de costos y precios para la microempresa", 15, 35),
    Offer(T, "Taller de ventas y atención al cliente", 15, 30),
    Offer(T, "Curso de contabilidad básica y tributación", 20, 45),
    Offer(T, "Gestión empresarial para mujeres emprendedoras", 15, 30),
    Offer(T, "Curso de marketing para la pequeña empresa", 20, 45),
    Offer(T, "Taller de formalización de la microempresa", 15, 25),
    Offer(T, "Computación básica para empresarios", 20, 40),
    Offer(T, "Curso de creación de empresas para emprendedores", 20, 40),
    Offer(T, "Curso de patronaje y corte industrial", 35, 60, sectors=("garments",)),
    Offer(T, "Acabados y control de calidad en confecciones", 30, 55, sectors=("garments",)),
    Offer(T, "Curso de modelaje y armado de calzado", 35, 60, sectors=("footwear",)),
    Offer(T, "Soldadura y seguridad en el taller", 40, 60, sectors=("metalworking",)),
    Offer(T, "Buenas prácticas de manufactura de alimentos", 25, 50, sectors=("agroindustry",)),
    Offer(T, "Calidad en el servicio al cliente y al turista", 20, 40, sectors=("services",)),
]
OTHER_OFFERS = [
    Offer(TA, "Diagnóstico empresarial", 60, 150, "5"),
    Offer(TA, "Asesoría contable y tributaria (mensual)", 40, 100, "5"),
    Offer(TA, "Asistencia técnica en planta para confecciones", 120, 350, "10", ("garments",)),
    Offer(TA, "Asistencia técnica en producción de calzado", 100, 300, "10", ("footwear",)),
    Offer(TA, "Mejora de procesos en talleres metalmecánicos", 150, 400, "10", ("metalworking",)),
    Offer(TA, "Asistencia técnica a productores lecheros", 60, 150, "5", ("agroindustry",)),
    Offer(ServiceType.INFORMATION, "Información de mercados y licitaciones públicas", 5, 20),
    Offer(ServiceType.INFORMATION, "Directorio de proveedores y compradores", 5, 15),
    Offer(ServiceType.MARKETING, "Participación en ferias y ruedas de negocios", 40, 150, "5"),
    Offer(ServiceType.MARKETING, "Diseño de catálogo de productos", 80, 200, "5"),
    Offer(ServiceType.INTERNET_ACCESS, "Acceso a internet (por hora)", 0.5, 1.5, "0.5"),
    Offer(ServiceType.BUSINESS_PLAN, "Elaboración de plan de negocios", 150, 400, "10"),
]

# name, kind, city, sectors
ORGANIZATIONS: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    *[
        (f"Cámara de la Micro y Pequeña Empresa de {city}", OrganizationKind.CHAMBER, city, ())
        for city, _region, _attentions in CITIES
    ],
    ("Asociación de Confeccionistas de La Victoria", "association", "Lima", ("garments",)),
    ("Asociación de Productores de Calzado de Lima Norte", "association", "Lima", ("footwear",)),
    ("Asociación de Metalmecánicos de Villa El Salvador", "association", "Lima", ("metalworking",)),
    ("Asociación de Comerciantes del Cercado de Lima", "association", "Lima", ("commerce",)),
    ("Asociación de Panificadores de Lima Sur", "association", "Lima", ("agroindustry",)),
    ("Asociación de Productores Agroindustriales de Lambayeque", "association", "Chiclayo",
     ("agroindustry",)),
    ("Asociación de Confeccionistas de Chiclayo", "association", "Chiclayo", ("garments",)),
    ("Asociación de Comerciantes del Mercado Modelo de Chiclayo", "association", "Chiclayo",
     ("commerce",)),
    ("Asociación de Fabricantes de Calzado de El Porvenir", "association", "Trujillo",
     ("footwear",)),
    ("Asociación de Confeccionistas de Trujillo", "association", "Trujillo", ("garments",)),
    ("Asociación de Productores Lácteos del Valle del Mantaro", "association", "Huancayo",
     ("agroindustry",)),
    ("Asociación de Tejedores de Huancayo", "association", "Huancayo", ("garments",)),
    ("Asociación de Productores de Calzado de Arequipa", "association", "Arequipa", ("footwear",)),
    ("Asociación de Empresas de Turismo de Arequipa", "association", "Arequipa", ("services",)),
    ("Asociación de Metalmecánicos del Parque Industrial de Arequipa", "association", "Arequipa",
     ("metalworking",)),
    ("Asociación de Artesanos de Catacaos", "association", "Piura", ("other", "garments")),
    ("Asociación de Productores de Mango de Piura", "association", "Piura", ("agroindustry",)),
    ("Asociación de Pequeños Comerciantes de Huánuco", "association", "Huánuco", ("commerce",)),
    ("Asociación de Productores de Derivados Lácteos de Cajamarca", "association", "Cajamarca",
     ("agroindustry",)),
    ("Gremio de la Pequeña Industria de Lima", "guild", "Lima", ("garments", "metalworking")),
    ("Gremio de Panaderos de Trujillo", "guild", "Trujillo", ("agroindustry",)),
    ("Gremio de la Micro y Pequeña Empresa de Piura", "guild", "Piura", ()),
    ("Cooperativa de Servicios Múltiples Los Andes", "cooperative", "Huancayo", ("agroindustry",)),
    ("Cooperativa Agraria Valle de Chancay", "cooperative", "Chiclayo", ("agroindustry",)),
    ("Red de Centros de Desarrollo Empresarial del Perú", "network", "Lima", ()),
    ("Asociación de Mujeres Empresarias del Norte", "other", "Chiclayo", ()),
    ("Asociación de Jóvenes Emprendedores de Lima", "other", "Lima", ()),
]  # fmt: skip

MEMBERS = {"chamber": (150, 900), "association": (25, 300), "guild": (40, 200),
           "cooperative": (30, 150), "network": (14, 14), "other": (40, 120)}  # fmt: skip
STREETS = ["Av. Grau", "Jr. Junín", "Av. Bolognesi", "Calle San Martín", "Av. Mariscal Castilla",
           "Jr. Lima", "Av. Los Incas", "Jr. Ayacucho", "Av. Arequipa", "Calle Real"]  # fmt: skip

# Client types over all the years: 80% micro-enterprises and pre-enterprises, 18% small,
# 2% medium. The demo splits the 80% as 62% micro and 18% pre-enterprises.
CLIENT_TYPES = [
    (ClientType.MICRO, 62),
    (ClientType.PRE_ENTERPRISE, 18),
    (ClientType.SMALL, 18),
    (ClientType.MEDIUM, 2),
]
# Where a city's economy leans to one sector, its clients do too.
CITY_SECTOR_BIAS = {"trujillo": {"footwear": 4}, "cajamarca": {"agroindustry": 5},
                    "huancayo": {"agroindustry": 2}, "arequipa": {"footwear": 2}}  # fmt: skip
TRADE_WORDS = {
    "garments": ["Confecciones", "Creaciones", "Modas", "Textil"],
    "services": ["Servicios", "Transportes", "Restaurante", "Cabinas", "Estudio Contable"],
    "commerce": ["Comercial", "Distribuidora", "Bodega", "Inversiones"],
    "agroindustry": ["Agroindustrias", "Panificadora", "Lácteos", "Conservas"],
    "footwear": ["Calzado", "Calzados"],
    "metalworking": ["Metalmecánica", "Maestranza", "Estructuras Metálicas"],
    "other": ["Construcciones", "Agropecuaria", "Negocios"],
}
PLACE_WORDS = ["El Sol", "Los Andes", "San Martín", "Santa Rosa", "del Norte", "La Esperanza",
               "Virgen de la Puerta", "Señor de Sipán", "El Progreso", "Nueva Era"]  # fmt: skip
MONITORING_FROM, MONITORING_TO = date(1996, 1, 1), date(2004, 4, 30)
RELATIONS = ["sector", "city", "registered_by", "size_class"]
BATCH = 500


def load(context: DemoContext) -> None:
    """Load the reference program into an empty registry."""
    rng = context.rng
    ids = NationalIds(rng)
    services.program_configure(
        name=PROGRAM_NAME,
        currency="USD",
        time_zone="America/Lima",
        capital_city="Lima",
        capital_region="Lima",
    )
    cities = {normalize_key("Lima"): City.objects.get(is_capital=True)}
    for name, region, _attentions in CITIES[1:]:
        cities[normalize_key(name)] = services.city_create(name=name, region=region)
    sectors = {
        code: services.sector_create(
            code=code, name_en=en, name_es=es, isic_codes=isic, is_manufacturing=manufacturing
        )
        for code, en, es, isic, manufacturing, _weight in SECTORS
    }
    for code, en, es, rank, workers, sales, valid_from, valid_to, basis in SIZE_CLASSES:
        services.size_class_create(
            code=code,
            name_en=en,
            name_es=es,
            rank=rank,
            max_workers=workers,
            max_annual_sales=Decimal(sales),
            valid_from=valid_from,
            valid_to=valid_to,
            legal_basis=basis,
        )
    providers = {center.code: _provider_load(rng, ids, center, cities) for center in CENTERS}
    catalogue = sum(
        _catalogue_load(rng, center, providers[center.code], sectors) for center in CENTERS
    )
    # The log records when each change was entered; in the demo, on the day it happened.
    for change in ProviderStatusChange.objects.all():
        ProviderStatusChange.objects.filter(pk=change.pk).update(recorded_at=at_noon(change.date))
    enterprises = _enterprises_load(context, ids, cities, sectors, providers)
    for name, kind, city, sector_codes in ORGANIZATIONS:
        low, high = MEMBERS[kind]
        services.organization_create(
            actor=None,
            name=name,
            kind=kind,
            city=cities[normalize_key(city)] if city else None,
            sectors=[sectors[code] for code in sector_codes],
            member_count=rng.randint(low, high),
            phone=phone(rng, normalize_key(city or "Lima")),
        )
    context.shared["registry.providers"] = providers
    active = sum(1 for provider in providers.values() if provider.status == ProviderStatus.ACTIVE)
    context.note(
        _(
            "registry: %(cities)s cities, %(sectors)s sectors, %(size_classes)s size classes, "
            "%(providers)s providers (%(active)s active), %(services)s services, "
            "%(enterprises)s enterprises, %(organizations)s organizations"
        )
        % {
            "cities": len(cities),
            "sectors": len(sectors),
            "size_classes": len(SIZE_CLASSES),
            "providers": len(providers),
            "active": active,
            "services": catalogue,
            "enterprises": enterprises,
            "organizations": len(ORGANIZATIONS),
        }
    )


def _provider_load(
    rng: random.Random, ids: NationalIds, center: Center, cities: dict[str, City]
) -> Provider:
    city_key = normalize_key(center.city)
    gender = rng.choice(["female", "male"])
    tax_id = ids.person_ruc() if center.legal_type == LegalType.INDIVIDUAL else ids.company_ruc()
    slug = center.code.lower()
    details = {
        "address": f"{rng.choice(STREETS)} {rng.randint(100, 1999)}, {center.city}",
        "phone": phone(rng, city_key),
        "email": f"{slug}@example.org",
        "website": f"https://{slug}.example.org" if center.staff >= 10 else "",
        "contact_name": person_name(rng, gender),
        "tax_id": tax_id,
        "staff_count": center.staff,
        "description": center.description,
        "selection_round": center.round,
    }
    city = cities[city_key]
    if center.round is None:
        provider = services.provider_create(
            actor=None,
            code=center.code,
            name=center.name,
            legal_type=center.legal_type,
            city=city,
            status=ProviderStatus.ACTIVE,
            status_date=center.active_from,
            status_reason="Se sumó al sistema de monitoreo por convenio, sin paquete de apoyo.",
            created_at=at_noon(center.active_from),
            **details,
        )
    else:
        selection = ROUNDS[center.round]
        provider = services.provider_create(
            actor=None,
            code=center.code,
            name=center.name,
            legal_type=center.legal_type,
            city=city,
            status=ProviderStatus.APPLICANT,
            status_date=selection.applied,
            status_reason=f"Propuesta presentada al {selection.ordinal} concurso.",
            created_at=at_noon(selection.applied),
            **details,
        )
        services.provider_change_status(
            actor=None,
            provider=provider,
            status=ProviderStatus.ACTIVE,
            on=selection.selected,
            reason=f"Seleccionado en el {selection.ordinal} concurso; recibe el paquete de "
            "apoyo (inversión inicial, incentivos por resultados, asistencia técnica).",
        )
    if center.fate:
        services.provider_change_status(
            actor=None,
            provider=provider,
            status=center.fate.status,
            on=center.fate.on,
            reason=center.fate.reason,
        )
    return provider


def _catalogue_load(
    rng: random.Random, center: Center, provider: Provider, sectors: dict[str, Sector]
) -> int:
    """List the center's services: about two thirds training, the rest other kinds."""
    size = rng.randint(*center.catalogue_size)
    trainings = max(1, round(size * 2 / 3))
    fits = [o for o in TRAINING if not o.sectors or set(o.sectors) & set(center.sectors)]
    others = [o for o in OTHER_OFFERS if not o.sectors or set(o.sectors) & set(center.sectors)]
    chosen = rng.sample(fits, min(trainings, len(fits)))
    chosen += rng.sample(others, min(size - len(chosen), len(others)))
    in_program = provider.status in (ProviderStatus.ACTIVE, ProviderStatus.SUSPENDED)
    for offer in chosen:
        services.service_create(
            actor=None,
            provider=provider,
            service_type=offer.service_type,
            name=offer.name,
            price=amount(rng, offer.low, offer.high, offer.step),
            sectors=[sectors[code] for code in (offer.sectors or center.sectors)],
            active=in_program,
        )
    return len(chosen)


def _enterprises_load(
    context: DemoContext,
    ids: NationalIds,
    cities: dict[str, City],
    sectors: dict[str, Sector],
    providers: dict[str, Provider],
) -> int:
    """Register `context.enterprises` clients; return how many.

    enterprise_create would take a dozen queries a row; the demo validates each row the same
    way (national ID, derived size class, every field) and inserts them in batches with their
    history. The foreign keys are rows this step has just made, and national IDs are unique
    by construction (the database's constraint stands guard all the same).
    """
    rng = context.rng
    city_weights = [(normalize_key(name), attentions) for name, _region, attentions in CITIES]
    centers_by_city: dict[str, list[Center]] = {}
    for center in CENTERS:
        centers_by_city.setdefault(normalize_key(center.city), []).append(center)
    bounds = size_bounds()
    batch: list[Enterprise] = []
    for number in range(context.enterprises):
        client_type = weighted(rng, CLIENT_TYPES)
        city_key = weighted(rng, city_weights)
        bias = CITY_SECTOR_BIAS.get(city_key, {})
        sector_code = weighted(
            rng, [(code, weight * bias.get(code, 1)) for code, *_details, weight in SECTORS]
        )
        as_of = date_between(rng, MONITORING_FROM, MONITORING_TO)
        workers, sales = _figures(rng, client_type)
        gender = _gender(rng, client_type)
        national_id, name = _identity(rng, ids, client_type, sector_code, gender)
        serving = [c for c in centers_by_city.get(city_key, []) if c.serves_on(as_of)]
        # Most clients were entered by the center that served them; the rest by the program.
        registered_by = (
            providers[rng.choice(serving).code] if serving and rng.random() < 0.85 else None
        )
        enterprise = Enterprise(
            name=name,
            client_type=client_type,
            registered_by=registered_by,
            owner_gender=gender,
            sector=sectors[sector_code],
            city=cities[city_key],
            workers=workers,
            annual_sales=sales,
            figures_as_of=as_of,
            phone=phone(rng, city_key) if rng.random() < 0.5 else "",
            created_at=at_noon(as_of),
        )
        enterprise.national_id, enterprise.id_kind = services._check_national_id(national_id)
        services._derive_size_class(enterprise, bounds)
        enterprise.full_clean(exclude=RELATIONS, validate_constraints=False)
        batch.append(enterprise)
        if len(batch) == BATCH:
            bulk_create_with_history(batch, Enterprise, batch_size=BATCH, default_date=context.now)
            batch = []
            context.progress(_("enterprises"), (number + 1) / context.enterprises)
    bulk_create_with_history(batch, Enterprise, batch_size=BATCH, default_date=context.now)
    context.progress(_("enterprises"), 1.0)
    return context.enterprises


def _figures(rng: random.Random, client_type: str) -> tuple[int | None, Decimal | None]:
    """Return workers and annual sales (USD) that put the client in its legal size class.

    Micro-enterprises stay within 10 workers and USD 60,000 (micro under either law), small
    ones have 11 to 50 workers and sales below both laws' small bound; medium ones exceed
    both. Pre-enterprises do not operate yet and have no figures.
    """
    if client_type == ClientType.PRE_ENTERPRISE:
        return None, None
    if client_type == ClientType.MICRO:
        # 60% of micro-enterprise clients had fewer than five workers.
        workers = rng.randint(1, 4) if rng.random() < 0.6 else rng.randint(5, 10)
        if rng.random() < 0.15:  # owners who would not say their sales
            return workers, None
        return workers, min(amount(rng, 2_500, 6_000, "100") * workers, Decimal("60000"))
    if client_type == ClientType.SMALL:
        workers = rng.randint(11, 25) if rng.random() < 0.7 else rng.randint(26, 50)
        return workers, min(amount(rng, 5_000, 14_000, "100") * workers, Decimal("740000"))
    return rng.randint(51, 200), amount(rng, 800_000, 3_000_000, "1000")


def _gender(rng: random.Random, client_type: str) -> str:
    if client_type in (ClientType.PRE_ENTERPRISE, ClientType.MICRO):
        return weighted(rng, [(Gender.FEMALE, 48), (Gender.MALE, 47), (Gender.MIXED, 5)])
    return weighted(rng, [(Gender.MALE, 60), (Gender.FEMALE, 30), (Gender.MIXED, 10)])


def _identity(
    rng: random.Random, ids: NationalIds, client_type: str, sector_code: str, gender: str
) -> tuple[str, str]:
    """Return the client's national ID ("" for none) and its name.

    Over half of the pre-entrepreneurs (about 10% of all clients) gave no ID; informal
    micro-enterprises give the owner's DNI, formal ones a person's or a company's RUC.
    """
    owner = person_name(rng, gender if gender != Gender.MIXED else rng.choice(["female", "male"]))
    if client_type == ClientType.PRE_ENTERPRISE:
        return ("" if rng.random() < 0.55 else ids.dni()), owner
    trade = rng.choice(TRADE_WORDS[sector_code])
    if client_type == ClientType.MICRO:
        kind = weighted(rng, [("dni", 30), ("person", 55), ("company", 15)])
    else:
        kind = weighted(rng, [("person", 15), ("company", 85)])
    if kind == "company":
        suffix = "S.R.L." if client_type == ClientType.MICRO else rng.choice(["S.A.C.", "S.A."])
        return ids.company_ruc(), f"{trade} {rng.choice(PLACE_WORDS)} {suffix}"
    first, surname = owner.split(" ")[0], owner.split(" ")[1]
    name = f"{trade} {first}" if rng.random() < 0.5 else f"{trade} {surname}"
    if kind == "person":
        return ids.person_ruc(), name
    return ids.dni(), name
