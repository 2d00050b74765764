//! Pod-like isolation, always on: a step sees what its template declares plus what a pod's main
//! container has (Argo's `workflow/controller/workflowpod.go` lines 644-648, 682-683: the
//! `ARGO_*` variables), Secret and ConfigMap keys only from the sources the user names
//! (`--secrets DIR`, `--configmaps DIR` laid out as Kubernetes mounts them, `--secrets-from-env`),
//! and nothing else of the runner's environment.

use pipeline_dsl::runner::{run, StepStatus};

use crate::argo::workflow;
use crate::nodes::fnv32a;
use crate::{statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "secrets_and_configmaps_come_from_dirs_and_the_shell_does_not_leak",
        secrets_and_configmaps_come_from_dirs_and_the_shell_does_not_leak,
    ),
    (
        "without_flags_a_step_sees_only_its_pod_environment",
        without_flags_a_step_sees_only_its_pod_environment,
    ),
    (
        "secrets_from_env_resolves_keys_by_name_and_names_what_is_missing",
        secrets_from_env_resolves_keys_by_name_and_names_what_is_missing,
    ),
    (
        "a_secret_volume_on_a_component_step_is_refused",
        a_secret_volume_on_a_component_step_is_refused,
    ),
];

/// A component step runs as a process of the components binary, not in the sandbox, so a
/// Secret volume its template mounts could not be where the template says: refused before
/// any step runs, naming the volume, the mount path and the template, instead of ignored.
fn a_secret_volume_on_a_component_step_is_refused() {
    let env = Env::new();
    let declared = "          - {name: LIT, value: x}
        volumeMounts: [{name: creds, mountPath: /etc/creds}]
      volumes: [{name: creds, secret: {secretName: s3}}]
";
    let wf = workflow(&env, MAIN, &dumping(&env, "LIT", declared));
    let err = run(&wf, &env.options()).expect_err("refused");
    let pipeline_dsl::runner::RunnerError::Unsupported { feature, template } = &err else {
        panic!("{err}")
    };
    assert_eq!(template, "dump");
    assert!(
        feature.starts_with("Secret volume `creds` mounted at `/etc/creds` on a component step"),
        "{feature}"
    );
    assert!(!env.path("env.txt").exists(), "nothing ran");
}

fn dump_template(env: &Env, extra_env: &str) -> String {
    let declared = "          - {name: KEY, valueFrom: {secretKeyRef: {name: s3, key: AWS_ACCESS_KEY_ID}}}
          - {name: OPT, valueFrom: {secretKeyRef: {name: s3, key: AWS_SESSION_TOKEN, optional: true}}}
          - {name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}
          - {name: LIT, value: x}
";
    let names = "KEY,OPT,MODE,LIT,I14_SHELL_ONLY,HOSTNAME";
    dumping(env, names, &format!("{declared}{extra_env}"))
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
            && message.contains(&secrets.join("s3/NOPE").display().to_string())
            && message.contains("--secrets-from-env"),
        "{message}"
    );
    assert!(!env.path("env.txt").exists());
    unsafe { std::env::remove_var("I14_SHELL_ONLY") };
}

/// A step dumping `names` (comma-separated) into `env.txt`, with `env` declared.
/// A template `dump` writing `NAME=value` (or `NAME unset`) for each of `names` to
/// `env.txt`, with `declared` (YAML list items) as its `env`.
pub fn dumping(env: &Env, names: &str, declared: &str) -> String {
    let out = env.path("env.txt").display().to_string();
    format!(
        r#"    - name: dump
      container:
        image: fixture:1
        command: [fixture]
        args: [component, env-dump, --param, "names={names}", --param, "out={out}"]
        env:
{declared}"#
    )
}

/// The lines `dump` wrote.
pub fn dumped(env: &Env) -> Vec<String> {
    let text = std::fs::read_to_string(env.path("env.txt")).unwrap();
    text.lines().map(str::to_owned).collect()
}

fn without_flags_a_step_sees_only_its_pod_environment() {
    let env = Env::new();
    // SAFETY: the tests run on one thread (main.rs sets test_threads to 1).
    unsafe {
        std::env::set_var("I14_SHELL_ONLY", "leak");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "from-the-shell");
    }
    let names = "LIT,AWS_SECRET_ACCESS_KEY,I14_SHELL_ONLY,ARGO_CONTAINER_NAME,ARGO_WORKFLOW_NAME,ARGO_DEADLINE,HOME,PATH,ARGO_NODE_ID";
    let declared = "          - {name: LIT, value: x}\n          - {name: AWS_SECRET_ACCESS_KEY, valueFrom: {secretKeyRef: {name: s3, key: AWS_SECRET_ACCESS_KEY, optional: true}}}\n";
    let wf = workflow(&env, MAIN, &dumping(&env, names, declared));
    let mut options = env.options();
    options.run_name = Some("iso-wf".into());
    let s = run(&wf, &options).unwrap();
    assert!(s.succeeded(), "{}", s.table());
    let lines = dumped(&env);
    // An optional Secret key no source holds stays unset although the shell has the variable.
    assert_eq!(
        &lines[..6],
        [
            "LIT=x",
            "AWS_SECRET_ACCESS_KEY unset",
            "I14_SHELL_ONLY unset",
            "ARGO_CONTAINER_NAME=main",
            "ARGO_WORKFLOW_NAME=iso-wf",
            // `time.Time{}` formatted RFC 3339: the workflow has no deadline.
            "ARGO_DEADLINE=0001-01-01T00:00:00Z",
        ],
        "{lines:?}"
    );
    assert!(lines[6].starts_with("HOME=/"), "{lines:?}");
    assert!(lines[7].starts_with("PATH=/"), "{lines:?}");
    // `Workflow.NodeID`: `<workflow>-<fnv32a(node name)>`, here of `iso-wf.dump`.
    assert_eq!(
        lines[8],
        format!("ARGO_NODE_ID=iso-wf-{}", fnv32a("iso-wf.dump"))
    );

    // A required key with no source: the step fails before it starts, naming the variable,
    // the Secret, the key and both flags.
    let env = Env::new();
    let declared =
        "          - {name: TOKEN, valueFrom: {secretKeyRef: {name: api, key: api-token}}}\n";
    let wf = workflow(&env, MAIN, &dumping(&env, "TOKEN", declared));
    let s = run(&wf, &env.options()).unwrap();
    assert_eq!(statuses(&s, "dump"), [StepStatus::Failed]);
    let message = s.step("dump").unwrap().message.clone().unwrap();
    assert!(
        message.contains("env `TOKEN`")
            && message.contains("Secret `api` key `api-token`")
            && message.contains("--secrets DIR holding api/api-token")
            && message.contains("--secrets-from-env with `api-token` set")
            && !message.contains('\n'),
        "{message}"
    );
    assert!(!env.path("env.txt").exists());
    unsafe {
        std::env::remove_var("I14_SHELL_ONLY");
        std::env::remove_var("AWS_SECRET_ACCESS_KEY");
    }
}

fn secrets_from_env_resolves_keys_by_name_and_names_what_is_missing() {
    let env = Env::new();
    let secrets = env.path("secrets");
    std::fs::create_dir_all(secrets.join("s3")).unwrap();
    std::fs::write(secrets.join("s3/I14_REGION"), "from-file").unwrap();
    // SAFETY: the tests run on one thread (main.rs sets test_threads to 1).
    unsafe {
        std::env::set_var("I14_KEY", "from-env");
        std::env::set_var("I14_REGION", "shadowed");
        std::env::set_var("I14_OTHER", "not-referenced");
    }
    // The variable is named `ID` in the pod; the Secret's key (`I14_KEY`) names the shell
    // variable. A file in `--secrets DIR` comes first.
    let declared = "          - {name: ID, valueFrom: {secretKeyRef: {name: s3, key: I14_KEY}}}\n          - {name: REGION, valueFrom: {secretKeyRef: {name: s3, key: I14_REGION}}}\n          - {name: OPT, valueFrom: {secretKeyRef: {name: s3, key: I14_UNSET, optional: true}}}\n";
    let wf = workflow(
        &env,
        MAIN,
        &dumping(&env, "ID,REGION,OPT,I14_KEY,I14_OTHER", declared),
    );
    let mut options = env.options();
    options.secrets = Some(secrets.clone());
    options.secrets_from_env = true;
    let s = run(&wf, &options).unwrap();
    assert!(s.succeeded(), "{}", s.table());
    assert_eq!(
        dumped(&env),
        [
            "ID=from-env",
            "REGION=from-file",
            "OPT unset",
            "I14_KEY unset",
            "I14_OTHER unset"
        ]
    );

    let env = Env::new();
    let declared =
        "          - {name: ID, valueFrom: {secretKeyRef: {name: s3, key: I14_UNSET}}}\n";
    let wf = workflow(&env, MAIN, &dumping(&env, "ID", declared));
    let mut options = env.options();
    options.secrets_from_env = true;
    let s = run(&wf, &options).unwrap();
    let message = s.step("dump").unwrap().message.clone().unwrap();
    assert!(
        message.contains("env `ID`")
            && message.contains("Secret `s3` key `I14_UNSET`")
            && message.contains("`I14_UNSET` is not set in the environment (--secrets-from-env)"),
        "{message}"
    );
    unsafe {
        for k in ["I14_KEY", "I14_REGION", "I14_OTHER"] {
            std::env::remove_var(k);
        }
    }
}
