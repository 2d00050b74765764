//! What the commands print and write: the compiled manifest of each kind, its lint warnings, and
//! stdout and files written without noise.

use super::args::Kind;
use crate::compile::CompileError;
use crate::pipeline::Pipeline;

/// Compiles `pipeline` to YAML of the given kind.
pub fn render(
    pipeline: &Pipeline,
    kind: Kind,
    schedule: Option<&str>,
) -> Result<String, CompileError> {
    let compiled = pipeline.compile()?;
    match kind {
        Kind::Workflow => compiled.to_yaml(),
        Kind::Template => compiled.render(&compiled.workflow_template()),
        Kind::Cron => compiled.render(&compiled.cron_workflow(schedule.unwrap_or("0 0 * * *"))),
    }
}

/// What [`crate::argo::lint_workflow`] finds in the compiled workflow (no artifact repository is
/// assumed to exist beyond the namespace default); empty when the pipeline does not compile
/// (`render` reports that).
pub fn warnings(pipeline: &Pipeline) -> Vec<crate::argo::Warning> {
    pipeline
        .compile()
        .map(|c| crate::argo::lint_workflow(&c.workflow(), &Default::default()))
        .unwrap_or_default()
}

/// Writes `content` to `path` only when it differs from what is there (so builds stay
/// incremental and timestamps stable). Returns whether the file changed.
pub fn write_if_changed(path: &std::path::Path, content: &str) -> std::io::Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(false);
    }
    crate::artifact::write_atomic(path, content.as_bytes()).map_err(std::io::Error::other)?;
    Ok(true)
}

/// Writes `text` to stdout; a reader that went away (`| head -1`) ends the output quietly.
pub fn print_quietly(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(std::io::Error::new(e.kind(), format!("stdout: {e}")))
        }
        _ => Ok(()),
    }
}
