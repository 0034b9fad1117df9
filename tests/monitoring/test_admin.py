"""The manager tunes the warning rules in the admin; nobody adds or removes a rule kind."""

from decimal import Decimal

from bdsmarket.monitoring.models import ValidationRule


def test_the_default_rules_come_with_the_database(db):
    kinds = set(ValidationRule.objects.values_list("kind", flat=True))
    assert kinds == {"price_outlier", "volume_outlier", "same_client_same_day", "client_mix_shift"}


def test_the_manager_tunes_a_rules_threshold(login, manager):
    rule = ValidationRule.objects.get(kind="price_outlier")
    response = login(manager).post(
        f"/admin/monitoring/validationrule/{rule.pk}/change/",
        {"enabled": "on", "threshold": "4.5", "min_history_months": "6"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.min_history_months) == (Decimal("4.50"), 6)
    assert rule.history.latest().history_user == manager


def test_nobody_adds_or_deletes_a_rule(login, manager):
    client = login(manager)
    assert client.get("/admin/monitoring/validationrule/add/").status_code == 403
    rule = ValidationRule.objects.first()
    assert client.get(f"/admin/monitoring/validationrule/{rule.pk}/delete/").status_code == 403


def test_the_officer_cannot_tune_rules(login, officer):
    assert login(officer).get("/admin/monitoring/validationrule/").status_code == 302
