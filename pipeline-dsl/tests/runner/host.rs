//! The sandboxed host executor (`--executor host`): container and script templates that are
//! not components run their command in bubblewrap; what cannot be emulated is refused before
//! anything runs.

use pipeline_dsl::runner::{
    run, Executor, RunOptions, RunSummary, RunnerError, StepStatus, WorkflowStatus,
};

use crate::{statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "host_executor_runs_scripts_and_containers_in_a_sandbox",
        host_executor_runs_scripts_and_containers_in_a_sandbox,
    ),
    (
        "host_outputs_result_exit_code_and_with_param",
        host_outputs_result_exit_code_and_with_param,
    ),
    (
        "unemulable_features_are_refused_before_any_step_runs",
        unemulable_features_are_refused_before_any_step_runs,
    ),
    (
        "secret_and_configmap_volumes_are_mounted_read_only",
        secret_and_configmap_volumes_are_mounted_read_only,
    ),
    (
        "an_init_container_has_its_own_env_name_and_argo_template",
        an_init_container_has_its_own_env_name_and_argo_template,
    ),
];

/// `workflowpod.go` lines 624 and 676-680: a template's init container gets its own `env`,
/// then `ARGO_CONTAINER_NAME` (its name) and `ARGO_TEMPLATE` (the template, parameters
/// resolved and `inputs.parameters` dropped, lines 636-640); the main container gets neither
/// its init container's variables nor `ARGO_TEMPLATE` (the default, legacy pod layout stages
/// the template in a file: `workflowpod_layout.go` lines 90-93).
fn an_init_container_has_its_own_env_name_and_argo_template() {
    let Some(env) = sandbox() else { return };
    let s = run_host(
        &env,
        r#"
    - name: main
      steps: [[{name: s, template: t, arguments: {parameters: [{name: p, value: v}]}}]]
    - name: t
      inputs: {parameters: [{name: p}]}
      initContainers:
        - name: prep
          image: alpine:3.19
          command: [sh, -c]
          args: ['echo "$ARGO_CONTAINER_NAME $OWN" > /tmp/init; printenv ARGO_TEMPLATE > /tmp/template']
          env: [{name: OWN, value: "own-{{inputs.parameters.p}}"}]
      container:
        image: alpine:3.19
        command: [sh, -c]
        args: ['echo "$(cat /tmp/init) $ARGO_CONTAINER_NAME ${OWN:-unset} ${ARGO_TEMPLATE:-none} {{inputs.parameters.p}}" > /tmp/out']
      outputs:
        parameters:
          - {name: out, valueFrom: {path: /tmp/out}}
          - {name: template, valueFrom: {path: /tmp/template}}
"#,
    );
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
    let step = s.step("s").unwrap();
    assert_eq!(
        step.parameters["out"].trim_end(),
        "prep own-v main unset none v"
    );
    let template: serde_json::Value =
        serde_json::from_str(step.parameters["template"].trim_end()).expect("JSON");
    assert_eq!(template["name"], "t");
    assert_eq!(template["inputs"], serde_json::json!({}));
    assert_eq!(
        template["initContainers"][0]["env"][0]["value"], "own-v",
        "resolved: {template}"
    );
}

/// A fresh test environment for a run in the sandbox, or `None` (after saying so) when
/// bubblewrap is missing; under `REQUIRE_SERVICES=1` (as scripts/test.sh runs) a missing
/// `bwrap` fails the test instead.
fn sandbox() -> Option<Env> {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("bwrap").is_file()));
    if !found {
        assert!(
            std::env::var_os("REQUIRE_SERVICES").is_none_or(|v| v != "1"),
            "bubblewrap (`bwrap`) is not installed and REQUIRE_SERVICES=1: apt-get install bubblewrap"
        );
        eprintln!("skipped: bubblewrap (`bwrap`) is not installed");
    }
    found.then(Env::new)
}

fn host_options(env: &Env) -> RunOptions {
    RunOptions {
        executor: Executor::Host,
        ..env.options()
    }
}

fn run_host(env: &Env, templates: &str) -> RunSummary {
    let yaml = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {{generateName: host-}}\nspec:\n  entrypoint: main\n  templates:\n{templates}"
    );
    let wf = pipeline_dsl::argo::from_yaml(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    run(&wf, &host_options(env)).expect("runs")
}

/// A script's `source` runs through its `command` (`python` is `python3` on this host), after
/// `args` (`operator.go` line 3608); an output artifact written under a private `/tmp` reaches
/// the next step at its declared input path; the host filesystem is read-only; a step sees
/// only its declared environment.
fn host_executor_runs_scripts_and_containers_in_a_sandbox() {
    let Some(env) = sandbox() else { return };
    let outside = env.path("outside.txt");
    let s = run_host(
        &env,
        &format!(
            r#"
    - name: main
      steps:
        - - {{name: write, template: write}}
        - - name: read
            template: read
            arguments: {{artifacts: [{{name: note, from: "{{{{steps.write.outputs.artifacts.note}}}}"}}]}}
          - {{name: escape, template: escape, continueOn: {{failed: true}}}}
    - name: write
      script:
        image: python:alpine3.6
        command: [python]
        env: [{{name: GREETING, value: hello}}]
        source: |
          import os
          open("/tmp/note.txt", "w").write(os.environ["GREETING"] + " " + " ".join(sorted(os.environ)))
      outputs: {{artifacts: [{{name: note, path: /tmp/note.txt}}]}}
    - name: read
      inputs: {{artifacts: [{{name: note, path: /mnt/in/note}}]}}
      container:
        image: busybox
        command: [sh, -c]
        args: ["cat /mnt/in/note > /tmp/seen; test ! -e /tmp/note.txt"]
      outputs: {{parameters: [{{name: seen, valueFrom: {{path: /tmp/seen}}}}]}}
    - name: escape
      container:
        image: alpine:3.19
        command: [sh, -c]
        args: ["echo x > {}"]
"#,
            outside.display()
        ),
    );
    assert_eq!(
        statuses(&s, "write"),
        [StepStatus::Succeeded],
        "{}",
        s.table()
    );
    assert_eq!(
        statuses(&s, "read"),
        [StepStatus::Succeeded],
        "{}",
        s.table()
    );
    let seen = &s.step("read").unwrap().parameters["seen"];
    let names: Vec<&str> = seen.split(' ').collect();
    assert_eq!(names[0], "hello");
    for name in &names[1..] {
        assert!(
            [
                "GREETING",
                "HOME",
                "HOSTNAME",
                "PATH",
                "PWD",
                "LC_CTYPE",
                "ARGO_CONTAINER_NAME",
                "ARGO_NODE_ID",
                "ARGO_DEADLINE",
                "ARGO_WORKFLOW_NAME"
            ]
            .contains(name),
            "a step sees only what its template declares, got {name} in {seen}"
        );
    }
    assert_eq!(
        statuses(&s, "escape"),
        [StepStatus::Failed],
        "read-only host"
    );
    assert!(!outside.exists(), "the host filesystem is read-only");
    assert_eq!(s.status, WorkflowStatus::Succeeded);
}

/// `outputs.result` is stdout less one trailing newline (`executor.go` lines 952-957);
/// `outputs.exitCode` is set on a failed pod too (`operator.go` line 1616); `withParam` fans out
/// over the JSON list an earlier step printed; a fan-out's `outputs.result` is the JSON list of
/// its items' results (`operator.go` lines 3780-3790).
fn host_outputs_result_exit_code_and_with_param() {
    let Some(env) = sandbox() else { return };
    let s = run_host(
        &env,
        r#"
    - name: main
      steps:
        - - {name: gen, template: sh, arguments: {parameters: [{name: cmd, value: "echo '[1, 2, 3]'"}]}}
          - {name: bad, template: sh, continueOn: {failed: true}, arguments: {parameters: [{name: cmd, value: "exit 3"}]}}
        - - {name: each, template: sh, withParam: "{{steps.gen.outputs.result}}", arguments: {parameters: [{name: cmd, value: "echo $(({{item}} * 10))"}]}}
        - - {name: sum, template: sh, when: "{{steps.bad.outputs.exitCode}} == 3", arguments: {parameters: [{name: cmd, value: "echo '{{steps.each.outputs.result}}'"}]}}
    - name: sh
      inputs: {parameters: [{name: cmd}]}
      container: {image: busybox, command: [sh, -c], args: ["{{inputs.parameters.cmd}}"]}
"#,
    );
    assert_eq!(statuses(&s, "bad"), [StepStatus::Failed]);
    assert_eq!(statuses(&s, "each").len(), 3, "{}", s.table());
    assert_eq!(
        statuses(&s, "sum"),
        [StepStatus::Succeeded],
        "{}",
        s.table()
    );
    let log = std::fs::read_to_string(s.step("sum").unwrap().log.as_ref().unwrap()).unwrap();
    assert!(log.contains("[10,20,30]"), "{log}");
    assert_eq!(s.status, WorkflowStatus::Succeeded);
}

/// What cannot be emulated is refused before any step runs, naming the feature and the
/// template: a resource template, a PVC, a container without `--executor host`.
fn unemulable_features_are_refused_before_any_step_runs() {
    let env = Env::new();
    let yaml = |extra: &str| {
        format!(
            r#"apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{generateName: refuse-}}
spec:
  entrypoint: main
  volumes: [{{name: data, persistentVolumeClaim: {{claimName: shared}}}}]
  templates:
    - name: main
      steps:
        - - {{name: first, template: touch}}
        - - {{name: then, template: {extra}}}
    - name: touch
      container: {{image: busybox, command: [touch, "{}"]}}
    - name: make
      resource: {{action: create, manifest: "kind: ConfigMap"}}
    - name: mount
      container: {{image: busybox, command: [ls], volumeMounts: [{{name: data, mountPath: /data}}]}}
"#,
            env.path("touched").display()
        )
    };
    for (extra, executor, feature, template) in [
        ("make", Executor::Host, "resource templates", "make"),
        ("mount", Executor::Host, "persistentVolumeClaim", "mount"),
        ("touch", Executor::Components, "--executor host", "touch"),
    ] {
        let wf = pipeline_dsl::argo::from_yaml(&yaml(extra)).unwrap();
        let options = RunOptions {
            executor,
            ..env.options()
        };
        match run(&wf, &options) {
            Err(e @ RunnerError::Unsupported { .. }) => {
                let text = e.to_string();
                assert!(
                    text.contains(feature) && text.contains(&format!("`{template}`")),
                    "{text}"
                );
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(!env.path("touched").exists(), "nothing ran");
        assert!(!env.artifacts().join("runs").exists(), "no run was started");
    }
}

/// Secret and ConfigMap volumes are their keys as files (`items` maps a key to a path;
/// `subPath` mounts one file), read-only, from `--secrets DIR` / `--configmaps DIR`, each file
/// with its item's `mode`, else the volume's `defaultMode` (Kubernetes' `KeyToPath.mode`,
/// `SecretVolumeSource.defaultMode`); a required one that is not at hand stops the run before
/// any step, naming it.
fn secret_and_configmap_volumes_are_mounted_read_only() {
    let Some(env) = sandbox() else { return };
    let secrets = env.path("secrets");
    let configmaps = env.path("configmaps");
    std::fs::create_dir_all(secrets.join("db")).unwrap();
    std::fs::create_dir_all(configmaps.join("settings")).unwrap();
    std::fs::write(secrets.join("db/user"), "alice").unwrap();
    std::fs::write(secrets.join("db/pass"), "s3cret").unwrap();
    std::fs::write(configmaps.join("settings/mode"), "fast").unwrap();
    std::fs::write(configmaps.join("settings/unlisted"), "no").unwrap();
    let yaml = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: vol-}
spec:
  entrypoint: main
  volumes:
    - {name: creds, secret: {secretName: db, defaultMode: 288}}
    - {name: conf, configMap: {name: settings, items: [{key: mode, path: sub/mode.txt, mode: 256}]}}
  templates:
    - name: main
      container:
        image: alpine:3.19
        command: [sh, -c]
        args:
          - >-
            echo "$(cat /secret/creds/user) $(cat /secret/creds/pass) $(cat /conf/sub/mode.txt)
            $(cat /one/pass) $(ls /conf | tr '\n' ,) $(stat -c %a /secret/creds/user /conf/sub/mode.txt | tr '\n' ,)" > /tmp/out;
            if touch /secret/creds/new 2>/dev/null; then echo writable >> /tmp/out; fi
        volumeMounts:
          - {name: creds, mountPath: /secret/creds}
          - {name: conf, mountPath: /conf}
          - {name: creds, mountPath: /one/pass, subPath: pass}
      outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}
"#;
    let wf = pipeline_dsl::argo::from_yaml(yaml).unwrap();
    let options = RunOptions {
        secrets: Some(secrets.clone()),
        configmaps: Some(configmaps.clone()),
        ..host_options(&env)
    };
    let s = run(&wf, &options).expect("runs");
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
    assert_eq!(
        s.step("main").unwrap().parameters["out"].trim_end(),
        "alice s3cret fast s3cret sub, 440,400,",
        "`defaultMode` 0440 (288) and the item's `mode` 0400 (256) apply"
    );

    // Without `--configmaps`, the required ConfigMap is named before anything runs.
    let env = Env::new();
    let options = RunOptions {
        secrets: Some(secrets),
        ..host_options(&env)
    };
    match run(&wf, &options) {
        Err(e @ RunnerError::Unsupported { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("volume `conf`")
                    && text.contains("ConfigMap `settings` key `mode`")
                    && text.contains("--configmaps DIR")
                    && text.contains("template `main`"),
                "{text}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
