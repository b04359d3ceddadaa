//! The `svcq` binary: parse the command line, run, print the error chain, exit.

use clap::Parser;

/// jemalloc instead of the system allocator: freed tables go back to the system (glibc kept
/// ~250 MB of the per-file tables resident after they were merged). Its settings are compiled
/// in from `.cargo/config.toml` (a background thread returns freed pages after 500 ms; big
/// blocks are reused like small ones). The province month peaks ~550 MiB, against ~690 MiB
/// with mimalloc (which kept ~270 MB more resident after reading than the live tables), at
/// the same speed. Measured in BENCHMARKS.md ("Session 7").
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    svcq::install_panic_hook();
    let cli = svcq::cli::Cli::parse();
    match svcq::run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            eprintln!("svcq: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            svcq::exit::Exit::of_error(&err).into()
        }
    }
}
