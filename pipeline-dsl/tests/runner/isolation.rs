//! Pod-like isolation (`--secrets DIR`, `--configmaps DIR`): a step sees what its template
//! declares, Secret and ConfigMap keys from files laid out as Kubernetes mounts them, and
//! nothing else of the runner's environment.

use pipeline_dsl::runner::{run, StepStatus};

use crate::argo::workflow;
use crate::{statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[(
    "secrets_and_configmaps_come_from_dirs_and_the_shell_does_not_leak",
    secrets_and_configmaps_come_from_dirs_and_the_shell_does_not_leak,
)];

fn dump_template(env: &Env, extra_env: &str) -> String {
    let out = env.path("env.txt").display().to_string();
    format!(
        r#"    - name: dump
      container:
        image: fixture:1
        command: [fixture]
        args: [component, env-dump, --param, "names=KEY,OPT,MODE,LIT,I14_SHELL_ONLY,HOSTNAME", --param, "out={out}"]
        env:
          - {{name: KEY, valueFrom: {{secretKeyRef: {{name: s3, key: AWS_ACCESS_KEY_ID}}}}}}
          - {{name: OPT, valueFrom: {{secretKeyRef: {{name: s3, key: AWS_SESSION_TOKEN, optional: true}}}}}}
          - {{name: MODE, valueFrom: {{configMapKeyRef: {{name: settings, key: mode}}}}}}
          - {{name: LIT, value: x}}
{extra_env}"#
    )
}

const MAIN: &str = "      dag:\n        tasks:\n          - {name: dump, template: dump}";

fn secrets_and_configmaps_come_from_dirs_and_the_shell_does_not_leak() {
    // Kubernetes' `kubelet` mounts one file per key: DIR/<name>/<key>.
    let env = Env::new();
    let secrets = env.path("secrets");
    let configmaps = env.path("configmaps");
    std::fs::create_dir_all(secrets.join("s3")).unwrap();
    std::fs::create_dir_all(configmaps.join("settings")).unwrap();
    std::fs::write(secrets.join("s3/AWS_ACCESS_KEY_ID"), "AKIA-local").unwrap();
    std::fs::write(configmaps.join("settings/mode"), "fast").unwrap();
    // SAFETY: the tests run on one thread (main.rs sets test_threads to 1).
    unsafe { std::env::set_var("I14_SHELL_ONLY", "leak") };
    let mut options = env.options();
    options.secrets = Some(secrets.clone());
    options.configmaps = Some(configmaps.clone());
    let wf = workflow(&env, MAIN, &dump_template(&env, ""));
    let s = run(&wf, &options).unwrap();
    assert!(s.succeeded(), "{}", s.table());
    let seen = std::fs::read_to_string(env.path("env.txt")).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    assert_eq!(
        &lines[..5],
        [
            "KEY=AKIA-local",
            "OPT unset",
            "MODE=fast",
            "LIT=x",
            "I14_SHELL_ONLY unset"
        ],
        "{seen}"
    );
    assert!(lines[5].starts_with("HOSTNAME="), "{seen}");

    // A required key that is missing: the task fails, naming it; nothing ran.
    let env = Env::new();
    let required = "          - {name: REQ, valueFrom: {secretKeyRef: {name: s3, key: NOPE}}}\n";
    let wf = workflow(&env, MAIN, &dump_template(&env, required));
    let s = run(&wf, &options).unwrap();
    assert_eq!(statuses(&s, "dump"), [StepStatus::Failed]);
    let message = s.step("dump").unwrap().message.clone().unwrap();
    assert!(
        message.contains("env `REQ`")
            && message.contains("Secret `s3` key `NOPE`")
            && message.contains(&secrets.join("s3/NOPE").display().to_string()),
        "{message}"
    );
    assert!(!env.path("env.txt").exists());
    unsafe { std::env::remove_var("I14_SHELL_ONLY") };
}
