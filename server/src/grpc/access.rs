//! Who may call which gRPC method: the REST face's [`Access`] rules and roles, one row per
//! method, enforced by one middleware before any handler runs. A method without a row is
//! refused to everyone (`UNIMPLEMENTED`, never reaching a handler), and
//! `every_method_has_a_rule_and_every_rule_a_method` compares the table with the methods the
//! descriptors declare.
//!
//! People authenticate with `authorization: Bearer <token>` metadata (a PIN sign-in's token,
//! as on REST); the actor goes into the call's [`RequestContext`] so every event the call
//! causes carries their id.

use crate::http::access::Access;
use crate::http::auth::{session_token, SessionToken};
use crate::service::staff::auth;
use crate::service::RequestContext;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use crema_shared::staff::Permission::*;
use tonic::Status;
use Access::*;

/// `(full method path, access)`.
pub const RULES: &[(&str, Access)] = &[
    // The menu is public, as on REST.
    ("/crema.v1.MenuService/GetMenu", Public),
    ("/crema.v1.MenuService/WatchMenu", Public),
    ("/crema.v1.OrderService/CreateOrder", Needs(PlaceOrder)),
    ("/crema.v1.OrderService/CreateOrders", Needs(PlaceOrder)),
    ("/crema.v1.OrderService/GetOrder", Needs(ReadOrders)),
    ("/crema.v1.OrderService/ListOrders", Needs(ReadOrders)),
    ("/crema.v1.OrderService/CancelOrder", Needs(CancelOrder)),
    ("/crema.v1.OrderService/AcceptOrder", Needs(WorkOrders)),
    ("/crema.v1.OrderService/StartLine", Needs(WorkOrders)),
    ("/crema.v1.OrderService/FinishLine", Needs(WorkOrders)),
    ("/crema.v1.OrderService/CompleteOrder", Needs(WorkOrders)),
    ("/crema.v1.OrderService/PayOrder", Needs(TakePayment)),
    ("/crema.v1.OrderService/RefundOrder", Needs(Refund)),
    ("/crema.v1.OrderService/WatchOrder", Needs(ReadOrders)),
    ("/crema.v1.OrderService/TrackOrders", Needs(ReadOrders)),
    ("/crema.v1.OrderService/WatchEvents", Needs(ReadEvents)),
    // Load balancers and tools: as `/readyz` and the OpenAPI document are public.
    ("/grpc.health.v1.Health/Check", Public),
    ("/grpc.health.v1.Health/Watch", Public),
    ("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Public),
    ("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Public),
];

pub fn rule(path: &str) -> Option<Access> {
    RULES.iter().find(|(p, _)| *p == path).map(|(_, access)| *access)
}

/// The middleware: refuses before any handler runs, or lets the call through with its actor.
pub async fn authorize(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let access = match rule(&path) {
        Some(access) => access,
        None => return refuse(Status::unimplemented(format!("no such method: {path}"))),
    };
    if access == Public {
        return next.run(request).await;
    }
    if access == Terminal {
        return refuse(Status::permission_denied("terminals sync over REST"));
    }
    let Some(token) = session_token(request.headers()) else {
        return refuse(Status::unauthenticated(
            "sign in with your PIN first (POST /api/v1/sessions) and send `authorization: Bearer <token>`",
        ));
    };
    let actor = match auth::resolve(&state, &token).await {
        Ok(Some((actor, _))) => actor,
        Ok(None) => return refuse(Status::unauthenticated("your session has ended; sign in again")),
        Err(e) => return refuse(super::status::service(e)),
    };
    if let Needs(permission) = access {
        if !actor.role.may(permission) {
            return refuse(Status::permission_denied(format!("a {} may not do this", actor.role)));
        }
    }
    tracing::Span::current().record("staff_id", tracing::field::display(actor.id));
    if let Some(ctx) = request.extensions_mut().get_mut::<RequestContext>() {
        ctx.actor = Some(actor);
    }
    request.extensions_mut().insert(SessionToken(token));
    next.run(request).await
}

fn refuse(status: Status) -> Response {
    tracing::debug!(code = ?status.code(), message = status.message(), "gRPC call refused");
    status.into_http::<axum::body::Body>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn every_method_has_a_rule_and_every_rule_a_method() {
        let descriptors =
            prost_types::FileDescriptorSet::decode(super::super::pb::DESCRIPTORS).expect("descriptors decode");
        let mut declared: Vec<String> = descriptors
            .file
            .iter()
            .flat_map(|file| {
                let package = file.package().to_string();
                file.service.iter().flat_map(move |service| {
                    let package = package.clone();
                    service.method.iter().map(move |m| format!("/{package}.{}/{}", service.name(), m.name()))
                })
            })
            .collect();
        // The standard services served beside ours.
        declared.extend(
            [
                "/grpc.health.v1.Health/Check",
                "/grpc.health.v1.Health/Watch",
                "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            ]
            .map(String::from),
        );
        let unruled: Vec<&String> = declared.iter().filter(|m| rule(m).is_none()).collect();
        let unserved: Vec<&str> = RULES.iter().map(|(p, _)| *p).filter(|p| !declared.iter().any(|m| m == p)).collect();
        assert!(unruled.is_empty(), "methods without a rule (refused to everyone): {unruled:?}");
        assert!(unserved.is_empty(), "rules for methods nobody declares: {unserved:?}");
    }
}
