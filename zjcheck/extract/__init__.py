"""The one extraction layer every checker reads with (DESIGN §4).

    normalize  norm, squash, fuzzy_find / fuzzy_contains / fuzzy_pattern
    text       Text, View: lines with provenance; any match -> a Fact
    labels     value_after: label -> value on its visual row or below it
    dates      find_dates, date_after, parse_date, periods, month arithmetic
    numerals   to_int (二〇二四, 三十一, 壹拾万), ordinal (第二十名)
    money      figures and 大写, amount_facts
    names      names_after, name_position, name_in, plausible_name
    totals     total_after: the number on a 合计 row

Checkers import from here and from zjcheck.evidence, never from each other.
"""

from zjcheck.extract.dates import (DateMention, Period, date_after, date_fact, find_dates, first_year, fmt_month, month_range,
                                   parse_date, periods, shift)
from zjcheck.extract.labels import find_label, value_after
from zjcheck.extract.names import name_in, name_position, names_after, plausible_name
from zjcheck.extract.normalize import fuzzy_contains, fuzzy_find, fuzzy_pattern, norm, squash
from zjcheck.extract.numerals import ordinal, to_int
from zjcheck.extract.text import Text, TextLine, View
from zjcheck.extract.totals import total_after

__all__ = ["DateMention", "Period", "Text", "TextLine", "View", "date_after", "date_fact", "find_dates", "find_label",
           "first_year", "fmt_month", "fuzzy_contains", "fuzzy_find", "fuzzy_pattern", "month_range",
           "name_in", "name_position", "names_after", "norm", "ordinal", "parse_date", "periods",
           "plausible_name", "shift", "squash", "to_int", "total_after", "value_after"]
