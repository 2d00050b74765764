//! Running one component in this process: the container entrypoint on Argo and what the local
//! runner spawns (`<bin> component <name> --param k=v --input name=PATH --output name=PATH`).

use crate::component::find;

pub use crate::context::{BoxError, Input, InvalidInput, RunContext, RunError, EXIT_INVALID};

/// Runs the registered component `ctx.component`: checks the command line against its spec,
/// runs it, and turns a panic into [`RunError::Panicked`].
pub fn run_component(ctx: &RunContext) -> Result<(), RunError> {
    let registration =
        find(&ctx.component)?.ok_or_else(|| RunError::UnknownComponent(ctx.component.clone()))?;
    ctx.check(&(registration.spec)())?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| (registration.run)(ctx));
    std::panic::set_hook(previous);
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(RunError::Panicked {
            component: ctx.component.clone(),
            message,
        })
    })
}
