#!/usr/bin/env python3
"""Deterministic CRM-like people where some blocks hold thousands of records, with ground truth.

  gen_people_zipf.py N SEED OUTDIR  -> OUTDIR/crm.csv, OUTDIR/network.csv, OUTDIR/truth.csv

Same files as `gen_people.py`, but shaped like a large org: employers, surnames, first
names and cities are Zipf-sized (at 1M people the largest employer holds tens of
thousands, "Smith" about 1 %, one city a tenth), so the common blocks are large and must
be split, not dropped. Network: 80 % of the CRM people (nicknames, typos in either name,
18 % changed employer, 8 % moved city, free-text locations, e-mail on 10 %, phone on 5 %,
employer missing on 4 %) plus 20 % people not in the CRM.
"""
import bisect
import csv
import itertools
import random
import sys
from pathlib import Path

from febrl import sf_id
from gen_people import CITIES, FIRST, LAST_ROOT, LAST_SYL, NICK, TITLES, typo

WORD_A = ("acme global blue red north summit apex vertex nova orbit pioneer quantum silver stellar bright iron oak pine "
          "river harbor granite cedar falcon eagle atlas beacon crown delta ember frontier golden horizon keystone "
          "liberty maple meridian noble omega pacific prairie regal sierra titan union valley").split()
WORD_B = ("systems labs software analytics dynamics networks solutions partners logistics health foods energy capital "
          "media robotics data cloud security foundry works industries materials devices finance insurance "
          "consulting design retail motors pharma").split()
WORD_C = ["", "group", "holdings", "international", "america", "technologies", "services", "digital", "worldwide",
          "ventures", "enterprises", "associates", "east", "west", "one", "plus", "pro", "hq", "global", "co"]
SUFFIX = ["Inc", "LLC", "Ltd", "GmbH", "Corp", "", "", "Co."]
MORE_CITIES = [("Houston", "TX"), ("Philadelphia", "PA"), ("Los Angeles", "CA"), ("San Jose", "CA"), ("Charlotte", "NC"),
               ("Indianapolis", "IN"), ("Baltimore", "MD"), ("Milwaukee", "WI"), ("Kansas City", "MO"), ("Tampa", "FL"),
               ("Sacramento", "CA"), ("Cleveland", "OH"), ("Orlando", "FL"), ("St. Louis", "MO"), ("Cincinnati", "OH"),
               ("Richmond", "VA"), ("Omaha", "NE"), ("Boise", "ID"), ("Madison", "WI"), ("Tucson", "AZ")]


class Zipf:
    """Draws index k with weight 1 / (k + offset) ** s (offset flattens the head)."""

    def __init__(self, n, s, offset):
        self.cum = list(itertools.accumulate(1.0 / (k + offset) ** s for k in range(n)))

    def draw(self, rng):
        return bisect.bisect_left(self.cum, rng.random() * self.cum[-1])


def names(rng):
    """All surnames the roots and syllables make, in a seeded order (rank = commonness)."""
    surnames = sorted({r + a + b for r in LAST_ROOT for a in [""] + LAST_SYL for b in ([""] + LAST_SYL if a else [""])})
    rng.shuffle(surnames)
    firsts = list(FIRST)
    rng.shuffle(firsts)
    return surnames, firsts


def companies(n, rng):
    combos = [f"{a} {b} {c}".strip() for a in WORD_A for b in WORD_B for c in WORD_C]
    rng.shuffle(combos)
    return [c.title() for c in combos[:n]]


class World:
    def __init__(self, n, rng):
        self.surnames, self.firsts = names(rng)
        self.companies = companies(min(max(n // 12, 50), 40 * 30 * 20), rng)
        self.cities = CITIES + MORE_CITIES
        rng.shuffle(self.cities)
        self.z_last = Zipf(len(self.surnames), 1.0, 10)
        self.z_first = Zipf(len(self.firsts), 1.0, 4)
        self.z_company = Zipf(len(self.companies), 1.0, 3)
        self.z_city = Zipf(len(self.cities), 1.0, 2)

    def person(self, rng):
        city, state = self.cities[self.z_city.draw(rng)]
        return {"first": self.firsts[self.z_first.draw(rng)], "last": self.surnames[self.z_last.draw(rng)],
                "company": self.companies[self.z_company.draw(rng)], "suffix": rng.choice(SUFFIX), "city": city,
                "state": state, "phone": f"({rng.randrange(200, 999)}) {rng.randrange(200, 999)}-{rng.randrange(0, 10000):04d}",
                "title": rng.choice(TITLES)}


def domain(company):
    return company.lower().replace(" ", "") + ".com"


def main(n, seed, out):
    rng = random.Random(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    world = World(n, rng)
    people = [world.person(rng) for _ in range(n)]
    with open(out / "crm.csv", "w", newline="") as f, open(out / "truth.csv", "w", newline="") as t:
        w = csv.writer(f)
        csv.writer(t).writerow(["crm_id", "network_id"])
        w.writerow(["Id", "FirstName", "LastName", "Email", "Phone", "Title", "Company", "City", "State", "Country"])
        for i, p in enumerate(people):
            p["id"] = sf_id("003" if i % 3 else "00Q", i + 1)
            w.writerow([p["id"], p["first"].title(), p["last"].title(), f"{p['first']}.{p['last']}@{domain(p['company'])}",
                        p["phone"], p["title"], f"{p['company']} {p['suffix']}".strip(), p["city"], p["state"], "USA"])
    profiles = [(f"p{i}", p, True) for i, p in enumerate(people) if rng.random() < 0.8]
    profiles += [(f"x{j}", world.person(rng), False) for j in range(n // 5)]
    rng.shuffle(profiles)
    with open(out / "network.csv", "w", newline="") as f, open(out / "truth.csv", "a", newline="") as t:
        w = csv.writer(f)
        tw = csv.writer(t)
        w.writerow(["id", "first_name", "last_name", "headline", "title", "company", "location", "email", "phone"])
        for pid, p, in_crm in profiles:
            first, last, company, city, state = p["first"], p["last"], p["company"], p["city"], p["state"]
            if rng.random() < 0.1 and first in NICK:
                first = NICK[first]
            elif rng.random() < 0.03:
                first = typo(rng, first)
            if rng.random() < 0.08:
                last = typo(rng, last)
            if rng.random() < 0.18:
                company = world.companies[world.z_company.draw(rng)]  # job change
            if rng.random() < 0.08:
                city, state = world.cities[world.z_city.draw(rng)]  # moved
            title = p["title"] if rng.random() < 0.8 else rng.choice(TITLES)
            location = f"Greater {city} Area" if rng.random() < 0.4 else f"{city}, {state}, United States"
            email = f"{p['first']}.{p['last']}@{domain(p['company'])}" if rng.random() < 0.1 else ""
            phone = p["phone"] if rng.random() < 0.05 else ""
            shown = "" if rng.random() < 0.04 else company
            headline = f"{title} at {shown}" if shown else title
            w.writerow([pid, first.title(), last.title(), headline, title, shown, location, email, phone])
            if in_crm:
                tw.writerow([p["id"], pid])


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
