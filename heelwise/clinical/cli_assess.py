"""``heelwise assess [FILE|-] [--explain]``: one JSON request or a JSON Lines batch.

The contract is spec/assessment.md.

One output line per request, in input order. An invalid request (unknown key, wrong type, value
out of range, malformed JSON) gives ``{"error": {"line": N, "problems": [...]}}`` on its own line
and the other lines are still assessed; the exit status is then 2. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator
from typing import IO, Any

import orjson

from heelwise.clinical.engine import evaluate_many
from heelwise.clinical.explain import render, render_error
from heelwise.clinical.knowledge_base import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from heelwise.clinical.validation import parse_request

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2
NEWLINE = orjson.OPT_APPEND_NEWLINE  # the same bytes as dumps(obj) + b"\n", without a copy
dumps = orjson.dumps
CHUNK = 256  # lines assessed together (their next questions are ranked in one matrix product)


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


def parse_line(
    kb: KnowledgeBase, number: int, text: bytes
) -> tuple[dict[str, Any], Any] | dict[str, Any]:
    """(values, id) for a valid line, or the error object to print for an invalid one."""
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        problem = {"field": "$", "message": f"malformed JSON: {exc}"}
        return {"error": {"line": number, "problems": [problem]}}
    values, rid, problems = parse_request(kb, obj)
    if problems:
        error: dict[str, Any] = {"line": number, "problems": problems}
        if isinstance(rid, str):
            error["id"] = rid
        return {"error": error}
    return values, rid


def assess_line(kb: KnowledgeBase, number: int, text: bytes) -> tuple[dict[str, Any], bool]:
    """Assess one input line; return (output object, valid?)."""
    parsed = parse_line(kb, number, text)
    if isinstance(parsed, dict):
        return parsed, False
    return evaluate_many(kb, [parsed[0]], [parsed[1]])[0], True


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
    # The knowledge base lives for the whole run: move it out of the cyclic collector's way,
    # and pause collection during the batch (each request's garbage is freed by refcounting).
    gc.freeze()
    gc.disable()
    try:
        return assess_stream(kb, data, sys.stdout.buffer, explain=args.explain)
    finally:
        gc.enable()


def _internal_error(number: int, exc: Exception) -> dict[str, Any]:
    problem = {"field": "$", "message": f"internal error: {type(exc).__name__}: {exc}"}
    return {"error": {"line": number, "problems": [problem]}}


def _assess_chunk(
    kb: KnowledgeBase, docs: list[tuple[int, bytes]], serialise_only: bool = False
) -> tuple[list[tuple[dict[str, Any], bool]], int]:
    """Outputs (object, valid?) for a chunk of lines, in order, and the chunk's exit status.

    ``serialise_only``: the objects are only for ``orjson.dumps`` (see ``evaluate_many``)."""
    status = EXIT_OK
    outputs: list[tuple[dict[str, Any], bool] | None] = []
    batch: list[tuple[int, dict[str, Any], Any]] = []
    for number, text in docs:
        parsed = parse_line(kb, number, text)
        if isinstance(parsed, dict):
            outputs.append((parsed, False))
            status = EXIT_INVALID
        else:
            batch.append((len(outputs), parsed[0], parsed[1]))
            outputs.append(None)
    try:
        results = evaluate_many(
            kb, [b[1] for b in batch], [b[2] for b in batch], serialise_only=serialise_only
        )
    except Exception:  # noqa: BLE001 - find the offending line, keep the others
        results = []
        for pos, values, rid in batch:
            try:
                results.extend(evaluate_many(kb, [values], [rid], serialise_only=serialise_only))
            except Exception as exc:  # noqa: BLE001
                results.append(_internal_error(docs[pos][0], exc))
                status = EXIT_INTERNAL
    for (pos, _, _), result in zip(batch, results, strict=True):
        outputs[pos] = (result, "error" not in result)
    return [o for o in outputs if o is not None], status


def assess_stream(kb: KnowledgeBase, data: bytes, out: IO[bytes], *, explain: bool = False) -> int:
    status = EXIT_OK
    questions = {k: f.question for k, f in kb.findings.items()}
    docs = list(_documents(data))
    for start in range(0, len(docs), CHUNK):
        outputs, chunk_status = _assess_chunk(
            kb, docs[start : start + CHUNK], serialise_only=not explain
        )
        if EXIT_INTERNAL in (status, chunk_status):
            status = EXIT_INTERNAL
        else:
            status = max(status, chunk_status)
        if explain:
            text = "".join(
                (render(obj, questions=questions) if ok else render_error(obj["error"])) + "\n"
                for obj, ok in outputs
            )
            out.write(text.encode("utf-8"))
        else:
            out.write(b"".join([dumps(obj, option=NEWLINE) for obj, _ in outputs]))
    out.flush()
    return status
