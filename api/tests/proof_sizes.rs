//! How large the Merkle tree log's proofs get at 10 million entries, from the proof arithmetic
//! alone (`api::log::tree`, with no stored tree): what `docs/log.md` promises a member, pinned to
//! the true maxima over a sample of leaf indexes and of (old, new) size pairs, so that a change
//! to the arithmetic that makes proofs longer fails here.

use api::log::tree::{Range, consistency_ranges, inclusion_ranges};

const TEN_MILLION: u64 = 10_000_000;

/// The sizes every sample holds besides its stride: the powers of two and their neighbours,
/// where proofs change shape, and the smallest trees.
fn edges(below: u64) -> Vec<u64> {
    let mut sizes = vec![1, 2, 3, 5, 6, 7, below - 1];
    for k in 1..64 {
        let p = 1u64 << k;
        sizes.extend([p - 1, p, p + 1]);
    }
    sizes.retain(|s| *s >= 1 && *s < below);
    sizes
}

/// The most hashes and the most stored-node reads among `proofs`.
fn largest(proofs: impl Iterator<Item = Vec<Range>>) -> (usize, usize) {
    proofs.fold((0, 0), |(hashes, reads), ranges| {
        let read: usize = ranges.iter().map(|r| r.nodes().len()).sum();
        (hashes.max(ranges.len()), reads.max(read))
    })
}

#[test]
fn inclusion_proofs_at_ten_million_entries_are_at_most_24_hashes() {
    let indexes = (0..TEN_MILLION)
        .step_by(997)
        .chain(edges(TEN_MILLION))
        .chain([0, TEN_MILLION - 1]);
    let (hashes, reads) =
        largest(indexes.map(|index| inclusion_ranges(index, TEN_MILLION).expect("in the tree")));
    // ⌈log2(10,000,000)⌉ = 24: the proof climbs the tree once.
    assert_eq!(hashes, 24);
    // Each hash is one stored subtree, or a run of them folded: at most 30 reads in all.
    assert_eq!(reads, 30);
}

#[test]
fn consistency_proofs_at_ten_million_entries_reach_25_hashes() {
    let olds = (1..TEN_MILLION).step_by(9973).chain(edges(TEN_MILLION));
    let (hashes, reads) =
        largest(olds.map(|old| consistency_ranges(old, TEN_MILLION).expect("ordered")));
    // One more than an inclusion proof: the path to the old tree's last leaf, plus the subtree
    // that begins its right edge when the old size is not a power of two (RFC 9162 §2.1.4).
    assert_eq!(hashes, 25);
    assert_eq!(reads, 31);
    // The longest are reached from old trees whose size is not a power of two.
    assert_eq!(
        consistency_ranges(3, TEN_MILLION).expect("ordered").len(),
        25
    );
    // From a power of two, the old root is itself a node: one hash fewer.
    assert!(
        consistency_ranges(1 << 20, TEN_MILLION)
            .expect("ordered")
            .len()
            <= 24
    );
}

/// Around 10 million the hash counts stay the same, but the stored-node reads grow with the
/// number of ones in the tree size's binary form, up to 2·24 (at 2^24 − 1, where every
/// subtree of the right edge is its own node).
#[test]
fn proofs_of_trees_up_to_2_pow_24_read_at_most_48_stored_nodes() {
    let mut most = (0, 0, 0, 0);
    for new in [TEN_MILLION - 1, (1 << 23) + 1, (1 << 24) - 1] {
        let (inclusion, inclusion_reads) = largest(
            (0..new)
                .step_by(997)
                .chain(edges(new))
                .map(|index| inclusion_ranges(index, new).expect("in the tree")),
        );
        let (consistency, consistency_reads) = largest(
            (1..new)
                .step_by(9973)
                .chain(edges(new))
                .map(|old| consistency_ranges(old, new).expect("ordered")),
        );
        most = (
            most.0.max(inclusion),
            most.1.max(inclusion_reads),
            most.2.max(consistency),
            most.3.max(consistency_reads),
        );
    }
    assert_eq!(most, (24, 46, 25, 47));
}
