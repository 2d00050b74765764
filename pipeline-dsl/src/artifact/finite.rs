//! Finds the first non-finite number (NaN, ±inf) in a serde value, with its path.
//!
//! `serde_json` writes NaN and infinities as `null` and CSV as `NaN`/`inf`: either way a
//! non-finite result would pass as data (or as a missing value) and be cached as a success. The
//! built-in artifacts and output parameters run this check before writing.

use serde::ser::{self, Serialize};
use std::fmt;

/// A non-finite number: where it is (`rows[3].age`, empty for the value itself) and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct NonFinite {
    /// Path of the value: field names and `[index]`es.
    pub at: String,
    /// `NaN`, `inf` or `-inf`.
    pub value: String,
}

impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            write!(f, "the value is {}", self.value)
        } else {
            write!(f, "`{}` is {}", self.at, self.value)
        }
    }
}

/// The first non-finite number in `value`, if any.
pub fn find_non_finite<T: Serialize + ?Sized>(value: &T) -> Option<NonFinite> {
    match value.serialize(Walker { at: String::new() }) {
        Ok(()) => None,
        Err(Found(found)) => found,
    }
}

/// Error of the walk: `Some` when a non-finite number was found, `None` for a serializer error
/// (which the real writer reports itself).
#[derive(Debug)]
struct Found(Option<NonFinite>);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(n) => n.fmt(f),
            None => f.write_str("serialization error"),
        }
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Found(None)
    }
}

struct Walker {
    at: String,
}

impl Walker {
    fn child(&self, segment: fmt::Arguments) -> Walker {
        let segment = segment.to_string();
        let at = if self.at.is_empty() || segment.starts_with('[') {
            format!("{}{segment}", self.at)
        } else {
            format!("{}.{segment}", self.at)
        };
        Walker { at }
    }
    fn float(self, v: f64) -> Result<(), Found> {
        if v.is_finite() {
            return Ok(());
        }
        Err(Found(Some(NonFinite {
            at: self.at,
            value: v.to_string(),
        })))
    }
}

/// Walks a sequence, tuple or map: `index` counts elements, `key` names the next map value.
struct Compound {
    walker: Walker,
    index: usize,
    key: Option<String>,
}

impl Compound {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        let child = self.walker.child(format_args!("[{}]", self.index));
        self.index += 1;
        value.serialize(child)
    }
    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Found> {
        value.serialize(self.walker.child(format_args!("{name}")))
    }
}

macro_rules! ignore {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<(), Found> { Ok(()) })*
    };
}

/// Sequences, tuples, maps and structs are walked by one [`Compound`]; an enum variant's
/// fields are named under the variant.
macro_rules! compound {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $ty),*) -> Result<Compound, Found> {
            Ok(self.compound())
        })*
    };
    (variant $($method:ident),*) => {
        $(fn $method(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            _: usize,
        ) -> Result<Compound, Found> {
            Ok(self.child(format_args!("{variant}")).compound())
        })*
    };
}

impl ser::Serializer for Walker {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Compound;
    type SerializeTuple = Compound;
    type SerializeTupleStruct = Compound;
    type SerializeTupleVariant = Compound;
    type SerializeMap = Compound;
    type SerializeStruct = Compound;
    type SerializeStructVariant = Compound;

    ignore!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_f32(self, v: f32) -> Result<(), Found> {
        self.float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Found> {
        self.float(v)
    }
    fn serialize_none(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Found> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Found> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(self.child(format_args!("{variant}")))
    }
    compound!(
        serialize_seq(Option<usize>),
        serialize_tuple(usize),
        serialize_tuple_struct(&'static str, usize),
        serialize_map(Option<usize>),
        serialize_struct(&'static str, usize),
    );
    compound!(variant serialize_tuple_variant, serialize_struct_variant);
}

impl Walker {
    fn compound(self) -> Compound {
        Compound {
            walker: self,
            index: 0,
            key: None,
        }
    }
}

macro_rules! sequence {
    ($($trait:ident :: $method:ident),*) => {
        $(impl ser::$trait for Compound {
            type Ok = ();
            type Error = Found;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
                self.element(value)
            }
            fn end(self) -> Result<(), Found> {
                Ok(())
            }
        })*
    };
}

sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

macro_rules! structure {
    ($($trait:ident),*) => {
        $(impl ser::$trait for Compound {
            type Ok = ();
            type Error = Found;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                value: &T,
            ) -> Result<(), Found> {
                self.field(name, value)
            }
            fn end(self) -> Result<(), Found> {
                Ok(())
            }
        })*
    };
}

structure!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound {
    type Ok = ();
    type Error = Found;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Found> {
        // Keys are named by their JSON text; a float key is checked like any value.
        key.serialize(self.walker.child(format_args!("<key>")))?;
        self.key = Some(
            serde_json::to_value(key)
                .map(|k| match k {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .unwrap_or_else(|_| format!("[{}]", self.index)),
        );
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Found> {
        let name = self
            .key
            .take()
            .unwrap_or_else(|| format!("[{}]", self.index));
        self.index += 1;
        self.field(&name, value)
    }
    fn end(self) -> Result<(), Found> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Row {
        name: String,
        age: Option<f64>,
        weights: Vec<Vec<f32>>,
        by_name: BTreeMap<String, f64>,
    }

    fn row() -> Row {
        Row {
            name: "a".into(),
            age: Some(3.0),
            weights: vec![vec![1.0, 2.0], vec![3.0]],
            by_name: BTreeMap::from([("x".to_owned(), 1.0)]),
        }
    }

    #[test]
    fn names_the_first_non_finite_number_and_its_path() {
        assert_eq!(find_non_finite(&row()), None);
        assert_eq!(find_non_finite(&vec![row()]), None);
        let mut bad = row();
        bad.weights[1][0] = f32::NAN;
        let found = find_non_finite(&vec![row(), bad]).unwrap();
        assert_eq!(found.at, "[1].weights[1][0]");
        assert_eq!(found.value, "NaN");
        let mut bad = row();
        bad.age = Some(f64::INFINITY);
        assert_eq!(find_non_finite(&bad).unwrap().to_string(), "`age` is inf");
        let mut bad = row();
        bad.by_name.insert("y".into(), f64::NEG_INFINITY);
        assert_eq!(find_non_finite(&bad).unwrap().at, "by_name.y");
        assert_eq!(
            find_non_finite(&f64::NAN).unwrap().to_string(),
            "the value is NaN"
        );
    }
}
