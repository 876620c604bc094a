//! The index's wire format (format [`INDEX_FORMAT`]): records column by column in id
//! order, so neighbouring values compress well under gzip; contact data only as keyed
//! hashes.

use super::*;
use crate::core::badge::codec::{Reader, Writer};

pub(super) const MAGIC: &[u8; 4] = b"CRMX";
/// Binary format of snapshots and deltas (3: with the relay's matches).
pub const INDEX_FORMAT: u32 = 3;

/// The bytes of an index (format [`INDEX_FORMAT`]) from its parts.
pub(super) fn write_index(
    version: u64,
    key: &HashKey,
    params: (&Params, &Params),
    people: (&[PersonRecord], &[Label]),
    companies: (&[CompanyRecord], &[Label]),
    decisions: &[Decision],
    matches: &RelayMatches,
) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(MAGIC);
    w.varint(u64::from(INDEX_FORMAT));
    w.varint(version);
    w.raw(key);
    w.str(&serde_json::to_string(params.0).unwrap_or_default());
    w.str(&serde_json::to_string(params.1).unwrap_or_default());
    put_people(&mut w, people.0, people.1);
    put_companies(&mut w, companies.0, companies.1);
    put_decisions(&mut w, decisions);
    put_matches(&mut w, matches);
    w.bytes
}

/// Probabilities travel as millionths.
const PROBABILITY_SCALE: f64 = 1e6;

/// The relay's matches: the run they reflect, then ids and probabilities as columns.
pub(super) fn put_matches(w: &mut Writer, matches: &RelayMatches) {
    w.varint(matches.seq);
    w.varint(matches.links.len() as u64);
    w.column(&matches.links.iter().map(|m| m.crm_id.as_str()).collect::<Vec<_>>());
    w.column(&matches.links.iter().map(|m| m.network_id.as_str()).collect::<Vec<_>>());
    for m in &matches.links {
        w.varint((m.probability.clamp(0.0, 1.0) * PROBABILITY_SCALE).round() as u64);
    }
}

pub(super) fn get_matches(r: &mut Reader<'_>) -> Result<RelayMatches, CodecError> {
    let seq = r.varint()?;
    let n = r.count()?;
    let (crm, network) = (r.column(n)?, r.column(n)?);
    let probabilities = r.numbers(n)?;
    let links = crm
        .into_iter()
        .zip(network)
        .zip(probabilities)
        .map(|((crm_id, network_id), p)| RelayMatch {
            crm_id,
            network_id,
            probability: (p as f64 / PROBABILITY_SCALE).min(1.0),
        })
        .collect();
    Ok(RelayMatches { seq, links })
}

/// Positions of `ids` in id order: records are written sorted, so neighbouring ids
/// share their prefix and compress well.
pub(super) fn id_order<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let ids: Vec<&str> = ids.collect();
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| ids[i]);
    order
}

/// Writes a list-valued field (phones) as counts, then all values as one column.
pub(super) fn put_lists(w: &mut Writer, lists: &[&[Text]]) {
    for list in lists {
        w.varint(list.len() as u64);
    }
    let flat: Vec<&str> = lists.iter().flat_map(|l| l.iter().map(Text::as_str)).collect();
    w.column(&flat);
}

pub(super) fn get_lists(r: &mut Reader<'_>, n: usize) -> Result<Vec<Vec<Text>>, CodecError> {
    let counts = (0..n).map(|_| r.count()).collect::<Result<Vec<_>, _>>()?;
    let mut flat = r.column(counts.iter().sum())?.into_iter();
    Ok(counts.into_iter().map(|c| flat.by_ref().take(c).map(Text::from).collect()).collect())
}

pub(super) fn put_locations(w: &mut Writer, locations: &[&Location]) {
    w.column(&locations.iter().map(|l| l.city.as_str()).collect::<Vec<_>>());
    w.column(&locations.iter().map(|l| l.region.as_str()).collect::<Vec<_>>());
    w.column(&locations.iter().map(|l| l.country.as_str()).collect::<Vec<_>>());
}

pub(super) fn get_locations(r: &mut Reader<'_>, n: usize) -> Result<Vec<Location>, CodecError> {
    let (city, region, country) = (r.column(n)?, r.column(n)?, r.column(n)?);
    Ok(city
        .into_iter()
        .zip(region)
        .zip(country)
        .map(|((city, region), country)| Location { city: city.into(), region: region.into(), country: country.into() })
        .collect())
}

pub(super) fn put_labels(w: &mut Writer, labels: &[&Label]) {
    w.column(&labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>());
    w.column(&labels.iter().map(|l| l.owner.as_str()).collect::<Vec<_>>());
}

pub(super) fn get_labels(r: &mut Reader<'_>, n: usize) -> Result<Vec<Label>, CodecError> {
    let (names, owners) = (r.column(n)?, r.column(n)?);
    Ok(names.into_iter().zip(owners).map(|(name, owner)| Label { name, owner }).collect())
}

/// People column by column (format 2), in id order.
pub(super) fn put_people(w: &mut Writer, records: &[PersonRecord], labels: &[Label]) {
    let order = id_order(records.iter().map(|p| p.id.as_str()));
    let people: Vec<&PersonRecord> = order.iter().map(|&i| &records[i]).collect();
    w.varint(people.len() as u64);
    let col = |f: fn(&PersonRecord) -> &str| people.iter().map(|p| f(p)).collect::<Vec<&str>>();
    w.column(&col(|p| &p.id));
    for p in &people {
        w.varint(u64::from(p.kind == Some(CrmKind::Lead)));
    }
    w.column(&col(|p| &p.name.first));
    w.column(&col(|p| &p.name.last));
    w.column(&col(|p| p.email.as_ref().map_or("", |e| e.local.as_str())));
    put_lists(w, &people.iter().map(|p| p.phones.as_slice()).collect::<Vec<_>>());
    w.column(&col(|p| &p.company));
    put_locations(w, &people.iter().map(|p| &p.location).collect::<Vec<_>>());
    put_labels(w, &order.iter().map(|&i| &labels[i]).collect::<Vec<_>>());
}

pub(super) fn get_people(r: &mut Reader<'_>) -> Result<Vec<(PersonRecord, Label)>, CodecError> {
    let n = r.count()?;
    let ids = r.column(n)?;
    let leads = r.numbers(n)?;
    let (first, last, emails) = (r.column(n)?, r.column(n)?, r.column(n)?);
    let phones = get_lists(r, n)?;
    let companies = r.column(n)?;
    let locations = get_locations(r, n)?;
    let labels = get_labels(r, n)?;
    let mut out = Vec::with_capacity(n);
    let columns = ids.into_iter().zip(leads).zip(first).zip(last).zip(emails).zip(phones).zip(companies);
    for (((((((id, lead), first), last), email), phones), company), (location, label)) in
        columns.zip(locations.into_iter().zip(labels))
    {
        let person = PersonRecord {
            id: id.into(),
            kind: Some(if lead == 1 { CrmKind::Lead } else { CrmKind::Contact }),
            first_name_groups: nickname_groups_of(&first),
            name: crate::core::normalize::PersonName { first: first.into(), last: last.into() },
            email: (!email.is_empty()).then(|| Email { local: email.into(), domain: Text::default() }),
            phones,
            company: company.into(),
            location,
            ..Default::default()
        };
        out.push((person, label));
    }
    Ok(out)
}

/// Companies column by column (format 2), in id order.
pub(super) fn put_companies(w: &mut Writer, records: &[CompanyRecord], labels: &[Label]) {
    let order = id_order(records.iter().map(|c| c.id.as_str()));
    let companies: Vec<&CompanyRecord> = order.iter().map(|&i| &records[i]).collect();
    w.varint(companies.len() as u64);
    let col = |f: fn(&CompanyRecord) -> &str| companies.iter().map(|c| f(c)).collect::<Vec<&str>>();
    w.column(&col(|c| &c.id));
    w.column(&col(|c| &c.name));
    w.column(&col(|c| &c.domain));
    put_lists(w, &companies.iter().map(|c| c.phones.as_slice()).collect::<Vec<_>>());
    put_locations(w, &companies.iter().map(|c| &c.location).collect::<Vec<_>>());
    put_labels(w, &order.iter().map(|&i| &labels[i]).collect::<Vec<_>>());
}

pub(super) fn get_companies(r: &mut Reader<'_>) -> Result<Vec<(CompanyRecord, Label)>, CodecError> {
    let n = r.count()?;
    let (ids, names, domains) = (r.column(n)?, r.column(n)?, r.column(n)?);
    let phones = get_lists(r, n)?;
    let locations = get_locations(r, n)?;
    let labels = get_labels(r, n)?;
    Ok(ids
        .into_iter()
        .zip(names)
        .zip(domains)
        .zip(phones)
        .zip(locations.into_iter().zip(labels))
        .map(|((((id, name), domain), phones), (location, label))| {
            let (id, name, domain) = (id.into(), name.into(), domain.into());
            (CompanyRecord { id, name, domain, phones, location, ..Default::default() }, label)
        })
        .collect())
}

pub(super) fn put_decisions(w: &mut Writer, decisions: &[Decision]) {
    w.varint(decisions.len() as u64);
    for d in decisions {
        w.str(&d.crm_id);
        w.str(&d.network_id);
        w.varint(match d.kind {
            DecisionKind::Match => 0,
            DecisionKind::NotMatch => 1,
            DecisionKind::Unmatch => 2,
        });
    }
}

pub(super) fn get_decisions(r: &mut Reader<'_>) -> Result<Vec<Decision>, CodecError> {
    (0..r.count()?)
        .map(|_| {
            let (crm_id, network_id) = (r.str()?, r.str()?);
            let at = r.pos;
            let kind = match r.varint()? {
                0 => DecisionKind::Match,
                1 => DecisionKind::NotMatch,
                2 => DecisionKind::Unmatch,
                other => return Err(CodecError::Invalid { at, what: format!("decision kind {other}") }),
            };
            Ok(Decision { crm_id, network_id, kind })
        })
        .collect()
}
