#!/usr/bin/env python3
"""Lists import circles between the modules of a crate: `crate::…`, `super::…` and `self::…`
paths, in `use` items or written inline (`super::val_truth::read(…)`), are resolved from the
module they are written in (an inline `mod tests { … }` included) to the file that defines the
module they name, and every strongly connected group of more than one module is printed. Exit status 1
when there is one. A module's own children (`mod x;`) are not imports.

With `--top`, modules are first merged into the crate's top-level modules (`nets/` is one), so
the check is that the layers import one way.

    scripts/import-cycles.py runtime/src
    scripts/import-cycles.py --top runtime/src
    scripts/import-cycles.py --self-test
"""
import os
import re
import sys


def module_of(root, path):
    """The module path (list of names) of a source file under root."""
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return rel


def file_of(modules, parts):
    """The longest prefix of `parts` that names a module file."""
    for n in range(len(parts), -1, -1):
        if tuple(parts[:n]) in modules:
            return tuple(parts[:n])
    return None


def inline_modules(text):
    """(start, end, name) of every inline module (`mod tests { … }`), by brace counting."""
    out = []
    for m in re.finditer(r"\bmod\s+(\w+)\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out.append((m.start(), i, m.group(1)))
    return out


def paths_in(text):
    """Every `crate::a::b` / `super::a` / `self::a` path used in the text, in `use` items (use
    trees expanded one level) or written inline, each with the inline modules (`mod tests { … }`)
    it sits in, so that a `super` there is resolved from the right module."""
    text = re.sub(r"//[^\n]*", "", text)
    inline = inline_modules(text)
    out = []

    def inside(pos):
        return [name for start, end, name in inline if start < pos < end]

    for m in re.finditer(r"\buse\s+((?:crate|super|self)(?:::\w+)*)(?:::\{([^;]*)\})?\s*(?:as\s+\w+)?;", text, re.S):
        base = m.group(1).split("::")
        if m.group(2):
            for item in re.split(r",", re.sub(r"\{[^}]*\}", "", m.group(2))):
                item = item.strip().split(" as ")[0]
                if item:
                    out.append((inside(m.start()), base + item.split("::")))
        else:
            out.append((inside(m.start()), base))
    for m in re.finditer(r"(?<![\w:])((?:crate|super|self)(?:::super)*)((?:::\w+)+)", text):
        out.append((inside(m.start()), m.group(1).split("::") + m.group(2).strip(":").split("::")))
    return out


def resolve(here, parts):
    """The module path `parts` names, written in module `here`: `self` is `here` itself and
    `super` its parent, whether `here` is a file (`a/b.rs`) or a folder (`a/b/mod.rs`)."""
    if parts[0] == "crate":
        return parts[1:]
    base = list(here)
    while parts and parts[0] in ("super", "self"):
        if parts[0] == "super":
            base = base[:-1]
        parts = parts[1:]
    return base + parts


def main(root, top):
    files = {}
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(d, n)
                files[tuple(module_of(root, p))] = p
    edges = {m: set() for m in files}
    for m, p in files.items():
        for nested, parts in paths_in(open(p, encoding="utf-8").read()):
            target = file_of(files, resolve(m + tuple(nested), parts))
            # A module reaching into its own descendants, or the crate root, is not a circle.
            if target is None or target == m or target == () or target[: len(m)] == m:
                continue
            if top:
                if not m or target[:1] == m[:1]:
                    continue
                edges.setdefault(m[:1], set()).add(target[:1])
                edges.setdefault(target[:1], set())
            else:
                edges[m].add(target)
    if top:
        edges = {k: v for k, v in edges.items() if len(k) == 1}
    # Tarjan's strongly connected components.
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    for g in groups:
        names = sorted("::".join(m) for m in g)
        print(f"import circle of {len(g)} modules: {', '.join(names)}")
        for m in sorted(g):
            inside = sorted("::".join(t) for t in edges[m] if t in g)
            print(f"  {'::'.join(m)} imports {', '.join(inside)}")
    if not groups:
        print(f"no import circle among the {len(edges)} {'top-level ' if top else ''}modules of {root}")
    return 1 if groups else 0


def self_test():
    """The check finds a circle made by an inline `super::` path and none made by a test
    module's `use super::*` (which names the file itself)."""
    import tempfile

    def crate(files):
        root = tempfile.mkdtemp()
        for name, text in files.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w", encoding="utf-8").write(text)
        return root

    circle = crate({
        "lib.rs": "mod data;\n",
        "data/mod.rs": "mod folder;\nmod truth;\n",
        "data/folder.rs": "pub struct Labelled;\nfn f() { super::truth::read(); }\n",
        "data/truth.rs": "use super::folder::Labelled;\npub fn read() {}\n",
    })
    clean = crate({
        "lib.rs": "mod data;\n",
        "data/mod.rs": "mod folder;\nmod truth;\n",
        "data/folder.rs": "pub struct Labelled;\nfn f() { super::truth::read(); }\n",
        "data/truth.rs": "pub fn read() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::data::truth::read as r;\n}\n",
    })
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        found, none = main(circle, False), main(clean, False)
    assert (found, none) == (1, 0), f"self-test: circle gave {found}, clean gave {none}"
    print("import-cycles self-test: an inline super:: circle is found, a test module's super is not")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    args = [a for a in sys.argv[1:] if a != "--top"]
    sys.exit(main(args[0] if args else "runtime/src", "--top" in sys.argv[1:]))
