"""The public transparency page: open without sign-in, the nation's 34 provinces by default, any unit by its
code, the published rates for this year and last month with their formulas, N/A where there is no data,
and never a dossier code, an applicant's name or ID number, or an officer's name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from motcua.agencies.models import Agency, AgencyKind
from motcua.catalogue.models import Channel
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.tests.factories import Ticker, applicant_of, build_cast, drive, vn
from motcua.monitoring import indicators, queries
from motcua.portal.views_transparency import public_periods

pytestmark = pytest.mark.django_db


def rates_row(page: str, name: str) -> str:
    row = re.search(rf"<tr><th scope=\"row\">{re.escape(name)}</th>.*?</tr>", page, re.S)
    assert row is not None, name
    return row.group(0)


def test_the_nation_lists_the_34_provinces_without_sign_in(reference_data: None) -> None:
    response = Client().get("/cong-khai/")
    assert response.status_code == 200
    page = response.content.decode()
    provinces = Agency.objects.filter(kind=AgencyKind.PROVINCE, valid_to__isnull=True, depth=1)
    assert provinces.count() == 34
    table = re.search(r'<caption id="units-caption".*?</table>', page, re.S)
    assert table is not None
    linked = set(re.findall(r'href="/cong-khai/([^/"]+)/"', table.group(0)))
    assert linked == set(provinces.values_list("code", flat=True))
    assert "Công khai kết quả giải quyết thủ tục hành chính" in page
    assert 'role="img"' in page


def test_a_unit_shows_its_rates_for_this_year_and_last_month_with_formulas(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    today = queries.today()
    this_year, last_month = public_periods(today)
    start = vn(today.year, 1, 5, 8, 30) if today.month > 1 else vn(today.year, 1, 1, 8, 30)
    returned = drive(cast, "returned", Ticker(start))
    accepted = drive(cast, "accepted", Ticker(start))
    counter = services.submit(
        actor=cast.counter,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        channel=Channel.IN_PERSON,
        applicant=applicant_of(cast.other_citizen),
        delivery_method=DeliveryMethod.COUNTER,
        at=start,
    )
    services.accept(counter, actor=cast.counter, at=vn(start.year, start.month, start.day, 10))

    response = Client().get(f"/cong-khai/{cast.commune.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Năm {this_year.start.year}" in page
    assert last_month.label_vi in page
    online = rates_row(page, indicators.get("online_dossier_rate").name_vi)
    assert "66,67 %" in online  # 2 of the 3 dossiers received this year were filed online: 2/3
    assert "2/3" in online
    for code in ("on_time_rate", "online_dossier_rate", "full_online_dossier_rate", "satisfaction_rate"):
        assert escape(indicators.get(code).source) in page  # the legal source beside the formula
    satisfaction = rates_row(page, indicators.get("satisfaction_rate").name_vi)
    assert "N/A" in satisfaction  # nobody rated: no data, never 0 %
    assert "0,00 %" not in satisfaction

    for dossier in (returned, accepted, counter):
        assert dossier.code is not None
        assert dossier.code not in page
        assert dossier.applicant_name not in page
        assert dossier.applicant_id_number not in page
    for person in (cast.citizen, cast.other_citizen):
        assert person.full_name not in page
        assert person.citizen_id_number not in page
    for officer in (cast.counter, cast.specialist, cast.leader):
        assert officer.full_name not in page
        assert officer.username not in page


def test_the_province_page_lists_its_units_and_links_back_to_the_nation(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    province = demo_world.province
    page = Client().get(f"/cong-khai/{province.code}/").content.decode()
    assert f'href="/cong-khai/{cast.commune.code}/"' in page
    assert f'href="/cong-khai/{cast.other_commune.code}/"' in page
    assert 'href="/cong-khai/"' in page
    month = Client().get(f"/cong-khai/{province.code}/?ky=thang").content.decode()
    _, last_month = public_periods(queries.today())
    caption = re.search(r'<caption id="units-caption"[^>]*>(.*?)</caption>', month)
    assert caption is not None
    assert caption.group(1).startswith(f"{last_month.label_vi}.")


def test_english_through_the_language_switch_and_404_for_an_unknown_unit(reference_data: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/cong-khai/"})
    english = client.get("/cong-khai/").content.decode()
    assert "Public results of administrative procedures" in english
    assert "Provinces and cities" in english
    assert Client().get("/cong-khai/000.00.00.NOPE/").status_code == 404


def test_the_footer_of_the_portal_links_to_the_page(reference_data: None) -> None:
    assert b'href="/cong-khai/"' in Client().get("/").content
