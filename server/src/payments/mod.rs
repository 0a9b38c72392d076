//! The payment gateway port: what Crema needs from a card processor. Every call carries an
//! idempotency key, so a step retried after a crash or a timeout never charges twice.

pub mod http;

use crema_shared::Money;
use futures::future::BoxFuture;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The card or the request was refused; trying again will not help.
    #[error("declined: {0}")]
    Declined(String),
    /// The gateway could not be reached or failed; try again later.
    #[error("gateway unavailable: {0}")]
    Unavailable(String),
}

/// A card processor.
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    /// Reserves `amount`; returns the authorization reference.
    fn authorize<'a>(
        &'a self,
        key: &'a str,
        amount: Money,
        currency: &'a str,
    ) -> BoxFuture<'a, Result<String, GatewayError>>;
    /// Takes the authorized `amount`.
    fn capture<'a>(
        &'a self,
        key: &'a str,
        reference: &'a str,
        amount: Money,
    ) -> BoxFuture<'a, Result<(), GatewayError>>;
    /// Releases an authorization.
    fn void<'a>(&'a self, key: &'a str, reference: &'a str) -> BoxFuture<'a, Result<(), GatewayError>>;
    /// Gives back `amount` of a capture.
    fn refund<'a>(&'a self, key: &'a str, reference: &'a str, amount: Money)
        -> BoxFuture<'a, Result<(), GatewayError>>;
}
