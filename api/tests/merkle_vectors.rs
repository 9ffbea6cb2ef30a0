//! The Merkle tree log's proof verifiers against another implementation's published vectors:
//! transparency-dev/merkle's inclusion and consistency cases (`merkle-vectors/`), the good ones
//! and every way of spoiling them.

use std::path::Path;

use api::log::tree::{Hash, verify_consistency, verify_inclusion};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::Value;
use sha2::Digest;

fn cases(kind: &str) -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/merkle-vectors")
        .join(kind);
    let mut found = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a case directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a case");
            found.push((
                path.display().to_string(),
                serde_json::from_str(&text).expect("JSON"),
            ));
        }
    }
    assert!(found.len() > 50, "{} cases of {kind}", found.len());
    found
}

fn hash(value: &Value) -> Option<Hash> {
    STANDARD
        .decode(value.as_str()?)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
}

/// A root: a few cases give placeholder roots that are not 32 bytes ("don't care"), where only
/// their equality matters; those stand for the SHA-256 of their bytes.
fn root(value: &Value) -> Option<Hash> {
    let bytes = STANDARD.decode(value.as_str()?).ok()?;
    Some(
        bytes
            .clone()
            .try_into()
            .unwrap_or_else(|_| sha2::Sha256::digest(&bytes).into()),
    )
}

fn proof(value: &Value) -> Option<Vec<Hash>> {
    match value {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items.iter().map(hash).collect(),
        _ => None,
    }
}

fn size(value: &Value) -> Option<u64> {
    value.as_i64().and_then(|n| u64::try_from(n).ok())
}

#[test]
fn inclusion_vectors() {
    for (file, case) in cases("inclusion") {
        let want_err = case["wantErr"].as_bool().expect("wantErr");
        let outcome = (|| {
            let index = size(&case["leafIdx"])?;
            let tree_size = size(&case["treeSize"])?;
            let root = hash(&case["root"])?;
            let leaf = hash(&case["leafHash"])?;
            let proof = proof(&case["proof"])?;
            Some(verify_inclusion(&leaf, index, tree_size, &proof, &root).is_ok())
        })()
        .unwrap_or(false);
        assert_eq!(outcome, !want_err, "{file}: {}", case["desc"]);
    }
}

#[test]
fn consistency_vectors() {
    for (file, case) in cases("consistency") {
        let want_err = case["wantErr"].as_bool().expect("wantErr");
        let outcome = (|| {
            let old = size(&case["size1"])?;
            let new = size(&case["size2"])?;
            let old_root = root(&case["root1"])?;
            let new_root = root(&case["root2"])?;
            let proof = proof(&case["proof"])?;
            Some(verify_consistency(old, new, &old_root, &new_root, &proof).is_ok())
        })()
        .unwrap_or(false);
        assert_eq!(outcome, !want_err, "{file}: {}", case["desc"]);
    }
}
