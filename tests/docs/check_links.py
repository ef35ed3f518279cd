#!/usr/bin/env python3
"""Every relative link in the Markdown docs resolves, and nothing points outside the repository.

Checks, from the repository root:
  * Markdown links `[text](target)` in README.md, BENCHMARKS.md, docs/ and every README.md below
    the tree: a relative target must exist; a `#anchor` must name a heading of the target page
    (GitHub's slug rules).
  * Plain-text references to `docs/<name>.md` anywhere in sources, scripts, tests and docs: the
    page must exist.
  * No file refers to a path above the repository (`../shared/...`) or to documents that live
    outside it.
Exits 1 and prints one line per problem; prints a summary count either way.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
SKIP_DIRS = {"fixtures", "node_modules", ".git", "build", "build-sanitize", "build-fuzz", "build-tsan", "corpus"}
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE_FENCE = re.compile(r"^(```|~~~)")
DOC_REF = re.compile(r"\bdocs/([A-Za-z0-9_.-]+\.md)\b")
OUTSIDE = re.compile(r"\.\./shared/|\b(?:PROTOCOL|STACK|STYLE|DEVELOPERS)\.md\b")
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".py", ".js", ".sh", ".md", ".txt", ".cmake", ".toml"}


def walk(suffixes):
    for path in ROOT.rglob("*"):
        if path.is_file() and path.suffix in suffixes and not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def slug(heading):
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page):
    found, fenced = set(), False
    for line in page.read_text(encoding="utf-8").splitlines():
        if CODE_FENCE.match(line):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            base = slug(line.lstrip("#"))
            n, name = 0, base
            while name in found:  # GitHub numbers repeated headings
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


def markdown_pages():
    pages = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md"))]
    pages += [p for p in walk({".md"}) if p.name == "README.md" and p not in pages]
    return [p for p in pages if p.exists()]


def main():
    problems, links, refs = [], 0, 0
    for page in markdown_pages():
        fenced = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if CODE_FENCE.match(line):
                fenced = not fenced
            if fenced:
                continue
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue  # http:, https:, mailto:
                links += 1
                where = f"{page.relative_to(ROOT)}:{number}"
                file_part, _, anchor = target.partition("#")
                dest = (page.parent / file_part).resolve() if file_part else page
                if not dest.exists():
                    problems.append(f"{where}: link target {target} does not exist")
                elif ROOT not in dest.parents and dest != ROOT:
                    problems.append(f"{where}: link target {target} is outside the repository")
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    problems.append(f"{where}: no heading for #{anchor} in {dest.relative_to(ROOT)}")
    for path in walk(SOURCE_SUFFIXES):
        if path.resolve() == pathlib.Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            for name in DOC_REF.findall(line):
                refs += 1
                if not (ROOT / "docs" / name).exists():
                    problems.append(f"{where}: docs/{name} does not exist")
            if OUTSIDE.search(line):
                problems.append(f"{where}: refers to a document outside the repository")
    for p in problems:
        print(p)
    print(f"checked {links} links and {refs} docs/ references: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
