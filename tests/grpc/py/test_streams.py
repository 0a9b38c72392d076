"""The server streams (WatchOrder, WatchEvents, WatchMenu), the client stream (CreateOrders)
and the bidirectional stream (TrackOrders)."""

import json
import queue
import threading
import uuid

import grpc
from conftest import new_order
from crema.v1 import menu_pb2, menu_pb2_grpc, order_pb2, orders_pb2

S = orders_pb2
O = order_pb2


def next_of(stream, timeout=10):
    """The stream's next message, or fail after `timeout` seconds."""
    box = queue.Queue()
    threading.Thread(target=lambda: box.put(next(stream, None)), daemon=True).start()
    return box.get(timeout=timeout)


def test_watch_order_sees_placed_accepted_ready_completed_in_order(orders, menu, auth):
    cashier, barista = auth("cashier"), auth("barista")
    order = orders.CreateOrder(new_order(menu, "Watcher"), metadata=cashier, timeout=10).order
    stream = orders.WatchOrder(S.WatchOrderRequest(order_id=order.id), metadata=barista, timeout=30)
    first = next_of(stream)
    assert first.WhichOneof("change") == "snapshot" and first.status == O.ORDER_STATUS_PLACED
    assert first.snapshot.id == order.id
    orders.AcceptOrder(S.AcceptOrderRequest(order_id=order.id), metadata=barista, timeout=10)
    orders.StartLine(S.StartLineRequest(order_id=order.id, line_id=order.lines[0].id), metadata=barista, timeout=10)
    orders.FinishLine(S.FinishLineRequest(order_id=order.id, line_id=order.lines[0].id), metadata=barista, timeout=10)
    orders.CompleteOrder(S.CompleteOrderRequest(order_id=order.id), metadata=barista, timeout=10)
    updates = list(stream)  # the stream ends by itself once the order is completed
    assert [u.event.type for u in updates] == [
        "order.accepted",
        "order.line.started",
        "order.line.done",
        "order.ready",
        "order.completed",
    ]
    statuses = [first.status] + [u.status for u in updates]
    assert [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s] == [
        O.ORDER_STATUS_PLACED,
        O.ORDER_STATUS_ACCEPTED,
        O.ORDER_STATUS_PREPARING,
        O.ORDER_STATUS_READY,
        O.ORDER_STATUS_COMPLETED,
    ], statuses
    versions = [first.version] + [u.version for u in updates]
    assert versions == sorted(versions), "in order"


def sequence_of(event):
    return int(event.attributes["sequence"].ce_string)


def test_watch_events_resumed_after_a_disconnect_misses_nothing_and_repeats_nothing(orders, menu, auth):
    cashier = auth("cashier")
    start = orders.CreateOrder(new_order(menu, "Start"), metadata=cashier, timeout=10)
    # Where the log is now: the newest event of a stream opened from the start of time.
    stream = orders.WatchEvents(S.WatchEventsRequest(), metadata=cashier, timeout=60)
    for i in range(5):
        orders.CreateOrder(new_order(menu, f"Before {i}"), metadata=cashier, timeout=10)
    received = [next_of(stream) for _ in range(3)]
    stream.cancel()  # the client goes away half-way
    for i in range(5):
        orders.CreateOrder(new_order(menu, f"After {i}"), metadata=cashier, timeout=10)
    last = sequence_of(received[-1])
    resumed = orders.WatchEvents(S.WatchEventsRequest(after_sequence=last), metadata=cashier, timeout=60)
    first_seen = sequence_of(received[0])
    # The whole log from the first event seen, read in one go, is what must have arrived.
    reference = orders.WatchEvents(S.WatchEventsRequest(after_sequence=first_seen - 1), metadata=cashier, timeout=60)
    expected = []
    while not expected or "After 4" not in expected[-1].text_data:
        expected.append(next_of(reference))
    reference.cancel()
    while len(received) < len(expected):
        received.append(next_of(resumed))
    resumed.cancel()
    assert [e.id for e in received] == [e.id for e in expected], "no gap, no repeat"
    sequences = [sequence_of(e) for e in received]
    assert sequences == sorted(set(sequences))
    event = received[0]
    assert event.spec_version == "1.0" and event.source and event.type.startswith(("order.", "payment."))
    assert event.attributes["datacontenttype"].ce_string == "application/json"
    assert event.attributes["time"].HasField("ce_timestamp")
    assert json.loads(event.text_data)["order_id"] == event.attributes["subject"].ce_string
    assert start.order.id  # the stream started after it: it is not in the events


def test_watch_menu_sends_the_menu_then_each_change(channel, menu, tokens):
    import urllib.request

    from conftest import BASE

    stub = menu_pb2_grpc.MenuServiceStub(channel)
    stream = stub.WatchMenu(menu_pb2.WatchMenuRequest(), timeout=30)
    first = next_of(stream)
    assert first.version == menu.version or first.version > 0
    croissant = next(i for c in first.categories for i in c.items if i.name == "Croissant")
    def availability(available):
        request = urllib.request.Request(
            f"{BASE}/api/v1/menu/items/{croissant.id}/availability",
            data=json.dumps({"available": available}).encode(),
            headers={"content-type": "application/json", "authorization": f"Bearer {tokens['manager']}"},
            method="PUT",
        )
        urllib.request.urlopen(request, timeout=10).read()
    availability(False)
    changed = next_of(stream)
    assert not next(i for c in changed.categories for i in c.items if i.id == croissant.id).available
    availability(True)
    back = next_of(stream)
    assert next(i for c in back.categories for i in c.items if i.id == croissant.id).available
    stream.cancel()


def test_create_orders_places_97_of_100_and_names_the_3_bad_fields(orders, menu, auth):
    def batch():
        for i in range(100):
            request = new_order(menu, f"Batch {i}")
            if i == 10:
                request.lines[0].quantity = 0
            elif i == 50:
                request.lines[0].item_id = "espresso"
            elif i == 99:
                request.lines.append(S.LineRequest(item_id=str(uuid.uuid4()), quantity=1))
            yield request
    answer = orders.CreateOrders(batch(), metadata=auth("cashier"), timeout=60)
    assert (answer.placed, answer.failed) == (97, 3)
    assert [o.index for o in answer.outcomes] == list(range(100))
    failures = {o.index: o.failure for o in answer.outcomes if o.WhichOneof("result") == "failure"}
    assert sorted(failures) == [10, 50, 99]
    assert all(f.code == grpc.StatusCode.INVALID_ARGUMENT.value[0] for f in failures.values())
    assert [v.field for v in failures[10].field_violations] == ["lines[0].quantity"]
    assert [v.field for v in failures[50].field_violations] == ["lines[0].item_id"]
    assert [v.field for v in failures[99].field_violations] == ["lines[1].item_id"]
    placed = [o.order.id for o in answer.outcomes if o.WhichOneof("result") == "order"]
    assert len(set(placed)) == 97
    for order_id in placed[:5]:
        assert orders.GetOrder(S.GetOrderRequest(order_id=order_id), metadata=auth("cashier"), timeout=10).id == order_id


def test_track_orders_subscribes_and_unsubscribes_mid_stream(orders, menu, auth):
    cashier, barista = auth("cashier"), auth("barista")
    a = orders.CreateOrder(new_order(menu, "Track A"), metadata=cashier, timeout=10).order
    b = orders.CreateOrder(new_order(menu, "Track B"), metadata=cashier, timeout=10).order
    requests = queue.Queue()

    def outgoing():
        while (message := requests.get()) is not None:
            yield message

    stream = orders.TrackOrders(outgoing(), metadata=barista, timeout=60)
    requests.put(S.TrackOrdersRequest(subscribe=a.id))
    requests.put(S.TrackOrdersRequest(subscribe=b.id))
    snapshots = [next_of(stream), next_of(stream)]
    assert [s.order_id for s in snapshots] == [a.id, b.id]
    assert all(s.update.WhichOneof("change") == "snapshot" for s in snapshots)
    orders.AcceptOrder(S.AcceptOrderRequest(order_id=a.id), metadata=barista, timeout=10)
    update = next_of(stream)
    assert update.order_id == a.id and update.update.status == O.ORDER_STATUS_ACCEPTED
    assert update.update.event.type == "order.accepted"
    requests.put(S.TrackOrdersRequest(unsubscribe=a.id))
    assert next_of(stream).WhichOneof("kind") == "unsubscribed"
    # A changes again, then B: only B's change arrives.
    orders.CancelOrder(S.CancelOrderRequest(order_id=a.id, reason="left"), metadata=cashier, timeout=10)
    orders.AcceptOrder(S.AcceptOrderRequest(order_id=b.id), metadata=barista, timeout=10)
    update = next_of(stream)
    assert update.order_id == b.id and update.update.status == O.ORDER_STATUS_ACCEPTED
    requests.put(S.TrackOrdersRequest(subscribe="not-an-id"))
    refused = next_of(stream)
    assert refused.WhichOneof("kind") == "refused" and refused.refused.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    requests.put(S.TrackOrdersRequest(subscribe=str(uuid.uuid4())))
    assert next_of(stream).refused.code == grpc.StatusCode.NOT_FOUND.value[0]
    requests.put(None)  # the client closes its side: the stream ends
    assert next_of(stream) is None
