//! The allocator's side of memory: freed blocks given back to the system when a stage knows
//! it has just freed a lot (issue 33).

/// Give the pages of every block freed so far back to the system now, instead of after
/// jemalloc's decay (500 ms, see `.cargo/config.toml`). Joining the files' tables into the
/// month's columns frees each file's piece as it is copied, in well under that time: without
/// this, a group-sized month held its pieces and its columns at once (8× the province month:
/// 3.1 GB instead of 2.2 GB). Costs the page faults of reusing those pages later, so it is
/// called only where much was freed and little will be allocated soon after.
///
/// A no-op when jemalloc is not the process's allocator (unit tests): its arenas are empty.
pub fn release_freed() {
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
