from bizunosync.wire.messages import MessageBlock


def test_an_empty_block_goes_on_the_wire_as_an_empty_list():
    assert MessageBlock().to_wire() == []
    assert not MessageBlock()


def test_reading_an_empty_list_or_nothing_gives_an_empty_block():
    for value in ([], None, "", {}):
        assert MessageBlock.from_wire(value).to_wire() == []


def test_caution_is_read_as_a_warning():
    block = MessageBlock.from_wire({"caution": [{"text": "Low stock on AB-100"}]})
    assert block.texts("warning") == ["Low stock on AB-100"]
    assert block.to_wire() == {"warning": [{"text": "Low stock on AB-100"}]}


def test_a_bare_string_is_shown_as_info():
    assert MessageBlock.from_wire("Saved.").to_wire() == {"info": [{"text": "Saved."}]}


def test_a_title_is_kept_through_reading_and_writing():
    block = MessageBlock.from_wire({"info": [{"title": "SKUs", "text": "A, B"}]})
    assert block.to_wire() == {"info": [{"text": "A, B", "title": "SKUs"}]}
    assert list(block.items()) == [("info", "SKUs: A, B")]


def test_merge_concatenates_the_lists_of_each_level():
    ours = MessageBlock().error("one").success("done")
    ours.merge({"error": [{"text": "two"}], "caution": [{"text": "careful"}]})
    ours.merge(MessageBlock().error("three"))
    assert ours.to_wire() == {
        "error": [{"text": "one"}, {"text": "two"}, {"text": "three"}],
        "warning": [{"text": "careful"}],
        "success": [{"text": "done"}],
    }


def test_merging_an_empty_block_changes_nothing():
    block = MessageBlock().info("x")
    assert block.merge([]).merge(None).to_wire() == {"info": [{"text": "x"}]}


def test_an_unknown_level_is_kept_as_info_rather_than_lost():
    assert MessageBlock.from_wire({"notice": [{"text": "hm"}]}).texts("info") == ["hm"]


def test_errors_are_listed_first_and_flagged():
    block = MessageBlock().success("ok").error("bad")
    assert block.has_errors
    assert block.render() == "error: bad\nsuccess: ok"
