"""The unified social credit code check (GB 32100-2015), against an independent implementation."""

import random

import pytest
from stdnum.cn import uscc as stdnum_uscc

from fieldapp.services import uscc

# Codes published on business licences and in the national enterprise credit
# information system (each check character is right by chance with p = 1/31).
PUBLISHED = [
    "91110000600037341L",  # the example in python-stdnum's documentation
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert uscc.problem(code) is None


@pytest.mark.parametrize("code", PUBLISHED)
def test_any_single_typo_in_a_published_code_is_caught(code):
    for position in range(17):
        for replacement in uscc.ALPHABET:
            if replacement != code[position]:
                typo = code[:position] + replacement + code[position + 1 :]
                if typo[2:8].isdigit():
                    assert not uscc.is_valid(typo), typo


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("9111000060003734", "应为 18 位，当前为 16 位"),
        ("91110000600037341L0", "当前为 19 位"),
        ("91110000600O37341L", "不允许的字符：O"),
        ("9111000A600037341L", "行政区划代码"),
        ("91110000600037341M", "第 18 位应为 L"),
    ],
)
def test_each_rule_has_its_own_message(bare_app, code, fragment):
    with bare_app.test_request_context():
        assert fragment in uscc.problem(code)


def test_normalise_accepts_spaces_dashes_and_lower_case():
    assert uscc.is_valid(" 9111-0000 600037341l ")


def test_check_character_agrees_with_python_stdnum():
    rng = random.Random(7)
    for _ in range(2000):
        body = "".join(rng.choice(uscc.ALPHABET) for _ in range(9))
        first17 = rng.choice("159") + rng.choice("123") + f"{rng.randrange(10**6):06d}" + body
        code = first17 + uscc.check_character(first17)
        assert stdnum_uscc.is_valid(code), code
        wrong = first17 + next(c for c in uscc.ALPHABET if c != code[-1])
        assert not stdnum_uscc.is_valid(wrong) and not uscc.is_valid(wrong)


def test_make_builds_valid_codes_with_organisation_check():
    code = uscc.make("9", "1", "320506", "12345678")
    assert stdnum_uscc.is_valid(code)
    # GB 11714: 1*3+2*7+3*9+4*10+5*5+6*8+7*4+8*2 = 201; 11 - 201 % 11 = 8
    assert code[16] == "8"
