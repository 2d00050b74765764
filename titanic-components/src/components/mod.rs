//! The Titanic pipeline's steps, one `#[component]` function per file.

mod evaluate;
mod featurize;
mod fraction;
mod ingest;
mod publish;
mod report_status;
mod split;
mod track_run;
mod train_fold;

pub use evaluate::{evaluate, Evaluate, EvaluateOutputs, EvaluateOutputsHandles};
pub use featurize::{featurize, Featurize, FeaturizeOutputs, FeaturizeOutputsHandles};
pub use fraction::{HoldoutFraction, OutOfDomain, Threshold};
pub use ingest::{ingest, Ingest, IngestOutputs, IngestOutputsHandles, Source};
pub use publish::{publish, ModelTarget, Publish, PublishOutputs, PublishOutputsHandles};
pub use report_status::{report_status, ReportStatus};
pub use split::{split, Split, SplitOutputs, SplitOutputsHandles};
pub use track_run::{track_run, TrackRun, TrackRunOutputs, TrackRunOutputsHandles};
pub use train_fold::{train_fold, TrainFold, TrainFoldOutputs, TrainFoldOutputsHandles};
