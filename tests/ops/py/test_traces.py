"""One trace from the till's request to the webhook's consumer, over OTLP/gRPC and
OTLP/HTTP: the till's traceparent is continued, the order's write, batch and delivery are
spans of it, and the webhook receiver gets the delivery span as its parent. A gRPC call
continues its caller's trace the same way."""

import pytest

from conftest import WEBHOOK_SECRET

TILL_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TILL_SPAN = "00f067aa0ba902b7"


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_one_trace_runs_from_the_tills_request_to_the_webhooks_consumer(
    protocol, otlp_grpc, otlp_http, webhook, crema
):
    endpoint, spans = otlp_grpc if protocol == "grpc" else otlp_http
    server = crema(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
            "OTEL_SERVICE_NAME": "crema-ops-test",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "CREMA_WEBHOOK_URL": webhook.url,
            "CREMA_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
    )
    order = server.call(
        "POST",
        "/api/v1/orders",
        {
            "customer_name": "Traced",
            "lines": [{"item_id": server.espresso(), "quantity": 1}],
            "payment": {"method": "cash", "tendered_cents": 500},
        },
        headers={"traceparent": f"00-{TILL_TRACE}-{TILL_SPAN}-01"},
    )
    headers, event = webhook.wait_for(lambda e: e["type"] == "order.placed" and e.get("subject") == order["id"])
    # The consumer's traceparent continues the till's trace...
    version, trace_id, parent, flags = headers["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", TILL_TRACE, "01")
    # ...and so does the CloudEvent's own traceparent extension.
    assert event["traceparent"].split("-")[1] == TILL_TRACE

    received = spans.wait_for(TILL_TRACE, ["POST", "orders.place", "store.write", "webhook.deliver"])
    by_id = {s["span_id"]: s for s in received}
    assert all(s["service"] == "crema-ops-test" for s in received), received
    request = next(s for s in received if s["name"] == "POST")
    assert request["parent"] == TILL_SPAN, "the request span continues the till's span"
    assert request["attributes"]["http.route"].string_value == "/api/v1/orders"
    place = next(s for s in received if s["name"] == "orders.place")
    assert place["parent"] == request["span_id"]
    write = next(s for s in received if s["name"] == "store.write")
    assert write["parent"] == place["span_id"], "the order's own write, under the use case"
    # The webhook's parent is the delivery span Crema exported, which hangs under the request
    # (through the traceparent stored with the event: delivered later, by the relay).
    assert parent in by_id and by_id[parent]["name"] == "webhook.deliver"
    assert by_id[parent]["parent"] == request["span_id"]
    # The writer's batch that committed the order is linked to the request's trace.
    deadline_batches = [s for s in spans.items if s["name"] == "store.batch" and TILL_TRACE in s["links"]]
    assert deadline_batches, "the batch span links to the request"
    assert "size" in deadline_batches[0]["attributes"]


def test_an_unsupported_protocol_stops_the_start_with_its_name(crema):
    with pytest.raises(AssertionError) as refused:
        crema({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"})
    assert "OTEL_EXPORTER_OTLP_PROTOCOL=http/json is not supported" in str(refused.value)


def test_a_grpc_call_continues_the_callers_trace_too(otlp_grpc, crema):
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    endpoint, spans = otlp_grpc
    server = crema(
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
    )
    trace = "0af7651916cd43dd8448eb211c80319c"
    with grpc.insecure_channel(server.base.removeprefix("http://")) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        answer = health.Check(
            health_pb2.HealthCheckRequest(service=""),
            metadata=(("traceparent", f"00-{trace}-b7ad6b7169203331-01"),),
            timeout=10,
        )
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    received = spans.wait_for(trace, ["grpc.health.v1.Health/Check"])
    call = next(s for s in received if s["name"] == "grpc.health.v1.Health/Check")
    assert call["parent"] == "b7ad6b7169203331"
    assert call["attributes"]["http.route"].string_value == "/grpc.health.v1.Health/Check"
