"""snapshot.money: what Bizuno sent, at four places, whatever was formatted before it."""

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from bizunosync.store.services import snapshot


def test_zero_and_minus_zero_print_apart_whichever_came_first():
    assert [snapshot.money(Decimal(v)) for v in ("0", "-0", "0.00", "-0.0")] == ["0.0000", "-0.0000", "0.0000", "-0.0000"]


def test_equal_numbers_print_alike_and_none_stays_none():
    assert snapshot.money(Decimal("10.5")) == snapshot.money(Decimal("10.500000")) == snapshot.money(10.5) == "10.5000"
    assert snapshot.money(None) is None


def test_a_number_that_is_no_money_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(ArithmeticError):
            snapshot.money(Decimal("sNaN"))


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**8, max_value=10**8), max_size=30))
def test_a_number_prints_as_its_own_quantized_text_whatever_the_cache_holds(numbers):
    for number in numbers + numbers[::-1]:
        assert snapshot.money(number) == format(number.quantize(Decimal("0.0001")), "f")
