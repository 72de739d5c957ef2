#!/usr/bin/env python3
"""Applies a list of public paths (a file named as the argument, or else the list "Items that
become `pub(crate)`" of docs/api.md) to dashkit/src: each listed
item's definition goes from `pub` to `pub(crate)`, and `pub use` lines that re-export a listed
item export it as `pub(crate) use`. Run from the repository root on a clean tree, then review
`git diff`, make the modules named in docs/api.md private, and build. It does not rename
anything and does not touch methods, fields or the embedders.

An item it cannot find (moved or renamed since the list was made) is printed and skipped."""
import os
import re

import sys

if len(sys.argv) > 1:  # a file of paths, one a line
    block = open(sys.argv[1]).read()
else:
    doc = open('docs/api.md').read()
    block = doc.split('### Items that become `pub(crate)`', 1)[1].split('```text', 1)[1].split('```', 1)[0]
paths = [l.strip() for l in block.splitlines() if l.strip() and not l.startswith('#')]
narrowed = set(paths)
KEYWORDS = r'(?:struct|enum|fn|const|trait|type)'
SRC = 'dashkit/src'


def module_files(mod):
    base = os.path.join(SRC, *mod.split('::'))
    files = [f for f in (base + '.rs', os.path.join(base, 'mod.rs')) if os.path.exists(f)]
    if os.path.isdir(base):  # items of private submodules re-exported here (mpd::parse)
        for dp, _, fs in sorted(os.walk(base)):
            files += [os.path.join(dp, f) for f in sorted(fs) if f.endswith('.rs')]
    return list(dict.fromkeys(files))


for path in paths:
    mod, name = path.rsplit('::', 1)
    pat = re.compile(r'^(\s*)pub (' + KEYWORDS + r' ' + re.escape(name) + r'\b)', re.M)
    for f in module_files(mod):
        s = open(f).read()
        if pat.search(s):
            open(f, 'w').write(pat.sub(r'\1pub(crate) \2', s, count=1))
            break
    else:
        print('not found:', path)


def expand(tree):
    i = tree.find('{')
    if i < 0:
        return [tree]
    head, body = tree[:i], tree[i + 1:tree.rfind('}')]
    return [head + x.strip() for x in body.split(',') if x.strip()]


for dp, _, fs in os.walk(SRC):
    for fn in fs:
        f = os.path.join(dp, fn)
        rel = os.path.relpath(f, SRC)[:-3]
        mod = '' if rel == 'lib' else re.sub(r'/mod$', '', rel).replace('/', '::')
        prefix = mod + '::' if mod else ''
        s = open(f).read()

        def fix(m):
            tree = re.sub(r'\s+', ' ', m.group(1)).strip()
            head = tree.split('{')[0] if '{' in tree else tree.rsplit('::', 1)[0] + '::'
            names = [p[len(head):] for p in expand(tree)]
            keep = [n for n in names if prefix + head + n not in narrowed]
            hide = [n for n in names if prefix + head + n in narrowed]
            if not hide:
                return m.group(0)
            out = []
            for vis, group in (('pub', keep), ('pub(crate)', hide)):
                if len(group) == 1:
                    out.append(f'{vis} use {head}{group[0]};')
                elif group:
                    out.append(f'{vis} use {head}{{{", ".join(group)}}};')
            return '\n'.join(out)

        s2 = re.sub(r'^pub use ([^;]+);', fix, s, flags=re.M)
        if s2 != s:
            open(f, 'w').write(s2)
print(len(paths), 'items')
