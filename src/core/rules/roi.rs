//! Return on network selling: which opportunities the reps' network work influenced, and
//! the pipeline and win rates of influenced against other opportunities, per rep or per
//! month or quarter.
//!
//! An opportunity is *influenced* when, between `lookback_days` before its creation and
//! its close (or today, while open), a seat holder logged a network activity on its
//! account, on one of its contact roles' contacts or on a lead converted into one of
//! them — or had its account or one of those contacts in a saved list (an entry saved
//! because of this very opportunity does not count: auto-save puts every open
//! opportunity's records in its owner's lists). Amounts are kept in cents, so totals and
//! per-period rows add up exactly.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::core::time::date_of_day;

/// The days before an opportunity's creation that still count (a setting).
pub const DEFAULT_LOOKBACK_DAYS: i64 = 90;

/// An imported Opportunity as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoiOpportunity {
    pub id: String,
    pub name: String,
    pub owner_id: String,
    pub account_id: Option<String>,
    /// The revenue field's value in cents (0 when empty).
    pub amount_cents: i64,
    /// Days since 1970-01-01.
    pub created_day: i64,
    pub close_day: Option<i64>,
    pub is_closed: bool,
    pub is_won: bool,
    pub stage: String,
}

/// Something a seat holder did about a CRM record: a written-back activity (its kind),
/// or a saved-list entry (`saved_list`, with what saved it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    pub user_id: String,
    /// The Lead, Contact or Account.
    pub record_id: String,
    /// An activity kind (`inmail`, `message`, …) or `saved_list`.
    pub kind: String,
    /// Days since 1970-01-01.
    pub day: i64,
    /// For a list entry: the opportunity that auto-saved it (it does not influence that one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_for: Option<String>,
}

/// The kind of a saved-list touch.
pub const SAVED_LIST: &str = "saved_list";

/// How the org's records connect to an opportunity.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Opportunity id → its contact roles' contacts.
    pub contacts: HashMap<String, Vec<String>>,
    /// Contact id → the leads converted into it.
    pub converted_leads: HashMap<String, Vec<String>>,
}

/// Parses a currency amount as Salesforce writes it (`12500`, `12500.5`, `-3.25`) into
/// cents; empty or unreadable: 0.
pub fn cents(text: &str) -> i64 {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let Ok(whole) = (if whole.is_empty() { Ok(0) } else { whole.parse::<i64>() }) else { return 0 };
    let fraction: String = fraction.chars().chain("00".chars()).take(2).collect();
    let Ok(fraction) = fraction.parse::<i64>() else { return 0 };
    let value = whole.saturating_mul(100).saturating_add(fraction);
    if negative {
        -value
    } else {
        value
    }
}

/// The touches that influenced `opp` (none: not influenced), oldest first.
pub fn influences<'a>(
    opp: &RoiOpportunity,
    links: &Links,
    by_record: &HashMap<&str, Vec<&'a Touch>>,
    lookback_days: i64,
    today: i64,
) -> Vec<&'a Touch> {
    let start = opp.created_day - lookback_days;
    let end = if opp.is_closed { opp.close_day.unwrap_or(today) } else { today };
    let mut records: Vec<&str> = opp.account_id.iter().map(String::as_str).collect();
    for contact in links.contacts.get(&opp.id).into_iter().flatten() {
        records.push(contact);
        records.extend(links.converted_leads.get(contact).into_iter().flatten().map(String::as_str));
    }
    let mut out: Vec<&Touch> = records
        .iter()
        .flat_map(|r| by_record.get(r).into_iter().flatten().copied())
        .filter(|t| match t.kind.as_str() {
            SAVED_LIST => t.day <= end && t.saved_for.as_deref() != Some(opp.id.as_str()),
            _ => (start..=end).contains(&t.day),
        })
        .collect();
    out.sort_by(|a, b| (a.day, &a.kind, &a.user_id, &a.record_id).cmp(&(b.day, &b.kind, &b.user_id, &b.record_id)));
    out.dedup();
    out
}

/// Touches looked up by record.
pub fn by_record(touches: &[Touch]) -> HashMap<&str, Vec<&Touch>> {
    let mut out: HashMap<&str, Vec<&Touch>> = HashMap::new();
    for t in touches {
        out.entry(t.record_id.as_str()).or_default().push(t);
    }
    out
}

/// How the report's rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One row per opportunity owner (period `all`).
    Rep,
    /// One row per month (`2026-03`, rep `all`).
    Month,
    /// One row per quarter (`2026-Q1`, rep `all`).
    Quarter,
}

impl GroupBy {
    /// Reads `rep`, `month` or `quarter`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "rep" => Some(Self::Rep),
            "month" => Some(Self::Month),
            "quarter" => Some(Self::Quarter),
            _ => None,
        }
    }
}

/// The day that places an opportunity in a period: its close date once closed, its
/// creation while open.
pub fn period_day(opp: &RoiOpportunity) -> i64 {
    if opp.is_closed {
        opp.close_day.unwrap_or(opp.created_day)
    } else {
        opp.created_day
    }
}

/// The period key of a day: `2026-03` or `2026-Q1`.
pub fn period_of(day: i64, by: GroupBy) -> String {
    let date = date_of_day(day);
    let month: u32 = date[5..7].parse().unwrap_or(1);
    match by {
        GroupBy::Rep => "all".to_string(),
        GroupBy::Month => date[..7].to_string(),
        GroupBy::Quarter => format!("{}-Q{}", &date[..4], (month - 1) / 3 + 1),
    }
}

/// The sums one row is made of; rates and averages are derived, so rows add up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub opportunities: u64,
    pub influenced: u64,
    pub influenced_open_cents: i64,
    pub open_cents: i64,
    pub influenced_won_cents: i64,
    pub influenced_won: u64,
    pub influenced_closed: u64,
    pub influenced_won_days: i64,
    pub won_cents: i64,
    pub won: u64,
    pub closed: u64,
    pub won_days: i64,
}

impl Sums {
    fn add(&mut self, opp: &RoiOpportunity, influenced: bool) {
        self.opportunities += 1;
        let days = opp.close_day.map_or(0, |c| (c - opp.created_day).max(0));
        if influenced {
            self.influenced += 1;
        }
        if !opp.is_closed {
            self.open_cents += opp.amount_cents;
            if influenced {
                self.influenced_open_cents += opp.amount_cents;
            }
            return;
        }
        self.closed += 1;
        if influenced {
            self.influenced_closed += 1;
        }
        if opp.is_won {
            self.won += 1;
            self.won_cents += opp.amount_cents;
            self.won_days += days;
            if influenced {
                self.influenced_won += 1;
                self.influenced_won_cents += opp.amount_cents;
                self.influenced_won_days += days;
            }
        }
    }

    fn merge(&mut self, o: &Sums) {
        self.opportunities += o.opportunities;
        self.influenced += o.influenced;
        self.influenced_open_cents += o.influenced_open_cents;
        self.open_cents += o.open_cents;
        self.influenced_won_cents += o.influenced_won_cents;
        self.influenced_won += o.influenced_won;
        self.influenced_closed += o.influenced_closed;
        self.influenced_won_days += o.influenced_won_days;
        self.won_cents += o.won_cents;
        self.won += o.won;
        self.closed += o.closed;
        self.won_days += o.won_days;
    }
}

/// One row of the report (per rep or per period), as the API, CLI and console show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoiRow {
    /// The owner's username (`all` for period rows, `total` for the totals).
    pub rep: String,
    /// The owner's user id and name (empty for period rows and totals).
    pub rep_id: String,
    pub rep_name: String,
    /// `2026-03`, `2026-Q1`, or `all`.
    pub period: String,
    pub opportunities: u64,
    pub influenced_count: u64,
    pub influenced_open_pipeline: f64,
    pub open_pipeline: f64,
    pub influenced_won_amount: f64,
    pub influenced_won_count: u64,
    pub won_amount: f64,
    pub won_count: u64,
    pub closed_count: u64,
    pub influenced_closed_count: u64,
    /// Won of closed, influenced opportunities; None without one closed.
    pub win_rate_influenced: Option<f64>,
    /// Won of the other closed opportunities.
    pub win_rate_other: Option<f64>,
    pub average_deal_influenced: Option<f64>,
    pub average_deal_other: Option<f64>,
    /// Days from creation to close of won opportunities.
    pub days_to_close_influenced: Option<f64>,
    pub days_to_close_other: Option<f64>,
}

fn ratio(a: i64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

impl RoiRow {
    /// A row from its sums.
    pub fn of(rep: &str, rep_id: &str, rep_name: &str, period: &str, s: &Sums) -> Self {
        let other_closed = s.closed - s.influenced_closed;
        let other_won = s.won - s.influenced_won;
        Self {
            rep: rep.to_string(),
            rep_id: rep_id.to_string(),
            rep_name: rep_name.to_string(),
            period: period.to_string(),
            opportunities: s.opportunities,
            influenced_count: s.influenced,
            influenced_open_pipeline: money(s.influenced_open_cents),
            open_pipeline: money(s.open_cents),
            influenced_won_amount: money(s.influenced_won_cents),
            influenced_won_count: s.influenced_won,
            won_amount: money(s.won_cents),
            won_count: s.won,
            closed_count: s.closed,
            influenced_closed_count: s.influenced_closed,
            win_rate_influenced: ratio(s.influenced_won as i64, s.influenced_closed),
            win_rate_other: ratio(other_won as i64, other_closed),
            average_deal_influenced: ratio(s.influenced_won_cents, s.influenced_won).map(|c| c / 100.0),
            average_deal_other: ratio(s.won_cents - s.influenced_won_cents, other_won).map(|c| c / 100.0),
            days_to_close_influenced: ratio(s.influenced_won_days, s.influenced_won),
            days_to_close_other: ratio(s.won_days - s.influenced_won_days, other_won),
        }
    }

    /// The CSV header.
    pub const COLUMNS: [&'static str; 20] = [
        "rep",
        "rep_id",
        "rep_name",
        "period",
        "opportunities",
        "influenced_count",
        "influenced_open_pipeline",
        "open_pipeline",
        "influenced_won_amount",
        "influenced_won_count",
        "won_amount",
        "won_count",
        "closed_count",
        "influenced_closed_count",
        "win_rate_influenced",
        "win_rate_other",
        "average_deal_influenced",
        "average_deal_other",
        "days_to_close_influenced",
        "days_to_close_other",
    ];

    /// The row's fields in [`Self::COLUMNS`] order (an empty field: no value).
    pub fn fields(&self) -> Vec<String> {
        let opt = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        vec![
            self.rep.clone(),
            self.rep_id.clone(),
            self.rep_name.clone(),
            self.period.clone(),
            self.opportunities.to_string(),
            self.influenced_count.to_string(),
            format!("{}", self.influenced_open_pipeline),
            format!("{}", self.open_pipeline),
            format!("{}", self.influenced_won_amount),
            self.influenced_won_count.to_string(),
            format!("{}", self.won_amount),
            self.won_count.to_string(),
            self.closed_count.to_string(),
            self.influenced_closed_count.to_string(),
            opt(self.win_rate_influenced),
            opt(self.win_rate_other),
            opt(self.average_deal_influenced),
            opt(self.average_deal_other),
            opt(self.days_to_close_influenced),
            opt(self.days_to_close_other),
        ]
    }
}

/// Who a rep is, for the rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rep {
    pub username: String,
    pub name: String,
}

/// What the report covers: opportunities whose period day is in `from..=to` (days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub by: GroupBy,
    pub lookback_days: i64,
    pub today: i64,
}

/// One opportunity and what influenced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InfluencedOpportunity {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub stage: String,
    pub amount: f64,
    pub period: String,
    pub influenced: bool,
    pub influences: Vec<Touch>,
}

/// The report: rows in key order, and the totals (the sum of the rows).
pub fn report(
    opps: &[RoiOpportunity],
    links: &Links,
    touches: &[Touch],
    reps: &HashMap<String, Rep>,
    window: &Window,
) -> (Vec<RoiRow>, RoiRow, Vec<InfluencedOpportunity>) {
    let index = by_record(touches);
    let mut groups: BTreeMap<(String, String), Sums> = BTreeMap::new();
    let mut listed = Vec::new();
    for opp in opps {
        let day = period_day(opp);
        if window.from.is_some_and(|f| day < f) || window.to.is_some_and(|t| day > t) {
            continue;
        }
        let found = influences(opp, links, &index, window.lookback_days, window.today);
        let key = match window.by {
            GroupBy::Rep => (opp.owner_id.clone(), "all".to_string()),
            by => ("all".to_string(), period_of(day, by)),
        };
        groups.entry(key).or_default().add(opp, !found.is_empty());
        let rep = reps.get(&opp.owner_id).map_or(opp.owner_id.as_str(), |r| r.username.as_str());
        listed.push(InfluencedOpportunity {
            id: opp.id.clone(),
            name: opp.name.clone(),
            owner: rep.to_string(),
            stage: opp.stage.clone(),
            amount: money(opp.amount_cents),
            period: period_of(day, if window.by == GroupBy::Rep { GroupBy::Month } else { window.by }),
            influenced: !found.is_empty(),
            influences: found.into_iter().cloned().collect(),
        });
    }
    let mut total = Sums::default();
    let rows = groups
        .iter()
        .map(|((owner, period), sums)| {
            total.merge(sums);
            match (window.by, reps.get(owner)) {
                (GroupBy::Rep, Some(r)) => RoiRow::of(&r.username, owner, &r.name, period, sums),
                (GroupBy::Rep, None) => RoiRow::of(owner, owner, "", period, sums),
                _ => RoiRow::of("all", "", "", period, sums),
            }
        })
        .collect();
    (rows, RoiRow::of("total", "", "", "all", &total), listed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::unix_day;

    fn day(date: &str) -> i64 {
        unix_day(date).unwrap()
    }

    fn opp(
        id: &str,
        owner: &str,
        account: &str,
        amount: &str,
        created: &str,
        close: &str,
        stage: &str,
    ) -> RoiOpportunity {
        let (is_closed, is_won) = match stage {
            "Closed Won" => (true, true),
            "Closed Lost" => (true, false),
            _ => (false, false),
        };
        RoiOpportunity {
            id: id.into(),
            name: format!("Deal {id}"),
            owner_id: owner.into(),
            account_id: Some(account.into()),
            amount_cents: cents(amount),
            created_day: day(created),
            close_day: Some(day(close)),
            is_closed,
            is_won,
            stage: stage.into(),
        }
    }

    fn touch(user: &str, record: &str, kind: &str, date: &str) -> Touch {
        Touch { user_id: user.into(), record_id: record.into(), kind: kind.into(), day: day(date), saved_for: None }
    }

    #[test]
    fn cents_are_exact() {
        assert_eq!(cents("12500"), 1_250_000);
        assert_eq!(cents("12500.5"), 1_250_050);
        assert_eq!(cents("0.07"), 7);
        assert_eq!(cents("-3.25"), -325);
        assert_eq!(cents(""), 0);
        assert_eq!(cents("n/a"), 0);
    }

    /// A hand-built org: five opportunities of two reps, with every way to be influenced
    /// or not, and the totals written out.
    #[test]
    fn influence_and_the_report_add_up() {
        let opps = vec![
            // Won, an InMail to its contact 30 days before creation: influenced.
            opp("O1", "U1", "A1", "10000", "2026-02-01", "2026-03-15", "Closed Won"),
            // Won, a call on its account 120 days before creation (past 90): not influenced.
            opp("O2", "U1", "A2", "5000", "2026-06-01", "2026-07-10", "Closed Won"),
            // Lost, a note on a lead converted into its contact: influenced.
            opp("O3", "U2", "A3", "2000", "2026-01-10", "2026-02-20", "Closed Lost"),
            // Open, its account in a saved list of another opportunity: influenced.
            opp("O4", "U2", "A4", "7500.50", "2026-10-01", "2026-12-31", "Qualification"),
            // Open, its account auto-saved for itself only: not influenced.
            opp("O5", "U2", "A5", "1000", "2026-11-01", "2027-01-31", "Prospecting"),
        ];
        let links = Links {
            contacts: HashMap::from([("O1".into(), vec!["C1".into()]), ("O3".into(), vec!["C3".into()])]),
            converted_leads: HashMap::from([("C3".into(), vec!["L3".into()])]),
        };
        let mut saved_self = touch("U2", "A5", SAVED_LIST, "2026-11-01");
        saved_self.saved_for = Some("O5".into());
        let mut saved_other = touch("U2", "A4", SAVED_LIST, "2026-05-01");
        saved_other.saved_for = Some("O0".into());
        let touches = vec![
            touch("U1", "C1", "inmail", "2026-01-02"),
            touch("U1", "A2", "call", "2026-02-01"),
            touch("U2", "L3", "note", "2026-02-01"),
            // After O1 closed: does not count for it.
            touch("U1", "C1", "message", "2026-04-01"),
            saved_other,
            saved_self,
        ];
        let reps = HashMap::from([
            ("U1".to_string(), Rep { username: "ada@x".into(), name: "Ada".into() }),
            ("U2".to_string(), Rep { username: "bob@x".into(), name: "Bob".into() }),
        ]);
        let window = Window {
            from: None,
            to: None,
            by: GroupBy::Rep,
            lookback_days: DEFAULT_LOOKBACK_DAYS,
            today: day("2026-12-01"),
        };
        let (rows, total, listed) = report(&opps, &links, &touches, &reps, &window);
        let influenced: Vec<&str> = listed.iter().filter(|o| o.influenced).map(|o| o.id.as_str()).collect();
        assert_eq!(influenced, ["O1", "O3", "O4"]);
        assert_eq!(listed[0].influences.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>(), ["inmail"]);
        assert_eq!(listed[2].influences[0].record_id, "L3");

        assert_eq!(rows.len(), 2);
        let (ada, bob) = (&rows[0], &rows[1]);
        assert_eq!((ada.rep.as_str(), ada.rep_name.as_str(), ada.period.as_str()), ("ada@x", "Ada", "all"));
        assert_eq!(
            (ada.won_count, ada.won_amount, ada.influenced_won_count, ada.influenced_won_amount),
            (2, 15000.0, 1, 10000.0)
        );
        assert_eq!((ada.win_rate_influenced, ada.win_rate_other), (Some(1.0), Some(1.0)));
        assert_eq!(ada.days_to_close_influenced, Some(42.0));
        assert_eq!(ada.average_deal_other, Some(5000.0));
        assert_eq!((bob.influenced_open_pipeline, bob.open_pipeline), (7500.5, 8500.5));
        assert_eq!((bob.win_rate_influenced, bob.win_rate_other), (Some(0.0), None));
        assert_eq!(
            (total.opportunities, total.influenced_count, total.won_amount, total.influenced_open_pipeline),
            (5, 3, 15000.0, 7500.5)
        );
        assert_eq!(total.win_rate_influenced, Some(0.5));

        // By quarter: closed ones by close date, open ones by creation; the rows add up.
        let (rows, by_quarter, _) = report(&opps, &links, &touches, &reps, &Window { by: GroupBy::Quarter, ..window });
        let periods: Vec<&str> = rows.iter().map(|r| r.period.as_str()).collect();
        assert_eq!(periods, ["2026-Q1", "2026-Q3", "2026-Q4"]);
        assert_eq!(by_quarter.won_amount, rows.iter().map(|r| r.won_amount).sum::<f64>());
        assert_eq!(by_quarter, RoiRow { rep: "total".into(), ..total.clone() });
        // A window: only what falls in it.
        let march = Window { by: GroupBy::Month, from: Some(day("2026-03-01")), to: Some(day("2026-03-31")), ..window };
        let (rows, _, _) = report(&opps, &links, &touches, &reps, &march);
        assert_eq!(rows.iter().map(|r| (r.period.as_str(), r.won_count)).collect::<Vec<_>>(), [("2026-03", 1)]);
    }
}
