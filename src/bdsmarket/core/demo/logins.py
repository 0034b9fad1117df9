"""The demo's logins, one per role, and their shared password (printed in the README)."""

from dataclasses import dataclass

from bdsmarket.core.models import Role

DEMO_PASSWORD = "demo-bdsmarket"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    first_name: str
    last_name: str
    provider_code: str = ""


# One login per role; the provider's staff work for a small center in Chiclayo that is
# active to the end of the program.
DEMO_LOGINS = [
    DemoLogin("manager", Role.MANAGER, "Rosa", "Villanueva"),
    DemoLogin("officer", Role.OFFICER, "Jorge", "Medina"),
    DemoLogin("evaluator", Role.EVALUATOR, "Ana", "Salazar"),
    DemoLogin("auditor", Role.AUDITOR, "Luis", "Cárdenas"),
    DemoLogin("provider", Role.PROVIDER, "Carmen", "Chumacero", provider_code="CDE-CIX-02"),
]
