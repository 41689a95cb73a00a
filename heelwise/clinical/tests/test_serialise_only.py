"""The command line's fast path gives exactly the bytes of the ordinary result."""

from __future__ import annotations

import random
from typing import Any

import orjson

from heelwise.clinical.engine import evaluate_many
from heelwise.clinical.knowledge_base import KnowledgeBase
from heelwise.clinical.validation import parse_request


def _requests(kb: KnowledgeBase, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    keys = sorted(kb.findings)
    out = []
    for _ in range(n):
        values: dict[str, Any] = {}
        for key in rng.sample(keys, rng.randint(0, 40)):
            f = kb.findings[key]
            if f.type == "bool":
                values[key] = rng.random() < 0.4
            elif f.type == "enum":
                values[key] = rng.choice([o for o, _ in f.options])
            else:
                assert f.min is not None and f.max is not None
                x = rng.uniform(f.min, min(f.max, 200.0))
                values[key] = int(x) if f.integer else round(x, rng.choice([0, 1, 3]))
        patient = {k: v for k, v in values.items() if kb.findings[k].scope == "patient"}
        findings = {k: v for k, v in values.items() if kb.findings[k].scope == "findings"}
        out.append({"patient": patient, "findings": findings})
    return out


def test_serialise_only_gives_the_same_bytes(kb: KnowledgeBase) -> None:
    requests = _requests(kb, 600, 3)
    parsed = [parse_request(kb, r) for r in requests]
    values = [p[0] for p in parsed]
    ids = [f"r{i}" for i in range(len(parsed))]
    plain = evaluate_many(kb, values, ids)
    fast = evaluate_many(kb, values, ids, serialise_only=True)
    for a, b in zip(plain, fast, strict=True):
        assert orjson.dumps(b) == orjson.dumps(a)
