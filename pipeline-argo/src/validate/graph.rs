//! The dependency graph of one DAG, indexed once so that every question about it is linear in
//! tasks + edges: name lookups (hash map), the cycle search (iterative DFS, no recursion) and
//! "is T upstream of X" (direct dependency by binary search; otherwise one traversal per distinct
//! target T, memoized as a bitset of the tasks downstream of T).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use crate::model::DagTask;

/// Tasks are numbered by first appearance of their name; a repeated name (reported elsewhere)
/// shares the number, and the edges, of its first task.
pub(crate) struct DepGraph<'a> {
    ids: HashMap<&'a str, usize>,
    names: Vec<&'a str>,
    /// The number of each task of the DAG, by position.
    of_task: Vec<usize>,
    /// Direct dependencies of each task, sorted by name, without repeats.
    deps: Vec<Vec<usize>>,
    /// Reverse edges, built on the first query that is not a direct dependency.
    dependents: OnceCell<Vec<Vec<usize>>>,
    /// Target -> bitset of the tasks that (transitively) depend on it.
    downstream: RefCell<HashMap<usize, Vec<u64>>>,
}

impl<'a> DepGraph<'a> {
    /// A graph of `tasks` without edges.
    pub fn new(tasks: &'a [DagTask]) -> Self {
        let mut ids = HashMap::with_capacity(tasks.len());
        let mut names = Vec::with_capacity(tasks.len());
        let of_task = tasks
            .iter()
            .map(|t| {
                *ids.entry(t.name.as_str()).or_insert_with(|| {
                    names.push(t.name.as_str());
                    names.len() - 1
                })
            })
            .collect();
        DepGraph {
            deps: vec![Vec::new(); names.len()],
            ids,
            names,
            of_task,
            dependents: OnceCell::new(),
            downstream: RefCell::default(),
        }
    }

    /// The number of the `i`-th task of the DAG.
    pub fn task(&self, i: usize) -> usize {
        self.of_task[i]
    }

    /// The number of the task called `name`.
    pub fn id(&self, name: &str) -> Option<usize> {
        self.ids.get(name).copied()
    }

    /// `task` depends on `dep`. Call [`DepGraph::finish`] after the last edge.
    pub fn add_dep(&mut self, task: usize, dep: usize) {
        self.deps[task].push(dep);
    }

    /// Sorts the dependencies by name (the order the cycle search follows) and drops repeats.
    pub fn finish(&mut self) {
        let names = &self.names;
        for d in &mut self.deps {
            d.sort_unstable_by_key(|&i| names[i]);
            d.dedup();
        }
    }

    /// The first cycle met by a depth-first search from each task in order, following
    /// dependencies by name, closed: e.g. `[a, b, a]`.
    pub fn find_cycle(&self) -> Option<Vec<String>> {
        const NEW: usize = usize::MAX;
        const DONE: usize = usize::MAX - 1;
        // NEW, DONE, or the task's position on the DFS stack.
        let mut state = vec![NEW; self.names.len()];
        // (task, index of the next dependency to follow)
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for start in 0..self.names.len() {
            if state[start] != NEW {
                continue;
            }
            state[start] = 0;
            stack.push((start, 0));
            while let Some((task, next)) = stack.last_mut() {
                let Some(&dep) = self.deps[*task].get(*next) else {
                    state[*task] = DONE;
                    stack.pop();
                    continue;
                };
                *next += 1;
                match state[dep] {
                    DONE => {}
                    NEW => {
                        state[dep] = stack.len();
                        stack.push((dep, 0));
                    }
                    pos => {
                        let on_cycle = stack[pos..].iter().map(|&(t, _)| t).chain([dep]);
                        return Some(on_cycle.map(|t| self.names[t].to_string()).collect());
                    }
                }
            }
        }
        None
    }

    /// `target` is a transitive dependency of `task` (`task` itself only through a cycle).
    pub fn is_upstream(&self, target: &str, task: usize) -> bool {
        let direct = self.deps[task].binary_search_by_key(&target, |&d| self.names[d]);
        if direct.is_ok() {
            return true;
        }
        let Some(target) = self.id(target) else {
            return false;
        };
        let mut memo = self.downstream.borrow_mut();
        let bits = memo
            .entry(target)
            .or_insert_with(|| self.downstream_of(target));
        bits[task / 64] & (1 << (task % 64)) != 0
    }

    /// Bitset of the tasks reachable from `target` through reverse edges.
    fn downstream_of(&self, target: usize) -> Vec<u64> {
        let dependents = self.dependents.get_or_init(|| {
            let mut r = vec![Vec::new(); self.names.len()];
            for (task, deps) in self.deps.iter().enumerate() {
                for &d in deps {
                    r[d].push(task);
                }
            }
            r
        });
        let mut bits = vec![0u64; self.names.len().div_ceil(64)];
        let mut todo = vec![target];
        while let Some(t) = todo.pop() {
            for &n in &dependents[t] {
                if bits[n / 64] & (1 << (n % 64)) == 0 {
                    bits[n / 64] |= 1 << (n % 64);
                    todo.push(n);
                }
            }
        }
        bits
    }
}
