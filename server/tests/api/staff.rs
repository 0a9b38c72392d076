//! Managing staff through the API.

use crate::helpers::FetchJson;
use crate::helpers::{sign_in, spawn_app, CASHIER_PIN, MANAGER_PIN};
use serde_json::{json, Value};

#[tokio::test]
async fn add_rename_reset_pin_and_deactivate() {
    let app = spawn_app().await;
    let listed: Value = app.get("/api/v1/staff").await.json().await.expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
    assert!(listed.to_string().find("pin").is_none(), "PIN material must never leave the server");

    let created = app.post("/api/v1/staff", &json!({"name": "Dana", "role": "barista", "pin": "5050"})).await;
    assert_eq!(created.status(), 201);
    let dana: Value = created.json().await.expect("json");
    let id = dana["id"].as_str().expect("id").to_string();
    let dana_token = sign_in(&app.base, "5050").await;

    let renamed: Value =
        app.client.patch(app.url(&format!("/api/v1/staff/{id}"))).json(&json!({"name": "Dana K."})).fetch_json().await;
    assert_eq!((renamed["name"].as_str(), renamed["role"].as_str()), (Some("Dana K."), Some("barista")));

    let reset = app
        .client
        .put(app.url(&format!("/api/v1/staff/{id}/pin")))
        .json(&json!({"pin": "6060"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(reset.status(), 200);
    let old = reqwest::Client::new()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({"pin": "5050"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(old.status(), 401);
    sign_in(&app.base, "6060").await;

    let off = app
        .client
        .patch(app.url(&format!("/api/v1/staff/{id}")))
        .json(&json!({"active": false}))
        .send()
        .await
        .expect("sent");
    assert_eq!(off.status(), 200);
    // Deactivation signs them out everywhere and stops new sign-ins.
    let me =
        crate::helpers::client_with(&dana_token).get(app.url("/api/v1/sessions/current")).send().await.expect("sent");
    assert_eq!(me.status(), 401);
    let again = reqwest::Client::new()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({"pin": "6060"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn bad_staff_input_names_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"name": "Eve", "role": "barista", "pin": CASHIER_PIN}), "pin"),
        (json!({"name": "Eve", "role": "barista", "pin": "12"}), "pin"),
        (json!({"name": " ", "role": "barista", "pin": "7070"}), "name"),
        (json!({"name": "Eve", "role": "owner", "pin": "7070"}), "role"),
        (json!({"name": "Eve", "pin": "7070"}), "role"),
    ] {
        let response = app.post("/api/v1/staff", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let listed: Value = app.get("/api/v1/staff").await.json().await.expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
    assert_eq!(app.get(&format!("/api/v1/staff/{}", uuid::Uuid::now_v7())).await.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn the_last_manager_cannot_be_demoted_or_deactivated() {
    let app = spawn_app().await;
    let me: Value = app.get("/api/v1/sessions/current").await.json().await.expect("json");
    let id = me["staff"]["id"].as_str().expect("id").to_string();
    for patch in [json!({"active": false}), json!({"role": "cashier"})] {
        let response =
            app.client.patch(app.url(&format!("/api/v1/staff/{id}"))).json(&patch).send().await.expect("sent");
        assert_eq!(response.status(), 409, "{patch}");
    }
    // With a second manager it is allowed.
    assert_eq!(
        app.post("/api/v1/staff", &json!({"name": "Robin", "role": "manager", "pin": "8080"})).await.status(),
        201
    );
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/staff/{id}")))
        .json(&json!({"role": "cashier"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    sign_in(&app.base, MANAGER_PIN).await;
    app.stop().await;
}
