//! `GET /api/v1/kitchen`: where a kitchen display starts (open tickets + event cursor).

use super::ApiError;
use crate::service::{self, RequestContext};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use crema_shared::api::KitchenDto;

/// Open tickets oldest first, the ticket-age thresholds, and the event sequence to follow
/// `GET /api/v1/events?after=` from.
#[utoipa::path(get, path = "/api/v1/kitchen", tag = "orders", responses((status = 200, body = KitchenDto)))]
pub async fn tickets(State(state): State<AppState>, ctx: RequestContext) -> Result<Json<KitchenDto>, ApiError> {
    let mut kitchen = service::orders::kitchen::tickets(&state).await?;
    super::privacy::orders(&ctx, &mut kitchen.orders);
    Ok(Json(kitchen))
}
