"""Reads of the registry that more than one door needs."""

from django.db.models import QuerySet

from bdsmarket.core.text import normalize_key

from .models import City, Sector, SizeClass
from .rules import SizeBounds


def city_find(name: str) -> City | None:
    """Return the city whose name matches `name` ignoring accents, case and spaces."""
    return City.objects.filter(name_key=normalize_key(name)).first()


def capital_city() -> City | None:
    return City.objects.filter(is_capital=True).first()


def sector_find(value: str) -> Sector | None:
    """Return the sector named by `value`: its code, English or Spanish name, or an ISIC code.

    An ISIC/CIIU code maps to the sector listing the longest prefix of it
    (`1520` goes to a sector listing `1520` before one listing `15`).
    """
    key = normalize_key(value)
    if not key:
        return None
    sectors = list(Sector.objects.all())
    for sector in sectors:
        if key in (normalize_key(sector.code), normalize_key(sector.name_en), normalize_key(sector.name_es)):
            return sector
    if key.isdigit():
        best: tuple[int, Sector] | None = None
        for sector in sectors:
            for code in sector.isic_code_list:
                if key.startswith(code) and (best is None or len(code) > best[0]):
                    best = (len(code), sector)
        return best[1] if best else None
    return None


def size_bounds() -> list[SizeBounds]:
    """Return every size class as the pure rules take them."""
    return [
        SizeBounds(
            code=str(size_class.pk),
            rank=size_class.rank,
            max_workers=size_class.max_workers,
            max_annual_sales=size_class.max_annual_sales,
            valid_from=size_class.valid_from,
            valid_to=size_class.valid_to,
        )
        for size_class in SizeClass.objects.all()
    ]


def size_classes_in_force() -> QuerySet[SizeClass]:
    return SizeClass.objects.order_by("-valid_from", "rank")
