//! Menu rows: categories, items (with their ordered modifier groups), modifier groups and
//! options. Reads build domain values; writes take validated domain values.

use super::db::{exec, fetch_all, fetch_optional, fetch_value, Db, Id, Record};
use super::{settings, StoreError};
use crema_shared::menu::{Catalog, Category, Item, ModifierGroup, ModifierOption};
use crema_shared::Money;
use std::collections::HashMap;
use uuid::Uuid;

/// The whole menu at its current version.
pub async fn load_catalog(conn: &mut Db<'_>) -> Result<Catalog, StoreError> {
    let settings = settings::load(&mut *conn).await?.ok_or_else(|| StoreError::corrupt("no shop settings row"))?;
    let categories = list_categories(conn).await?;
    let items = list_items(conn).await?;
    let groups = list_groups(conn).await?;
    let options = list_options(conn).await?;
    Ok(Catalog::new(settings.menu_version, settings.shop.currency, categories, items, groups, options))
}

// ------------------------------------------------------------------ categories

pub async fn list_categories(conn: &mut Db<'_>) -> Result<Vec<Category>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query("SELECT id, name, position FROM categories ORDER BY position, name"))?;
    rows.iter().map(category_from_row).collect()
}

pub async fn get_category(conn: &mut Db<'_>, id: Uuid) -> Result<Option<Category>, StoreError> {
    let row =
        fetch_optional!(conn, sqlx::query("SELECT id, name, position FROM categories WHERE id = $1").bind(Id(id)))?;
    row.as_ref().map(category_from_row).transpose()
}

pub async fn upsert_category(conn: &mut Db<'_>, c: &Category) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO categories (id, name, position) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position",
        )
        .bind(Id(c.id))
        .bind(&c.name)
        .bind(c.position)
    )?;
    Ok(())
}

pub async fn count_items_in_category(conn: &mut Db<'_>, id: Uuid) -> Result<i64, StoreError> {
    Ok(fetch_value!(
        conn,
        sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE category_id = $1").bind(Id(id)),
        fetch_one
    )?)
}

fn category_from_row(r: &Record) -> Result<Category, StoreError> {
    Ok(Category { id: r.uuid("id")?, name: r.try_get("name")?, position: r.try_get("position")? })
}

// ------------------------------------------------------------------ items

pub async fn list_items(conn: &mut Db<'_>) -> Result<Vec<Item>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query("SELECT id, category_id, name, price_cents, available, prep_seconds, position, stock FROM items ORDER BY position, name"))?;
    let links =
        fetch_all!(conn, sqlx::query("SELECT item_id, group_id FROM item_modifier_groups ORDER BY item_id, position"))?;
    let mut groups_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for link in &links {
        groups_of.entry(link.uuid("item_id")?).or_default().push(link.uuid("group_id")?);
    }
    rows.iter()
        .map(|r| {
            let mut item = item_from_row(r)?;
            item.group_ids = groups_of.remove(&item.id).unwrap_or_default();
            Ok(item)
        })
        .collect()
}

pub async fn get_item(conn: &mut Db<'_>, id: Uuid) -> Result<Option<Item>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(
        "SELECT id, category_id, name, price_cents, available, prep_seconds, position, stock FROM items WHERE id = $1",
    )
    .bind(Id(id)))?;
    let Some(row) = row else { return Ok(None) };
    let mut item = item_from_row(&row)?;
    let links = fetch_all!(
        conn,
        sqlx::query("SELECT group_id FROM item_modifier_groups WHERE item_id = $1 ORDER BY position").bind(Id(id))
    )?;
    item.group_ids = links.iter().map(|l| l.uuid("group_id")).collect::<Result<_, _>>()?;
    Ok(Some(item))
}

/// Inserts or replaces an item and its ordered group links.
pub async fn upsert_item(conn: &mut Db<'_>, item: &Item) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO items (id, category_id, name, price_cents, available, prep_seconds, position, stock)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET category_id = excluded.category_id, name = excluded.name,
           price_cents = excluded.price_cents, available = excluded.available,
           prep_seconds = excluded.prep_seconds, position = excluded.position, stock = excluded.stock",
        )
        .bind(Id(item.id))
        .bind(Id(item.category_id))
        .bind(&item.name)
        .bind(item.price.minor())
        .bind(item.available)
        .bind(i64::from(item.prep_seconds))
        .bind(item.position)
        .bind(item.stock.map(i64::from))
    )?;
    exec!(conn, sqlx::query("DELETE FROM item_modifier_groups WHERE item_id = $1").bind(Id(item.id)))?;
    for (position, group_id) in item.group_ids.iter().enumerate() {
        exec!(
            conn,
            sqlx::query("INSERT INTO item_modifier_groups (item_id, group_id, position) VALUES ($1, $2, $3)")
                .bind(Id(item.id))
                .bind(Id(*group_id))
                .bind(position as i64)
        )?;
    }
    Ok(())
}

fn item_from_row(r: &Record) -> Result<Item, StoreError> {
    let prep: i64 = r.try_get("prep_seconds")?;
    Ok(Item {
        id: r.uuid("id")?,
        category_id: r.uuid("category_id")?,
        name: r.try_get("name")?,
        price: Money::from_minor(r.try_get("price_cents")?),
        available: r.try_get("available")?,
        prep_seconds: u32::try_from(prep).map_err(|_| StoreError::corrupt("prep_seconds"))?,
        position: r.try_get("position")?,
        group_ids: Vec::new(),
        stock: stock_col(r)?,
    })
}

// ------------------------------------------------------------------ modifier groups

pub async fn list_groups(conn: &mut Db<'_>) -> Result<Vec<ModifierGroup>, StoreError> {
    let rows = fetch_all!(
        conn,
        sqlx::query("SELECT id, name, min_choices, max_choices, position FROM modifier_groups ORDER BY position, name")
    )?;
    rows.iter().map(group_from_row).collect()
}

pub async fn get_group(conn: &mut Db<'_>, id: Uuid) -> Result<Option<ModifierGroup>, StoreError> {
    let row = fetch_optional!(
        conn,
        sqlx::query("SELECT id, name, min_choices, max_choices, position FROM modifier_groups WHERE id = $1")
            .bind(Id(id))
    )?;
    row.as_ref().map(group_from_row).transpose()
}

pub async fn upsert_group(conn: &mut Db<'_>, g: &ModifierGroup) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO modifier_groups (id, name, min_choices, max_choices, position) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, min_choices = excluded.min_choices,
           max_choices = excluded.max_choices, position = excluded.position",
        )
        .bind(Id(g.id))
        .bind(&g.name)
        .bind(i64::from(g.min))
        .bind(i64::from(g.max))
        .bind(g.position)
    )?;
    Ok(())
}

fn group_from_row(r: &Record) -> Result<ModifierGroup, StoreError> {
    let min: i64 = r.try_get("min_choices")?;
    let max: i64 = r.try_get("max_choices")?;
    Ok(ModifierGroup {
        id: r.uuid("id")?,
        name: r.try_get("name")?,
        min: u32::try_from(min).map_err(|_| StoreError::corrupt("min_choices"))?,
        max: u32::try_from(max).map_err(|_| StoreError::corrupt("max_choices"))?,
        position: r.try_get("position")?,
    })
}

// ------------------------------------------------------------------ options

pub async fn list_options(conn: &mut Db<'_>) -> Result<Vec<ModifierOption>, StoreError> {
    let rows = fetch_all!(conn, sqlx::query("SELECT id, group_id, name, price_delta_cents, available, position, stock FROM modifier_options ORDER BY position, name"))?;
    rows.iter().map(option_from_row).collect()
}

pub async fn get_option(conn: &mut Db<'_>, id: Uuid) -> Result<Option<ModifierOption>, StoreError> {
    let row = fetch_optional!(conn, sqlx::query(
        "SELECT id, group_id, name, price_delta_cents, available, position, stock FROM modifier_options WHERE id = $1",
    )
    .bind(Id(id)))?;
    row.as_ref().map(option_from_row).transpose()
}

pub async fn upsert_option(conn: &mut Db<'_>, o: &ModifierOption) -> Result<(), StoreError> {
    exec!(
        conn,
        sqlx::query(
            "INSERT INTO modifier_options (id, group_id, name, price_delta_cents, available, position, stock)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, name = excluded.name,
           price_delta_cents = excluded.price_delta_cents, available = excluded.available,
           position = excluded.position, stock = excluded.stock",
        )
        .bind(Id(o.id))
        .bind(Id(o.group_id))
        .bind(&o.name)
        .bind(o.price_delta.minor())
        .bind(o.available)
        .bind(o.position)
        .bind(o.stock.map(i64::from))
    )?;
    Ok(())
}

fn option_from_row(r: &Record) -> Result<ModifierOption, StoreError> {
    Ok(ModifierOption {
        id: r.uuid("id")?,
        group_id: r.uuid("group_id")?,
        name: r.try_get("name")?,
        price_delta: Money::from_minor(r.try_get("price_delta_cents")?),
        available: r.try_get("available")?,
        position: r.try_get("position")?,
        stock: stock_col(r)?,
    })
}

fn stock_col(r: &Record) -> Result<Option<u32>, StoreError> {
    r.try_get::<Option<i64>, _>("stock")?
        .map(|n| u32::try_from(n).map_err(|_| StoreError::corrupt("stock")))
        .transpose()
}

// ------------------------------------------------------------------ deletes

/// A deletable menu table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MenuTable {
    Categories,
    Items,
    ModifierGroups,
    ModifierOptions,
}

/// Deletes one row; returns whether it existed. Links cascade (see the migration).
pub async fn delete(conn: &mut Db<'_>, table: MenuTable, id: Uuid) -> Result<bool, StoreError> {
    let sql = match table {
        MenuTable::Categories => "DELETE FROM categories WHERE id = $1",
        MenuTable::Items => "DELETE FROM items WHERE id = $1",
        MenuTable::ModifierGroups => "DELETE FROM modifier_groups WHERE id = $1",
        MenuTable::ModifierOptions => "DELETE FROM modifier_options WHERE id = $1",
    };
    let done = exec!(conn, sqlx::query(sql).bind(Id(id)))?;
    Ok(done == 1)
}
