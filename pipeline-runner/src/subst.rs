//! `{{...}}` substitution, as Argo does it: a tag is the trimmed text between `{{` and `}}`,
//! looked up in a flat scope of variables (`workflow.parameters.n`, `item.key`, ...).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::argo::lang::tags::{segments, Segment, Tag};

/// The variables visible where a text is substituted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    vars: BTreeMap<String, String>,
}

impl Scope {
    /// Sets `name` to `value`.
    pub(crate) fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The text of an expression tag's body (`{{=...}}`), as Argo writes it: the expr subset of
    /// [`crate::argo::expr`] over this scope's variables; an error names the expression.
    pub(crate) fn evaluate(&self, expression: &str) -> Result<String, String> {
        let fail = |e: String| format!("cannot evaluate `{{{{={expression}}}}}`: {e}");
        let parsed = crate::argo::expr::parse(expression).map_err(|e| fail(e.into()))?;
        crate::argo::expr::evaluate(&parsed, &|name| self.get(name).map(str::to_owned))
            .map_err(|e| fail(e.into()))?
            .to_text()
            .ok_or_else(|| fail("the result is nil".into()))
    }

    /// Adds `{{item}}` and, for an object, `{{item.FIELD}}` for each field.
    pub(crate) fn set_item(&mut self, item: &Value) {
        self.set("item", render(item));
        if let Value::Object(fields) = item {
            for (field, value) in fields {
                self.set(format!("item.{field}"), render(value));
            }
        }
    }
}

/// A JSON value as Argo puts it in a template: strings raw, numbers and booleans as text,
/// objects and arrays as compact JSON.
pub(crate) fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Replaces every `{{tag}}` in `text` from `scope`; an unknown tag or a `{{` without `}}` is an
/// error naming it.
pub(crate) fn substitute(text: &str, scope: &Scope) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    for segment in segments(text).map_err(|e| format!("in `{text}`: {e}"))? {
        match segment {
            Segment::Text(t) => out.push_str(t),
            Segment::Tag(Tag::Expression(expression)) => out.push_str(&scope.evaluate(expression)?),
            Segment::Tag(Tag::Variable(name)) => match scope.get(name) {
                Some(value) => out.push_str(value),
                None => return Err(format!("unknown variable `{{{{{name}}}}}`")),
            },
        }
    }
    Ok(out)
}

/// Substitutes every string inside a JSON value (a `withItems` entry).
pub(crate) fn substitute_json(value: &Value, scope: &Scope) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(substitute(s, scope)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute_json(v, scope))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), substitute_json(v, scope)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_and_names_unknown_variables() {
        let mut scope = Scope::default();
        scope.set("workflow.name", "wf-abc");
        scope.set_item(&json!({"key": "00001", "value": 2.5, "obj": {"a": [1, true]}}));
        assert_eq!(
            substitute("{{workflow.name}}/fit/{{ item.key }}", &scope).unwrap(),
            "wf-abc/fit/00001"
        );
        assert_eq!(substitute("{{item.value}}", &scope).unwrap(), "2.5");
        assert_eq!(
            substitute("{{item.obj}}", &scope).unwrap(),
            r#"{"a":[1,true]}"#
        );
        let whole: Value = serde_json::from_str(&substitute("{{item}}", &scope).unwrap()).unwrap();
        assert_eq!(whole["obj"], json!({"a": [1, true]}));
        let err = substitute("x {{workflow.nope}}", &scope).unwrap_err();
        assert!(err.contains("{{workflow.nope}}"), "{err}");
        assert!(substitute("a {{ b", &scope)
            .unwrap_err()
            .contains("no closing"));
        assert!(
            substitute("{{=1+1}}", &scope).is_err(),
            "outside the subset"
        );
        assert_eq!(
            substitute("{{=workflow.name == 'wf-abc'}} {{=item.key}}", &scope).unwrap(),
            "true 00001"
        );
        let err =
            substitute("{{=asFloat(item.key) > asFloat(workflow.name)}}", &scope).unwrap_err();
        assert!(err.contains("ParseFloat"), "{err}");
    }
}
