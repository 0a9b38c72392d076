//! gRPC: the second face of the same services as the REST API, on the same port.
//!
//! A request whose `content-type` starts with `application/grpc` (gRPC, and gRPC-Web's
//! `application/grpc-web…`) goes here; everything else to the REST router. Both share the
//! outer layers (request id and trace context, the `Host` check); gRPC has its own
//! authorisation ([`access`], the same roles as REST) and error mapping ([`status`]). The
//! listener serves HTTP/2 cleartext and HTTP/1.1 alike; the gRPC-Web layer makes the
//! services callable from HTTP/1.1 and browsers.
//!
//! - [`menu`], [`orders`]: the unary calls; [`watch`]: the server streams (`WatchOrder`,
//!   `WatchEvents`, `WatchMenu`); [`batch`]: the client stream `CreateOrders`; [`track`]:
//!   the bidirectional `TrackOrders`;
//! - [`parse`]: requests into the services' types, naming fields as REST does;
//!   [`messages`]: the services' answers as protobuf; [`cloudevent`]: events as
//!   `io.cloudevents.v1.CloudEvent`; [`follow`]: following orders on the event log;
//! - [`shutdown`]: every response stream ends with `UNAVAILABLE` when shutdown starts;
//! - [`health`]: `grpc.health.v1.Health`, SERVING only while the database answers;
//!   reflection (v1 and v1alpha) from the compiled descriptors ([`pb::DESCRIPTORS`]).
//!
//! No business rule lives here: handlers parse, call `crate::service`, and map the result.

pub mod access;
pub mod batch;
pub mod cloudevent;
pub mod follow;
pub mod health;
pub mod menu;
pub mod messages;
pub mod orders;
pub mod parse;
pub mod pb;
pub mod shutdown;
pub mod status;
pub mod track;
pub mod watch;

use crate::http::auth::SessionToken;
use crate::service::RequestContext;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Router;
use pb::crema::v1::menu_service_server::MenuServiceServer;
use pb::crema::v1::order_service_server::OrderServiceServer;
use std::convert::Infallible;
use tonic::service::Routes;
use tower::{Service, ServiceBuilder, ServiceExt};

/// Whether a request is a gRPC (or gRPC-Web) call.
pub fn is_grpc(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/grpc"))
}

/// The gRPC services, authorised, with the gRPC-Web layer outside the authorisation (so
/// refusals reach gRPC-Web clients in their own framing too) and REST's CORS rule outermost
/// (a browser calls gRPC-Web from the server's own origin or `CREMA_CORS_ORIGINS` only).
pub fn service(
    state: AppState,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone + Send + Sync + 'static {
    let (reporter, health) = tonic_health::server::health_reporter();
    tokio::spawn(health::follow_readiness(state.clone(), reporter));
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::DESCRIPTORS)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1();
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::DESCRIPTORS)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha();
    let mut routes = Routes::new(health)
        .add_service(MenuServiceServer::new(menu::Menu { state: state.clone() }))
        .add_service(OrderServiceServer::new(orders::Orders { state: state.clone() }));
    match (reflection_v1, reflection_v1alpha) {
        (Ok(v1), Ok(v1alpha)) => routes = routes.add_service(v1).add_service(v1alpha),
        (Err(e), _) | (_, Err(e)) => tracing::error!(error = %e, "gRPC reflection is off: its descriptors do not load"),
    }
    let cors = crate::http::security::cors(state.cors_origins.clone());
    let authorised: Router = routes
        .into_axum_router()
        .layer(axum::middleware::map_response_with_state(state.clone(), shutdown::until_closing))
        .layer(axum::middleware::from_fn_with_state(state, access::authorize));
    ServiceBuilder::new()
        .layer(cors)
        .map_response(|response: axum::http::Response<tonic::body::Body>| response.map(Body::new))
        .layer(tonic_web::GrpcWebLayer::new())
        .map_request(|request: axum::http::Request<tonic::body::Body>| request.map(Body::new))
        .service(authorised)
}

/// One router for both faces: gRPC calls to `grpc`, the rest to `rest`.
pub fn dispatch<G>(rest: Router, grpc: G) -> Router
where
    G: Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone + Send + Sync + 'static,
{
    Router::new().fallback_service(tower::service_fn(move |request: Request| {
        let (rest, grpc) = (rest.clone(), grpc.clone());
        async move {
            if is_grpc(request.headers()) {
                grpc.oneshot(request).await
            } else {
                rest.oneshot(request).await
            }
        }
    }))
}

/// The call's context (request id, trace, signed-in actor), as the outer layers made it.
/// Where a request came from, for the limits on wrong PINs (the peer's address).
pub fn source<T>(request: &tonic::Request<T>) -> crate::service::staff::auth::Source {
    let peer = request.extensions().get::<crate::http::client::Connection>().map(|c| c.peer.ip());
    crate::service::staff::auth::Source::Address(peer.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)))
}

pub fn context<T>(request: &tonic::Request<T>) -> RequestContext {
    request.extensions().get::<RequestContext>().cloned().unwrap_or_else(RequestContext::internal)
}

/// The caller's session token (for streams that end with the session).
pub fn session<T>(request: &tonic::Request<T>) -> Option<String> {
    request.extensions().get::<SessionToken>().map(|t| t.0.clone())
}
