"""make bench: throughput, latency, memory, training time and cold start, in one run with one model.

What it measures, on loopback, with an aiohttp client (closed loop: each simulated client sends its next
message when the previous answer arrived; conversations of five turns, a new sender after each):

  rasa         Rasa's own REST channel (/webhooks/rest/webhook) of the development stack: the floor
  full_stack   the same Rasa process through the gateway's /api/chat (question log, masking, limits)
  production   scripts/run_production.sh: 2 Rasa processes and 2 action servers, tracker store on
               PostgreSQL, lock store on Redis, the gateway spreading messages over both processes

at 1, 10 and 50 concurrent clients (messages/s and p50/p95/p99 latency), the resident memory of every
process, the time to train the model (`rasa train --force` into a temp dir, timed here; --skip-train
reuses the figure of the previous docs/benchmark.json), the cold start to the first answer, and the
latency at turn 5 and at turn 200 of one conversation with the windowed tracker store and without it
(window_turns: 0, Rasa's own behaviour). Every load is bounded by a message count and a time limit.

Two mixes of questions: `scripted` (the three conversations below) and `real` (every held-out conversation
of tests/conversations/ with its follow-ups, plus 50-turn conversations made of them), each at every level.

Writes docs/benchmark.json and docs/benchmark.md. The last line printed is
    real_mix_msgs_per_s=<n> full_stack_vs_rasa=<ratio> full_stack_msgs_per_s=<n> turn200_vs_turn5=<ratio>
(messages/s at 10 clients on the real mix; full stack over bare Rasa on the scripted mix, and its
messages/s; turn 200 over turn 5 with the window).
The development stack and the throwaway PostgreSQL/Redis come from the test harness (tests/).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import hashlib
import itertools
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from harness.production import listening_pid, production_stack  # noqa: E402
from harness.services import postgres_server, redis_server  # noqa: E402
from harness.stack import MODEL, VENV_BIN, Stack, running_stack  # noqa: E402

DOCS = REPO / "docs"
# Five-turn conversations as people have them: a question, follow-ups that lean on it, small talk.
CONVERSATIONS = [
    ["我们拿到200万研发补助，省市县各出多少？", "那荣成呢", "找哪个部门", "谢谢", "创新券是补给谁的"],
    ["研发补助最多能拿多少", "那文登区呢", "要什么条件", "你好", "特派员 奖励"],
    ["俺们村想办个农科驿站，政府给钱不？", "找谁申请", "创新型乡镇 奖励", "谢谢", "明天天气怎么样"],
]
# One conversation for the long-conversation figures: the same ten messages over and over.
LONG_CYCLE = [
    "研发补助最多多少",
    "那荣成呢",
    "找哪个部门",
    "创新券是补给谁的",
    "谢谢",
    "特派员 奖励",
    "我们拿到200万研发补助，省市县各出多少？",
    "那文登区呢",
    "你好",
    "明天天气怎么样",
]
HELDOUT_SETS = sorted((REPO / "tests" / "conversations").glob("heldout*.yml"))
LONG_MIX_TURNS = 50


def real_mix() -> list[list[str]]:
    """The questions people really ask: every held-out conversation with its follow-ups, in the voices it
    was written in, plus conversations of 50 turns made of consecutive held-out conversations (one
    sender asking on and on)."""
    conversations = [
        [str(turn["user"]) for turn in conversation["turns"]]
        for path in HELDOUT_SETS
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    ]
    turns = [turn for conversation in conversations for turn in conversation]
    long = [turns[i : i + LONG_MIX_TURNS] for i in range(0, len(turns) - LONG_MIX_TURNS + 1, 2 * LONG_MIX_TURNS)]
    return conversations + long


MIXES = {"scripted": CONVERSATIONS, "real": real_mix()}
# (clients, at most this many messages, at most this many seconds)
LEVELS = [(1, 80, 45.0), (10, 400, 60.0), (50, 600, 90.0)]
WARMUP_MESSAGES = 30
LONG_TURNS = 200
NO_LIMITS = {"RATE_PER_SENDER": "0", "RATE_PER_IP": "0"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


def loadavg() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int | None) -> dict[str, float] | None:
    """Resident and peak resident memory of `pid` in MiB (Linux /proc)."""
    if pid is None:
        return None
    fields: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        return None
    return {"rss_mib": fields.get("VmRSS", 0.0), "peak_rss_mib": fields.get("VmHWM", 0.0)}


# --- load ----------------------------------------------------------------------------------------

Send = Callable[[aiohttp.ClientSession, str, str], Any]


class BadAnswerError(Exception):
    """An answer that is not a normal reply (an error status or no message)."""


def rest_sender(rasa_url: str) -> Send:
    async def send(session: aiohttp.ClientSession, sender: str, message: str) -> None:
        async with session.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as r:
            body = await r.json(content_type=None)
            if r.status != 200 or not isinstance(body, list) or not body:
                raise BadAnswerError(f"HTTP {r.status}: {str(body)[:80]}")

    return send


def chat_sender(gateway_url: str) -> Send:
    async def send(session: aiohttp.ClientSession, sender: str, message: str) -> None:
        async with session.post(f"{gateway_url}/api/chat", json={"sender": sender, "message": message}) as r:
            body = await r.json(content_type=None)
            if r.status != 200 or not body.get("replies"):
                raise BadAnswerError(f"HTTP {r.status}: {str(body)[:80]}")

    return send


async def run_load(
    send: Send,
    tag: str,
    clients: int,
    max_messages: int,
    max_seconds: float,
    pids: dict[str, int] | None = None,
    mix: str = "scripted",
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    error_kinds: collections.Counter[str] = collections.Counter()
    budget = itertools.count()
    connector = aiohttp.TCPConnector(limit=clients + 5)
    timeout = aiohttp.ClientTimeout(total=60)
    cpu_before = {name: cpu_seconds(pid) for name, pid in (pids or {}).items()}
    started = time.perf_counter()
    deadline = started + max_seconds

    async def client(number: int, session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for conversation in itertools.count():
            scripts = MIXES[mix]
            # clients start at different places of the mix, so that they ask different questions
            script = scripts[(number * 7919 + conversation) % len(scripts)]
            sender = f"bench-{tag}-{clients}-{number}-{conversation}"
            for message in script:
                if next(budget) >= max_messages or time.perf_counter() > deadline:
                    return
                sent = time.perf_counter()
                try:
                    await send(session, sender, message)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, BadAnswerError) as exc:
                    errors += 1
                    error_kinds[f"{type(exc).__name__}: {exc}"[:120]] += 1
                else:
                    latencies.append(time.perf_counter() - sent)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(client(number, session) for number in range(clients)))
    wall = time.perf_counter() - started
    done = max(len(latencies), 1)
    cpu = {name: round((cpu_seconds(pid) - cpu_before[name]) * 1000 / done, 1) for name, pid in (pids or {}).items()}
    return {
        "mix": mix,
        "clients": clients,
        "messages": len(latencies),
        "errors": errors,
        "error_kinds": dict(error_kinds.most_common(3)),
        "seconds": round(wall, 2),
        "msgs_per_s": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        # CPU time each of our processes spent per answered message (ms): where the time goes.
        "cpu_ms_per_msg": cpu,
    }


def measure_levels(send: Send, tag: str, pids: dict[str, int]) -> list[dict[str, Any]]:
    """Every level with each mix, the scripted one first (the figures of earlier runs)."""
    asyncio.run(run_load(send, f"{tag}-warmup", 5, WARMUP_MESSAGES, 60))
    results = []
    for mix in MIXES:
        for clients, max_messages, max_seconds in LEVELS:
            results.append(_level(send, tag, pids, mix, clients, max_messages, max_seconds))
    return results


def _level(
    send: Send, tag: str, pids: dict[str, int], mix: str, clients: int, max_messages: int, max_seconds: float
) -> dict[str, Any]:
    result = asyncio.run(run_load(send, f"{tag}-{mix}", clients, max_messages, max_seconds, pids, mix))
    print(
        f"  {tag:<11} {mix:<8} {clients:>2} clients: {result['msgs_per_s']:>5} msg/s  p50 {result['p50_ms']} ms  "
        f"p95 {result['p95_ms']} ms  p99 {result['p99_ms']} ms  ({result['messages']} ok, "
        f"{result['errors']} errors)  CPU ms/msg {result['cpu_ms_per_msg']}",
        flush=True,
    )
    if result["errors"]:
        print(f"    errors: {result['error_kinds']}", flush=True)
    return result


def question_lengths() -> dict[str, Any]:
    """How long the real mix's questions are (characters): what its load is made of."""
    lengths = sorted(len(turn) for conversation in MIXES["real"] for turn in conversation)
    bins = [(1, 9), (10, 19), (20, 39), (40, 59), (60, 99), (100, 10_000)]
    return {
        "messages": len(lengths),
        "median": statistics.median(lengths),
        "p90": percentile(lengths, 0.9),
        "max": lengths[-1],
        "histogram": {
            f"{low}-{high}" if high < 10_000 else f"{low}+": sum(low <= n <= high for n in lengths)
            for low, high in bins
        },
    }


LENGTH_PROBE = "我们是荣成的高新技术企业，去年研发投入800万，研发补助最多能拿多少，省市县各出多少，找哪个部门申请？"
LENGTH_REPEATS = 15


async def length_cost(rasa_url: str) -> dict[str, float]:
    """Rasa's /model/parse for a 30- and a 300-character question (median of repeats): long questions must
    cost about linearly, not quadratically, in their length."""
    figures: dict[str, float] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for size in (30, 300):
            text = (LENGTH_PROBE * (size // len(LENGTH_PROBE) + 1))[:size]
            times = []
            for _ in range(LENGTH_REPEATS):
                sent = time.perf_counter()
                async with session.post(f"{rasa_url}/model/parse", json={"text": text}) as response:
                    await response.read()
                times.append(time.perf_counter() - sent)
            figures[f"parse_{size}_ms"] = round(statistics.median(times) * 1000, 1)
    figures["ratio_300_vs_30"] = round(figures["parse_300_ms"] / figures["parse_30_ms"], 2)
    return figures


async def long_conversation(send: Send, tag: str, turns: int) -> list[float]:
    latencies = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for turn in range(turns):
            sent = time.perf_counter()
            await send(session, f"bench-long-{tag}", LONG_CYCLE[turn % len(LONG_CYCLE)])
            latencies.append(time.perf_counter() - sent)
    return latencies


def turn_figures(latencies: list[float]) -> dict[str, float]:
    """Median latency around turn 5 (turns 1-10) and turn 200 (turns 191-200): the same ten messages."""
    early = statistics.median(latencies[:10]) * 1000
    late = statistics.median(latencies[-10:]) * 1000
    return {"turn5_ms": round(early, 1), "turn200_ms": round(late, 1), "turn200_vs_turn5": round(late / early, 2)}


# --- stacks --------------------------------------------------------------------------------------


def write_profiles(workdir: Path) -> tuple[str, str]:
    """A credentials file with Rasa's own REST channel added (bench only), and endpoints without window."""
    credentials = workdir / "credentials.bench.yml"
    credentials.write_text((REPO / "credentials.yml").read_text() + "\n# bench only: the bare Rasa floor\nrest:\n")
    endpoints = workdir / "endpoints.nowindow.yml"
    endpoints.write_text(
        (REPO / "endpoints.yml").read_text().replace("  db: ${TRACKER_DB}", "  db: ${TRACKER_DB}\n  window_turns: 0")
    )
    assert "window_turns: 0" in endpoints.read_text()
    return str(credentials), str(endpoints)


@contextlib.contextmanager
def timed_stack(workdir: Path, **kwargs: Any) -> Iterator[tuple[Stack, float]]:
    """The development stack and its cold start: from spawning the services to the first answer."""
    started = time.perf_counter()
    with running_stack(workdir, NO_LIMITS, **kwargs) as stack:
        stack.texts("bench-cold-start", "研发补助最多多少")
        yield stack, round(time.perf_counter() - started, 1)


def train_seconds(workdir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            str(VENV_BIN / "rasa"),
            "train",
            "--force",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(workdir),
            "--fixed-model-name",
            "bench",
            "--quiet",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return round(time.perf_counter() - started, 1)


def model_fingerprint() -> str:
    digest = hashlib.sha256()
    with MODEL.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


# --- report --------------------------------------------------------------------------------------


def cpu_text(row: dict[str, Any]) -> str:
    """CPU per message by kind of process (rasa1 + rasa2 count as rasa)."""
    kinds: dict[str, float] = {}
    for name, value in row.get("cpu_ms_per_msg", {}).items():
        kind = name.rstrip("0123456789")
        kinds[kind] = kinds.get(kind, 0.0) + value
    return ", ".join(f"{kind} {value:.1f}" for kind, value in kinds.items() if value)


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Benchmark",
        "",
        f"Written by `make bench` (scripts/bench.py) on {report['date']}, commit {report['commit']}, "
        f"model {report['model']} (sha256 prefix of models/current.tar.gz), "
        f"{report['machine']['cpus']} CPUs, load average {report['machine']['load_before']} before and "
        f"{report['machine']['load_after']} after. Loopback, closed-loop clients, five-turn conversations; "
        "one model for every figure.",
        "",
        "## Throughput and latency",
        "",
        "| mix | target | clients | msg/s | p50 ms | p95 ms | p99 ms | messages | errors | CPU ms per message |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for mix in MIXES:
        for target in ("rasa", "full_stack", "production"):
            for row in report["load"][target]:
                if row.get("mix", "scripted") == mix:
                    lines.append(
                        f"| {mix} | {target} | {row['clients']} | {row['msgs_per_s']} | {row['p50_ms']} | "
                        f"{row['p95_ms']} | {row['p99_ms']} | {row['messages']} | {row['errors']} | "
                        f"{cpu_text(row)} |"
                    )
    lengths = report["question_lengths"]
    cost = report["length_cost"]
    summary = report["summary"]
    lines += [
        "",
        "`rasa`: Rasa's own REST channel (the floor); `full_stack`: the same Rasa process through the gateway's "
        "/api/chat; `production`: scripts/run_production.sh with 2 Rasa processes and 2 action servers on "
        "PostgreSQL and Redis. CPU ms per message: user + system time of each of our processes during the "
        "load over the messages answered (the benchmark client, PostgreSQL and Redis not counted).",
        "",
        "`scripted`: three five-turn conversations of short messages; `real`: every held-out conversation of "
        f"tests/conversations/ with its follow-ups, plus conversations of {LONG_MIX_TURNS} turns "
        f"({lengths['messages']} questions; characters: median {lengths['median']}, p90 {lengths['p90']}, "
        f"max {lengths['max']}; by length {lengths['histogram']}).",
        "",
        f"At 10 clients the full stack does {summary['full_stack_msgs_per_s']} msg/s on the scripted mix, "
        f"{summary['full_stack_vs_rasa']} x bare Rasa, and {summary['real_mix_msgs_per_s']} msg/s on the real mix "
        f"({summary['real_mix_vs_rasa']} x bare Rasa on it).",
        "",
        f"Rasa's /model/parse by question length (median of {LENGTH_REPEATS}): 30 characters "
        f"{cost['parse_30_ms']} ms, 300 characters {cost['parse_300_ms']} ms ({cost['ratio_300_vs_30']} x).",
        "",
        "## Cleaning and the answer engine",
        "",
        f"In-process, over the {report['engine']['messages']} user turns of the held-out sets: cleaning "
        f"(policy_answers.clean) {report['engine']['clean_us']} us per message, the answer engine "
        f"(policy_answers.engine.decide) {report['engine']['decide_us']} us per message, of which reading the "
        f"frame (policy_answers.frames.read) {report['engine']['frame_us']} us.",
        "",
        "## Long conversations",
        "",
        "| tracker store | turn 5 ms | turn 200 ms | turn 200 / turn 5 |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, row in report["long_conversation"].items():
        lines.append(f"| {name} | {row['turn5_ms']} | {row['turn200_ms']} | {row['turn200_vs_turn5']} |")
    lines += [
        "",
        "One sender, 200 messages through /api/chat, one after the other; median of turns 1-10 and of turns "
        "191-200 (the same ten messages). `windowed`: policy_rasa.tracker_store with window_turns 10; "
        "`whole session`: window_turns 0 (Rasa's own behaviour).",
        "",
        "## Memory (resident set after the load, MiB)",
        "",
        "| process | RSS | peak RSS |",
        "| --- | ---: | ---: |",
    ]
    for name, row in report["memory"].items():
        if row:
            lines.append(f"| {name} | {row['rss_mib']} | {row['peak_rss_mib']} |")
    lines += [
        "",
        "## Start and training",
        "",
        "| what | seconds |",
        "| --- | ---: |",
        f"| cold start to first answer, development stack (1 Rasa) | {report['cold_start_s']['development']} |",
        f"| cold start to first answer, production mode (2 Rasa + 2 action servers) | "
        f"{report['cold_start_s']['production']} |",
        f"| `rasa train --force` ({report['training']['how']}) | {report['training']['seconds']} |",
        "",
    ]
    return "\n".join(lines)


def engine_cost() -> dict[str, float]:
    """Microseconds per message of the cleaner and of the answer engine, in-process, over every user turn
    of the held-out sets (each asked cold, as a first turn): what they add to a chat turn."""
    from policy_answers.clean import clean
    from policy_answers.engine import Context, Question, decide
    from policy_answers.frames import is_partial, read
    from policy_answers.language import language
    from policy_kb.query import load_kb
    from policy_rasa.kb_entities import extract_entities, ruler_patterns, term_indexes

    kb = load_kb()
    products = frozenset(p for m in kb.measures for p in m.products)
    terms = term_indexes(ruler_patterns(kb.term_lists(), products))
    texts = [
        str(turn["user"])
        for path in sorted((REPO / "tests" / "conversations").glob("heldout*.yml"))
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
        for turn in conversation["turns"]
    ]

    class NoEnts:
        ents: tuple[()] = ()

    questions = [
        Question(t, "ask_measure_info", ("ask_measure_info",), tuple(extract_entities(clean(t), NoEnts(), terms)))
        for t in texts
    ]
    decide(questions[0], Context(), kb)  # warm the KB's indexes and the templates
    started = time.perf_counter()
    for _ in range(3):
        for text in texts:
            clean(text)
    clean_us = (time.perf_counter() - started) / (3 * len(texts)) * 1e6
    started = time.perf_counter()
    for question in questions:
        decide(question, Context(), kb)
    decide_us = (time.perf_counter() - started) / len(questions) * 1e6
    lang = language()
    cleaned = [(clean(q.text), q.entities) for q in questions]
    started = time.perf_counter()
    for _ in range(3):
        for text, entities in cleaned:
            is_partial(read(text, entities, kb, lang), text, lang)
    frame_us = (time.perf_counter() - started) / (3 * len(cleaned)) * 1e6
    return {
        "messages": len(texts),
        "clean_us": round(clean_us, 1),
        "decide_us": round(decide_us, 1),
        "frame_us": round(frame_us, 1),
    }


def main() -> int:
    # SIGTERM (e.g. a CI timeout) must stop the services the bench started, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--skip-train", action="store_true", help="reuse the training time of the previous docs/benchmark.json"
    )
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"{MODEL} is missing: run make model first", file=sys.stderr)
        return 2
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    model = model_fingerprint()
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit,
        "model": model,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_before": loadavg()},
        "load": {},
        "memory": {},
        "long_conversation": {},
        "cold_start_s": {},
        "question_lengths": question_lengths(),
    }
    print(f"bench: load average {report['machine']['load_before']} on {os.cpu_count()} CPUs", flush=True)
    report["engine"] = engine_cost()
    print(
        f"bench: cleaning {report['engine']['clean_us']} us, answer engine {report['engine']['decide_us']} us "
        f"(frame reader {report['engine']['frame_us']} us) "
        f"per message ({report['engine']['messages']} held-out questions, in-process)",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmpdir = Path(tmp)
        previous = DOCS / "benchmark.json"
        if args.skip_train and previous.exists():
            report["training"] = {**json.loads(previous.read_text())["training"], "how": "figure of a previous run"}
        else:
            print("bench: timing rasa train --force ...", flush=True)
            report["training"] = {
                "seconds": train_seconds(tmpdir / "model"),
                "how": "timed here into a temp dir, before the bench starts any service",
            }
        credentials, no_window = write_profiles(tmpdir)

        print("bench: development stack (1 Rasa, 1 action server, SQLite)", flush=True)
        (tmpdir / "dev").mkdir()
        with timed_stack(tmpdir / "dev", credentials=credentials) as (stack, cold):
            report["cold_start_s"]["development"] = cold
            pids = {name: process.pid for name, process in stack.processes.items()}
            report["load"]["rasa"] = measure_levels(rest_sender(stack.rasa_url), "rasa", pids)
            report["load"]["full_stack"] = measure_levels(chat_sender(stack.url), "full_stack", pids)
            report["length_cost"] = asyncio.run(length_cost(stack.rasa_url))
            print(f"  Rasa parse by question length: {report['length_cost']}", flush=True)
            for name in ("gateway", "rasa", "actions"):
                report["memory"][f"development {name}"] = rss_mib(stack.processes[name].pid)
            windowed = asyncio.run(long_conversation(chat_sender(stack.url), "windowed", LONG_TURNS))
            report["long_conversation"]["windowed"] = turn_figures(windowed)
            print(f"  long conversation, windowed: {report['long_conversation']['windowed']}", flush=True)

        print("bench: development stack without the window (window_turns: 0)", flush=True)
        (tmpdir / "nowindow").mkdir()
        with timed_stack(tmpdir / "nowindow", endpoints=no_window) as (stack, _):
            whole = asyncio.run(long_conversation(chat_sender(stack.url), "whole", LONG_TURNS))
            report["long_conversation"]["whole session"] = turn_figures(whole)
            print(f"  long conversation, whole session: {report['long_conversation']['whole session']}", flush=True)

        print("bench: production mode (2 Rasa, 2 action servers, PostgreSQL, Redis)", flush=True)
        (tmpdir / "prod").mkdir()
        with postgres_server() as pg, redis_server() as redis:
            started = time.perf_counter()
            with production_stack(tmpdir / "prod", pg, redis, extra=NO_LIMITS) as prod:
                prod.texts("bench-cold-start", "研发补助最多多少")
                report["cold_start_s"]["production"] = round(time.perf_counter() - started, 1)
                report["load"]["production"] = measure_levels(chat_sender(prod.url), "production", prod.pids())
                for name, pid in sorted(prod.pids().items()):
                    report["memory"][f"production {name}"] = rss_mib(pid)
                redis_pid = listening_pid(int(redis.rsplit(":", 1)[1].split("/")[0]))
                report["memory"]["production redis-server"] = rss_mib(redis_pid)

    report["machine"]["load_after"] = loadavg()
    if model_fingerprint() != model:
        print(f"bench: {MODEL} changed during the run: the figures mix two models, run again", file=sys.stderr)
        return 1
    at10 = {
        target: next(r for r in rows if r["clients"] == 10 and r["mix"] == "scripted")
        for target, rows in report["load"].items()
    }
    real10 = {
        target: next(r for r in rows if r["clients"] == 10 and r["mix"] == "real")
        for target, rows in report["load"].items()
    }
    report["summary"] = {
        "real_mix_msgs_per_s": real10["full_stack"]["msgs_per_s"],
        "real_mix_vs_rasa": round(real10["full_stack"]["msgs_per_s"] / real10["rasa"]["msgs_per_s"], 2),
        "real_mix_p95_ms_one_client": next(
            r["p95_ms"] for r in report["load"]["full_stack"] if r["clients"] == 1 and r["mix"] == "real"
        ),
        "real_mix_cpu_ms_per_msg": real10["full_stack"]["cpu_ms_per_msg"],
        "real_mix_production_msgs_per_s": real10["production"]["msgs_per_s"],
        "full_stack_vs_rasa": round(at10["full_stack"]["msgs_per_s"] / at10["rasa"]["msgs_per_s"], 2),
        "full_stack_msgs_per_s": at10["full_stack"]["msgs_per_s"],
        "turn200_vs_turn5": report["long_conversation"]["windowed"]["turn200_vs_turn5"],
        "production_msgs_per_s": at10["production"]["msgs_per_s"],
        "full_stack_p95_ms_one_client": report["load"]["full_stack"][0]["p95_ms"],
        "parse_300_vs_30": report["length_cost"]["ratio_300_vs_30"],
    }
    DOCS.mkdir(exist_ok=True)
    (DOCS / "benchmark.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    (DOCS / "benchmark.md").write_text(markdown(report))
    summary = report["summary"]
    print("bench: wrote docs/benchmark.json and docs/benchmark.md")
    print(
        f"real_mix_msgs_per_s={summary['real_mix_msgs_per_s']} full_stack_vs_rasa={summary['full_stack_vs_rasa']} "
        f"full_stack_msgs_per_s={summary['full_stack_msgs_per_s']} turn200_vs_turn5={summary['turn200_vs_turn5']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
