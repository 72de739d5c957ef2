#!/usr/bin/env python3
"""Every public item of the dashkit library and which of our embedders name it.

Run from the repository root after `cargo doc --no-deps -p dashkit`. The items are those rustdoc
lists in target/doc/dashkit/all.html (structs, enums, functions, traits, constants, type
aliases; not methods or fields), by their canonical path. An embedder "names" an item when a
`use dashkit::...` tree, a `dashkit::...` path or a path through an imported module reaches it
(re-exports followed). Output: one tab-separated line per item: path, kind, the embedders that
name it (cli = dashkit-cli/src, cli-tests = dashkit-cli/tests, lib-tests = dashkit/tests,
benches, fuzz = fuzz/fuzz_targets) or `-`. Types that an embedder only receives (a function's
return value) without naming them are `-` too: being unnamed is not the same as being unused.
"""
import collections
import glob
import re
import sys

html = open('target/doc/dashkit/all.html').read()
items = {}
for href in sorted(set(re.findall(r'href="([^"]+)\.html"', html))):
    parts = href.split('/')
    if href.startswith('..') or '.' not in parts[-1]:
        continue
    kind, name = parts[-1].split('.', 1)
    items['::'.join(parts[:-1] + [name])] = kind
modules = {'::'.join(p.split('::')[:i]) for p in items for i in range(1, p.count('::') + 1)}


def expand(tree):
    """`a::{b, c::{d}}` -> [`a::b`, `a::c::d`] (whitespace already removed)."""
    i = tree.find('{')
    if i < 0:
        return [tree]
    head, body = tree[:i], tree[i + 1:tree.rfind('}')]
    parts, depth, cur = [], 0, ''
    for ch in body:
        if ch == ',' and depth == 0:
            parts.append(cur)
            cur = ''
            continue
        depth += (ch == '{') - (ch == '}')
        cur += ch
    if cur:
        parts.append(cur)
    return [head + x for y in parts for x in expand(y)]


# `pub use a::b::{C, D}` in module M: M::C is M::a::b::C.
reexports = {}
for f in glob.glob('dashkit/src/**/*.rs', recursive=True):
    rel = f[len('dashkit/src/'):-len('.rs')]
    mod = '' if rel == 'lib' else re.sub(r'/mod$', '', rel).replace('/', '::')
    for m in re.finditer(r'^pub use ([^;]+);', open(f).read(), re.M):
        for path in expand(re.sub(r'\s+', '', m.group(1))):
            prefix = mod + '::' if mod else ''
            reexports[prefix + path.split('::')[-1]] = prefix + path


def canon(path):
    for _ in range(5):
        if path in items or path in modules:
            return path
        segs = path.split('::')
        for i in range(len(segs), 0, -1):
            head = '::'.join(segs[:i])
            if head in reexports:
                path = '::'.join([reexports[head]] + segs[i:])
                break
        else:
            return None
    return path if path in items or path in modules else None


groups = {
    'cli': 'dashkit-cli/src/**/*.rs',
    'cli-tests': 'dashkit-cli/tests/**/*.rs',
    'lib-tests': 'dashkit/tests/**/*.rs',
    'benches': 'benches/**/*.rs',
    'fuzz': 'fuzz/fuzz_targets/*.rs',
    'examples': 'dashkit/examples/*.rs',
}
named = collections.defaultdict(set)
for group, pattern in groups.items():
    for f in glob.glob(pattern, recursive=True):
        src = re.sub(r'//[^\n]*', '', open(f).read())
        aliases = {}

        def longest(prefix, segs):
            for i in range(len(segs), 0, -1):
                c = canon(prefix + '::'.join(segs[:i]))
                if c is not None:
                    if c in items:
                        named[c].add(group)
                    return c
            return None

        for m in re.finditer(r'\buse\s+(?:::)?dashkit::([^;]+);', src):
            tree = re.sub(r'\s+', '', re.sub(r'\s+as\s+', '~', m.group(1)))
            for p in expand(tree):
                p, _, rename = p.partition('~')
                p = re.sub(r'::self$', '', p)
                c = longest('', p.split('::'))
                if c in modules:
                    aliases[rename or p.split('::')[-1]] = c
        for m in re.finditer(r'\bdashkit((?:::\w+)+)', src):
            longest('', m.group(1)[2:].split('::'))
        for alias, mod in aliases.items():
            for m in re.finditer(r'(?<![\w:])' + re.escape(alias) + r'((?:::\w+)+)', src):
                longest(mod + '::', m.group(1)[2:].split('::'))

for p in sorted(items):
    print(f"{p}\t{items[p]}\t{','.join(sorted(named[p])) or '-'}")
