#!/usr/bin/env python3
"""The public items (docs/api-items.txt) whose own doc comment has no example (no code block).

Run from the repository root. Matching is by item name against `pub fn|struct|enum|trait|
const|type <name>` definitions under dashkit/src, so a name defined twice (one public, one
internal) may be listed for the internal one; the finding codes of `validate::codes` and the
caps of `limits` are documented as a table in their module and left out. Prints one
`file:line: kind name` line per item, then the count."""
import re
import glob

items = [l.split()[1] for l in open('docs/api-items.txt') if l.strip()]
skip = ('validate::codes::', 'limits::')
names = {p.split('::')[-1] for p in items if not p.startswith(skip)}
missing = []
for f in sorted(glob.glob('dashkit/src/**/*.rs', recursive=True)):
    doc = []
    for i, line in enumerate(open(f).read().split('\n')):
        s = line.strip()
        if s.startswith('///'):
            doc.append(s)
            continue
        if s.startswith('#['):
            continue
        m = re.match(r'pub (?:const )?(fn|struct|enum|trait|const|type) (\w+)', line)
        if m and m.group(2) in names and not any('```' in d for d in doc):
            missing.append(f'{f}:{i + 1}: {m.group(1)} {m.group(2)}')
        doc = []
print('\n'.join(missing))
print(len(missing), 'public items without an example of their own')
