//! Test fixtures shared by the unit tests of this module.

/// The complete workflow of PATTERNS.md §1.4 (pattern A fan-in, `when` gate, exit handler, retries,
/// non-root), verbatim. It passes `validate_crd.py` and `validate_schema.py --strict`.
pub(crate) const PATTERNS_1_4: &str = r#"apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: cv-train-
spec:
  entrypoint: main
  onExit: exit-handler
  artifactRepositoryRef:              # optional; omit to use the namespace default
    configMap: artifact-repositories
    key: default-v1-s3-artifact-repository
  securityContext:                    # PodSecurityContext: applies to init/wait too
    runAsNonRoot: true
    runAsUser: 8737
    runAsGroup: 8737
    fsGroup: 8737
    seccompProfile: {type: RuntimeDefault}
  volumes:
    - name: scratch
      emptyDir: {}
  arguments:
    parameters:
      - {name: folds, value: "5"}
      - {name: threshold, value: "0.8"}
  templates:
    - name: main
      dag:
        tasks:
          - name: train
            template: train
            withSequence: {count: "{{workflow.parameters.folds}}"}
            arguments:
              parameters: [{name: fold, value: "{{item}}"}]
          - name: evaluate
            template: evaluate
            depends: "train"
          - name: publish
            template: publish
            depends: "evaluate.Succeeded"
            when: "{{tasks.evaluate.outputs.parameters.accuracy}} >= {{workflow.parameters.threshold}}"
    - name: train
      inputs:
        parameters: [{name: fold}]
      retryStrategy:
        limit: "2"
        retryPolicy: OnError
        backoff: {duration: "30s", factor: "2", maxDuration: "15m"}
      container:
        image: ghcr.io/example/trainer:1.0.0
        command: [python, -m, trainer.train]
        args: ["--fold", "{{inputs.parameters.fold}}", "--out", "/scratch/out/model.bin"]
        env:
          - {name: HOME, value: /scratch/home}
          - {name: TMPDIR, value: /scratch/tmp}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
        volumeMounts: [{name: scratch, mountPath: /scratch}]
      outputs:
        artifacts:
          - name: model
            path: /scratch/out/model.bin
            archive: {none: {}}
            s3: {key: "{{workflow.name}}/cv-models/fold-{{inputs.parameters.fold}}.bin"}
    - name: evaluate
      inputs:
        artifacts:
          - name: models                    # gets fold-0.bin … fold-4.bin
            path: /scratch/in/models
            s3: {key: "{{workflow.name}}/cv-models/"}
      container:
        image: ghcr.io/example/trainer:1.0.0
        command: [python, -m, trainer.evaluate]
        args: ["--models-dir", "/scratch/in/models", "--metric-out", "/scratch/out/accuracy"]
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        volumeMounts: [{name: scratch, mountPath: /scratch}]
      outputs:
        parameters:
          - name: accuracy
            globalName: accuracy              # -> {{workflow.outputs.parameters.accuracy}}
            valueFrom: {path: /scratch/out/accuracy, default: "0"}
    - name: publish
      container:
        image: ghcr.io/example/trainer:1.0.0
        command: [python, -m, trainer.publish]
        args: ["--models-prefix", "{{workflow.name}}/cv-models/"]
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    - name: exit-handler
      dag:
        tasks:
          - name: notify
            template: notify
            arguments:
              parameters:
                - {name: status, value: "{{workflow.status}}"}
                - {name: failures, value: "{{workflow.failures}}"}
          - name: cleanup
            template: cleanup
            when: "{{workflow.status}} != Succeeded"
    - name: notify
      inputs:
        parameters: [{name: status}, {name: failures}]
      container:
        image: ghcr.io/example/notifier:1.0.0
        command: [notify]
        env:
          - {name: WF_STATUS, value: "{{inputs.parameters.status}}"}
          - {name: WF_FAILURES, value: "{{inputs.parameters.failures}}"}   # decode twice, see §3
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
    - name: cleanup
      container:
        image: ghcr.io/example/notifier:1.0.0
        command: [cleanup, "--prefix", "{{workflow.name}}/"]
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
"#;
