//! The nightly backup: a durable job per day on the managers' jobs screen, writing verified
//! backups into the backup folder and keeping the newest few.

use crate::helpers::{spawn_app_with, test_config};
use crema_server::service::shop::backups;
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn the_nightly_job_writes_verified_backups_and_keeps_the_newest() {
    let dir = tempfile::tempdir().expect("dir");
    let folder = dir.path().join("backups");
    let mut config = test_config(dir.path().join("crema.db"));
    config.backup_dir = Some(folder.clone());
    config.backup_keep = 2;
    let app = spawn_app_with(config, dir).await;
    let demo = app.demo().await;
    app.place(&demo.espresso("Ana")).await;
    assert!(backups::enqueue(&app.state, "2026-12-01").await.expect("queued"));
    assert!(!backups::enqueue(&app.state, "2026-12-01").await.expect("asked again"), "one per day");
    for date in ["2026-12-02", "2026-12-03"] {
        assert!(backups::enqueue(&app.state, date).await.expect("queued"));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let jobs = loop {
        let page: Value = app.get("/api/v1/jobs?kind=backup.nightly&state=succeeded").await.json().await.expect("json");
        let done = page["jobs"].as_array().map_or(0, Vec::len);
        if done == 3 {
            break page;
        }
        assert!(tokio::time::Instant::now() < deadline, "the backups did not all run: {page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(jobs["jobs"].as_array().map(Vec::len), Some(3), "shown on the jobs screen");
    let mut kept: Vec<_> = std::fs::read_dir(&folder).expect("folder").map(|e| e.expect("entry").path()).collect();
    kept.sort();
    assert_eq!(kept.len(), 2, "only the newest two are kept: {kept:?}");
    for backup in &kept {
        let verified = crema_server::backup::verify(backup).await.expect("a whole backup");
        assert_eq!(verified.manifest.contents.orders, 1);
        assert!(verified.manifest.key_file);
    }
    app.stop().await;
}
