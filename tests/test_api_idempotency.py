"""Replay protection for API report submissions (docs/api.md "Sending a report
twice"): a client that retries with the same Idempotency-Key stores one case.

Tried as an integration would: the same POST twice with one key (a retry after
a time-out), with and without an attachment; the same key with another report;
the same key after the half hour; two organisations using one key; keys of
the wrong shape; two requests with one key at the same moment.
"""

import datetime
import threading
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.utils import timezone

from meldpunt.cases.models import Case
from meldpunt.melden.models import Submission
from meldpunt.melden.submissions import RECEIPT_VIEW_SECONDS
from meldpunt.organisations.models import Organisation
from meldpunt.protocol.versions import install_defaults
from tests.test_api import ORG, PDF, PROBLEM, report

URL = f"{ORG}/meldingen"


def send(key, data=None, client=None, url=URL, **headers):
    headers = {"HTTP_IDEMPOTENCY_KEY": key, **headers} if key is not None else headers
    return (client or Client()).post(url, data if data is not None else report(), **headers)


def test_two_identical_posts_with_one_key_store_one_case_and_answer_the_same(organisation):
    key = str(uuid.uuid4())
    first = send(key)
    second = send(key)
    assert first.status_code == second.status_code == 201
    assert Case.objects.count() == 1
    assert second.content == first.content  # the same receipt code, time and deadlines, byte for byte
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    # The code is not stored readable: the row holds the key's digest and a sealed code.
    row = Submission.objects.get()
    assert key not in row.token_digest and first.json()["receipt_code"].encode() not in bytes(row.sealed_receipt)


def test_a_retry_with_the_same_attachment_is_the_same_request(organisation):
    key = str(uuid.uuid4())

    def with_file():
        return report(files=[SimpleUploadedFile("bericht.pdf", PDF, content_type="application/pdf")])

    assert send(key, with_file()).status_code == 201
    assert send(key, with_file()).status_code == 201
    assert Case.objects.count() == 1 and Case.objects.get().attachments.count() == 1
    # The same fields with another file is another request.
    other = report(files=[SimpleUploadedFile("bericht.pdf", PDF + b"%", content_type="application/pdf")])
    assert send(key, other).status_code == 409


def test_the_same_key_with_another_report_is_409_and_stores_nothing(organisation):
    key = str(uuid.uuid4())
    send(key)
    response = send(key, report(description="Een heel andere melding over iets anders."))
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "/api/#probleem-al-verstuurd"
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert "al gebruikt voor een andere melding" in body["detail"]
    assert Case.objects.count() == 1
    english = send(key, report(description="Iets anders."), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 409 and "already been used" in english.json()["detail"]


def test_after_the_half_hour_the_same_request_stores_nothing_and_shows_no_code(organisation):
    key = str(uuid.uuid4())
    send(key)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=RECEIPT_VIEW_SECONDS + 60)):
        again = send(key)
    assert again.status_code == 409
    assert "niet opnieuw getoond" in again.json()["detail"] and "receipt_code" not in again.json()
    assert Case.objects.count() == 1


def test_without_a_key_every_post_is_a_new_report(organisation):
    send(None)
    send(None)
    assert Case.objects.count() == 2


def test_a_key_is_scoped_to_its_organisation(organisation):
    other = Organisation.objects.create(slug="anderstad", name="Gemeente Anderstad")
    install_defaults(other)
    key = str(uuid.uuid4())
    assert send(key).status_code == 201
    assert send(key, url="/api/v1/anderstad/meldingen").status_code == 201
    assert Case.objects.filter(organisation=other).count() == 1 and Case.objects.count() == 2


@pytest.mark.parametrize(
    "key",
    ["kort", "", " ", "a" * 101, "sleutel met spaties erin", "../../etc/passwd-000", "ключ-ключ-ключ-ключ"],
)
def test_a_key_of_the_wrong_shape_is_refused_naming_the_header(organisation, key):
    response = send(key)
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_moment_store_one_case(organisation):
    key = str(uuid.uuid4())
    barrier = threading.Barrier(2)
    answers = []

    def post():
        barrier.wait(timeout=30)
        try:
            answers.append(send(key))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json()["receipt_code"] == answers[1].json()["receipt_code"]
    assert Case.objects.count() == 1
