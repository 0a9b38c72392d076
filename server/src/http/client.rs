//! Who is on the other end of a request, as far as the server can tell without trusting
//! what the client says about itself.
//!
//! - The **address** is the TCP peer's, unless the peer is a configured trusted proxy
//!   (`CREMA_TRUSTED_PROXIES`): then it is the right-most `X-Forwarded-For` entry that is
//!   not itself a trusted proxy (entries further left are the client's own claims).
//! - **HTTPS** means the connection itself was TLS, or a trusted proxy said
//!   `X-Forwarded-Proto: https`.
//! - The **sign-in source** is the enrolled terminal whose credential the request carries
//!   (`X-Crema-Terminal: <id>.<secret>` or the `crema_terminal` cookie), checked against the
//!   stored hash; else the address.

use crate::service::staff::auth::Source;
use crate::service::staff::terminals;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

pub const TERMINAL_HEADER: &str = "x-crema-terminal";
pub const TERMINAL_COOKIE: &str = "crema_terminal";

/// The connection a request came on (put on every request by the listener).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connection {
    pub peer: SocketAddr,
    pub tls: bool,
}

/// Which proxies are believed about the client's address and scheme.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Arc<[IpNet]>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address (see the module docs); unspecified when the request did not come
/// through a listener (tests calling the router directly).
pub fn client_ip(parts: &Parts, trusted: &TrustedProxies) -> IpAddr {
    let Some(peer) = peer(parts) else { return IpAddr::V4(Ipv4Addr::UNSPECIFIED) };
    let peer = peer.ip().to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    forwarded_for(&parts.headers).into_iter().rev().find(|ip| !trusted.contains(*ip)).unwrap_or(peer)
}

/// Whether the client reached us over TLS (directly, or through a trusted proxy that says so).
pub fn is_https(parts: &Parts, trusted: &TrustedProxies) -> bool {
    if parts.extensions.get::<Connection>().is_some_and(|c| c.tls) {
        return true;
    }
    let through_trusted = peer(parts).is_some_and(|p| trusted.contains(p.ip()));
    through_trusted
        && parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').next_back().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
}

/// The terminal credential a request carries, header first.
pub fn terminal_credential(headers: &HeaderMap) -> Option<String> {
    let header = headers.get(TERMINAL_HEADER).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    header.map(str::to_string).or_else(|| super::auth::cookie(headers, TERMINAL_COOKIE))
}

fn peer(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<Connection>()
        .map(|c| c.peer)
        .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0))
}

fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect()
}

/// The sign-in source of a request, for handlers: `SignInSource(source)`.
#[derive(Clone, Copy, Debug)]
pub struct SignInSource(pub Source);

impl FromRequestParts<AppState> for SignInSource {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let hint = SourceHint::from_request_parts(parts, state).await?;
        Ok(SignInSource(hint.resolve(state).await))
    }
}

/// What a request's sign-in source is found from, for handlers that need it only sometimes
/// (a terminal's credential is checked against the database only by [`SourceHint::resolve`]).
#[derive(Clone, Debug)]
pub struct SourceHint {
    credential: Option<String>,
    address: std::net::IpAddr,
}

impl SourceHint {
    /// The enrolled terminal the credential proves, or the client's address.
    pub async fn resolve(self, state: &AppState) -> Source {
        if let Some(credential) = self.credential {
            match terminals::identify(state, &credential).await {
                Ok(Some(terminal)) => return Source::Terminal(terminal.id),
                Ok(None) => tracing::debug!("a terminal credential did not match; using the address"),
                Err(e) => tracing::error!(error = %e, "cannot check a terminal credential; using the address"),
            }
        }
        Source::Address(self.address)
    }

    /// The client's address, without checking a terminal's credential (where no PIN is typed).
    pub fn resolve_without_terminal(self) -> Source {
        Source::Address(self.address)
    }

    /// Where a manager's approving PIN comes from, when one is typed (`pin`): the terminal, by
    /// its credential, or the address; without a PIN nothing is checked, so the address.
    pub async fn for_approval(self, state: &AppState, pin: bool) -> Source {
        if pin {
            self.resolve(state).await
        } else {
            self.resolve_without_terminal()
        }
    }
}

impl FromRequestParts<AppState> for SourceHint {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(SourceHint {
            credential: terminal_credential(&parts.headers),
            address: client_ip(parts, &state.network.trusted_proxies),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut builder = Request::builder().uri("/");
        if let Some(xff) = xff {
            builder = builder.header("x-forwarded-for", xff);
        }
        let (mut parts, ()) = builder.body(()).expect("request").into_parts();
        parts.extensions.insert(Connection { peer: peer.parse().expect("addr"), tls: false });
        parts
    }

    #[test]
    fn forwarded_addresses_count_only_through_a_trusted_proxy() {
        let trusted = TrustedProxies(vec!["10.0.0.0/24".parse().expect("net")].into());
        // Not through the proxy: the header is the client's own claim and is ignored.
        assert_eq!(client_ip(&parts("192.168.1.5:1000", Some("1.2.3.4")), &trusted).to_string(), "192.168.1.5");
        // Through the proxy: the right-most untrusted entry; spoofed entries to its left are ignored.
        let via = parts("10.0.0.2:1000", Some("6.6.6.6, 192.168.1.7"));
        assert_eq!(client_ip(&via, &trusted).to_string(), "192.168.1.7");
        assert_eq!(client_ip(&parts("10.0.0.2:1000", None), &trusted).to_string(), "10.0.0.2");
        assert_eq!(client_ip(&parts("[::ffff:192.168.1.9]:1000", None), &trusted).to_string(), "192.168.1.9");
    }

    #[test]
    fn https_is_believed_from_tls_or_a_trusted_proxy_only() {
        let trusted = TrustedProxies(vec!["10.0.0.2/32".parse().expect("net")].into());
        let mut direct = parts("192.168.1.5:1000", None);
        direct.headers.insert("x-forwarded-proto", "https".parse().expect("value"));
        assert!(!is_https(&direct, &trusted));
        let mut proxied = parts("10.0.0.2:1000", None);
        proxied.headers.insert("x-forwarded-proto", "https".parse().expect("value"));
        assert!(is_https(&proxied, &trusted));
        let mut tls = parts("192.168.1.5:1000", None);
        tls.extensions.insert(Connection { peer: "192.168.1.5:1000".parse().expect("addr"), tls: true });
        assert!(is_https(&tls, &trusted));
    }
}
