//! The `quorum` binary: parse the configuration, connect, migrate, serve. The only place that
//! exits the process.

use std::process::ExitCode;

use api::{AppState, config::Config, db, telemetry};
use clap::{Parser, Subcommand};
use poem::{Server, listener::TcpListener};

/// Quorum: the GraphQL backend of a community-owned open-source foundation.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the migrations, then serve the API (the default).
    Serve,
    /// Apply the migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema) = cli.command {
        print!("{}", api::schema::sdl());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("quorum: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_json);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Schema => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "quorum stopped on an error");
            ExitCode::FAILURE
        }
    }
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

async fn migrate(config: &Config) -> Result<(), Failure> {
    let db = db::connect(&config.database_url, config.db_max_connections).await?;
    db::migrate(&db).await?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn serve(config: Config) -> Result<(), Failure> {
    let db = db::connect(&config.database_url, config.db_max_connections).await?;
    db::migrate(&db).await?;
    let addr = config.addr;
    let grace = config.shutdown_grace;
    let state = AppState::new(config, db.clone())?;
    tracing::info!(%addr, "serving GraphQL at /graphql");
    Server::new(TcpListener::bind(addr))
        .run_with_graceful_shutdown(api::app(state), shutdown_signal(), Some(grace))
        .await?;
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM: the server then stops accepting and lets in-flight requests
/// finish.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {},
                    _ = terminate.recv() => {},
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM; only SIGINT stops");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("stop signal received; finishing in-flight requests");
}
