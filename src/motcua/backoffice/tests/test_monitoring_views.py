"""The leaders' monitoring pages through the Django test client: who may open which agency, the numbers and
their drill-down lists (exactly the dossiers behind each counter), N/A, targets, the 766 index, rankings and
the report exports. Dossiers are made through the real services, so the aggregates fill themselves."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from typing import Any

import pytest

from motcua.accounts.models import Role
from motcua.backoffice.tests.helpers import verified_client
from motcua.catalogue.models import Channel
from motcua.core.models import AuditEntry
from motcua.dossiers import services
from motcua.dossiers.constants import Action, DeliveryMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import (
    Cast,
    Ticker,
    applicant_of,
    build_cast,
    drive,
    make_officer,
    perform,
    vn,
)
from motcua.monitoring import queries
from motcua.monitoring.index766 import load_index_versions
from motcua.monitoring.models import Comparison, Target
from motcua.monitoring.periods import Period

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)
MARCH_QUERY = "period=month&year=2026&month=3"
DASHBOARD = "/nghiep-vu/thong-ke/"
DRILL = "/nghiep-vu/thong-ke/ho-so/"
CODE = re.compile(r'href="/nghiep-vu/ho-so/([^/"]+)/"')


def make_march_dossiers(cast: Cast) -> dict[str, list[Dossier]]:
    """In commune A, March 2026: three dossiers received online (one resolved and returned, two in
    progress), one received in person (in progress), one filed online but never accepted (not received);
    in commune B, one received in person."""
    online = [
        drive(cast, "returned", Ticker(vn(2026, 3, 2, 8, 30))),
        drive(cast, "processing", Ticker(vn(2026, 3, 9, 8, 30))),
        drive(cast, "accepted", Ticker(vn(2026, 3, 16, 8, 30))),
    ]
    counter = services.submit(
        actor=cast.counter,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=cast.commune,
        channel=Channel.IN_PERSON,
        applicant=applicant_of(cast.other_citizen),
        delivery_method=DeliveryMethod.COUNTER,
        at=vn(2026, 3, 4, 9),
    )
    counter = perform(cast, counter, Action.ACCEPT, at=vn(2026, 3, 4, 10))
    never_received = drive(cast, "submitted", Ticker(vn(2026, 3, 20, 8, 30)))
    elsewhere = services.submit(
        actor=cast.other_commune_counter,
        procedure=cast.procedure,
        receiving_agency=cast.other_commune,
        competent_agency=cast.other_commune,
        channel=Channel.IN_PERSON,
        applicant=applicant_of(cast.other_citizen),
        delivery_method=DeliveryMethod.COUNTER,
        at=vn(2026, 3, 5, 9),
    )
    elsewhere = services.accept(elsewhere, actor=cast.other_commune_counter, at=vn(2026, 3, 5, 10))
    return {
        "online": online,
        "in_person": [counter],
        "not_received": [never_received],
        "commune_b": [elsewhere],
    }


def codes_on(content: bytes) -> set[str]:
    return set(CODE.findall(content.decode()))


def drill_links(content: bytes, measure: str) -> list[str]:
    """The drill-down addresses of ``measure`` on a page (HTML-unescaped)."""
    return [
        unescape(href)
        for href in re.findall(r'href="(/nghiep-vu/thong-ke/ho-so/\?[^"]+)"', content.decode())
        if f"measure={measure}&" in unescape(href) or unescape(href).endswith(f"measure={measure}")
    ]


# --- Who sees what -----------------------------------------------------------------------------------------


def test_a_commune_leader_sees_his_commune_and_neither_another_commune_nor_the_province(
    demo_world: Any,
) -> None:
    cast = build_cast(demo_world)
    client = verified_client(cast.leader)
    own = client.get(DASHBOARD)
    assert own.status_code == 200
    assert cast.commune.name.encode() in own.content
    assert client.get(f"{DASHBOARD}?agency={cast.commune.code}").status_code == 200
    assert client.get(f"{DASHBOARD}?agency={cast.other_commune.code}").status_code == 404
    assert client.get(f"{DASHBOARD}?agency={demo_world.province.code}").status_code == 404
    assert client.get(f"{DASHBOARD}?agency=000.00.00.NOPE").status_code == 404
    picker = re.search(r'<select id="f-agency".*?</select>', own.content.decode(), re.S)
    assert picker is not None
    assert cast.other_commune.code not in picker.group(0)
    assert demo_world.province.code not in picker.group(0)


def test_the_province_leader_opens_the_province_and_any_unit_below(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    client = verified_client(demo_world.officers["lanhdao.tinh"])
    for agency in (demo_world.province, cast.commune, cast.other_commune):
        response = client.get(f"{DASHBOARD}?agency={agency.code}")
        assert response.status_code == 200, agency.code
        assert agency.name.encode() in response.content


def test_officers_without_a_leader_role_are_refused(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    for officer in (cast.counter, cast.specialist):
        assert verified_client(officer).get(DASHBOARD).status_code == 403
    assert verified_client(cast.counter).get(f"{DASHBOARD}xuat/excel/").status_code == 403


def test_without_the_second_factor_the_dashboard_is_closed(demo_world: Any) -> None:
    from django.test import Client

    cast = build_cast(demo_world)
    client = Client()
    client.force_login(cast.leader)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/nghiep-vu/xac-thuc-2-buoc/")


# --- Numbers and drill-down -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "groups"),
    [
        ("received", ("online", "in_person")),
        ("received_online", ("online",)),
        ("received_in_person", ("in_person",)),
        ("open_at_end", ("online", "in_person")),
    ],
)
def test_the_drill_down_lists_exactly_the_dossiers_behind_a_counter(
    demo_world: Any, measure: str, groups: tuple[str, ...]
) -> None:
    cast = build_cast(demo_world)
    made = make_march_dossiers(cast)
    expected = {d.code for group in groups for d in made[group]}
    if measure == "open_at_end":  # the returned dossier is finished
        expected -= {made["online"][0].code}
    counts = queries.counts(cast.commune, MARCH)
    assert counts[measure] == len(expected)

    client = verified_client(cast.leader)
    dashboard = client.get(f"{DASHBOARD}?{MARCH_QUERY}")
    assert dashboard.status_code == 200
    links = drill_links(dashboard.content, measure)
    assert links, f"no drill-down link for {measure}"
    own = [link for link in links if f"agency={cast.commune.code}&" in link]
    assert own
    listed = client.get(own[0])
    assert listed.status_code == 200
    assert codes_on(listed.content) == expected
    assert f'<strong id="total">{len(expected)}</strong>'.encode() in listed.content
    never = {d.code for d in made["not_received"] + made["commune_b"]}
    assert not codes_on(listed.content) & never


def test_every_drill_down_link_of_the_dashboard_lists_as_many_dossiers_as_its_number(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    client = verified_client(demo_world.officers["lanhdao.tinh"])
    page = client.get(f"{DASHBOARD}?agency={demo_world.province.code}&{MARCH_QUERY}").content.decode()
    anchors = re.findall(r'<a href="(/nghiep-vu/thong-ke/ho-so/\?[^"]+)">([\d.]+)</a>', page)
    assert len(anchors) > 10
    for href, number in anchors[:40]:
        listed = client.get(unescape(href))
        assert listed.status_code == 200
        total = re.search(rb'<strong id="total">([\d.]+)</strong>', listed.content)
        assert total is not None
        assert total.group(1).decode() == number, href


def test_the_drill_down_is_for_officers_of_the_subtree_only(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    made = make_march_dossiers(cast)
    query = "measure=received&from=2026-03-01&to=2026-03-31"
    counter = verified_client(cast.counter)  # any role in commune A is enough
    mine = counter.get(f"{DRILL}?agency={cast.commune.code}&{query}")
    assert mine.status_code == 200
    assert {d.code for d in made["online"]} <= codes_on(mine.content)
    assert counter.get(f"{DRILL}?agency={cast.other_commune.code}&{query}").status_code == 404
    assert counter.get(f"{DRILL}?agency={demo_world.province.code}&{query}").status_code == 404
    outsider = verified_client(make_officer("ngoai.tinh", demo_world.departments["Bộ Tài chính"], *Role))
    assert outsider.get(f"{DRILL}?agency={cast.commune.code}&{query}").status_code == 404
    for broken in (
        "measure=nothing&from=2026-03-01&to=2026-03-31",
        "measure=processing_centidays&from=2026-03-01&to=2026-03-31",
        "measure=received&from=2026-03-31&to=2026-03-01",
        "measure=received&from=yesterday&to=2026-03-01",
    ):
        assert counter.get(f"{DRILL}?agency={cast.commune.code}&{broken}").status_code == 404, broken


def test_the_drill_down_read_is_audited_once_without_personal_data(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    client = verified_client(cast.leader)
    before = AuditEntry.objects.count()
    response = client.get(
        f"{DRILL}?agency={cast.commune.code}&measure=received&from=2026-03-01&to=2026-03-31"
    )
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.actor == cast.leader
    assert entry.object_type == "dossier_list"
    assert entry.agency_id == cast.commune.pk
    assert entry.detail["measure"] == "received"
    assert entry.detail["count"] == 4
    written = str(entry.detail) + entry.object_label
    assert cast.citizen.full_name not in written
    assert cast.citizen.citizen_id_number not in written


def test_the_drill_down_pages_by_fifty(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    for day in range(52):
        dossier = services.submit(
            actor=cast.counter,
            procedure=cast.procedure,
            receiving_agency=cast.commune,
            channel=Channel.IN_PERSON,
            applicant=applicant_of(cast.citizen),
            at=vn(2026, 4, 1 + day % 28, 8, day),
        )
        services.accept(dossier, actor=cast.counter, at=vn(2026, 4, 1 + day % 28, 9, day))
    client = verified_client(cast.leader)
    url = f"{DRILL}?agency={cast.commune.code}&measure=received&from=2026-04-01&to=2026-04-30"
    first, second = client.get(url), client.get(url + "&trang=2")
    assert len(codes_on(first.content)) == 50
    assert len(codes_on(second.content)) == 2
    assert not codes_on(first.content) & codes_on(second.content)


# --- What the dashboard shows ------------------------------------------------------------------------------


def test_a_rate_without_denominator_is_shown_as_no_data_never_zero(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    client = verified_client(cast.leader)
    page = client.get(f"{DASHBOARD}?period=month&year=2025&month=1").content.decode()
    row = re.search(r'<tr id="ind-online_dossier_rate">.*?</tr>', page, re.S)
    assert row is not None
    assert "Không có dữ liệu / N/A" in row.group(0)
    assert "0,00 %" not in row.group(0)
    assert " 0 %" not in row.group(0)
    english = client.get(f"{DASHBOARD}?period=month&year=2025&month=1", HTTP_ACCEPT_LANGUAGE="en")
    assert b"No data / N/A" in english.content


def test_the_dashboard_shows_the_rates_of_the_period(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    client = verified_client(cast.leader)
    page = client.get(f"{DASHBOARD}?{MARCH_QUERY}").content.decode()
    assert "Tháng 03/2026" in page
    row = re.search(r'<tr id="ind-online_dossier_rate">.*?</tr>', page, re.S)
    assert row is not None
    assert "75,00 %" in row.group(0)  # 3 online of 4 received
    quarter = client.get(f"{DASHBOARD}?period=quarter&year=2026&quarter=1").content.decode()
    assert "Quý 1/2026" in quarter
    dates = client.get(f"{DASHBOARD}?period=range&from=2026-03-04&to=2026-03-04").content.decode()
    row = re.search(r'<tr id="ind-online_dossier_rate">.*?</tr>', dates, re.S)
    assert row is not None
    assert "0,00 %" in row.group(0)  # only the dossier received in person that day


def test_a_period_that_does_not_parse_is_reported_next_to_its_field(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    client = verified_client(cast.leader)
    response = client.get(f"{DASHBOARD}?period=range&from=2026-03-10&to=2026-03-01")
    assert response.status_code == 400
    assert 'href="#f-to"' in response.content.decode()
    assert client.get(f"{DASHBOARD}?period=month&year=2026&month=13").status_code == 400


def test_the_monthly_trend_has_one_point_per_month_in_a_chart_and_a_table(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    client = verified_client(cast.leader)
    page = client.get(f"{DASHBOARD}?period=quarter&year=2026&quarter=1&trend=online_dossier_rate").content
    html = page.decode()
    chart = re.search(r'<svg[^>]*id="trend-chart".*?</svg>', html, re.S)
    assert chart is not None
    assert chart.group(0).count('class="dot"') == 1  # only March has received dossiers
    table = re.search(r'<caption id="trend-caption".*?</table>', html, re.S)
    assert table is not None
    for month in ("Tháng 01/2026", "Tháng 02/2026", "Tháng 03/2026"):
        assert month in table.group(0)


def test_a_target_is_shown_beside_its_indicator_with_its_status(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    Target.objects.create(
        framework="Chỉ tiêu thử của xã",
        indicator="online_dossier_rate",
        agency=cast.commune,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 4, 1),
        comparison=Comparison.AT_LEAST,
        threshold=70,
        legal_basis="Kế hoạch thử",
    )
    Target.objects.create(
        framework="Chỉ tiêu thử khó",
        indicator="online_dossier_rate",
        agency=cast.commune,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 4, 1),
        comparison=Comparison.AT_LEAST,
        threshold=80,
        legal_basis="Kế hoạch thử",
    )
    page = verified_client(cast.leader).get(f"{DASHBOARD}?{MARCH_QUERY}").content.decode()
    row = re.search(r'<tr id="ind-online_dossier_rate">.*?</tr>', page, re.S)
    assert row is not None
    items = re.findall(r"<li>.*?</li>", row.group(0), re.S)
    met = next(i for i in items if "Chỉ tiêu thử của xã" in i)
    missed = next(i for i in items if "Chỉ tiêu thử khó" in i)
    assert "Đạt" in met
    assert "≥ 70,00 %" in met
    assert "Không đạt" in missed
    assert "≥ 80,00 %" in missed


def test_the_766_index_is_shown_per_version_with_criterion_statuses(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    client = verified_client(cast.leader)
    before = client.get(f"{DASHBOARD}?{MARCH_QUERY}").content.decode()
    assert before.count("Chưa nạp phiên bản bộ chỉ số") == 2
    load_index_versions()
    page = client.get(f"{DASHBOARD}?{MARCH_QUERY}").content.decode()
    assert "Phiên bản DVCQG-2026" in page
    assert "Phiên bản 766-2022" in page
    assert "Chưa nạp phiên bản bộ chỉ số" not in page
    for label in ("Đã chấm", "Không có dữ liệu", "Chưa xác minh điểm"):
        assert label in page, label


def test_the_province_ranks_its_units_with_na_last_and_links_each_unit(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    client = verified_client(demo_world.officers["lanhdao.tinh"])
    page = client.get(
        f"{DASHBOARD}?agency={demo_world.province.code}&{MARCH_QUERY}&rank=online_dossier_rate"
    ).content.decode()
    table = re.search(r'<caption id="ranking-caption".*?</table>', page, re.S)
    assert table is not None
    rows = re.findall(r"<tr><td class=\"num\">(.*?)</td><th scope=\"row\">(.*?)</th>", table.group(0))
    ranked = [(rank, name) for rank, name in rows]
    # commune A: 75 %, commune B: 0 % (in person), every other unit: no dossier received (N/A, unranked)
    assert ranked[0] == ("1", cast.commune.short_name or cast.commune.name)
    assert ranked[1] == ("2", cast.other_commune.short_name or cast.other_commune.name)
    assert all(rank == "–" for rank, _ in ranked[2:])
    assert len(ranked) == demo_world.province.children.filter(valid_to__isnull=True).count()
    assert f"?agency={cast.other_commune.code}&amp;" in page
    chart = re.search(r'<svg[^>]*id="ranking-chart".*?</svg>', page, re.S)
    assert chart is not None
    assert chart.group(0).count('class="bar"') == 2


# --- Exports -----------------------------------------------------------------------------------------------


def test_the_exports_are_an_excel_workbook_and_a_pdf(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    make_march_dossiers(cast)
    client = verified_client(cast.leader)
    excel = client.get(f"{DASHBOARD}xuat/excel/?agency={cast.commune.code}&{MARCH_QUERY}")
    assert excel.status_code == 200
    assert excel["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in excel["Content-Disposition"]
    assert excel.content[:2] == b"PK"  # an .xlsx file is a zip archive
    pdf = client.get(f"{DASHBOARD}xuat/pdf/?agency={cast.commune.code}&{MARCH_QUERY}")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content[:5] == b"%PDF-"
    assert client.get(f"{DASHBOARD}xuat/word/?agency={cast.commune.code}").status_code == 404
    assert client.get(f"{DASHBOARD}xuat/excel/?agency={cast.other_commune.code}").status_code == 404


def test_the_dashboard_links_to_both_exports_with_its_agency_and_period(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    page = verified_client(cast.leader).get(f"{DASHBOARD}?{MARCH_QUERY}").content.decode()
    for kind in ("excel", "pdf"):
        assert (
            f"/nghiep-vu/thong-ke/xuat/{kind}/?agency={cast.commune.code}&amp;period=range&amp;"
            "from=2026-03-01&amp;to=2026-03-31"
        ) in page


def test_the_as_is_view_is_carried_to_the_drill_down_and_the_exports(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    made = make_march_dossiers(cast)
    client = verified_client(cast.leader)
    page = client.get(f"{DASHBOARD}?{MARCH_QUERY}&view=as_is").content.decode()
    assert "theo đơn vị hiện nay" in page
    assert 'id="f-view-is" name="view" value="as_is" checked' in page
    links = [
        link for link in drill_links(page.encode(), "received") if f"agency={cast.commune.code}&" in link
    ]
    assert links
    assert all(link.endswith("&view=as_is") for link in links)
    listed = client.get(links[0])
    assert codes_on(listed.content) == {d.code for d in made["online"] + made["in_person"]}
    assert "view=as_is" in page[page.index("/nghiep-vu/thong-ke/xuat/excel/") :].split('"')[0]
