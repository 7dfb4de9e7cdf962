import pytest

from bizunosync.sync.connections import BizunoConnection

TOKEN = "rates-token-Pw20-k"
BERLIN = {"country": "DE", "state": "BE", "postcode": "10119", "city": "Berlin", "address_1": "Torstraße 12"}


@pytest.fixture
def connect(db):
    def _connect(url, token=TOKEN, rates_timeout=0.5, **extra):
        conn = BizunoConnection.load()
        conn.url = url
        conn.set_token(token)
        conn.connect_timeout = 1.0
        conn.rates_timeout = rates_timeout
        for name, value in extra.items():
            setattr(conn, name, value)
        conn.save()
        return conn

    return _connect
