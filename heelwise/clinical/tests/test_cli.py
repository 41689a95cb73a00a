"""``heelwise assess``, ``heelwise evaluate`` and ``heelwise kb`` as a user runs them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from heelwise.clinical.cli_assess import assess_stream
from heelwise.clinical.knowledge_base import KnowledgeBase

ROOT = Path(__file__).resolve().parents[3]
VALID = {"patient": {"age": 42}, "findings": {"pain_location": "plantar_medial"}}


def _run(kb: KnowledgeBase, text: str, explain: bool = False) -> tuple[int, list[str]]:
    out = io.BytesIO()
    status = assess_stream(kb, text.encode(), out, explain=explain)
    return status, out.getvalue().decode().splitlines()


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "heelwise.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_it_assesses_a_batch_in_order(kb: KnowledgeBase) -> None:
    lines = [json.dumps({**VALID, "id": f"r{i}"}) for i in range(5)]
    status, out = _run(kb, "\n".join(lines) + "\n")
    assert status == 0
    assert [json.loads(o)["id"] for o in out] == ["r0", "r1", "r2", "r3", "r4"]


def test_it_reports_bad_lines_and_still_assesses_the_good_ones(kb: KnowledgeBase) -> None:
    text = "\n".join(
        [
            json.dumps(VALID),
            '{"findings": {"pain_location": ',  # malformed JSON
            json.dumps({"findings": {"bogus_key": True}}),
            json.dumps({"patient": {"age": "old"}}),
            json.dumps({"findings": {"pain_nrs": 42}}),
            json.dumps(VALID),
        ]
    )
    status, out = _run(kb, text)
    assert status == 2
    results = [json.loads(o) for o in out]
    assert len(results) == 6
    assert "disposition" in results[0] and "disposition" in results[5]
    errors = [r["error"] for r in results[1:5]]
    assert [e["line"] for e in errors] == [2, 3, 4, 5]
    assert errors[0]["problems"][0]["field"] == "$"
    assert "malformed JSON" in errors[0]["problems"][0]["message"]
    assert errors[1]["problems"] == [{"field": "findings.bogus_key", "message": "unknown key"}]
    assert errors[2]["problems"][0]["field"] == "patient.age"
    assert errors[3]["problems"][0]["field"] == "findings.pain_nrs"
    assert "out of range" in errors[3]["problems"][0]["message"]


def test_it_reads_one_pretty_printed_request(kb: KnowledgeBase) -> None:
    status, out = _run(kb, json.dumps(VALID, indent=2))
    assert status == 0
    assert len(out) == 1 and json.loads(out[0])["differential"]


def test_it_skips_blank_lines_but_keeps_line_numbers(kb: KnowledgeBase) -> None:
    status, out = _run(kb, "\n\n" + '{"x": 1}' + "\n")
    assert status == 2
    assert json.loads(out[0])["error"]["line"] == 3


def test_it_explains_a_result_for_a_person(kb: KnowledgeBase) -> None:
    request = {"findings": {"pain_location": "plantar_medial", "first_step_pain": True}}
    status, out = _run(kb, json.dumps(request), explain=True)
    text = "\n".join(out)
    assert status == 0
    assert "What to do: SELF-CARE" in text
    assert "Plantar fasciitis" in text and "%" in text
    assert "Care plan:" in text and "not a diagnosis" in text
    assert not text.lstrip().startswith("{")
    assert max(len(line) for line in out) <= 100


def test_it_explains_an_escalation_as_one_not_as_a_red_flag(kb: KnowledgeBase) -> None:
    request = {"findings": {"onset": "sudden", "tender_medial_calcaneal_tubercle": True}}
    status, out = _run(kb, json.dumps(request), explain=True)
    text = "\n".join(out)
    assert status == 0
    assert "because: escalation sudden_onset" in text
    assert "red flag sudden_onset" not in text
    assert "~ sudden_onset (soon): Heel pain that started suddenly" in text


def test_it_explains_errors_too(kb: KnowledgeBase) -> None:
    status, out = _run(kb, '{"findings": {"fever": "maybe"}}', explain=True)
    assert status == 2
    assert "findings.fever" in "\n".join(out)


@pytest.mark.parametrize(
    ("stdin", "status"),
    [
        (json.dumps(VALID) + "\n", 0),
        (json.dumps(VALID) + "\nnot json\n", 2),
    ],
)
def test_the_command_exits_with_the_documented_status(stdin: str, status: int) -> None:
    proc = _cli("assess", "-", stdin=stdin)
    assert proc.returncode == status
    assert "Traceback" not in proc.stderr + proc.stdout
    assert all(json.loads(line) for line in proc.stdout.splitlines())


def test_the_command_reports_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    proc = _cli("assess", str(tmp_path / "nope.jsonl"))
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_the_command_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(VALID) + "\n" + json.dumps(VALID) + "\n", encoding="utf-8")
    proc = _cli("assess", str(path))
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 2


SMOKE: list[dict[str, Any]] = [
    {
        "id": "S1",
        "request": {"findings": {"pain_location": "plantar_medial", "first_step_pain": True}},
        "gold": {"condition": "plantar_fasciitis", "disposition": "self_care", "red_flags": []},
    },
    {
        "id": "S2",
        "request": {"findings": {"fever": True, "redness": True, "warmth": True}},
        "gold": {"condition": "infection", "disposition": "urgent", "red_flags": ["fever"]},
    },
    {
        "id": "S3",
        "request": {"findings": {"pain_location": "posterior_midportion"}},
        "gold": {"condition": "achilles_midportion", "disposition": "emergency", "red_flags": []},
    },
]


def test_evaluate_prints_accuracy_triage_and_the_under_triage_list(tmp_path: Path) -> None:
    path = tmp_path / "smoke.json"
    path.write_text(json.dumps(SMOKE), encoding="utf-8")
    proc = _cli("evaluate", str(path))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "top-1 accuracy" in out and "top-3 accuracy" in out
    assert "safe triage (Gilbert 2020)" in out
    assert "S3: gold emergency" in out  # an emergency case given less is under-triage
    assert "plantar_fasciitis" in out  # per-condition table
    proc = _cli("evaluate", str(path), "--json")
    figures = json.loads(proc.stdout)
    assert figures["cases"] == 3
    assert figures["top1"] == pytest.approx(1.0)
    assert figures["triage_safe"] == pytest.approx(2 / 3)
    assert figures["under_triage_emergency_urgent"] == 1


def test_evaluate_rejects_a_malformed_vignette_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"id": "X", "request": {}, "gold": {"condition": "flu"}}]))
    proc = _cli("evaluate", str(path))
    assert proc.returncode == 2
    assert "gold condition 'flu'" in proc.stderr and "Traceback" not in proc.stderr


def test_kb_command_validates_and_fails_loudly(tmp_path: Path, kb_copy: Path) -> None:
    ok = _cli("kb")
    assert ok.returncode == 0 and "Knowledge base OK" in ok.stdout
    (kb_copy / "staging.yaml").write_text("version: 1\nstages: nope\n", encoding="utf-8")
    bad = _cli("kb", "--path", str(kb_copy))
    assert bad.returncode == 1
    assert "staging.yaml" in bad.stderr and "Traceback" not in bad.stderr
    findings = json.loads(_cli("kb", "--findings").stdout)
    assert findings["findings"][0]["key"] == "age"
