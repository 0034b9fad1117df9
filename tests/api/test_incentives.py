"""Incentives over the API: statements with their lines, schemes, a payment batch and the
simulator, each figure checked against what was stored; one 422 per wrong value, in the
caller's language; and who sees what (another provider's statement is a 404, an evaluator
is refused)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bdsmarket.incentives import services
from bdsmarket.incentives.models import Statement
from bdsmarket.monitoring import services as monitoring
from tests.incentives import conftest as incentives
from tests.incentives.conftest import JUNE, MAY, PAID, WOMEN, scheme_make
from tests.reporting import report

from .helpers import assert_error, detail_at

# The approved months and the scheme of the incentive tests (tests/incentives/conftest.py).
months = incentives.months
scheme = incentives.scheme


@pytest.fixture
def computed(months, scheme, officer):
    """May and June computed: provider_a 55.00 and 65.00, provider_b 12.00 in May."""
    services.statements_compute(actor=officer, month=MAY)
    services.statements_compute(actor=officer, month=JUNE)
    return {
        (statement.provider.code, f"{statement.month:%Y-%m}"): statement
        for statement in Statement.objects.select_related("provider")
    }


def amended_may(officer, manager, staff_a, provider_a) -> Statement:
    """Approve provider_a's May, then amend the month (a row fewer) and compute it again:
    return the approved version, now superseded."""
    first = Statement.objects.get(provider=provider_a, month=MAY)
    services.statement_approve(actor=manager, statement=first)
    may = report(provider_a, MAY)
    monitoring.submission_amend(actor=staff_a, submission=may, reason="One row too many")
    monitoring.delivery_delete(actor=staff_a, delivery=may.deliveries.get(reference="A-2"))
    monitoring.submission_submit(actor=staff_a, submission=may)
    monitoring.submission_approve(actor=officer, submission=may)
    services.statements_compute(actor=officer, month=MAY)
    first.refresh_from_db()
    return first


def listed(response) -> list[tuple[str, str, int, str]]:
    assert response.status_code == 200, response.content
    return [
        (item["provider"]["code"], item["month"], item["version"], item["total"])
        for item in response.json()["items"]
    ]


# Statements


def test_the_list_gives_the_current_statements_latest_month_first(api_as, computed, auditor):
    response = api_as(auditor).get("/incentives/statements")

    assert response.json()["count"] == 3
    assert listed(response) == [
        ("CDE-LIM-01", "2003-06", 1, "65.00"),
        ("CDE-CIX-01", "2003-05", 1, "12.00"),
        ("CDE-LIM-01", "2003-05", 1, "55.00"),
    ]
    item = response.json()["items"][2]
    stored = computed[("CDE-LIM-01", "2003-05")]
    assert item["id"] == stored.pk
    assert item["scheme"] == {"id": stored.scheme_id, "code": "pic", "version": 1,
                              "name": "Pago por resultados", "status": "adopted"}  # fmt: skip
    assert (item["status"], item["difference"], item["on_time"]) == ("computed", "55.00", True)
    assert (item["supersedes"], item["superseded_by"], item["batch"]) == (None, None, None)


def test_the_list_filters_by_month_provider_and_status(
    api_as, computed, manager, provider_a, provider_b
):
    client = api_as(manager)
    services.statement_approve(actor=manager, statement=computed[("CDE-CIX-01", "2003-05")])

    assert [row[:2] for row in listed(client.get("/incentives/statements", {"month": "2003-05"}))
            ] == [("CDE-CIX-01", "2003-05"), ("CDE-LIM-01", "2003-05")]  # fmt: skip
    by_code = client.get("/incentives/statements", {"provider_code": "cde-lim-01"})
    assert [row[:2] for row in listed(by_code)] == [("CDE-LIM-01", "2003-06"),
                                                    ("CDE-LIM-01", "2003-05")]  # fmt: skip
    by_id = client.get("/incentives/statements", {"provider": provider_b.pk})
    assert [row[0] for row in listed(by_id)] == ["CDE-CIX-01"]
    approved = client.get("/incentives/statements", {"status": "approved"})
    assert listed(approved) == [("CDE-CIX-01", "2003-05", 1, "12.00")]


def test_superseded_versions_are_listed_only_when_asked(
    api_as, computed, officer, manager, staff_a, provider_a
):
    old = amended_may(officer, manager, staff_a, provider_a)
    client = api_as(manager)
    params = {"month": "2003-05", "provider_code": "CDE-LIM-01"}

    assert listed(client.get("/incentives/statements", params)) == [
        ("CDE-LIM-01", "2003-05", 2, "40.00")
    ]
    every = client.get("/incentives/statements", {**params, "include_superseded": "true"})
    assert listed(every) == [("CDE-LIM-01", "2003-05", 2, "40.00"),
                             ("CDE-LIM-01", "2003-05", 1, "55.00")]  # fmt: skip
    new, superseded = every.json()["items"]
    assert (new["supersedes"], new["difference"]) == (old.pk, "40.00")
    assert (superseded["status"], superseded["superseded_by"]) == ("superseded", new["id"])
    only_old = client.get("/incentives/statements", {**params, "status": "superseded"})
    assert [item["id"] for item in only_old.json()["items"]] == [old.pk]


def test_the_list_is_paged_in_the_same_few_queries_whatever_its_length(api_as, computed, manager):
    client = api_as(manager)
    first = client.get("/incentives/statements", {"limit": 1})
    assert (first.json()["count"], len(first.json()["items"])) == (3, 1)
    second = client.get("/incentives/statements", {"limit": 1, "offset": 1})
    assert listed(second) == [("CDE-CIX-01", "2003-05", 1, "12.00")]

    with CaptureQueriesContext(connection) as one:
        client.get("/incentives/statements", {"limit": 1, "offset": 1})
    with CaptureQueriesContext(connection) as every:
        client.get("/incentives/statements", {"limit": 50})
    assert len(every) <= len(one)


def test_a_statement_has_every_step_of_each_line(api_as, computed, manager):
    statement = computed[("CDE-LIM-01", "2003-05")]

    response = api_as(manager).get(f"/incentives/statements/{statement.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["month"], body["total"], body["program_year"]) == ("2003-05", "55.00", 1)
    paid, women = body["lines"]
    # 150.00 paid by clients x 0.30; two attentions to women x 5.00
    assert {key: paid[key] for key in ("rule_code", "kind", "base", "base_value", "counted",
                                       "rate", "gross", "year_factor", "penalty_keep",
                                       "before_caps", "cap", "amount", "reason")} == {
        "rule_code": "paid", "kind": "rate", "base": "paid_by_client", "base_value": "150.00",
        "counted": "150.00", "rate": "0.3", "gross": "45.00", "year_factor": "1",
        "penalty_keep": "1", "before_caps": "45.00", "cap": None, "amount": "45.00",
        "reason": "paid",
    }  # fmt: skip
    assert (paid["base_name"], paid["reason_text"]) == ("Income paid by clients", "Paid.")
    assert (women["base_value"], women["amount_per_unit"], women["amount"]) == (
        "2", "5.00", "10.00"
    )  # fmt: skip
    assert paid["rows_url"].startswith("https://testserver/")
    assert "indicator=paid_by_client" in paid["rows_url"]


def test_a_statement_reads_in_the_callers_language(api_as, computed, manager):
    statement = computed[("CDE-LIM-01", "2003-05")]

    body = api_as(manager, "es").get(f"/incentives/statements/{statement.pk}").json()

    assert body["lines"][0]["base_name"] == "Ingresos pagados por los clientes"


def test_a_month_that_is_not_one_is_refused_in_the_callers_language(api_as, computed, manager):
    english = assert_error(
        api_as(manager).get("/incentives/statements", {"month": "May 2003"}),
        422,
        "validation_error",
    )
    spanish = assert_error(
        api_as(manager, "es").get("/incentives/statements", {"month": "2003-13"}),
        422,
        "validation_error",
    )

    assert detail_at(english, "query", "month")["message"] == (
        "“May 2003” is not a month: use YYYY-MM."
    )
    assert detail_at(spanish, "query", "month")["message"] == (
        "“2003-13” no es un mes: use AAAA-MM."
    )


def test_an_unknown_status_lists_the_accepted_codes(api_as, computed, manager):
    error = assert_error(
        api_as(manager).get("/incentives/statements", {"status": "draft"}), 422, "validation_error"
    )

    detail = detail_at(error, "query", "status")
    assert detail["code"] == "enum"
    assert "computed, approved, paid, superseded" in detail["message"]


# Who sees what


def test_a_providers_token_sees_its_own_statements_only(api_as, computed, staff_a):
    client = api_as(staff_a)

    assert [row[0] for row in listed(client.get("/incentives/statements"))] == [
        "CDE-LIM-01",
        "CDE-LIM-01",
    ]
    assert listed(client.get("/incentives/statements", {"provider_code": "CDE-CIX-01"})) == []
    other = computed[("CDE-CIX-01", "2003-05")]
    error = assert_error(client.get(f"/incentives/statements/{other.pk}"), 404, "not_found")
    missing = assert_error(client.get("/incentives/statements/999999"), 404, "not_found")
    assert error["message"] == f"No incentive statement with ID {other.pk}."
    assert missing["message"] == "No incentive statement with ID 999999."
    own = computed[("CDE-LIM-01", "2003-05")]
    assert client.get(f"/incentives/statements/{own.pk}").status_code == 200


def test_an_evaluator_is_refused_every_incentive(api_as, computed, evaluator, scheme):
    client = api_as(evaluator)
    statement = computed[("CDE-LIM-01", "2003-05")]

    for path in (
        "/incentives/statements",
        f"/incentives/statements/{statement.pk}",
        "/incentives/schemes",
        f"/incentives/schemes/{scheme.pk}",
    ):
        error = assert_error(client.get(path), 403, "permission_denied")
        assert error["message"] == "Your role does not see incentives.", path
    body = {"schemes": [scheme.pk], "first": "2003-05", "last": "2003-06"}
    assert_error(client.post("/incentives/simulations", body), 403, "permission_denied")


def test_an_outsider_is_asked_to_authenticate(api_as, computed):
    assert_error(api_as(None).get("/incentives/statements"), 401, "not_authenticated")


# Schemes


def test_schemes_are_listed_with_their_rules_and_drafts_hidden_from_providers(
    api_as, months, scheme, manager, staff_a
):
    draft = scheme_make(manager, PAID, adopt=False, effective_from=date(2003, 7, 1))

    every = api_as(manager).get("/incentives/schemes").json()
    theirs = api_as(staff_a).get("/incentives/schemes").json()

    assert [(item["id"], item["version"], item["status"]) for item in every["items"]] == [
        (draft.pk, 2, "draft"),
        (scheme.pk, 1, "adopted"),
    ]
    assert [item["id"] for item in theirs["items"]] == [scheme.pk]
    rules = theirs["items"][0]["rules"]
    assert [(rule["code"], rule["rate"], rule["amount_per_unit"]) for rule in rules] == [
        ("paid", "0.3", None),
        ("women", None, "5.00"),
    ]
    drafts = api_as(manager).get("/incentives/schemes", {"status": "draft"}).json()
    assert [item["id"] for item in drafts["items"]] == [draft.pk]


def test_a_scheme_is_one_version_and_a_draft_is_a_404_for_providers(
    api_as, months, scheme, manager, staff_a
):
    draft = scheme_make(manager, PAID, adopt=False, effective_from=date(2003, 7, 1))

    adopted = api_as(staff_a).get(f"/incentives/schemes/{scheme.pk}")
    hidden = api_as(staff_a).get(f"/incentives/schemes/{draft.pk}")

    assert adopted.status_code == 200
    body = adopted.json()
    assert (body["code"], body["effective_from"], body["effective_to"]) == (
        "pic", "2003-01-01", None
    )  # fmt: skip
    assert (body["penalty_measure"], body["penalty_bands"], body["unverified_keep"]) == (
        "income", [], "1"
    )  # fmt: skip
    assert_error(hidden, 404, "not_found")
    assert api_as(manager).get(f"/incentives/schemes/{draft.pk}").json()["status"] == "draft"


# Payment batches


def test_a_batch_gives_its_transfers_and_statements_to_the_program(
    api_as, computed, manager, auditor, staff_a, provider_a
):
    for code in ("CDE-CIX-01", "CDE-LIM-01"):
        services.statement_approve(actor=manager, statement=computed[(code, "2003-05")])
    package = provider_a.package
    package.bank_name, package.bank_account = "Banco de la Nación", "00-123-456789"
    package.save()
    batch = services.payment_batch_create(actor=manager)

    response = api_as(auditor).get(f"/incentives/batches/{batch.pk}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["created_by"], body["paid_on"]) == ("67.00", "manager", None)
    assert [(t["provider"]["code"], t["amount"], t["direction"], t["bank"])
            for t in body["transfers"]] == [
        ("CDE-CIX-01", "12.00", "pay", ""),
        ("CDE-LIM-01", "55.00", "pay", "Banco de la Nación"),
    ]  # fmt: skip
    assert sorted(item["id"] for item in body["statements"]) == sorted(
        Statement.objects.filter(batch=batch).values_list("pk", flat=True)
    )
    assert_error(api_as(staff_a).get(f"/incentives/batches/{batch.pk}"), 403, "permission_denied")
    assert_error(api_as(manager).get("/incentives/batches/999999"), 404, "not_found")


# The simulator


def test_a_simulation_answers_what_each_provider_would_have_been_paid(
    api_as, months, manager, officer
):
    generous = scheme_make(manager, PAID, WOMEN, adopt=False)
    thrifty = scheme_make(manager, PAID, adopt=False, code="thrifty")

    response = api_as(officer).post(
        "/incentives/simulations",
        {"schemes": [generous.pk, thrifty.pk], "first": "2003-05", "last": "2003-06"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    # provider_a: May 45.00 + 10.00, June 60.00 + 5.00; provider_b: May 12.00
    assert [(s["code"], s["total"], s["by_rule"]) for s in body["schemes"]] == [
        ("pic", "132.00", {"paid": "117.00", "women": "15.00"}),
        ("thrifty", "117.00", {"paid": "117.00"}),
    ]
    assert (body["totals"], body["difference"]) == (["132.00", "117.00"], "-15.00")
    lima = body["providers"][1]
    assert (lima["provider"]["code"], lima["totals"], lima["difference"]) == (
        "CDE-LIM-01", ["120.00", "105.00"], "-15.00"
    )  # fmt: skip
    assert lima["months"] == [
        {"month": "2003-05", "amounts": ["55.00", "45.00"]},
        {"month": "2003-06", "amounts": ["65.00", "60.00"]},
    ]
    assert not Statement.objects.exists()


def test_a_simulation_may_keep_to_some_providers(api_as, months, manager):
    generous = scheme_make(manager, PAID, WOMEN, adopt=False)

    body = api_as(manager).post(
        "/incentives/simulations",
        {"schemes": [generous.pk], "first": "2003-05", "last": "2003-05",
         "providers": ["cde-cix-01"]},
    ).json()  # fmt: skip

    assert [p["provider"]["code"] for p in body["providers"]] == ["CDE-CIX-01"]
    assert (body["totals"], body["difference"]) == (["12.00"], None)


@pytest.mark.parametrize(
    ("change", "loc", "code", "english", "spanish"),
    [
        ({"schemes": [999999]}, ["body", "schemes", 0], "unknown_scheme",
         "No incentive scheme with ID 999999.", "No hay esquema de incentivos con ID 999999."),
        ({"first": "2003/05"}, ["body", "first"], "invalid",
         "“2003/05” is not a month: use YYYY-MM.", "“2003/05” no es un mes: use AAAA-MM."),
        ({"last": "2003-04"}, ["body", "last"], "invalid",
         "The period ends before it begins.", "El periodo termina antes de empezar."),
        ({"providers": ["CDE-XXX-99"]}, ["body", "providers", 0], "unknown_provider",
         "No provider has the code “CDE-XXX-99”.", None),
        ({"schemes": []}, ["body", "schemes"], "invalid",
         "Give one scheme, or two to compare them.", None),
        ({"colour": "red"}, ["body", "colour"], "extra_forbidden",
         "Unknown field: leave it out or check its spelling.",
         "Campo desconocido: omítalo o revise cómo está escrito."),
    ],
)  # fmt: skip
def test_a_wrong_simulation_is_refused_at_its_field_in_the_callers_language(
    api_as, months, scheme, manager, change, loc, code, english, spanish
):
    body = {"schemes": [scheme.pk], "first": "2003-05", "last": "2003-06", **change}

    answers = {
        language: assert_error(
            api_as(manager, language).post("/incentives/simulations", body),
            422,
            "validation_error",
        )
        for language in ("en", "es")
    }

    detail = detail_at(answers["en"], *loc)
    assert (detail["code"], detail["message"]) == (code, english)
    if spanish is not None:  # None: a message whose translation is still to come
        assert detail_at(answers["es"], *loc)["message"] == spanish


def test_only_the_programs_readers_simulate(api_as, months, scheme, staff_a, auditor):
    body = {"schemes": [scheme.pk], "first": "2003-05", "last": "2003-05"}

    error = assert_error(
        api_as(staff_a).post("/incentives/simulations", body), 403, "permission_denied"
    )

    assert error["message"] == "Your role does not simulate schemes."
    assert api_as(auditor).post("/incentives/simulations", body).status_code == 200


def test_the_same_scheme_twice_is_no_comparison(api_as, months, scheme, manager):
    body = {"schemes": [scheme.pk, scheme.pk], "first": "2003-05", "last": "2003-05"}

    error = assert_error(
        api_as(manager).post("/incentives/simulations", body), 422, "validation_error"
    )

    assert detail_at(error, "body", "schemes", 1)["code"] == "invalid"


def test_statuses_are_the_models(api_as):
    from bdsmarket.incentives.api import SchemeStatus, StatementStatus
    from bdsmarket.incentives.models import IncentiveScheme

    assert [s.value for s in StatementStatus] == Statement.Status.values
    assert [s.value for s in SchemeStatus] == IncentiveScheme.Status.values


def test_amounts_are_decimal_strings(api_as, computed, manager):
    body = api_as(manager).get("/incentives/statements").json()

    assert all(D(item["total"]) == computed[(item["provider"]["code"], item["month"])].total
               for item in body["items"])  # fmt: skip


def test_a_browser_session_simulates_only_with_the_csrf_token(session_as, months, scheme, manager):
    body = {"schemes": [scheme.pk], "first": "2003-05", "last": "2003-05"}

    assert_error(session_as(manager).post("/incentives/simulations", body), 403, "csrf_failed")
