//! The indexed dependency graph: same answers as the straightforward search it replaced, on
//! random graphs (cycles, repeated names); large graphs without recursion.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::validate::graph::DepGraph;

/// The former implementation: a recursive DFS over name-keyed sets.
mod reference {
    use super::*;

    pub type Graph<'a> = BTreeMap<&'a str, BTreeSet<&'a str>>;

    pub fn find_cycle(tasks: &[DagTask], graph: &Graph<'_>) -> Option<Vec<String>> {
        fn visit<'a>(
            n: &'a str,
            graph: &Graph<'a>,
            done: &mut BTreeSet<&'a str>,
            stack: &mut Vec<&'a str>,
        ) -> Option<Vec<String>> {
            if done.contains(n) {
                return None;
            }
            if let Some(pos) = stack.iter().position(|x| *x == n) {
                let mut cycle: Vec<String> = stack[pos..].iter().map(|s| s.to_string()).collect();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            stack.push(n);
            for dep in graph.get(n).into_iter().flatten() {
                if let Some(c) = visit(dep, graph, done, stack) {
                    return Some(c);
                }
            }
            stack.pop();
            done.insert(n);
            None
        }
        let mut done = BTreeSet::new();
        tasks
            .iter()
            .find_map(|t| visit(&t.name, graph, &mut done, &mut Vec::new()))
    }

    pub fn ancestors(name: &str, graph: &Graph<'_>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = graph.get(name).into_iter().flatten().copied().collect();
        while let Some(n) = todo.pop() {
            if n != name && seen.insert(n.to_string()) {
                todo.extend(graph.get(n).into_iter().flatten().copied());
            }
        }
        seen
    }
}

/// A small deterministic pseudo-random generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn named(name: String) -> DagTask {
    DagTask {
        name,
        ..Default::default()
    }
}

#[test]
fn matches_the_former_search_on_random_graphs() {
    let mut rng = Lcg(7);
    for _ in 0..3000 {
        let n = 1 + rng.below(10);
        // Names from a pool a little smaller than n at times: repeated names share a node.
        let pool = n + 2 - rng.below(3).min(n);
        let tasks: Vec<DagTask> = (0..n)
            .map(|_| named(format!("t{}", rng.below(pool))))
            .collect();
        let mut graph = DepGraph::new(&tasks);
        let mut reference = reference::Graph::new();
        for task in &tasks {
            let edges = reference.entry(task.name.as_str()).or_default();
            let id = graph.id(&task.name).expect("known");
            for _ in 0..rng.below(4) {
                let dep = &tasks[rng.below(n)].name;
                if *dep != task.name {
                    edges.insert(dep.as_str());
                    graph.add_dep(id, graph.id(dep).expect("known"));
                }
            }
        }
        graph.finish();
        assert_eq!(
            graph.find_cycle(),
            reference::find_cycle(&tasks, &reference),
            "{reference:?}"
        );
        for task in &tasks {
            let ancestors = reference::ancestors(&task.name, &reference);
            let id = graph.id(&task.name).expect("known");
            for other in tasks.iter().filter(|t| t.name != task.name) {
                assert_eq!(
                    graph.is_upstream(&other.name, id),
                    ancestors.contains(&other.name),
                    "{} upstream of {} in {reference:?}",
                    other.name,
                    task.name
                );
            }
        }
    }
}

#[test]
fn long_chains_need_no_recursion() {
    let n = 1_000_000;
    let tasks: Vec<DagTask> = (0..n).map(|i| named(format!("t{i}"))).collect();
    let mut graph = DepGraph::new(&tasks);
    for i in 1..n {
        graph.add_dep(i, i - 1);
    }
    graph.finish();
    assert_eq!(graph.find_cycle(), None);
    assert!(graph.is_upstream("t0", n - 1));
    assert!(!graph.is_upstream("t5", 4));
    graph.add_dep(0, n - 1);
    graph.finish();
    let cycle = graph.find_cycle().expect("a cycle");
    assert_eq!(cycle.len(), n + 1);
    assert_eq!((cycle[0].as_str(), cycle[1].as_str()), ("t0", "t999999"));
    assert_eq!(cycle[n], "t0");
}

/// `main` as a chain of `n` publish tasks, each gated on the first one's status.
fn chain(n: usize) -> Workflow {
    let mut wf = fixture();
    let tasks = &mut tmpl(&mut wf, "main").dag.as_mut().expect("dag").tasks;
    *tasks = (0..n)
        .map(|i| DagTask {
            name: format!("p{i:05}"),
            template: s("publish"),
            depends: (i > 0).then(|| format!("p{:05}", i - 1)),
            when: (i > 1).then(|| s("{{tasks.p00000.status}} == Succeeded")),
            ..Default::default()
        })
        .collect();
    wf
}

#[test]
fn large_dags_keep_their_errors() {
    let n = 5_000;
    let too_many = "template \"main\": has 5000 tasks, more than the 200 the CRD allows";
    let mut wf = chain(n);
    assert_eq!(errors(&wf), [too_many]);

    // A cycle through the whole chain is named in full.
    task(&mut wf, "main", "p00000").depends = Some(format!("p{:05}", n - 1));
    let errs = errors(&wf);
    let names: Vec<String> = [0]
        .into_iter()
        .chain((1..n).rev())
        .chain([0])
        .map(|i| format!("p{i:05}"))
        .collect();
    let cycle = format!(
        "template \"main\": dependency cycle: {}",
        names.join(" -> ")
    );
    assert_eq!(errs.len(), 2, "{:?}", &errs[..errs.len().min(3)]);
    assert_eq!(errs[0], too_many);
    assert!(errs[1].starts_with(&cycle), "{}", &errs[1][..200]);

    // A task that is not upstream, referenced at the end of the chain.
    let mut wf = chain(n);
    let tasks = &mut tmpl(&mut wf, "main").dag.as_mut().expect("dag").tasks;
    tasks.push(DagTask {
        name: s("side"),
        template: s("publish"),
        ..Default::default()
    });
    tasks[n - 1].when = Some(s("{{tasks.side.status}} == Succeeded"));
    let errs = errors(&wf);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[1].contains("task \"side\" is not upstream of task \"p04999\""),
        "{errs:?}"
    );
}
