"""The bulletin's pages: the log, queueing a month, resending, and previews (e-mail, PDF),
for whoever may see them and nobody else."""

from datetime import date

import pytest

from bdsmarket.indicators.models import Dispatch
from bdsmarket.indicators.services import bulletins_queue
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission

MAY = date(2003, 5, 1)


@pytest.fixture
def approved_may(staff_a, officer, provider_a, delivery_row):
    services.deliveries_store(actor=staff_a, rows=[delivery_row(provider_a)], source="api")
    submission = Submission.objects.get(provider=provider_a, period__month=MAY)
    services.submission_submit(actor=staff_a, submission=submission)
    services.submission_approve(actor=officer, submission=submission)


@pytest.mark.parametrize(("role", "status"), [("manager", 200), ("officer", 200),
                                              ("auditor", 200), ("evaluator", 403),
                                              ("staff_a", 403)])  # fmt: skip
def test_the_log_is_for_the_program_s_readers(request, login, role, status):
    client = login(request.getfixturevalue(role))

    assert client.get("/indicators/bulletins/").status_code == status


def test_the_log_lists_who_got_which_bulletin(login, officer, approved_may):
    bulletins_queue(month=MAY, actor=officer)

    page = login(officer).get("/indicators/bulletins/").content.decode()

    assert "staff_a@example.org" in page and "officer@example.org" in page
    assert "Queued" in page or "queued" in page


def test_the_officer_queues_a_month_and_a_second_time_nothing_is_added(
    login, officer, approved_may
):
    client = login(officer)

    first = client.post("/indicators/bulletins/send/", {"month": "2003-05"}, follow=True)
    second = client.post("/indicators/bulletins/send/", {"month": "2003-05"}, follow=True)

    assert "2 bulletins queued" in first.content.decode()
    assert "nothing new to send" in second.content.decode()
    assert Dispatch.objects.count() == 2  # staff_a's benchmark, the officer's program-wide


def test_a_wrong_month_queues_nothing_and_says_why(login, officer, approved_may):
    response = login(officer).post("/indicators/bulletins/send/", {"month": "May"}, follow=True)

    assert "is not a month" in response.content.decode()
    assert not Dispatch.objects.exists()


def test_auditors_and_provider_staff_cannot_queue_or_resend(
    login, officer, auditor, staff_a, approved_may
):
    (dispatch, *_others) = bulletins_queue(month=MAY, actor=officer)
    for user in (auditor, staff_a):
        client = login(user)
        assert client.post("/indicators/bulletins/send/", {"month": "2003-05"}).status_code == 403
        assert client.post(f"/indicators/bulletins/{dispatch.pk}/resend/").status_code == 403
    assert Dispatch.objects.count() == 2


def test_the_officer_resends_one_bulletin(login, officer, approved_may):
    (dispatch, *_others) = bulletins_queue(month=MAY, actor=officer)

    login(officer).post(f"/indicators/bulletins/{dispatch.pk}/resend/")

    again = Dispatch.objects.get(resend_of=dispatch)
    assert (again.email, again.status) == (dispatch.email, "queued")


def test_provider_staff_preview_their_own_benchmark_and_no_other(
    login, staff_a, staff_b, provider_a, approved_may
):
    own = login(staff_a).get("/indicators/bulletins/preview/?month=2003-05&language=en")
    other = login(staff_b).get(
        f"/indicators/bulletins/preview/?month=2003-05&provider={provider_a.pk}"
    )

    assert own.status_code == 200
    assert "your benchmark for May 2003" in own.content.decode()
    assert other.status_code == 404


def test_the_preview_is_a_pdf_when_asked(login, officer, provider_a, approved_may):
    response = login(officer).get(
        f"/indicators/bulletins/preview/?month=2003-05&provider={provider_a.pk}&format=pdf"
    )

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_program_wide_preview_is_for_the_program_s_readers(login, officer, evaluator):
    assert login(officer).get("/indicators/bulletins/preview/?month=2003-05").status_code == 200
    assert login(evaluator).get("/indicators/bulletins/preview/?month=2003-05").status_code == 403
