//! The `svcq` binary: parse the command line, run, print the error chain, exit.

use clap::Parser;

/// mimalloc instead of the system allocator: freed tables go back to the system (glibc kept
/// ~250 MB of the per-file tables resident after they were merged) and allocation is cheaper.
/// Built with `no_thp` (no transparent huge pages: the kernel zeroed whole 2 MB pages for
/// each file's decoded text). Measured in BENCHMARKS.md ("Session 3").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
