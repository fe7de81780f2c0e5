//! `policy_layout: split`: a role's statements beyond IAM's inline limit
//! moved into customer managed policies created beside the role.
//!
//! The inline policy keeps the longest run of statements, in the model's
//! order, that fits its 10,240 characters; a role that fits keeps
//! everything inline and gets no managed policy. The rest go to managed
//! policies of at most 6,144 characters each by rendezvous hashing: every
//! statement ranks the policies `<role>-policy-2`, `-3`, ... by a hash of
//! its Sid and the policy's number, and takes the first of its ranking
//! with room. The fewest policies for which every statement finds room is
//! the count.
//!
//! Why hashing and not first-fit in Sid order: first-fit makes where a
//! statement lands depend on every statement before it, so one statement
//! added early in the order can push the following ones out of their
//! policies in a cascade. Under hashing, a statement's policy depends on
//! its own Sid and the policy count: adding a statement moves nothing
//! while the count holds (unless a policy it lands in was full), and a
//! new policy takes only the statements that rank it first, about one in
//! `count` (the property of rendezvous hashing). Policies are numbered by
//! their place in the ranking, not by what they hold, so a statement that
//! stays keeps its policy's name. The cost: policies fill unevenly, so a
//! split may use one more policy than the fewest possible.

use crate::error::Problem;

use super::statements::{document_size, sizes_to_document, statement_size};
use super::{MAX_INLINE_POLICY, MAX_MANAGED_POLICY, Policy, Role};

/// Move the statements of `role`'s inline policy that it has no room for
/// into [`Role::created_policies`]; nothing changes for a role that fits.
///
/// # Errors
/// A statement too large for any policy.
pub fn split(role: &mut Role) -> Result<(), Problem> {
    let Some(policy) = role.policy.as_mut() else {
        return Ok(());
    };
    if document_size(&policy.statements) <= MAX_INLINE_POLICY {
        return Ok(());
    }
    let sizes: Vec<usize> = policy.statements.iter().map(statement_size).collect();
    let mut kept = 0;
    while kept < sizes.len() && sizes_to_document(&sizes[..=kept]) <= MAX_INLINE_POLICY {
        kept += 1;
    }
    let rest = policy.statements.split_off(kept);
    let rest_sizes = &sizes[kept..];
    if let Some((st, &size)) = rest
        .iter()
        .zip(rest_sizes)
        .find(|(_, s)| sizes_to_document(&[**s]) > MAX_MANAGED_POLICY)
    {
        return Err(Problem::StatementTooLarge {
            role: role.kind.title(),
            sid: st.sid.clone(),
            size,
            limit: MAX_MANAGED_POLICY,
        });
    }
    let sids: Vec<&str> = rest.iter().map(|s| s.sid.as_str()).collect();
    let bins = assign(&sids, rest_sizes);
    let mut created: Vec<Policy> = Vec::new();
    for (number, members) in bins.iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        created.push(Policy {
            name: format!("{}-{}", policy.name, number + 2),
            statements: members.iter().map(|&i| rest[i].clone()).collect(),
        });
    }
    role.created_policies = created;
    Ok(())
}

/// The statements (by index into `sids`) each managed policy holds, for
/// the fewest policies where every statement finds room. Every single
/// statement fits one policy (checked by the caller).
pub(super) fn assign(sids: &[&str], sizes: &[usize]) -> Vec<Vec<usize>> {
    let total = sizes_to_document(sizes);
    let mut count = total.div_ceil(MAX_MANAGED_POLICY).max(1);
    loop {
        if let Some(bins) = assign_to(count, sids, sizes) {
            return bins;
        }
        count += 1;
    }
}

/// Each statement in order to the first policy of its ranking with room;
/// `None` when one finds none. With one policy per statement, each finds
/// room, so the search in [`assign`] ends.
fn assign_to(count: usize, sids: &[&str], sizes: &[usize]) -> Option<Vec<Vec<usize>>> {
    let mut bins: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut filled: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, (sid, &size)) in sids.iter().zip(sizes).enumerate() {
        let mut ranking: Vec<usize> = (0..count).collect();
        ranking.sort_by_key(|&b| std::cmp::Reverse(score(sid, b)));
        let bin = ranking.into_iter().find(|&b| {
            let mut with = filled[b].clone();
            with.push(size);
            sizes_to_document(&with) <= MAX_MANAGED_POLICY
        })?;
        bins[bin].push(i);
        filled[bin].push(size);
    }
    Some(bins)
}

/// The rank weight of policy `bin` for the statement `sid`: FNV-1a of the
/// Sid, mixed with the policy's number by SplitMix64's finaliser. Written
/// out rather than taken from `std::hash`, whose output may change between
/// Rust releases: the layout must be the same on every machine and build.
fn score(sid: &str, bin: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sid.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h ^ (bin as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Which policy each Sid lands in, for statements of the given sizes.
    fn layout(statements: &[(String, usize)]) -> BTreeMap<String, usize> {
        let sids: Vec<&str> = statements.iter().map(|(s, _)| s.as_str()).collect();
        let sizes: Vec<usize> = statements.iter().map(|(_, n)| *n).collect();
        let mut out = BTreeMap::new();
        for (bin, members) in assign(&sids, &sizes).into_iter().enumerate() {
            for i in members {
                out.insert(sids[i].to_owned(), bin);
            }
        }
        out
    }

    fn statements(n: usize) -> Vec<(String, usize)> {
        // Sizes from 150 to 900 characters, as SSM and secrets statements
        // with a few ARNs each are.
        (0..n)
            .map(|i| (format!("Ssm{i:03}"), 150 + (i * 137) % 750))
            .collect()
    }

    #[test]
    fn every_policy_stays_within_the_limit_and_holds_each_statement_once() {
        let all = statements(120);
        let sids: Vec<&str> = all.iter().map(|(s, _)| s.as_str()).collect();
        let sizes: Vec<usize> = all.iter().map(|(_, n)| *n).collect();
        let bins = assign(&sids, &sizes);
        let mut seen: Vec<usize> = bins.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..all.len()).collect::<Vec<_>>());
        for b in &bins {
            let s: Vec<usize> = b.iter().map(|&i| sizes[i]).collect();
            assert!(sizes_to_document(&s) <= MAX_MANAGED_POLICY);
        }
    }

    /// Adding one statement moves few of the others: none while the policy
    /// count holds and no policy overflows, about one in `count` when a
    /// policy is added. First-fit in Sid order, for comparison, moves
    /// whole tails of statements.
    #[test]
    fn adding_a_statement_moves_few_others() {
        let mut moved_total = 0;
        let mut first_fit_total = 0;
        let mut trials = 0;
        for n in 20..120 {
            let before = statements(n);
            let mut after = before.clone();
            // A statement whose Sid sorts first: the worst case for orders.
            after.insert(0, (format!("Added{n:03}"), 400));
            let (a, b) = (layout(&before), layout(&after));
            let moved = a.iter().filter(|(sid, bin)| b[*sid] != **bin).count();
            let count = a.values().max().unwrap() + 1;
            let grown = b.values().max().unwrap() + 1 > count;
            // While the count holds, only statements in a policy that
            // overflowed move; a new policy takes a share of all of them.
            let bound = if grown { 2 * n / count } else { 5 };
            assert!(
                moved <= bound,
                "{n} statements in {count} policies: {moved} moved"
            );
            moved_total += moved;
            first_fit_total += first_fit_moves(&before, &after);
            trials += 1;
        }
        assert!(
            moved_total * 3 < first_fit_total,
            "hashing moved {moved_total} in {trials} additions, first-fit {first_fit_total}"
        );
    }

    fn first_fit(statements: &[(String, usize)]) -> BTreeMap<String, usize> {
        let mut bins: Vec<Vec<usize>> = Vec::new();
        let mut out = BTreeMap::new();
        for (sid, size) in statements {
            let bin = bins
                .iter()
                .position(|b| {
                    let mut with = b.clone();
                    with.push(*size);
                    sizes_to_document(&with) <= MAX_MANAGED_POLICY
                })
                .unwrap_or_else(|| {
                    bins.push(Vec::new());
                    bins.len() - 1
                });
            bins[bin].push(*size);
            out.insert(sid.clone(), bin);
        }
        out
    }

    fn first_fit_moves(before: &[(String, usize)], after: &[(String, usize)]) -> usize {
        let (a, b) = (first_fit(before), first_fit(after));
        a.iter().filter(|(sid, bin)| b[*sid] != **bin).count()
    }

    #[test]
    fn the_layout_is_the_same_on_every_run() {
        // Pinned: a change of hash would move deployed statements between
        // policies on the next render.
        assert_eq!(score("", 0), 0xf52a_15e9_a9b5_e89b);
        assert_eq!(score("S3ObjectsStage", 3), 0x47c8_f812_0a00_9f1a);
    }
}
