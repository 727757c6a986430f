"""A list says once the administrative prefix its rows share (fieldapp/addresses.py)."""

from fieldapp.addresses import after_prefix, shared_prefix, units


def test_units_are_the_leading_administrative_divisions():
    assert units("江苏省苏州市吴中区木渎镇金山路12号") == ["江苏省", "苏州市", "吴中区", "木渎镇"]
    assert units("江苏省苏州市吴中区城南街道宝带东路1号") == ["江苏省", "苏州市", "吴中区", "城南街道"]
    assert units("新疆维吾尔自治区乌鲁木齐市天山区1号") == ["新疆维吾尔自治区", "乌鲁木齐市", "天山区"]
    assert units("金山路12号") == [] and units("") == []
    assert units("江苏省苏州市") == ["江苏省"]  # a unit that is the whole rest is not a prefix


def test_the_shared_prefix_stops_at_the_first_unit_that_differs():
    rows = ["江苏省苏州市吴中区木渎镇金山路12号", "江苏省苏州市吴中区木渎镇中山路1号", None, ""]
    assert shared_prefix(rows) == "江苏省苏州市吴中区木渎镇"
    assert shared_prefix(rows + ["江苏省苏州市吴中区城南街道宝带东路1号"]) == "江苏省苏州市吴中区"
    assert shared_prefix(rows + ["金山路1号"]) == ""
    assert shared_prefix(rows[:1]) == ""  # one row: nothing to say once
    # Units match whole: 苏州市 and 苏州工业园区 share the characters 苏州 but no unit.
    assert shared_prefix(["苏州市吴中区1号", "苏州工业园区星湖街1号"]) == ""


def test_a_row_shows_what_tells_it_apart():
    prefix = "江苏省苏州市吴中区木渎镇"
    assert after_prefix("江苏省苏州市吴中区木渎镇金山路12号", prefix) == "金山路12号"
    assert after_prefix("上海市1号", prefix) == "上海市1号"
    assert after_prefix(None, prefix) == "" and after_prefix("金山路", "") == "金山路"


def test_the_inspectors_list_says_the_prefix_once(make_client, world, db):
    from tests.helpers import logged_in

    for e, road in ((world.ent_a1, "金山路1号"), (world.ent_a1_other, "中山路2号")):
        e.operating_address = "江苏省苏州市吴中区木渎镇" + road
    db.session.commit()
    page = logged_in(make_client(), "insp_a1").get("/inspections/patrol").get_data(as_text=True)
    assert "地址均在江苏省苏州市吴中区木渎镇" in page
    assert "金山路1号" in page and "江苏省苏州市吴中区木渎镇金山路1号" not in page
