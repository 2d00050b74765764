//! The ids the pipeline builder hands out and wiring refers to: a task, one of its outputs, where
//! an artifact input comes from. Plain data below the builder, the parameter and output handles.

/// Index of a task in its pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub(crate) usize);

/// A named output of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputRef {
    /// The producing task.
    pub task: TaskId,
    /// The output's name.
    pub name: &'static str,
}

/// Where an artifact input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactSource {
    /// An output of a task.
    Output(OutputRef),
    /// The outputs of every item of a fan-out task, gathered into a directory.
    Gathered(OutputRef),
}

impl ArtifactSource {
    /// The producing output.
    pub fn output(&self) -> OutputRef {
        match *self {
            ArtifactSource::Output(o) | ArtifactSource::Gathered(o) => o,
        }
    }
}
