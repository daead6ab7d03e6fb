"""Jilin places: gazetteer, find_places and rollup (generator/enrich/places.py).

The last tests run ``find_places`` on the bundled corpus and compare with the reference
annotations of the 20 seed articles (/work/shared/gold/seed-articles.json, copied below
as ``GOLD``: line ranges, title, ``cities``, ``cities_acceptable``, ``cities_mentioned``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.enrich.places import Place, find_places, gazetteer, rollup

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def cities(title: str, *paragraphs: str, **kw) -> list[str]:
    return find_places(title, list(paragraphs), **kw)[0]


def places(title: str, *paragraphs: str, **kw) -> list[str]:
    return find_places(title, list(paragraphs), **kw)[1]


# --- the gazetteer data -------------------------------------------------------------

PREFECTURES = {
    "长春": "220100",
    "吉林市": "220200",
    "四平": "220300",
    "辽源": "220400",
    "通化": "220500",
    "白山": "220600",
    "松原": "220700",
    "白城": "220800",
    "延边": "222400",
}
# county-level divisions per prefecture (NBS 2023; 公主岭 under 长春, 梅河口 under 通化)
COUNTIES = {"长春": 11, "吉林市": 9, "四平": 5, "辽源": 4, "通化": 7}
COUNTIES |= {"白山": 6, "松原": 5, "白城": 5, "延边": 8}


def test_gazetteer_covers_jilin_with_nbs_codes():
    g = gazetteer()
    assert all(isinstance(p, Place) for p in g.values())
    for name, code in PREFECTURES.items():
        assert g[name].code == code and g[name].level == "prefecture" and g[name].parent is None
    county_level = [p for p in g.values() if p.level in ("county", "district")]
    assert len(county_level) == 60
    for parent, n in COUNTIES.items():
        children = [p for p in county_level if p.parent == parent]
        assert len(children) == n, parent
        assert all(p.code[:4] == PREFECTURES[parent][:4] for p in children), parent
    assert len({p.code for p in county_level}) == 60
    assert all(re.fullmatch(r"22\d{4}", p.code) for p in county_level)
    slugs = [p.slug for p in g.values()]
    assert len(set(slugs)) == len(slugs) and all(re.fullmatch(r"[a-z-]+", s) for s in slugs)
    assert g["长白山"].level == "zone" and g["长白山"].full == "长白山保护开发区"
    assert (g["梅河口"].code, g["梅河口"].parent, g["梅河口"].full) == (
        "220581",
        "通化",
        "梅河口市",
    )
    assert g["公主岭"].code == "220184" and g["公主岭"].parent == "长春"
    assert g["珲春"] == Place("珲春", "珲春市", "222404", "county", "延边", "hunchun")
    assert g["宽城"].full == "宽城区" and g["宽城"].level == "district"
    assert g["前郭"].full == "前郭尔罗斯蒙古族自治县" and g["长白"].full == "长白朝鲜族自治县"
    assert gazetteer() is g  # cached


def test_rollup():
    assert rollup("珲春") == "延边"
    assert rollup("通榆") == "白城"
    assert rollup("宽城") == "长春"
    assert rollup("长春") == "长春"
    assert rollup("吉林市") == "吉林市"
    assert rollup("长白山") == "长白山"
    assert rollup("梅河口") == "梅河口"  # a peer of the prefectures
    assert rollup("延边朝鲜族自治州") == "延边"  # aliases are accepted
    assert rollup("伊通满族自治县") == "四平"
    assert rollup("北京") is None


def test_rollup_follows_boundary_changes():
    assert rollup("公主岭", "2019-12-31") == "四平"
    assert rollup("公主岭", "2020-05") == "四平"
    assert rollup("公主岭", "2020-06-15") == "长春"
    assert rollup("公主岭", "2023-02-07") == "长春"
    assert rollup("公主岭") == "长春"


# --- province vs 吉林市 --------------------------------------------------------------


def test_province_is_not_jilin_city():
    assert places("吉林省召开全省工作会议", "我省将全面推进吉林振兴，全省各地积极行动。") == []
    assert places("", "吉林市委常委会召开会议。") == ["吉林市"]
    assert places("", "吉林市场主体突破300万户。") == []
    assert places("", "吉林大学、吉林农业大学参加。") == []


def test_bare_jilin_in_a_list_of_cities_is_jilin_city():
    text = "抓好长春、珲春、吉林3个跨境电商综合试验区建设。"
    assert places("", text) == ["长春", "珲春", "吉林市"]
    assert places("", "加快推进“长春—吉林—图们”开发开放先导区建设。") == ["长春", "吉林市", "图们"]
    assert cities("长春吉林两市签约", "双方签署协议。") == ["长春", "吉林市"]
    assert places("", "吉林、辽宁、黑龙江三省联合开展行动。") == []
    assert places("", "吉林长春、吉林梨树。") == ["长春", "梨树"]  # province, then place
    assert places("和声激荡新吉林 ——长春市与各市(州)对接合作综述", "") == ["长春"]


# --- rivers, mountains, bridges, institutions, look-alikes ---------------------------


def test_rivers_and_bridges_are_not_places():
    assert places("", "中部伊通河“水文化”高端消费区。") == []
    assert places("", "伊通县新建产业园。") == ["伊通"]
    assert places("", "沿图们江鸭绿江边境大通道项目获得批复。") == []
    assert places("", "图们市开发区签约。") == ["图们"]
    assert places("", "西安桥改造完工。") == []
    assert places("", "比赛今天在陕西西安收官。") == []
    assert places("", "辽源市西安区召开会议。") == ["辽源", "西安"]
    assert places("", "延吉路拓宽改造完工。") == []


def test_mountain_and_metonyms_are_not_the_zone():
    text = (
        "巍巍长白山，滔滔松江水。热潮在白山松水间奔涌。推动泛长白山食药产业、长白山特色农产品发展。"
    )
    assert places("", text) == []
    assert places("", "长白山保护开发区推进合作。") == ["长白山"]
    assert places("", "长白山开发区、梅河口市签署协议。") == ["长白山", "梅河口"]
    assert places("", "白城市、长白山、梅河口市科学谋划。") == ["白城", "长白山", "梅河口"]


def test_institutions_name_the_city_but_do_not_make_it_a_city():
    found = find_places(
        "珲春综合保税区1月出口商用车621辆",
        ["该局分别与长春一汽、中国重汽等集团进行业务对接。", "珲春海关积极落实长春海关措施。"],
    )
    assert found == (["珲春"], ["珲春", "长春"])
    assert find_places("", ["延边大学与长光卫星开展合作。"]) == ([], ["延边"])
    assert find_places("", ["好记食品与长春科技学院开展合作。"]) == ([], ["长春"])


def test_meizhou_is_not_meihekou():
    assert places("", "将与大连、武汉、梅州、深圳、苏州角逐冠军。") == []
    assert places("", "推动梅河口汽车产业园建设。批复设立梅河新区。") == ["梅河口"]


# --- abbreviation chains and boundaries ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "提升“长辽梅通白延医药健康产业走廊”产业集聚水平。",
        "积极推进长吉、长平一体化。",
        "提速建设长榆、长太、长延高速。",
        "珲阿公路石头口门绕越线竣工。长辽通高铁启动前期。",
        "长双烟高速、抚长高速有序推进。",
        "谋划长白通高速公路。",  # a county name inside a chain is not a mention
    ],
)
def test_abbreviation_chains_are_not_mentions(text):
    assert places("", text) == []


def test_full_names_inside_runs_still_count():
    assert places("", "重点打造白城长春共建产业园。") == ["白城", "长春"]
    assert places("", "长春—辽源—通化高铁已经确定纳入规划。") == ["长春", "辽源", "通化"]
    assert places("", "平安长春建设扎实推进。") == ["长春"]


def test_districts_need_their_full_form():
    assert places("", "宽城区、九台区入选。") == ["宽城", "九台"]
    assert places("", "九台经济开发区揭牌。") == ["九台"]
    assert places("", "宽城满族自治县是河北的县。") == []
    assert places("", "二道区、二道江区分别签约。") == ["二道", "二道江"]
    assert places("", "浑江水位上涨。") == []


def test_districts_named_like_districts_elsewhere_need_their_parent():
    assert places("", "北京市朝阳区举办活动。") == []
    assert places("", "长春市朝阳区举办活动。") == ["长春", "朝阳"]
    assert places("", "四平市铁东区入选。") == ["四平", "铁东"]
    assert places("", "沈阳市铁西区工业基地。") == []


@pytest.mark.parametrize(
    "text",
    [
        "学习杨靖宇将军的精神。",
        "党的领导坚如磐石。",
        "工作做得四平八稳。",
        "带动骨干企业和龙头企业发展。",
        "排查重大安全隐患。",
        "汇集安全生产力量。",
        "院里种着一棵老榆树和几棵梨树花。",
        "明前西湖龙井上市。",
    ],
)
def test_words_that_contain_place_names(text):
    assert places("", text) == []


def test_county_names_at_word_boundaries():
    found = places("", "集安市、靖宇县、和龙市、大安市、龙井市、磐石市入选。")
    assert found == ["集安", "靖宇", "和龙", "大安", "龙井", "磐石"]
    found = places("", "安图、汪清、和龙、靖宇、敦化、通化共7个项目纳入规划。")
    assert found == ["安图", "汪清", "和龙", "靖宇", "敦化", "通化"]
    assert places("", "通化县、通化市分别签约。") == ["通化县", "通化"]
    assert places("", "前郭尔罗斯蒙古族自治县、前郭县、伊通满族自治县。") == ["前郭", "伊通"]


def test_given_names_are_not_places():
    assert places("", "记者 王长春 张四平 报道。市民李舒兰说。") == []
    assert places("", "位于长春的企业。健康长春建设。") == ["长春"]


def test_a_parent_before_its_district_only_qualifies_it():
    assert find_places("", ["吉林市丰满区旺起镇开展活动。"]) == (["丰满"], ["吉林市", "丰满"])


# --- 我市 -----------------------------------------------------------------------------


def test_home_city():
    text = "我市将新建地下管线200公里。本市居民可申请补贴。"
    assert find_places("", [text]) == ([], [])
    assert find_places("", [text], home_city="长春") == (["长春"], ["长春"])
    assert find_places("", [text], home_city="长春市") == (["长春"], ["长春"])


# --- weighing: what the article is about ---------------------------------------------


def test_a_county_in_the_title_is_a_main_city():
    assert cities("珲春：提升民生服务质量", "珲春市在城乡基层治理工作中坚持…。") == ["珲春"]
    # as a kicker line opening the paragraphs
    assert cities("提升民生服务质量", "珲春:", "珲春市在城乡基层治理工作中坚持…。") == ["珲春"]


def test_title_places_first_and_passing_mentions_left_out():
    body = [
        "近年来，长春市与延边州紧密牵手促合作，推动项目在延边开花结果。",
        "延边州精心组织、多方沟通。延吉恐龙王国开园迎客。",
        "此外，敦化开发区、图们开发区分别签订项目投资合同。",
    ]
    c, p = find_places("延边州推动与长春市对接合作综述", body)
    assert c == ["延边", "长春"]
    assert p == ["延边", "长春", "延吉", "敦化", "图们"]


def test_places_only_in_a_long_list_are_not_main_cities():
    text = (
        "此次评选，长春市宽城区、长春市九台区、公主岭市、磐石市、四平市铁东区、"
        "伊通满族自治县、东丰县、辉南县、抚松县、延吉市和敦化市荣登榜单。"
    )
    c, p = find_places(
        "中国科协公布第二批全国科普示范县认定名单", ["近日，中国科协公布名单。", text]
    )
    assert c == []
    assert p[:4] == ["长春", "宽城", "九台", "公主岭"] and "敦化" in p and "铁东" in p


def test_province_wide_articles_have_no_main_city():
    c, p = find_places(
        "我省实施“十大跃升行动”推进科技创新",
        [
            "记者从全省科技工作会议上了解到，我省将启动实施十大跃升行动。",
            "全力支持长春国家自创区建设。",
        ],
    )
    assert (c, p) == ([], ["长春"])


def test_a_venue_is_not_what_the_article_is_about():
    c, p = find_places(
        "加快绿色低碳转型 服务吉林经济发展",
        ["本报讯 绿电赋能生态强省建设示范推广会今天在长春召开。", "会上，各方签订协议。"],
    )
    assert (c, p) == ([], ["长春"])


def test_career_stations_and_birthplace_in_a_profile():
    c, p = find_places(
        "黎海滨简历",
        [
            "黎海滨，男，汉族，1964年3月生，吉林梨树人，1988年7月参加工作。",
            "2006年2月，任吉林省公安厅正处长级干部(其间：下派白城市公安局任副局长)；",
            "2009年4月，任吉林市委常委、政法委书记、市公安局局长；",
        ],
    )
    assert c == [] and p == ["梨树", "白城", "吉林市"]


def test_single_subject_without_title_place():
    text = "近年来，通榆县乌兰花镇在全镇推行“小积分”激活“大德治”体系建设。图为村民兑换商品。"
    assert cities("", text) == ["通榆"]


def test_all_prefectures_title_makes_each_prefecture_a_subject():
    body = [
        "在这张网中，长春无疑是中心与焦点。",
        "去年，延边州推动对接合作项目向县市级延伸；松原市成立项目专班；通化市推进25个项目合作；"
        "吉林市、四平市紧盯主攻方向；辽源市、白山市围绕产业链推进对接合作；"
        "白城市、长白山保护开发区、梅河口市科学谋划，推进合作项目落地见效。",
        "推动敦化—长白山高铁、延吉金豆欢乐园等项目落地。",
    ]
    c, p = find_places("和声激荡新吉林 ——长春市与各市(州)对接合作综述", body)
    assert c[0] == "长春"
    assert set(c) == set(PREFECTURES) | {"长白山", "梅河口"}
    assert "敦化" in p and "延吉" in p and "敦化" not in c


def test_empty_input():
    assert find_places("", []) == ([], [])
    assert find_places("", ["", "   "]) == ([], [])


# --- the bundled corpus against the reference annotations ----------------------------


@dataclass(frozen=True)
class _Gold:
    id: str
    title: str
    files: list[tuple[str, list[tuple[int, int]], list[str] | None]]  # file, ranges, by-file
    cities: list[str]
    mentioned: list[str]
    acceptable: list[list[str]] = field(default_factory=list)


GOLD_FILE = Path(__file__).resolve().parent / "fixtures" / "gold" / "seed-articles.json"


def _load_gold() -> list[_Gold]:
    """The reference annotations (tests/fixtures/gold/seed-articles.json) as _Gold rows."""
    import json

    rows = []
    for g in json.loads(GOLD_FILE.read_text(encoding="utf-8")):
        by_file = g.get("cities_mentioned_by_file") or {}
        files = [
            (f["file"], [tuple(r) for r in f["lines"]], by_file.get(f["file"][:3]))
            for f in g["files"]
        ]
        rows.append(
            _Gold(
                id=g["id"],
                title=g["title"] or "",
                files=files,
                cities=g["cities"],
                mentioned=g["cities_mentioned"],
                acceptable=g.get("cities_acceptable") or [],
            )
        )
    return rows


GOLD = _load_gold()

_CJK = "\u3400-\u9fff"


def _clean(line: str) -> str:
    """A raw line as the pipeline would see it: no markdown marks, no spaces inside CJK."""
    line = re.sub(r"^#+\s*", "", line.strip())
    return re.sub(rf"(?<=[{_CJK}])[ \u3000]+(?=[{_CJK}])", "", line)


def _article(gold: _Gold, file: str, ranges: list[tuple[int, int]]) -> tuple[str, list[str]]:
    lines = (CORPUS / file).read_text(encoding="utf-8").split("\n")
    paragraphs = [
        _clean(line) for first, last in ranges for line in lines[first - 1 : last] if line.strip()
    ]
    key = re.sub(r"\s", "", gold.title)
    for k, p in enumerate(paragraphs):
        if key and re.sub(r"\s", "", p) == key:
            del paragraphs[k]
            break
    return gold.title, paragraphs


def _gold_run() -> tuple[float, float, list[str]]:
    tp = fp = fn = found = total = 0
    report = []
    for gold in GOLD:
        for n, (file, ranges, by_file) in enumerate(gold.files):
            got_cities, got_places = find_places(*_article(gold, file, ranges))
            mentioned = by_file or gold.mentioned
            missed = [p for p in mentioned if p not in got_places]
            found += len(mentioned) - len(missed)
            total += len(mentioned)
            line = f"{gold.id[:32]:32} {file[:3]} places={got_places} missed={missed}"
            if n == 0:  # cities are judged on the first (full) copy of each article
                expected = gold.cities
                for alt in gold.acceptable:
                    if set(alt) == set(got_cities):
                        expected = alt
                hit = len(set(got_cities) & set(expected))
                tp += hit
                fp += len(set(got_cities)) - hit
                fn += len(set(expected)) - hit
                ok = "ok " if set(got_cities) == set(expected) else "BAD"
                line = f"{ok} {line} cities={got_cities} gold={expected}"
            else:
                line = f"    {line}"
            report.append(line)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    report.append(f"cities micro P={precision:.3f} R={recall:.3f} F1={f1:.3f} (tp={tp})")
    report.append(f"places recall {found}/{total} = {found / total:.3f}")
    return f1, found / total, report


def test_corpus_against_reference_annotations():
    if not all((CORPUS / f).exists() for g in GOLD for f, _, _ in g.files):
        pytest.skip("bundled corpus not found")
    f1, recall, report = _gold_run()
    print("\n" + "\n".join(report))
    assert f1 >= 0.9
    assert recall >= 0.9
