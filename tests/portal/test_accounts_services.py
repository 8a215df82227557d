"""The contact accounts' rules, without HTTP: statuses and their actions, the activation
link (single use, expiry, hashed, per organization), the outbox message, deletion, terms
and the backup."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contacts.models import Contact
from portal import accounts, backup
from portal.models import ActivationLink, PortalAccount, portal_settings_for
from terminals.models import AlertEmail
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db
Status = PortalAccount.Status
PASSWORD = "Correct-Horse-Battery-9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def contact(org_a):
    return ContactFactory(client=ClientFactory(organization=org_a), name="Maria Souza")


def _url(token: str) -> str:
    return f"https://vigia.example/portal/org-a/ativar/{token}/"


def _invite(org, contact, note=""):
    invitation = accounts.account_invitation_prepare(
        organization=org, contact=contact, actor=None, url_for=_url
    )
    accounts.account_invitation_send(
        organization=org, contact=contact, token=invitation.token, url=invitation.url, note=note
    )
    return invitation


def _status(contact) -> str:
    return PortalAccount.objects.get(contact=contact).status


def test_it_starts_not_registered_and_offers_only_the_invitation(contact):
    assert accounts.account_status(contact) == Status.NOT_REGISTERED
    assert accounts.allowed_actions(Status.NOT_REGISTERED) == (accounts.INVITE,)
    assert accounts.allowed_actions(Status.ACTIVE) == (
        accounts.DEACTIVATE,
        accounts.DELETE_IDENTITY,
    )


def test_it_queues_the_invitation_in_the_alert_outbox_and_stores_the_link_hashed(org_a, contact):
    invitation = _invite(org_a, contact, note="Bem-vinda!")
    email = AlertEmail.objects.get(organization=org_a)
    assert email.kind == AlertEmail.Kind.MESSAGE and email.episode is None
    assert email.recipient == contact.email and email.status == AlertEmail.Status.PENDING
    # The link waits beside the body until the e-mail is sent (then it is erased).
    assert email.secret == invitation.url and invitation.token not in email.body
    assert "Bem-vinda!" in email.body
    assert "Organização A" in email.subject
    link = ActivationLink.objects.get(account__contact=contact)
    assert link.token_hash == accounts.token_hash(invitation.token)
    assert invitation.token not in link.token_hash
    assert link.expires_at - timezone.now() > timedelta(hours=71)
    account = PortalAccount.objects.get(contact=contact)
    assert account.status == Status.INACTIVE and account.invited_at is not None


def test_the_invitation_speaks_the_organization_language(org_a, contact):
    org_a.language = "en"
    org_a.save()
    _invite(org_a, contact)
    body = AlertEmail.objects.get(organization=org_a).body
    assert "To activate your access" in body


def test_a_new_invitation_voids_the_previous_link(org_a, contact):
    first = _invite(org_a, contact)
    _invite(org_a, contact)
    with pytest.raises(accounts.LinkRefused) as refused:
        accounts.activation_link_open(organization=org_a, token=first.token)
    assert refused.value.reason == "unknown"


def test_it_refuses_an_invitation_without_an_email_or_with_a_taken_one(org_a, contact):
    nameless = ContactFactory(client=contact.client, email="")
    with pytest.raises(ValidationError):
        accounts.account_invitation_prepare(
            organization=org_a, contact=nameless, actor=None, url_for=_url
        )
    _invite(org_a, contact)
    twin = ContactFactory(client=ClientFactory(organization=org_a), email=contact.email)
    with pytest.raises(ValidationError, match="já tem acesso ao portal"):
        accounts.account_invitation_prepare(
            organization=org_a, contact=twin, actor=None, url_for=_url
        )


def test_the_link_sets_a_password_once_and_activates(org_a, contact):
    invitation = _invite(org_a, contact)
    account = accounts.account_activate_with_link(
        organization=org_a, token=invitation.token, password=PASSWORD, accept_terms=False
    )
    assert account.status == Status.ACTIVE and account.check_password(PASSWORD)
    assert identify_hasher(account.password)  # a Django hash, never the password
    assert account.terms_accepted_at is None  # no terms published
    with pytest.raises(accounts.LinkRefused) as refused:
        accounts.activation_link_open(organization=org_a, token=invitation.token)
    assert refused.value.reason == "used"


def test_the_link_refuses_weak_passwords_and_missing_terms(org_a, contact):
    accounts.terms_upload(
        organization=org_a, upload=SimpleUploadedFile("t.pdf", PDF, "application/pdf")
    )
    invitation = _invite(org_a, contact)
    with pytest.raises(ValidationError) as refused:
        accounts.account_activate_with_link(
            organization=org_a, token=invitation.token, password="123", accept_terms=False
        )
    assert set(refused.value.message_dict) == {"password", "accept_terms"}
    assert _status(contact) == Status.INACTIVE
    account = accounts.account_activate_with_link(
        organization=org_a, token=invitation.token, password=PASSWORD, accept_terms=True
    )
    assert account.terms_accepted_at is not None


def test_expired_and_foreign_links_open_nothing(org_a, org_b, contact):
    invitation = _invite(org_a, contact)
    with pytest.raises(accounts.LinkRefused) as foreign:
        accounts.activation_link_open(organization=org_b, token=invitation.token)
    assert foreign.value.reason == "unknown"
    ActivationLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(accounts.LinkRefused) as expired:
        accounts.activation_link_open(organization=org_a, token=invitation.token)
    assert expired.value.reason == "expired"
    with pytest.raises(accounts.LinkRefused):
        accounts.activation_link_open(organization=org_a, token="forged" * 8)


def test_the_status_actions_follow_the_seed(org_a, contact):
    with pytest.raises(ValidationError):
        accounts.account_deactivate(organization=org_a, contact=contact)
    invitation = _invite(org_a, contact)
    with pytest.raises(ValidationError):
        accounts.account_identity_delete(organization=org_a, contact=contact)
    accounts.account_activate_with_link(
        organization=org_a, token=invitation.token, password=PASSWORD, accept_terms=True
    )
    accounts.account_deactivate(organization=org_a, contact=contact)
    assert _status(contact) == Status.DEACTIVATED
    with pytest.raises(ValidationError):
        accounts.account_invitation_prepare(
            organization=org_a, contact=contact, actor=None, url_for=_url
        )
    accounts.account_activate(organization=org_a, contact=contact)  # reversible
    assert _status(contact) == Status.ACTIVE
    account = accounts.account_identity_delete(organization=org_a, contact=contact)
    assert account.status == Status.NOT_REGISTERED and not account.has_credentials
    assert account.invited_at is None
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_an_operator_of_another_organization_cannot_act(org_b, contact):
    with pytest.raises(ValidationError):
        accounts.account_invitation_prepare(
            organization=org_b, contact=contact, actor=None, url_for=_url
        )


def test_contacts_delete_is_set_based_and_keeps_the_outbox_history(
    org_a, org_b, contact, django_assert_max_num_queries
):
    _invite(org_a, contact)
    others = [ContactFactory(client=contact.client) for _ in range(5)]
    foreign = ContactFactory(client=ClientFactory(organization=org_b))
    everything = Contact.objects.filter(pk__in=[contact.pk, foreign.pk, *[o.pk for o in others]])
    with django_assert_max_num_queries(12):
        deleted = accounts.contacts_delete(organization=org_a, contacts=everything)
    assert deleted == 6
    assert list(Contact.objects.all()) == [foreign]
    assert not PortalAccount.objects.exists() and not ActivationLink.objects.exists()
    assert AlertEmail.objects.get().contact is None


def test_terms_upload_resets_every_acceptance(org_a, contact):
    invitation = _invite(org_a, contact)
    accounts.account_activate_with_link(
        organization=org_a, token=invitation.token, password=PASSWORD, accept_terms=True
    )
    PortalAccount.objects.update(terms_accepted_at=timezone.now())
    portal = accounts.terms_upload(
        organization=org_a, upload=SimpleUploadedFile("termos.pdf", PDF, "application/pdf")
    )
    assert portal.terms and portal.terms_updated_at
    assert PortalAccount.objects.get().terms_accepted_at is None


@pytest.mark.parametrize(
    ("name", "content"),
    [("termos.txt", PDF), ("termos.pdf", b"<html>not a pdf</html>")],
)
def test_terms_upload_refuses_what_is_not_a_pdf(org_a, name, content):
    with pytest.raises(ValidationError):
        accounts.terms_upload(organization=org_a, upload=SimpleUploadedFile(name, content))
    assert not portal_settings_for(org_a).terms


def test_terms_upload_refuses_a_large_file(org_a, settings):
    settings.PORTAL_TERMS_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="maior que"):
        accounts.terms_upload(organization=org_a, upload=SimpleUploadedFile("t.pdf", PDF))


def test_the_backup_is_a_zip_with_the_profile_and_the_requests(org_a, contact):
    _invite(org_a, contact)
    content = b"".join(backup.backup_zip(organization=org_a, contact=contact))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["jobs.json", "user-profile.json"]
        profile = json.loads(archive.read("user-profile.json"))
        assert json.loads(archive.read("jobs.json")) == []
    assert profile["name"] == "Maria Souza" and profile["email"] == contact.email
    assert profile["company"]["name"] == contact.client.razao_social
    assert profile["status"] == "inactive" and profile["invited_at"]
    assert backup.backup_filename(contact) == "maria-souza.zip"


def test_zip_stream_holds_one_piece_at_a_time():
    pieces = (b"x" * 65536 for _ in range(64))  # 4 MB, never held whole
    chunks = list(backup.zip_stream([("big.bin", pieces)]))
    assert max(len(chunk) for chunk in chunks) < 1 << 20
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert len(archive.read("big.bin")) == 64 * 65536


def test_a_contact_without_a_client_receives_no_terminal_alerts(org_a):
    from contacts.services import contact_create
    from terminals.models import Episode
    from terminals.outbox import alert_emails_queue
    from tests.factories import TerminalFactory

    loose = contact_create(
        organization=org_a,
        client=None,
        name="Sem Empresa",
        email="solta@example.com",
        auto_dispatch=True,
    )
    client = ClientFactory(organization=org_a)
    terminal = TerminalFactory(organization=org_a, client=client)
    episode = Episode.objects.create(
        organization=org_a, terminal=terminal, client=client, started_at=timezone.now()
    )
    assert alert_emails_queue(episodes=[episode], kind="disconnected", now=timezone.now()) == []
    assert loose.client is None and loose.search_text.startswith("sem empresa")
