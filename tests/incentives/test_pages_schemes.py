"""The schemes' pages: the list, a scheme's rules in plain sentences, a draft made and
changed with its rules (each problem shown next to its rule and field, nothing stored),
adoption and new versions. Only the program manager sets schemes; provider staff read the
adopted ones."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from bdsmarket.incentives.models import IncentiveRule, IncentiveScheme

from .conftest import PAID, WOMEN, scheme_make

pytestmark = pytest.mark.django_db

LIST = reverse("incentives:schemes")
CREATE = reverse("incentives:scheme_create")


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def scheme_data(*rules: dict, **fields) -> dict:
    """The form as a person fills it in: the scheme's fields and its rules."""
    data = {
        "code": "pic",
        "name": "Pago por resultados",
        "description": "",
        "effective_from": "2003-01",
        "penalty_measure": "income",
        "penalty_bands": "0.10 0.75\n0.50 0",
        "unverified_keep": "1",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "50",
        **fields,
    }
    for number, rule in enumerate(rules):
        values = {"kind": "rate", **rule}
        data.update({f"rules-{number}-{name}": value for name, value in values.items()})
    return data


PAID_RULE = {"code": "paid", "label": "30% of what clients paid", "base": "paid_by_client",
             "rate": "0.30", "cap_per_period": "500"}  # fmt: skip
WOMEN_RULE = {"code": "women", "label": "Per woman", "kind": "bonus", "base": "women_attentions",
              "amount_per_unit": "5"}  # fmt: skip
EMPTY_RULE = {"kind": "rate"}


@pytest.fixture
def adopted(manager):
    return scheme_make(manager, PAID, WOMEN)


@pytest.fixture
def draft(manager):
    return scheme_make(manager, PAID, adopt=False, code="draft", effective_from=date(2003, 6, 1))


def rule_errors(response, number: int) -> dict[str, list[str]]:
    return response.context["formset"].forms[number].errors


# Reading


def test_the_list_shows_every_version_with_its_status_and_months(login, manager, adopted, draft):
    response = login(manager).get(LIST)
    assert [(s.code, s.version, s.status) for s in response.context["schemes"]] == [
        ("draft", 1, "draft"),
        ("pic", 1, "adopted"),
    ]
    page = text(response)
    assert "from January 2003" in page and "from June 2003, once adopted" in page
    assert reverse("incentives:scheme_detail", args=[adopted.pk]) in page


def test_a_scheme_reads_as_plain_sentences(login, staff_a, manager, program):
    scheme = scheme_make(
        manager,
        PAID,
        WOMEN,
        penalty_bands=[(D("0.10"), D("0.75")), (D("0.50"), D("0"))],
    )
    page = text(login(staff_a).get(reverse("incentives:scheme_detail", args=[scheme.pk])))
    assert "30% of income paid by clients." in page
    assert "5.00 for each of the attentions to women." in page
    assert "From a gap of 10% between what was claimed and what was verified, 75% is paid." in page
    assert "A month whose sample nobody has checked yet is paid 100%." in page


def test_the_schemes_read_in_spanish(login, manager, adopted):
    page = text(login(manager, "es").get(LIST))
    assert "Incentivos" in page and "Adoptado" in page
    detail = text(login(manager, "es").get(reverse("incentives:scheme_detail", args=[adopted.pk])))
    assert "Adoptado" in detail and "ingresos pagados por los clientes" in detail


def test_provider_staff_read_the_adopted_schemes_only(login, staff_a, adopted, draft):
    client = login(staff_a)
    assert [s.pk for s in client.get(LIST).context["schemes"]] == [adopted.pk]
    assert client.get(reverse("incentives:scheme_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("incentives:scheme_detail", args=[adopted.pk])).status_code == 200
    assert CREATE not in text(client.get(LIST))


def test_evaluators_see_no_scheme(login, evaluator, adopted):
    client = login(evaluator)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("incentives:scheme_detail", args=[adopted.pk])).status_code == 403


# A draft


def test_a_draft_is_made_with_its_rules(login, manager, program):
    client = login(manager)
    assert client.get(CREATE).status_code == 200

    response = client.post(CREATE, scheme_data(PAID_RULE, WOMEN_RULE, EMPTY_RULE), follow=True)

    scheme = IncentiveScheme.objects.get()
    assert (scheme.code, scheme.version, scheme.status) == ("pic", 1, "draft")
    assert scheme.effective_from == date(2003, 1, 1)
    assert scheme.penalty_bands == [
        {"from_gap": "0.10", "keep": "0.75"},
        {"from_gap": "0.50", "keep": "0"},
    ]
    rules = list(scheme.rules.values_list("code", "kind", "rate", "cap_per_period"))
    assert rules == [
        ("paid", "rate", D("0.3000"), D("500.00")),
        ("women", "bonus", None, None),
    ]
    assert response.redirect_chain[-1][0] == reverse("incentives:scheme_detail", args=[scheme.pk])
    assert "was saved" in messages_of(response)[0]
    assert "30% of income paid by clients, at most 500 a month." in text(response)


def test_a_rule_with_tiers_and_factors_typed_in_spanish(login, manager, program):
    tiered = {**PAID_RULE, "rate": "", "tiers": "0 1000 0,10\n1000 - 0,30",
              "year_factors": "1; 0,75; 0,5"}  # fmt: skip
    login(manager, "es").post(CREATE, scheme_data(tiered))

    rule = IncentiveRule.objects.get()
    assert rule.tiers == [
        {"lower": "0", "upper": "1000", "rate": "0.10"},
        {"lower": "1000", "upper": None, "rate": "0.30"},
    ]
    assert rule.year_factors == ["1", "0.75", "0.5"]


def test_a_scheme_problem_is_shown_next_to_its_rule_and_field_and_nothing_is_stored(
    login, manager, program
):
    bad_rate = {**PAID_RULE, "rate": "1.5"}
    overlapping = {**WOMEN_RULE, "kind": "rate", "base": "income", "amount_per_unit": "",
                   "tiers": "0 1000 0.1\n500 - 0.2"}  # fmt: skip

    response = login(manager).post(CREATE, scheme_data(bad_rate, overlapping))

    assert response.status_code == 200
    assert not IncentiveScheme.objects.exists() and not IncentiveRule.objects.exists()
    assert rule_errors(response, 0) == {"rate": ["1.5 is not between 0 and 1."]}
    assert rule_errors(response, 1) == {"tiers": ["The tiers overlap at 500."]}
    assert "1.5 is not between 0 and 1." in text(response)


def test_a_base_of_the_wrong_kind_is_explained_next_to_the_base(login, manager, program):
    wrong = {**WOMEN_RULE, "base": "income"}
    response = login(manager).post(CREATE, scheme_data(wrong))
    assert "an amount per unit applies to a count" in rule_errors(response, 0)["base"][0]
    assert not IncentiveScheme.objects.exists()


def test_what_is_not_a_number_is_refused_by_line(login, manager, program):
    response = login(manager).post(
        CREATE, scheme_data({**PAID_RULE, "rate": "", "tiers": "0 mil 0.1"}, penalty_bands="0.1")
    )
    assert rule_errors(response, 0)["tiers"] == ["Line 1: “mil” is not a number."]
    assert response.context["form"].errors["penalty_bands"] == [
        "Line 1: write the gap and the share kept, e.g. “0.10 0.75”."
    ]
    assert not IncentiveScheme.objects.exists()


def test_a_scheme_without_rules_says_it_needs_one(login, manager, program):
    response = login(manager).post(CREATE, scheme_data(EMPTY_RULE))
    assert response.context["formset"].scheme_errors == ["A scheme needs at least one rule."]
    assert "A scheme needs at least one rule." in text(response)
    assert not IncentiveScheme.objects.exists()


def test_add_a_rule_keeps_what_was_typed_and_stores_nothing(login, manager, program):
    data = scheme_data(PAID_RULE, EMPTY_RULE, more="1", name="Borrador")
    response = login(manager).post(CREATE, data)

    assert not IncentiveScheme.objects.exists()
    formset = response.context["formset"]
    assert len(formset.forms) == 2  # the rule typed, and one empty rule more
    assert formset.forms[0].initial["rate"] == "0.30"
    assert response.context["form"]["name"].value() == "Borrador"
    assert 'value="Borrador"' in response.content.decode()
    assert not response.context["form"].errors


def test_a_draft_is_changed_and_a_rule_removed(login, manager, program):
    scheme = scheme_make(manager, PAID, WOMEN, adopt=False)
    client = login(manager)
    url = reverse("incentives:scheme_edit", args=[scheme.pk])
    formset = client.get(url).context["formset"]
    assert [form.initial["code"] for form in formset.initial_forms] == ["paid", "women"]
    data = scheme_data(
        {**PAID_RULE, "rate": "0.25"},
        {**WOMEN_RULE, "DELETE": "on"},
        EMPTY_RULE,
        name="Menos generoso",
        **{"rules-INITIAL_FORMS": "2"},
    )
    data.pop("code")  # the code of a version is fixed

    client.post(url, data)

    scheme.refresh_from_db()
    assert (scheme.code, scheme.name) == ("pic", "Menos generoso")
    assert list(scheme.rules.values_list("code", "rate")) == [("paid", D("0.2500"))]


def test_an_adopted_scheme_is_changed_by_a_new_version(login, manager, adopted):
    client = login(manager)
    response = client.get(reverse("incentives:scheme_edit", args=[adopted.pk]))
    assert response["Location"] == f"{CREATE}?from={adopted.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form.fields["code"].disabled and form.initial["code"] == "pic"

    data = scheme_data({**PAID_RULE, "rate": "0.20"}, effective_from="2003-06")
    data.pop("code")
    client.post(f"{CREATE}?from={adopted.pk}", data)

    new = IncentiveScheme.objects.get(code="pic", version=2)
    assert (new.status, new.effective_from) == ("draft", date(2003, 6, 1))
    adopted.refresh_from_db()
    assert adopted.status == "adopted" and adopted.rules.count() == 2  # untouched


def test_a_draft_is_adopted_and_the_version_it_replaces_ends_before_it(login, manager, adopted):
    newer = scheme_make(manager, PAID, adopt=False, effective_from=date(2003, 6, 1))
    response = login(manager).post(reverse("incentives:scheme_adopt", args=[newer.pk]), follow=True)

    newer.refresh_from_db()
    adopted.refresh_from_db()
    assert (newer.status, newer.adopted_by) == ("adopted", manager)
    assert adopted.effective_to == date(2003, 5, 1)
    assert "is adopted: statements follow it from June 2003." in messages_of(response)[0]
    assert "January 2003 to May 2003" in text(login(manager).get(LIST))


def test_a_version_older_than_the_adopted_one_is_refused(login, manager, program):
    scheme_make(manager, PAID, effective_from=date(2003, 6, 1))
    older = scheme_make(manager, PAID, adopt=False, effective_from=date(2003, 1, 1))
    response = login(manager).post(reverse("incentives:scheme_adopt", args=[older.pk]), follow=True)
    older.refresh_from_db()
    assert older.status == "draft"
    assert messages_of(response) == ["A version in force from a later month is adopted already."]


def test_only_the_program_manager_sets_schemes(login, officer, auditor, staff_a, draft):
    for user in (officer, auditor, staff_a):
        client = login(user)
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, scheme_data(PAID_RULE)).status_code == 403
        assert client.post(reverse("incentives:scheme_adopt", args=[draft.pk])).status_code in (
            403,
            404,
        )
    draft.refresh_from_db()
    assert draft.status == "draft" and IncentiveScheme.objects.count() == 1
