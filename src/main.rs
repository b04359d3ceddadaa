//! The `svcq` binary: parse the command line, run, print the error chain, exit.

use clap::Parser;

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
