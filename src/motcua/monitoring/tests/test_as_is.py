"""Merged units roll up "as was" (their own, old, agency) or "as is" (into their successor) on request (spec §8.3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from motcua.agencies.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel
from motcua.agencies.services import add_agency
from motcua.catalogue.models import Channel, Procedure
from motcua.core.clock import VN_TZ
from motcua.dossiers.constants import DeliveryMethod, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.monitoring import maintain, queries, recompute
from motcua.monitoring.periods import Period


def _old_dossier(agency: Agency, procedure: Procedure, code: str, received: datetime) -> Dossier:
    dossier = Dossier.objects.create(
        code=code,
        procedure=procedure,
        receiving_agency=agency,
        competent_agency=agency,
        channel=Channel.ONLINE,
        status=Status.RETURNED,
        applicant_name="(dữ liệu lịch sử)",
        delivery_method=DeliveryMethod.ONLINE,
        submitted_at=received,
        system_received_at=received,
        accepted_at=received,
        clock_started_at=received,
        original_due_at=received.replace(day=received.day + 5),
        due_at=received.replace(day=received.day + 5),
        resolved_at=received.replace(day=received.day + 3),
        returned_at=received.replace(day=received.day + 4),
        finished_at=received.replace(day=received.day + 4),
    )
    DossierEvent.objects.create(
        dossier=dossier,
        sequence=1,
        action="import",
        from_status="",
        to_status=Status.RETURNED,
        agency=agency,
        at=received,
        payload={"flags": {"population_data": True}, "supplement_count": 0},
    )
    return dossier


def test_a_merged_province_counts_as_was_or_as_is(reference_data: Any) -> None:
    nation = Agency.objects.get(depth=0)
    ninh_binh = Agency.objects.get(kind=AgencyKind.PROVINCE, admin_unit__code="37", valid_to__isnull=True)
    ha_nam_unit = AdministrativeUnit.objects.get(level=UnitLevel.PROVINCE, code="35", valid_to__isnull=False)
    ha_nam = add_agency(
        code="OLD.H35",
        name="UBND tỉnh Hà Nam (đến 30/6/2025)",
        kind="province",
        parent=nation,
        admin_unit=ha_nam_unit,
    )
    Agency.objects.filter(pk=ha_nam.pk).update(valid_to=date(2025, 6, 30))
    procedure = Procedure.objects.order_by("pk").first()
    assert procedure is not None
    dossiers = [
        _old_dossier(ha_nam, procedure, f"H35-2020-{i}", datetime(2020, 3, 2 + i, 9, tzinfo=VN_TZ))
        for i in range(3)
    ]
    maintain.refresh_dossiers([d.pk for d in dossiers])
    year = Period.year(2020)

    assert queries.counts(ninh_binh, year)["received"] == 0  # as was: Hà Nam's history is Hà Nam's
    as_is = queries.counts(ninh_binh, year, as_is=True)
    assert as_is["received"] == 3
    assert as_is["received_population_data"] == 3
    assert dict(as_is) == dict(recompute.counts(ninh_binh, year, as_is=True))
    assert queries.counts(ha_nam, year)["returned"] == 3
    # the nation already holds the old province in its subtree: as is must not count it twice
    assert queries.counts(nation, year, as_is=True)["received"] == 3
    assert queries.counts(nation, year)["received"] == 3
    together = queries.counts_many([ninh_binh, nation, ha_nam], year, as_is=True)
    for scope in (ninh_binh, nation, ha_nam):
        assert dict(together[scope.pk]) == dict(queries.counts(scope, year, as_is=True)), scope.code
