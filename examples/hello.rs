//! The smallest useful pipeline: two typed steps, compiled to Argo and run locally.
//!
//! ```text
//! cargo run --example hello -- compile        # print the Argo Workflow
//! cargo run --example hello -- run            # run it on this machine
//! ```

use clap::Parser;
use pipeline_dsl::cli::PipelineCommand;
use pipeline_dsl::prelude::*;
use std::process::ExitCode;

/// What `greet` produces.
#[derive(Outputs)]
pub struct Greeting {
    /// The greeting, as Markdown.
    pub text: Markdown,
    /// How many words it has.
    pub words: Param<u32>,
}

/// Greets someone.
///
/// # Parameters
/// - `name`: who to greet.
#[component(cpu = "100m", memory = "64Mi")]
pub fn greet(name: String) -> Result<Greeting> {
    let text = format!("Hello, {name}!");
    let words = text.split_whitespace().count() as u32;
    Ok(Greeting {
        text: Markdown(text),
        words: Param(words),
    })
}

/// What `shout` produces.
#[derive(Outputs)]
pub struct Shouted {
    /// The greeting in capitals.
    pub text: Markdown,
}

/// Shouts a greeting.
#[component]
pub fn shout(greeting: Input<Markdown>) -> Result<Shouted> {
    Ok(Shouted {
        text: Markdown(greeting.to_uppercase()),
    })
}

fn pipeline() -> Pipeline {
    let p = Pipeline::new("hello")
        .image("hello:latest")
        .command(&["hello"]);
    let name = p.param("name", "world".to_string());
    let greeting = p.add(Greet { name });
    // `greeting.text` is an ArtifactRef<Markdown>: it only fits a Markdown input.
    p.add(Shout {
        greeting: greeting.text,
    })
    .when(greeting.words.gt(1u32));
    p
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: PipelineCommand,
}

fn main() -> ExitCode {
    Cli::parse().command.execute(pipeline)
}
