use super::{read_bytes, write_atomic, Artifact, ArtifactError};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;

fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), ArtifactError> {
    ArtifactError::check_finite(path, value)?;
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| ArtifactError::invalid(path, format!("cannot serialize: {e}")))?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ArtifactError> {
    let bytes = read_bytes(path)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ArtifactError::invalid(path, format!("invalid JSON: {e}")))
}

macro_rules! json_artifact {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name<T>(pub T);

        impl<T> $name<T> {
            /// Returns the wrapped value.
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        impl<T> std::ops::Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }

        impl<T: Serialize + DeserializeOwned + 'static> Artifact for $name<T> {
            const KIND: &'static str = $kind;
            fn write(&self, path: &Path) -> Result<(), ArtifactError> {
                write_json(&self.0, path)
            }
            fn read(path: &Path) -> Result<Self, ArtifactError> {
                read_json(path).map($name)
            }
        }
    };
}

json_artifact!(
    /// Any serde value, stored as pretty-printed JSON.
    ///
    /// ```
    /// use pipeline_dsl::prelude::*;
    /// let dir = std::env::temp_dir().join(format!("json-doc-{}", std::process::id()));
    /// let path = dir.join("counts.json");
    /// Json(vec![1, 2, 3]).write(&path).unwrap();
    /// assert_eq!(Json::<Vec<u32>>::read(&path).unwrap().0, vec![1, 2, 3]);
    /// ```
    Json,
    "Json"
);

json_artifact!(
    /// A trained model bundle, stored as JSON (`model.json`): whatever the model type serializes,
    /// typically weights, the fitted preprocessing and provenance.
    Model,
    "Model"
);
