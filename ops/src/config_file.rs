//! A configuration file besides flags and environment, for the services' `serve` commands:
//! `--config FILE` (or its environment variable), TOML, each key a long option's name
//! (`public-url = "https://gegevens.gemeente.example"`, `batch-size = 5`,
//! `oidc-scope = ["bsn", "roles"]`). A flag beats its environment variable, which beats the
//! file, which beats the default. An unknown key is an error naming it, so a typo never
//! silently leaves a default in place. Secrets stay in the environment only: they are not
//! options, so the file cannot hold them.
use std::ffi::OsString;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

/// The name of the option that names the file.
pub const CONFIG_ARG: &str = "config";

/// The process's arguments as `T`, with a `--config` file's settings filled in. A file that
/// cannot be used is a usage error: its message, and exit code 2 (as clap's own errors).
pub fn parse<T: clap::Parser>() -> T {
    let command = T::command();
    let name = command.get_name().to_owned();
    let parsed = parse_with_config_file(command, std::env::args_os().collect())
        .and_then(|m| T::from_arg_matches(&m).map_err(|e| e.to_string()));
    match parsed {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        }
    }
}

/// Parses `args` with `command`, the settings of a `--config` file filled in where neither a
/// flag nor the environment gave a value. Clap's own errors (and `--help`) exit as usual.
pub fn parse_with_config_file(command: Command, args: Vec<OsString>) -> Result<ArgMatches, String> {
    let matches = command
        .clone()
        .try_get_matches_from(&args)
        .unwrap_or_else(|e| e.exit());
    // The innermost subcommand's options are the ones the file may set.
    let mut path = Vec::new();
    let mut innermost = &matches;
    while let Some((name, sub)) = innermost.subcommand() {
        path.push(name.to_owned());
        innermost = sub;
    }
    let Some(file) = innermost
        .try_get_one::<std::path::PathBuf>(CONFIG_ARG)
        .ok()
        .flatten()
    else {
        return Ok(matches);
    };
    let mut sub_command = &command;
    for name in &path {
        sub_command = sub_command
            .find_subcommand(name)
            .ok_or_else(|| format!("no subcommand {name}"))?;
    }
    let extra = settings_as_args(file, sub_command, innermost)?;
    if extra.is_empty() {
        return Ok(matches);
    }
    let mut all = args;
    all.extend(extra);
    command.try_get_matches_from(all).map_err(|e| {
        // Clap's first line names the option and the value; its usage lines would name
        // flags the person never typed.
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default();
        format!(
            "{}: {}",
            file.display(),
            first.trim_start_matches("error: ")
        )
    })
}

/// The file's settings as `--key=value` arguments, for the options that have no value from a
/// flag or the environment.
fn settings_as_args(
    file: &Path,
    command: &Command,
    matches: &ArgMatches,
) -> Result<Vec<OsString>, String> {
    let named = |what: String| format!("{}: {what}", file.display());
    let text = std::fs::read_to_string(file).map_err(|e| named(format!("cannot read: {e}")))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| named(format!("not valid TOML: {}", e.message())))?;
    let mut out = Vec::new();
    for (key, value) in &table {
        let arg = command
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()) && key != CONFIG_ARG)
            .ok_or_else(|| named(format!("unknown setting `{key}`")))?;
        let given = matches!(
            matches.value_source(arg.get_id().as_str()),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        );
        if given {
            continue;
        }
        let values = match value {
            toml::Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for value in values {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(n) => n.to_string(),
                toml::Value::Boolean(on) if !arg.get_action().takes_values() => {
                    if *on {
                        out.push(OsString::from(format!("--{key}")));
                    }
                    continue;
                }
                toml::Value::Boolean(on) => on.to_string(),
                _ => return Err(named(format!("`{key}` must be text, a number or a list"))),
            };
            out.push(OsString::from(format!("--{key}={text}")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn command() -> Command {
        Command::new("svc").subcommand(
            Command::new("serve")
                .arg(
                    Arg::new(CONFIG_ARG)
                        .long(CONFIG_ARG)
                        .value_parser(clap::value_parser!(std::path::PathBuf)),
                )
                .arg(
                    Arg::new("listen")
                        .long("listen")
                        .env("REGIE_TEST_CONFIG_LISTEN")
                        .default_value("127.0.0.1:1"),
                )
                .arg(
                    Arg::new("batch-size")
                        .long("batch-size")
                        .value_parser(clap::value_parser!(u64).range(1..=5)),
                )
                .arg(Arg::new("scope").long("scope").action(ArgAction::Append))
                .arg(Arg::new("json").long("json").action(ArgAction::SetTrue)),
        )
    }

    fn parse(file_text: &str, args: &[&str]) -> Result<ArgMatches, String> {
        let dir = std::env::temp_dir().join(format!(
            "regie-config-{}-{}",
            std::process::id(),
            file_text.len() + args.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config.toml");
        std::fs::write(&file, file_text).unwrap();
        let mut all: Vec<OsString> = ["svc", "serve", "--config"].map(OsString::from).to_vec();
        all.push(file.clone().into());
        all.extend(args.iter().map(OsString::from));
        let out = parse_with_config_file(command(), all);
        let _ = std::fs::remove_dir_all(&dir);
        out
    }

    fn serve(m: &ArgMatches) -> &ArgMatches {
        m.subcommand_matches("serve").unwrap()
    }

    #[test]
    fn the_file_fills_in_what_flags_did_not_give() {
        let m = parse(
            "listen = \"0.0.0.0:9\"\nbatch-size = 3\nscope = [\"a\", \"b\"]\njson = true\n",
            &[],
        )
        .unwrap();
        let s = serve(&m);
        assert_eq!(s.get_one::<String>("listen").unwrap(), "0.0.0.0:9");
        assert_eq!(*s.get_one::<u64>("batch-size").unwrap(), 3);
        let scopes: Vec<&String> = s.get_many("scope").unwrap().collect();
        assert_eq!(scopes, ["a", "b"]);
        assert!(s.get_flag("json"));
    }

    #[test]
    fn a_flag_beats_the_file() {
        let m = parse("listen = \"0.0.0.0:9\"\n", &["--listen", "10.0.0.1:2"]).unwrap();
        assert_eq!(serve(&m).get_one::<String>("listen").unwrap(), "10.0.0.1:2");
    }

    #[test]
    fn unknown_keys_bad_values_and_bad_toml_are_named() {
        let e = parse("lisen = \"0.0.0.0:9\"\n", &[]).unwrap_err();
        assert!(e.contains("unknown setting `lisen`"), "{e}");
        let e = parse("batch-size = 99\n", &[]).unwrap_err();
        assert!(e.contains("config.toml"), "{e}");
        let e = parse("listen = \n", &[]).unwrap_err();
        assert!(e.contains("not valid TOML"), "{e}");
        let e = parse("listen = { a = 1 }\n", &[]).unwrap_err();
        assert!(e.contains("must be text"), "{e}");
    }
}
