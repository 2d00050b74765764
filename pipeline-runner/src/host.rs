//! The sandboxed host executor: a container or script template that is not one of this
//! binary's components runs its `command` on this machine inside bubblewrap (`bwrap`), the
//! way its pod would see the world: the host's filesystem read-only, a private `/tmp`, private
//! directories wherever the template declares artifacts, output parameters, emptyDir mounts or
//! its working directory, and the script of a script template at `/argo/staging/script`
//! (`workflow/common/common.go` line 143), passed after `args` (`operator.go` line 3608).
//! Images are not pulled: `busybox`, `alpine`, `python`, `debian`, `ubuntu` and `bash` images
//! are emulated by the host's own tools (`python` runs `python3` when the host has only that).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use crate::argo::{Container, Template, Volume, Workflow};

/// A template's `initContainers`, run one after another in the sandbox before its main
/// container (as the kubelet runs them).
pub(crate) fn init_containers(template: &Template) -> Result<Vec<Container>, String> {
    match template.other.get("initContainers") {
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("initContainers: {e}")),
        None => Ok(Vec::new()),
    }
}

/// A template's own `volumes`.
pub(crate) fn template_volumes(template: &Template) -> Result<Vec<Volume>, String> {
    match template.other.get("volumes") {
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("volumes: {e}")),
        None => Ok(Vec::new()),
    }
}

/// Images whose tools the host stands in for.
const EMULATED: &[&str] = &["busybox", "alpine", "python", "debian", "ubuntu", "bash"];

/// Top-level directories that stay the host's, read-only.
const SYSTEM: &[&str] = &[
    "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "proc", "dev", "sys", "run",
];

/// Where scripts are staged in the sandbox (Argo's `ExecutorScriptSourcePath`).
pub(crate) const SCRIPT_PATH: &str = "/argo/staging/script";

/// The PATH a step sees.
pub(crate) const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// True for a template that runs one of this binary's components (`args: [component, NAME,
/// ...]`), which the runner spawns itself; every other leaf template needs the host executor.
pub(crate) fn is_component(template: &Template) -> bool {
    template.script.is_none()
        && template
            .container
            .as_ref()
            .is_some_and(|c| c.args.first().is_some_and(|a| a == "component"))
}

/// Why the host executor cannot stand in for `image`, if it cannot.
pub(crate) fn image_refusal(image: &str) -> Option<String> {
    let lower = image.to_ascii_lowercase();
    if lower.contains("windows") || lower.contains("nanoserver") {
        return Some(format!("Windows image `{image}`"));
    }
    let name = lower.split(['@', ':']).next().unwrap_or_default();
    let base = name.strip_prefix("docker.io/").unwrap_or(name);
    let base = base.strip_prefix("library/").unwrap_or(base);
    (!EMULATED.contains(&base)).then(|| {
        format!(
            "image `{image}` (the host executor emulates only {} images)",
            EMULATED.join(", ")
        )
    })
}

/// The `bwrap` binary, or why there is none.
pub(crate) fn bwrap() -> Result<PathBuf, String> {
    find_on_path("bwrap").ok_or_else(|| {
        "--executor host needs bubblewrap (`bwrap`), which is not installed: apt-get install bubblewrap".into()
    })
}

/// `program` on the runner's PATH.
fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()
        .and_then(|p| in_dirs(p, program))
}

/// `program` in one of the `:`-separated `dirs`.
fn in_dirs(dirs: &str, program: &str) -> Option<PathBuf> {
    dirs.split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// Says once per run that images are not pulled, when the host executor runs anything.
pub(crate) fn announce(workflow: &Workflow) {
    let images: BTreeSet<&str> = workflow
        .spec
        .templates
        .iter()
        .filter(|t| !is_component(t))
        .filter_map(|t| t.main_container().map(|c| c.image.as_str()))
        .collect();
    if !images.is_empty() {
        let list: Vec<&str> = images.into_iter().collect();
        tracing::warn!(
            "images are not pulled: the host executor runs each step with this machine's tools, read-only, in bubblewrap ({})",
            list.join(", ")
        );
    }
}

/// A container path inside the sandbox's private root `root` (absolute, plain components).
pub(crate) fn local_path(container: &str, root: &Path) -> Result<PathBuf, String> {
    let path = Path::new(container);
    if !path.is_absolute() {
        return Err(format!("path `{container}` is not absolute"));
    }
    let rel: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::RootDir))
        .collect();
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(format!("path `{container}` is not a plain path"));
    }
    match rel.components().next() {
        Some(Component::Normal(top)) if SYSTEM.contains(&top.to_string_lossy().as_ref()) => {
            Err(format!(
                "path `{container}` is under /{}, which the host executor keeps read-only",
                top.to_string_lossy()
            ))
        }
        Some(_) => Ok(root.join(rel)),
        None => Err(format!("path `{container}` is the root")),
    }
}

/// The top-level directories the template writes to (private in the sandbox): `/tmp`, and the
/// first component of every artifact, output parameter, emptyDir mount and working directory.
fn private_tops(template: &Template) -> BTreeSet<String> {
    let mut paths: Vec<&str> = vec!["/tmp"];
    for io in [template.inputs.as_ref().map(|i| &i.artifacts), None]
        .into_iter()
        .flatten()
    {
        paths.extend(io.iter().filter_map(|a| a.path.as_deref()));
    }
    if let Some(o) = &template.outputs {
        paths.extend(o.artifacts.iter().filter_map(|a| a.path.as_deref()));
        paths.extend(
            o.parameters
                .iter()
                .filter_map(|p| p.value_from.as_ref()?.path.as_deref()),
        );
    }
    if let Some(c) = template.main_container() {
        paths.extend(c.volume_mounts.iter().map(|m| m.mount_path.as_str()));
        paths.extend(c.working_dir.as_deref());
    }
    if template.script.is_some() {
        paths.push(SCRIPT_PATH);
    }
    // A path directly under `/` (`/result.txt`) needs no directory of its own: the sandbox's
    // root is the private `root` itself.
    paths
        .into_iter()
        .filter_map(|p| {
            let (top, _) = p.trim_start_matches('/').split_once('/')?;
            (!top.is_empty() && !SYSTEM.contains(&top)).then(|| top.to_owned())
        })
        .chain(["tmp".to_owned()])
        .collect()
}

/// Creates the sandbox's private directories under `root` (with the emptyDir mount points and
/// the working directory), writes a script template's `source`, and returns `bwrap`'s argv
/// running `command` + `args` (+ the script). `projected` holds the files of the Secret and
/// ConfigMap volumes, by volume name, mounted read-only.
pub(crate) fn command(
    template: &Template,
    container: &Container,
    root: &Path,
    (command, args, source): (&[String], &[String], Option<&str>),
    projected: &BTreeMap<String, PathBuf>,
    hostname: &str,
) -> Result<Vec<String>, String> {
    let io = |what: &Path, e: std::io::Error| format!("cannot create {}: {e}", what.display());
    let tops = private_tops(template);
    for top in &tops {
        let dir = root.join(top);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    }
    for mount in &container.volume_mounts {
        if projected.contains_key(&mount.name) {
            continue;
        }
        let dir = local_path(&mount.mount_path, root)?;
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    }
    let cwd = container.working_dir.clone().unwrap_or_else(|| "/".into());
    if cwd != "/" {
        let dir = local_path(&cwd, root)?;
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    }
    let mut argv: Vec<String> = vec![
        "--bind".into(),
        root.to_string_lossy().into_owned(),
        "/".into(),
        "--die-with-parent".into(),
        "--unshare-pid".into(),
        "--unshare-ipc".into(),
        "--unshare-uts".into(),
        "--hostname".into(),
        hostname.chars().take(63).collect(),
    ];
    let entries = std::fs::read_dir("/").map_err(|e| format!("cannot list /: {e}"))?;
    let mut names: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    names.sort();
    for (name, path) in names {
        if tops.contains(&name) || ["proc", "dev"].contains(&name.as_str()) {
            continue;
        }
        match std::fs::read_link(&path) {
            // Made by an earlier container of the same pod (an init container).
            Ok(_) if root.join(&name).symlink_metadata().is_ok() => {}
            Ok(target) => argv.extend([
                "--symlink".into(),
                target.to_string_lossy().into_owned(),
                format!("/{name}"),
            ]),
            Err(_) => argv.extend([
                "--ro-bind-try".into(),
                format!("/{name}"),
                format!("/{name}"),
            ]),
        }
    }
    argv.extend([
        "--proc".into(),
        "/proc".into(),
        "--dev".into(),
        "/dev".into(),
    ]);
    for top in &tops {
        argv.extend([
            "--bind".into(),
            root.join(top).to_string_lossy().into_owned(),
            format!("/{top}"),
        ]);
    }
    // An emptyDir volume is a mount of its own in the pod (it shows in /proc/mounts).
    // A Secret or ConfigMap volume is its files, read-only (only `subPath` with one).
    let mut mounts: Vec<_> = container.volume_mounts.iter().collect();
    mounts.sort_by_key(|m| m.mount_path.matches('/').count());
    for mount in mounts {
        let (bind, dir) = match projected.get(&mount.name) {
            Some(files) => {
                let sub = mount.sub_path.as_deref().unwrap_or_default();
                let plain = Path::new(sub)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)));
                let sub = files.join(sub);
                if !plain || !sub.exists() {
                    return Err(format!(
                        "volume `{}` has no `{}` (subPath)",
                        mount.name,
                        mount.sub_path.as_deref().unwrap_or_default()
                    ));
                }
                ("--ro-bind", sub)
            }
            None => ("--bind", local_path(&mount.mount_path, root)?),
        };
        argv.extend([
            bind.into(),
            dir.to_string_lossy().into_owned(),
            mount.mount_path.clone(),
        ]);
    }
    argv.extend(["--chdir".into(), cwd, "--".into()]);
    let mut program = command.to_vec();
    if program.is_empty() {
        return Err(
            "the template sets no `command` (an image's entrypoint cannot be emulated)".into(),
        );
    }
    // The step's PATH is PATH, not the runner's (which may hold a virtualenv's `python`).
    if program[0] == "python" && in_dirs(PATH, "python").is_none() {
        program[0] = "python3".into();
    }
    argv.extend(program);
    argv.extend(args.iter().cloned());
    if let Some(source) = source {
        let file = local_path(SCRIPT_PATH, root)?;
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&file, source).map_err(|e| io(&file, e))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| io(&file, e))?;
        argv.push(SCRIPT_PATH.into());
    }
    Ok(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_paths_into_the_private_root_and_refuses_system_dirs() {
        let root = Path::new("/w/root");
        assert_eq!(
            local_path("/tmp/a.txt", root).unwrap(),
            root.join("tmp/a.txt")
        );
        assert!(local_path("/usr/bin/x", root).is_err());
        assert!(local_path("/tmp/../etc", root).is_err());
        assert!(local_path("rel", root).is_err());
        assert_eq!(image_refusal("busybox"), None);
        assert_eq!(image_refusal("python:alpine3.6"), None);
        assert_eq!(image_refusal("docker.io/library/alpine:3.19"), None);
        assert!(image_refusal("argoproj/argosay:v2").is_some());
        assert!(image_refusal("mcr.microsoft.com/windows/nanoserver:1809")
            .unwrap()
            .starts_with("Windows"));
    }
}
