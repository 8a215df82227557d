"""The rules that keep faults from losing or doubling work, one at a time: the outbox's retry
schedule and its lease, the jobs' run lease and their resumption."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from importexport import runs, tasks
from notifications.models import Job
from terminals import emails
from terminals.models import AlertEmail
from terminals.outbox import alert_emails_claim, alert_emails_deliver, alert_retry_delay
from terminals.sweep import alert_sweep
from terminals.tasks import deliver_alert_emails
from tests.factories import ClientFactory, ContactFactory, TerminalFactory

pytestmark = pytest.mark.django_db


def test_the_retry_schedule_outlasts_ten_minutes_of_smtp_refusal(settings):
    # Attempt n fails, the next comes alert_retry_delay(n) later; the last attempt must still
    # be ahead when a server that refused for ten minutes accepts again.
    last_attempt = sum(
        alert_retry_delay(n).total_seconds() for n in range(1, settings.ALERT_EMAIL_MAX_ATTEMPTS)
    )
    assert last_attempt >= 10 * 60
    # ...and its lease outlasts an SMTP conversation of every chunk's e-mails at the timeout.
    assert settings.ALERT_EMAIL_LEASE_SECONDS >= 10 * 60


@pytest.fixture
def smtp_settings(settings, smtp):
    port, mailbox = smtp
    mailbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return mailbox


def _stale_terminal(organization) -> None:
    client = ClientFactory(organization=organization)
    ContactFactory(client=client, email="ana@cliente.com.br")
    TerminalFactory(
        organization=organization,
        client=client,
        last_heartbeat_at=timezone.now() - timedelta(minutes=30),
        alert_after=timezone.now() - timedelta(minutes=15),
    )


def test_an_email_whose_lease_ran_out_mid_chunk_is_left_to_its_new_owner(
    smtp_settings, org_a, monkeypatch
):
    _stale_terminal(org_a)
    alert_sweep()
    [email_id] = AlertEmail.objects.values_list("id", flat=True)
    build = emails.alert_message

    def slow_build(email, **kwargs):
        # While this worker renders, its lease runs out: the sweep hands the row out again
        # and another worker claims it.
        AlertEmail.objects.filter(pk=email.pk).update(status=AlertEmail.Status.PENDING)
        assert alert_emails_claim(organization_id=org_a.pk, ids=[email.pk])
        return build(email, **kwargs)

    monkeypatch.setattr(emails, "alert_message", slow_build)

    result = alert_emails_deliver(organization_id=org_a.pk, ids=[email_id])

    assert result.sent == [] and smtp_settings.messages == []
    row = AlertEmail.objects.get()
    assert row.status == AlertEmail.Status.SENDING and row.attempts == 2


def test_alerts_queued_while_the_broker_is_down_fail_nothing_and_go_out_later(
    org_a, monkeypatch, django_capture_on_commit_callbacks
):
    _stale_terminal(org_a)
    enqueued = []

    def broker_down(*args):
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_alert_emails, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_sweep().queued == 1
    assert AlertEmail.objects.get().status == AlertEmail.Status.PENDING

    monkeypatch.setattr(deliver_alert_emails, "delay", lambda *args: enqueued.append(args))
    later = timezone.now() + timedelta(seconds=settings.ALERT_EMAIL_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_sweep(now=later).redispatched == 1
    assert enqueued == [([AlertEmail.objects.get().pk], org_a.pk)]


@pytest.fixture
def job(org_a, alice):
    created = Job.objects.create(
        organization=org_a,
        user=alice,
        kind=Job.Kind.IMPORT,
        entity="terminals",
        created_at=timezone.now() - timedelta(hours=1),
    )
    yield created
    keys = (runs.LEASE_KEY, runs.STARTED_KEY, runs.DIED_KEY, runs.RESUMED_KEY)
    cache.delete_many([key.format(created.code) for key in keys])


def test_a_second_delivery_leaves_a_job_another_run_holds_alone(job):
    with runs.job_run(job.pk) as first:
        assert first is not None and first.died_before == 0
        with runs.job_run(job.pk) as second:
            assert second is None
    with runs.job_run(job.pk) as third:
        assert third is not None and third.died_before == 0


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    calls: list[tuple] = []
    for task in (tasks.import_run_task, tasks.export_run_task):
        monkeypatch.setattr(
            task, "delay", lambda *args, name=task.name: calls.append((name, *args))
        )
    return calls


def test_a_stalled_job_is_resumed_once_a_lease_period_and_a_held_one_never(
    job, enqueued, org_a, alice
):
    fresh = Job.objects.create(organization=org_a, user=alice, kind="export", entity="clients")
    Job.objects.create(
        organization=org_a,
        user=alice,
        kind="export",
        entity="clients",
        status=Job.Status.DONE,
        created_at=timezone.now() - timedelta(hours=1),
    )

    assert runs.jobs_resume_stalled() == [job.pk]
    assert enqueued == [(tasks.import_run_task.name, job.pk, org_a.pk)]
    # Enqueued again: it waits its turn in the queue, and is not enqueued over and over.
    assert runs.jobs_resume_stalled() == []
    cache.delete(runs.RESUMED_KEY.format(job.code))
    with runs.job_run(job.pk):
        assert runs.jobs_resume_stalled() == []
    assert runs.jobs_resume_stalled(now=timezone.now() + timedelta(hours=1)) == [job.pk, fresh.pk]


def test_a_job_whose_runs_keep_dying_is_marked_failed(job, settings):
    settings.JOB_MAX_RESUMES = 2
    for died in range(1, 4):
        # What a run killed with its worker leaves behind: its start, never its end.
        cache.set(runs.STARTED_KEY.format(job.code), 1)
        with runs.job_run(job.pk) as run:
            assert run.died_before == died
        cache.set(runs.STARTED_KEY.format(job.code), 1)

    tasks.import_run_task.apply(args=(job.pk, job.organization_id))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.failure == [["The job failed unexpectedly; try again.", {}]]
