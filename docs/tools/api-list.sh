#!/bin/sh
# The public surface of the dashkit library, one item a line by canonical path (kind, then
# path), as rustdoc lists it in target/doc/dashkit/all.html: structs, enums, traits, functions,
# constants, type aliases and macros (methods and fields follow their type). docs/api-items.txt
# holds this list; docs/api.md describes it.
#
#   sh docs/tools/api-list.sh           # print the list (runs `cargo doc --no-deps -p dashkit`)
#   sh docs/tools/api-list.sh --check   # fail when docs/api-items.txt differs from the code
#   sh docs/tools/api-list.sh --write   # rewrite docs/api-items.txt
set -eu
cd "$(dirname "$0")/../.."
cargo doc --no-deps -p dashkit --quiet
list() {
    grep -o 'href="[^"]*\.html"' target/doc/dashkit/all.html \
        | sed 's/^href="//; s/\.html"$//' \
        | grep -v '^\.\./' \
        | sed -n 's#^\(.*/\)\{0,1\}\([a-z]*\)\.\([A-Za-z0-9_]*\)$#\2 \1\3#p' \
        | sed 's#/#::#g' | sort -k2 -u
}
case "${1:-}" in
--check)
    list | diff -u docs/api-items.txt - && echo "docs/api-items.txt matches the code"
    ;;
--write)
    list >docs/api-items.txt
    ;;
*)
    list
    ;;
esac
