//! Starting as a terminal: pairing with the hub on the first start (the code a manager made
//! buys the terminal's id, label and credential; the hub's snapshot brings its menu, staff
//! and PIN pepper), or picking up the pairing the key file and database remember.

use super::{client, TerminalLink};
use crate::keys::{self, Keys};
use crate::store::{sync as store, Done, JobError, Store, StoreError};
use crema_shared::sync::{HubSnapshot, SealedStaff};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::sync::Arc;

/// A terminal ready to start, with the snapshot to apply first when it just paired.
#[derive(Debug)]
pub struct Bootstrap {
    pub link: Arc<TerminalLink>,
    pub first_snapshot: Option<(HubSnapshot, SealedStaff)>,
}

/// Pairs or resumes a terminal (`hub_url` set), or checks that this database is not a
/// terminal's (`hub_url` unset). Errors are sentences for the operator.
pub async fn prepare(
    store: &Store,
    hub_url: Option<&str>,
    pairing_code: Option<&SecretString>,
    key_file: Option<&Path>,
) -> Result<Option<Bootstrap>, String> {
    let paired = async { store::state(&mut store.read().await?).await }.await.map_err(|e| e.to_string())?;
    let Some(hub_url) = hub_url else {
        return match paired {
            Some(p) => Err(format!(
                "this database belongs to terminal {} of the shop's server at {}: start it with --hub-url {} \
                 (its tickets are numbered {}-1, {}-2, …; without the hub they could repeat)",
                p.label, p.hub_url, p.hub_url, p.label, p.label
            )),
            None => Ok(None),
        };
    };
    let hub = hub_base(hub_url)?;
    let key_file = key_file.ok_or("a terminal keeps its credential in its key file: give it a database file")?;
    let keys = Keys::read(key_file).map_err(|e| e.to_string())?;
    let remembered = keys.as_ref().and_then(|k| k.terminal_credential()).map(|c| c.expose_secret().to_string());
    if let (Some(paired), Some(credential)) = (&paired, remembered) {
        if pairing_code.is_none() || paired.revoked_at.is_none() {
            if pairing_code.is_some() {
                tracing::warn!(label = %paired.label, "already paired; ignoring --pairing-code");
            }
            let (id, label) = (paired.terminal_id, paired.label.clone());
            save_pairing(store, hub.as_str(), id, &label).await?;
            let link = TerminalLink::new(hub, id, label, SecretString::from(credential), paired.revoked_at.is_some());
            return Ok(Some(Bootstrap { link: Arc::new(link), first_snapshot: None }));
        }
    }
    let code = pairing_code.ok_or_else(|| {
        format!(
            "this terminal is not paired with {hub}: start it once with --pairing-code CODE \
             (a manager makes a code on the hub: Manage → Terminals, or POST /api/v1/terminals)"
        )
    })?;
    let http = client::http_client()?;
    let paired = client::pair(&http, &hub, code.expose_secret()).await.map_err(|e| format!("pairing: {e}"))?;
    let credential = paired.credential.clone().unwrap_or_default();
    let (snapshot, staff) =
        client::snapshot(&http, &hub, &credential).await.map_err(|e| format!("reading the hub's snapshot: {e}"))?;
    let pepper =
        keys::pepper_from_hex(&staff.pin_pepper).ok_or("the hub sent a PIN pepper this terminal cannot read")?;
    Keys::write_paired(key_file, pepper, &credential).map_err(|e| e.to_string())?;
    save_pairing(store, hub.as_str(), paired.id, &paired.label).await?;
    tracing::info!(hub = %hub, label = %paired.label, "paired with the shop's server");
    let link = TerminalLink::new(hub, paired.id, paired.label, SecretString::from(credential), false);
    Ok(Some(Bootstrap { link: Arc::new(link), first_snapshot: Some((snapshot, staff)) }))
}

/// The hub's URL as a base other paths join onto (`http://hub:8080/`).
fn hub_base(raw: &str) -> Result<reqwest::Url, String> {
    let mut url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("--hub-url {raw:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("--hub-url {raw:?} must be an http:// or https:// address"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

async fn save_pairing(store: &Store, hub: &str, id: uuid::Uuid, label: &str) -> Result<(), String> {
    let (hub, label) = (hub.to_string(), label.to_string());
    store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                store::save_pairing(conn, &hub, id, &label).await?;
                Ok::<_, JobError<StoreError>>(Done::new((), None))
            })
        })
        .await
        .map_err(|e| e.to_string())
}
