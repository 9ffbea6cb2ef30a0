//! The one way a resolver runs a command: begin the write transaction of the kind the command
//! takes, run the command in it as the request's viewer, and commit. The resolver parses and
//! guards before, and wraps what the command returned in its payload after.
//!
//! The command's first parameter names the transaction: a plain [`Tx`], or one that did some work
//! before it was handed over (`rolls::CaughtUpTx`), any [`BeginWrite`]. A command that changes
//! nothing anyone reads publicly (a session, a password, a token) runs with [`run_private`], whose
//! commit leaves the public-read caches as they are; one whose change subscribers follow live (a
//! vote's tally, an election's turnout) with [`run_announcing`].

use async_graphql::Context;
use uuid::Uuid;

use crate::{
    auth::Viewer,
    change_feed::ChangeFeed,
    db::{BeginWrite, Tx, begin_private_write},
    error::ApiResult,
    services::Services,
};

/// Begins a write transaction of the kind `command` takes, runs `command(&tx, viewer, input)`
/// in it, and commits; a command's error rolls it back.
pub async fn run<X: BeginWrite, I, T>(
    ctx: &Context<'_>,
    input: I,
    command: impl AsyncFnOnce(&X, &Viewer, I) -> ApiResult<T>,
) -> ApiResult<T> {
    let services = ctx.data::<Services>()?;
    run_in(X::begin(&services.db).await?, ctx, input, command).await
}

/// [`run`], in a transaction that changes nothing anyone reads publicly
/// ([`begin_private_write`]): its commit leaves the public-read caches as they are.
pub async fn run_private<I, T>(
    ctx: &Context<'_>,
    input: I,
    command: impl AsyncFnOnce(&Tx, &Viewer, I) -> ApiResult<T>,
) -> ApiResult<T> {
    let services = ctx.data::<Services>()?;
    run_in(
        begin_private_write(&services.db).await?,
        ctx,
        input,
        command,
    )
    .await
}

/// [`run`], telling `feed` that `key` changed: from inside the transaction (PostgreSQL notifies
/// at commit) or right after the commit (SQLite), so that subscribers read the change once it is
/// there.
pub async fn run_announcing<X: BeginWrite, I, T, V: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    feed: &ChangeFeed<V>,
    key: Uuid,
    input: I,
    command: impl AsyncFnOnce(&X, &Viewer, I) -> ApiResult<T>,
) -> ApiResult<T> {
    let (out, announced) = run(ctx, input, async move |tx: &X, viewer, input| {
        let out = command(tx, viewer, input).await?;
        Ok((out, feed.announce(tx.as_ref(), key).await?))
    })
    .await?;
    announced.after_commit();
    Ok(out)
}

async fn run_in<X: BeginWrite, I, T>(
    tx: X,
    ctx: &Context<'_>,
    input: I,
    command: impl AsyncFnOnce(&X, &Viewer, I) -> ApiResult<T>,
) -> ApiResult<T> {
    let out = command(&tx, Viewer::of(ctx), input).await?;
    tx.commit().await?;
    Ok(out)
}
