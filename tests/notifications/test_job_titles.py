from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import Job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("variant", "named"),
    [("data", "(with data)"), ("data_plain", "(with data, without relationships)")],
)
def test_an_export_notification_names_its_variant(org_a, bob, variant, named):
    job = Job.objects.create(
        organization=org_a, user=bob, kind=Job.Kind.EXPORT, entity="clients", variant=variant
    )
    with translation.override("en"):
        html = render_to_string("notifications/_job.html", {"job": job})
    assert f"Export of clients {named}" in " ".join(html.split())


def test_an_import_notification_names_no_variant(org_a, bob):
    job = Job.objects.create(organization=org_a, user=bob, kind=Job.Kind.IMPORT, entity="clients")
    with translation.override("en"):
        html = render_to_string("notifications/_job.html", {"job": job})
    assert "Import of clients</span>" in html
