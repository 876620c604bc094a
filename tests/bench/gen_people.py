#!/usr/bin/env python3
"""Deterministic CRM-like people for speed benchmarks, with ground truth.

  gen_people.py N SEED OUTDIR  -> OUTDIR/crm.csv (Leads/Contacts), OUTDIR/network.csv, OUTDIR/truth.csv

CRM: N people with work e-mail, phone, company, title and address. Network: 80 % of
them as profiles (with nicknames, typos, job changes, free-text locations, rarely an
e-mail or phone) plus 20 % people not in the CRM.
"""
import csv
import random
import sys
from pathlib import Path

from febrl import sf_id

FIRST = ("james mary robert patricia john jennifer michael linda william elizabeth david barbara richard susan joseph jessica "
         "thomas sarah charles karen christopher nancy daniel lisa matthew betty anthony margaret mark sandra donald ashley "
         "steven kimberly paul emily andrew donna joshua michelle kenneth dorothy kevin carol brian amanda george melissa "
         "edward deborah ronald stephanie timothy rebecca jason sharon jeffrey laura ryan cynthia jacob kathleen gary amy "
         "nicholas shirley eric angela jonathan helen stephen anna larry brenda justin pamela scott nicole brandon emma "
         "benjamin samantha samuel katherine gregory christine frank debra alexander rachel raymond catherine patrick carolyn "
         "jack janet dennis ruth jerry maria tyler heather aaron diane jose virginia adam julie henry joyce nathan victoria "
         "priya wei yuki ahmed fatima olga ivan lars ingrid pierre marie giovanni sofia carlos lucia hans greta").split()
NICK = {"robert": "bob", "william": "bill", "elizabeth": "liz", "michael": "mike", "jennifer": "jen", "richard": "rick",
        "joseph": "joe", "thomas": "tom", "christopher": "chris", "daniel": "dan", "matthew": "matt", "anthony": "tony",
        "steven": "steve", "andrew": "andy", "kenneth": "ken", "edward": "ed", "timothy": "tim", "katherine": "kate",
        "samantha": "sam", "nicholas": "nick", "alexander": "alex", "jonathan": "jon", "benjamin": "ben", "margaret": "peggy"}
LAST_SYL = "son man berg ton ley ford field wood well worth ski ez ova ini er sen stein baum ova kov".split()
LAST_ROOT = ("smith john william brown jones miller davis garcia rodri wil ander tay thom moore jack mart lee harr clark "
             "lewis walk hall allen young king wright scott green baker adams nelson hill camp mitch rober carter phil "
             "evans turner torres parker collins edwards stew morris murphy cook rogers morgan peter cooper reed bailey "
             "bell gomez kelly howard ward cox diaz richard wood watson brooks bennett gray james reyes cruz hughes price "
             "myers long foster sanders ross morales powell sullivan russell ortiz jenkins gutier perry butler barnes fisher "
             "hender cole simmons patter jordan reyn hamil graham kim gonza alex ramos wallace griff west cole hayes "
             "chavez gibs bryant ellis steve murray ford marsh owens mcdon harri ruiz kennedy wells alvar wood jensen "
             "novak tanaka schmidt muller rossi dubois kowal ivanov nielsen berg").split()
COMPANY_A = "acme global blue red north summit apex vertex nova orbit pioneer quantum silver stellar bright iron oak pine river harbor".split()
COMPANY_B = "systems labs software analytics dynamics networks solutions partners logistics health foods energy capital media robotics".split()
SUFFIX = ["Inc", "LLC", "Ltd", "GmbH", "Corp", "", "", "Co."]
CITIES = [("Boston", "MA"), ("New York", "NY"), ("San Francisco", "CA"), ("Austin", "TX"), ("Chicago", "IL"), ("Seattle", "WA"),
          ("Denver", "CO"), ("Atlanta", "GA"), ("Miami", "FL"), ("Portland", "OR"), ("Phoenix", "AZ"), ("Dallas", "TX"),
          ("San Diego", "CA"), ("Nashville", "TN"), ("Columbus", "OH"), ("Detroit", "MI"), ("Minneapolis", "MN"),
          ("Raleigh", "NC"), ("Salt Lake City", "UT"), ("Pittsburgh", "PA")]
TITLES = ["CEO", "CTO", "VP Sales", "Account Executive", "Sales Manager", "Engineer", "Director", "Marketing Manager",
          "Analyst", "Consultant"]
def typo(rng, s):
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.randrange(3)
    if op == 0:
        return s[:i] + s[i + 1:]
    if op == 1:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + rng.choice("aeiourstnl") + s[i + 1:]


def person(rng):
    first = rng.choice(FIRST)
    last = rng.choice(LAST_ROOT) + "".join(rng.choice(LAST_SYL) for _ in range(rng.choice((0, 1, 1, 2, 2, 2))))
    company = f"{rng.choice(COMPANY_A).title()} {rng.choice(COMPANY_B).title()}"
    city, state = rng.choice(CITIES)
    return {"first": first, "last": last, "company": company, "suffix": rng.choice(SUFFIX), "city": city, "state": state,
            "phone": f"({rng.randrange(200, 999)}) {rng.randrange(200, 999)}-{rng.randrange(0, 10000):04d}",
            "title": rng.choice(TITLES)}


def main(n, seed, out):
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    people = [person(rng) for _ in range(n)]
    with open(out / "crm.csv", "w", newline="") as f, open(out / "truth.csv", "w", newline="") as t:
        w = csv.writer(f)
        tw = csv.writer(t)
        w.writerow(["Id", "FirstName", "LastName", "Email", "Phone", "Title", "Company", "City", "State", "Country"])
        tw.writerow(["crm_id", "network_id"])
        for i, p in enumerate(people):
            prefix = "003" if i % 3 else "00Q"
            p["id"] = sf_id(prefix, i + 1)
            domain = p["company"].lower().replace(" ", "") + ".com"
            w.writerow([p["id"], p["first"].title(), p["last"].title(), f"{p['first']}.{p['last']}@{domain}", p["phone"],
                        p["title"], f"{p['company']} {p['suffix']}".strip(), p["city"], p["state"], "USA"])
    with open(out / "network.csv", "w", newline="") as f, open(out / "truth.csv", "a", newline="") as t:
        w = csv.writer(f)
        tw = csv.writer(t)
        w.writerow(["id", "first_name", "last_name", "headline", "title", "company", "location", "email", "phone"])
        profiles = []
        for i, p in enumerate(people):
            if rng.random() < 0.8:
                profiles.append((f"p{i}", p, True))
        for j in range(n // 5):
            profiles.append((f"x{j}", person(rng), False))
        rng.shuffle(profiles)
        for pid, p, in_crm in profiles:
            first, last, company = p["first"], p["last"], p["company"]
            if rng.random() < 0.1 and first in NICK:
                first = NICK[first]
            if rng.random() < 0.08:
                last = typo(rng, last)
            if rng.random() < 0.15:
                company = f"{rng.choice(COMPANY_A).title()} {rng.choice(COMPANY_B).title()}"  # job change
            location = f"Greater {p['city']} Area" if rng.random() < 0.4 else f"{p['city']}, {p['state']}, United States"
            email = f"{p['first']}.{p['last']}@{p['company'].lower().replace(' ', '')}.com" if rng.random() < 0.1 else ""
            phone = p["phone"] if rng.random() < 0.05 else ""
            w.writerow([pid, first.title(), last.title(), f"{p['title']} at {company}", p["title"], company, location, email, phone])
            if in_crm:
                tw.writerow([p["id"], pid])


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
