"""The monthly bulletin: each provider's benchmark among its peers and the program's month,
written in the reader's language, sent through a real SMTP server, retried while the server
is down, never lost and never sent twice."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bdsmarket.indicators import bulletin, rules
from bdsmarket.indicators.models import Dispatch, IndicatorSettings
from bdsmarket.indicators.services import (
    RETRY_DELAYS,
    bulletins_queue,
    dispatch_resend,
    dispatch_send,
)
from bdsmarket.monitoring import services
from bdsmarket.monitoring.models import Submission

MAY = date(2003, 5, 1)


@pytest.fixture
def approved_may(staff_a, staff_b, officer, provider_a, provider_b, delivery_row, chiclayo):
    """May 2003 approved for both providers: provider_a with 3 attentions, provider_b with 1."""
    services.deliveries_store(
        actor=staff_a,
        rows=[delivery_row(provider_a, reference=f"A-{n}", client_id=f"C-{n}") for n in range(3)],
        source="api",
    )
    services.deliveries_store(
        actor=staff_b,
        rows=[delivery_row(provider_b, reference="B-1", client_city=chiclayo)],
        source="api",
    )
    for provider, staff in ((provider_a, staff_a), (provider_b, staff_b)):
        submission = Submission.objects.get(provider=provider, period__month=MAY)
        services.submission_submit(actor=staff, submission=submission)
        services.submission_approve(actor=officer, submission=submission)


def _line(content, indicator_id):
    return next(line for line in content.benchmark.lines if line.indicator.id == indicator_id)


def test_a_provider_sees_its_own_name_its_rank_and_its_peers_under_pseudonyms(
    approved_may, provider_a, provider_b
):
    content = bulletin.provider_bulletin(provider_a, MAY)

    attentions = _line(content, "attentions")
    assert content.has_data and content.peers == 2
    assert attentions.own.standing.value == 3 and attentions.own.standing.rank == 1
    assert attentions.spread.median == 2
    pseudonym = rules.pseudonym(IndicatorSettings.current().pseudonym_salt, provider_b.pk)
    assert [(peer.label, peer.own) for peer in attentions.peers][1] == (pseudonym, False)
    html = bulletin.bulletin_html(content, "en")
    assert provider_a.name in html and pseudonym in html
    assert provider_b.name not in html
    pdf_page = bulletin.bulletin_html(content, "en", for_pdf=True)
    assert "data:image/svg+xml;base64," in pdf_page  # the peers' chart, in the PDF only


def test_the_bulletin_is_written_in_the_reader_s_language(approved_may, provider_a):
    content = bulletin.provider_bulletin(provider_a, MAY)

    english, spanish = bulletin.bulletin_html(content, "en"), bulletin.bulletin_html(content, "es")
    assert "your benchmark for May 2003" in english
    assert "Median of peers" in english
    assert "mayo de 2003" in spanish
    assert "Mediana de los pares" in spanish
    assert "66,7 %" in spanish  # paid by the end users, with a decimal comma


def test_the_bulletin_s_pdf_is_a_pdf(approved_may, provider_a):
    pdf = bulletin.bulletin_pdf(bulletin.provider_bulletin(provider_a, MAY), "es")

    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 2000


def test_a_month_without_an_approved_report_has_nothing_to_compare(provider_a, program):
    content = bulletin.provider_bulletin(provider_a, MAY)

    assert not content.has_data
    assert "nothing to compare" in bulletin.bulletin_html(content, "en")


def test_the_program_bulletin_names_every_provider(approved_may, provider_a, provider_b):
    content = bulletin.program_bulletin(MAY)

    html = bulletin.bulletin_html(content, "en")
    assert content.has_data
    assert provider_a.name in html and provider_b.name in html
    assert content.totals.total.values["attentions"] == 4


# Queueing and sending


def test_the_month_s_bulletins_are_queued_once_for_each_provider_s_staff_and_program_staff(
    approved_may, manager, officer, staff_a, staff_b
):
    first = bulletins_queue(month=MAY, actor=officer)
    again = bulletins_queue(month=MAY, actor=officer)

    assert sorted((d.kind, d.email) for d in first) == [
        ("program", "manager@example.org"),
        ("program", "officer@example.org"),
        ("provider", "staff_a@example.org"),
        ("provider", "staff_b@example.org"),
    ]
    assert again == []
    assert Dispatch.objects.count() == 4
    assert len({d.message_id for d in first}) == 4


def test_provider_staff_cannot_queue_the_bulletins(approved_may, staff_a):
    with pytest.raises(PermissionDenied):
        bulletins_queue(month=MAY, actor=staff_a)


def test_a_bulletin_reaches_a_real_smtp_server_once_with_its_pdf(
    approved_may, officer, staff_a, provider_a, smtp_server
):
    staff_a.language = "en"
    staff_a.save(update_fields=["language"])
    (dispatch,) = bulletins_queue(month=MAY, provider=provider_a, actor=officer, program=False)

    assert dispatch_send(dispatch_id=dispatch.pk) == Dispatch.Status.SENT
    assert dispatch_send(dispatch_id=dispatch.pk) == Dispatch.Status.SENT  # not sent twice

    (message,) = smtp_server.messages()
    assert smtp_server.envelopes[0].rcpt_tos == ["staff_a@example.org"]
    assert message["Message-ID"] == dispatch.message_id
    assert "May 2003" in message["Subject"]
    types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "application/pdf"} <= set(types)
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.attempts, dispatch.last_error) == ("sent", 1, "")
    assert dispatch.sent_at is not None and dispatch.figures_as_of is not None


def test_a_bulletin_is_sent_in_its_reader_s_language_else_the_program_s(
    approved_may, officer, staff_a, staff_b, provider_a, provider_b, smtp_server
):
    staff_b.language = "en"
    staff_b.save(update_fields=["language"])

    for provider in (provider_a, provider_b):
        (dispatch,) = bulletins_queue(month=MAY, provider=provider, actor=officer, program=False)
        dispatch_send(dispatch_id=dispatch.pk)

    subjects = {message["To"]: message["Subject"] for message in smtp_server.messages()}
    assert "mayo de 2003" in subjects["staff_a@example.org"]  # no language chosen: Spanish
    assert "May 2003" in subjects["staff_b@example.org"]


def test_a_bulletin_waits_while_the_mail_server_is_down_and_goes_once_it_is_back(
    approved_may, officer, provider_a, smtp_server
):
    (dispatch,) = bulletins_queue(month=MAY, provider=provider_a, actor=officer, program=False)
    smtp_server.stop()

    # The next attempt is due the first delay after the failed one, however long the
    # attempt itself took (rendering the PDF is slow on a busy machine).
    before = timezone.now()
    assert dispatch_send(dispatch_id=dispatch.pk) == Dispatch.Status.QUEUED
    after = timezone.now()
    dispatch.refresh_from_db()
    assert dispatch.attempts == 1
    assert dispatch.last_error
    delay = timedelta(seconds=RETRY_DELAYS[0])
    assert before + delay <= dispatch.next_attempt_at <= after + delay
    # Too early for the next attempt: nothing happens, nothing is counted.
    assert dispatch_send(dispatch_id=dispatch.pk) == Dispatch.Status.QUEUED
    dispatch.refresh_from_db()
    assert dispatch.attempts == 1

    smtp_server.start()
    Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now())
    assert dispatch_send(dispatch_id=dispatch.pk) == Dispatch.Status.SENT
    assert len(smtp_server.envelopes) == 1


def test_a_bulletin_that_never_gets_through_fails_after_its_last_attempt(
    approved_may, officer, provider_a, smtp_server
):
    (dispatch,) = bulletins_queue(month=MAY, provider=provider_a, actor=officer, program=False)
    smtp_server.stop()

    for _attempt in range(len(RETRY_DELAYS) + 1):
        Dispatch.objects.filter(pk=dispatch.pk).update(next_attempt_at=timezone.now())
        status = dispatch_send(dispatch_id=dispatch.pk)

    dispatch.refresh_from_db()
    assert status == Dispatch.Status.FAILED
    assert dispatch.attempts == len(RETRY_DELAYS) + 1


def test_staff_resend_a_bulletin_as_a_new_dispatch(approved_may, officer, provider_a, smtp_server):
    (dispatch,) = bulletins_queue(month=MAY, provider=provider_a, actor=officer, program=False)
    dispatch_send(dispatch_id=dispatch.pk)

    again = dispatch_resend(actor=officer, dispatch=dispatch)
    dispatch_send(dispatch_id=again.pk)

    assert again.resend_of == dispatch and again.message_id != dispatch.message_id
    assert len(smtp_server.envelopes) == 2


def test_approving_the_month_being_reported_sends_the_provider_its_benchmark(
    staff_a, officer, provider_a, delivery_row, django_capture_on_commit_callbacks
):
    this_month = timezone.localdate().replace(day=1)
    last_month = rules.month_add(this_month, -1)
    services.deliveries_store(
        actor=staff_a, rows=[delivery_row(provider_a, date=last_month)], source="api"
    )
    submission = Submission.objects.get(provider=provider_a, period__month=last_month)
    services.submission_submit(actor=staff_a, submission=submission)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submission_approve(actor=officer, submission=submission)

    (dispatch,) = Dispatch.objects.all()
    assert (dispatch.kind, dispatch.month, dispatch.email) == (
        "provider",
        last_month,
        "staff_a@example.org",
    )
    assert len(callbacks) == 1  # the worker is asked to send it once the approval is stored


def test_approving_a_report_of_long_ago_sends_no_bulletin(approved_may):
    assert not Dispatch.objects.exists()
    assert rules.bulletin_is_news(MAY, date(2003, 6, 10))
    assert not rules.bulletin_is_news(MAY, date(2003, 8, 1))
