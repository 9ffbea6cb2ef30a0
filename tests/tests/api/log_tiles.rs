//! C2SP `tlog-tiles` over HTTP: the hash tiles a monitor fetches for the latest checkpoint's
//! size rebuild that checkpoint's root, computed here with RFC 9162's recursive definition (not
//! the server's tree code); full tiles are cached as immutable, partial ones briefly; entry
//! bundles are not served, since entries are not public.

use api::audit::{Actor, AuditAction, Entry, SubjectKind};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;
use sha2::{Digest, Sha256};
use tests::TestApp;

type Hash = [u8; 32];

/// RFC 9162 section 2.1.1.
fn mth(leaves: &[Hash]) -> Hash {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let mut k = 1;
    while k * 2 < leaves.len() {
        k *= 2;
    }
    let mut hasher = Sha256::new();
    hasher.update([1]);
    hasher.update(mth(&leaves[..k]));
    hasher.update(mth(&leaves[k..]));
    hasher.finalize().into()
}

/// A tile's index as C2SP writes it: 3-digit elements, all but the last with an `x`.
fn index_path(n: u64) -> String {
    let mut elements = vec![format!("{:03}", n % 1000)];
    let mut rest = n / 1000;
    while rest > 0 {
        elements.insert(0, format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    elements.join("/")
}

/// `GET path`: the status, the `Cache-Control` and the body.
async fn get(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let response = app.client.get(path).send().await;
    let status = response.0.status().as_u16();
    let cache = response
        .0
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.0.into_body().into_vec().await.expect("a body");
    (status, cache, body)
}

/// The tile of `level` and `index`, `width` hashes wide (256 for a full one).
async fn tile(app: &TestApp, level: u32, index: u64, width: u64) -> Vec<Hash> {
    let mut path = format!("/log/tile/{level}/{}", index_path(index));
    if width < 256 {
        path.push_str(&format!(".p/{width}"));
    }
    let (status, cache, body) = get(app, &path).await;
    assert_eq!(status, 200, "{path}");
    if width == 256 {
        assert_eq!(cache, "public, max-age=31536000, immutable", "{path}");
    } else {
        assert_eq!(cache, "public, max-age=60", "{path}");
    }
    assert_eq!(body.len() as u64, width * 32, "{path}");
    body.chunks(32)
        .map(|h| h.try_into().expect("32 bytes"))
        .collect()
}

#[tokio::test]
async fn tiles_fetched_over_http_rebuild_the_checkpoint_s_root() {
    let app = TestApp::new().await;
    // Enough entries for two full tiles of leaves and a partial one.
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    for i in 0..600 {
        api::audit::record(
            &tx,
            Entry {
                actor: Actor::System,
                action: AuditAction::RoleGranted,
                subject_kind: SubjectKind::Account,
                subject_id: uuid::Uuid::new_v4(),
                summary: json!({ "n": i }),
            },
        )
        .await
        .expect("record");
    }
    tx.commit().await.expect("commit");
    app.sealed().await;

    let (status, _, note) = get(&app, "/log/checkpoint").await;
    assert_eq!(status, 200);
    let note = String::from_utf8(note).expect("text");
    let lines: Vec<&str> = note.lines().collect();
    let size: u64 = lines[1].parse().expect("a size");
    let root: Hash = STANDARD
        .decode(lines[2])
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    assert!(size >= 600);

    // Level 0: the leaf hashes, in full tiles and the partial one this size requires.
    let mut leaves = Vec::new();
    for n in 0..size / 256 {
        leaves.extend(tile(&app, 0, n, 256).await);
    }
    if !size.is_multiple_of(256) {
        leaves.extend(tile(&app, 0, size / 256, size % 256).await);
    }
    assert_eq!(leaves.len() as u64, size);
    assert_eq!(mth(&leaves), root, "the tiles rebuild the signed root");

    // Level 1: each hash is the root of a full tile below it.
    let level1 = tile(&app, 1, 0, (size / 256) % 256).await;
    for (i, hash) in level1.iter().enumerate() {
        assert_eq!(*hash, mth(&leaves[i * 256..(i + 1) * 256]));
    }

    // What the log does not hold, or not in this form, is not found.
    for path in [
        format!("/log/tile/0/{}", index_path(size / 256)),
        format!("/log/tile/0/{}.p/255", index_path(size / 256)),
        "/log/tile/1/000".to_owned(),
        "/log/tile/0/x000/001".to_owned(),
        "/log/tile/00/000".to_owned(),
        "/log/tile/entries/000".to_owned(),
    ] {
        let (status, cache, _) = get(&app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(cache, "no-cache", "{path}");
    }
}
