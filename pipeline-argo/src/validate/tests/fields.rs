//! Retry strategies, durations, memoization, quantities, containers and volumes.

use super::*;

fn retry(wf: &mut Workflow) -> &mut RetryStrategy {
    tmpl(wf, "train").retry_strategy.as_mut().expect("retry")
}

#[test]
fn retry_policy_is_known() {
    let mut wf = fixture();
    retry(&mut wf).retry_policy = Some(s("OnCrash"));
    assert_one_error(
        &wf,
        &["template \"train\"", "retryPolicy \"OnCrash\" is invalid"],
    );
}

#[test]
fn empty_retry_strategy_is_rejected() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").retry_strategy = Some(RetryStrategy::default());
    assert_one_error(&wf, &["template \"train\"", "retryStrategy is empty ({})"]);
}

#[test]
fn retry_strategy_needs_a_bound() {
    let mut wf = fixture();
    let r = retry(&mut wf);
    r.limit = None;
    r.backoff.as_mut().expect("backoff").max_duration = None;
    assert_one_error(&wf, &["template \"train\"", "has no limit"]);
}

#[test]
fn retry_limit_is_an_integer_or_tag() {
    let mut wf = fixture();
    retry(&mut wf).limit = Some(s("two"));
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "retryStrategy.limit \"two\" must be an integer",
        ],
    );
    retry(&mut wf).limit = Some(s("-1"));
    assert_one_error(&wf, &["retryStrategy.limit \"-1\" must not be negative"]);
    retry(&mut wf).limit = Some(s("{{inputs.parameters.fold}}"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn backoff_needs_a_duration() {
    let mut wf = fixture();
    retry(&mut wf).backoff.as_mut().expect("backoff").duration = None;
    assert_one_error(&wf, &["template \"train\"", "backoff needs a duration"]);
}

#[test]
fn backoff_factor_is_an_integer() {
    let mut wf = fixture();
    retry(&mut wf).backoff.as_mut().expect("backoff").factor = Some(s("1.5"));
    assert_one_error(
        &wf,
        &["retryStrategy.backoff.factor \"1.5\" must be an integer"],
    );
}

#[test]
fn backoff_durations_are_seconds_or_go_durations() {
    let mut wf = fixture();
    retry(&mut wf)
        .backoff
        .as_mut()
        .expect("backoff")
        .max_duration = Some(s("1d"));
    assert_one_error(
        &wf,
        &["retryStrategy.backoff.maxDuration \"1d\" is not a valid duration"],
    );
    retry(&mut wf)
        .backoff
        .as_mut()
        .expect("backoff")
        .max_duration = Some(s("900"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn timeout_is_a_go_duration() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").timeout = Some(s("600"));
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "timeout \"600\" is not a valid Go duration",
        ],
    );
    tmpl(&mut wf, "train").timeout = Some(s("10m"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn active_deadline_seconds_is_a_non_negative_integer() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").active_deadline_seconds = Some(s("-5"));
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "activeDeadlineSeconds \"-5\" must not be negative",
        ],
    );
}

fn memoize(key: &str, max_age: &str, cache: &str) -> Memoize {
    Memoize {
        key: s(key),
        max_age: s(max_age),
        cache: Cache {
            config_map: LocalObjectReference { name: s(cache) },
        },
    }
}

#[test]
fn memoize_rules() {
    let mut wf = fixture();
    let good = "train-v3-{{=sprig.sha256sum(inputs.parameters.fold)}}";
    tmpl(&mut wf, "train").memoize = Some(memoize(good, "720h", "train-cache"));
    assert_eq!(validate_workflow(&wf), Ok(()));
    tmpl(&mut wf, "train").memoize =
        Some(memoize("train_v3.{{inputs.parameters.fold}}", "720h", "c"));
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "memoize.key \"train_v3.{{inputs.parameters.fold}}\"",
        ],
    );
    tmpl(&mut wf, "train").memoize = Some(memoize(good, "30d", "c"));
    assert_one_error(&wf, &["memoize.maxAge \"30d\" is not a valid Go duration"]);
    tmpl(&mut wf, "train").memoize = Some(memoize(good, "", ""));
    assert_one_error(&wf, &["memoize.cache.configMap.name is required"]);
}

#[test]
fn resource_quantities() {
    let mut wf = fixture();
    let c = tmpl(&mut wf, "train")
        .container
        .as_mut()
        .expect("container");
    c.resources = Some(ResourceRequirements {
        requests: [(s("cpu"), s("500m")), (s("memory"), s("512MB"))]
            .into_iter()
            .collect(),
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "container.resources.requests.memory \"512MB\" is not a valid Kubernetes quantity",
        ],
    );
}

#[test]
fn empty_dir_size_limit_is_a_quantity() {
    let mut wf = fixture();
    wf.spec.volumes[0]
        .empty_dir
        .as_mut()
        .expect("emptyDir")
        .size_limit = Some(s("1 GB"));
    assert_one_error(&wf, &["volumes.scratch.emptyDir.sizeLimit \"1 GB\""]);
}

#[test]
fn volume_mounts_name_declared_volumes() {
    let mut wf = fixture();
    tmpl(&mut wf, "train")
        .container
        .as_mut()
        .expect("c")
        .volume_mounts[0]
        .name = s("scrach");
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "volumeMount \"scrach\" refers to a volume not declared",
        ],
    );
}

#[test]
fn volume_names_are_unique() {
    let mut wf = fixture();
    let v = wf.spec.volumes[0].clone();
    wf.spec.volumes.push(v);
    assert_one_error(
        &wf,
        &["spec.volumes", "volume name \"scratch\" is not unique"],
    );
}

#[test]
fn mount_paths_do_not_collide_with_input_artifacts() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .path = Some(s("/scratch"));
    assert_one_error(
        &wf,
        &[
            "template \"evaluate\"",
            "path \"/scratch\" is already used by volumeMount \"scratch\"",
        ],
    );
}

#[test]
fn container_image_is_required() {
    let mut wf = fixture();
    tmpl(&mut wf, "cleanup")
        .container
        .as_mut()
        .expect("c")
        .image = s(" ");
    assert_one_error(
        &wf,
        &["template \"cleanup\"", "container.image may not be empty"],
    );
}

#[test]
fn env_value_and_value_from() {
    let mut wf = fixture();
    let env = &mut tmpl(&mut wf, "train").container.as_mut().expect("c").env[0];
    env.value_from = Some(EnvVarSource {
        secret_key_ref: Some(SecretKeySelector {
            name: s("s"),
            key: s("k"),
            optional: None,
        }),
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "env \"HOME\" sets both value and valueFrom",
        ],
    );
}
