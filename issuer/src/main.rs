//! `regie-issuer`: the municipality's issuer service. For now: list the BRP test persons.
use std::path::PathBuf;
use std::process::ExitCode;

use regie_issuer::person::{FixtureSource, PersonSource};

const HELP: &str = "\
regie-issuer — the municipality's issuer of Regie credentials

Usage:
  regie-issuer persons [--fixtures DIR]   list the BRP test persons
  regie-issuer --help

Options:
  --fixtures DIR   directory with personen.json and verblijfplaatshistorie.json
                   (default: the official BRP test persons built into the binary)

The OpenID4VCI service, portal and back-office API (`regie-issuer serve`) are being built.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("regie-issuer: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        None | Some("--help" | "-h" | "help") => {
            println!("{HELP}");
            Ok(())
        }
        Some("persons") => {
            let source = match args.get(1).map(String::as_str) {
                None => FixtureSource::embedded(),
                Some("--fixtures") => {
                    let dir = args.get(2).ok_or("--fixtures needs a directory")?;
                    FixtureSource::from_dir(&PathBuf::from(dir))
                }
                Some(other) => return Err(format!("unknown option {other:?}; see --help")),
            }
            .map_err(|e| e.to_string())?;
            for p in source.list().map_err(|e| e.to_string())? {
                println!(
                    "{}  {:<55}  {}",
                    p.bsn,
                    p.name,
                    p.residence.as_deref().unwrap_or("(geen adres)")
                );
            }
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}; see --help")),
    }
}
