"""Dev-only check: does client.ranges agree with npm's real `semver` package?

Installs `semver@7` with npm into a temporary directory, generates random cases, evaluates
them all in one node process and in client.ranges, and prints the agreement counts and every
disagreement (exit status 1 if any). Cases: (version, range) pairs from a range grammar, from
a token soup and from edge texts; ranges built around a prerelease version, where npm's
prerelease rule decides; maxSatisfying over version lists; compare() on version pairs; and
dist-tag names. "Differ on purpose" counts the documented differences (see client/ranges.py).

    .venv/bin/python scripts/compare_ranges_with_npm.py [--cases 20000] [--seed 1]

CI must not depend on Node, so this is a script, not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from client.errors import InvalidRangeError
from client.names import parse_version
from client.ranges import Range, is_dist_tag

BUILD = r"\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"  # npm strips build metadata from ranges first
NODE_PROGRAM = r"""
const semver = require('semver');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const valid = (r) => semver.validRange(r) !== null;
const out = {
  version: require('semver/package.json').version,
  cases: input.cases.map(([v, r]) => valid(r) ? semver.satisfies(v, r) : null),
  max: input.max.map(([vs, r]) => valid(r) ? semver.maxSatisfying(vs, r) : 'invalid'),
  pairs: input.pairs.map(([a, b]) => semver.compare(a, b)),
  // npm refuses a dist-tag that is a valid range
  tags: input.tags.map((tag) => /^[A-Za-z][A-Za-z0-9._-]*$/.test(tag) && !valid(tag)),
};
process.stdout.write(JSON.stringify(out));
"""

PRERELEASES = ["alpha", "alpha.1", "alpha.2", "beta", "beta.11", "rc.1", "0", "1", "x", "a-b"]
OPERATORS = ["", "=", "^", "~", "~>", ">", ">=", "<", "<=", "v", "=v"]
# fmt: off
EDGES = ["^^1", ">=a", "1.2.3.4", "01.2.3", "1.2.3-01", "latest", "~ >1", "1 -", "||", ">= ",
         "1.2.3foo", "1.2.3 - ", "x.1", "1 - 2 - 3", "*.*.*", "^1.x-beta", "", "1 ||", " ",
         "+b", "1.2.3 || +b", "1.x+b1", "1.2+b.2", ">=0.0.0", ">=0.0.0 >=0.0.0-alpha", "<0.0.0-0",
         "9007199254740991.0.0", "9007199254740992.0.0", "<=9007199254740991.x",
         ">=1.2.3-9007199254740991", "^1.2.3\t<2", "1.2.3  -  2", "1.2.3 -2", "~> 1", "^ 1.2",
         "< = 1", ">\t1", "=v 1", "v 1", ">==1", "<>1", "~~1", "^~1", "1.2.3-", "1.2.3+",
         "1.2.3-alpha..1", "1.2.3 1.2.4", "1.2.3-alpha.3 - 1.2.3-beta", "x - 1.x", "* - *"]
# fmt: on


def version(rng: random.Random) -> str:
    text = ".".join(str(rng.choice([0, 0, 1, 1, 2, 3, 10])) for _ in range(3))
    if rng.random() < 0.4:
        text += "-" + rng.choice(PRERELEASES)
    if rng.random() < 0.05:
        text += "+build." + str(rng.randint(0, 9))
    return text


def partial(rng: random.Random) -> str:
    parts = [rng.choice(["0", "1", "2", "3", "x", "X", "*"]) for _ in range(rng.randint(1, 3))]
    text = ".".join(parts)
    if len(parts) == 3 and rng.random() < 0.3:
        text += "-" + rng.choice(PRERELEASES)
    if rng.random() < 0.05:
        text += "+b1"
    return text


def term(rng: random.Random) -> str:
    operator = rng.choice(OPERATORS)
    space = rng.choice([" ", "\t", "  "]) if operator and rng.random() < 0.1 else ""
    return operator + space + partial(rng)


def alternative(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"{partial(rng)} - {partial(rng)}"
    return " ".join(term(rng) for _ in range(rng.randint(1, 3)))


# fmt: off
SOUP = ["1", "2", "0", ".", ".", "x", "*", "-", "alpha", "1.2.3", "0.0.0", "^", "~", ">=", "<",
        "<=", ">", " ", " ", " - ", " || ", "+b", "v", "=", "-0", "2.0.0-rc.1", "~>"]
# fmt: on


def soup(rng: random.Random) -> str:
    """Range-like token soup: finds where the two parsers accept different texts."""
    return "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 8)))


def range_text(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return rng.choice(EDGES)
    if rng.random() < 0.15:
        return soup(rng)
    return " || ".join(alternative(rng) for _ in range(rng.randint(1, 2)))


def near_case(rng: random.Random) -> tuple[str, str]:
    """A prerelease version and a range around its numbers that names one of its prereleases:
    here npm's prerelease rule, `>=0.0.0` and desugared bounds (`<2.0.0-0`) decide."""
    numbers = [rng.randint(0, 2) for _ in range(3)]
    base = ".".join(map(str, numbers))
    named = base + "-" + rng.choice(PRERELEASES)

    def near() -> str:
        parts = [str(max(0, n + rng.choice([-1, 0, 0, 1]))) for n in numbers]
        return ".".join(parts[: rng.randint(1, 3)])

    if rng.random() < 0.2:
        return base + "-" + rng.choice(PRERELEASES), f"{named} - {near()}"
    terms = [rng.choice([">=", ">", "<=", "<", ""]) + named]
    terms += [rng.choice(OPERATORS) + near() for _ in range(rng.randint(1, 2))]
    rng.shuffle(terms)
    # npm turns the whole range into `*` (no prereleases) when one alternative is "any".
    union = rng.choice(["", "", "", " || *", " || x.x", " || >=0.0.0", " || 1.x"])
    return base + "-" + rng.choice(PRERELEASES), " ".join(terms) + union


def tag_like(rng: random.Random) -> str:
    return rng.choice(["v", "x", "X", "latest", "b", "="]) + "".join(
        rng.choice("x.1.0-a_") for _ in range(rng.randint(0, 7))
    )


def ours_valid(text: str) -> bool:
    try:
        Range.parse(text)
    except InvalidRangeError:
        return False
    return True


def ours(version_text: str, text: str) -> bool | None:
    try:
        return Range.parse(text).satisfied_by(version_text)
    except InvalidRangeError:
        return None


def ours_max(versions: list[str], text: str) -> str | None:
    try:
        return Range.parse(text).max_satisfying(versions)
    except InvalidRangeError:
        return "invalid"


def run_node(payload: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "install", "--silent", "--prefix", tmp, "semver@7"], check=True)
        (Path(tmp) / "compare.js").write_text(NODE_PROGRAM)
        done = subprocess.run(
            ["node", "compare.js"],
            cwd=tmp,
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def deliberate(case: Any, npm_answer: Any, our_answer: Any) -> str | None:
    """Which documented difference (see client.ranges) explains a disagreement, if any."""
    if our_answer in (None, "invalid"):
        if re.search(r"\d{16}", case[1]):
            return "numbers npm cannot hold exactly"
        alternatives = case[1].split("||")
        filled = [a for a in alternatives if re.sub(BUILD, "", a).strip()]
        if len(filled) < len(alternatives) and (not filled or ours_valid("||".join(filled))):
            return "empty range or || alternative"
        return None
    tie = (
        isinstance(npm_answer, str)
        and isinstance(our_answer, str)
        and npm_answer != "invalid"
        and parse_version(npm_answer).compare(our_answer) == 0
    )
    return "build-metadata tie broken by text, not input order" if tie else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [
        near_case(rng) if rng.random() < 0.3 else (version(rng), range_text(rng))
        for _ in range(args.cases)
    ]
    maxes = [([version(rng) for _ in range(8)], range_text(rng)) for _ in range(args.cases // 10)]
    pairs = [(version(rng), version(rng)) for _ in range(args.cases // 10)]
    tags = [tag_like(rng) for _ in range(args.cases // 10)]
    npm = run_node({"cases": cases, "max": maxes, "pairs": pairs, "tags": tags})
    print(f"npm semver {npm['version']}")
    failures = 0
    checks: list[tuple[str, list[Any], list[Any], list[Any]]] = [
        ("satisfies", cases, npm["cases"], [ours(v, r) for v, r in cases]),
        ("maxSatisfying", maxes, npm["max"], [ours_max(vs, r) for vs, r in maxes]),
        ("compare", pairs, npm["pairs"], [_compare(a, b) for a, b in pairs]),
        ("dist-tag", tags, npm["tags"], [is_dist_tag(t) for t in tags]),
    ]
    for name, inputs, theirs, mine in checks:
        failures += report(name, inputs, theirs, mine)
    return 1 if failures else 0


def _compare(a: str, b: str) -> int:
    """Precedence as sort_versions sees it (npm's compare ignores build metadata too)."""
    return parse_version(a).compare(parse_version(b))


def report(name: str, inputs: list[Any], theirs: list[Any], mine: list[Any]) -> int:
    agree = 0
    on_purpose: Counter[str] = Counter()
    disagreements = []
    for case, npm_answer, our_answer in zip(inputs, theirs, mine, strict=True):
        reason = None if npm_answer == our_answer else deliberate(case, npm_answer, our_answer)
        if npm_answer == our_answer:
            agree += 1
        elif reason:
            on_purpose[reason] += 1
        else:
            disagreements.append((case, npm_answer, our_answer))
    print(
        f"{name}: {agree}/{len(inputs)} agree, {on_purpose.total()} differ on purpose, "
        f"{len(disagreements)} disagree"
    )
    for reason, count in on_purpose.most_common():
        print(f"  on purpose: {count} {reason}")
    for case, npm_answer, our_answer in disagreements[:50]:
        print(f"  {case!r}: npm={npm_answer!r} ours={our_answer!r}")
    return len(disagreements)


if __name__ == "__main__":
    sys.exit(main())
