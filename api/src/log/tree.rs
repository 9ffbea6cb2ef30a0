//! RFC 9162 Merkle tree arithmetic, with no state: the hashes (section 2.1.1), which subtrees an
//! inclusion proof (2.1.3) or a consistency proof (2.1.4) is made of, and the verifiers of both.
//!
//! The log keeps the hash of every complete subtree, a *node*: the subtree of level `L` and
//! index `N` covers the leaves `[N·2^L, (N+1)·2^L)`. Every subtree a proof names is a run of at
//! most `log2(n)` such nodes ([`Range::nodes`]), so a proof costs O(log n) reads.
//!
//! No crate fitted: `ct-merkle` and `rs_merkle` keep the whole tree in memory, where this log keeps
//! it in the database and reads only the nodes a proof needs. The verifiers are tested against
//! the transparency-dev/merkle test vectors (`api/tests/merkle_vectors.rs`), the proofs against the
//! verifiers and against RFC 6962's reference roots.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The hash of a leaf: SHA-256(0x00 ‖ entry bytes).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(entry);
    hasher.finalize().into()
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (n ≥ 2): RFC 9162's `k`.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// A complete subtree: level `level`, index `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    pub level: u8,
    pub index: u64,
}

/// The leaves `[start, end)`, whose Merkle tree hash (RFC 9162's `MTH(D[start:end])`) a proof
/// carries. Every range a proof names starts at a multiple of the largest power of two not
/// greater than its length, so its hash is its [`Range::nodes`] folded from the right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: u64,
    pub end: u64,
}

impl Range {
    /// The complete subtrees the range is made of, largest first.
    pub fn nodes(self) -> Vec<Node> {
        let mut nodes = Vec::new();
        let mut start = self.start;
        while start < self.end {
            let left = self.end - start;
            let mut level = 63 - left.leading_zeros();
            if start != 0 {
                level = level.min(start.trailing_zeros());
            }
            nodes.push(Node {
                level: level as u8,
                index: start >> level,
            });
            start += 1 << level;
        }
        nodes
    }

    /// The range's hash from the hashes of its [`Range::nodes`], in the same order.
    pub fn fold(hashes: &[Hash]) -> Option<Hash> {
        let (last, rest) = hashes.split_last()?;
        Some(rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)))
    }
}

/// The subtrees of an inclusion proof of leaf `index` in a tree of `size` leaves, bottom first
/// (RFC 9162 section 2.1.3.1, `PATH`). `None` when the leaf is not in the tree.
pub fn inclusion_ranges(index: u64, size: u64) -> Option<Vec<Range>> {
    if index >= size {
        return None;
    }
    let mut ranges = Vec::new();
    path(index, 0, size, &mut ranges);
    Some(ranges)
}

fn path(m: u64, start: u64, end: u64, out: &mut Vec<Range>) {
    let n = end - start;
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, start, start + k, out);
        out.push(Range {
            start: start + k,
            end,
        });
    } else {
        path(m - k, start + k, end, out);
        out.push(Range {
            start,
            end: start + k,
        });
    }
}

/// The subtrees of a consistency proof from a tree of `old` leaves to one of `new` (RFC 9162
/// section 2.1.4.1, `PROOF`). Empty when the sizes are equal or the old tree is empty; `None`
/// when `old > new`.
pub fn consistency_ranges(old: u64, new: u64) -> Option<Vec<Range>> {
    if old > new {
        return None;
    }
    let mut ranges = Vec::new();
    if old > 0 && old < new {
        subproof(old, 0, new, true, &mut ranges);
    }
    Some(ranges)
}

fn subproof(m: u64, start: u64, end: u64, whole: bool, out: &mut Vec<Range>) {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(Range { start, end });
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, start, start + k, whole, out);
        out.push(Range {
            start: start + k,
            end,
        });
    } else {
        subproof(m - k, start + k, end, false, out);
        out.push(Range {
            start,
            end: start + k,
        });
    }
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the leaf index {index} is not in a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
    #[error("there is no consistency proof from the empty tree")]
    FromEmpty,
    #[error("the first tree ({old}) is larger than the second ({new})")]
    SizesReversed { old: u64, new: u64 },
}

/// Verifies an inclusion proof (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 section 2.1.4.2): the tree of `new` leaves with root
/// `new_root` extends the tree of `old` leaves with root `old_root`. From the empty tree to a
/// larger one there is nothing to prove, and asking is refused, as RFC 9162 defines proofs only
/// for 0 < old < new (and as transparency-dev/merkle's vectors expect): a caller whose kept tree
/// is empty accepts any later one.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesReversed { old, new });
    }
    if old == 0 {
        return Err(ProofError::FromEmpty);
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let mut path = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != *old_root || sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The right edge of a growing tree: its complete subtrees, largest first, as appending leaves
/// needs them (a "compact range" over `[0, size)`).
#[derive(Clone, Debug, Default)]
pub struct Edge {
    size: u64,
    nodes: Vec<(Node, Hash)>,
}

impl Edge {
    /// The edge of a tree of `size` leaves, from the hashes of `Range { 0, size }.nodes()`.
    pub fn new(size: u64, hashes: Vec<Hash>) -> Option<Self> {
        let nodes = Range {
            start: 0,
            end: size,
        }
        .nodes();
        if nodes.len() != hashes.len() {
            return None;
        }
        Some(Self {
            size,
            nodes: nodes.into_iter().zip(hashes).collect(),
        })
    }

    /// How many leaves the tree holds.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf; returns every node completed by it, the leaf first.
    pub fn push(&mut self, leaf: Hash) -> Vec<(Node, Hash)> {
        let mut made = vec![(
            Node {
                level: 0,
                index: self.size,
            },
            leaf,
        )];
        self.nodes.push(made[0]);
        self.size += 1;
        while let [.., (left, lh), (right, rh)] = self.nodes[..]
            && left.level == right.level
        {
            let node = Node {
                level: left.level + 1,
                index: left.index >> 1,
            };
            let hash = node_hash(&lh, &rh);
            self.nodes.truncate(self.nodes.len() - 2);
            self.nodes.push((node, hash));
            made.push((node, hash));
        }
        made
    }

    /// The root hash of the tree so far.
    pub fn root(&self) -> Hash {
        let hashes: Vec<Hash> = self.nodes.iter().map(|(_, h)| *h).collect();
        Range::fold(&hashes).unwrap_or_else(empty_root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6962's reference leaves and the roots of their first 1 to 8 (from the Certificate
    /// Transparency reference implementation, also in transparency-dev/merkle `testonly`).
    const LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// RFC 9162's definition, recursively, to check the stored-node arithmetic against.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    struct Tree {
        leaves: Vec<Hash>,
        nodes: std::collections::HashMap<Node, Hash>,
        edge: Edge,
    }

    impl Tree {
        fn of(count: u64) -> Self {
            let mut tree = Tree {
                leaves: Vec::new(),
                nodes: Default::default(),
                edge: Edge::default(),
            };
            for i in 0..count {
                let leaf = leaf_hash(&i.to_be_bytes());
                tree.leaves.push(leaf);
                tree.nodes.extend(tree.edge.push(leaf));
            }
            tree
        }

        fn hash(&self, range: Range) -> Hash {
            let hashes: Vec<Hash> = range.nodes().iter().map(|n| self.nodes[n]).collect();
            Range::fold(&hashes).expect("a non-empty range")
        }
    }

    #[test]
    fn the_reference_roots() {
        let mut edge = Edge::default();
        for (leaf, root) in LEAVES.iter().zip(ROOTS) {
            edge.push(leaf_hash(&hex::decode(leaf).expect("hex")));
            assert_eq!(hex::encode(edge.root()), root);
        }
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn stored_nodes_give_every_range_a_proof_names() {
        let tree = Tree::of(70);
        for size in 1..=70 {
            let root = tree.hash(Range {
                start: 0,
                end: size,
            });
            assert_eq!(root, mth(&tree.leaves[..size as usize]));
            for index in 0..size {
                let proof: Vec<Hash> = inclusion_ranges(index, size)
                    .expect("in range")
                    .into_iter()
                    .map(|r| {
                        assert_eq!(
                            tree.hash(r),
                            mth(&tree.leaves[r.start as usize..r.end as usize])
                        );
                        tree.hash(r)
                    })
                    .collect();
                assert!(proof.len() <= 7);
                verify_inclusion(&tree.leaves[index as usize], index, size, &proof, &root)
                    .expect("inclusion verifies");
                let wrong = leaf_hash(b"not this one");
                assert!(verify_inclusion(&wrong, index, size, &proof, &root).is_err());
            }
            for old in 1..=size {
                let old_root = tree.hash(Range { start: 0, end: old });
                let proof: Vec<Hash> = consistency_ranges(old, size)
                    .expect("ordered")
                    .into_iter()
                    .map(|r| tree.hash(r))
                    .collect();
                verify_consistency(old, size, &old_root, &root, &proof)
                    .expect("consistency verifies");
                if old > 0 && old < size {
                    let forged = leaf_hash(b"forged");
                    assert!(verify_consistency(old, size, &forged, &root, &proof).is_err());
                    assert!(verify_consistency(old, size, &old_root, &forged, &proof).is_err());
                }
            }
        }
    }

    /// Inclusion proofs in a tree of 10 million leaves are at most 24 hashes (⌈log2 n⌉); a
    /// consistency proof can be one more (from a tree of 3, say), as RFC 9162's bound has it.
    #[test]
    fn proofs_of_ten_million_leaves_are_at_most_24_or_25_hashes() {
        let size = 10_000_000;
        for index in [0, 1, 4_999_999, 8_388_607, 8_388_608, size - 1] {
            let ranges = inclusion_ranges(index, size).expect("in range");
            assert!(ranges.len() <= 24);
            let reads: usize = ranges.iter().map(|r| r.nodes().len()).sum();
            assert!(reads <= 2 * 24, "{reads} node reads");
        }
        for old in [1, 2, 3, 1_000_000, 8_388_608, size - 1] {
            let ranges = consistency_ranges(old, size).expect("ordered");
            assert!(ranges.len() <= 25);
            let reads: usize = ranges.iter().map(|r| r.nodes().len()).sum();
            assert!(reads <= 2 * 25, "{reads} node reads");
        }
        assert_eq!(consistency_ranges(3, size).expect("ordered").len(), 25);
    }
}
