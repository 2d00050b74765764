//! The pipeline builder: add typed tasks, wire their outputs into inputs, fan out, gate with
//! conditions, and set an exit handler. The Rust compiler checks the wiring.
//!
//! ```
//! use pipeline_dsl::prelude::*;
//!
//! #[derive(Outputs)]
//! pub struct Numbers {
//!     /// The numbers.
//!     pub values: Json<Vec<u64>>,
//! }
//!
//! /// Counts from zero.
//! #[component]
//! pub fn count(n: u64) -> Result<Numbers> {
//!     Ok(Numbers { values: Json((0..n).collect()) })
//! }
//!
//! #[derive(Outputs)]
//! pub struct Total {
//!     /// The sum.
//!     pub sum: Param<u64>,
//! }
//!
//! /// Adds the numbers up.
//! #[component]
//! pub fn add(values: Input<Json<Vec<u64>>>) -> Result<Total> {
//!     Ok(Total { sum: Param(values.iter().sum()) })
//! }
//!
//! let p = Pipeline::new("sums");
//! let n = p.param("n", 10u64);
//! let counted = p.add(Count { n });
//! let total = p.add(Add { values: counted.values });
//! # let _ = total;
//! let yaml = p.compile().unwrap().to_yaml().unwrap();
//! assert!(yaml.contains("name: add"));
//! ```

mod builder;
mod condition;
mod graph;
mod settings;
mod task;

pub use crate::refs::{ArtifactSource, OutputRef, TaskId};
pub use builder::Pipeline;
pub use condition::{CompareOp, Condition};
pub use settings::{PodGc, Ttl};
pub use task::{FanOut, Task};

pub(crate) use graph::{Graph, PipelineParam, TaskNode};
pub(crate) use settings::Settings;
