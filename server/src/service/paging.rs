//! Pages of a list: the store is asked for one row more than the page holds, and that extra
//! row (dropped) tells whether a next page exists.

/// How many rows to ask the store for, for a page of `limit`.
pub fn probe(limit: i64) -> i64 {
    limit.max(0).saturating_add(1)
}

/// The page out of what a [`probe`] found, and whether more follow.
pub fn page<T>(mut found: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
    let more = found.len() > limit;
    found.truncate(limit);
    (found, more)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_page_never_holds_more_than_asked_and_more_means_a_row_was_left(rows in 0usize..50, limit in 0i64..40) {
            let found: Vec<usize> = (0..rows.min(usize::try_from(probe(limit)).unwrap_or(0))).collect();
            let (page, more) = page(found.clone(), limit);
            prop_assert!(page.len() as i64 <= limit);
            prop_assert_eq!(more, found.len() as i64 > limit);
            prop_assert_eq!(&page[..], &found[..page.len()]);
        }
    }
}
