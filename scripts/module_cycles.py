#!/usr/bin/env python3
"""Module-level dependency cycles in crates (tests modules excluded).

Edges come from `crate::`, `super::` and `self::` paths, in `use` trees (groups included, nested or
not) and inline in code; a path that ends at an item re-exported with `pub use` is followed to the
module that defines the item, so a re-export in a parent module (`pipeline/mod.rs`) does not hide a
dependency between its children. A child naming its own ancestor is not an edge (the ancestor
declares it). Prints each strongly connected component of more than one module, then the count.

Usage: scripts/module_cycles.py pipeline-argo/src pipeline-runner/src ..."""
import os, re, sys


def load(root):
    mods = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if not f.endswith('.rs'):
                continue
            p = os.path.join(d, f)
            m = os.path.relpath(p, root)[:-3].split(os.sep)
            if m[-1] in ('lib', 'main', 'mod'):
                m = m[:-1]
            if 'tests' in m or 'testdata' in m:
                continue
            text = open(p).read().split('#[cfg(test)]')[0]
            mods[tuple(m)] = re.sub(r'//[^\n]*', '', text)
    return mods


def expand(tree):
    """`a::{b, c::{d, e}}` -> [[a, b], [a, c, d], [a, c, e]] (`as` renames already removed)."""
    tree = re.sub(r'\s+', '', tree)
    out, depth, start, parts = [], 0, 0, []
    for i, ch in enumerate(tree + ','):
        if ch == '{':
            depth += 1
        elif ch == '}':
            depth -= 1
        elif ch == ',' and depth == 0:
            parts.append(tree[start:i]); start = i + 1
    for part in filter(None, parts):
        if '{' in part:
            head, inner = part.split('{', 1)
            prefix = [s for s in head.split('::') if s]
            out += [prefix + p for p in expand(inner.rsplit('}', 1)[0])]
        else:
            out.append(part.split('::'))
    return [[s for s in p if s and s != '*'] for p in out]


def absolute(mods, m, parts):
    """The path `parts` written in module `m`, from the crate root; None if outside the crate."""
    if not parts:
        return None
    if parts[0] == 'crate':
        return parts[1:]
    if parts[0] in ('self', 'super'):
        base = list(m)
        if parts[0] == 'self':
            parts = parts[1:]
        while parts and parts[0] == 'super':
            base = base[:-1]; parts = parts[1:]
        return base + parts
    if tuple(m) + (parts[0],) in mods:
        return list(m) + parts
    return None


def uses(text):
    """(is it a `pub` re-export, the use tree without `as` renames) for each `use` statement."""
    for u in re.finditer(r'(\bpub(?:\([\w ]+\))?\s+)?\buse\s+([^;]+);', text):
        yield bool(u.group(1)), re.sub(r'\bas\s+\w+', '', u.group(2))


def scan(root):
    mods = load(root)
    reexports = {}
    for m, text in mods.items():
        for public, tree in uses(text):
            if not public:
                continue
            for p in expand(tree):
                a = absolute(mods, m, p)
                if a:
                    reexports[(m, p[-1])] = tuple(a)

    def module_of(path, hops=0):
        target, i = (), 0
        while i < len(path) and target + (path[i],) in mods:
            target += (path[i],); i += 1
        if i < len(path) and (target, path[i]) in reexports and hops < 10:
            return module_of(list(reexports[(target, path[i])]), hops + 1)
        return target

    edges = {m: set() for m in mods}
    for m, text in mods.items():
        paths = [p for _, tree in uses(text) for p in expand(tree)]
        code = re.sub(r'\buse\s+[^;]+;', '', text)
        paths += [p.split('::') for p in re.findall(r'\b(?:crate|super|self)(?:::\w+)+', code)]
        for p in paths:
            a = absolute(mods, m, p)
            if a is None:
                continue
            t = module_of(a)
            if t and t != m and m[:len(t)] != t:
                edges[m].add(t)
    return mods, edges


def sccs(nodes, edges):
    idx, low, st, on, out, c = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def go(v):
        idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in idx:
                go(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            out.append(comp)
    for v in nodes:
        if v not in idx:
            go(v)
    return [c for c in out if len(c) > 1]


total = 0
for root in sys.argv[1:]:
    mods, edges = scan(root)
    for comp in sccs(list(mods), edges):
        total += 1
        print(root, ' <-> '.join('::'.join(m) for m in sorted(comp)))
        for a in sorted(comp):
            print('   ', '::'.join(a), '->', ', '.join(sorted('::'.join(b) for b in edges[a] if b in comp)))
print('cycles:', total)
