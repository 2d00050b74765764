//! The family / travelling-group survival signal ("women and children first").
//!
//! On the Titanic, the women and children (females and boys titled Master) of one family or
//! travelling group mostly lived or died together. [`GroupTable`] stores, from training rows
//! only, the outcome of every woman or child and the groups they belong to, keyed on what a
//! request carries: the surname with class, fare and port (a family shares one ticket, hence one
//! fare), and the ticket itself when the row has one. A passenger's signal is the smoothed
//! survival rate of the *other* women and children of their groups; a group never seen gets the
//! prior (the training rate of all women and children).
//!
//! A training row must not see its own label: [`GroupTable::stat`] takes the row's own member
//! index (leave-one-out) when the featurizer transforms the rows it was fitted on.

use crate::passenger::{sex_of, Passenger};
use crate::prepared::Prepared;
use crate::title::title;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Weight of the prior in the smoothed rate, in passengers.
pub const PRIOR_WEIGHT: f64 = 1.0;

/// What the table says about one passenger's groups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupStat {
    /// Smoothed survival rate of the other women and children of the passenger's groups.
    pub rate: f64,
    /// How many of them the training rows showed.
    pub known: usize,
}

/// Outcomes of the training women and children, and which groups they belong to.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct GroupTable {
    /// 0/1 outcome of each training woman or child, in training-row order.
    outcomes: Vec<u8>,
    /// Group key -> indices into `outcomes`.
    members: BTreeMap<String, Vec<u32>>,
    /// Survival rate of all training women and children (the prior).
    prior: f64,
    /// The port a missing `Embarked` counts as in the family key.
    port_mode: String,
}

/// Whether a passenger counts as a woman or child: female, or a boy titled Master.
pub fn woman_or_child(p: &Passenger) -> bool {
    sex_of(&p.sex) == Some("female") || title(p) == "Master"
}

/// The group keys of a passenger: family (surname, class, fare, port) and, if present, ticket.
/// A missing or blank port counts as `mode` (imputed as the featurizer imputes it).
pub fn keys(p: &Passenger, mode: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(2);
    Prepared::new(p).each_key(mode, |k| out.push(k.to_string()));
    out
}

impl GroupTable {
    /// Learns the table from labelled training rows (rows without a label are skipped). Member
    /// `i` of the table is the `i`-th woman or child among the labelled `rows`; see
    /// [`member_ids`](Self::member_ids).
    /// A missing port counts as `port_mode`.
    pub fn fit(rows: &[Passenger], port_mode: &str) -> Self {
        let mut t = GroupTable {
            port_mode: port_mode.into(),
            ..Default::default()
        };
        for p in rows {
            let Some(y) = p.survived.filter(|_| woman_or_child(p)) else {
                continue;
            };
            let idx = t.outcomes.len() as u32;
            t.outcomes.push(y.min(1));
            for k in keys(p, port_mode) {
                t.members.entry(k).or_default().push(idx);
            }
        }
        let n = t.outcomes.len();
        t.prior = if n == 0 {
            0.5
        } else {
            t.outcomes.iter().map(|&y| f64::from(y)).sum::<f64>() / n as f64
        };
        t
    }

    /// The member index of each of the rows given to [`fit`](Self::fit) (same order), `None`
    /// for rows that are not members (adult males, unlabelled rows).
    pub fn member_ids(rows: &[Passenger]) -> Vec<Option<u32>> {
        let mut next = 0u32;
        rows.iter()
            .map(|p| {
                (p.survived.is_some() && woman_or_child(p)).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    }

    /// The group signal of `p`, leaving out member `own` (the row itself when it is a training
    /// row, so it never sees its own label).
    pub fn stat(&self, p: &Passenger, own: Option<u32>) -> GroupStat {
        self.stat_of(&Prepared::new(p), own)
    }

    /// [`stat`](Self::stat) of a passenger already [`Prepared`].
    pub fn stat_of(&self, q: &Prepared<'_>, own: Option<u32>) -> GroupStat {
        let mut seen: Vec<u32> = Vec::new();
        q.each_key(&self.port_mode, |k| {
            if let Some(members) = self.members.get(k) {
                seen.extend(members.iter().copied().filter(|&i| Some(i) != own));
            }
        });
        seen.sort_unstable();
        seen.dedup();
        let survived: f64 = seen
            .iter()
            .filter_map(|&i| self.outcomes.get(i as usize))
            .map(|&y| f64::from(y))
            .sum();
        GroupStat {
            rate: (survived + self.prior * PRIOR_WEIGHT) / (seen.len() as f64 + PRIOR_WEIGHT),
            known: seen.len(),
        }
    }

    /// The prior: survival rate of all training women and children.
    pub fn prior(&self) -> f64 {
        self.prior
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u32, name: &str, sex: &str, survived: u8, ticket: &str) -> Passenger {
        Passenger {
            passenger_id: id,
            survived: Some(survived),
            pclass: 3,
            name: name.into(),
            sex: sex.into(),
            age: Some(30.0),
            sib_sp: 1,
            parch: 1,
            ticket: ticket.into(),
            fare: Some(20.25),
            cabin: None,
            embarked: Some("S".into()),
        }
    }

    #[test]
    fn rate_of_the_other_women_and_children_leaving_oneself_out() {
        let rows = vec![
            row(1, "Palsson, Mrs. A", "female", 0, "349909"),
            row(2, "Palsson, Master. G", "male", 0, "349909"),
            row(3, "Palsson, Mr. N", "male", 1, "349909"),
            row(4, "Other, Miss. B", "female", 1, "111"),
            row(5, "Friend, Miss. C", "female", 1, "349909"),
        ];
        let t = GroupTable::fit(&rows, "S");
        assert_eq!(t.prior(), 2.0 / 4.0);
        let ids = GroupTable::member_ids(&rows);
        assert_eq!(ids, [Some(0), Some(1), None, Some(2), Some(3)]);
        // Mrs Palsson, left out: the boy (family + ticket) and the friend (ticket), 1 of 2.
        let s = t.stat(&rows[0], ids[0]);
        assert_eq!(s.known, 2);
        assert!((s.rate - (1.0 + 0.5) / 3.0).abs() < 1e-12);
        // The man's own (surviving) label is not a member: he sees the three of his group.
        assert_eq!(t.stat(&rows[2], ids[2]).known, 3);
        // A new passenger of the family without a ticket (the demo's body) is found by surname,
        // class, fare and port; with another fare, nothing is known and the prior is used.
        let mut demo = row(9, "Palsson, Miss. T", "female", 0, "");
        demo.survived = None;
        assert_eq!(t.stat(&demo, None).known, 2);
        // A missing port is the training mode.
        demo.embarked = None;
        assert_eq!(t.stat(&demo, None).known, 2);
        demo.fare = Some(7.0);
        assert_eq!(
            t.stat(&demo, None),
            GroupStat {
                rate: 0.5,
                known: 0
            }
        );
    }
}
