//! TEMPORARY placeholder until the validator lands (being written in parallel).
/// Validation errors.
#[derive(Debug, thiserror::Error)]
#[error("invalid")]
pub struct ValidationErrors(pub Vec<String>);
/// Validates.
pub fn validate_workflow(_wf: &super::Workflow) -> Result<(), ValidationErrors> {
    Ok(())
}
