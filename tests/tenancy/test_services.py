from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from clients.models import Client
from tenancy.services import organization_update, ownership_check
from tests.factories import ClientFactory, ProjectFactory


def test_ownership_check_refuses_another_organizations_rows(org_a, org_b):
    mine, theirs = ClientFactory(organization=org_a), ClientFactory(organization=org_b)
    ownership_check(org_a, mine, None, client=mine, other=None)
    with pytest.raises(ValidationError) as positional:
        ownership_check(org_a, mine, theirs)
    assert set(positional.value.message_dict) == {NON_FIELD_ERRORS}
    with pytest.raises(ValidationError) as named:
        ownership_check(org_a, client=theirs)
    assert set(named.value.message_dict) == {"client"}


def test_in_project_keeps_the_rows_of_the_project_once(org_a):
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    oticas = ProjectFactory(organization=org_a, name="Óticas")
    both, only, none = ClientFactory.create_batch(3, organization=org_a)
    both.projects.add(varejo, oticas)
    only.projects.add(varejo)
    clients = Client.objects.for_org(org_a)
    assert list(clients.in_project(varejo).order_by("pk")) == [both, only]
    assert list(clients.in_project(oticas)) == [both]
    assert clients.in_project(None).count() == 3


@pytest.mark.parametrize("minutes", [0, 1441])
def test_the_grace_period_stays_between_a_minute_and_a_day(org_a, minutes):
    with pytest.raises(ValidationError) as refused:
        organization_update(organization=org_a, alert_grace_minutes=minutes)
    assert set(refused.value.message_dict) == {"alert_grace_minutes"}
    org_a.refresh_from_db()
    assert org_a.alert_grace_minutes == 15
