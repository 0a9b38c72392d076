//! The demo coffee-shop menu seeded into a new database: espresso drinks in three sizes,
//! milk choices, syrups, an extra shot, tea, cold brew and a few pastries.
//!
//! Seeding writes the settings row and the menu in one transaction, and only when the
//! settings row did not exist yet, so it runs exactly once per database however often the
//! server starts (or crashes while starting). The demo staff (one per role, PINs in the
//! README) and the usual discount reasons are seeded with it.

use crate::store::db::Db;
use crate::store::staff::{self, StaffRecord};
use crate::store::{discounts, menu, settings, Done, JobError, Store, StoreError};
use crema_shared::menu::{Category, Item, ModifierGroup, ModifierOption};
use crema_shared::settings::ShopSettings;
use crema_shared::Money;
use uuid::Uuid;

/// Seeds settings and the demo menu if the database is new. Returns whether it seeded.
pub async fn seed_if_new(
    store: &Store,
    defaults: &ShopSettings,
    demo_staff: &[StaffRecord],
) -> Result<bool, StoreError> {
    let (defaults, demo_staff) = (defaults.clone(), demo_staff.to_vec());
    store.writer().write(move |conn| Box::pin(async move { seed_job(conn, &defaults, &demo_staff).await })).await
}

async fn seed_job(
    conn: &mut Db<'_>,
    defaults: &ShopSettings,
    demo_staff: &[StaffRecord],
) -> Result<Done<bool>, JobError<StoreError>> {
    let settings = settings::StoredSettings { shop: defaults.clone(), menu_version: 1 };
    let fresh = settings::insert_if_missing(conn, &settings).await?;
    if fresh {
        let demo = DemoMenu::build();
        for c in &demo.categories {
            menu::upsert_category(conn, c).await?;
        }
        for g in &demo.groups {
            menu::upsert_group(conn, g).await?;
        }
        for o in &demo.options {
            menu::upsert_option(conn, o).await?;
        }
        for i in &demo.items {
            menu::upsert_item(conn, i).await?;
        }
        for member in demo_staff {
            staff::upsert(conn, member).await?;
        }
        for reason in demo_discount_reasons(crate::store::time::now()) {
            discounts::insert(conn, &reason).await?;
        }
    }
    Ok(Done::new(fresh, None))
}

/// The discount reasons a new shop starts with (managers edit them): staff meals and loyalty
/// rewards the cashier may give within their limits, comps and promotions beyond them.
fn demo_discount_reasons(now: chrono::DateTime<chrono::Utc>) -> Vec<discounts::ReasonRecord> {
    use crema_shared::discount::DiscountReason;
    use crema_shared::staff::Role;
    [
        ("Staff", vec![Role::Cashier, Role::Barista], 5_000),
        ("Loyalty", vec![Role::Cashier], 1_000),
        ("Promo", vec![Role::Cashier], 2_000),
        ("Comp", vec![], 10_000),
    ]
    .into_iter()
    .map(|(name, roles, limit_bps)| discounts::ReasonRecord {
        reason: DiscountReason { id: Uuid::now_v7(), name: name.into(), roles, limit_bps, active: true },
        created_at: now,
        updated_at: now,
    })
    .collect()
}

struct DemoMenu {
    categories: Vec<Category>,
    items: Vec<Item>,
    groups: Vec<ModifierGroup>,
    options: Vec<ModifierOption>,
}

impl DemoMenu {
    fn build() -> DemoMenu {
        let mut m = DemoMenu { categories: vec![], items: vec![], groups: vec![], options: vec![] };
        let espresso = m.category("Espresso bar", 1);
        let tea_cold = m.category("Tea & cold", 2);
        let pastries = m.category("Pastries", 3);

        let size = m.group("Size", 1, 1, 1, &[("Small", 0), ("Medium", 50), ("Large", 100)]);
        let milk = m.group(
            "Milk",
            0,
            1,
            2,
            &[("Whole milk", 0), ("Skim milk", 0), ("Oat milk", 60), ("Almond milk", 60), ("Soy milk", 50)],
        );
        let syrup = m.group("Syrup", 0, 3, 3, &[("Vanilla syrup", 50), ("Caramel syrup", 50), ("Hazelnut syrup", 50)]);
        let extras = m.group("Extras", 0, 2, 4, &[("Extra shot", 80), ("Decaf", 0)]);
        let warm = m.group("Warm it up", 0, 1, 5, &[("Warmed", 0)]);

        let milk_drink = [size, milk, syrup, extras];
        m.item(espresso, "Espresso", 300, 60, &[extras]);
        m.item(espresso, "Americano", 350, 90, &[size, extras]);
        m.item(espresso, "Cappuccino", 450, 150, &milk_drink);
        m.item(espresso, "Latte", 475, 150, &milk_drink);
        m.item(espresso, "Flat white", 450, 150, &[milk, extras]);
        m.item(espresso, "Mocha", 525, 180, &milk_drink);
        m.item(tea_cold, "English breakfast tea", 300, 60, &[size, milk]);
        m.item(tea_cold, "Green tea", 300, 60, &[size]);
        m.item(tea_cold, "Chai latte", 475, 150, &[size, milk, syrup]);
        m.item(tea_cold, "Cold brew", 450, 45, &[size, milk, syrup]);
        m.item(pastries, "Croissant", 375, 30, &[warm]);
        m.item(pastries, "Pain au chocolat", 425, 30, &[warm]);
        m.item(pastries, "Blueberry muffin", 375, 20, &[warm]);
        m.item(pastries, "Banana bread", 400, 20, &[warm]);
        m
    }

    fn category(&mut self, name: &str, position: i64) -> Uuid {
        let id = Uuid::now_v7();
        self.categories.push(Category { id, name: name.into(), position });
        id
    }

    fn group(&mut self, name: &str, min: u32, max: u32, position: i64, options: &[(&str, i64)]) -> Uuid {
        let id = Uuid::now_v7();
        self.groups.push(ModifierGroup { id, name: name.into(), min, max, position });
        for (i, (option, delta)) in options.iter().enumerate() {
            self.options.push(ModifierOption {
                id: Uuid::now_v7(),
                group_id: id,
                name: (*option).into(),
                price_delta: Money::from_minor(*delta),
                available: true,
                position: i as i64,
                stock: None,
            });
        }
        id
    }

    fn item(&mut self, category_id: Uuid, name: &str, price: i64, prep_seconds: u32, groups: &[Uuid]) {
        let position = self.items.iter().filter(|i| i.category_id == category_id).count() as i64;
        self.items.push(Item {
            id: Uuid::now_v7(),
            category_id,
            name: name.into(),
            price: Money::from_minor(price),
            available: true,
            prep_seconds,
            position,
            group_ids: groups.to_vec(),
            stock: None,
        });
    }
}
