use super::{read_bytes, read_text, write_atomic, Artifact, ArtifactError};
use std::path::Path;

/// A PNG image (a plot), stored as is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Png(pub Vec<u8>);

impl Artifact for Png {
    const KIND: &'static str = "Png";
    fn write(&self, path: &Path) -> Result<(), ArtifactError> {
        write_atomic(path, &self.0)
    }
    fn read(path: &Path) -> Result<Self, ArtifactError> {
        let bytes = read_bytes(path)?;
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(ArtifactError::invalid(path, "not a PNG file"));
        }
        Ok(Png(bytes))
    }
}

macro_rules! text_artifact {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name(pub String);

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl Artifact for $name {
            const KIND: &'static str = $kind;
            fn write(&self, path: &Path) -> Result<(), ArtifactError> {
                write_atomic(path, self.0.as_bytes())
            }
            fn read(path: &Path) -> Result<Self, ArtifactError> {
                read_text(path).map($name)
            }
        }
    };
}

text_artifact!(
    /// An HTML page (a report), stored as is.
    Html,
    "Html"
);
text_artifact!(
    /// A Markdown document, stored as is.
    Markdown,
    "Markdown"
);
