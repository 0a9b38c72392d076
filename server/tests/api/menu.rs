//! The menu read model and its editing resources.

use crate::helpers::{assert_problem, router_app, spawn_app};
use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};

#[tokio::test]
async fn a_new_database_has_the_demo_menu_once() {
    let app = spawn_app().await;
    let menu = app.menu().await;
    assert_eq!(menu.currency, "USD");
    let names: Vec<&str> = menu.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Espresso bar", "Tea & cold", "Pastries"]);
    let latte = menu.categories[0].items.iter().find(|i| i.name == "Latte").expect("latte");
    let groups: Vec<(&str, u32, u32)> = latte.modifier_groups.iter().map(|g| (g.name.as_str(), g.min, g.max)).collect();
    assert_eq!(groups, [("Size", 1, 1), ("Milk", 0, 1), ("Syrup", 0, 3), ("Extras", 0, 2)]);
    let sizes: Vec<&str> = latte.modifier_groups[0].options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(sizes, ["Small", "Medium", "Large"]);
    // Seeding again (a restart on the same file) changes nothing.
    let config = app.config.clone();
    let again = crema_server::server::build_state(&config).await.expect("reopen");
    let mut conn = again.store.read().await.expect("conn");
    let items = crema_server::store::menu::list_items(&mut conn).await.expect("items");
    assert_eq!(items.len(), 14);
    app.stop().await;
}

#[tokio::test]
async fn etag_is_the_version_and_if_none_match_gives_304_and_no_browser_keeps_the_menu() {
    let t = router_app().await;
    let (status, headers, body) = t.get("/api/v1/menu").await;
    assert_eq!(status, 200);
    let etag = headers.get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_string();
    assert_eq!(etag, format!("\"{}\"", body["version"]));
    // Every new database is at version 1: a browser must not keep one database's menu and
    // have it confirmed by another's "304" at the same address.
    assert_eq!(headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let request =
        Request::builder().uri("/api/v1/menu").header("if-none-match", &etag).body(Body::empty()).expect("req");
    let (status, headers, _) = t.send(request).await;
    assert_eq!(status, 304);
    assert_eq!(headers.get("etag").and_then(|v| v.to_str().ok()), Some(etag.as_str()));
    assert_eq!(headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    // After an edit the old ETag no longer matches.
    let (status, _, _) = t.json("POST", "/api/v1/menu/categories", r#"{"name":"Specials"}"#).await;
    assert_eq!(status, 201);
    let request =
        Request::builder().uri("/api/v1/menu").header("if-none-match", &etag).body(Body::empty()).expect("req");
    assert_eq!(t.send(request).await.0, 200);
}

#[tokio::test]
async fn full_edit_cycle_bumps_the_version_and_emits_menu_updated_each_time() {
    let t = router_app().await;
    let version = |body: &Value| body["version"].as_i64().expect("version");
    let start = version(&t.get("/api/v1/menu").await.2);

    let (s, _, category) = t.json("POST", "/api/v1/menu/categories", r#"{"name":"Specials","position":9}"#).await;
    assert_eq!(s, 201, "{category}");
    let (s, _, group) = t.json("POST", "/api/v1/menu/modifier-groups", r#"{"name":"Topping","min":0,"max":2}"#).await;
    assert_eq!(s, 201, "{group}");
    assert_eq!(group["required"], false);
    let option_body = json!({"group_id": group["id"], "name": "Cinnamon", "price_delta_cents": 30}).to_string();
    let (s, _, option) = t.json("POST", "/api/v1/menu/options", &option_body).await;
    assert_eq!(s, 201, "{option}");
    let item_body = json!({"category_id": category["id"], "name": "Pumpkin latte", "price_cents": 550,
        "prep_seconds": 180, "modifier_group_ids": [group["id"]]})
    .to_string();
    let (s, _, item) = t.json("POST", "/api/v1/menu/items", &item_body).await;
    assert_eq!(s, 201, "{item}");

    let item_uri = format!("/api/v1/menu/items/{}", item["id"].as_str().expect("id"));
    let (s, _, updated) = t.json("PATCH", &item_uri, r#"{"price_cents":575}"#).await;
    assert_eq!(s, 200);
    assert_eq!(updated["price_cents"], 575);
    assert_eq!(updated["name"], "Pumpkin latte");
    let (s, _, got) = t.get(&item_uri).await;
    assert_eq!((s.as_u16(), got["price_cents"].as_i64()), (200, Some(575)));

    let (s, _, _) = t.json("PUT", &format!("{item_uri}/availability"), r#"{"available":false}"#).await;
    assert_eq!(s, 200);
    let option_uri = format!("/api/v1/menu/options/{}", option["id"].as_str().expect("id"));
    let (s, _, o) = t.json("PUT", &format!("{option_uri}/availability"), r#"{"available":false}"#).await;
    assert_eq!((s.as_u16(), o["available"].as_bool()), (200, Some(false)));

    let (_, _, menu) = t.get("/api/v1/menu").await;
    let specials =
        menu["categories"].as_array().expect("cats").iter().find(|c| c["name"] == "Specials").expect("specials");
    assert_eq!(specials["items"][0]["available"], false);
    assert_eq!(specials["items"][0]["modifier_groups"][0]["options"][0]["available"], false);
    assert_eq!(version(&menu), start + 7);

    let (s, _, _) = t.send(Request::builder().method("DELETE").uri(&item_uri).body(Body::empty()).expect("req")).await;
    assert_eq!(s, 204);
    assert_eq!(t.get(&item_uri).await.0, 404);
    let cat_uri = format!("/api/v1/menu/categories/{}", category["id"].as_str().expect("id"));
    assert_eq!(
        t.send(Request::builder().method("DELETE").uri(&cat_uri).body(Body::empty()).expect("req")).await.0,
        204
    );
    let group_uri = format!("/api/v1/menu/modifier-groups/{}", group["id"].as_str().expect("id"));
    assert_eq!(
        t.send(Request::builder().method("DELETE").uri(&group_uri).body(Body::empty()).expect("req")).await.0,
        204
    );
    // Deleting the group removed its options.
    assert_eq!(t.get(&option_uri).await.0, 404);

    let menu_events: Vec<_> = t.events().await.into_iter().filter(|e| e.event_type == "menu.updated").collect();
    assert_eq!(menu_events.len(), 10);
    let changes: Vec<&str> = menu_events.iter().map(|e| e.data["change"].as_str().unwrap_or("")).collect();
    assert_eq!(
        changes,
        [
            "category.created",
            "modifier_group.created",
            "option.created",
            "item.created",
            "item.updated",
            "item.availability",
            "option.availability",
            "item.deleted",
            "category.deleted",
            "modifier_group.deleted"
        ]
    );
    let versions: Vec<i64> = menu_events.iter().map(|e| e.data["version"].as_i64().unwrap_or(0)).collect();
    assert_eq!(versions, (start + 1..=start + 10).collect::<Vec<_>>());
}

#[tokio::test]
async fn lists_of_each_resource() {
    let t = router_app().await;
    for (uri, expected) in [
        ("/api/v1/menu/categories", 3),
        ("/api/v1/menu/items", 14),
        ("/api/v1/menu/modifier-groups", 5),
        ("/api/v1/menu/options", 14),
    ] {
        let (status, _, body) = t.get(uri).await;
        assert_eq!(status, 200);
        assert_eq!(body.as_array().map(Vec::len), Some(expected), "{uri}");
    }
}

#[tokio::test]
async fn bad_edits_name_the_field_and_change_nothing() {
    let t = router_app().await;
    let (_, _, cats) = t.get("/api/v1/menu/categories").await;
    let category_id = cats[0]["id"].as_str().expect("id").to_string();
    let (_, _, items) = t.get("/api/v1/menu/items").await;
    let item_id = items[0]["id"].as_str().expect("id").to_string();
    let ghost = uuid::Uuid::now_v7();
    let cases: Vec<(&str, String, String, u16, Option<&str>)> = vec![
        ("POST", "/api/v1/menu/categories".into(), r#"{"name":"  "}"#.into(), 422, Some("name")),
        ("POST", "/api/v1/menu/categories".into(), r#"{}"#.into(), 422, Some("name")),
        ("POST", "/api/v1/menu/categories".into(), r#"{"name":"x","colour":"red"}"#.into(), 422, Some("colour")),
        (
            "POST",
            "/api/v1/menu/items".into(),
            json!({"category_id": category_id, "name": "Tea", "price_cents": -5}).to_string(),
            422,
            Some("price_cents"),
        ),
        (
            "POST",
            "/api/v1/menu/items".into(),
            json!({"category_id": ghost, "name": "Tea", "price_cents": 5}).to_string(),
            422,
            Some("category_id"),
        ),
        (
            "POST",
            "/api/v1/menu/items".into(),
            json!({"category_id": category_id, "name": "Tea", "price_cents": 5, "modifier_group_ids": [ghost]})
                .to_string(),
            422,
            Some("modifier_group_ids[0]"),
        ),
        (
            "POST",
            "/api/v1/menu/items".into(),
            json!({"category_id": category_id, "name": "Tea", "price_cents": "five"}).to_string(),
            422,
            Some("price_cents"),
        ),
        ("POST", "/api/v1/menu/modifier-groups".into(), r#"{"name":"Size","min":3,"max":1}"#.into(), 422, Some("min")),
        (
            "POST",
            "/api/v1/menu/options".into(),
            json!({"group_id": ghost, "name": "Oat"}).to_string(),
            422,
            Some("group_id"),
        ),
        (
            "PATCH",
            format!("/api/v1/menu/items/{item_id}"),
            r#"{"prep_seconds":100000}"#.into(),
            422,
            Some("prep_seconds"),
        ),
        ("PATCH", format!("/api/v1/menu/items/{ghost}"), r#"{"name":"Ghost"}"#.into(), 404, None),
        (
            "PUT",
            format!("/api/v1/menu/items/{item_id}/availability"),
            r#"{"available":"no"}"#.into(),
            422,
            Some("available"),
        ),
        ("DELETE", format!("/api/v1/menu/categories/{category_id}"), "".into(), 409, None),
        ("DELETE", format!("/api/v1/menu/options/{ghost}"), "".into(), 404, None),
    ];
    let before_menu = t.get("/api/v1/menu").await.2;
    let before_events = t.events().await.len();
    for (method, uri, body, expected, field) in cases {
        let (status, headers, problem) = t.json(method, &uri, &body).await;
        assert_problem(status, &headers, &problem, expected, field);
    }
    assert_eq!(t.get("/api/v1/menu").await.2, before_menu, "a refused edit changed the menu");
    assert_eq!(t.events().await.len(), before_events, "a refused edit wrote an event");
}

#[tokio::test]
async fn a_stale_if_match_on_a_menu_edit_is_409() {
    let t = router_app().await;
    let (_, _, menu) = t.get("/api/v1/menu").await;
    let version = menu["version"].as_i64().expect("version");
    let request = |v: i64| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/menu/categories")
            .header("content-type", "application/json")
            .header("if-match", format!("\"{v}\""))
            .body(Body::from(r#"{"name":"Specials"}"#))
            .expect("req")
    };
    let (status, _, _) = t.send(request(version)).await;
    assert_eq!(status, 201);
    let (status, headers, body) = t.send(request(version)).await;
    assert_problem(status, &headers, &body, 409, None);
    assert_eq!(body["type"], "/problems/stale-version");
    let (_, _, cats) = t.get("/api/v1/menu/categories").await;
    assert_eq!(cats.as_array().map(|c| c.iter().filter(|c| c["name"] == "Specials").count()), Some(1));
}

/// A menu edit rolled back after the priced menu was read inside its write must never price
/// an order, even once a later edit gives the menu the same version number again.
#[tokio::test]
async fn a_rolled_back_menu_edit_never_prices_an_order() {
    use crema_server::store::{menu as menu_store, settings, JobError, StoreError};
    let app = spawn_app().await;
    let demo = app.demo().await;
    let croissant = demo.item("Croissant");
    let before = app.place(&json!({"customer_name": "Ada", "lines": [{"item_id": croissant, "quantity": 1}]})).await;
    let state = app.state.clone();
    let failed = app
        .state
        .store
        .writer()
        .write(move |conn| {
            Box::pin(async move {
                let mut item = menu_store::get_item(conn, croissant).await?.expect("croissant");
                item.price = crema_shared::Money::from_minor(99_900);
                menu_store::upsert_item(conn, &item).await?;
                settings::bump_menu_version(conn).await?;
                let priced = state.menu.current(conn).await?;
                assert_eq!(priced.catalog.item(croissant).map(|i| i.price.minor()), Some(99_900));
                // Then the database fails: the whole edit is rolled back.
                crema_server::exec!(conn, sqlx::query("INSERT INTO no_such_table VALUES (1)"))?;
                Ok::<_, JobError<StoreError>>(crema_server::store::Done::new((), None))
            })
        })
        .await;
    assert!(failed.is_err(), "the edit must fail");
    // Another edit takes the same version number the rolled-back one had.
    let latte = demo.item("Latte");
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/menu/items/{latte}")))
        .json(&json!({"name": "Caffè latte"}))
        .send()
        .await;
    assert_eq!(response.expect("patch").status(), 200);
    let after = app.place(&json!({"customer_name": "Bo", "lines": [{"item_id": croissant, "quantity": 1}]})).await;
    assert_eq!(after.total_cents, before.total_cents, "priced with the rolled-back croissant price");
}
