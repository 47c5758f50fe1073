//! `open-connectors-emulator`: runs the emulator until Ctrl-C or SIGTERM and prints where it is.

use std::io::{self, Write};
use std::process::ExitCode;

use open_connectors_emulator::Emulator;

const HELP: &str = "\
open-connectors-emulator: a local, in-memory SAP Open Connectors platform API

Usage: open-connectors-emulator [--port N]

Options:
  --port N    port to listen on, on 127.0.0.1 only (0, the default, takes any free port)
  -h, --help  print this help

Prints OPEN_CONNECTORS_BASE_URL, OPEN_CONNECTORS_USER_SECRET and
OPEN_CONNECTORS_ORGANIZATION_SECRET, one per line, then serves until Ctrl-C or SIGTERM.
The two secrets are taken from the environment variables of those names when they are
set and not empty, and generated otherwise.
";

/// What the command line asks for.
enum Command {
    Help,
    Serve { port: u16 },
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut port = 0;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--port" => args.next().ok_or("--port needs a value")?,
            other => match other.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unknown argument: {other}")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("not a port number: {value}"))?;
    }
    Ok(Command::Serve { port })
}

fn env_secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Serve { port }) => port,
        Ok(Command::Help) => return write_or_fail(&mut io::stdout(), HELP),
        Err(problem) => {
            let _ = writeln!(io::stderr(), "{problem}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match serve(port).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "open-connectors-emulator: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_or_fail(out: &mut impl Write, text: &str) -> ExitCode {
    match out.write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

async fn serve(port: u16) -> io::Result<()> {
    let mut builder = Emulator::builder().port(port);
    if let Some(secret) = env_secret("OPEN_CONNECTORS_USER_SECRET") {
        builder = builder.user_secret(secret);
    }
    if let Some(secret) = env_secret("OPEN_CONNECTORS_ORGANIZATION_SECRET") {
        builder = builder.organization_secret(secret);
    }
    let emulator = builder.start().await?;

    print_settings(&emulator)?;
    wait_for_stop().await;
    emulator.shutdown().await;
    Ok(())
}

/// Prints the three settings; a parent process reads them through a pipe, so they are
/// flushed at once.
fn print_settings(emulator: &Emulator) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "OPEN_CONNECTORS_BASE_URL={}", emulator.base_url())?;
    writeln!(
        out,
        "OPEN_CONNECTORS_USER_SECRET={}",
        emulator.user_secret()
    )?;
    let organization = emulator.organization_secret();
    writeln!(out, "OPEN_CONNECTORS_ORGANIZATION_SECRET={organization}")?;
    out.flush()
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
