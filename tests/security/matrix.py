# ruff: noqa: E501 (the table reads best one row to a line)
"""The permission matrix: who may use each page and API operation, declared in one table.

Each row names a route (a URL pattern's name, or an API operation as "METHOD /path") and a
method, how to build its URL from the objects of tests/security/world.py, and what each of
seven actors gets: the program's four roles, provider staff on their own provider's object,
the same staff on another provider's object, and an anonymous visitor.

    python -m tests.security.matrix > docs/security.md

prints the table as docs/security.md (tests/security/test_matrix.py fails when it is stale).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ACTORS = (
    "manager",
    "officer",
    "evaluator",
    "auditor",
    "provider_own",
    "provider_other",
    "anonymous",
)
# Who knocks for each actor, and whose objects they knock on (the side of world.py).
KNOCKS = {
    "manager": ("manager", "a"),
    "officer": ("officer", "a"),
    "evaluator": ("evaluator", "a"),
    "auditor": ("auditor", "a"),
    "provider_own": ("staff_a", "a"),
    "provider_other": ("staff_a", "b"),
    "anonymous": (None, "a"),
}

LOGIN = "login"  # a page sends to the login page (302); the API answers 401
Outcome = int | str
Args = Callable[[Any, Any, str | None], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    """One route and method, and what each actor of ACTORS gets, in that order."""

    route: str
    method: str
    expect: tuple[Outcome, ...]
    args: Args | None = None
    data: Any = None
    query: Args | None = None
    note: str = ""

    @property
    def api(self) -> bool:
        return self.route.startswith("/api/")

    @property
    def key(self) -> tuple[str, str]:
        return (self.route, self.method)

    def outcome(self, actor: str) -> Outcome:
        return self.expect[ACTORS.index(actor)]


def on(attribute: str, name: str = "pk") -> Args:
    """URL arguments naming the knocked side's object `attribute` (see world.Side)."""
    return lambda side, world, username: {name: getattr(side, attribute).pk}


def fixed(**kwargs: Any) -> Args:
    return lambda side, world, username: kwargs


def with_format(attribute: str, format: str) -> Args:
    return lambda side, world, username: {"pk": getattr(side, attribute).pk, "format": format}


def own_token(side, world, username: str | None) -> dict[str, Any]:
    """The knocker's own API token; provider staff on the other side knock on staff_b's."""
    owner = "staff_b" if side is world.sides["b"] else (username or "staff_a")
    return {"pk": world.tokens[owner].pk}


def scheme(side, world, username: str | None) -> dict[str, Any]:
    return {"pk": world.scheme.pk}


def api_scheme(side, world, username: str | None) -> dict[str, Any]:
    return {"scheme_id": world.scheme.pk}


def simulated(side, world, username: str | None) -> dict[str, Any]:
    return {"scheme": world.scheme.pk, "first": "2003-05", "last": "2003-05"}


def simulation(side, world, username: str | None) -> dict[str, Any]:
    return {"schemes": [world.scheme.pk], "first": "2003-05", "last": "2003-05"}


def delivery_of(side, world, username: str | None) -> list[dict[str, Any]]:
    return [
        {
            "provider_code": side.provider.code,
            "date": "2003-07-20",
            "client_id": "99887766",
            "client_type": "micro",
            "client_gender": "female",
            "client_sector": "garments",
            "client_city": "Lima",
            "service_type": "training",
            "price": "30.00",
            "paid_by_client": "30.00",
        }
    ]


def figures_of(side, world, username: str | None) -> dict[str, Any]:
    return {"first": "2003-05", "last": "2003-05", "providers": str(side.provider.pk)}


def benchmark_of(side, world, username: str | None) -> dict[str, Any]:
    return {"first": "2003-05", "last": "2003-05", "provider": side.provider.pk}


def costs_of(side, world, username: str | None) -> list[dict[str, Any]]:
    return [
        {
            "provider_code": side.provider.code,
            "month": "2003-07",
            "staff_costs": "10.00",
            "premises_costs": "1.00",
            "other_costs": "0",
            "other_income": "0",
        }
    ]


# fmt: off
ROWS: list[Row] = [
    Row("home", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("login", "GET", (302, 302, 302, 302, 302, 302, 200)),
    Row("login", "POST", (302, 302, 302, 302, 302, 302, 200), data={"username": "nobody", "password": "wrong"}),
    Row("logout", "POST", (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN), note="logging out leads to the login page"),
    Row("account", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("account", "POST", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("password_change", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("password_change", "POST", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("password_change_done", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("api_tokens", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("api_tokens", "POST", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("api_token_revoke", "POST", (302, 302, 302, 302, 302, 404, LOGIN), args=own_token, note="each person revokes their own tokens; another person's token is not found"),
    Row("set_language", "POST", (302, 302, 302, 302, 302, 302, 302), data={"language": "es"}),
    Row("admin:index", "GET", (200, 302, 302, 302, 302, 302, 302), note="everyone but the manager is sent to the admin's own login page"),
    Row("api:openapi-json", "GET", (200, 200, 200, 200, 200, 200, 200)),
    Row("api:openapi-view", "GET", (200, 200, 200, 200, 200, 200, 200)),
    Row("api:api-root", "GET", (302, 302, 302, 302, 302, 302, 302), note="leads to the API's documentation"),
    Row("imports:index", "GET", (200, 200, 403, 403, 200, 200, LOGIN)),
    Row("imports:job", "GET", (200, 404, 404, 404, 200, 404, LOGIN), args=on("import_job"), note="an import job is seen by the person who started it and by the manager"),
    Row("imports:upload", "GET", (200, 200, 403, 403, 200, 200, LOGIN), args=fixed(kind="enterprises")),
    Row("imports:upload", "POST", (200, 200, 403, 403, 200, 200, LOGIN), args=fixed(kind="enterprises")),
    Row("imports:template", "GET", (200, 200, 403, 403, 200, 200, LOGIN), args=fixed(kind="enterprises", language="en", format="csv")),
    Row("registry:provider_list", "GET", (200, 200, 200, 200, 302, 302, LOGIN), note="provider staff are led to their own provider"),
    Row("registry:provider_create", "GET", (200, 403, 403, 403, 403, 403, LOGIN)),
    Row("registry:provider_create", "POST", (200, 403, 403, 403, 403, 403, LOGIN)),
    Row("registry:provider_detail", "GET", (200, 200, 200, 200, 200, 404, LOGIN), args=on("provider")),
    Row("registry:provider_edit", "GET", (200, 403, 403, 403, 200, 404, LOGIN), args=on("provider")),
    Row("registry:provider_edit", "POST", (200, 403, 403, 403, 200, 404, LOGIN), args=on("provider")),
    Row("registry:provider_status", "GET", (200, 403, 403, 403, 403, 404, LOGIN), args=on("provider")),
    Row("registry:provider_status", "POST", (200, 403, 403, 403, 403, 404, LOGIN), args=on("provider")),
    Row("registry:service_create", "GET", (200, 403, 403, 403, 200, 404, LOGIN), args=on("provider")),
    Row("registry:service_create", "POST", (200, 403, 403, 403, 200, 404, LOGIN), args=on("provider")),
    Row("registry:service_edit", "GET", (200, 403, 403, 403, 200, 404, LOGIN), args=on("service")),
    Row("registry:service_edit", "POST", (200, 403, 403, 403, 200, 404, LOGIN), args=on("service")),
    Row("registry:enterprise_list", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("registry:enterprise_create", "GET", (200, 200, 403, 403, 200, 200, LOGIN)),
    Row("registry:enterprise_create", "POST", (200, 200, 403, 403, 200, 200, LOGIN)),
    Row("registry:enterprise_detail", "GET", (200, 200, 404, 200, 200, 404, LOGIN), args=on("enterprise")),
    Row("registry:enterprise_edit", "GET", (200, 200, 404, 403, 200, 404, LOGIN), args=on("enterprise")),
    Row("registry:enterprise_edit", "POST", (200, 200, 404, 403, 200, 404, LOGIN), args=on("enterprise")),
    Row("monitoring:index", "GET", (302, 302, 403, 302, 302, 302, LOGIN), note="each role is led to its own list of reports"),
    Row("monitoring:my_reports", "GET", (403, 403, 403, 403, 200, 200, LOGIN), note="the months of one's own provider: for provider staff only"),
    Row("monitoring:review_queue", "GET", (200, 200, 403, 200, 403, 403, LOGIN)),
    Row("monitoring:overdue", "GET", (200, 200, 403, 200, 403, 403, LOGIN)),
    Row("monitoring:rows", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("monitoring:month_open", "POST", (403, 403, 403, 403, 302, 302, LOGIN), data={"month": "2003-08"}),
    Row("monitoring:submission_detail", "GET", (200, 200, 404, 200, 200, 404, LOGIN), args=on("submitted")),
    Row("monitoring:delivery_create", "GET", (200, 200, 404, 403, 200, 404, LOGIN), args=on("draft")),
    Row("monitoring:delivery_create", "POST", (200, 200, 404, 403, 200, 404, LOGIN), args=on("draft")),
    Row("monitoring:training_create", "GET", (200, 200, 404, 403, 200, 404, LOGIN), args=on("draft")),
    Row("monitoring:training_create", "POST", (200, 200, 404, 403, 200, 404, LOGIN), args=on("draft")),
    Row("monitoring:cost_report_edit", "GET", (200, 200, 404, 403, 200, 404, LOGIN), args=on("draft")),
    Row("monitoring:cost_report_edit", "POST", (200, 200, 404, 403, 200, 404, LOGIN), args=on("draft")),
    Row("monitoring:submission_submit", "POST", (302, 302, 404, 403, 302, 404, LOGIN), args=on("draft")),
    Row("monitoring:submission_return", "POST", (302, 302, 404, 403, 403, 404, LOGIN), args=on("submitted"), data={"comment": "Check it"}),
    Row("monitoring:submission_approve", "POST", (302, 302, 404, 403, 403, 404, LOGIN), args=on("submitted")),
    Row("monitoring:submission_amend", "GET", (200, 200, 404, 403, 200, 404, LOGIN), args=on("approved")),
    Row("monitoring:submission_amend", "POST", (200, 200, 404, 403, 200, 404, LOGIN), args=on("approved")),
    Row("monitoring:submission_changes", "GET", (200, 200, 404, 200, 200, 404, LOGIN), args=on("approved")),
    Row("monitoring:delivery_detail", "GET", (200, 200, 404, 200, 200, 404, LOGIN), args=on("delivery")),
    Row("monitoring:delivery_edit", "GET", (200, 200, 404, 403, 200, 404, LOGIN), args=on("delivery")),
    Row("monitoring:delivery_edit", "POST", (200, 200, 404, 403, 200, 404, LOGIN), args=on("delivery")),
    Row("monitoring:delivery_delete", "POST", (302, 302, 404, 403, 302, 404, LOGIN), args=on("delivery")),
    Row("monitoring:warning_acknowledge", "POST", (302, 302, 404, 403, 403, 404, LOGIN), args=on("warning"), data={"comment": "Seen"}),
    Row("monitoring:verification", "GET", (200, 200, 404, 200, 403, 404, LOGIN), args=on("submitted")),
    Row("monitoring:verification_draw", "POST", (302, 302, 404, 403, 403, 404, LOGIN), args=on("submitted")),
    Row("monitoring:verification_check", "POST", (302, 302, 404, 403, 403, 404, LOGIN), args=on("check")),
    Row("indicators:index", "GET", (200, 200, 403, 200, 302, 302, LOGIN), note="provider staff are led to their own provider's dashboard"),
    Row("indicators:provider", "GET", (200, 200, 403, 200, 200, 404, LOGIN), args=on("provider")),
    Row("indicators:explore", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("indicators:explore_export", "GET", (200, 200, 403, 200, 200, 200, LOGIN), args=fixed(format="csv")),
    Row("indicators:rows", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("indicators:bulletins", "GET", (200, 200, 403, 200, 403, 403, LOGIN)),
    Row("indicators:bulletins_send", "POST", (302, 302, 403, 403, 403, 403, LOGIN), data={"month": "2003-05"}),
    Row("indicators:dispatch_resend", "POST", (302, 302, 403, 403, 403, 403, LOGIN), args=on("dispatch")),
    Row("indicators:bulletin_preview", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("incentives:index", "GET", (302, 302, 403, 302, 302, 302, LOGIN), note="each role is led to its own first page of incentives"),
    Row("incentives:statements", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("incentives:statements_compute", "POST", (302, 302, 403, 403, 403, 403, LOGIN), data={"month": "2003-05"}),
    Row("incentives:statements_approve", "POST", (302, 403, 403, 403, 403, 403, LOGIN)),
    Row("incentives:statements_export", "GET", (200, 200, 403, 200, 200, 200, LOGIN), args=fixed(format="csv"), data={"month": "2003-05"}),
    Row("incentives:statement_detail", "GET", (200, 200, 403, 200, 200, 404, LOGIN), args=on("statement")),
    Row("incentives:statement_approve", "POST", (302, 403, 403, 403, 403, 404, LOGIN), args=on("statement")),
    Row("incentives:batches", "GET", (200, 200, 403, 200, 403, 403, LOGIN)),
    Row("incentives:batch_create", "GET", (405, 405, 405, 405, 405, 405, LOGIN), note="a batch is made by sending the statements chosen on the list"),
    Row("incentives:batch_create", "POST", (302, 403, 403, 403, 403, 403, LOGIN)),
    Row("incentives:batch_detail", "GET", (200, 200, 403, 200, 403, 403, LOGIN), args=on("batch")),
    Row("incentives:batch_file", "GET", (200, 200, 403, 200, 403, 403, LOGIN), args=with_format("batch", "csv")),
    Row("incentives:batch_paid", "POST", (302, 403, 403, 403, 403, 403, LOGIN), args=on("batch")),
    Row("incentives:schemes", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("incentives:scheme_create", "GET", (200, 403, 403, 403, 403, 403, LOGIN)),
    Row("incentives:scheme_create", "POST", (200, 403, 403, 403, 403, 403, LOGIN)),
    Row("incentives:scheme_detail", "GET", (200, 200, 403, 200, 200, 200, LOGIN), args=scheme),
    Row("incentives:scheme_edit", "GET", (302, 403, 403, 403, 403, 403, LOGIN), args=scheme),
    Row("incentives:scheme_edit", "POST", (302, 403, 403, 403, 403, 403, LOGIN), args=scheme),
    Row("incentives:scheme_adopt", "POST", (302, 403, 403, 403, 403, 403, LOGIN), args=scheme),
    Row("incentives:simulator", "GET", (200, 200, 403, 200, 403, 403, LOGIN)),
    Row("incentives:simulator_export", "GET", (200, 200, 403, 200, 403, 403, LOGIN), args=fixed(format="csv"), data=simulated),
    Row("incentives:packages", "GET", (200, 200, 403, 200, 302, 302, LOGIN), note="provider staff are led to their own package"),
    Row("incentives:package_create", "GET", (200, 403, 403, 403, 403, 403, LOGIN)),
    Row("incentives:package_create", "POST", (200, 403, 403, 403, 403, 403, LOGIN)),
    Row("incentives:package_detail", "GET", (200, 200, 403, 200, 200, 404, LOGIN), args=on("package")),
    Row("incentives:package_bank", "GET", (200, 403, 403, 403, 403, 404, LOGIN), args=on("package")),
    Row("incentives:commitment_create", "GET", (200, 403, 403, 403, 403, 404, LOGIN), args=on("package")),
    Row("incentives:commitment_create", "POST", (200, 403, 403, 403, 403, 404, LOGIN), args=on("package")),
    Row("incentives:payment_create", "GET", (200, 403, 403, 403, 403, 404, LOGIN), args=on("package")),
    Row("incentives:payment_create", "POST", (200, 403, 403, 403, 403, 404, LOGIN), args=on("package")),
    Row("incentives:milestone_met", "POST", (302, 403, 403, 403, 403, 404, LOGIN), args=on("milestone"), data={"on": "2003-06-01"}),
    Row("/api/v1/me", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/me/token", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/cities", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/sectors", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/size-classes", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/providers", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/providers", "POST", (201, 403, 403, 403, 403, 403, LOGIN), data={"code": "CDE-NEW-01", "name": "Nuevo", "legal_type": "ngo", "city": "Lima"}),
    Row("/api/v1/providers/{provider_id}", "GET", (200, 200, 200, 200, 200, 404, LOGIN), args=on("provider", "provider_id")),
    Row("/api/v1/providers/{provider_id}", "PATCH", (200, 403, 403, 403, 200, 404, LOGIN), args=on("provider", "provider_id"), data={"description": "Changed"}),
    Row("/api/v1/providers/{provider_id}/status", "POST", (422, 403, 403, 403, 403, 404, LOGIN), args=on("provider", "provider_id"), data={"status": "suspended", "date": "2003-08-01", "reason": "Matrix"}),
    Row("/api/v1/providers/{provider_id}/status-history", "GET", (200, 200, 200, 200, 200, 404, LOGIN), args=on("provider", "provider_id")),
    Row("/api/v1/providers/{provider_id}/services", "GET", (200, 200, 200, 200, 200, 404, LOGIN), args=on("provider", "provider_id")),
    Row("/api/v1/providers/{provider_id}/services", "POST", (201, 403, 403, 403, 201, 404, LOGIN), args=on("provider", "provider_id"), data={"service_type": "training", "name": "Nuevo curso", "price": "12.00"}),
    Row("/api/v1/services", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/services/{service_id}", "GET", (200, 200, 200, 200, 200, 404, LOGIN), args=on("service", "service_id")),
    Row("/api/v1/services/{service_id}", "PATCH", (200, 403, 403, 403, 200, 404, LOGIN), args=on("service", "service_id"), data={"name": "Renamed"}),
    Row("/api/v1/enterprises", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("/api/v1/enterprises", "POST", (201, 201, 403, 403, 201, 201, LOGIN), data={"name": "Nueva", "client_type": "micro"}),
    Row("/api/v1/enterprises/{enterprise_id}", "GET", (200, 200, 403, 200, 200, 404, LOGIN), args=on("enterprise", "enterprise_id")),
    Row("/api/v1/enterprises/{enterprise_id}", "PATCH", (200, 200, 403, 403, 200, 404, LOGIN), args=on("enterprise", "enterprise_id"), data={"name": "Renamed"}),
    Row("/api/v1/organizations", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/deliveries", "POST", (200, 200, 403, 403, 200, 422, LOGIN), data=delivery_of, note="rows of another provider are refused as invalid, one detail per row, as in a file"),
    Row("/api/v1/deliveries", "GET", (200, 200, 200, 200, 200, 200, LOGIN), note="a list answers with what the person may see: none for an evaluator"),
    Row("/api/v1/costs", "POST", (200, 200, 403, 403, 200, 422, LOGIN), data=costs_of, note="reports of another provider are refused as invalid, one detail per report, as in a file"),
    Row("/api/v1/costs", "GET", (200, 200, 200, 200, 200, 200, LOGIN), note="a list answers with what the person may see: none for an evaluator"),
    Row("/api/v1/indicators", "GET", (200, 200, 403, 200, 200, 422, LOGIN), query=figures_of, note="another provider's figures, asked for by ID, are refused as an invalid filter"),
    Row("/api/v1/indicators/benchmark", "GET", (200, 200, 403, 200, 200, 422, LOGIN), query=benchmark_of, note="another provider's benchmark, asked for by ID, is refused as an invalid filter"),
    Row("/api/v1/indicators/definitions", "GET", (200, 200, 200, 200, 200, 200, LOGIN)),
    Row("/api/v1/incentives/statements", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("/api/v1/incentives/statements/{statement_id}", "GET", (200, 200, 403, 200, 200, 404, LOGIN), args=on("statement", "statement_id")),
    Row("/api/v1/incentives/schemes", "GET", (200, 200, 403, 200, 200, 200, LOGIN)),
    Row("/api/v1/incentives/schemes/{scheme_id}", "GET", (200, 200, 403, 200, 200, 200, LOGIN), args=api_scheme),
    Row("/api/v1/incentives/batches/{batch_id}", "GET", (200, 200, 403, 200, 403, 403, LOGIN), args=on("batch", "batch_id")),
    Row("/api/v1/incentives/simulations", "POST", (200, 200, 403, 200, 403, 403, LOGIN), data=simulation),
]
# fmt: on


def routes_declared() -> set[tuple[str, str]]:
    return {row.key for row in ROWS}


INTRO = """\
# Who may use which page and API operation

This table is the program's access rules as the test suite checks them: one test
(`tests/security/test_matrix.py`) sends every request below as each person and fails when
the answer differs from the table, when a page or an API operation has no row, or when a
row names one that is gone. So every new page declares who may use it. This file is
printed from the same table (`python -m tests.security.matrix > docs/security.md`) and a
test fails when it is stale.

## The rules behind it

- **Roles.** The program manager configures and edits everything; the monitoring officer
  reads every provider and reviews their reports; the evaluator reads providers and no
  client data; the auditor reads everything and changes nothing; provider staff see and
  keep their own provider's records only. README.md's roles table says what each may do.
- **Out of scope is "not found".** A record outside a person's scope answers 404, on a
  page and over the API alike, so that its existence is not given away; a record a person
  may see but not change answers 403. Lists show only what is in scope.
- **Log in.** Every page but the login page, the language switch and the API's
  documentation needs a login; an anonymous visitor is sent to the login page. The admin
  is the program manager's: it sends everyone else to its own login page (302). After five
  failed logins for a username within 15 minutes, further attempts are refused until the
  window passes. Passwords are hashed with Argon2.
- **API tokens.** The API takes a personal token (`Authorization: Bearer <key>`, made and
  revoked on the account page) or a browser session with its CSRF token, and answers 401
  without one. A token acts with its owner's role and scope, no more.
- **Nothing changes on a refusal.** For every write that a person is refused, the test
  also checks that no row of any table changed.

## How to read the table

Each row is one page or API operation and its method. The columns are the person who asks:
the four program roles, a provider's staff asking about their own provider's record
("provider, own"), the same staff asking about another provider's record ("provider,
other"; on a page that names no record, the same request), and an anonymous visitor.

| answer | meaning |
|---|---|
| 200, 201 | the page or answer (for a form sent empty, the form again with what is missing) |
| 302 | done, or led on to the right page (e.g. a provider's staff to their own provider) |
| 400, 422 | let in, but the request itself is refused as incomplete or wrong |
| 403 | refused: the person may see the record, or has no such right at all |
| 404 | not found: the record is outside the person's scope |
| 405 | the page does not answer this method |
| login | sent to log in (pages: 302 to the login page; API: 401) |

The records asked about are those of `tests/security/world.py`: each provider's approved,
submitted and draft months, a delivery, a warning, a verification check, an incentive
statement, a payment batch, a support package, an import job, a bulletin; the program's
scheme.
"""

HEADER = (
    "| route | method | manager | officer | evaluator | auditor | provider, own "
    "| provider, other | anonymous |\n|---|---|---|---|---|---|---|---|---|\n"
)

SECTIONS = (
    ("Home, login and account", lambda row: not row.api and ":" not in row.route),
    ("Admin", lambda row: row.route.startswith("admin:")),
    ("Imports", lambda row: row.route.startswith("imports:")),
    ("Registry", lambda row: row.route.startswith("registry:")),
    ("Monitoring", lambda row: row.route.startswith("monitoring:")),
    ("Indicators", lambda row: row.route.startswith("indicators:")),
    ("Incentives", lambda row: row.route.startswith("incentives:")),
    ("API documentation", lambda row: row.route.startswith("api:")),
    ("API operations (/api/v1/)", lambda row: row.api),
)


def _cell(outcome: Outcome) -> str:
    return str(outcome)


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """Yield (name, route) of every URL pattern of the site, namespaces walked."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern)


def _route(row: Row, paths: dict[str, str]) -> str:
    if row.api:
        return f"`{row.route.removeprefix('/api/v1')}`"
    path = "/" + paths.get(row.route, "")
    # A regular expression's route shows as its named groups, as a path() route would.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", path).replace("^", "").replace("$", "")
    path = path.replace("\\", "")
    return f"`{path}` ({row.route})"


def render() -> str:
    """Return docs/security.md: the rules, and the table grouped by area."""
    parts = [INTRO]
    paths = {name: route for name, route in url_patterns() if name}
    for title, belongs in SECTIONS:
        rows = [row for row in ROWS if belongs(row)]
        parts.append(f"\n## {title}\n\n{HEADER}")
        notes = []
        for row in rows:
            cells = " | ".join(_cell(row.outcome(actor)) for actor in ACTORS)
            mark = ""
            if row.note:
                notes.append(row.note)
                mark = f" [{len(notes)}]"
            parts.append(f"| {_route(row, paths)}{mark} | {row.method} | {cells} |\n")
        if notes:
            parts.append(
                "\n"
                + "".join(f"{n}. {note[0].upper()}{note[1:]}.\n" for n, note in enumerate(notes, 1))
            )
    return "".join(parts)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bdsmarket.settings")
    django.setup()
    print(render(), end="")
