//! Rows with nested fields: a `Vec`, map or struct field of a [`Dataset`](super::Dataset) row is
//! one CSV cell holding its JSON (`["a","b"]`), written and read back here. Flat rows never
//! come here: the csv crate writes and reads them as it always has.

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Impossible, Serialize};
use std::fmt;

/// What went wrong writing or reading a nested row.
#[derive(Debug)]
pub(crate) struct CellError(String);

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CellError {}

impl ser::Error for CellError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CellError(msg.to_string())
    }
}

impl de::Error for CellError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        CellError(msg.to_string())
    }
}

/// True when `row` has a field a flat CSV cell cannot hold (the csv writer refuses it).
pub(crate) fn is_nested<R: Serialize>(row: &R) -> bool {
    let mut writer = csv::Writer::from_writer(std::io::sink());
    matches!(writer.serialize(row), Err(e) if e.to_string().contains("inside struct"))
}

/// The rows as CSV with a header line, nested fields as JSON cells.
pub(crate) fn write_rows<R: Serialize>(rows: &[R]) -> Result<Vec<u8>, CellError> {
    let fail = |e: &dyn fmt::Display| CellError(e.to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let fields = row.serialize(Fields(Vec::new()))?;
        if i == 0 {
            writer
                .write_record(fields.iter().map(|f| f.0))
                .map_err(|e| fail(&e))?;
        }
        writer
            .write_record(fields.iter().map(|f| &f.1))
            .map_err(|e| fail(&e))?;
    }
    writer.into_inner().map_err(|e| fail(&e.into_error()))
}

/// Parses CSV written by [`write_rows`]: "line N, column `X`: what is wrong" on a bad value.
pub(crate) fn read_rows<R: DeserializeOwned>(bytes: &[u8]) -> Result<Vec<R>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let line = record.position().map_or(0, |p| p.line());
        let row = R::deserialize(Row {
            headers: &headers,
            record: &record,
        })
        .map_err(|e| match e.to_string() {
            column if column.starts_with(", column") => format!("line {line}{column}"),
            other => format!("line {line}: {other}"),
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// The text of one cell: JSON for a nested value, else what the csv crate would write.
fn cell<T: Serialize + ?Sized>(value: &T) -> Result<String, CellError> {
    use serde_json::Value;
    Ok(
        match serde_json::to_value(value).map_err(ser::Error::custom)? {
            Value::Null => String::new(),
            Value::String(s) => s,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            nested => nested.to_string(),
        },
    )
}

/// What every non-struct row gets.
fn not_a_struct() -> CellError {
    CellError("a Dataset row must be a struct".into())
}

/// Serializes a row struct to its (field, cell) pairs, in field order.
struct Fields(Vec<(&'static str, String)>);

macro_rules! not_a_record {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $ty),*) -> Result<Self::Ok, CellError> {
            Err(not_a_struct())
        })*
    };
}

type Refused = Impossible<Vec<(&'static str, String)>, CellError>;

impl ser::Serializer for Fields {
    type Ok = Vec<(&'static str, String)>;
    type Error = CellError;
    type SerializeSeq = Refused;
    type SerializeTuple = Refused;
    type SerializeTupleStruct = Refused;
    type SerializeTupleVariant = Refused;
    type SerializeMap = Refused;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Refused;

    not_a_record!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, CellError> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Self::Ok, CellError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Self::Ok, CellError> {
        Err(not_a_struct())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Refused, CellError> {
        Err(not_a_struct())
    }
    fn serialize_tuple(self, _: usize) -> Result<Refused, CellError> {
        Err(not_a_struct())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Refused, CellError> {
        Err(not_a_struct())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, CellError> {
        Err(not_a_struct())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Refused, CellError> {
        Err(not_a_struct())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields, CellError> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Refused, CellError> {
        Err(not_a_struct())
    }
}

impl ser::SerializeStruct for Fields {
    type Ok = Vec<(&'static str, String)>;
    type Error = CellError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), CellError> {
        self.0.push((key, cell(value)?));
        Ok(())
    }
    fn end(self) -> Result<Self::Ok, CellError> {
        Ok(self.0)
    }
}

/// One record as a map from header to cell.
struct Row<'a> {
    headers: &'a csv::StringRecord,
    record: &'a csv::StringRecord,
}

impl<'de> de::Deserializer<'de> for Row<'_> {
    type Error = CellError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_map(RowMap {
            row: self,
            index: 0,
        })
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct RowMap<'a> {
    row: Row<'a>,
    index: usize,
}

impl<'de> de::MapAccess<'de> for RowMap<'_> {
    type Error = CellError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, CellError> {
        match self.row.headers.get(self.index) {
            Some(name) => seed.deserialize(name.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, CellError> {
        let name = self.row.headers.get(self.index).unwrap_or_default();
        let text = self.row.record.get(self.index).unwrap_or_default();
        self.index += 1;
        seed.deserialize(Cell(text))
            .map_err(|e| CellError(format!(", column `{name}`: {e}")))
    }
}

/// One cell: a string to string fields, JSON to everything else.
struct Cell<'a>(&'a str);

impl Cell<'_> {
    fn json(&self) -> Result<serde_json::Value, CellError> {
        serde_json::from_str(self.0).map_err(|e| CellError(format!("`{}`: {e}", self.0)))
    }
}

impl<'de> de::Deserializer<'de> for Cell<'_> {
    type Error = CellError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        if self.0.is_empty() {
            return visitor.visit_unit();
        }
        match self.json() {
            Ok(value) => {
                de::Deserializer::deserialize_any(value, visitor).map_err(de::Error::custom)
            }
            Err(_) => visitor.visit_str(self.0),
        }
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        if self.0.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_str(self.0)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_str(self.0)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_str(self.0)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_str(self.0)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, CellError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, CellError> {
        if self.0.starts_with('{') {
            let value = self.json()?;
            return de::Deserializer::deserialize_enum(value, name, variants, visitor)
                .map_err(de::Error::custom);
        }
        visitor.visit_enum(self.0.into_deserializer())
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, CellError> {
        visitor.visit_unit()
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 bytes byte_buf unit unit_struct
        seq tuple tuple_struct map struct
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    enum Kind {
        Short,
        Long,
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Doc {
        name: String,
        words: Vec<String>,
        counts: BTreeMap<String, u32>,
        score: Option<f64>,
        kind: Kind,
        id: String,
    }

    fn doc(name: &str, words: &[&str], score: Option<f64>) -> Doc {
        Doc {
            name: name.into(),
            words: words.iter().map(|w| w.to_string()).collect(),
            counts: words
                .iter()
                .map(|w| (w.to_string(), w.len() as u32))
                .collect(),
            score,
            kind: Kind::Short,
            id: "42".into(),
        }
    }

    #[test]
    fn nested_fields_are_json_cells_and_read_back() {
        let rows = vec![doc("a, b", &["x", "\"y\""], Some(0.5)), doc("c", &[], None)];
        assert!(is_nested(&rows[0]));
        let bytes = write_rows(&rows).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with("name,words,counts,score,kind,id\n"),
            "{text}"
        );
        assert!(text.contains(r#"c,[],{},,Short,42"#), "{text}");
        assert_eq!(read_rows::<Doc>(&bytes).unwrap(), rows);
    }

    #[test]
    fn a_bad_cell_is_named_by_line_and_column() {
        let bytes = b"name,words,counts,score,kind,id\nA,\"[1,2]\",{},,Short,1\n";
        let err = read_rows::<Doc>(bytes).unwrap_err();
        assert!(err.starts_with("line 2, column `words`:"), "{err}");
    }
}
