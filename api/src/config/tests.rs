//! The configuration's unit tests: defaults, unreadable values and production's refusals.

use super::*;
use std::{collections::HashMap, path::PathBuf, time::Duration};

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|name| vars.get(name).cloned())
}

#[test]
fn nothing_set_serves_development_on_sqlite() {
    let config = config(&[]).expect("defaults");
    assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
    assert_eq!(config.addr.to_string(), "127.0.0.1:8000");
    assert!(config.graphiql && config.introspection);
    assert_eq!(config.batch_max, 0);
}

#[test]
fn a_lease_not_longer_than_the_webhook_timeout_is_refused() {
    let err = config(&[
        ("QUORUM_DELIVERY_LEASE_MS", "10000"),
        ("QUORUM_WEBHOOK_TIMEOUT_MS", "10000"),
    ])
    .expect_err("a lease no longer than a request");
    assert_eq!(err.variable, "QUORUM_DELIVERY_LEASE_MS");
    config(&[
        ("QUORUM_DELIVERY_LEASE_MS", "10001"),
        ("QUORUM_WEBHOOK_TIMEOUT_MS", "10000"),
    ])
    .expect("a longer lease");
}

#[test]
fn the_secret_key_must_be_32_bytes_and_never_shows_in_debug_output() {
    let err = config(&[("QUORUM_SECRET_KEY", "too short")]).expect_err("a bad key");
    assert_eq!(err.variable, "QUORUM_SECRET_KEY");
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let config = config(&[
        ("QUORUM_SECRET_KEY", key),
        ("QUORUM_WEBHOOK_SECRET_GRACE_SECS", "60"),
    ])
    .expect("a key");
    assert!(!format!("{config:?}").contains(key));
    assert_eq!(config.notifications.secret_grace, Duration::from_secs(60));
}

#[test]
fn an_unreadable_smtp_url_is_refused_at_start() {
    let err = config(&[("QUORUM_SMTP_URL", "not a url")]).expect_err("unreadable");
    assert_eq!(err.variable, "QUORUM_SMTP_URL");
    config(&[("QUORUM_SMTP_URL", "smtp://127.0.0.1:2525")]).expect("a relay");
}

#[test]
fn production_requires_a_relay_an_https_site_and_a_real_sender() {
    let base = [
        ("QUORUM_ENV", "production"),
        ("QUORUM_SIGNING_KEY_FILE", "/etc/quorum/key.pem"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut vars = base.to_vec();
        vars.extend_from_slice(extra);
        config(&vars)
    };
    let relay = ("QUORUM_SMTP_URL", "smtps://relay.example.org");
    let site = ("QUORUM_PUBLIC_URL", "https://quorum.example.org");
    let sender = ("QUORUM_MAIL_FROM", "Foundation <noreply@example.org>");
    let err = with(&[site, sender]).expect_err("no relay");
    assert_eq!(err.variable, "QUORUM_SMTP_URL");
    let err = with(&[relay, sender]).expect_err("an http site");
    assert_eq!(err.variable, "QUORUM_PUBLIC_URL");
    let err = with(&[relay, site]).expect_err("a localhost sender");
    assert_eq!(err.variable, "QUORUM_MAIL_FROM");
    with(&[relay, site, sender]).expect("all three");
}

#[test]
fn production_requires_a_signing_key() {
    let err = config(&[("QUORUM_ENV", "production")]).expect_err("no key");
    assert_eq!(err.variable, "QUORUM_SIGNING_KEY_FILE");
}

#[test]
fn production_refuses_a_wildcard_origin() {
    let err = config_in_production(&[("QUORUM_CORS_ORIGINS", "https://example.org, *")])
        .expect_err("wildcard");
    assert_eq!(err.variable, "QUORUM_CORS_ORIGINS");
}

#[test]
fn production_turns_graphiql_and_introspection_off_unless_asked() {
    let config = config_in_production(&[]).expect("production");
    assert!(!config.graphiql && !config.introspection && config.log_json);
    let on = [("QUORUM_GRAPHIQL", "true")];
    assert!(config_in_production(&on).expect("graphiql on").graphiql);
}

#[test]
fn development_allows_local_dev_servers_on_any_port() {
    let config = config(&[]).expect("defaults");
    for origin in [
        "http://localhost:5173",
        "http://127.0.0.1:3000",
        "http://localhost",
        "http://[::1]:8080",
    ] {
        assert!(config.allows_origin(origin), "{origin}");
    }
    for origin in [
        "https://evil.example",
        "http://localhost.evil.example",
        "http://localhost:5173.evil.example",
        "http://127.0.0.1.evil.example:80",
        "null",
    ] {
        assert!(!config.allows_origin(origin), "{origin}");
    }
}

#[test]
fn production_allows_exactly_the_listed_origins() {
    let config = config_in_production(&[("QUORUM_CORS_ORIGINS", "https://app.example.org")])
        .expect("production");
    assert!(config.allows_origin("https://app.example.org"));
    assert!(!config.allows_origin("https://app.example.org.evil.example"));
    assert!(!config.allows_origin("http://app.example.org"));
    assert!(!config.allows_origin("http://localhost:5173"));
}

#[test]
fn a_malformed_number_names_its_variable() {
    let err = config(&[("QUORUM_MAX_DEPTH", "deep")]).expect_err("bad number");
    assert_eq!(err.variable, "QUORUM_MAX_DEPTH");
}

#[test]
fn the_defaults_are_the_documented_ones() {
    let config = config(&[]).expect("defaults");
    assert_eq!(config.environment, Environment::Development);
    assert_eq!(config.db_max_connections, 10);
    assert_eq!(config.request_timeout, Duration::from_secs(30));
    assert_eq!(config.refresh_reuse_grace, Duration::from_secs(30));
    assert_eq!(config.body_limit, 1024 * 1024);
    assert!(config.signing_key_file.is_none() && config.secret_key.is_none());
    assert!(config.cors_origins.is_empty());
    assert!(config.public_cache && !config.trust_forwarded_for && !config.log_json);
    assert_eq!(config.shutdown_grace, Duration::from_secs(30));
    assert_eq!(config.log_filter, DEFAULT_LOG_FILTER);
    let db = &config.db_timeouts;
    assert_eq!(db.lock, Duration::from_secs(5));
    assert_eq!(db.statement, Duration::from_secs(30));
    assert_eq!(db.idle_in_transaction, Duration::from_secs(30));
    let limits = &config.limits;
    assert_eq!(
        [
            limits.max_depth,
            limits.max_complexity,
            limits.max_selections,
            limits.max_aliases,
            limits.max_directives,
            limits.max_recursion,
        ],
        [10, 1000, 1000, 15, 50, 32]
    );
    let ws = &config.websocket;
    assert_eq!(ws.max_subscriptions, 20);
    assert_eq!(ws.init_timeout, Duration::from_secs(10));
    assert_eq!(ws.recheck, Duration::from_secs(10));
    let rates = &config.rate_limits;
    assert_eq!(
        [
            rates.log_ins_per_account,
            rates.log_ins_per_address,
            rates.sign_ups_per_address,
        ],
        [10, 30, 10]
    );
    let n = &config.notifications;
    assert!(n.workers && n.smtp_url.is_none());
    assert_eq!(n.poll, Duration::from_secs(1));
    assert_eq!(n.max_attempts, 14);
    assert_eq!(n.retry_base, Duration::from_secs(30));
    assert_eq!(n.lease, Duration::from_secs(60));
    assert_eq!(n.connect_timeout, Duration::from_secs(5));
    assert_eq!(n.request_timeout, Duration::from_secs(10));
    assert_eq!(n.mail_from, "Quorum <noreply@localhost>");
    assert_eq!(n.mail_dir, PathBuf::from("mail-outbox"));
    assert_eq!(n.public_url, "http://127.0.0.1:8000");
    assert_eq!(n.secret_grace, Duration::from_secs(24 * 3600));
}

#[test]
fn a_blank_variable_is_unset_and_spaces_around_a_value_are_ignored() {
    let config = config(&[
        ("QUORUM_MAX_DEPTH", "  "),
        ("QUORUM_SMTP_URL", ""),
        ("QUORUM_MAX_ALIASES", " 3 "),
        (
            "QUORUM_CORS_ORIGINS",
            " https://a.example.org, ,https://b.example.org ",
        ),
        ("QUORUM_PUBLIC_URL", " https://quorum.example.org/ "),
    ])
    .expect("blank and padded values");
    assert_eq!(config.limits.max_depth, 10);
    assert!(config.notifications.smtp_url.is_none());
    assert_eq!(config.limits.max_aliases, 3);
    assert_eq!(
        config.cors_origins,
        ["https://a.example.org", "https://b.example.org"]
    );
    assert_eq!(
        config.notifications.public_url,
        "https://quorum.example.org"
    );
    let padded = config_in_production(&[("QUORUM_ENV", " production ")]).expect("production");
    assert!(padded.is_production() && !padded.graphiql && !padded.introspection);
}

#[test]
fn each_unreadable_value_names_its_variable_and_says_why() {
    for (variable, value, problem) in [
        (
            "QUORUM_MAX_DEPTH",
            "deep",
            "cannot parse `deep`: invalid digit found in string",
        ),
        ("QUORUM_DELIVERY_POLL_MS", "0", "must be at least 1 ms"),
        (
            "QUORUM_WEBHOOK_TIMEOUT_MS",
            "-1",
            "cannot parse `-1`: invalid digit found in string",
        ),
        (
            "QUORUM_GRAPHIQL",
            "maybe",
            "expected true or false, got `maybe`",
        ),
        (
            "QUORUM_ENV",
            "staging",
            "expected `development` or `production`, got `staging`",
        ),
        (
            "QUORUM_LOG_FORMAT",
            "xml",
            "expected `json` or `text`, got `xml`",
        ),
        (
            "QUORUM_ADDR",
            "localhost",
            "cannot parse `localhost`: invalid socket address syntax",
        ),
    ] {
        let err = config(&[(variable, value)]).expect_err(variable);
        assert_eq!(err.variable, variable);
        assert_eq!(err.problem, problem, "{variable}");
    }
}

#[test]
fn the_listing_has_every_variable_once_with_its_help() {
    let variables = variables();
    let mut names: Vec<_> = variables.iter().map(|v| v.name.as_str()).collect();
    assert!(variables.iter().all(|v| !v.help.is_empty()));
    assert!(names.contains(&"QUORUM_MAX_SELECTIONS") && names.contains(&"RUST_LOG"));
    let listed = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), listed, "a variable declared twice");
    let graphiql = variables.iter().find(|v| v.name == "QUORUM_GRAPHIQL");
    assert!(
        graphiql.is_some_and(|v| v.default.is_none()),
        "it depends on QUORUM_ENV"
    );
    assert!(help().contains("QUORUM_MAX_DEPTH [default: 10]"));
}

/// Production with everything it requires, and `extra` on top.
fn config_in_production(extra: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut vars = vec![
        ("QUORUM_ENV", "production"),
        ("QUORUM_SIGNING_KEY_FILE", "/etc/quorum/key.pem"),
        ("QUORUM_SMTP_URL", "smtps://relay.example.org"),
        ("QUORUM_PUBLIC_URL", "https://quorum.example.org"),
        ("QUORUM_MAIL_FROM", "Foundation <noreply@example.org>"),
    ];
    vars.extend_from_slice(extra);
    config(&vars)
}

#[test]
fn witnesses_are_read_as_url_then_key_and_the_other_way_round() {
    let key = crate::log::note::typed_verifier_key(
        "witness.mirror.example.org",
        crate::log::note::COSIGNATURE,
        &[7; 32],
    );
    let contract = config(&[(
        "QUORUM_LOG_WITNESSES",
        &format!("https://w.example.org/?a=b={key}"),
    )])
    .expect("URL=key");
    let reversed = config(&[(
        "QUORUM_LOG_WITNESSES",
        &format!("{key}=https://w.example.org/?a=b"),
    )])
    .expect("key=URL");
    for read in [contract, reversed] {
        assert_eq!(read.log_witnesses.len(), 1);
        assert_eq!(read.log_witnesses[0].verifier_key, key);
        assert_eq!(read.log_witnesses[0].url, "https://w.example.org/?a=b");
    }
    let plain = crate::log::note::verifier_key("log.example.org", &[7; 32]);
    assert!(
        config(&[(
            "QUORUM_LOG_WITNESSES",
            &format!("https://w.example.org={plain}")
        )])
        .is_err()
    );
}
