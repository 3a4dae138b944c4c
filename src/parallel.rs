//! Work spread over every core: a slice cut into one part per core, each part worked on its
//! own scoped thread, the results given back in the parts' order.

/// `work` on each part of `items`, one part per core; `None` for a part whose thread panicked.
pub fn on_every_core<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&[T]) -> R + Sync,
) -> Vec<Option<R>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let part = items.len().div_ceil(cores).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let threads: Vec<_> = items
            .chunks(part)
            .map(|p| scope.spawn(move || work(p)))
            .collect();
        threads.into_iter().map(|t| t.join().ok()).collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_is_worked_once_in_order() {
        let items: Vec<u32> = (0..1000).collect();
        let parts = super::on_every_core(&items, |p| p.to_vec());
        let back: Vec<u32> = parts.into_iter().flat_map(Option::unwrap).collect();
        assert_eq!(back, items);
        assert!(super::on_every_core(&[] as &[u32], |p| p.len())
            .iter()
            .all(|n| *n == Some(0)));
    }
}
