#!/usr/bin/env python3
"""Matching benchmarks for BENCHMARKS.md (called by `./build.sh bench`).

  matching.py CRMSYNC_BIN WORKDIR SHARED_DATA_DIR [--skip-1m] [--skip-5m] [--skip-splink]

Prints a Markdown section: Febrl quality (crmsync vs splink 5, same fields), blocking
recall, and speed on generated CRM-like data (100k and 1M people; the Zipf-shaped org
also at 5M, with where each run's time went).
"""
import csv
import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import ambiguity

here = Path(__file__).resolve().parent
crmsync, work, shared = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
skip_1m = "--skip-1m" in sys.argv
skip_5m = skip_1m or "--skip-5m" in sys.argv
skip_splink = "--skip-splink" in sys.argv
py = sys.executable


def run_timed(cmd, timeout=900):
    """Runs under /usr/bin/time -v; returns (seconds, peak MiB, stderr) or None on timeout."""
    started = time.time()
    try:
        p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    if p.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{p.stderr[-2000:]}")
    return time.time() - started, int(peak.group(1)) / 1024 if peak else float("nan"), p.stderr


def score(outdir, matches):
    out = subprocess.run([py, here / "febrl.py", "score", outdir, matches], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def pairwise(outdir, candidates, threshold):
    truth = {(r["crm_id"], r["network_id"]) for r in csv.DictReader(open(Path(outdir) / "truth.csv"))}
    cand = {(r["crm_id"], r["network_id"]): float(r["match_weight"]) for r in csv.DictReader(open(candidates))}
    w = math.log2(threshold / (1 - threshold))
    pred = {k for k, v in cand.items() if v >= w}
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth)
    return {"blocking_recall": len(truth & set(cand)) / len(truth), "candidates": len(cand),
            "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


lines = ["## Matching quality: Febrl as CRM Leads vs profiles (no date of birth, no id)", "",
         "CRM = the `-org` records as Leads, network = the `-dup-N` records; fields: first and last name,",
         "street, city, state, postcode, country. crmsync: `crmsync match` at its default threshold (p ≥ 0.8),",
         "one-to-one as the product shows it, and pairwise (every candidate pair at p ≥ 0.8, no one-to-one",
         "step) for a like-for-like comparison with splink 5 (DuckDB) at p ≥ 0.5 on the same fields. On febrl2/3",
         "an org has up to 5 duplicates, so one-to-one output can reach at most the recall in the last column.", "",
         "| set | crmsync one-to-one P / R / F1 | crmsync pairwise P / R / F1 | blocking recall (candidates) | splink P / R / F1 | crmsync time | splink time | one-to-one max recall |",
         "|---|---|---|---|---|---|---|---|"]
for n in (1, 2, 3):
    d = work / f"febrl{n}"
    subprocess.run([py, here / "febrl.py", "prepare", shared / f"febrl/febrl{n}.csv", d], check=True)
    t, _, _ = run_timed([crmsync, "match", "--crm", d / "crm.csv", "--network", d / "network.csv", "--out", d / "matches.csv",
                         "--candidates", d / "candidates.csv"])
    ours = score(d, d / "matches.csv")
    pw = pairwise(d, d / "candidates.csv", 0.8)
    if skip_splink:
        sp, st = None, None
    else:
        st, _, _ = run_timed([py, here / "splink_febrl.py", d, d / "splink.csv"])
        sp = score(d, d / "splink.csv")
    fmt = lambda s: f"{s['precision']:.4f} / {s['recall']:.4f} / {s['f1']:.4f}"
    lines.append(f"| febrl{n} | {fmt(ours)} | {fmt(pw)} | {pw['blocking_recall']:.4f} ({pw['candidates']}) | "
                 f"{fmt(sp) if sp else 'not run'} | {t:.2f} s | {f'{st:.2f} s' if st else '—'} | {ours['one_to_one_max_recall']:.4f} |")

jobchange = shared / "jobchange_people"
if jobchange.is_dir():
    lines += ["", "## Matching quality: job changes (`jobchange_people`: CRM 2022 vs network 2023, 36 % changed employer)", "",
              "Names and company only (location is one town). `crmsync match` at its default threshold (p ≥ 0.8),",
              "one-to-one; the goal is recall ≥ 0.95 at precision ≥ 0.99.", "",
              "| set | P / R / F1 | blocking recall (candidates) | time |", "|---|---|---|---|"]
    d = work / "jobchange"
    d.mkdir(parents=True, exist_ok=True)
    t, _, _ = run_timed([crmsync, "match", "--crm", jobchange / "crm.csv", "--network", jobchange / "network.csv",
                         "--out", d / "matches.csv", "--candidates", d / "candidates.csv"])
    (d / "truth.csv").write_bytes((jobchange / "truth.csv").read_bytes())
    s_ = score(d, d / "matches.csv")
    pw = pairwise(d, d / "candidates.csv", 0.8)
    lines.append(f"| jobchange_people | {s_['precision']:.4f} / {s_['recall']:.4f} / {s_['f1']:.4f} | "
                 f"{pw['blocking_recall']:.4f} ({pw['candidates']}) | {t:.2f} s |")

def people_rows(generator, seed, sizes, phases=None):
    """One table row per size: crmsync's whole run, splink's at 100k; the per-rule blocking
    lines of the 1M run (the largest when smaller); each run's phases into `phases`."""
    rows, rules = [], []
    for n in sizes:
        d = work / f"{generator}-{n}"
        subprocess.run([py, here / generator, str(n), str(seed), d], check=True)
        limit = 600 if n <= 1_000_000 else 2400
        res = run_timed([crmsync, "match", "--crm", d / "crm.csv", "--network", d / "network.csv", "--out", d / "matches.csv"],
                        timeout=limit)
        if res is None:
            rows.append(f"| {n:,} | over {limit} s (stopped) | — | — | — | — | — | — |")
            continue
        t, mem, err = res
        cands = re.search(r"(\d+) candidate pairs", err)
        if n <= 1_000_000:
            rules = re.findall(r'blocking rule "([^"]+)": (\d+) pairs; (\d+) common blocks split, (\d+) parts bounded', err)
        reading = re.search(r"\(reading ([\d.]+) s", err)
        laps = re.search(r"phases: (.*)", err)
        if phases is not None and reading and laps:
            phases.append((n, reading.group(1), laps.group(1)))
        s = score(d, d / "matches.csv")
        network_rows = sum(1 for _ in open(d / "network.csv")) - 1
        splink_cell, ratio = "not run", "—"
        if n <= 100_000 and not skip_splink:
            sres = run_timed([py, here / "splink_people.py", d, d / "splink.csv"], timeout=900)
            if sres:
                ss = score(d, d / "splink.csv")
                splink_cell = f"{sres[0]:.1f} s, {sres[1]:.0f} MiB ({ss['precision']:.4f} / {ss['recall']:.4f} / {ss['f1']:.4f})"
                ratio = f"{sres[0] / t:.1f}×"
        rows.append(f"| {n:,} × {network_rows:,} | {t:.1f} s | {mem:.0f} MiB | {(n + network_rows) / t:,.0f} | "
                    f"{int(cands.group(1)) if cands else '?':,} | {s['precision']:.4f} / {s['recall']:.4f} / {s['f1']:.4f} | "
                    f"{splink_cell} | {ratio} |")
    return rows, rules


header = ["| N × N | wall time | peak memory | records/s (both sides) | candidate pairs | precision / recall / F1 | splink wall time, peak (P / R / F1) | speed-up |",
          "|---|---|---|---|---|---|---|---|"]
lines += ["", "## Matching speed: generated CRM-like people (`tests/bench/gen_people.py`, seed 7)", "",
          "CRM: N Leads/Contacts with e-mail, phone, company, title, city/state. Network: 80 % of them",
          "(nicknames, typos, 15 % job changes, free-text locations, e-mail on 10 %) plus 20 % strangers.",
          "Wall time and peak memory of the whole `crmsync match` process (reading, normalising, blocking,",
          "training u and m, scoring, assignment, writing).", "",
          "splink 5 on the same 100k files (`tests/bench/splink_people.py`, comparable fields and blocking,",
          "p ≥ 0.5, its own output) is timed the same way.", ""] + header
sizes = [100_000] + ([] if skip_1m else [1_000_000])
lines += people_rows("gen_people.py", 7, sizes)[0]
zipf_phases = []
zipf_rows, zipf_rules = people_rows("gen_people_zipf.py", 11, sizes + ([] if skip_5m else [5_000_000]), zipf_phases)
lines += ["", "## Matching at scale: a Zipf-shaped org (`tests/bench/gen_people_zipf.py`, seed 11)", "",
          "The same files, shaped like a large org: employers, surnames, first names and cities Zipf-sized (at 1M",
          "the largest employer holds about 37,000 people, the commonest surname 1.2 %, one city 15 %), so common",
          "blocks hold thousands of records. Network: 80 % of the CRM (nicknames, typos in either name, 18 %",
          "changed employer, 8 % moved, employer missing on 4 %) plus 20 % strangers. Measured as above.", ""] + header
lines += zipf_rows
if zipf_rules:
    lines += ["", f"Blocking per rule in the {sizes[-1]:,} run: pairs produced (before de-duplication across rules),",
              "blocks too common to pair whole and split by a second key, and parts still too common after the",
              "finest key, paired with their nearest neighbours in the rule's order instead of whole (none skipped).", "",
              "| rule | pairs | blocks split | parts bounded |", "|---|---|---|---|"]
    lines += [f"| {r} | {int(n):,} | {int(sp):,} | {int(b):,} |" for r, n, sp, b in zipf_rules if int(n) > 0]
if zipf_phases:
    lines += ["", "Where the time goes (as `crmsync match` reports it): reading and normalising both files, then the",
              "matcher's phases for people (blocking, comparing every candidate pair, training u/m/λ, scoring,",
              "the one-to-one posterior, assignment); the rest of the wall time is writing and exit.", "",
              "| N × N | reading | matcher phases |", "|---|---|---|"]
    lines += [f"| {n:,} | {r} s | {laps} |" for n, r, laps in zipf_phases]
lines += ["", "Why recall falls as the org grows (`tests/bench/ambiguity.py DIR`): a true pair whose names agree",
          "exactly is *ambiguous* when a namesake on either side agrees with the other record at least as well",
          "on every other compared field (employer, city, title, e-mail, phone), so nothing favours the true",
          "pair; *distinct* when no namesake does. Share of all true pairs, and the share missed at p ≥ 0.8.", "",
          "| N × N | ambiguous (missed) | distinct (missed) | names differ (missed) | recall | distinct pairs missed most often |",
          "|---|---|---|---|---|---|"]
for n in [n for n in sizes if (work / f"gen_people_zipf.py-{n}" / "matches.csv").exists()]:
    kinds, missed = ambiguity.counts(work / f"gen_people_zipf.py-{n}")
    total = sum(kinds.values())
    cells = [f"{(kinds[(k, True)] + kinds[(k, False)]) / total:.4f} ({kinds[(k, False)] / total:.4f})" for k in ambiguity.KINDS]
    often = "; ".join(f"{a}, {b} namesakes: {v:,}" for (a, b), v in missed.most_common(2))
    recall = sum(v for (_, hit), v in kinds.items() if hit) / total
    lines.append(f"| {n:,} | {' | '.join(cells)} | {recall:.4f} | {often} |")
lines += ["", "## Matching quality: generated businesses (`tests/bench/gen_companies.py`, seed 3)", "",
          "CRM: 20,000 Accounts (legal-form names, website, phone, billing address; 10 % namesakes in another",
          "city with another website). Network: 80 % of them as company pages (legal form dropped or changed,",
          "\"The\" added, website with/without www or path or missing, phone reformatted or missing, free-text or",
          "structured location) plus 20 % companies not in the CRM. `crmsync match` at its default threshold.", "",
          "| N × N | wall time | candidate pairs | precision / recall / F1 |", "|---|---|---|---|"]
d = work / "companies"
subprocess.run([py, here / "gen_companies.py", "20000", "3", d], check=True)
t, _, err = run_timed([crmsync, "match", "--crm", d / "crm.csv", "--network", d / "network.csv", "--out", d / "matches.csv"])
cands = re.search(r"(\d+) candidate pairs", err)
s_ = score(d, d / "matches.csv")
network_rows = sum(1 for _ in open(d / "network.csv")) - 1
lines.append(f"| 20,000 × {network_rows:,} | {t:.1f} s | {int(cands.group(1)) if cands else '?':,} | "
             f"{s_['precision']:.4f} / {s_['recall']:.4f} / {s_['f1']:.4f} |")

lines += ["", "## Badge index look-ups (`crmsync index build` / `crmsync index lookup`)", "",
          "The largest generated CRM above as the browser's index (e-mails and phones hashed, no streets),",
          "then the first 20,000 network profiles looked up one by one, natively; each look-up is timed alone.", "",
          "| index | size | load | look-ups | hits | median | p99 | max |", "|---|---|---|---|---|---|---|---|"]
n = sizes[-1]
d = work / f"gen_people.py-{n}"
subprocess.run([crmsync, "index", "build", "--crm", d / "crm.csv", "--out", d / "index.bin"], check=True, capture_output=True)
with open(d / "network.csv") as src, open(d / "net20k.csv", "w") as dst:
    for i, line in enumerate(src):
        if i > 20_000:
            break
        dst.write(line)
out = subprocess.run([crmsync, "index", "lookup", "--index", d / "index.bin", "--network", d / "net20k.csv"],
                     capture_output=True, text=True, check=True).stderr
m = re.search(r"loaded in ([\d.]+) s; (\d+) lookups, (\d+) hits; per lookup median ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms", out)
size = (d / "index.bin").stat().st_size
if m:
    lines.append(f"| {n:,} people | {size / 2**20:.1f} MiB | {m.group(1)} s | {int(m.group(2)):,} | {int(m.group(3)):,} | "
                 f"{m.group(4)} ms | {m.group(5)} ms | {m.group(6)} ms |")
else:
    lines.append(f"| {n:,} people | {size / 2**20:.1f} MiB | lookup output not understood: {out[-200:]} |")
print("\n".join(lines))
