#!/usr/bin/env python3
"""The matching-quality gate of `./build.sh test`: `crmsync match` at its default threshold
on sets with ground truth, failing when F1 drops below the floor recorded for it (today's
figure, minus a rounding margin). The project's own generated set always runs; the Febrl
sets and `jobchange_people` of the shared data run when that folder is there.

  gate.py CRMSYNC_BINARY [SHARED_DATA_DIR]
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

here = Path(__file__).resolve().parent
bench = here.parent / "bench"
sys.path.insert(0, str(bench))
import febrl  # noqa: E402

# (name, floor of one-to-one F1 at p >= 0.8): the figures of 2026-12-01 (0.9985, 0.9970,
# 0.5985, 0.5556) less 0.003; jobchange_people's of 2026-12-02 (0.9532: placeholder names
# unknown, one-typo first names, the two-sided one-to-one posterior, first name or surname
# with the employer as blocking keys) less 0.003. Raise a floor when the matcher improves.
# 2026-12-02 (third session): jobchange 0.9585 and Zipf 20k 0.9819 (the one-to-one share,
# the posterior's bound on evidence, common blocks bounded instead of skipped) less 0.003.
# 2026-12-02 (fourth session): the two-sided posterior and the region no longer doubling
# the city: jobchange 0.9685, Zipf 20k 0.9881 less 0.003. febrl1 falls to 0.9940: its
# three pairs with neither name in common had passed on the same suburb counted twice.
FLOORS = {
    "generated 3k (gen_people.py 3000 11)": 0.995,
    "generated Zipf 20k (gen_people_zipf.py 20000 5)": 0.985,
    "febrl1": 0.991,
    "febrl2": 0.595,
    "febrl3": 0.552,
    "jobchange_people": 0.965,
}


def scored(crmsync, outdir):
    out = Path(outdir)
    subprocess.run([crmsync, "match", "--crm", out / "crm.csv", "--network", out / "network.csv",
                    "--out", out / "matches.csv"], check=True, capture_output=True)
    truth = {tuple(r) for r in febrl.csv.reader(open(out / "truth.csv", newline=""))}
    truth.discard(("crm_id", "network_id"))
    pred = set()
    with open(out / "matches.csv", newline="") as f:
        for row in febrl.csv.DictReader(f):
            pred.add((row["crm_id"], row["network_id"]))
    tp = len(truth & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth) if truth else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def main():
    crmsync = sys.argv[1]
    shared = Path(sys.argv[2]) if len(sys.argv) > 2 else here.parent.parent.parent / "shared" / "data"
    sets = []
    with tempfile.TemporaryDirectory() as work:
        gen = Path(work) / "generated"
        subprocess.run([sys.executable, bench / "gen_people.py", "3000", "11", gen], check=True, capture_output=True)
        sets.append(("generated 3k (gen_people.py 3000 11)", gen))
        zipf = Path(work) / "zipf"
        subprocess.run([sys.executable, bench / "gen_people_zipf.py", "20000", "5", zipf], check=True,
                       capture_output=True)
        sets.append(("generated Zipf 20k (gen_people_zipf.py 20000 5)", zipf))
        for n in (1, 2, 3):
            src = shared / "febrl" / f"febrl{n}.csv"
            if src.exists():
                out = Path(work) / f"febrl{n}"
                febrl.prepare(str(src), str(out))
                sets.append((f"febrl{n}", out))
        job = shared / "jobchange_people"
        if (job / "crm.csv").exists():
            sets.append(("jobchange_people", job))
        else:
            print(f"{shared} has no shared data: only the project's own set is gated")
        failed = 0
        for name, folder in sets:
            if name == "jobchange_people":
                # Read in place; the matches go to the work folder.
                out = Path(work) / "jobchange"
                out.mkdir()
                for f in ("crm.csv", "network.csv", "truth.csv"):
                    (out / f).write_bytes((folder / f).read_bytes())
                folder = out
            s = scored(crmsync, folder)
            ok = s["f1"] >= FLOORS[name]
            failed += not ok
            print(json.dumps({"set": name, "ok": ok, "floor": FLOORS[name],
                              **{k: round(v, 4) for k, v in s.items()}}))
        print(f"# pass {len(sets) - failed}")
        print(f"# fail {failed}")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
