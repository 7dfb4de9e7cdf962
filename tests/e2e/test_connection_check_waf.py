"""Test connection through a real Apache + ModSecurity + OWASP CRS (paranoia 1) in front of both sides."""

from __future__ import annotations

import pytest

from bizunosync.store.models import Product
from bizunosync.sync import connection_check
from bizunosync.sync.connections import BizunoConnection, StoreConnection
from tests.support.modsec import waf_proxy

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_store_test_names_the_waf_and_proxy_safe_mode_gets_it_through(wired, catalog):
    prices = dict(Product.objects.values_list("sku", "price"))
    with waf_proxy(wired.url, paranoia=1) as proxy:
        store = StoreConnection.load()
        store.url, store.method_override = proxy.url, False
        store.save()

        blocked = connection_check.check_store(store)

        assert not blocked.ok
        assert blocked.headline == "Reached the server, but a proxy/WAF blocked the call before the store saw it."
        assert blocked.by_name["Not blocked by a proxy/WAF"].state == "failed"
        assert blocked.by_name["WordPress login accepted"].state == "untried"
        assert "Turn on proxy-safe mode" in blocked.advice
        assert "911100" in proxy.rule_ids()  # CRS: PUT is not an allowed method

        store.method_override = True
        store.save()
        through = connection_check.check_store(store)

    assert through.ok, through.headline
    assert {c.state for c in through.checks} == {"passed", "not used"}
    assert dict(Product.objects.values_list("sku", "price")) == prices  # the test wrote nothing


def test_the_bizuno_test_passes_a_paranoia_1_waf_with_the_token_in_its_own_header(wired):
    with waf_proxy(wired.url, paranoia=1) as proxy:
        bizuno = BizunoConnection.load()
        bizuno.url = f"{proxy.url}/bizuno/"
        bizuno.save()

        outcome = connection_check.check_bizuno(bizuno)

    assert outcome.ok, outcome.headline
    assert outcome.by_name["Not blocked by a proxy/WAF"].state == "passed"
