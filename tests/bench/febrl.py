#!/usr/bin/env python3
"""Febrl as CRM Leads vs network profiles, without date of birth and id.

  febrl.py prepare FEBRL.csv OUTDIR     -> OUTDIR/crm.csv, OUTDIR/network.csv, OUTDIR/truth.csv
  febrl.py score OUTDIR MATCHES.csv     -> precision, recall, F1 as JSON on stdout

CRM = the `-org` records (as Leads with valid 18-character ids), network = the `-dup-N`
records. Truth = every (org, dup) pair of the same entity.
"""
import csv
import json
import sys
from pathlib import Path

SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def sf_id(prefix, n):
    digits = ""
    for _ in range(10):
        digits = B62[n % 62] + digits
        n //= 62
    id15 = prefix + "5S" + digits
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, c in enumerate(id15[chunk * 5:chunk * 5 + 5]):
            if "A" <= c <= "Z":
                bits |= 1 << i
        suffix += SUFFIX[bits]
    return id15 + suffix


def street(r):
    line = " ".join(x for x in (r["street_number"], r["address_1"]) if x)
    return ", ".join(x for x in (line, r["address_2"]) if x)


def prepare(src, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = list(csv.DictReader(open(src, newline="")))
    orgs = [r for r in rows if r["rec_id"].endswith("-org")]
    dups = [r for r in rows if "-dup-" in r["rec_id"]]
    crm_ids = {}
    with open(out / "crm.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "FirstName", "LastName", "Street", "City", "State", "PostalCode", "Country"])
        for n, r in enumerate(orgs, start=1):
            crm_ids[r["rec_id"]] = sf_id("00Q", n)
            w.writerow([crm_ids[r["rec_id"]], r["given_name"], r["surname"], street(r), r["suburb"], r["state"], r["postcode"], "Australia"])
    with open(out / "network.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "first_name", "last_name", "street", "city", "state", "postal_code", "country"])
        for r in dups:
            w.writerow([r["rec_id"], r["given_name"], r["surname"], street(r), r["suburb"], r["state"], r["postcode"], "Australia"])
    by_entity = {}
    for r in dups:
        by_entity.setdefault(r["rec_id"].split("-dup-")[0], []).append(r["rec_id"])
    with open(out / "truth.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["crm_id", "network_id"])
        for rec, cid in crm_ids.items():
            for dup in by_entity.get(rec.rsplit("-org", 1)[0], []):
                w.writerow([cid, dup])


def score(outdir, matches):
    truth = {(r["crm_id"], r["network_id"]) for r in csv.DictReader(open(Path(outdir) / "truth.csv", newline=""))}
    pred = {(r["crm_id"], r["network_id"]) for r in csv.DictReader(open(matches, newline=""))}
    tp = len(truth & pred)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # The best recall any one-to-one linkage can reach: one dup per CRM record.
    reachable = len({c for c, _ in truth})
    print(json.dumps({"true_pairs": len(truth), "predicted": len(pred), "true_positives": tp,
                      "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                      "one_to_one_max_recall": round(reachable / len(truth), 4) if truth else 0.0}))


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
