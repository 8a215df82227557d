from __future__ import annotations

from specialists import selectors
from tests.factories import ProjectFactory, RoleFactory, SpecialistFactory, SpecialistGroupFactory


def test_it_searches_name_and_email_within_the_organization(org_a, org_b):
    ana = SpecialistFactory(organization=org_a, name="Ana Souza", email="ana@x.com")
    bia = SpecialistFactory(organization=org_a, name="Bia", email="souza.b@x.com")
    SpecialistFactory(organization=org_b, name="Ana de B", email="ana@b.com")
    assert list(selectors.specialist_list(organization=org_a, q="souza")) == [ana, bia]
    assert list(selectors.specialist_list(organization=org_a, q=" ana ")) == [ana]


def test_it_filters_by_status_and_ignores_unknown_statuses(org_a):
    active = SpecialistFactory(organization=org_a, status="active")
    inactive = SpecialistFactory(organization=org_a, status="inactive")
    assert list(selectors.specialist_list(organization=org_a, status="inactive")) == [inactive]
    assert set(selectors.specialist_list(organization=org_a, status="bogus")) == {
        active,
        inactive,
    }


def test_it_offers_only_unassociated_groups_of_the_organization(org_a, org_b):
    specialist = SpecialistFactory(organization=org_a)
    mine = SpecialistGroupFactory(organization=org_a, name="Campo")
    taken = SpecialistGroupFactory(organization=org_a, name="Campo 2")
    specialist.groups.add(taken)
    SpecialistGroupFactory(organization=org_b, name="Campo B")
    choices = selectors.catalog_unassociated(
        organization=org_a, kind="specialist-groups", specialist=specialist, q="campo"
    )
    assert list(choices) == [mine]


def test_it_searches_roles_by_description(org_a):
    role = RoleFactory(organization=org_a, name="N1", description="Primeiro atendimento")
    RoleFactory(organization=org_a, name="N2", description="Escalonamento")
    assert list(selectors.catalog_list(organization=org_a, kind="roles", q="atendimento")) == [role]


def test_it_lists_a_projects_specialists_once_each(org_a):
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    atacado = ProjectFactory(organization=org_a, name="Atacado")
    both = SpecialistFactory(organization=org_a, name="Ambos")
    both.projects.add(varejo, atacado)
    only = SpecialistFactory(organization=org_a, name="Só atacado")
    only.projects.add(atacado)
    SpecialistFactory(organization=org_a, name="Nenhum")
    assert list(selectors.specialist_list(organization=org_a, project=varejo)) == [both]
    assert list(selectors.specialist_list(organization=org_a, project=atacado)) == [both, only]
    assert selectors.specialist_list(organization=org_a).count() == 3
