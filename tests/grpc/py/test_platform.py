"""What tools and proxies rely on: health, reflection (v1 and v1alpha), gRPC-Web over
HTTP/1.1, and the method x role table."""

import struct
import urllib.request
import uuid

import grpc
import pytest
from conftest import BASE
from crema.v1 import menu_pb2, order_pb2, orders_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

S = orders_pb2
O = order_pb2


def test_health_is_serving_for_the_server_and_each_service(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ["", "crema.v1.OrderService", "crema.v1.MenuService"]:
        answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=10)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING, service
    with pytest.raises(grpc.RpcError) as unknown:
        health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


def list_services(channel, path):
    """ServerReflectionInfo's list_services on `path`. v1 and v1alpha messages are the same on
    the wire, so the v1alpha stubs grpcio-reflection ships encode both."""
    call = channel.stream_stream(
        path,
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    answers = call(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10)
    return sorted(s.name for a in answers for s in a.list_services_response.service)


def test_reflection_lists_the_services_in_v1_and_v1alpha(channel):
    for path in [
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ]:
        services = list_services(channel, path)
        for name in ["crema.v1.MenuService", "crema.v1.OrderService", "grpc.health.v1.Health"]:
            assert name in services, (path, services)
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    answers = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol="crema.v1.OrderService")]), timeout=10))
    assert answers[0].file_descriptor_response.file_descriptor_proto, "the descriptors are served"


def grpc_web_frame(message):
    body = message.SerializeToString()
    return struct.pack(">BI", 0, len(body)) + body


def test_grpc_web_over_http_1_1(menu):
    request = urllib.request.Request(
        f"{BASE}/crema.v1.MenuService/GetMenu",
        data=grpc_web_frame(menu_pb2.GetMenuRequest()),
        headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1", "accept": "application/grpc-web+proto"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # urllib speaks HTTP/1.1 only
        assert response.version == 11
        assert response.headers["content-type"].startswith("application/grpc-web")
        body = response.read()
    flags, length = struct.unpack(">BI", body[:5])
    assert flags == 0
    answer = menu_pb2.Menu.FromString(body[5 : 5 + length])
    assert answer.version == menu.version and answer.categories
    trailer_flags, trailer_length = struct.unpack(">BI", body[5 + length : 10 + length])
    assert trailer_flags & 0x80, "a trailer frame follows"
    assert b"grpc-status:0" in body[10 + length : 10 + length + trailer_length].replace(b" ", b"")


# Who may call what: the REST roles table, written out as the shop expects it.
CASHIER = {"CreateOrder", "CreateOrders", "GetOrder", "ListOrders", "CancelOrder", "PayOrder", "WatchOrder", "TrackOrders", "WatchEvents"}
BARISTA = {"GetOrder", "ListOrders", "AcceptOrder", "StartLine", "FinishLine", "CompleteOrder", "WatchOrder", "TrackOrders", "WatchEvents"}
ORDER_METHODS = {
    "CreateOrder": ("unary", S.CreateOrderRequest()),
    "GetOrder": ("unary", S.GetOrderRequest(order_id=str(uuid.uuid4()))),
    "ListOrders": ("unary", S.ListOrdersRequest(limit=1)),
    "CancelOrder": ("unary", S.CancelOrderRequest(order_id=str(uuid.uuid4()), reason="test")),
    "AcceptOrder": ("unary", S.AcceptOrderRequest(order_id=str(uuid.uuid4()))),
    "StartLine": ("unary", S.StartLineRequest(order_id=str(uuid.uuid4()), line_id=str(uuid.uuid4()))),
    "FinishLine": ("unary", S.FinishLineRequest(order_id=str(uuid.uuid4()), line_id=str(uuid.uuid4()))),
    "CompleteOrder": ("unary", S.CompleteOrderRequest(order_id=str(uuid.uuid4()))),
    "PayOrder": ("unary", S.PayOrderRequest(order_id=str(uuid.uuid4()), method=O.PAYMENT_METHOD_CASH, tendered_cents=100)),
    "RefundOrder": ("unary", S.RefundOrderRequest(order_id=str(uuid.uuid4()), amount_cents=100)),
    "WatchOrder": ("server", S.WatchOrderRequest(order_id=str(uuid.uuid4()))),
    "WatchEvents": ("server", S.WatchEventsRequest(after_sequence=-1)),
    "CreateOrders": ("client", S.CreateOrderRequest()),
    "TrackOrders": ("bidi", S.TrackOrdersRequest()),
}


def outcome(channel, method, metadata):
    """The status code a call ends with (OK for a stream that answered)."""
    kind, request = ORDER_METHODS[method]
    path = f"/crema.v1.OrderService/{method}"
    ser, de = type(request).SerializeToString, (lambda b: b)
    try:
        if kind == "unary":
            channel.unary_unary(path, request_serializer=ser, response_deserializer=de)(request, metadata=metadata, timeout=10)
        elif kind == "server":
            for _ in channel.unary_stream(path, request_serializer=ser, response_deserializer=de)(request, metadata=metadata, timeout=10):
                break
        elif kind == "client":
            channel.stream_unary(path, request_serializer=ser, response_deserializer=de)(iter([]), metadata=metadata, timeout=10)
        else:
            for _ in channel.stream_stream(path, request_serializer=ser, response_deserializer=de)(iter([request]), metadata=metadata, timeout=10):
                break
        return grpc.StatusCode.OK
    except grpc.RpcError as e:
        return e.code()


@pytest.mark.parametrize("method", sorted(ORDER_METHODS))
def test_method_by_role(channel, auth, method):
    allowed = {"cashier": method in CASHIER, "barista": method in BARISTA, "manager": True}
    for role, may in allowed.items():
        code = outcome(channel, method, auth(role))
        if may:
            assert code not in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED), (method, role, code)
        else:
            assert code == grpc.StatusCode.PERMISSION_DENIED, (method, role, code)
    assert outcome(channel, method, ()) == grpc.StatusCode.UNAUTHENTICATED, method


def test_the_menu_needs_no_sign_in_and_an_unknown_method_reaches_nothing(channel):
    call = channel.unary_unary("/crema.v1.MenuService/GetMenu", request_serializer=lambda m: m.SerializeToString(), response_deserializer=menu_pb2.Menu.FromString)
    assert call(menu_pb2.GetMenuRequest(), timeout=10).categories
    unknown = channel.unary_unary("/crema.v1.OrderService/DropTables", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as refused:
        unknown(b"", timeout=10)
    assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
