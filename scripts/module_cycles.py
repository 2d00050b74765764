#!/usr/bin/env python3
"""Module-level dependency cycles in crates: edges from `crate::a::b`, `super::x` and `self::x` paths
(tests modules excluded). Prints each strongly connected component of sibling modules with more
than one module, then the count.

Usage: scripts/module_cycles.py pipeline-argo/src pipeline-runner/src ..."""
import os, re, sys
from collections import defaultdict
def modpath(root, f):
    rel = os.path.relpath(f, root)[:-3].split(os.sep)
    if rel[-1] in ('lib', 'main', 'mod'): rel = rel[:-1]
    return tuple(rel)
def scan(root):
    mods = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f.endswith('.rs'):
                p = os.path.join(d, f); m = modpath(root, p)
                if 'tests' in m or 'testdata' in m: continue
                mods[m] = p
    edges = defaultdict(set)
    for m, p in mods.items():
        text = open(p).read()
        text = text.split('#[cfg(test)]')[0]
        text = re.sub(r'//[^\n]*', '', text)
        parent = m[:-1] if not p.endswith(('mod.rs','lib.rs')) else m[:-1]
        for path in re.findall(r'\b(crate(?:::\w+)+|super(?:::\w+)+|self(?:::\w+)+)', text):
            parts = path.split('::')
            if parts[0] == 'crate': base = (); rest = parts[1:]
            elif parts[0] == 'self': base = m; rest = parts[1:]
            else:
                base = m
                while parts and parts[0] == 'super': base = base[:-1]; parts = parts[1:]
                rest = parts
            target = base
            for r in rest:
                if target + (r,) in mods: target = target + (r,)
                else: break
            if target and target != m and not (m[:len(target)] == target) and not (target[:len(m)] == m):
                edges[m].add(target)
    return mods, edges
def sccs(nodes, edges):
    idx = {}; low = {}; st = []; on = set(); out = []; c = [0]
    sys.setrecursionlimit(10000)
    def go(v):
        idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
        for w in edges.get(v, ()):
            if w not in idx: go(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v: break
            out.append(comp)
    for v in nodes:
        if v not in idx: go(v)
    return [c for c in out if len(c) > 1]
total = 0
for root in sys.argv[1:]:
    mods, edges = scan(root)
    for comp in sccs(list(mods), edges):
        total += 1
        print(root, ' <-> '.join('::'.join(m) for m in sorted(comp)))
print('cycles:', total)
