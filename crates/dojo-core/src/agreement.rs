//! Agreement between raters, for tasks that carry no ground truth.
//!
//! Each rater is compared with the mean of the *other* valid raters by ICC(2,1)
//! (two-way random effects, absolute agreement, single rater; Shrout & Fleiss 1979), the
//! consensus measure of Dojo's score-feedback tasks (reference §4.4). Negative agreement counts
//! as 0, and the scores of a task are L1-normalised like ground-truth scores.

use std::collections::BTreeMap;

use crate::scoring::{Exclusion, RatingVector};
use crate::task::OutputId;

/// ICC(2,1) of an `n × k` matrix given as `k` columns (raters) of `n` targets.
/// `None` when undefined (fewer than 2 targets or raters, ragged columns, zero variance).
pub fn icc_2_1(columns: &[Vec<f64>]) -> Option<f64> {
    let k = columns.len();
    let n = columns.first()?.len();
    if k < 2 || n < 2 || columns.iter().any(|c| c.len() != n) {
        return None;
    }
    let (kf, nf) = (k as f64, n as f64);
    let grand = columns.iter().flatten().sum::<f64>() / (kf * nf);
    let row_mean = |i: usize| columns.iter().map(|c| c[i]).sum::<f64>() / kf;
    let ssr: f64 = (0..n).map(|i| (row_mean(i) - grand).powi(2)).sum::<f64>() * kf;
    let ssc: f64 =
        columns.iter().map(|c| (c.iter().sum::<f64>() / nf - grand).powi(2)).sum::<f64>() * nf;
    let sst: f64 = columns.iter().flatten().map(|x| (x - grand).powi(2)).sum();
    let sse = sst - ssr - ssc;
    let msr = ssr / (nf - 1.0);
    let msc = ssc / (kf - 1.0);
    let mse = sse / ((nf - 1.0) * (kf - 1.0));
    let icc = (msr - mse) / (msr + (kf - 1.0) * mse + kf * (msc - mse) / nf);
    icc.is_finite().then_some(icc)
}

/// Ranks with ties averaged (1-based).
fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &t in &idx[i..=j] {
            ranks[t] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman rank correlation (ties averaged); `None` when undefined (constant input).
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let (ra, rb) = (average_ranks(a), average_ranks(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    let r = cov / (va * vb).sqrt();
    r.is_finite().then_some(r)
}

/// Agreement scores of one task without ground truth.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgreementScores {
    /// ICC(2,1) of each valid rater against the mean of the others (`None`: undefined).
    pub icc: BTreeMap<String, Option<f64>>,
    /// Task score: `max(0, icc)`, L1-normalised (all zero if nobody agrees).
    pub scores: BTreeMap<String, f64>,
    /// Raters left out (missing or non-finite ratings).
    pub excluded: BTreeMap<String, Exclusion>,
}

/// Scores raters of `outputs` by agreement with each other. Fewer than two valid raters:
/// every valid rater scores 0 (agreement with nobody proves nothing).
pub fn agreement_scores(
    outputs: &[OutputId],
    ratings: &BTreeMap<String, RatingVector>,
) -> AgreementScores {
    let mut res = AgreementScores::default();
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    'r: for (hk, r) in ratings {
        let mut row = Vec::with_capacity(outputs.len());
        for o in outputs {
            match r.get(o) {
                None => {
                    res.excluded.insert(hk.clone(), Exclusion::MissingRating(o.clone()));
                    continue 'r;
                }
                Some(v) if !v.is_finite() => {
                    res.excluded.insert(hk.clone(), Exclusion::NonFinite(o.clone()));
                    continue 'r;
                }
                Some(&v) => row.push(v),
            }
        }
        rows.push((hk.clone(), row));
    }
    let mut positive = Vec::with_capacity(rows.len());
    for (i, (hk, row)) in rows.iter().enumerate() {
        let icc = if rows.len() < 2 {
            None
        } else {
            let others = rows.len() as f64 - 1.0;
            let mean: Vec<f64> = (0..row.len())
                .map(|j| {
                    rows.iter()
                        .enumerate()
                        .filter(|(t, _)| *t != i)
                        .map(|(_, (_, r))| r[j])
                        .sum::<f64>()
                        / others
                })
                .collect();
            icc_2_1(&[row.clone(), mean])
        };
        res.icc.insert(hk.clone(), icc);
        positive.push((hk.clone(), icc.unwrap_or(0.0).max(0.0)));
    }
    let total: f64 = positive.iter().map(|p| p.1).sum();
    for (hk, p) in positive {
        res.scores.insert(hk, if total > 0.0 { p / total } else { 0.0 });
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icc_textbook_example() {
        // Shrout & Fleiss (1979) table 2: 6 targets, 4 judges, ICC(2,1) = 0.29.
        let judges = vec![
            vec![9.0, 6.0, 8.0, 7.0, 10.0, 6.0],
            vec![2.0, 1.0, 4.0, 1.0, 5.0, 2.0],
            vec![5.0, 3.0, 6.0, 2.0, 6.0, 4.0],
            vec![8.0, 2.0, 8.0, 6.0, 9.0, 7.0],
        ];
        let icc = icc_2_1(&judges).unwrap();
        assert!((icc - 0.2898).abs() < 1e-3, "{icc}");
        assert_eq!(icc_2_1(&[vec![1.0, 1.0], vec![1.0, 1.0]]), None);
    }

    #[test]
    fn spearman_with_ties() {
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]), Some(1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None);
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(r > 0.9 && r < 1.0);
    }

    #[test]
    fn agreeing_raters_beat_the_contrarian() {
        let outs: Vec<OutputId> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let row = |v: [f64; 4]| outs.iter().cloned().zip(v).collect::<RatingVector>();
        let ratings = [
            ("x".to_string(), row([90.0, 70.0, 30.0, 10.0])),
            ("y".to_string(), row([85.0, 75.0, 35.0, 5.0])),
            ("z".to_string(), row([88.0, 60.0, 40.0, 12.0])),
            ("contrarian".to_string(), row([10.0, 30.0, 70.0, 90.0])),
            ("partial".to_string(), [("a".to_string(), 1.0)].into()),
        ]
        .into();
        let s = agreement_scores(&outs, &ratings);
        assert_eq!(s.scores["contrarian"], 0.0);
        assert!(s.scores["x"] > 0.2);
        assert!(s.excluded.contains_key("partial"));
        assert!((s.scores.values().sum::<f64>() - 1.0).abs() < 1e-12);
        let lone = agreement_scores(&outs, &[("x".to_string(), row([1.0, 2.0, 3.0, 4.0]))].into());
        assert_eq!(lone.scores["x"], 0.0);
    }
}
