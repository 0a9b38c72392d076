//! gRPC at the server's edge, with a tonic client in process (the full client suite is
//! Python's grpcio against the real binary: `tests/grpc/`).

use super::helpers::*;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

#[tokio::test]
async fn shutdown_turns_health_to_not_serving_and_ends_open_streams_with_unavailable() {
    let app = spawn_app().await;
    let channel = Channel::from_shared(app.base.clone()).expect("uri").connect().await.expect("connects");
    let mut health = HealthClient::new(channel);
    let mut watch =
        health.watch(HealthCheckRequest { service: String::new() }).await.expect("watch opens").into_inner();
    let first = watch.message().await.expect("an answer").expect("a message");
    assert_eq!(first.status(), ServingStatus::Serving);
    let stopping = tokio::spawn(app.stop());
    let mut seen = Vec::new();
    // Without the shutdown layer the stream never ends (the drain gives up, the call hangs).
    let ended = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            match watch.message().await {
                Ok(Some(message)) => seen.push(message.status()),
                Ok(None) => panic!("the stream ended without a status; saw {seen:?}"),
                Err(status) => break status,
            }
        }
    })
    .await
    .expect("the open stream ends at shutdown");
    assert_eq!(seen, [ServingStatus::NotServing], "the health service says so before the stream ends");
    assert_eq!(ended.code(), tonic::Code::Unavailable, "{ended:?}");
    assert!(ended.message().contains("shutting down"), "{ended:?}");
    stopping.await.expect("the server stopped");
}
