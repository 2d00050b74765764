//! What a passenger's features need that no fitted featurizer changes (title, sex, port text,
//! group keys), computed once per passenger and shared by every fold's featurizer.
//!
//! A bundle holds one featurizer per fold; reading the name, formatting the fare and building
//! the group keys once instead of once per fold is what makes a prediction cheap. The values
//! are the ones each featurizer computed for itself before, so features are unchanged to the bit.

use crate::passenger::{port_of, sex_of, Passenger};
use crate::title::title;

/// A passenger with its fold-independent feature inputs.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The passenger.
    pub passenger: &'a Passenger,
    /// Title group ([`title`]).
    pub title: &'static str,
    /// `male`/`female`, `None` when unknown ([`sex_of`]).
    pub sex: Option<&'static str>,
    /// The port of `Embarked` ([`port_of`]): `Some("")` when missing or blank, `None` for text
    /// that is no port.
    pub port: Option<&'static str>,
    /// The family key `f|surname|class|fare|port` when the name has a surname; without its port
    /// when `Embarked` is missing (the port is then the featurizer's training mode).
    family: Option<String>,
    /// The ticket key `t|ticket`, when the ticket is not blank.
    ticket: Option<String>,
}

impl<'a> Prepared<'a> {
    /// Reads everything fold-independent from `p`.
    pub fn new(p: &'a Passenger) -> Self {
        let port = p.embarked.as_deref().map_or(Some(""), port_of);
        let surname = p
            .name
            .split_once(',')
            .map_or("", |(s, _)| s)
            .trim()
            .to_lowercase();
        let family = (!surname.is_empty()).then(|| {
            let fare = p
                .fare
                .filter(|f| f.is_finite())
                .map_or("?".to_string(), |f| format!("{f:.2}"));
            // A given port is part of the key; a missing one is added per featurizer.
            let known = match port {
                Some("") => "",
                port => port.unwrap_or("?"),
            };
            format!("f|{surname}|{}|{fare}|{known}", p.pclass)
        });
        let ticket = p.ticket.trim();
        Self {
            passenger: p,
            title: title(p),
            sex: sex_of(&p.sex),
            port,
            family,
            ticket: (!ticket.is_empty()).then(|| format!("t|{ticket}")),
        }
    }

    /// Calls `f` with each group key (family, then ticket), a missing port counting as `mode`
    /// (a string is built only in that case).
    pub fn each_key(&self, mode: &str, mut f: impl FnMut(&str)) {
        match &self.family {
            Some(family) if self.port == Some("") => f(&format!("{family}{mode}")),
            Some(family) => f(family),
            None => {}
        }
        if let Some(ticket) = &self.ticket {
            f(ticket);
        }
    }
}
