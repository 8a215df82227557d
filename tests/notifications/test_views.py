from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from importexport import tasks
from notifications.models import Job
from notifications.services import job_file_new, job_finish, job_purge_expired

BELL = reverse("notifications:bell")


def _job(org, user, **fields) -> Job:
    fields = {"kind": Job.Kind.EXPORT, "entity": "clients", **fields}
    return Job.objects.create(organization=org, user=user, **fields)


def _done_export(org, user, job_files) -> Job:
    job = _job(org, user)
    relative, path = job_file_new(job=job, name="clientes.zip")
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return job_finish(job=job, result_path=relative)


def test_it_shows_the_bell_with_the_unread_count(bob_client, bob, org_a, htmx_headers):
    _job(org_a, bob, rows_total=14000, rows_done=7000)
    _job(
        org_a,
        bob,
        status=Job.Status.FAILED,
        failure=[["Missing columns: %(names)s.", {"names": "CNPJ"}]],
    )
    _job(org_a, bob, status=Job.Status.DONE, read_at=timezone.now())
    response = bob_client.get(BELL, **htmx_headers)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-unread="2"' in response.text
    assert "job-pending" in response.text and "7.000 de 14.000 linhas" in response.text
    assert "job-failed" in response.text and "Colunas ausentes: CNPJ." in response.text
    assert "job-done" in response.text
    # A running job makes the bell refresh itself quickly.
    assert 'hx-trigger="every 2s"' in response.text


def test_it_does_not_poll_fast_when_nothing_runs(bob_client, htmx_headers):
    response = bob_client.get(BELL, **htmx_headers)
    assert "Nenhuma notificação ainda." in response.text
    assert "every 2s" not in response.text


def test_it_renders_the_bell_in_constant_queries(
    bob_client, bob, org_a, htmx_headers, django_assert_max_num_queries
):
    for _ in range(20):
        _job(org_a, bob)
    with django_assert_max_num_queries(8):
        bob_client.get(BELL, **htmx_headers)


def test_it_redirects_a_plain_bell_request_to_the_panel(bob_client):
    response = bob_client.get(BELL)
    assert response.status_code == 302 and response["Location"] == reverse("notifications:panel")


def test_it_lists_only_the_users_jobs_on_the_panel(
    bob_client, bob, alice, alice_client, org_a, htmx_headers
):
    _job(org_a, bob, entity="specialists")
    _job(org_a, alice, entity="terminals")
    response = bob_client.get(reverse("notifications:panel"))
    assert "Exportação de especialistas" in response.text
    # The side navigation links the terminals screen; the job list must not name alice's job.
    assert "Exportação de terminais" not in response.text
    fragment = bob_client.get(reverse("notifications:panel"), **htmx_headers)
    assert "<html" not in fragment.text and 'id="job-list"' in fragment.text
    assert "Exportação de terminais" not in fragment.text
    assert "Exportação de terminais" in alice_client.get(reverse("notifications:panel")).text


def test_it_downloads_a_done_export(bob_client, bob, org_a, job_files):
    job = _done_export(org_a, bob, job_files)
    response = bob_client.get(reverse("notifications:open", args=[job.code]))
    assert response["Location"] == reverse("notifications:download", args=[job.code])
    response = bob_client.get(response["Location"])
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="clientes.zip"'
    job.refresh_from_db()
    assert job.read_at is not None


def test_it_refuses_an_expired_download(bob_client, bob, org_a, job_files):
    job = _done_export(org_a, bob, job_files)
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = bob_client.get(reverse("notifications:download", args=[job.code]))
    assert response.status_code == 410
    assert "Download expirado" in response.text


def test_it_opens_an_import_on_its_details(bob_client, bob, org_a):
    job = _job(org_a, bob, kind=Job.Kind.IMPORT, status=Job.Status.DONE)
    response = bob_client.get(reverse("notifications:open", args=[job.code]))
    assert response["Location"] == reverse("importexport:import_detail", args=[job.code])


def test_it_marks_everything_read(bob_client, bob, org_a, htmx_headers):
    _job(org_a, bob, status=Job.Status.DONE)
    response = bob_client.post(reverse("notifications:mark_all_read"), **htmx_headers)
    assert "data-unread" not in response.text
    assert not Job.objects.filter(read_at__isnull=True).exists()


def test_it_checks_ownership(charlie_client, alice_client, bob, org_a, job_files):
    job = _done_export(org_a, bob, job_files)
    for name in ("notifications:open", "notifications:download"):
        url = reverse(name, args=[job.code])
        assert charlie_client.get(url).status_code == 404
        assert alice_client.get(url).status_code == 404


def test_it_purges_the_files_of_expired_jobs(bob, org_a, job_files):
    job = _done_export(org_a, bob, job_files)
    path = job_files / job.result_path
    assert job_purge_expired() == 0 and path.exists()
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert job_purge_expired() == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.result_path == "" and job.status == Job.Status.DONE


def test_the_admin_offers_import_and_export(client, db):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for model in (
        "clients/client",
        "contacts/contact",
        "terminals/terminal",
        "specialists/specialist",
    ):
        response = client.get(f"/admin/{model}/")
        assert response.status_code == 200
        assert f"/admin/{model}/import/" in response.text
        assert f"/admin/{model}/export/" in response.text


def test_it_shows_a_failure_in_the_readers_current_language(bob_client, bob, org_a, tmp_path):
    # The import ran in Portuguese; its reader now reads English.
    job = _job(org_a, bob, kind=Job.Kind.IMPORT, language="pt-br")
    relative, path = job_file_new(job=job, name="upload.xlsx")
    path.write_bytes(b"not a workbook")
    Job.objects.filter(pk=job.pk).update(input_path=relative)
    tasks.import_run_task.apply(args=(job.id, org_a.id))
    bob.language = "en"
    bob.save(update_fields=["language"])
    response = bob_client.get(reverse("notifications:panel"))
    assert "This is not an .xlsx file (Excel workbook)." in response.text
    assert "Este não é" not in response.text


def test_it_counts_with_grouped_numbers_and_plurals(bob_client, bob, org_a):
    _job(
        org_a,
        bob,
        kind=Job.Kind.IMPORT,
        status=Job.Status.DONE,
        finished_at=timezone.now(),
        counts={"created": 7100, "updated": 1, "unchanged": 0, "failed": 2},
    )
    _job(
        org_a,
        bob,
        kind=Job.Kind.IMPORT,
        status=Job.Status.DONE,
        finished_at=timezone.now(),
        counts={"created": 0, "updated": 0, "unchanged": 0, "failed": 0},
    )
    response = bob_client.get(reverse("notifications:panel"))
    # Zero counts are left out; a file without rows says so.
    assert "7.100 criados, 1 atualizado, 2 com erro" in response.text
    assert "nenhuma linha" in response.text
