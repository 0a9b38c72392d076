//! `grpc.health.v1.Health`: SERVING while the database answers (what `/readyz` checks),
//! NOT_SERVING before the first answer, when it stops answering, and once shutdown starts
//! (so a load balancer drains this server). Reported for the whole server (`""`) and for
//! each of Crema's services.

use super::pb::crema::v1::menu_service_server::MenuServiceServer;
use super::pb::crema::v1::order_service_server::OrderServiceServer;
use crate::state::AppState;
use std::time::Duration;
use tonic::server::NamedService;
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;

/// How often readiness is checked.
const CHECK: Duration = Duration::from_secs(2);

const SERVICES: &[&str] = &[
    "",
    <MenuServiceServer<super::menu::Menu> as NamedService>::NAME,
    <OrderServiceServer<super::orders::Orders> as NamedService>::NAME,
];

/// Keeps the health service's answer in step with readiness until the server shuts down.
pub async fn follow_readiness(state: AppState, reporter: HealthReporter) {
    let mut closing = state.hub.closing();
    let mut last = None;
    loop {
        let status = if *closing.borrow() {
            ServingStatus::NotServing
        } else {
            match state.store.ping().await {
                Ok(()) => ServingStatus::Serving,
                Err(e) => {
                    tracing::warn!(error = %e, "not ready: the database does not answer");
                    ServingStatus::NotServing
                }
            }
        };
        if last != Some(status) {
            for service in SERVICES {
                reporter.set_service_status(service, status).await;
            }
            last = Some(status);
        }
        if status == ServingStatus::NotServing && *closing.borrow() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(CHECK) => {}
            _ = closing.changed() => {}
        }
    }
}
