"""Plausible Peruvian names, national IDs, phone numbers, dates and amounts for the demo.

Everything draws from the `random.Random` it is given, never from the module's global
generator or the clock, so the same seed gives the same values. No Django import here.
"""

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from stdnum.pe import ruc

from bdsmarket.core.money import money_round

T = TypeVar("T")

FEMALE_NAMES = [
    "María", "Rosa", "Carmen", "Ana", "Luz", "Juana", "Elena", "Gladys", "Marisol", "Nelly",
    "Patricia", "Silvia", "Teresa", "Yolanda", "Doris", "Flor", "Maritza", "Norma", "Betty",
    "Liliana", "Milagros", "Roxana", "Susana", "Delia", "Gloria", "Irma", "Julia", "Nancy",
]  # fmt: skip
MALE_NAMES = [
    "José", "Juan", "Luis", "Carlos", "Jorge", "Víctor", "César", "Julio", "Manuel", "Pedro",
    "Walter", "Raúl", "Miguel", "Alberto", "Fernando", "Hugo", "Óscar", "Segundo", "Wilfredo",
    "Edgar", "Félix", "Héctor", "Marco", "Nicolás", "Ricardo", "Teodoro", "Alfredo", "Elmer",
]  # fmt: skip
SURNAMES = [
    "Quispe", "Huamán", "Flores", "Rojas", "Sánchez", "García", "Mamani", "Chávez", "Ramos",
    "Torres", "Vásquez", "Mendoza", "Díaz", "Castillo", "Ruiz", "Gutiérrez", "Vargas", "Paredes",
    "Salazar", "Cruz", "Espinoza", "Aguilar", "Cárdenas", "Zapata", "Alvarado", "Medina",
    "Rodríguez", "Ccori", "Tello", "Villanueva", "Sandoval", "Cotrina", "Ñique", "Llontop",
    "Chumacero", "Inga", "Soto", "Palacios", "Becerra", "Montalvo",
]  # fmt: skip

# Telephone area codes of the demo's cities (keys are the cities' folded names) and how many
# digits a local number had in the 1990s: seven in Lima, six elsewhere.
AREA_CODES = {
    "lima": ("01", 7),
    "chiclayo": ("074", 6),
    "trujillo": ("044", 6),
    "huancayo": ("064", 6),
    "arequipa": ("054", 6),
    "piura": ("073", 6),
    "huanuco": ("062", 6),
    "cajamarca": ("076", 6),
}


def weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    """Return one of the options' values, each as likely as its weight."""
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def date_between(rng: random.Random, start: date, end: date) -> date:
    """Return a day from `start` to `end`, both included."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def amount(rng: random.Random, low: float, high: float, step: str = "1") -> Decimal:
    """Return an amount from `low` to `high` rounded to a multiple of `step`."""
    unit = Decimal(step)
    value = Decimal(str(rng.uniform(low, high)))
    return money_round((value / unit).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * unit)


def person_name(rng: random.Random, gender: str) -> str:
    """Return a first name and two surnames, as Peruvians write them."""
    first = rng.choice(FEMALE_NAMES if gender == "female" else MALE_NAMES)
    father, mother = rng.sample(SURNAMES, 2)
    return f"{first} {father} {mother}"


def phone(rng: random.Random, city_key: str) -> str:
    """Return a landline number in `city_key` (a folded city name) with its area code."""
    area, digits = AREA_CODES.get(city_key, ("01", 7))
    number = str(rng.randint(2 * 10 ** (digits - 1), 10**digits - 1))
    return f"({area}) {number[:-4]}-{number[-4:]}"


class NationalIds:
    """Makes DNIs and RUCs that are valid and never repeat within one demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def dni(self) -> str:
        """Return a DNI: eight digits (adults of the 1990s held numbers below 50 million)."""
        return self._unique(lambda: f"{self.rng.randint(1_000_000, 49_999_999):08d}")

    def person_ruc(self) -> str:
        """Return a RUC of a person doing business: 10, the person's DNI, a check digit."""
        return self._unique(
            lambda: _with_check_digit(f"10{self.rng.randint(1_000_000, 49_999_999):08d}")
        )

    def company_ruc(self) -> str:
        """Return a RUC of a company: 20, eight digits, a check digit."""
        return self._unique(
            lambda: _with_check_digit(f"20{self.rng.randint(10_000_000, 60_999_999):08d}")
        )


def _with_check_digit(first_ten: str) -> str:
    return first_ten + ruc.calc_check_digit(first_ten)
