"""居民身份证号 (18 digits), in python-stdnum's shape: compact, validate, is_valid.

stdnum.cn.ric does the arithmetic (check digit, birth date).  Its birthplace
test is not used: it requires the six-digit region code to have existed on
the holder's birth date, but the code is the household registration's at the
time the number was issued, so everyone born before their district was
created (330212 鄞州区 for someone born in 1981) would be reported invalid.
Only the province (first two digits) is checked.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric

from zjcheck.extract.regions import provinces
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError



def compact(number: str) -> str:
    return ric.compact(number)


def validate(number: str) -> str:
    """The compact number, or raise stdnum's ValidationError saying what is wrong."""
    number = compact(number)
    if len(number) != 18:
        raise InvalidLength()
    if not number[:17].isdigit():
        raise InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidChecksum()
    born = ric.get_birth_date(number)          # raises InvalidComponent for 2月30日
    if not 1900 <= born.year <= date.today().year:
        raise InvalidComponent()
    if number[:2] not in provinces():
        raise InvalidComponent()
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False
