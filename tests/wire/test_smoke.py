from bizunosync.wire import phpform


def test_a_refresh_item_round_trips_through_the_codec():
    body = phpform.encode({"data": [{"SKU": "AB 100", "QtyStock": 12}]})
    assert body == "data%5B0%5D%5BSKU%5D=AB+100&data%5B0%5D%5BQtyStock%5D=12"
    assert phpform.decode(body) == {"data": {"0": {"SKU": "AB 100", "QtyStock": "12"}}}
