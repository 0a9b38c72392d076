"""Every unary method of crema.v1, as a till and a kitchen use them."""

import uuid

import grpc
import pytest
from conftest import bad_request, item_named, new_order
from crema.v1 import menu_pb2, order_pb2, orders_pb2

S = orders_pb2
O = order_pb2


def test_the_menu_is_public_and_complete(channel, menu):
    assert menu.version > 0 and menu.currency
    espresso = item_named(menu, "Espresso")
    assert espresso.price_cents == 300 and espresso.available
    latte = item_named(menu, "Latte")
    assert any(g.required and g.min >= 1 for g in latte.modifier_groups)


def test_an_order_goes_from_placed_to_paid_to_completed(orders, menu, auth):
    placed = orders.CreateOrder(new_order(menu, "Ana Lima"), metadata=auth("cashier"), timeout=10)
    order = placed.order
    assert not placed.replayed
    assert order.status == O.ORDER_STATUS_PLACED and order.payment_status == O.PAYMENT_STATUS_UNPAID
    assert order.total_cents >= 300 and order.ticket and order.lines[0].name == "Espresso"
    paid = orders.PayOrder(
        S.PayOrderRequest(order_id=order.id, method=O.PAYMENT_METHOD_CASH, tendered_cents=1000),
        metadata=auth("cashier"),
        timeout=10,
    )
    assert paid.payment_status == O.PAYMENT_STATUS_CAPTURED
    assert paid.change_due_cents == 1000 - order.total_cents
    barista = auth("barista")
    accepted = orders.AcceptOrder(S.AcceptOrderRequest(order_id=order.id), metadata=barista, timeout=10)
    assert accepted.status == O.ORDER_STATUS_ACCEPTED
    line = order.lines[0].id
    started = orders.StartLine(S.StartLineRequest(order_id=order.id, line_id=line), metadata=barista, timeout=10)
    assert started.status == O.ORDER_STATUS_PREPARING and started.lines[0].status == O.LINE_STATUS_MAKING
    ready = orders.FinishLine(S.FinishLineRequest(order_id=order.id, line_id=line), metadata=barista, timeout=10)
    assert ready.status == O.ORDER_STATUS_READY
    done = orders.CompleteOrder(
        S.CompleteOrderRequest(order_id=order.id, expected_version=ready.version), metadata=barista, timeout=10
    )
    assert done.status == O.ORDER_STATUS_COMPLETED
    got = orders.GetOrder(S.GetOrderRequest(order_id=order.id), metadata=auth("manager"), timeout=10)
    assert [h.to_status for h in got.history] == [
        O.ORDER_STATUS_PLACED,
        O.ORDER_STATUS_ACCEPTED,
        O.ORDER_STATUS_PREPARING,
        O.ORDER_STATUS_READY,
        O.ORDER_STATUS_COMPLETED,
    ]
    assert got.customer_name == "Ana Lima"
    # The kitchen sees the first name only.
    seen_by_barista = orders.GetOrder(S.GetOrderRequest(order_id=order.id), metadata=barista, timeout=10)
    assert seen_by_barista.customer_name == "Ana"
    refunded = orders.RefundOrder(
        S.RefundOrderRequest(order_id=order.id, amount_cents=100), metadata=auth("manager"), timeout=10
    )
    assert refunded.order.refunded_cents == 100 and not refunded.pending


def test_a_retry_with_the_same_request_id_places_one_order(orders, menu, auth):
    request = new_order(menu, "Retry", request_id=f"till-{uuid.uuid4()}")
    first = orders.CreateOrder(request, metadata=auth("cashier"), timeout=10)
    again = orders.CreateOrder(request, metadata=auth("cashier"), timeout=10)
    assert again.replayed and again.order.id == first.order.id
    changed = S.CreateOrderRequest()
    changed.CopyFrom(request)
    changed.customer_name = "Someone else"
    with pytest.raises(grpc.RpcError) as refused:
        orders.CreateOrder(changed, metadata=auth("cashier"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_list_orders_filters_by_status_and_pages(orders, menu, auth):
    cashier = auth("cashier")
    placed = orders.CreateOrder(new_order(menu, "Lister"), metadata=cashier, timeout=10).order
    orders.CancelOrder(S.CancelOrderRequest(order_id=placed.id, reason="customer left"), metadata=cashier, timeout=10)
    page = orders.ListOrders(S.ListOrdersRequest(status=O.ORDER_STATUS_CANCELLED, limit=200), metadata=cashier, timeout=10)
    assert placed.id in [o.id for o in page.orders]
    assert all(o.status == O.ORDER_STATUS_CANCELLED for o in page.orders)
    one = orders.ListOrders(S.ListOrdersRequest(limit=1), metadata=cashier, timeout=10)
    assert len(one.orders) == 1 and one.HasField("next_offset")


def count_orders(orders, auth):
    total, offset = 0, 0
    while True:
        page = orders.ListOrders(S.ListOrdersRequest(limit=200, offset=offset), metadata=auth("manager"), timeout=10)
        total += len(page.orders)
        if not page.HasField("next_offset"):
            return total
        offset = page.next_offset


def test_bad_input_is_invalid_argument_naming_rest_field_paths_and_changes_nothing(orders, menu, auth):
    before = count_orders(orders, auth)
    request = new_order(menu, "Bad")
    request.lines.append(S.LineRequest(item_id="not-a-uuid", quantity=1))
    request.lines.append(S.LineRequest(item_id=str(uuid.uuid4()), quantity=0))
    with pytest.raises(grpc.RpcError) as refused:
        orders.CreateOrder(request, metadata=auth("cashier"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request(refused.value) == ["lines[1].item_id"]
    # Well-formed, but wrong for the menu: the domain's own paths, as REST names them.
    request = new_order(menu, "Bad")
    request.lines.append(S.LineRequest(item_id=str(uuid.uuid4()), quantity=1))
    request.lines[0].quantity = 0
    with pytest.raises(grpc.RpcError) as refused:
        orders.CreateOrder(request, metadata=auth("cashier"), timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(bad_request(refused.value)) == {"lines[0].quantity", "lines[1].item_id"}
    with pytest.raises(grpc.RpcError) as refused:
        orders.PayOrder(S.PayOrderRequest(order_id=str(uuid.uuid4()), method=O.PAYMENT_METHOD_CASH), metadata=auth("cashier"), timeout=10)
    assert bad_request(refused.value) == ["tendered_cents"]
    assert count_orders(orders, auth) == before, "a refused order changes nothing"


def test_a_tab_is_paid_in_parts(orders, menu, auth):
    cashier = auth("cashier")
    order = orders.CreateOrder(new_order(menu, "Tab"), metadata=cashier, timeout=10).order
    assert order.due_cents == order.total_cents and order.paid_cents == 0
    with pytest.raises(grpc.RpcError) as refused:
        orders.PayOrder(
            S.PayOrderRequest(order_id=order.id, method=O.PAYMENT_METHOD_CASH, tendered_cents=99_999, part_cents=order.total_cents + 1),
            metadata=cashier,
            timeout=10,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_request(refused.value) == ["part_cents"]
    part = orders.PayOrder(
        S.PayOrderRequest(order_id=order.id, method=O.PAYMENT_METHOD_CASH, tendered_cents=500, part_cents=100, tip_percent_bps=1000),
        metadata=cashier,
        timeout=10,
    )
    assert part.payment_status == O.PAYMENT_STATUS_PARTLY_PAID
    assert (part.paid_cents, part.due_cents, part.tip_cents) == (110, order.total_cents - 100, 10)
    assert [(t.amount_cents, t.tip_cents, t.change_cents) for t in part.tenders] == [(100, 10, 390)]
    rest = orders.PayOrder(
        S.PayOrderRequest(order_id=order.id, method=O.PAYMENT_METHOD_CARD, approval_code="GRPC-1"),
        metadata=cashier,
        timeout=10,
    )
    assert rest.payment_status == O.PAYMENT_STATUS_CAPTURED and rest.due_cents == 0
    assert [t.reference for t in rest.tenders] == ["", "terminal:GRPC-1"]


def test_errors_map_to_status_codes(orders, menu, auth):
    cashier, barista = auth("cashier"), auth("barista")
    with pytest.raises(grpc.RpcError) as missing:
        orders.GetOrder(S.GetOrderRequest(order_id=str(uuid.uuid4())), metadata=cashier, timeout=10)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    order = orders.CreateOrder(new_order(menu, "Codes"), metadata=cashier, timeout=10).order
    with pytest.raises(grpc.RpcError) as illegal:
        orders.CompleteOrder(S.CompleteOrderRequest(order_id=order.id), metadata=barista, timeout=10)
    assert illegal.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as stale:
        orders.AcceptOrder(S.AcceptOrderRequest(order_id=order.id, expected_version=order.version + 5), metadata=barista, timeout=10)
    assert stale.value.code() == grpc.StatusCode.ABORTED
    unchanged = orders.GetOrder(S.GetOrderRequest(order_id=order.id), metadata=cashier, timeout=10)
    assert unchanged.version == order.version and unchanged.status == O.ORDER_STATUS_PLACED


def test_a_cashier_calling_a_manager_method_is_denied_and_nobody_is_unauthenticated(orders, menu, auth):
    order = orders.CreateOrder(new_order(menu, "Denied"), metadata=auth("cashier"), timeout=10).order
    with pytest.raises(grpc.RpcError) as denied:
        orders.RefundOrder(S.RefundOrderRequest(order_id=order.id, amount_cents=100), metadata=auth("cashier"), timeout=10)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as anonymous:
        orders.GetOrder(S.GetOrderRequest(order_id=order.id), timeout=10)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as forged:
        orders.GetOrder(S.GetOrderRequest(order_id=order.id), metadata=(("authorization", "Bearer nope"),), timeout=10)
    assert forged.value.code() == grpc.StatusCode.UNAUTHENTICATED
