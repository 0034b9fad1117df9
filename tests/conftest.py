"""The cast shared by every test: one small program, two providers and a person per role.

    manager       program manager (edits everything, uses the admin)
    officer       monitoring officer (reads everything, edits enterprises)
    evaluator     scores proposals; sees providers, never enterprises
    auditor       reads everything, changes nothing
    staff_a       staff of provider_a (Lima)
    staff_b       staff of provider_b (Chiclayo): the "other provider" in every access test
An outsider is simply a client that has not logged in. `delivery_row` makes one valid
delivery of a provider, any field overridden.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from bdsmarket.core.models import Role, User
from bdsmarket.core.services import user_create
from bdsmarket.monitoring.services import DeliveryInput
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import City, LegalType, Provider, ProviderStatus, Sector

PASSWORD = "a-long-test-password-17"

CITIES = [
    ("Chiclayo", "Lambayeque"),
    ("Trujillo", "La Libertad"),
    ("Huancayo", "Junín"),
    ("Arequipa", "Arequipa"),
    ("Huánuco", "Huánuco"),
]
SECTORS = [
    ("garments", "Garments", "Confecciones", "14", True),
    ("agroindustry", "Agroindustry", "Agroindustria", "10,11", True),
    ("footwear", "Footwear", "Calzado", "152", True),
    ("commerce", "Commerce", "Comercio", "45,46,47", False),
    ("services", "Services", "Servicios", "", False),
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Run tests over plain HTTP, without collected static files, with a fast password hash,
    each with a data directory of its own (uploads waiting for the worker go there).

    Production's Argon2 costs a fifth of a second per user created; tests create hundreds.
    (tests/core/test_settings.py checks that production keeps Argon2.)
    """
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Start every test in English, whatever language an earlier test's request left active.

    Requests still choose their own language (Accept-Language, cookie, profile), and tests
    of Spanish ask for it; this only stops one test's language leaking into the next.
    """
    with translation.override("en"):
        yield


def program_make():
    """Return the program with its capital (Lima), four more cities, five sectors and size
    classes (the `program` fixture; a plain function for fixtures of wider scope)."""
    program = registry.program_configure(
        name="Programa de prueba",
        currency="USD",
        time_zone="America/Lima",
        capital_city="Lima",
        capital_region="Lima",
    )
    for name, region in CITIES:
        registry.city_create(name=name, region=region)
    for code, name_en, name_es, isic, manufacturing in SECTORS:
        registry.sector_create(
            code=code,
            name_en=name_en,
            name_es=name_es,
            isic_codes=isic,
            is_manufacturing=manufacturing,
        )
    registry.size_class_create(
        code="micro",
        name_en="Micro-enterprise",
        name_es="Microempresa",
        rank=1,
        max_workers=10,
        max_annual_sales=Decimal("60000"),
        valid_from=date(1994, 1, 1),
        valid_to=date(2002, 12, 31),
    )
    registry.size_class_create(
        code="small",
        name_en="Small enterprise",
        name_es="Pequeña empresa",
        rank=2,
        max_workers=50,
        max_annual_sales=Decimal("750000"),
        valid_from=date(1994, 1, 1),
        valid_to=date(2002, 12, 31),
    )
    return program


@pytest.fixture
def program(db):
    """The program with its capital (Lima), four more cities, five sectors and size classes."""
    return program_make()


@pytest.fixture
def lima(program) -> City:
    return City.objects.get(name="Lima")


@pytest.fixture
def chiclayo(program) -> City:
    return City.objects.get(name="Chiclayo")


@pytest.fixture
def garments(program) -> Sector:
    return Sector.objects.get(code="garments")


def provider_a_make() -> Provider:
    return registry.provider_create(
        actor=None,
        code="CDE-LIM-01",
        name="Centro Lima Norte",
        legal_type=LegalType.NGO,
        city=City.objects.get(name="Lima"),
        status=ProviderStatus.ACTIVE,
        tax_id="20100047218",
        selection_round=1,
    )


def provider_b_make() -> Provider:
    return registry.provider_create(
        actor=None,
        code="CDE-CIX-01",
        name="Centro Chiclayo",
        legal_type=LegalType.FIRM,
        city=City.objects.get(name="Chiclayo"),
        status=ProviderStatus.ACTIVE,
        selection_round=2,
    )


@pytest.fixture
def provider_a(lima) -> Provider:
    return provider_a_make()


@pytest.fixture
def provider_b(chiclayo) -> Provider:
    return provider_b_make()


def user_make(username: str, role: str, provider: Provider | None = None) -> User:
    return user_create(
        username=username,
        password=PASSWORD,
        role=role,
        provider=provider,
        email=f"{username}@example.org",
        check_password=False,
    )


@pytest.fixture
def manager(program) -> User:
    return user_make("manager", Role.MANAGER)


@pytest.fixture
def officer(program) -> User:
    return user_make("officer", Role.OFFICER)


@pytest.fixture
def evaluator(program) -> User:
    return user_make("evaluator", Role.EVALUATOR)


@pytest.fixture
def auditor(program) -> User:
    return user_make("auditor", Role.AUDITOR)


@pytest.fixture
def staff_a(provider_a) -> User:
    return user_make("staff_a", Role.PROVIDER, provider_a)


@pytest.fixture
def staff_b(provider_b) -> User:
    return user_make("staff_b", Role.PROVIDER, provider_b)


@pytest.fixture
def login():
    """Return a function that gives a test client logged in as a user (in English)."""

    def log_in(user: User, language: str = "en") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def delivery_row(program):
    """Return a function making one valid delivery for a provider (override any field)."""
    lima = City.objects.get(name="Lima")
    garments = Sector.objects.get(code="garments")

    def make(provider, **overrides) -> DeliveryInput:
        values = {
            "provider": provider,
            "date": date(2003, 5, 12),
            "client_id": "44556677",
            "client_type": "micro",
            "client_gender": "female",
            "client_sector": garments,
            "client_city": lima,
            "service_type": "training",
            "service_name": "Costos para confeccionistas",
            "price": Decimal("30.00"),
            "paid_by_client": Decimal("20.00"),
            "paid_by_voucher": Decimal("10.00"),
            "voucher_code": "BP-0001",
        }
        return DeliveryInput(**{**values, **overrides})

    return make


class SmtpServer:
    """A real SMTP server on localhost (aiosmtpd) that keeps what it receives; it can be
    stopped and started again on the same port, as a mail server that goes down."""

    def __init__(self, settings) -> None:
        import socket

        from aiosmtpd.controller import Controller

        self.envelopes: list = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        server = self

        class Collect:
            async def handle_DATA(self, smtp, session, envelope):
                server.envelopes.append(envelope)
                return "250 Message accepted"

        # A stopped controller cannot start again: each start makes a new one.
        self._controller_for = lambda: Controller(Collect(), hostname="127.0.0.1", port=self.port)
        self._controller = None
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        self.running = False

    def start(self) -> None:
        self._controller = self._controller_for()
        self._controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running and self._controller is not None:
            self._controller.stop()
            self.running = False

    def messages(self) -> list:
        """Return what was received, parsed as e-mail messages (headers decoded)."""
        import email
        from email import policy

        return [
            email.message_from_bytes(e.original_content, policy=policy.default)
            for e in self.envelopes
        ]


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server on localhost that the site sends its mail through."""
    server = SmtpServer(settings)
    server.start()
    yield server
    server.stop()


# The demo program: loaded once per test run (per worker when the suite runs in parallel)
# into a saved copy, which each module that reads it gets back in a moment instead of
# loading it again (a load takes most of a minute). Its seed and size are those of the
# reference program's tests; they assert on the program's properties, not on one seed.
DEMO_SEED = 21
DEMO_ENTERPRISES = 600


class DemoTemplate:
    """The demo loaded once, kept beside the test database and put in it on demand.

    SQLite: the test database and the demo are copied page by page (the backup API) to and
    from two in-memory databases. PostgreSQL: the demo is a database of its own, made from
    the test database as a template, and the connection is pointed at it while a module
    reads it. Either way the test database is left as empty as it was.
    """

    seed = DEMO_SEED
    enterprises = DEMO_ENTERPRISES

    def __init__(self, blocker) -> None:
        from django.db import connection

        self.blocker = blocker
        self.connection = connection
        self.test_name = connection.settings_dict["NAME"]
        self.language = "es"  # the program's own, as `bdsmarket demo` loads it
        self._digest: str | None = None
        self.held = False  # whether the test database holds the demo now
        if connection.vendor == "sqlite":
            self._sqlite_load()
        else:
            self._postgresql_load()

    def _load(self) -> None:
        from bdsmarket.demo.services import demo_load

        with translation.override(self.language):
            demo_load(seed=self.seed, enterprises=self.enterprises)

    def _sqlite_load(self) -> None:
        import sqlite3

        self.connection.ensure_connection()
        raw = self.connection.connection
        self.empty = sqlite3.connect(":memory:", check_same_thread=False)
        raw.backup(self.empty)
        self._load()
        self.demo = sqlite3.connect(":memory:", check_same_thread=False)
        raw.backup(self.demo)
        self.empty.backup(raw)

    # PostgreSQL
    def _postgresql_execute(self, sql: str) -> None:
        self.connection.close()
        with self.connection._nodb_cursor() as cursor:
            cursor.execute(sql)

    def _postgresql_use(self, name: str) -> None:
        self.connection.close()
        self.connection.settings_dict["NAME"] = name

    def _postgresql_load(self) -> None:
        self.demo_name = f"{self.test_name}_demo"
        self._postgresql_execute(f'DROP DATABASE IF EXISTS "{self.demo_name}"')
        self._postgresql_execute(f'CREATE DATABASE "{self.demo_name}" TEMPLATE "{self.test_name}"')
        self._postgresql_use(self.demo_name)
        try:
            self._load()
        finally:
            self._postgresql_use(self.test_name)

    def put_in(self) -> None:
        """Make the test database hold the demo (every test still runs in a savepoint)."""
        self.held = True
        if self.connection.vendor == "sqlite":
            self.connection.ensure_connection()
            self.demo.backup(self.connection.connection)
        else:
            self._postgresql_use(self.demo_name)

    def take_out(self) -> None:
        """Give the test database back as empty as it was."""
        self.held = False
        if self.connection.vendor == "sqlite":
            self.connection.ensure_connection()
            self.empty.backup(self.connection.connection)
        else:
            self._postgresql_use(self.test_name)

    def digest(self) -> str:
        """Return `demo_digest()` of the loaded demo (computed once)."""
        from bdsmarket.demo.queries import demo_digest

        if self._digest is None and self.held:
            self._digest = demo_digest()
        elif self._digest is None:
            with self.blocker.unblock():
                self.put_in()
                try:
                    self._digest = demo_digest()
                finally:
                    self.take_out()
        return self._digest

    def drop(self) -> None:
        if self.connection.vendor == "sqlite":
            self.empty.close()
            self.demo.close()
        else:
            self._postgresql_execute(f'DROP DATABASE IF EXISTS "{self.demo_name}"')


@pytest.fixture(scope="session")
def demo_template(django_db_setup, django_db_blocker) -> Iterator[DemoTemplate]:
    """The demo program (seed DEMO_SEED, DEMO_ENTERPRISES enterprises), loaded once."""
    with django_db_blocker.unblock():
        template = DemoTemplate(django_db_blocker)
    yield template
    with django_db_blocker.unblock():
        template.drop()


@pytest.fixture(scope="module")
def demo_program(demo_template, django_db_blocker) -> Iterator[DemoTemplate]:
    """The demo program in the test database for a module's tests, which only read it: each
    test runs in a savepoint (`db`) that is rolled back. Use with the module's pytestmark
    `pytest.mark.usefixtures("demo_program", "db")` and `pytest.mark.xdist_group("demo")`,
    so that the tests reading the demo run on one worker, which loads it once.
    """
    with django_db_blocker.unblock():
        demo_template.put_in()
    yield demo_template
    with django_db_blocker.unblock():
        demo_template.take_out()
