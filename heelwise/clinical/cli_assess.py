"""``heelwise assess [FILE|-] [--explain]``: one JSON request or a JSON Lines batch.

The contract is spec/assessment.md.

One output line per request, in input order. An invalid request (unknown key, wrong type, value
out of range, malformed JSON) gives ``{"error": {"line": N, "problems": [...]}}`` on its own line
and the other lines are still assessed; the exit status is then 2. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import IO, Any

import orjson

from heelwise.clinical.engine import evaluate
from heelwise.clinical.explain import render, render_error
from heelwise.clinical.knowledge_base import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from heelwise.clinical.validation import parse_request

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Assess heel-pain requests (one JSON object, or JSON Lines)."
    parser.add_argument("file", nargs="?", default="-", help="input file, or - for standard input")
    parser.add_argument(
        "--explain", action="store_true", help="render each result for a person, not as JSON"
    )
    parser.add_argument("--kb", default=None, help="knowledge-base directory (default: built in)")


def _documents(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, text) of each request: the whole input if it is one multi-line JSON object."""
    stripped = data.strip()
    if stripped.startswith(b"{") and b"\n" in stripped:
        try:
            orjson.loads(stripped)
        except orjson.JSONDecodeError:
            pass
        else:
            yield 1, stripped
            return
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield number, line


def assess_line(kb: KnowledgeBase, number: int, text: bytes) -> tuple[dict[str, Any], bool]:
    """Assess one input line; return (output object, valid?)."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        problem = {"field": "$", "message": f"malformed JSON: {exc}"}
        return {"error": {"line": number, "problems": [problem]}}, False
    values, rid, problems = parse_request(kb, obj)
    if problems:
        error: dict[str, Any] = {"line": number, "problems": problems}
        if isinstance(rid, str):
            error["id"] = rid
        return {"error": error}, False
    return evaluate(kb, values, rid), True


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def run(args: argparse.Namespace) -> int:
    try:
        kb = load_knowledge_base(args.kb)
    except KnowledgeBaseError as exc:
        print(f"heelwise assess: knowledge base error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    try:
        data = _read(args.file)
    except OSError as exc:
        print(f"heelwise assess: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    return assess_stream(kb, data, sys.stdout.buffer, explain=args.explain)


def assess_stream(kb: KnowledgeBase, data: bytes, out: IO[bytes], *, explain: bool = False) -> int:
    status = EXIT_OK
    chunk: list[bytes] = []
    questions = {k: f.question for k, f in kb.findings.items()}
    for number, text in _documents(data):
        try:
            obj, valid = assess_line(kb, number, text)
        except Exception as exc:  # noqa: BLE001 - one bad line must not stop the batch
            problem = {"field": "$", "message": f"internal error: {type(exc).__name__}: {exc}"}
            obj, valid = {"error": {"line": number, "problems": [problem]}}, False
            status = EXIT_INTERNAL
        if not valid and status == EXIT_OK:
            status = EXIT_INVALID
        if explain:
            text_out = render(obj, questions=questions) if valid else render_error(obj["error"])
            chunk.append(text_out.encode("utf-8") + b"\n")
        else:
            chunk.append(orjson.dumps(obj) + b"\n")
        if len(chunk) >= 512:
            out.write(b"".join(chunk))
            chunk.clear()
    out.write(b"".join(chunk))
    out.flush()
    return status
