"""Imports of the registry's lists from CSV or XLSX: cities, sectors, providers, enterprises
and business organizations. The columns are documented in docs/formats.md.

Each importer checks every row first and stores nothing unless every row is right; then it
writes through registry.services in one transaction. A row whose key is already stored (a
city's name, a sector's or provider's code, an enterprise's national ID, an organization's
name) updates that record, and only with the values the row gives: an empty cell never
erases a stored value. Rows that change nothing are counted as unchanged.
"""

from collections.abc import Hashable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bdsmarket.core.clock import program_today
from bdsmarket.core.models import User
from bdsmarket.core.money import ZERO
from bdsmarket.core.tabular import Column, Importer, Row, Spec, register
from bdsmarket.core.text import normalize_key

from . import permissions, rules, services
from .models import (
    BusinessOrganization,
    City,
    ClientType,
    Enterprise,
    Gender,
    LegalType,
    OrganizationKind,
    Provider,
    ProviderStatus,
    Sector,
)
from .queries import References

# Spellings people use besides the codes and the Spanish and English labels.
LEGAL_TYPE_ALIASES = {
    "ngo": ["ong", "asociacion", "asociación civil"],
    "firm": ["empresa", "sociedad", "company"],
    "individual": ["persona natural", "persona", "person"],
    "public_institute": ["instituto publico", "instituto público", "public"],
    "university": ["universidad"],
    "other": ["otro", "otra"],
}
PROVIDER_STATUS_ALIASES = {
    "applicant": ["postulante", "candidato"],
    "active": ["activo", "activa"],
    "suspended": ["suspendido", "suspendida"],
    "exited": ["retirado", "retirada", "salio", "salió"],
    "closed": ["cerrado", "cerrada"],
}
CLIENT_TYPE_ALIASES = {
    "pre_enterprise": ["pre-empresa", "preempresa", "pre-enterprise", "emprendedor"],
    "micro": ["microempresa", "micro-empresa", "micro enterprise"],
    "small": ["pequeña", "pequena", "pequeña empresa", "pyme"],
    "medium": ["mediana", "mediana empresa"],
    "large": ["grande", "gran empresa"],
    "professional": ["profesional"],
    "institution": ["institución", "institucion"],
}
GENDER_ALIASES = {
    "female": ["mujer", "femenino", "f", "woman"],
    "male": ["hombre", "masculino", "m", "man", "varon", "varón"],
    "mixed": ["mixto", "mixta", "ambos"],
    "na": ["n/a", "no aplica", "ninguno"],
}
ORGANIZATION_KIND_ALIASES = {
    "chamber": ["camara", "cámara", "cámara de comercio", "chamber of commerce"],
    "association": ["asociación", "asociacion", "asociación empresarial", "gremio empresarial"],
    "guild": ["gremio"],
    "cooperative": ["cooperativa"],
    "network": ["red", "red de proveedores"],
    "other": ["otro", "otra"],
}


def client_type_column() -> Column:
    """The client type column, as the enterprise and the delivery files both name it."""
    return Column(
        "client_type",
        "tipo_cliente",
        type="enum",
        required=True,
        choices=ClientType,
        choice_aliases=CLIENT_TYPE_ALIASES,
        help=gettext_lazy("what kind of client it is"),
    )


def email_column() -> Column:
    return Column(
        "email",
        "correo",
        aliases=("e-mail",),
        max_length=254,
        validators=(validate_email,),
        expected=gettext_lazy("an e-mail address such as ana@example.org"),
        help=gettext_lazy("e-mail"),
    )


def website_column() -> Column:
    return Column(
        "website",
        "sitio_web",
        aliases=("web",),
        max_length=200,
        validators=(URLValidator(),),
        expected=gettext_lazy("a web address starting with https:// or http://"),
        help=gettext_lazy("website"),
    )


def _changed(record: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Return the entries of `values` that are given (not None) and differ from `record`."""
    changes = {}
    for name, value in values.items():
        if value is None:
            continue
        current = getattr(record, name)
        if isinstance(value, str):
            value = value.strip()
        if current != value:
            changes[name] = value
    return changes


class _RegistryImporter(Importer):
    """Shared lookups: cities and sectors by any accepted spelling, asked once per spelling."""

    def __init__(self, *, actor: User | None) -> None:
        super().__init__(actor=actor)
        self.references = References()

    def city(self, row: Row, column: str = "city") -> City | None:
        """Return the city named in `column`; record an error on the row when it names none."""
        value = row.values.get(column)
        if value is None:
            return None
        city = self.references.city(value)
        if city is None:
            row.fail(column, self.references.city_expected())
        return city

    def sector(self, row: Row, value: str, column: str = "sector") -> Sector | None:
        """Return the sector `value` names; record an error on the row when it names none."""
        sector = self.references.sector(value)
        if sector is None:
            row.fail(column, self.references.sector_expected(), value=value)
        return sector


@register
class CityImporter(_RegistryImporter):
    kind = "cities"
    noun = gettext_lazy("city")
    noun_plural = gettext_lazy("cities")
    description = gettext_lazy("The program's cities, where providers and clients are.")
    spec = Spec(
        (
            Column(
                "name",
                "nombre",
                required=True,
                max_length=100,
                help=gettext_lazy("the city's name; matched without regard to accents or case"),
            ),
            Column("region", "region", max_length=100, help=gettext_lazy("its region")),
            Column(
                "is_capital",
                "es_capital",
                type="bool",
                aliases=("capital",),
                help=gettext_lazy("yes for the program's capital city (one at most)"),
            ),
        )
    )
    field_columns = {"name_key": "name", "__all__": "is_capital"}

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        return user is None or permissions.can_edit_program_lists(user)

    def key(self, row: Row) -> Hashable | None:
        name = row.values["name"]
        return normalize_key(name) if name else None

    def existing(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        return {city.name_key: city for city in City.objects.filter(name_key__in=keys)}

    def create(self, row: Row) -> None:
        values = row.values
        services.city_create(
            name=values["name"],
            region=values["region"] or "",
            is_capital=bool(values["is_capital"]),
            actor=self.actor,
        )

    def changes(self, record: City, row: Row) -> dict[str, Any]:
        # The name is the key: a different spelling of it names the same city.
        values = row.values
        return _changed(record, {"region": values["region"], "is_capital": values["is_capital"]})

    def update(self, record: City, changes: dict[str, Any], row: Row) -> None:
        services.city_update(city=record, changes=changes, actor=self.actor)


@register
class SectorImporter(_RegistryImporter):
    kind = "sectors"
    noun = gettext_lazy("sector")
    noun_plural = gettext_lazy("sectors")
    description = gettext_lazy("The economic sectors clients are classified in.")
    spec = Spec(
        (
            Column(
                "code",
                "codigo",
                required=True,
                max_length=40,
                help=gettext_lazy("a short code of letters, digits, - or _, e.g. garments"),
            ),
            Column(
                "name_en",
                "nombre_en",
                required=True,
                max_length=100,
                help=gettext_lazy("its name in English"),
            ),
            Column(
                "name_es",
                "nombre_es",
                required=True,
                max_length=100,
                help=gettext_lazy("its name in Spanish"),
            ),
            Column(
                "isic_codes",
                "codigos_ciiu",
                aliases=("isic", "ciiu"),
                max_length=300,
                help=gettext_lazy(
                    "ISIC/CIIU codes (any depth) that belong to it, separated by commas"
                ),
            ),
            Column(
                "is_manufacturing",
                "es_manufactura",
                type="bool",
                aliases=("manufacturing", "manufactura"),
                help=gettext_lazy("yes when it is a manufacturing sector"),
            ),
        )
    )

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        return user is None or permissions.can_edit_program_lists(user)

    def key(self, row: Row) -> Hashable | None:
        code = row.values["code"]
        return code.strip().lower() if code else None

    def existing(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        wanted = set(keys)
        return {s.code.lower(): s for s in Sector.objects.all() if s.code.lower() in wanted}

    def create(self, row: Row) -> None:
        values = row.values
        services.sector_create(
            code=values["code"],
            name_en=values["name_en"],
            name_es=values["name_es"],
            isic_codes=values["isic_codes"] or "",
            is_manufacturing=bool(values["is_manufacturing"]),
            actor=self.actor,
        )

    def changes(self, record: Sector, row: Row) -> dict[str, Any]:
        values = dict(row.values)
        values.pop("code")
        if values["isic_codes"] is not None:
            values["isic_codes"] = ",".join(
                code.strip() for code in values["isic_codes"].split(",") if code.strip()
            )
        return _changed(record, values)

    def update(self, record: Sector, changes: dict[str, Any], row: Row) -> None:
        services.sector_update(sector=record, changes=changes, actor=self.actor)


@register
class ProviderImporter(_RegistryImporter):
    kind = "providers"
    noun = gettext_lazy("provider")
    noun_plural = gettext_lazy("providers")
    description = gettext_lazy(
        "The business development centers and other providers in the program."
    )
    spec = Spec(
        (
            Column(
                "code",
                "codigo",
                required=True,
                max_length=30,
                help=gettext_lazy("the provider's code in the program, e.g. CDE-LIM-01"),
            ),
            Column("name", "nombre", required=True, max_length=200, help=gettext_lazy("name")),
            Column(
                "legal_type",
                "tipo_legal",
                type="enum",
                required=True,
                choices=LegalType,
                choice_aliases=LEGAL_TYPE_ALIASES,
                help=gettext_lazy("what kind of organization it is"),
            ),
            Column(
                "city",
                "ciudad",
                required=True,
                help=gettext_lazy("one of the program's cities; accents optional"),
            ),
            Column(
                "tax_id",
                "ruc",
                max_length=20,
                help=gettext_lazy("its RUC (11 digits, check digit verified)"),
            ),
            Column("address", "direccion", max_length=300, help=gettext_lazy("street address")),
            Column("phone", "telefono", max_length=50, help=gettext_lazy("phone number")),
            email_column(),
            website_column(),
            Column(
                "contact_name",
                "contacto",
                max_length=200,
                help=gettext_lazy("the person to contact"),
            ),
            Column(
                "staff_count",
                "personal",
                type="int",
                min_value=0,
                help=gettext_lazy("people working at the provider"),
            ),
            Column(
                "selection_round",
                "ronda",
                type="int",
                min_value=1,
                aliases=("ronda_seleccion",),
                help=gettext_lazy("the bidding round that selected it"),
            ),
            Column(
                "status",
                "estado",
                type="enum",
                choices=ProviderStatus,
                choice_aliases=PROVIDER_STATUS_ALIASES,
                help=gettext_lazy("its standing in the program (new providers: applicant)"),
            ),
            Column(
                "status_date",
                "fecha_estado",
                type="date",
                help=gettext_lazy("since when it has that status (default: today)"),
            ),
        )
    )
    field_columns = {"date": "status_date", "reason": "status"}
    DETAILS = (
        "tax_id",
        "address",
        "phone",
        "email",
        "website",
        "contact_name",
        "staff_count",
        "selection_round",
    )

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        return user is None or permissions.can_create_provider(user)

    def check(self, row: Row) -> None:
        row.values["city"] = self.city(row)
        tax_id = row.values["tax_id"]
        if tax_id and not rules.is_valid_ruc(tax_id):
            row.fail("tax_id", _("a RUC: 11 digits with a correct check digit"))

    def key(self, row: Row) -> Hashable | None:
        code = row.values["code"]
        return code.strip().upper() if code else None

    def existing(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        return {p.code: p for p in Provider.objects.filter(code__in=keys).select_related("city")}

    def _fields(self, row: Row) -> dict[str, Any]:
        values = row.values
        fields = {name: values[name] for name in ("name", "legal_type", "city", *self.DETAILS)}
        if fields["tax_id"] is not None:
            fields["tax_id"] = rules.id_digits(fields["tax_id"])
        return fields

    def create(self, row: Row) -> None:
        fields = {k: v for k, v in self._fields(row).items() if v is not None}
        services.provider_create(
            actor=self.actor,
            code=row.values["code"],
            status=row.values["status"] or ProviderStatus.APPLICANT,
            status_date=row.values["status_date"],
            status_reason=_("Imported from “%(file)s”") % {"file": row.table.name},
            **fields,
        )

    def changes(self, record: Provider, row: Row) -> dict[str, Any]:
        changes = _changed(record, self._fields(row))
        if row.values["status"] is not None and row.values["status"] != record.status:
            changes["status"] = row.values["status"]
        return changes

    def update(self, record: Provider, changes: dict[str, Any], row: Row) -> None:
        status = changes.pop("status", None)
        if changes:
            services.provider_update(actor=self.actor, provider=record, changes=changes)
        if status is not None:
            services.provider_change_status(
                actor=self.actor,
                provider=record,
                status=status,
                on=row.values["status_date"] or program_today(),
                reason=_("Imported from “%(file)s”") % {"file": row.table.name},
            )


@register
class EnterpriseImporter(_RegistryImporter):
    kind = "enterprises"
    noun = gettext_lazy("enterprise")
    noun_plural = gettext_lazy("enterprises")
    description = gettext_lazy(
        "Clients of the providers: enterprises, pre-entrepreneurs and professionals."
    )
    spec = Spec(
        (
            Column(
                "national_id",
                "documento",
                max_length=20,
                aliases=("dni_ruc", "ruc_dni", "id_nacional"),
                help=gettext_lazy(
                    "DNI (8 digits) or RUC (11 digits, check digit verified); "
                    "leave empty if the client has none"
                ),
            ),
            Column(
                "name",
                "nombre",
                required=True,
                max_length=200,
                help=gettext_lazy("the enterprise's or the person's name"),
            ),
            client_type_column(),
            Column(
                "owner_gender",
                "genero",
                type="enum",
                choices=Gender,
                choice_aliases=GENDER_ALIASES,
                aliases=("gender",),
                help=gettext_lazy("gender of the owner or manager (default: not applicable)"),
            ),
            Column(
                "sector",
                "sector",
                help=gettext_lazy("the program's sector: code, name or an ISIC/CIIU code"),
            ),
            Column(
                "city", "ciudad", help=gettext_lazy("one of the program's cities; accents optional")
            ),
            Column(
                "workers",
                "trabajadores",
                type="int",
                min_value=0,
                help=gettext_lazy("people working in the enterprise"),
            ),
            Column(
                "annual_sales",
                "ventas_anuales",
                type="decimal",
                min_value=ZERO,
                decimal_places=2,
                help=gettext_lazy("sales over a year, in the program currency"),
            ),
            Column(
                "figures_as_of",
                "cifras_al",
                type="date",
                aliases=("fecha_cifras",),
                help=gettext_lazy(
                    "the date workers and sales refer to; it decides the size class "
                    "(default: today)"
                ),
            ),
            Column("phone", "telefono", max_length=50, help=gettext_lazy("phone number")),
            email_column(),
        )
    )
    DETAILS = (
        "owner_gender",
        "sector",
        "city",
        "workers",
        "annual_sales",
        "figures_as_of",
        "phone",
        "email",
    )

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        return user is None or permissions.can_create_enterprise(user)

    @property
    def provider_id(self) -> int | None:
        """The provider that registers the rows: the actor's, for provider staff."""
        if self.actor is not None and self.actor.is_provider_staff:
            return self.actor.provider_id
        return None

    def check(self, row: Row) -> None:
        values = row.values
        values["city"] = self.city(row)
        if values["sector"] is not None:
            values["sector"] = self.sector(row, values["sector"])
        national_id = values["national_id"]
        if national_id is not None:
            try:
                valid = rules.classify_national_id(national_id) is not None
            except rules.InvalidNationalId:
                valid = False
            if not valid:
                row.fail(
                    "national_id",
                    _("a DNI (8 digits) or a RUC (11 digits with a correct check digit)"),
                )
            else:
                values["national_id"] = rules.id_digits(national_id)

    def key(self, row: Row) -> Hashable | None:
        # Without a national ID, a client is known by its exact name at its provider, so
        # re-importing a file does not add the same person twice.
        if row.values["national_id"]:
            return ("id", row.values["national_id"])
        if row.given("national_id"):
            return None  # an invalid ID: already an error
        if row.values["name"]:
            return ("name", row.values["name"].strip())
        return None

    def duplicate_column(self) -> str:
        return "national_id"

    def existing(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        pairs: list[tuple[str, str]] = keys  # type: ignore[assignment]  # see key()
        ids = [value for kind, value in pairs if kind == "id"]
        names = [value for kind, value in pairs if kind == "name"]
        found: dict[Hashable, Any] = {}
        if ids:
            for enterprise in Enterprise.objects.filter(national_id__in=ids):
                found[("id", enterprise.national_id)] = enterprise
        if names:
            same_name = Enterprise.objects.filter(
                national_id="", registered_by_id=self.provider_id, name__in=names
            ).order_by("pk")
            for enterprise in same_name:
                found.setdefault(("name", enterprise.name), enterprise)
        return found

    def _details(self, row: Row) -> dict[str, Any]:
        return {name: row.values[name] for name in ("name", "client_type", *self.DETAILS)}

    def create(self, row: Row) -> None:
        details = {k: v for k, v in self._details(row).items() if v is not None}
        services.enterprise_create(
            actor=self.actor, national_id=row.values["national_id"] or "", **details
        )

    def changes(self, record: Enterprise, row: Row) -> dict[str, Any]:
        if self.actor is not None and not permissions.can_edit_enterprise(self.actor, record):
            raise ValidationError(
                {"national_id": _("the ID of a client of your own provider: this one is not")}
            )
        return _changed(record, self._details(row))

    def update(self, record: Enterprise, changes: dict[str, Any], row: Row) -> None:
        services.enterprise_update(actor=self.actor, enterprise=record, changes=changes)


@register
class OrganizationImporter(_RegistryImporter):
    kind = "organizations"
    noun = gettext_lazy("business organization")
    noun_plural = gettext_lazy("business organizations")
    description = gettext_lazy("Chambers, associations, guilds and networks.")
    spec = Spec(
        (
            Column("name", "nombre", required=True, max_length=200, help=gettext_lazy("name")),
            Column(
                "kind",
                "tipo",
                type="enum",
                required=True,
                choices=OrganizationKind,
                choice_aliases=ORGANIZATION_KIND_ALIASES,
                help=gettext_lazy("what kind of organization it is"),
            ),
            Column(
                "city", "ciudad", help=gettext_lazy("one of the program's cities; accents optional")
            ),
            Column(
                "sectors",
                "sectores",
                help=gettext_lazy(
                    "the sectors it represents: codes, names or ISIC codes separated by "
                    "commas or semicolons"
                ),
            ),
            Column(
                "member_count",
                "miembros",
                type="int",
                min_value=0,
                help=gettext_lazy("how many members it has"),
            ),
            website_column(),
            email_column(),
            Column("phone", "telefono", max_length=50, help=gettext_lazy("phone number")),
            Column("description", "descripcion", help=gettext_lazy("what it does")),
        )
    )

    @classmethod
    def can_import(cls, user: User | None) -> bool:
        return user is None or permissions.can_edit_program_lists(user)

    def check(self, row: Row) -> None:
        row.values["city"] = self.city(row)
        given = row.values["sectors"]
        if given is not None:
            parts = [part.strip() for part in given.replace(";", ",").split(",") if part.strip()]
            sectors = [self.sector(row, part, column="sectors") for part in parts]
            row.values["sectors"] = None if None in sectors else sectors

    def key(self, row: Row) -> Hashable | None:
        name = row.values["name"]
        return normalize_key(name) if name else None

    def existing(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        wanted = set(keys)
        organizations = BusinessOrganization.objects.prefetch_related("sectors")
        return {
            key: organization
            for organization in organizations
            if (key := normalize_key(organization.name)) in wanted
        }

    def _details(self, row: Row) -> dict[str, Any]:
        names = ("kind", "city", "member_count", "website", "email", "phone", "description")
        return {name: row.values[name] for name in names}

    def create(self, row: Row) -> None:
        details = {k: v for k, v in self._details(row).items() if v is not None}
        services.organization_create(
            actor=self.actor, name=row.values["name"], sectors=row.values["sectors"], **details
        )

    def changes(self, record: BusinessOrganization, row: Row) -> dict[str, Any]:
        changes = _changed(record, self._details(row))
        sectors = row.values["sectors"]
        if sectors is not None and {s.pk for s in sectors} != {s.pk for s in record.sectors.all()}:
            changes["sectors"] = sectors
        return changes

    def update(self, record: BusinessOrganization, changes: dict[str, Any], row: Row) -> None:
        services.organization_update(actor=self.actor, organization=record, changes=changes)


__all__ = [
    "CityImporter",
    "EnterpriseImporter",
    "OrganizationImporter",
    "ProviderImporter",
    "SectorImporter",
]
