#!/usr/bin/env python3
"""splink 5 (DuckDB) on generated CRM-like people (gen_people.py), for the speed comparison.

  splink_people.py OUTDIR MATCHES.csv

Comparable fields and blocking to crmsync's: names, e-mail, phone, company, city/state.
"""
import csv
import sys
import time

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

outdir, matches = sys.argv[1], sys.argv[2]
started = time.time()
crm = pd.read_csv(f"{outdir}/crm.csv", dtype=str, keep_default_na=False)
net = pd.read_csv(f"{outdir}/network.csv", dtype=str, keep_default_na=False)
split = net["location"].str.replace("Greater ", "", regex=False).str.replace(" Area", "", regex=False).str.split(",")
left = pd.DataFrame({"unique_id": crm["Id"], "first_name": crm["FirstName"].str.lower(), "surname": crm["LastName"].str.lower(),
                     "email": crm["Email"].str.lower(), "phone": crm["Phone"].str.replace(r"\D", "", regex=True),
                     "company": crm["Company"].str.lower(), "city": crm["City"].str.lower()})
right = pd.DataFrame({"unique_id": net["id"], "first_name": net["first_name"].str.lower(), "surname": net["last_name"].str.lower(),
                      "email": net["email"].str.lower(), "phone": net["phone"].str.replace(r"\D", "", regex=True),
                      "company": net["company"].str.lower(), "city": split.str[0].str.strip().str.lower()})
for df in (left, right):
    df.replace("", None, inplace=True)
settings = SettingsCreator(
    link_type="link_only",
    comparisons=[
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.EmailComparison("email"),
        cl.ExactMatch("phone"),
        cl.JaroWinklerAtThresholds("company", [0.9]),
        cl.ExactMatch("city"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("email"), block_on("phone"), block_on("surname", "substr(first_name, 1, 1)"),
        block_on("first_name", "city"), block_on("surname", "city"),
    ],
    retain_intermediate_calculation_columns=False,
)
db = DuckDBAPI()
linker = Linker([db.register(left, dataset_display_name="crm"), db.register(right, dataset_display_name="network")], settings)
linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname", "city")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "city"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "city"))
pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
crm_ids = set(left["unique_id"])
with open(matches, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["crm_id", "network_id", "probability"])
    for l, r, p in zip(pred["unique_id_l"], pred["unique_id_r"], pred["match_probability"]):
        w.writerow([l, r, p] if l in crm_ids else [r, l, p])
print(f"splink: {len(pred)} pairs at p >= 0.5 in {time.time() - started:.2f} s", file=sys.stderr)
