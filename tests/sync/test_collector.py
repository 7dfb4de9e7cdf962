"""sync.collector.paused: the cyclic collector is off while a batch is applied, and back on after."""

import gc
import threading

import pytest

from bizunosync.sync import collector


@pytest.fixture(autouse=True)
def collector_running():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_a_pause_and_running_again_after_it():
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_a_pause_still_lets_the_collector_run_again():
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("the batch failed")
    assert gc.isenabled()


def test_a_process_that_turned_the_collector_off_keeps_it_off():
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_two_threads_resume_only_when_the_last_ends():
    first_in, second_done, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector.paused():
            first_in.set()
            first_may_leave.wait(5)

    def second():
        first_in.wait(5)
        with collector.paused():
            pass
        seen["after second"] = gc.isenabled()
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_done.wait(5)
    first_may_leave.set()
    for thread in threads:
        thread.join(5)
    assert seen == {"after second": False}  # the first thread's batch was still being applied
    assert gc.isenabled()
