"""The pure rules behind the report pages: when a report is late, and how an amendment
differs from what was approved."""

from datetime import date

from bdsmarket.monitoring.rules import is_late, rows_compare

DUE = date(2003, 6, 10)


def test_a_report_sent_by_its_due_date_is_not_late():
    assert not is_late(DUE, date(2003, 6, 10), today=date(2003, 8, 1))
    assert not is_late(DUE, date(2003, 6, 2), today=date(2003, 8, 1))


def test_a_report_sent_after_its_due_date_is_late_for_good():
    assert is_late(DUE, date(2003, 6, 11), today=date(2003, 6, 11))
    assert is_late(DUE, date(2003, 6, 11), today=date(2010, 1, 1))


def test_an_unsent_report_is_late_only_once_its_due_date_has_passed():
    assert not is_late(DUE, None, today=date(2003, 6, 10))
    assert is_late(DUE, None, today=date(2003, 6, 11))


def _row(key: str, **values: object) -> dict[str, object]:
    return {"id": 1, "row_key": key, "price": "30.00", "client_id": "C-1", **values}


def test_rows_are_matched_by_key_and_compared_field_by_field():
    before = [_row("a"), _row("b"), _row("c")]
    after = [_row("a"), _row("b", price="35.00", client_id="C-2"), _row("d")]
    diff = rows_compare(before, after)
    assert [row["row_key"] for row in diff.added] == ["d"]
    assert [row["row_key"] for row in diff.removed] == ["c"]
    [change] = diff.changed
    assert change.key == "b"
    assert change.fields == (("price", "30.00", "35.00"), ("client_id", "C-1", "C-2"))
    assert diff.unchanged == 1
    assert not diff.is_empty


def test_a_new_database_id_alone_is_no_change():
    diff = rows_compare([_row("a", id=1)], [_row("a", id=99)])
    assert diff.is_empty
    assert diff.unchanged == 1


def test_a_field_only_one_version_has_counts_as_changed():
    diff = rows_compare([_row("a")], [_row("a", third_party="Municipalidad")])
    assert diff.changed[0].fields == (("third_party", None, "Municipalidad"),)


def test_identical_versions_have_no_difference():
    rows = [_row("a"), _row("b")]
    assert rows_compare(rows, list(rows)).is_empty
