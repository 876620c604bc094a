#!/usr/bin/env python3
"""splink 5 (DuckDB) on the same Febrl CRM/network files, for comparison.

  splink_febrl.py OUTDIR MATCHES.csv   (OUTDIR from `febrl.py prepare`)

Same fields as crmsync (no date of birth, no id), link-only, p >= 0.5, no one-to-one
step: splink's own output as its users would get it.
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
cols = ["unique_id", "first_name", "surname", "street", "city", "state", "postcode"]
left = pd.DataFrame({"unique_id": crm["Id"], "first_name": crm["FirstName"], "surname": crm["LastName"], "street": crm["Street"],
                     "city": crm["City"], "state": crm["State"], "postcode": crm["PostalCode"]})
right = pd.DataFrame({"unique_id": net["id"], "first_name": net["first_name"], "surname": net["last_name"], "street": net["street"],
                      "city": net["city"], "state": net["state"], "postcode": net["postal_code"]})
for df in (left, right):
    df.replace("", None, inplace=True)

settings = SettingsCreator(
    link_type="link_only",
    comparisons=[
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.JaroWinklerAtThresholds("street", [0.9, 0.8]),
        cl.JaroWinklerAtThresholds("city", [0.9]),
        cl.ExactMatch("state"),
        cl.LevenshteinAtThresholds("postcode", [1]),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("first_name"), block_on("surname"), block_on("postcode"), block_on("street"),
    ],
    retain_intermediate_calculation_columns=False,
)
db = DuckDBAPI()
linker = Linker([db.register(left, dataset_display_name="crm"), db.register(right, dataset_display_name="network")], settings)
linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
crm_ids = set(left["unique_id"])
with open(matches, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["crm_id", "network_id", "probability"])
    for l, r, p in zip(pred["unique_id_l"], pred["unique_id_r"], pred["match_probability"]):
        if l in crm_ids:
            w.writerow([l, r, p])
        else:
            w.writerow([r, l, p])
print(f"splink: {len(pred)} pairs at p >= 0.5 in {time.time() - started:.2f} s", file=sys.stderr)
