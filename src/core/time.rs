//! Time formatting without a clock: callers pass the instant in, so the core stays pure.

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC (`2026-11-25T18:30:00.000Z`).
pub fn rfc3339_from_unix_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

/// Reads an ISO 8601 / RFC 3339 instant as Salesforce writes and accepts them
/// (`2013-05-05T00:00:00+00:00`, `2025-01-02T03:04:05.000Z`, `…+0000`) into milliseconds
/// since the Unix epoch; `None` when it is not one.
pub fn unix_ms_from_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let num = |s: &str| -> Option<i64> { s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse().ok()).flatten() };
    let (date, rest) = text.split_once('T')?;
    let mut date_parts = date.split('-');
    let (y, m, d) = (num(date_parts.next()?)?, num(date_parts.next()?)?, num(date_parts.next()?)?);
    if date_parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(0..=9999).contains(&y) {
        return None;
    }
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms_parts = hms.split(':');
    let (h, mi) = (num(hms_parts.next()?)?, num(hms_parts.next()?)?);
    let s = hms_parts.next().map_or(Some(0), num)?;
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis = match fraction {
        "" => 0,
        f => num(&format!("{f:0<3}")[..3])?,
    };
    let offset_minutes = match zone {
        "" | "Z" | "z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            sign * (num(&digits[..2])? * 60 + num(&digits[2..])?)
        }
    };
    let days = days_from_civil(y, m as u32, d as u32);
    Some(((days * 86_400 + h * 3600 + mi * 60 + s) - offset_minutes * 60) * 1000 + millis)
}

/// The day (days since 1970-01-01, UTC) of a date (`2026-03-31`) or an instant's date
/// part as Salesforce writes them; `None` when it is neither.
pub fn unix_day(text: &str) -> Option<i64> {
    let date = text.trim().get(..10)?;
    unix_ms_from_rfc3339(&format!("{date}T00:00:00Z")).map(|ms| ms.div_euclid(86_400_000))
}

/// The `YYYY-MM-DD` of a day since 1970-01-01.
pub fn date_of_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// (year, month, day) to days since 1970-01-01, proleptic Gregorian (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_none_never_a_panic() {
        // Found by the fuzzer: a multi-byte character in the fraction or the zone.
        for text in [
            "2023-05-17T14:02.i\u{fa}:11",
            "2023-05-17T14:02:11.\u{e9}9",
            "2023-05-17T14:02:11+0\u{e9}0",
            "99999999999999-05-17T14:02:11Z",
        ] {
            assert_eq!(unix_ms_from_rfc3339(text), None, "{text:?}");
        }
    }

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339_from_unix_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_from_unix_ms(1_468_448_630_767), "2016-07-13T22:23:50.767Z");
        assert_eq!(rfc3339_from_unix_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339_from_unix_ms(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn unix_ms_from_rfc3339_reads_salesforce_forms() {
        assert_eq!(unix_ms_from_rfc3339("2016-07-13T22:23:50.767Z"), Some(1_468_448_630_767));
        assert_eq!(unix_ms_from_rfc3339("2016-07-13T22:23:50.767+0000"), Some(1_468_448_630_767));
        assert_eq!(unix_ms_from_rfc3339("2016-07-14T00:23:50.767+02:00"), Some(1_468_448_630_767));
        assert_eq!(unix_ms_from_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(
            unix_ms_from_rfc3339("2013-05-05T00:00:00+00:00").map(rfc3339_from_unix_ms).as_deref(),
            Some("2013-05-05T00:00:00.000Z")
        );
        for bad in [
            "",
            "2016-07-13",
            "2016-13-01T00:00:00Z",
            "2016-07-13T25:00:00Z",
            "x016-07-13T00:00:00Z",
            "2016-07-13T00:00:00+1",
        ] {
            assert_eq!(unix_ms_from_rfc3339(bad), None, "{bad}");
        }
    }
}
