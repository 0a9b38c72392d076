//! The priced menu (catalog + tax policy) cached by menu version.
//!
//! Placing an order must price against the menu *in force inside its transaction*; reading
//! the whole menu each time would dominate an order's cost. So the transaction reads only
//! the version number, and the catalog is reloaded only when that number moved.

use crate::store::db::Db;
use crate::store::{menu, settings, StoreError};
use crema_shared::menu::Catalog;
use crema_shared::settings::CounterSettings;
use crema_shared::tax::TaxPolicy;
use std::sync::{Arc, RwLock};

#[derive(Debug)]
pub struct PricedMenu {
    pub catalog: Catalog,
    pub tax: TaxPolicy,
    /// Whether tabs go to the kitchen before paid (a change moves the menu version too).
    pub counter: CounterSettings,
}

#[derive(Debug, Default)]
pub struct MenuCache {
    current: RwLock<Option<Arc<PricedMenu>>>,
}

impl MenuCache {
    /// The menu at the version `conn` sees, from cache when it has not changed.
    pub async fn current(&self, conn: &mut Db<'_>) -> Result<Arc<PricedMenu>, StoreError> {
        let version = settings::menu_version(&mut *conn).await?;
        self.at_version(conn, version).await
    }

    /// The menu at `version` (which `conn` just read), from cache when it is that version.
    pub async fn at_version(&self, conn: &mut Db<'_>, version: i64) -> Result<Arc<PricedMenu>, StoreError> {
        if let Some(cached) = self.cached().filter(|m| m.catalog.version() == version) {
            return Ok(cached);
        }
        let shop = settings::load(&mut *conn).await?.ok_or_else(|| StoreError::corrupt("no shop settings row"))?;
        let catalog = menu::load_catalog(conn).await?;
        let fresh = Arc::new(PricedMenu { catalog, tax: shop.shop.tax, counter: shop.shop.counter });
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(fresh.clone());
        }
        Ok(fresh)
    }

    /// The cached menu, if it is at `version` (nothing is read).
    pub fn cached_at(&self, version: i64) -> Option<Arc<PricedMenu>> {
        self.cached().filter(|m| m.catalog.version() == version)
    }

    /// Drops the cached menu: it may have been read inside a write that was rolled back, and
    /// a later edit can give another menu the same version number.
    pub fn forget(&self) {
        if let Ok(mut slot) = self.current.write() {
            *slot = None;
        }
    }

    /// The cached menu, whatever its version (nothing is read). It may already be out of
    /// date: a caller checks it against the version in force before relying on it.
    pub fn cached(&self) -> Option<Arc<PricedMenu>> {
        self.current.read().ok().and_then(|slot| slot.clone())
    }
}
