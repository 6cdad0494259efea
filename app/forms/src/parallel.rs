//! The packet's independent pieces of work — filling each form, compressing each page — spread
//! over the machine's cores. A kiosk prints while the resident waits: the household of eight's
//! packet is 36 pages, and most of the time goes to choosing each QR code's mask and deflating
//! each page, none of which depends on another form.

use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many threads: a counter terminal has a few cores, and the work is a few dozen
/// items of a few milliseconds each.
const MAX_WORKERS: usize = 8;

/// `work` applied to every item, the results in the items' order. Items are handed out one at a
/// time (forms differ tenfold in cost); with one core, or one item, no thread is started.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_WORKERS)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            return mine;
                        };
                        mine.push((index, work(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(results) => results,
                // A panic in `work` is a bug; carry it to the caller as the sequential map would.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn results_come_back_in_the_items_order() {
        let items: Vec<u64> = (0..200).collect();
        let squares = map(&items, |n| {
            // Uneven work, so that threads finish out of order.
            if n % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            n * n
        });
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
    }

    #[test]
    fn no_items_and_one_item() {
        assert!(map(&[] as &[u8], |n| *n).is_empty());
        assert_eq!(map(&[3u8], |n| n + 1), vec![4]);
    }
}
