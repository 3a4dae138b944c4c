//! Counting, percentages and outcomes (DOMAIN.md, "The tally"). Integer arithmetic only.

use super::ballot::Marks;
use super::kind::{Choice, VoteKind};

/// What the law requires after a subject's result.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    None,
    /// rating: more than half rated low; the person may resign.
    MayResign,
    /// rating: two thirds or more rated low; dismissal must be submitted.
    DismissalRequired,
    /// confidence: more than half voted no confidence.
    DismissalProposed,
}

/// One subject's counts, in the kind's choice order, and its blanks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectResult {
    pub counts: Vec<(Choice, u64)>,
    pub blank: u64,
    pub outcome: Outcome,
    /// The percentages of `counts` then of `blank`, as published.
    pub percents: Vec<String>,
}

/// The counted result of a closed vote, subject by subject in ballot order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub base: u64,
    pub results: Vec<SubjectResult>,
}

/// `count / base × 100`, rounded half-up to exactly two decimals, e.g. `"47.61"`.
/// A base of zero (nothing to divide by) gives `"0.00"`.
pub fn percent(count: u64, base: u64) -> String {
    if base == 0 {
        return "0.00".to_owned();
    }
    let (count, base) = (u128::from(count), u128::from(base));
    // hundredths of a percent, half-up: floor((count·10000·2 + base) / (2·base))
    let hundredths = (count * 20_000 + base) / (2 * base);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The outcome for a subject with `against` marks of the kind's severest choice (`low` or
/// `no_confidence`) out of `base`. Nothing follows from a vote with a base of zero.
pub fn outcome(kind: VoteKind, against: u64, base: u64) -> Outcome {
    if base == 0 {
        return Outcome::None;
    }
    let (against, base) = (u128::from(against), u128::from(base));
    match kind {
        VoteKind::Rating if 3 * against >= 2 * base => Outcome::DismissalRequired,
        VoteKind::Rating if 2 * against > base => Outcome::MayResign,
        VoteKind::Confidence if 2 * against > base => Outcome::DismissalProposed,
        _ => Outcome::None,
    }
}

impl Tally {
    /// Counts `ballots` (each with one entry per subject) of a vote with `subjects` rows.
    /// Blanks are `ballots_cast` less the marks, so they include every unmarked row.
    pub fn count<'a>(
        kind: VoteKind,
        subjects: usize,
        base: u64,
        ballots: impl IntoIterator<Item = &'a Marks>,
    ) -> Tally {
        let choices = kind.choices();
        let mut counts = vec![vec![0u64; choices.len()]; subjects];
        let mut ballots_cast = 0u64;
        for ballot in ballots {
            ballots_cast += 1;
            for (row, row_counts) in counts.iter_mut().enumerate() {
                if let Some(choice) = ballot.get(row) {
                    if let Some(i) = choices.iter().position(|c| *c == choice) {
                        row_counts[i] += 1;
                    }
                }
            }
        }
        Tally::from_counts(kind, base, ballots_cast, counts)
    }

    /// The tally of `ballots_cast` ballots from each subject's count of each choice (in the
    /// kind's order), however they were counted: from marks, or decrypted from totals.
    pub fn from_counts(
        kind: VoteKind,
        base: u64,
        ballots_cast: u64,
        counts: Vec<Vec<u64>>,
    ) -> Tally {
        let choices = kind.choices();
        let severest = choices.len() - 1;
        let results = counts
            .into_iter()
            .map(|row| {
                let blank = ballots_cast.saturating_sub(row.iter().sum::<u64>());
                let percents = row
                    .iter()
                    .chain(std::iter::once(&blank))
                    .map(|&n| percent(n, base))
                    .collect();
                SubjectResult {
                    outcome: outcome(kind, row[severest], base),
                    counts: choices.iter().copied().zip(row).collect(),
                    blank,
                    percents,
                }
            })
            .collect();
        Tally { base, results }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rating_ballots(high: usize, medium: usize, low: usize, blank: usize) -> Vec<Marks> {
        let mut v = Vec::new();
        v.extend((0..high).map(|_| Marks::new(vec![Some(Choice::High)])));
        v.extend((0..medium).map(|_| Marks::new(vec![Some(Choice::Medium)])));
        v.extend((0..low).map(|_| Marks::new(vec![Some(Choice::Low)])));
        v.extend((0..blank).map(|_| Marks::new(vec![None])));
        v
    }

    #[test]
    fn thanh_hoa_2023_do_trong_hung() {
        let ballots = rating_ballots(78, 1, 1, 0);
        let t = Tally::count(VoteKind::Rating, 1, 80, &ballots);
        let r = &t.results[0];
        assert_eq!(r.percents, ["97.50", "1.25", "1.25", "0.00"]);
        assert_eq!(r.outcome, Outcome::None);
    }

    #[test]
    fn vinh_phuc_2023_le_duy_thanh_one_blank_row_stays_in_the_base() {
        let ballots = rating_ballots(19, 2, 25, 1);
        let t = Tally::count(VoteKind::Rating, 1, 47, &ballots);
        let r = &t.results[0];
        assert_eq!(
            r.counts,
            [(Choice::High, 19), (Choice::Medium, 2), (Choice::Low, 25)]
        );
        assert_eq!(r.blank, 1);
        assert_eq!(r.percents, ["40.43", "4.26", "53.19", "2.13"]);
        assert_eq!(r.outcome, Outcome::MayResign);
    }

    #[test]
    fn national_assembly_2023_nguyen_hong_dien_high() {
        assert_eq!(percent(229, 481), "47.61");
    }

    #[test]
    fn thresholds_are_exact() {
        // two thirds exactly: dismissal
        assert_eq!(outcome(VoteKind::Rating, 2, 3), Outcome::DismissalRequired);
        assert_eq!(outcome(VoteKind::Rating, 66, 100), Outcome::MayResign);
        assert_eq!(
            outcome(VoteKind::Rating, 67, 100),
            Outcome::DismissalRequired
        );
        // half exactly is not more than half
        assert_eq!(outcome(VoteKind::Rating, 50, 100), Outcome::None);
        assert_eq!(outcome(VoteKind::Rating, 51, 100), Outcome::MayResign);
        assert_eq!(outcome(VoteKind::Confidence, 50, 100), Outcome::None);
        assert_eq!(
            outcome(VoteKind::Confidence, 51, 100),
            Outcome::DismissalProposed
        );
        assert_eq!(outcome(VoteKind::Rating, 0, 0), Outcome::None);
    }

    #[test]
    fn half_up_rounding_at_the_boundary() {
        assert_eq!(percent(1, 8), "12.50");
        assert_eq!(percent(1, 3), "33.33");
        assert_eq!(percent(2, 3), "66.67");
        // 1/16 = 6.25 exactly; 1/32 = 3.125 rounds up to 3.13
        assert_eq!(percent(1, 32), "3.13");
        assert_eq!(percent(0, 5), "0.00");
        assert_eq!(percent(5, 5), "100.00");
        assert_eq!(percent(3, 0), "0.00");
        // a seats base smaller than the ballots cast can pass 100
        assert_eq!(percent(7, 5), "140.00");
    }

    fn hundredths(p: &str) -> u128 {
        let (whole, frac) = p.split_once('.').expect("a decimal point");
        assert_eq!(frac.len(), 2, "exactly two decimals in {p}");
        whole.parse::<u128>().unwrap() * 100 + frac.parse::<u128>().unwrap()
    }

    proptest! {
        /// p is the half-up rounding of 10000·count/base: p − ½ ≤ x < p + ½.
        #[test]
        fn percent_is_half_up_rounding(count in 0u64..2_000_000, base in 1u64..2_000_000) {
            let p = hundredths(&percent(count, base));
            let (c, b) = (u128::from(count), u128::from(base));
            prop_assert!(2 * p * b <= 20_000 * c + b);
            prop_assert!(20_000 * c + b < 2 * p * b + 2 * b);
        }

        #[test]
        fn counts_and_blanks_add_up_to_ballots_cast(
            rows in proptest::collection::vec(
                proptest::collection::vec(proptest::option::of(0usize..3), 4), 0..60)
        ) {
            let choices = VoteKind::Rating.choices();
            let ballots: Vec<Marks> = rows
                .iter()
                .map(|r| Marks::new(r.iter().map(|m| m.map(|i| choices[i])).collect()))
                .collect();
            let t = Tally::count(VoteKind::Rating, 4, ballots.len() as u64, &ballots);
            for (row, result) in t.results.iter().enumerate() {
                let marked: u64 = result.counts.iter().map(|(_, n)| n).sum();
                prop_assert_eq!(marked + result.blank, ballots.len() as u64);
                for (i, (choice, n)) in result.counts.iter().enumerate() {
                    prop_assert_eq!(*choice, choices[i]);
                    let expected = rows.iter().filter(|r| r[row] == Some(i)).count() as u64;
                    prop_assert_eq!(*n, expected);
                }
            }
        }

        /// More `low` never makes the outcome milder, and the outcome only depends on the ratio.
        #[test]
        fn outcome_is_monotonic_in_low(low in 0u64..1000, base in 1u64..1000, k in 1u64..5) {
            let now = outcome(VoteKind::Rating, low, base);
            prop_assert!(outcome(VoteKind::Rating, low + 1, base) >= now);
            prop_assert_eq!(outcome(VoteKind::Rating, low * k, base * k), now);
            let conf = outcome(VoteKind::Confidence, low, base);
            prop_assert!(outcome(VoteKind::Confidence, low + 1, base) >= conf);
        }
    }
}
