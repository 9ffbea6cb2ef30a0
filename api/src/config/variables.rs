//! The environment variables as clap reads and lists them: [`Config`]'s fields are clap
//! arguments, each with an `env` naming its variable, a `default_value` and its doc comment as
//! help.
//!
//! clap reads the process environment only while it parses, and only an unset variable counts
//! as unset. Here the values come from a lookup instead (so that tests supply their own), each
//! trimmed, a blank one counting as unset, and they reach clap as `--flag=value` arguments of a
//! command whose own environment reading is switched off. The flags are internal: `quorum`'s
//! command line does not take them.

use std::{error::Error as _, ffi::OsStr};

use clap::{
    Args, Command, FromArgMatches,
    error::{ContextKind, ContextValue},
};

use super::settings::{Config, ConfigError};

/// One environment variable, as declared.
#[derive(Clone, Debug)]
pub struct Variable {
    /// Its name, e.g. `QUORUM_MAX_DEPTH`.
    pub name: String,
    /// Its default as written, or `None` when it has none or the default depends on
    /// `QUORUM_ENV` (then its help says so).
    pub default: Option<String>,
    /// What it means.
    pub help: String,
    /// The group it is listed under in `quorum --help`.
    pub heading: String,
}

/// Every variable, in the order of the declarations.
pub fn list() -> Vec<Variable> {
    let command = command();
    command
        .get_arguments()
        .filter_map(|arg| {
            let name = arg.get_env()?.to_string_lossy().into_owned();
            let defaults: Vec<_> = arg
                .get_default_values()
                .iter()
                .map(|value| value.to_string_lossy())
                .filter(|value| !value.is_empty())
                .collect();
            let default = (!arg.is_hide_default_value_set() && !defaults.is_empty())
                .then(|| defaults.join(","));
            let help = arg
                .get_long_help()
                .or(arg.get_help())
                .map(ToString::to_string)
                .unwrap_or_default();
            let heading = arg.get_help_heading().unwrap_or("Server").to_owned();
            Some(Variable {
                name,
                default,
                help,
                heading,
            })
        })
        .collect()
}

/// The variables listed for `quorum --help`, grouped under their headings.
pub fn help() -> String {
    let mut text =
        "Configuration: every setting is an environment variable. Surrounding spaces are \
                    ignored, and a blank variable counts as unset."
            .to_owned();
    let mut heading = String::new();
    for variable in list() {
        if variable.heading != heading {
            heading.clone_from(&variable.heading);
            text.push_str(&format!("\n\n{heading}:"));
        }
        let default = variable
            .default
            .map(|default| format!(" [default: {default}]"))
            .unwrap_or_default();
        text.push_str(&format!(
            "\n  {}{default}\n          {}",
            variable.name, variable.help
        ));
    }
    text
}

/// Reads every declared variable through `lookup`.
pub(super) fn read(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    let command = command();
    let mut arguments = vec!["quorum".to_owned()];
    for arg in command.get_arguments() {
        let (Some(variable), Some(flag)) = (arg.get_env().and_then(OsStr::to_str), arg.get_long())
        else {
            continue;
        };
        if let Some(value) = lookup(variable)
            && !value.trim().is_empty()
        {
            arguments.push(format!("--{flag}={}", value.trim()));
        }
    }
    let matches = command
        .clone()
        .mut_args(|arg| arg.env(None))
        .try_get_matches_from(arguments)
        .map_err(|err| unreadable(&command, &err))?;
    Config::from_arg_matches(&matches).map_err(|err| unreadable(&command, &err))
}

fn command() -> Command {
    Config::augment_args(Command::new("quorum"))
}

/// The variable a clap error is about, and what is wrong with its value.
fn unreadable(command: &Command, err: &clap::Error) -> ConfigError {
    // clap names the argument as `--flag <VALUE>`.
    let variable = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(shown)) => shown
            .split_whitespace()
            .next()
            .and_then(|flag| flag.strip_prefix("--"))
            .and_then(|flag| {
                command
                    .get_arguments()
                    .find(|arg| arg.get_long() == Some(flag))
            })
            .and_then(|arg| arg.get_env())
            .map(|name| name.to_string_lossy().into_owned()),
        _ => None,
    };
    let problem = err
        .source()
        .map_or_else(|| err.to_string(), ToString::to_string);
    ConfigError::new(
        variable.unwrap_or_else(|| "configuration".to_owned()),
        problem,
    )
}
