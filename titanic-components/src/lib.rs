//! Titanic
