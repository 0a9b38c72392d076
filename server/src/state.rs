//! What every handler and use case shares: the store, the live-event hub, the menu cache
//! and a few settings.

use crate::service::auth::Auth;
use crate::service::menu_cache::MenuCache;
use crate::service::EventHub;
use crate::store::Store;
use chrono::{DateTime, FixedOffset, Utc};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub auth: Arc<Auth>,
    pub hub: Arc<EventHub>,
    pub menu: Arc<MenuCache>,
    pub day: BusinessDay,
    /// CloudEvents `source`: `crema/<shop>/<node>`.
    pub source: Arc<str>,
    pub sse_keepalive: Duration,
    /// Origins besides the server's own that browsers may call the API from.
    pub cors_origins: Arc<[String]>,
}

/// The shop's local day, for ticket numbers that restart every morning.
#[derive(Clone, Copy, Debug)]
pub struct BusinessDay {
    pub utc_offset: FixedOffset,
}

impl BusinessDay {
    /// `YYYY-MM-DD` of `now` in the shop's time zone.
    pub fn date_of(&self, now: DateTime<Utc>) -> String {
        now.with_timezone(&self.utc_offset).format("%Y-%m-%d").to_string()
    }
}
