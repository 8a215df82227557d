"""A contact's deletion and data backup, with the requests (portal.accounts)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import Contact
from portal import accounts, backup
from servicerequests.models import RequestAttachment, RequestEvent, ServiceRequest
from tests.clientportal.conftest import portal_account_create
from tests.servicerequests.conftest import PDF, PNG, pdf, stored_files, submit_for

Status = ServiceRequest.Status


def _with_status(request, status):
    ServiceRequest.objects.filter(pk=request.pk).update(status=status)
    return request


def test_a_request_being_processed_blocks_the_deletion_and_is_named(contact_account, media_root):
    contact = contact_account.contact
    blocking = _with_status(submit_for(contact_account, subject="Troca urgente"), "processing")
    submit_for(contact_account, files=[pdf()])
    contacts = Contact.objects.filter(pk=contact.pk)
    with pytest.raises(ValidationError) as caught:
        accounts.contacts_delete(organization=contact.organization, contacts=contacts)
    message = caught.value.messages[0]
    assert blocking.reference in message and "Troca urgente" in message
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert ServiceRequest.objects.count() == 2 and len(stored_files(media_root)) == 1


def test_the_deletion_takes_the_other_requests_and_their_files(
    contact_account, portal_company, media_root, django_capture_on_commit_callbacks
):
    contact = contact_account.contact
    for status in (Status.NEW, Status.RECEIVED, Status.DONE, Status.REFUSED):
        request = _with_status(submit_for(contact_account, files=[pdf()]), status)
        RequestEvent.objects.create(request=request, kind="reply", body="Oi")
    colleague = portal_account_create(client=portal_company)
    kept = submit_for(colleague, files=[pdf()])
    with django_capture_on_commit_callbacks(execute=True):
        deleted = accounts.contacts_delete(
            organization=contact.organization, contacts=Contact.objects.filter(pk=contact.pk)
        )
    assert deleted == 1
    assert list(ServiceRequest.objects.all()) == [kept]
    assert RequestAttachment.objects.count() == 1 and not RequestEvent.objects.exists()
    assert stored_files(media_root) == [media_root / kept.attachments.get().file.name]


def test_the_deletion_stays_set_based_whatever_the_number_of_requests(
    contact_account, django_assert_max_num_queries
):
    for _ in range(5):
        submit_for(contact_account)
    contacts = Contact.objects.filter(pk=contact_account.contact_id)
    with django_assert_max_num_queries(12):
        accounts.contacts_delete(organization=contact_account.organization, contacts=contacts)
    assert not ServiceRequest.objects.exists()


def test_the_backup_carries_jobs_json_and_a_folder_per_request(contact_account, media_root):
    first = submit_for(
        contact_account,
        subject="Bobina",
        files=[pdf("nota.pdf"), SimpleUploadedFile("nota.png", PNG)],
    )
    second = submit_for(contact_account, subject="Sem anexos")
    contact = contact_account.contact
    content = b"".join(backup.backup_zip(organization=contact.organization, contact=contact))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        jobs = json.loads(archive.read("jobs.json"))
        folder = first.reference.lstrip("#") + "-bobina"
        assert names[:2] == ["user-profile.json", "jobs.json"]
        assert sorted(names[2:]) == [f"{folder}/01-nota.pdf", f"{folder}/02-nota.png"]
        assert archive.read(f"{folder}/01-nota.pdf") == PDF
    assert [job["code"] for job in jobs] == [str(first.code), str(second.code)]
    assert jobs[0]["attachments"][0]["file"] == f"{folder}/01-nota.pdf"
    assert jobs[0]["status"] == "new" and jobs[1]["attachments"] == []


def test_a_b2b_users_backup_carries_its_clients_requests(
    b2b_account, contact_account, other_account, media_root
):
    own = submit_for(contact_account, files=[pdf()])
    submit_for(other_account)
    content = b"".join(backup.backup_zip_for_account(account=b2b_account))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        profile = json.loads(archive.read("user-profile.json"))
        jobs = json.loads(archive.read("jobs.json"))
        assert len(archive.namelist()) == 3
    assert profile["username"] == "padaria"
    assert [job["code"] for job in jobs] == [str(own.code)]


def test_a_contact_accounts_backup_is_the_contacts(contact_account, media_root):
    submit_for(contact_account)
    content = b"".join(backup.backup_zip_for_account(account=contact_account))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert json.loads(archive.read("user-profile.json"))["name"] == "Ana Souza"
        assert len(json.loads(archive.read("jobs.json"))) == 1
