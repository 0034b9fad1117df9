"""The indicators over the API: the engine's figures, the scope as understood, one 422 per
wrong parameter, names in the caller's language, and each role's reach."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bdsmarket.indicators import definitions
from bdsmarket.indicators.models import Basis
from bdsmarket.indicators.queries import Scope, benchmarks_compute, indicators_compute
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission
from bdsmarket.registry import services as registry
from bdsmarket.registry.models import City, LegalType, ProviderStatus, Sector
from tests.reporting import approve_month

from .helpers import assert_error, detail_at

MAY, JUNE = date(2003, 5, 1), date(2003, 6, 1)
IDS = ["attentions", "clients", "income", "repeat_rate", "end_user_share", "average_price"]
SPAN = {"first": "2003-05", "last": "2003-06"}


@pytest.fixture
def reported(officer, provider_a, provider_b, delivery_row, chiclayo):
    """May and June 2003 approved for both providers: a repeat client at A, a Chiclayo
    client at B, one free attention."""
    approve_month(officer, provider_a, MAY, [
        delivery_row(provider_a, reference="A-1"),
        delivery_row(provider_a, reference="A-2", client_id="C-9", client_gender="male",
                     price=Decimal("50.00"), paid_by_client=Decimal("50.00"),
                     paid_by_voucher=Decimal(0), voucher_code=""),
    ])  # fmt: skip
    approve_month(
        officer,
        provider_a,
        JUNE,
        [
            delivery_row(provider_a, date=date(2003, 6, 3), reference="A-3"),
        ],
    )
    approve_month(officer, provider_b, MAY, [
        delivery_row(provider_b, reference="B-1", client_id="10203040", client_city=chiclayo,
                     client_type="small", price=Decimal(0), paid_by_client=Decimal(0),
                     paid_by_voucher=Decimal(0), voucher_code=""),
        delivery_row(provider_b, reference="B-2", client_id="B-7", client_city=chiclayo,
                     client_type="institution", service_type="technical_assistance",
                     price=Decimal("120.00"),
                     paid_by_client=Decimal("40.00"), paid_by_voucher=Decimal(0),
                     paid_by_third_party=Decimal("80.00"), voucher_code=""),
    ])  # fmt: skip


def engine(ids=IDS, group_by=(), providers=None, filters=None, first=MAY, last=JUNE):
    scope = Scope(first, last, providers=providers, filters=filters or {})
    return indicators_compute(scope, ids, group_by)


def as_number(value):
    return value if value is None or isinstance(value, int) else Decimal(value)


def assert_same_values(answered: dict, computed: dict):
    assert set(answered) == set(computed)
    for indicator_id, value in computed.items():
        assert as_number(answered[indicator_id]) == value, indicator_id
        if definitions.BY_ID[indicator_id].unit in (
            definitions.Unit.COUNT,
            definitions.Unit.PEOPLE,
        ):
            assert isinstance(answered[indicator_id], int), indicator_id
        elif value is not None:
            assert isinstance(answered[indicator_id], str), indicator_id


# The figures


def test_the_figures_are_the_engines_grouped_by_provider(api_as, manager, reported):
    response = api_as(manager).get(
        "/indicators", {**SPAN, "ids": ",".join(IDS), "group_by": "provider"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    computed = engine(group_by=["provider"])
    assert [group["key"] for group in body["groups"]] == [
        {"provider": group.key[0]} for group in computed.groups
    ]
    for answered, group in zip(body["groups"], computed.groups, strict=True):
        assert_same_values(answered["values"], group.values)
        assert {k: Decimal(v) for k, v in answered["shares"].items()} == group.shares
    assert_same_values(body["total"]["values"], computed.total.values)
    assert body["total"]["values"]["attentions"] == 5
    assert body["total"]["values"]["income"] == "230.00"
    assert [i["id"] for i in body["indicators"]] == IDS


def test_it_answers_the_scope_as_understood(api_as, manager, provider_a, reported, lima):
    response = api_as(manager).get(
        "/indicators",
        {**SPAN, "ids": "attentions", "client_city": "LIMA", "client_sector": "Confecciones",
         "providers": str(provider_a.pk)},
    )  # fmt: skip

    body = response.json()
    garments = Sector.objects.get(code="garments")
    assert body["scope"] == {
        "first": "2003-05",
        "last": "2003-06",
        "period": "2003-05..2003-06",
        "providers": [{"id": provider_a.pk, "code": "CDE-LIM-01", "name": "Centro Lima Norte"}],
        "filters": {
            "client_city": [{"value": lima.pk, "label": "Lima"}],
            "client_sector": [{"value": "garments", "label": "Garments"}],
        },
    }
    assert body["basis"] == "approved"
    assert body["includes_unapproved"] is False
    assert body["has_data"] is True
    assert body["cut_off"].endswith("Z")
    assert body["currency"] == "USD"
    computed = engine(
        ["attentions"],
        providers=frozenset({provider_a.pk}),
        filters={"client_city": {str(lima.pk)}, "client_sector": {str(garments.pk)}},
    )
    assert (
        body["total"]["values"]
        == {"attentions": computed.total.values["attentions"]}
        == {"attentions": 3}
    )


def test_groups_are_keyed_by_identifiers_and_labelled_for_people(api_as, manager, reported):
    response = api_as(manager).get(
        "/indicators", {**SPAN, "ids": "attentions", "group_by": "client_sector,month"}
    )

    groups = response.json()["groups"]
    assert groups[0]["key"] == {"client_sector": "garments", "month": "2003-05"}
    assert groups[0]["labels"] == {"client_sector": "Garments", "month": "2003-05"}
    assert groups[0]["values"] == {"attentions": 4}
    assert [group["key"]["month"] for group in groups] == ["2003-05", "2003-06"]


def test_quarters_years_and_choices_have_their_own_keys(api_as, manager, reported):
    client = api_as(manager)
    by_quarter = client.get("/indicators", {**SPAN, "ids": "attentions", "group_by": "quarter"})
    by_type = client.get("/indicators", {**SPAN, "ids": "income", "group_by": "client_type"})

    assert by_quarter.json()["groups"][0]["key"] == {"quarter": "2003-Q2"}
    types = {group["key"]["client_type"]: group for group in by_type.json()["groups"]}
    assert types["small"]["labels"] == {"client_type": "Small enterprise"}
    assert types["small"]["values"] == {"income": "0.00"}
    assert Decimal(types["micro"]["shares"]["income"]) == Decimal("110.00") / Decimal("230.00")


def test_a_figure_that_is_not_defined_is_null(api_as, manager, reported):
    response = api_as(manager).get(
        "/indicators", {"first": "2001-01", "last": "2001-12", "ids": "attentions,repeat_rate"}
    )

    body = response.json()
    assert body["has_data"] is False
    assert body["total"]["values"] == {"attentions": 0, "repeat_rate": None}


def test_every_available_indicator_is_given_by_default(api_as, manager, reported):
    body = api_as(manager).get("/indicators", SPAN).json()

    assert [i["id"] for i in body["indicators"]] == [i.id for i in definitions.AVAILABLE]
    assert_same_values(
        body["total"]["values"], engine([i.id for i in definitions.AVAILABLE]).total.values
    )


def test_the_reported_basis_counts_submitted_months_and_says_so(
    api_as, manager, officer, provider_a, delivery_row, reported
):
    july = date(2003, 7, 1)
    rows = [delivery_row(provider_a, date=date(2003, 7, 8), reference="A-7")]
    services.deliveries_store(actor=officer, rows=rows, source="api")
    submission = Submission.objects.get(provider=provider_a, period__month=july)
    services.submission_submit(actor=officer, submission=submission)
    client = api_as(manager)
    span = {"first": "2003-07", "last": "2003-07", "ids": "attentions"}

    approved = client.get("/indicators", span).json()
    reported_too = client.get("/indicators", {**span, "basis": "reported"}).json()

    assert approved["total"]["values"] == {"attentions": 0}
    assert approved["includes_unapproved"] is False
    assert reported_too["total"]["values"] == {"attentions": 1}
    assert reported_too["basis"] == "reported"
    assert reported_too["includes_unapproved"] is True
    scope = Scope(july, july, basis=Basis.REPORTED)
    assert indicators_compute(scope, ["attentions"]).total.values["attentions"] == 1


# Wrong parameters: 422 naming the parameter


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({"ids": "attentions,bogus"}, "ids", "unknown_indicator"),
        ({"ids": "vouchers_issued"}, "ids", "unknown_indicator"),
        ({"group_by": "planet"}, "group_by", "unknown_grouping"),
        ({"group_by": "month,year"}, "group_by", "unknown_grouping"),
        ({"first": "2003-13"}, "first", "invalid"),
        ({"last": "May 2003"}, "last", "invalid"),
        ({"first": "2003-07", "last": "2003-06"}, "last", "invalid"),
        ({"basis": "final"}, "basis", "enum"),
        ({"client_type": "micro,giant"}, "client_type", "enum"),
        ({"client_gender": "femme"}, "client_gender", "enum"),
        ({"service_type": "magic"}, "service_type", "enum"),
        ({"client_city": "Macondo"}, "client_city", "unknown_city"),
        ({"client_sector": "Piracy"}, "client_sector", "unknown_sector"),
        ({"providers": "one"}, "providers", "invalid"),
        ({"providers": "999999"}, "providers", "unknown_provider"),
    ],
)
def test_a_wrong_parameter_is_a_422_naming_it(api_as, manager, program, params, parameter, code):
    response = api_as(manager).get("/indicators", {**SPAN, **params})

    error = assert_error(response, 422, "validation_error")
    detail = detail_at(error, "query", parameter)
    assert detail["code"] == code
    assert detail["message"]


@pytest.mark.parametrize("missing", ["first", "last"])
def test_the_months_are_required(api_as, manager, program, missing):
    params = {key: value for key, value in SPAN.items() if key != missing}

    error = assert_error(api_as(manager).get("/indicators", params), 422, "validation_error")
    assert detail_at(error, "query", missing)["code"] == "missing"


@pytest.mark.parametrize(
    ("params", "parameter", "code"),
    [
        ({"ids": "nothing"}, "ids", "unknown_indicator"),
        ({"peer_group": "planet"}, "peer_group", "enum"),
        ({"peer_group": "city"}, "provider", "missing"),
        ({"provider": "999999"}, "provider", "unknown_provider"),
        ({"first": "2003"}, "first", "invalid"),
    ],
)
def test_a_wrong_benchmark_parameter_is_a_422_naming_it(
    api_as, manager, program, params, parameter, code
):
    response = api_as(manager).get("/indicators/benchmark", {**SPAN, **params})

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "query", parameter)["code"] == code


# Language


def test_names_and_definitions_follow_accept_language(api_as, manager, reported):
    english = api_as(manager, "en").get("/indicators", {**SPAN, "ids": "attentions"}).json()
    spanish = api_as(manager, "es").get("/indicators", {**SPAN, "ids": "attentions"}).json()

    assert english["indicators"][0]["name"] == "Attentions"
    assert spanish["indicators"][0]["name"] == "Atenciones"
    assert spanish["indicators"][0]["formula"] == english["indicators"][0]["formula"]


def test_labels_follow_accept_language(api_as, manager, reported):
    body = (
        api_as(manager, "es")
        .get("/indicators", {**SPAN, "ids": "attentions", "group_by": "client_sector"})
        .json()
    )

    assert body["groups"][0]["labels"] == {"client_sector": "Confecciones"}


def test_error_messages_follow_accept_language(api_as, manager, program):
    response = api_as(manager, "es").get("/indicators", {**SPAN, "client_type": "giant"})

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "query", "client_type")["message"].startswith(
        "“giant” no es uno de los códigos aceptados"
    )


# Who sees what


def test_provider_staff_get_their_own_provider_only(api_as, staff_a, provider_a, reported):
    body = api_as(staff_a).get("/indicators", {**SPAN, "ids": ",".join(IDS)}).json()

    assert body["scope"]["providers"] == [
        {"id": provider_a.pk, "code": "CDE-LIM-01", "name": "Centro Lima Norte"}
    ]
    assert_same_values(
        body["total"]["values"], engine(providers=frozenset({provider_a.pk})).total.values
    )
    assert body["total"]["values"]["attentions"] == 3


def test_provider_staff_grouping_by_provider_see_one_group(api_as, staff_a, provider_a, reported):
    body = (
        api_as(staff_a)
        .get("/indicators", {**SPAN, "ids": "attentions", "group_by": "provider"})
        .json()
    )

    assert [group["key"] for group in body["groups"]] == [{"provider": provider_a.pk}]


def test_another_providers_id_is_answered_like_a_missing_one(api_as, staff_a, provider_b, reported):
    asked = api_as(staff_a).get("/indicators", {**SPAN, "providers": str(provider_b.pk)})
    missing = api_as(staff_a).get("/indicators", {**SPAN, "providers": "999999"})

    for response, provider_id in ((asked, provider_b.pk), (missing, 999999)):
        error = assert_error(response, 422, "validation_error")
        detail = detail_at(error, "query", "providers")
        assert detail["code"] == "unknown_provider"
        assert detail["message"] == f"No provider with ID {provider_id}."


def test_program_staff_and_auditors_see_every_provider(
    api_as, officer, auditor, provider_a, provider_b, reported
):
    for user in (officer, auditor):
        body = (
            api_as(user)
            .get("/indicators", {**SPAN, "ids": "attentions", "group_by": "provider"})
            .json()
        )
        assert [group["key"]["provider"] for group in body["groups"]] == sorted(
            [provider_a.pk, provider_b.pk]
        )


@pytest.mark.parametrize("path", ["/indicators", "/indicators/benchmark"])
def test_evaluators_are_refused(api_as, evaluator, reported, path):
    response = api_as(evaluator).get(path, SPAN)

    assert_error(response, 403, "permission_denied")


@pytest.mark.parametrize(
    "path", ["/indicators", "/indicators/benchmark", "/indicators/definitions"]
)
def test_anonymous_callers_are_refused(api_as, program, path):
    assert_error(api_as(None).get(path, SPAN), 401, "not_authenticated")


# Benchmarks


def test_program_staff_see_the_peers_by_name_with_the_engines_figures(
    api_as, manager, provider_a, provider_b, reported
):
    response = api_as(manager).get(
        "/indicators/benchmark", {**SPAN, "ids": "attentions,end_user_share"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["peers"] == 2
    assert body["provider"] is None
    computed = benchmarks_compute(MAY, JUNE, ["attentions", "end_user_share"])
    for item, benchmark in zip(body["benchmarks"], computed, strict=True):
        assert item["indicator"]["id"] == benchmark.indicator.id
        assert Decimal(item["median"]) == benchmark.spread.median
        assert Decimal(item["lower_quartile"]) == benchmark.spread.lower_quartile
        assert Decimal(item["upper_quartile"]) == benchmark.spread.upper_quartile
        assert item["count"] == benchmark.spread.count
        for peer in item["peers"]:
            standing = benchmark.standings[peer["provider"]["id"]]
            assert as_number(peer["value"]) == standing.value
            assert peer["rank"] == standing.rank
    attentions = body["benchmarks"][0]["peers"]
    assert [(peer["provider"]["code"], peer["rank"]) for peer in attentions] == [
        ("CDE-LIM-01", 1),
        ("CDE-CIX-01", 2),
    ]
    assert all(len(peer["pseudonym"]) == 6 for peer in attentions)


def test_provider_staff_see_their_peers_under_pseudonyms(
    api_as, staff_a, provider_a, provider_b, reported
):
    response = api_as(staff_a).get("/indicators/benchmark", {**SPAN, "ids": "attentions"})

    body = response.json()
    assert body["provider"]["id"] == provider_a.pk
    peers = body["benchmarks"][0]["peers"]
    own = [peer for peer in peers if peer["own"]]
    others = [peer for peer in peers if not peer["own"]]
    assert [peer["provider"]["code"] for peer in own] == ["CDE-LIM-01"]
    assert len(others) == 1 and others[0]["provider"] is None
    assert others[0]["value"] == 2 and others[0]["rank"] == 2
    content = response.content.decode()
    assert provider_b.code not in content
    assert provider_b.name not in content
    assert f'"id": {provider_b.pk},' not in content


def test_a_providers_pseudonym_is_the_same_for_every_reader(
    api_as, manager, staff_a, provider_b, reported
):
    def pseudonym_of_b(user):
        peers = api_as(user).get("/indicators/benchmark", {**SPAN, "ids": "attentions"}).json()
        ranked = peers["benchmarks"][0]["peers"]
        return next(peer["pseudonym"] for peer in ranked if peer["rank"] == 2)

    assert pseudonym_of_b(manager) == pseudonym_of_b(staff_a)


def test_provider_staff_may_not_benchmark_another_provider(api_as, staff_a, provider_b, reported):
    response = api_as(staff_a).get(
        "/indicators/benchmark", {**SPAN, "provider": str(provider_b.pk)}
    )

    error = assert_error(response, 422, "validation_error")
    assert detail_at(error, "query", "provider")["code"] == "unknown_provider"


def test_a_city_peer_group_compares_the_providers_of_its_city(
    api_as, manager, provider_a, reported
):
    body = (
        api_as(manager)
        .get(
            "/indicators/benchmark",
            {**SPAN, "ids": "attentions", "peer_group": "city", "provider": str(provider_a.pk)},
        )
        .json()
    )

    assert body["peers"] == 1
    assert [peer["own"] for peer in body["benchmarks"][0]["peers"]] == [True]


# Definitions


def test_the_definitions_list_every_indicator_in_the_callers_language(api_as, evaluator):
    definition = str(definitions.BY_ID["attentions"].definition)
    english = api_as(evaluator).get("/indicators/definitions").json()
    spanish = api_as(evaluator, "es").get("/indicators/definitions").json()

    assert [item["id"] for item in english] == [i.id for i in definitions.ALL]
    by_id = {item["id"]: item for item in english}
    assert by_id["vouchers_issued"]["available"] is False
    assert by_id["attentions"] == {
        "id": "attentions",
        "family": "scale",
        "family_name": "Scale and service mix",
        "name": "Attentions",
        "definition": definition,
        "formula": "attentions",
        "unit": "count",
        "direction": "up",
        "source": "facts",
        "available": True,
        "ranked": True,
    }
    assert spanish[0]["name"] == "Atenciones"


# Query counts do not grow with the providers


def _more_providers(officer, delivery_row, count):
    lima = City.objects.get(name="Lima")
    for number in range(count):
        provider = registry.provider_create(
            actor=None,
            code=f"CDE-X-{number:02d}",
            name=f"Centro {number}",
            legal_type=LegalType.FIRM,
            city=lima,
            status=ProviderStatus.ACTIVE,
        )
        approve_month(officer, provider, MAY, [delivery_row(provider, reference=f"X-{number}")])


def _queries(client, path, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("path", "params", "providers"),
    [
        ("/indicators", {**SPAN, "group_by": "provider,client_city"}, 7),
        ("/indicators", {**SPAN, "group_by": "provider", "client_sector": "garments"}, 7),
        # two dimensions at once: read from the rows; Chiclayo's provider has no Lima client
        ("/indicators", {**SPAN, "group_by": "provider,client_type", "client_city": "Lima"}, 6),
        ("/indicators/benchmark", SPAN, 7),
    ],
)
def test_the_queries_do_not_grow_with_the_providers(
    api_as,
    manager,
    officer,
    delivery_row,
    reported,
    django_assert_max_num_queries,
    path,
    params,
    providers,
):
    client = api_as(manager)
    few = _queries(client, path, params)
    _more_providers(officer, delivery_row, 5)

    with django_assert_max_num_queries(few):
        response = client.get(path, params)
    assert response.status_code == 200
    body = response.json()
    if "groups" in body:
        assert len({group["key"]["provider"] for group in body["groups"]}) == providers
    else:
        assert body["peers"] == providers


def test_provider_staff_benchmark_queries_do_not_grow_with_the_providers(
    api_as, staff_a, officer, delivery_row, reported, django_assert_max_num_queries
):
    client = api_as(staff_a)
    few = _queries(client, "/indicators/benchmark", SPAN)
    _more_providers(officer, delivery_row, 5)

    with django_assert_max_num_queries(few):
        assert client.get("/indicators/benchmark", SPAN).status_code == 200


def test_an_empty_filter_is_no_filter_and_a_repeated_id_counts_once(api_as, manager, reported):
    body = (
        api_as(manager)
        .get("/indicators", {**SPAN, "ids": "attentions,attentions", "client_type": ""})
        .json()
    )

    assert [indicator["id"] for indicator in body["indicators"]] == ["attentions"]
    assert body["scope"]["filters"] == {}
    assert body["total"]["values"] == {"attentions": 5}
