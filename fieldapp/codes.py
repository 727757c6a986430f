"""Code lists used across the enterprise file. Codes are stored; labels are translated.

Industries follow GB/T 4754-2017 (国民经济行业分类) at division level, limited to
the divisions that district work-safety supervision deals with; scales follow the
statistics bureau's 大中小微 classes; risk grades are the four colours of
安全风险分级管控; hazard types are the accident classes of GB 6441-1986.
"""

from __future__ import annotations

from fieldapp.i18n import lazy_gettext as _l

INDUSTRIES = {
    "B06": _l("煤炭开采和洗选业"),
    "B10": _l("非金属矿采选业"),
    "C13": _l("农副食品加工业"),
    "C14": _l("食品制造业"),
    "C15": _l("酒、饮料和精制茶制造业"),
    "C17": _l("纺织业"),
    "C18": _l("纺织服装、服饰业"),
    "C19": _l("皮革、毛皮、羽毛及其制品和制鞋业"),
    "C20": _l("木材加工和木、竹、藤、棕、草制品业"),
    "C21": _l("家具制造业"),
    "C22": _l("造纸和纸制品业"),
    "C23": _l("印刷和记录媒介复制业"),
    "C25": _l("石油、煤炭及其他燃料加工业"),
    "C26": _l("化学原料和化学制品制造业"),
    "C27": _l("医药制造业"),
    "C29": _l("橡胶和塑料制品业"),
    "C30": _l("非金属矿物制品业"),
    "C31": _l("黑色金属冶炼和压延加工业"),
    "C32": _l("有色金属冶炼和压延加工业"),
    "C33": _l("金属制品业"),
    "C34": _l("通用设备制造业"),
    "C35": _l("专用设备制造业"),
    "C36": _l("汽车制造业"),
    "C38": _l("电气机械和器材制造业"),
    "C39": _l("计算机、通信和其他电子设备制造业"),
    "C40": _l("仪器仪表制造业"),
    "D44": _l("电力、热力生产和供应业"),
    "D45": _l("燃气生产和供应业"),
    "E47": _l("房屋建筑业"),
    "F51": _l("批发业"),
    "F52": _l("零售业"),
    "G54": _l("道路运输业"),
    "G59": _l("装卸搬运和仓储业"),
    "H61": _l("住宿业"),
    "H62": _l("餐饮业"),
    "R90": _l("娱乐业"),
    "Z99": _l("其他行业"),
}

SCALES = {
    "large": _l("大型"),
    "medium": _l("中型"),
    "small": _l("小型"),
    "micro": _l("微型"),
}

#: Four-colour risk grades, most severe first.
RISK_GRADES = {
    "red": _l("重大风险（红）"),
    "orange": _l("较大风险（橙）"),
    "yellow": _l("一般风险（黄）"),
    "blue": _l("低风险（蓝）"),
}

HAZARD_TYPES = {
    "struck": _l("物体打击"),
    "vehicle": _l("车辆伤害"),
    "machinery": _l("机械伤害"),
    "lifting": _l("起重伤害"),
    "electric": _l("触电"),
    "drowning": _l("淹溺"),
    "burn": _l("灼烫"),
    "fire": _l("火灾"),
    "fall": _l("高处坠落"),
    "collapse": _l("坍塌"),
    "roof_fall": _l("冒顶片帮"),
    "flooding": _l("透水"),
    "blasting": _l("放炮"),
    "explosive": _l("火药爆炸"),
    "gas_explosion": _l("瓦斯爆炸"),
    "boiler_explosion": _l("锅炉爆炸"),
    "vessel_explosion": _l("容器爆炸"),
    "other_explosion": _l("其他爆炸"),
    "poisoning": _l("中毒和窒息"),
    "other": _l("其他伤害"),
}


def label(codes: dict, code) -> str:
    return str(codes[code]) if code in codes else (code or "")


_OPTIONS: dict[tuple, list[tuple[str, str]]] = {}


def options(codes: dict, with_code: bool = False) -> list[tuple[str, str]]:
    """(code, label) pairs for a select, translated once per language and kept:
    lazy strings cost a catalog lookup each, and forms show dozens of them."""
    from flask_babel import get_locale

    key = (id(codes), with_code, str(get_locale()))
    if key not in _OPTIONS:
        _OPTIONS[key] = [(c, f"{c} {label}" if with_code else str(label)) for c, label in codes.items()]
    return _OPTIONS[key]
