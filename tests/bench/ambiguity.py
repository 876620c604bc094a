#!/usr/bin/env python3
"""How many true pairs no matcher can tell from a namesake, on a generated set with truth.

  ambiguity.py DIR   (DIR holds crm.csv, network.csv, truth.csv and matches.csv)

A true pair whose first and last names agree exactly is *ambiguous* when another record
with the same full name, on either side, agrees with the pair's other record at least as
well on every other compared field (employer, city, title, e-mail, phone): nothing in the
data favours the true pair over that namesake, so no matcher links it at precision 0.99
except by chance. Each true pair is counted as ambiguous, distinct (names exact, no such
namesake) or with names that differ, and as found by `crmsync match` or missed. The
distinct pairs still missed are listed by what they agree on and how many namesakes they
have, which says where recall could still come from.
"""
import collections
import csv
import sys
from pathlib import Path

LEGAL_FORMS = {"inc", "llc", "ltd", "gmbh", "corp", "co.", "co"}


def employer(name):
    return " ".join(w for w in name.lower().split() if w not in LEGAL_FORMS)


def agreement(crm, net):
    """What a CRM row and a profile agree on, besides the name: employer, city, title, e-mail, phone."""
    return (
        net["company"] != "" and employer(crm["Company"]) == employer(net["company"]),
        crm["City"].lower() in net["location"].lower(),
        crm["Title"].lower() == net["title"].lower(),
        net["email"] != "" and crm["Email"].lower() == net["email"].lower(),
        net["phone"] != "" and crm["Phone"] == net["phone"],
    )


def at_least(rival, true):
    return all(r >= t for r, t in zip(rival, true))


def counts(d):
    """Per kind ("ambiguous", "distinct", "names differ") and found or not, the true pairs;
    and the distinct pairs missed by (what else agrees, the profile's namesakes)."""
    truth = {r["crm_id"]: r["network_id"] for r in csv.DictReader(open(d / "truth.csv", newline=""))}
    found = {r["crm_id"]: r["network_id"] for r in csv.DictReader(open(d / "matches.csv", newline=""))}
    crm = {r["Id"]: r for r in csv.DictReader(open(d / "crm.csv", newline=""))}
    net = {r["id"]: r for r in csv.DictReader(open(d / "network.csv", newline=""))}
    crm_named, net_named = collections.defaultdict(list), collections.defaultdict(list)
    for i, r in crm.items():
        crm_named[(r["FirstName"].lower(), r["LastName"].lower())].append(i)
    for i, r in net.items():
        net_named[(r["first_name"].lower(), r["last_name"].lower())].append(i)
    kinds, missed = collections.Counter(), collections.Counter()
    for c, n in truth.items():
        a, b = crm[c], net[n]
        name = (a["FirstName"].lower(), a["LastName"].lower())
        hit = found.get(c) == n
        if name != (b["first_name"].lower(), b["last_name"].lower()):
            kinds[("names differ", hit)] += 1
            continue
        true = agreement(a, b)
        ambiguous = any(at_least(agreement(a, net[k]), true) for k in net_named[name] if k != n) or any(
            at_least(agreement(crm[k], b), true) for k in crm_named[name] if k != c
        )
        kinds[("ambiguous" if ambiguous else "distinct", hit)] += 1
        if not ambiguous and not hit:
            namesakes = len(net_named[name]) - 1
            band = "0" if namesakes == 0 else "1-2" if namesakes < 3 else "3-8" if namesakes < 9 else "9+"
            agrees = "+".join(f for f, t in zip(("employer", "city", "title", "e-mail", "phone"), true) if t) or "none"
            missed[(agrees, band)] += 1
    return kinds, missed


KINDS = ("ambiguous", "distinct", "names differ")


def main(d):
    kinds, missed = counts(d)
    total = sum(kinds.values())
    print(f"{d.name}: {total:,} true pairs; recall {sum(v for (_, hit), v in kinds.items() if hit) / total:.4f}")
    print("| true pairs | found | missed | share of all |")
    print("|---|---|---|---|")
    for kind in KINDS:
        f, m = kinds[(kind, True)], kinds[(kind, False)]
        print(f"| {kind} | {f:,} | {m:,} | {(f + m) / total:.4f} (missed {m / total:.4f}) |")
    print("\nDistinct pairs missed, by what else agrees and the profile's namesakes:")
    for (agrees, band), v in missed.most_common(8):
        print(f"- {agrees}, {band} namesakes: {v:,}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
