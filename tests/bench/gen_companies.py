#!/usr/bin/env python3
"""Deterministic CRM-like businesses (Accounts vs network company pages), with ground truth.

  gen_companies.py N SEED OUTDIR -> OUTDIR/crm.csv (Accounts), OUTDIR/network.csv, OUTDIR/truth.csv

CRM: N accounts with distinct legal-form names, website, phone and billing address, except
10 % namesakes of another account (another city, another website). Network: 80 % of them as company pages (legal
form dropped, "The" added, website with or without www/path or missing, phone formatted
differently or missing, free-text or structured location) plus 20 % companies not in the CRM.
"""
import csv
import random
import sys
from pathlib import Path

from febrl import sf_id

A = ("acme global blue red north summit apex vertex nova orbit pioneer quantum silver stellar bright iron oak pine "
     "river harbor granite cedar maple falcon eagle lion tiger atlas titan zenith horizon beacon anchor crown delta "
     "echo fusion matrix nexus omega prime pulse radiant sierra solar terra unity vista willow").split()
B = "systems labs software analytics dynamics networks solutions partners logistics health foods energy capital media robotics consulting design".split()
LEGAL = ["Inc.", "LLC", "Ltd", "Corporation", "Corp.", "Co.", "GmbH", "Group Inc.", ""]
STREETS = "main oak maple cedar elm pine washington lake hill park market church spring river high".split()
KINDS = ["St", "Ave", "Blvd", "Rd", "Dr", "Way"]
CITIES = [("Boston", "MA", "021"), ("New York", "NY", "100"), ("San Francisco", "CA", "941"), ("Austin", "TX", "787"),
          ("Chicago", "IL", "606"), ("Seattle", "WA", "981"), ("Denver", "CO", "802"), ("Atlanta", "GA", "303"),
          ("Miami", "FL", "331"), ("Portland", "OR", "972"), ("Phoenix", "AZ", "850"), ("Dallas", "TX", "752")]
STATE_NAMES = {"MA": "Massachusetts", "NY": "New York", "CA": "California", "TX": "Texas", "IL": "Illinois", "WA": "Washington",
               "CO": "Colorado", "GA": "Georgia", "FL": "Florida", "OR": "Oregon", "AZ": "Arizona"}


USED = set()


def company(rng, base=None):
    name = base
    while name is None or (base is None and name in USED):
        name = f"{rng.choice(A).title()} {rng.choice(A).title() if rng.random() < 0.5 else ''} {rng.choice(B).title()}".replace("  ", " ")
    USED.add(name)
    city, state, zip3 = rng.choice(CITIES)
    slug = name.lower().replace(" ", "")
    return {"name": name, "legal": rng.choice(LEGAL), "domain": f"{slug}{rng.randrange(10) if base else ''}.com",
            "phone": (rng.randrange(200, 999), rng.randrange(200, 999), rng.randrange(10000)),
            "street": f"{rng.randrange(1, 9999)} {rng.choice(STREETS).title()} {rng.choice(KINDS)}",
            "city": city, "state": state, "zip": f"{zip3}{rng.randrange(100):02d}"}


def main(n, seed, out):
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    accounts = []
    for i in range(n):
        # 10 % are namesakes of an earlier account in another city (branches, unrelated firms).
        base = accounts[rng.randrange(len(accounts))]["name"] if accounts and rng.random() < 0.1 else None
        c = company(rng, base)
        c["id"] = sf_id("001", i + 1)
        accounts.append(c)
    with open(out / "crm.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Name", "Website", "Phone", "BillingStreet", "BillingCity", "BillingState", "BillingPostalCode", "BillingCountry"])
        for c in accounts:
            a, b, d = c["phone"]
            w.writerow([c["id"], f"{c['name']} {c['legal']}".strip(), f"https://www.{c['domain']}", f"({a}) {b}-{d:04d}",
                        c["street"], c["city"], c["state"], c["zip"], "United States"])
    pages = [(f"c{i}", c, True) for i, c in enumerate(accounts) if rng.random() < 0.8]
    pages += [(f"x{j}", company(rng), False) for j in range(n // 5)]
    rng.shuffle(pages)
    with open(out / "network.csv", "w", newline="") as f, open(out / "truth.csv", "w", newline="") as t:
        w = csv.writer(f)
        tw = csv.writer(t)
        w.writerow(["id", "name", "website", "industry", "employee_count", "location", "phone", "street", "city", "state", "postal_code", "country"])
        tw.writerow(["crm_id", "network_id"])
        for pid, c, in_crm in pages:
            name = ("The " if rng.random() < 0.1 else "") + c["name"] + (" Inc" if rng.random() < 0.2 else "")
            website = "" if rng.random() < 0.3 else rng.choice([c["domain"], f"http://{c['domain']}/about", f"https://www.{c['domain']}"])
            a, b, d = c["phone"]
            phone = "" if rng.random() < 0.6 else rng.choice([f"+1 {a} {b} {d:04d}", f"{a}.{b}.{d:04d}"])
            structured = rng.random() < 0.4
            location = "" if structured else f"{c['city']}, {STATE_NAMES.get(c['state'], c['state'])}"
            street, city, state, postal = (c["street"], c["city"], c["state"], c["zip"]) if structured else ("", "", "", "")
            w.writerow([pid, name, website, "", "", location, phone, street, city, state, postal, "United States" if structured else ""])
            if in_crm:
                tw.writerow([c["id"], pid])


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
