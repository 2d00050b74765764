use super::{Artifact, ArtifactError};
use std::path::Path;

/// The gathered outputs of a fan-out: one artifact per item, stored as the files of a directory
/// (ordered by file name, which the fan-out makes the item order).
///
/// A component takes `Input<Collection<A>>` to fan in; the pipeline wires it with
/// [`FanOut::gather`](crate::pipeline::FanOut::gather).
#[derive(Debug, Clone, PartialEq)]
pub struct Collection<A> {
    items: Vec<A>,
}

impl<A> Collection<A> {
    /// A collection of `items`.
    pub fn new(items: Vec<A>) -> Self {
        Collection { items }
    }
    /// The items, by value.
    pub fn into_items(self) -> Vec<A> {
        self.items
    }
}

impl<A> std::ops::Deref for Collection<A> {
    type Target = [A];
    fn deref(&self) -> &[A] {
        &self.items
    }
}

impl<A> IntoIterator for Collection<A> {
    type Item = A;
    type IntoIter = std::vec::IntoIter<A>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<A: Artifact> Artifact for Collection<A> {
    const KIND: &'static str = "Collection";
    const IS_DIR: bool = true;
    fn write(&self, path: &Path) -> Result<(), ArtifactError> {
        std::fs::create_dir_all(path).map_err(|e| ArtifactError::io(path, e))?;
        for (i, item) in self.items.iter().enumerate() {
            item.write(&path.join(format!("{i:05}")))?;
        }
        Ok(())
    }
    fn read(path: &Path) -> Result<Self, ArtifactError> {
        let entries = std::fs::read_dir(path).map_err(|e| ArtifactError::io(path, e))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ArtifactError::io(path, e))?;
            let name = entry.file_name();
            if !name.to_string_lossy().starts_with('.') {
                files.push(entry.path());
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(ArtifactError::invalid(
                path,
                "the collection is empty: no item produced an output",
            ));
        }
        let items = files.iter().map(|f| A::read(f)).collect::<Result<_, _>>()?;
        Ok(Collection { items })
    }
}
