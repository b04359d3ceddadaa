//! The allocator's side of memory: freed blocks given back to the system when a stage knows
//! it has just freed a lot (issue 33).

/// Whether the month read is big enough that its freed pages go back to the system at once
/// ([`release_freed`]); until the month's size is known, they do.
static BIG_MONTH: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// The month's columns from 512 MiB on (twice a province month's, 8 M rows or so) are a
/// big month: below that, holding freed pages for reuse costs less memory than the page
/// faults of giving them back would cost time.
pub const BIG_MONTH_BYTES: usize = 512 << 20;

/// Tell [`release_freed`] how big the month's columns are.
pub fn set_month_bytes(bytes: usize) {
    BIG_MONTH.store(bytes >= BIG_MONTH_BYTES, std::sync::atomic::Ordering::Relaxed);
}

/// Give the pages of every block freed so far back to the system now, instead of after
/// jemalloc's decay (500 ms, see `.cargo/config.toml`). Joining the files' tables into the
/// month's columns frees each file's piece as it is copied, in well under that time: without
/// this, a group-sized month held its pieces and its columns at once (8× the province month:
/// 3.1 GB instead of 2.2 GB). Costs the page faults of reusing those pages later, so it is
/// called only where much was freed and little will be allocated soon after.
///
/// Only for a big month ([`set_month_bytes`]): a smaller one's freed pages stay with the
/// allocator, to be reused without page faults (a province month: ~45 k fewer faults, its
/// peak ~100 MB higher).
///
/// A no-op when jemalloc is not the process's allocator (unit tests): its arenas are empty.
pub fn release_freed() {
    if !BIG_MONTH.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena, no input, no output.
    const PURGE_ALL: &[u8] = b"arena.4096.purge\0";
    #[allow(unsafe_code)]
    // SAFETY: `mallctl` with a NUL-terminated name, null `oldp`/`oldlenp`/`newp` and
    // `newlen` 0 is jemalloc's documented form of a write-only command without arguments; it
    // reads nothing of ours but the name and writes nothing. Its status is ignored: a purge
    // that fails leaves the pages to the decay, as before.
    let _ = unsafe {
        tikv_jemalloc_sys::mallctl(
            PURGE_ALL.as_ptr().cast(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    };
}
