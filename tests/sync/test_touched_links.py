"""Touched-record links: once per owner, deleted with their owner, found through the owner's own index."""

import pytest
from django.db import connection

from bizunosync.sync import touched
from bizunosync.sync.models import InboundCall, SyncJob, TouchedRecord


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test-sized table: ask whether the index can serve
    return queryset.explain()


@pytest.fixture
def call():
    return InboundCall.objects.create(side="store", endpoint="product/refresh", method="PUT", http_status=200,
                                      result="success")


@pytest.mark.django_db
def test_a_ref_is_linked_once_per_call_and_once_per_job_even_when_both_link_it(call):
    job = SyncJob.objects.create(kind=SyncJob.Kind.QUICK_REFRESH, target="3 items")
    touched.link(call, ["store.product:1", "store.product:2"])
    touched.link(call, ["store.product:2", "store.product:3"])
    touched.link(job, ["store.product:2"])
    touched.link(job, ["store.product:2"])

    assert sorted(TouchedRecord.objects.filter(call=call).values_list("ref", flat=True)) == [
        "store.product:1", "store.product:2", "store.product:3"]
    assert list(TouchedRecord.objects.filter(job=job).values_list("ref", flat=True)) == ["store.product:2"]


@pytest.mark.django_db
@pytest.mark.parametrize("owner, index", [("job", "touched_once_per_job"), ("call", "touched_once_per_call")])
def test_looking_up_an_owners_refs_uses_that_owners_index(owner, index):
    assert index in plan(TouchedRecord.objects.filter(**{f"{owner}_id": 12}))
    assert index in plan(TouchedRecord.objects.filter(**{f"{owner}_id__in": [12, 13]}))


@pytest.mark.django_db
def test_deleting_a_call_or_a_job_deletes_its_links_and_no_others(call):
    job = SyncJob.objects.create(kind=SyncJob.Kind.QUICK_REFRESH, target="2 items")
    other = InboundCall.objects.create(side="books", endpoint="orderAdd", method="POST", http_status=200,
                                       result="success")
    touched.link(call, ["store.product:1"], fresh=True)
    touched.link(job, ["books.item:1"])
    touched.link(other, ["books.item:1"], fresh=True)

    call.delete()
    job.delete()

    assert list(TouchedRecord.objects.values_list("call", "ref")) == [(other.pk, "books.item:1")]


def test_links_need_a_saved_owner():
    with pytest.raises(ValueError, match="Save the job or call"):
        touched.link(InboundCall(side="store", endpoint="product/refresh"), ["store.product:1"])


@pytest.mark.django_db
def test_refs_come_back_in_the_order_they_were_linked_as_written_in_one_query(call, django_assert_num_queries):
    refs = [f"store.product:{n}" for n in (900, 5, 77, 1000, 2)] + ['books.item:it\'s "odd" ü😀 [0] {x}']
    with django_assert_num_queries(1):
        touched.link(call, refs, fresh=True)
    with django_assert_num_queries(1):
        touched.link(call, ["store.product:3", "store.product:5", "STORE.PRODUCT:4"])
    assert touched.refs_of(call) == ([*refs, "store.product:3", "store.product:4"], 8)
