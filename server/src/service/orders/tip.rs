//! A gateway card's tip, changed before the authorization is captured (the customer adds a
//! tip on the slip after the card was authorized). The shop's `tip_adjust_limit_bps` bounds
//! it; the capture then takes the order's new total.

use super::transition::transition;
use crate::service::idempotency::{Answer, IdempotencyKey};
use crate::service::{RequestContext, ServiceError};
use crate::state::AppState;
use crate::store::{settings, StoreError};
use crema_shared::api::TipRequest;
use crema_shared::lifecycle::OrderCommand;
use crema_shared::tip::Tip;
use crema_shared::ValidationErrors;
use uuid::Uuid;

#[tracing::instrument(name = "orders.adjust_tip", skip_all, fields(order_id = %id))]
pub async fn adjust_tip(
    state: &AppState,
    ctx: &RequestContext,
    id: Uuid,
    request: &TipRequest,
    if_match: Option<i64>,
    key: Option<&IdempotencyKey>,
) -> Result<Answer, ServiceError> {
    let mut errors = ValidationErrors::new();
    let tip = Tip::given(&mut errors, "", request.tip_cents, request.tip_percent_bps);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let limit_bps = {
        let mut db = state.store.read().await?;
        settings::load(&mut db).await?.ok_or_else(|| StoreError::corrupt("no shop settings row"))?.shop.counter
    }
    .tip_adjust_limit_bps;
    transition(state, ctx, id, OrderCommand::AdjustTip { tip, limit_bps }, if_match, key).await
}
