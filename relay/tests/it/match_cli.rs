//! `crmsync match` and `crmsync import-network` as a user runs them: files in, files out.

use std::path::Path;
use std::process::Command;

use crate::harness::temp_dir;

fn crmsync(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_crmsync")).args(args).output().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const CRM: &str = "Id,FirstName,LastName,Email,Phone,Company,MailingCity,MailingState,MailingCountry\n\
    0037e00001WZ30q,Robert,Okonkwo,robert.okonkwo@acme.com,(415) 555-0101,Acme Inc.,San Francisco,CA,USA\n\
    0037e00001WZ30r,Ingrid,Svensson,ingrid@nordlys.se,,Nordlys AB,Stockholm,,Sweden\n\
    00Qg5000008th4X,Priya,Raman,,,Quantum Labs LLC,Austin,TX,USA\n\
    0037e00001WZ30s,Ada,Lovelace,,,Analytical Engines,London,,UK\n";

const NETWORK: &str = "id,first_name,last_name,headline,title,company,location,email,phone\n\
    bob-okonkwo,Bob,Okonkwo,VP Sales at Acme,VP Sales,Acme,San Francisco Bay Area,,\n\
    ingrid-svensson,Ingrid,Svensson,CTO,CTO,Nordlys,\"Stockholm, Sweden\",ingrid@nordlys.se,\n\
    priya-raman,Priya,Raman,Engineer,Engineer,Quantum Labs,\"Austin, Texas, United States\",,\n\
    someone-else,Maria,Gonzalez,Designer,Designer,Other Co,\"Madrid, Spain\",,\n";

fn matches(path: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(path).unwrap().lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
fn match_links_people_one_to_one_with_explanations() {
    let dir = temp_dir("match-cli");
    let (crm, net, out) =
        (write(&dir, "crm.csv", CRM), write(&dir, "net.csv", NETWORK), dir.join("m.csv").display().to_string());
    let run = crmsync(&["match", "--crm", &crm, "--network", &net, "--out", &out, "--explain"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("crm_id,network_id,probability,match_weight,method,explanation\n"), "{text}");
    let pairs: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect();
    assert!(pairs.contains(&("0037e00001WZ30qAAD".into(), "bob-okonkwo".into())), "{text}");
    assert!(pairs.contains(&("0037e00001WZ30rAAD".into(), "ingrid-svensson".into())), "{text}");
    assert!(pairs.contains(&("00Qg5000008th4XEAQ".into(), "priya-raman".into())), "{text}");
    assert!(!text.contains("someone-else"), "{text}");
    assert!(text.contains("first_name=nickname"), "the explanation names the nickname level: {text}");
}

#[test]
fn match_decisions_override_the_model() {
    let dir = temp_dir("match-decisions");
    let (crm, net, out) =
        (write(&dir, "crm.csv", CRM), write(&dir, "net.csv", NETWORK), dir.join("m.csv").display().to_string());
    let decisions = write(
        &dir,
        "d.csv",
        "crm_id,network_id,decision\n0037e00001WZ30r,ingrid-svensson,not_match\n0037e00001WZ30sAAD,someone-else,match\n",
    );
    let run = crmsync(&["match", "--crm", &crm, "--network", &net, "--out", &out, "--decisions", &decisions]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let rows = matches(&out);
    assert!(!rows.iter().any(|r| r[1] == "ingrid-svensson"), "{rows:?}");
    let manual = rows.iter().find(|r| r[1] == "someone-else").expect("manual match present");
    assert_eq!((manual[0].as_str(), manual[4].as_str()), ("0037e00001WZ30sAAD", "manual"));
}

#[test]
fn match_bad_inputs_fail_clearly() {
    let dir = temp_dir("match-bad");
    let net = write(&dir, "net.csv", NETWORK);
    let no_id = write(&dir, "crm.csv", "FirstName,LastName\nA,B\n");
    let out = dir.join("m.csv").display().to_string();
    let run = crmsync(&["match", "--crm", &no_id, "--network", &net, "--out", &out]);
    assert!(!run.status.success());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("no \"Id\" column"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let run = crmsync(&["match", "--crm", "/nonexistent.csv", "--network", &net, "--out", &out]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("cannot read /nonexistent.csv"));
    let bad_decision = write(&dir, "d.csv", "crm_id,network_id,decision\n0037e00001WZ30q,x,maybe\n");
    let crm = write(&dir, "crm2.csv", CRM);
    let run = crmsync(&["match", "--crm", &crm, "--network", &net, "--out", &out, "--decisions", &bad_decision]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("line 2") && err.contains("\"maybe\""), "{err}");
}

#[test]
fn import_network_converts_connections_export() {
    let dir = temp_dir("import-network");
    let export = write(
        &dir,
        "Connections.csv",
        "Notes:\n\"Some e-mail addresses may be missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
         Bob,Okonkwo,https://www.linkedin.com/in/bob-okonkwo,,Acme,VP Sales,01 Jan 2025\n,,,,,,\n",
    );
    let out = dir.join("network.csv").display().to_string();
    let run = crmsync(&["import-network", &export, "--out", &out]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("id,first_name,last_name,headline,title,company,location"), "{text}");
    assert!(text.contains("bob-okonkwo,Bob,Okonkwo,,VP Sales,Acme,"), "{text}");
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn index_build_and_lookup_find_the_crm_record() {
    let dir = temp_dir("index-cli");
    let (crm, net) = (write(&dir, "crm.csv", CRM), write(&dir, "net.csv", NETWORK));
    let (index, hits) = (dir.join("index.bin").display().to_string(), dir.join("hits.csv").display().to_string());
    let run = crmsync(&["index", "build", "--crm", &crm, "--out", &index, "--key", "000102030405060708090a0b0c0d0e0f"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let bytes = std::fs::read(&index).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("robert.okonkwo@acme.com"), "e-mails must be hashed");
    let run = crmsync(&["index", "lookup", "--index", &index, "--network", &net, "--out", &hits]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(&hits).unwrap();
    assert!(text.contains("ingrid-svensson,0037e00001WZ30rAAD,Contact,"), "{text}");
    assert!(!text.contains("someone-else"), "{text}");
    let bad = crmsync(&["index", "build", "--crm", &crm, "--out", &index, "--key", "xyz"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("32 hex characters"));
}
