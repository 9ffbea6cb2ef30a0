//! The witness's rules, without a network.
use super::*;
use crate::log::note::{NoteSignature, key_id, verifier_key};
use crate::log::tree::{Edge, consistency_ranges, leaf_hash};

/// The request body of the tlog-witness specification's example.
const SPEC_REQUEST: &str = "old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
\u{2014} example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
";

const ORIGIN: &str = "example.org/audit";

/// A log of `n` leaves, its key, and what it sends.
struct Log {
    key: SigningKey,
    leaves: Vec<Hash>,
}

impl Log {
    fn new(seed: u8) -> Self {
        Self {
            key: SigningKey::from_bytes(&[seed; 32]),
            leaves: Vec::new(),
        }
    }

    fn vkey(&self) -> String {
        verifier_key(ORIGIN, &self.key.verifying_key().to_bytes())
    }

    fn grow(&mut self, n: usize, tag: &str) {
        for i in 0..n {
            self.leaves.push(leaf_hash(
                format!("{tag}{i}{}", self.leaves.len()).as_bytes(),
            ));
        }
    }

    fn root(&self, size: usize) -> Hash {
        let mut edge = Edge::default();
        for leaf in &self.leaves[..size] {
            edge.push(*leaf);
        }
        edge.root()
    }

    fn note(&self, size: usize) -> String {
        use ed25519_dalek::Signer;
        let text = Checkpoint {
            origin: ORIGIN.to_owned(),
            size: size as u64,
            root: self.root(size),
        }
        .text();
        let signature = self.key.sign(text.as_bytes()).to_bytes().to_vec();
        Note {
            signatures: vec![NoteSignature {
                name: ORIGIN.to_owned(),
                key_id: key_id(ORIGIN, &self.key.verifying_key().to_bytes()),
                signature,
            }],
            text,
        }
        .render()
    }

    /// The RFC 9162 consistency proof, from the subtrees' roots.
    fn proof(&self, old: usize, new: usize) -> Vec<Hash> {
        consistency_ranges(old as u64, new as u64)
            .expect("old ≤ new")
            .iter()
            .map(|range| {
                let mut edge = Edge::default();
                for leaf in &self.leaves[range.start as usize..range.end as usize] {
                    edge.push(*leaf);
                }
                edge.root()
            })
            .collect()
    }

    fn request(&self, old: usize, new: usize) -> String {
        let mut body = format!("old {old}\n");
        if old > 0 {
            for hash in self.proof(old, new) {
                body.push_str(&STANDARD.encode(hash));
                body.push('\n');
            }
        }
        body.push('\n');
        body.push_str(&self.note(new));
        body
    }
}

fn witness(dir: &Path, log: &Log) -> Witness {
    let (skey, _) = keygen("witness.example/w1").expect("a key");
    let key_file = dir.join("witness.key");
    if !key_file.exists() {
        std::fs::write(&key_file, skey).expect("write the key");
    }
    Witness::open(
        &key_file,
        &[(ORIGIN.to_owned(), log.vkey())],
        dir.join("state.json"),
    )
    .expect("a witness")
}

#[test]
fn the_specs_request_parses() {
    let request = Request::parse(SPEC_REQUEST).expect("the example parses");
    assert_eq!(request.old, 20_852_014);
    assert_eq!(request.proof.len(), 4);
    let note = Note::parse(request.note).expect("a note");
    assert_eq!(note.signatures.len(), 2);
    let checkpoint = Checkpoint::parse(&note.text).expect("a checkpoint");
    assert_eq!(checkpoint.origin, "example.com/behind-the-sofa");
    assert_eq!(checkpoint.size, 20_852_163);
    assert!(Request::parse("old 01\n\nx").is_err());
    assert!(Request::parse("new 1\n\nx").is_err());
}

#[tokio::test]
async fn it_cosigns_growth_and_refuses_what_does_not_extend_it() {
    let dir = tempfile::tempdir().expect("a directory");
    let mut log = Log::new(1);
    log.grow(5, "a");
    let witness = witness(dir.path(), &log);
    let own = parse_verifier_key(&witness.verifier_key()).expect("its key");

    // An unknown log, then a wrong key for a known origin.
    assert_eq!(witness.add_checkpoint(SPEC_REQUEST, 7).await.status, 404);
    let mut forger = Log::new(2);
    forger.grow(5, "a");
    assert_eq!(
        witness
            .add_checkpoint(&forger.request(0, 5), 7)
            .await
            .status,
        403
    );
    assert_eq!(
        witness.add_checkpoint("old 9\n\n", 7).await.status,
        400,
        "no checkpoint"
    );

    // The first checkpoint, from the empty tree; its cosignature verifies.
    let answer = witness.add_checkpoint(&log.request(0, 5), 1_700).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let cosigned = Note::parse(&format!("{}{}", log.note(5), answer.body)).expect("a note");
    assert_eq!(cosigned.verify(&own), Ok(Some(1_700)));

    // Growth with a proof.
    log.grow(6, "b");
    let answer = witness.add_checkpoint(&log.request(5, 11), 1_701).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // The same again: old 11 and size 11, same root.
    assert_eq!(
        witness
            .add_checkpoint(&log.request(11, 11), 1_702)
            .await
            .status,
        200
    );

    // A stale old size: 409 with the size it knows.
    let stale = witness.add_checkpoint(&log.request(5, 11), 1_703).await;
    assert_eq!((stale.status, stale.body.as_str()), (409, "11\n"));
    assert_eq!(stale.content_type, "text/x.tlog.size");

    // Truncated: a smaller tree.
    let answer = witness
        .add_checkpoint(&format!("old 11\n\n{}", log.note(8)), 1_704)
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);

    // Rewritten: leaf 3 changed, the tree grown past 11, signed by the log's own key.
    let mut rewritten = Log::new(1);
    rewritten.leaves = log.leaves.clone();
    rewritten.leaves[3] = leaf_hash(b"changed");
    rewritten.grow(2, "c");
    let answer = witness
        .add_checkpoint(&rewritten.request(11, 13), 1_705)
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    // The honest proof for the rewritten tree's size, with the rewritten root, fails too.
    let mut body = log.request(11, 11);
    body = body.replace(&log.note(11), &rewritten.note(13));
    assert_eq!(witness.add_checkpoint(&body, 1_705).await.status, 422);

    // Split view: another tree of the size cosigned.
    let mut split = Log::new(1);
    split.grow(11, "z");
    let answer = witness
        .add_checkpoint(&format!("old 11\n\n{}", split.note(11)), 1_706)
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    // From the empty tree: the witness answers what it knows instead.
    assert_eq!(
        witness
            .add_checkpoint(&split.request(0, 11), 1_706)
            .await
            .status,
        409
    );

    // The state survives a restart, and monitors read the last cosigned checkpoint.
    drop(witness);
    let witness = super::tests::witness(dir.path(), &log);
    let stale = witness.add_checkpoint(&log.request(0, 11), 1_707).await;
    assert_eq!((stale.status, stale.body.as_str()), (409, "11\n"));
    let hash = hex::encode(Sha256::digest(ORIGIN.as_bytes()));
    let kept = witness.checkpoint(&hash).await;
    assert_eq!(kept.status, 200);
    let kept = Note::parse(&kept.body).expect("a note");
    assert!(kept.verify(&own).is_ok());
    assert_eq!(
        Checkpoint::parse(&kept.text).expect("a checkpoint").size,
        11
    );
    assert_eq!(witness.checkpoint("00").await.status, 404);
}

#[test]
fn an_empty_tree_has_the_empty_root() {
    let cosigned = Cosigned {
        size: 0,
        root: STANDARD.encode(empty_root()),
        note: String::new(),
    };
    let checkpoint = Checkpoint {
        origin: ORIGIN.to_owned(),
        size: 3,
        root: [1; 32],
    };
    assert!(consistent(Some(&cosigned), &[], &checkpoint).is_ok());
    assert!(consistent(None, &[[0; 32]], &checkpoint).is_err());
}
