//! The [`serde::Serializer`] that writes block YAML as it goes.
//!
//! Layout rules (the same bytes the `Value` writer gave): a non-empty mapping or sequence opens on
//! the next line, indented two spaces under its key or `-` (a mapping that is a sequence item
//! starts on the `- ` line); an empty one is `{}` / `[]` after the key; scalars follow `key: ` or
//! `- ` on the same line. Whether a collection is empty is only known when its first entry
//! arrives, so the opening is written then, and the `{}` / `[]` at its end when none came.

use super::{is_safe_plain, literal_block_or_quoted, quote_single_or_double};
use serde::ser::{self, Impossible, Serialize};

/// Why a value cannot be written as YAML.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct YamlError(String);

impl ser::Error for YamlError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        YamlError(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, YamlError>;

fn tags_unsupported() -> YamlError {
    YamlError("YAML tags are not supported (an enum variant with data)".into())
}

/// Writes `doc` as a YAML document (no `---`, ends with a newline).
pub(crate) fn to_string<T: Serialize + ?Sized>(doc: &T) -> Result<String> {
    let mut out = String::with_capacity(4096);
    doc.serialize(ValueWriter {
        out: &mut out,
        slot: Slot::Top,
    })?;
    Ok(out)
}

/// Where the value being written goes.
#[derive(Clone, Copy)]
enum Slot {
    /// The whole document.
    Top,
    /// After `key:`, the key at this indentation.
    Child(usize),
    /// After `-`, the dash at this indentation.
    Item(usize),
}

impl Slot {
    /// Indentation of the entries of a mapping or sequence in this slot.
    fn nested(self) -> usize {
        match self {
            Slot::Top => 0,
            Slot::Child(i) | Slot::Item(i) => i + 2,
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes one value into `out` at `slot`.
struct ValueWriter<'a> {
    out: &'a mut String,
    slot: Slot,
}

impl<'a> ValueWriter<'a> {
    /// A plain scalar (number, boolean, null) and the end of its line.
    fn plain(self, text: &str) -> Result {
        if !matches!(self.slot, Slot::Top) {
            self.out.push(' ');
        }
        self.out.push_str(text);
        self.out.push('\n');
        Ok(())
    }

    /// A string scalar and the end of its line.
    fn string(self, s: &str) -> Result {
        match self.slot {
            // A document that is one string is always quoted.
            Slot::Top => self.out.push_str(&quote_single_or_double(s)),
            Slot::Child(indent) | Slot::Item(indent) => {
                self.out.push(' ');
                if is_safe_plain(s) {
                    self.out.push_str(s);
                } else {
                    self.out.push_str(&literal_block_or_quoted(s, indent));
                }
            }
        }
        self.out.push('\n');
        Ok(())
    }

    fn collection(self, empty: &'static str) -> Collection<'a> {
        Collection {
            out: self.out,
            slot: self.slot,
            entries: 0,
            empty,
        }
    }
}

/// A mapping or sequence being written.
struct Collection<'a> {
    out: &'a mut String,
    slot: Slot,
    entries: usize,
    /// `{}` or `[]`, written when the collection ends without entries.
    empty: &'static str,
}

impl Collection<'_> {
    /// Starts the next mapping entry: the opening before the first, the indentation, the key and
    /// its `:`.
    fn key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result {
        let indent = self.slot.nested();
        match (self.entries, self.slot) {
            // The first entry of a mapping that is a sequence item stays on the `- ` line.
            (0, Slot::Item(_)) => self.out.push(' '),
            (0, Slot::Child(_)) => {
                self.out.push('\n');
                pad(self.out, indent);
            }
            _ => pad(self.out, indent),
        }
        self.entries += 1;
        key.serialize(KeyWriter { out: self.out })?;
        self.out.push(':');
        Ok(())
    }

    /// Writes a mapping entry's value.
    fn value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result {
        value.serialize(ValueWriter {
            out: self.out,
            slot: Slot::Child(self.slot.nested()),
        })
    }

    /// Writes the next sequence item.
    fn item<V: Serialize + ?Sized>(&mut self, value: &V) -> Result {
        let indent = self.slot.nested();
        if self.entries == 0 && !matches!(self.slot, Slot::Top) {
            self.out.push('\n');
        }
        self.entries += 1;
        pad(self.out, indent);
        self.out.push('-');
        value.serialize(ValueWriter {
            out: self.out,
            slot: Slot::Item(indent),
        })
    }

    fn end(self) -> Result {
        if self.entries == 0 {
            ValueWriter {
                out: self.out,
                slot: self.slot,
            }
            .plain(self.empty)?;
        }
        Ok(())
    }
}

macro_rules! plain_numbers {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result {
            self.plain(itoa::Buffer::new().format(v))
        })*
    };
}

/// Text of a float as serde_yaml writes it.
fn float_text(v: f64, buffer: &mut ryu::Buffer) -> &str {
    if v.is_nan() {
        ".nan"
    } else if v.is_infinite() {
        if v.is_sign_negative() {
            "-.inf"
        } else {
            ".inf"
        }
    } else {
        buffer.format_finite(v)
    }
}

impl<'a> ser::Serializer for ValueWriter<'a> {
    type Ok = ();
    type Error = YamlError;
    type SerializeSeq = Collection<'a>;
    type SerializeTuple = Collection<'a>;
    type SerializeTupleStruct = Collection<'a>;
    type SerializeTupleVariant = Impossible<(), YamlError>;
    type SerializeMap = Collection<'a>;
    type SerializeStruct = Collection<'a>;
    type SerializeStructVariant = Impossible<(), YamlError>;

    fn serialize_bool(self, v: bool) -> Result {
        self.plain(if v { "true" } else { "false" })
    }
    plain_numbers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_i128(self, v: i128) -> Result {
        // Numbers outside 64 bits become strings, as in `serde_yaml::to_value`.
        match (u64::try_from(v), i64::try_from(v)) {
            (Ok(u), _) => self.serialize_u64(u),
            (_, Ok(i)) => self.serialize_i64(i),
            _ => self.string(&v.to_string()),
        }
    }
    fn serialize_u128(self, v: u128) -> Result {
        match u64::try_from(v) {
            Ok(u) => self.serialize_u64(u),
            Err(_) => self.string(&v.to_string()),
        }
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.plain(float_text(v, &mut ryu::Buffer::new()))
    }
    fn serialize_char(self, v: char) -> Result {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        let mut seq = self.collection("[]");
        for b in v {
            seq.item(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result {
        self.plain("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.plain("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.plain("null")
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(tags_unsupported())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Collection<'a>> {
        Ok(self.collection("[]"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Collection<'a>> {
        Ok(self.collection("[]"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Collection<'a>> {
        Ok(self.collection("[]"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(tags_unsupported())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Collection<'a>> {
        Ok(self.collection("{}"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Collection<'a>> {
        Ok(self.collection("{}"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(tags_unsupported())
    }
}

impl ser::SerializeSeq for Collection<'_> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        Collection::end(self)
    }
}

impl ser::SerializeTuple for Collection<'_> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        Collection::end(self)
    }
}

impl ser::SerializeTupleStruct for Collection<'_> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item(value)
    }
    fn end(self) -> Result {
        Collection::end(self)
    }
}

impl ser::SerializeMap for Collection<'_> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.value(value)
    }
    fn end(self) -> Result {
        Collection::end(self)
    }
}

impl ser::SerializeStruct for Collection<'_> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key)?;
        self.value(value)
    }
    fn end(self) -> Result {
        Collection::end(self)
    }
}

/// Writes a mapping key: a string (quoted when needed), a number, a boolean or null.
struct KeyWriter<'a> {
    out: &'a mut String,
}

fn keys_must_be_scalars() -> YamlError {
    YamlError("mapping keys must be scalars".into())
}

macro_rules! key_numbers {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result {
            self.out.push_str(itoa::Buffer::new().format(v));
            Ok(())
        })*
    };
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = YamlError;
    type SerializeSeq = Impossible<(), YamlError>;
    type SerializeTuple = Impossible<(), YamlError>;
    type SerializeTupleStruct = Impossible<(), YamlError>;
    type SerializeTupleVariant = Impossible<(), YamlError>;
    type SerializeMap = Impossible<(), YamlError>;
    type SerializeStruct = Impossible<(), YamlError>;
    type SerializeStructVariant = Impossible<(), YamlError>;

    fn serialize_bool(self, v: bool) -> Result {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    key_numbers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_i128(self, v: i128) -> Result {
        match (u64::try_from(v), i64::try_from(v)) {
            (Ok(u), _) => self.serialize_u64(u),
            (_, Ok(i)) => self.serialize_i64(i),
            _ => self.serialize_str(&v.to_string()),
        }
    }
    fn serialize_u128(self, v: u128) -> Result {
        match u64::try_from(v) {
            Ok(u) => self.serialize_u64(u),
            Err(_) => self.serialize_str(&v.to_string()),
        }
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.out.push_str(float_text(v, &mut ryu::Buffer::new()));
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        if is_safe_plain(v) {
            self.out.push_str(v);
        } else {
            // Never a literal block: a key must fit on its line (the `Value` writer wrote a
            // multi-line key as a block, which does not parse).
            self.out.push_str(&quote_single_or_double(v));
        }
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result {
        Err(keys_must_be_scalars())
    }
    fn serialize_none(self) -> Result {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(tags_unsupported())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(keys_must_be_scalars())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(keys_must_be_scalars())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(keys_must_be_scalars())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(tags_unsupported())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(keys_must_be_scalars())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(keys_must_be_scalars())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(tags_unsupported())
    }
}
