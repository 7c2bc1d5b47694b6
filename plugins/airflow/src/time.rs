//! Airflow's ISO 8601 timestamps (`2026-02-01T00:00:00Z`, `…T22:13:33.977465+00:00`) read as
//! OpenMetadata's connector reads them (pydantic's `datetime`), turned into what it writes:
//! milliseconds since the epoch as its `datetime_to_ts` computes them.
//! Small on purpose: a date-time crate would weigh more than the rest of the connector.

/// Microseconds since the epoch of `YYYY-MM-DD`, optionally followed by `T` (or a space)
/// `HH:MM[:SS[.fraction]]` and `Z` or `±HH:MM` / `±HHMM`; one without an offset (which Airflow's
/// API never sends) is read as UTC. `None` for anything else.
pub fn parse_micros(text: &str) -> Option<i64> {
    let text = text.trim();
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut at = 10;
    let (mut hour, mut minute, mut second, mut micro) = (0, 0, 0, 0);
    if matches!(b.get(at), Some(b'T' | b't' | b' ')) {
        hour = digits(at + 1, 2)?;
        if b.get(at + 3) != Some(&b':') {
            return None;
        }
        minute = digits(at + 4, 2)?;
        at += 6;
        if b.get(at) == Some(&b':') {
            second = digits(at + 1, 2)?;
            at += 3;
            if matches!(b.get(at), Some(b'.' | b',')) {
                let start = at + 1;
                let end = start + b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
                if end == start {
                    return None;
                }
                // Microseconds: Python keeps six digits.
                let kept = &text[start..end.min(start + 6)];
                micro = kept.parse::<i64>().ok()? * 10_i64.pow(6 - kept.len() as u32);
                at = end;
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
    }
    let offset = match &text[at..] {
        "" | "Z" | "z" => 0,
        rest => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = &rest.as_bytes()[1..];
            let two = |i: usize| -> Option<i32> {
                let p = r.get(i..i + 2)?;
                p.iter()
                    .all(u8::is_ascii_digit)
                    .then(|| i32::from(p[0] - b'0') * 10 + i32::from(p[1] - b'0'))
            };
            let (h, m) = match r.len() {
                5 if r[2] == b':' => (two(0)?, two(3)?),
                4 => (two(0)?, two(2)?),
                2 => (two(0)?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let local = ((days * 24 + hour) * 60 + minute) * 60 + second;
    Some((local - i64::from(offset)) * 1_000_000 + micro)
}

/// Milliseconds since the epoch of an optional ISO 8601 text (`None` when absent or unreadable),
/// as OpenMetadata's `datetime_to_ts` makes them: `int(dt.timestamp() * 1000)`, the seconds a
/// float (the microseconds over 10⁶, rounded as Python rounds a true division) times 1000,
/// truncated toward zero.
pub fn millis(text: Option<&str>) -> Option<i64> {
    let micros = parse_micros(text?)?;
    Some((micros as f64 / 1e6 * 1000.0) as i64)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        millis(Some(text)).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn milliseconds_as_python_computes_them() {
        // Values from Python 3.11: int(datetime.fromisoformat(t).timestamp() * 1000).
        assert_eq!(ms("1970-01-01T00:00:00Z"), 0);
        assert_eq!(ms("2026-02-01T00:00:00Z"), 1_769_904_000_000);
        assert_eq!(ms("2026-12-03T22:13:33.977465Z"), 1_796_336_013_977);
        assert_eq!(ms("2026-12-03T22:13:33.977465+00:00"), 1_796_336_013_977);
        assert_eq!(ms("2026-12-03T23:13:33.977465+01:00"), 1_796_336_013_977);
        assert_eq!(ms("2026-12-03T17:43:33.977465-0430"), 1_796_336_013_977);
        assert_eq!(ms("2024-02-29 12:00"), 1_709_208_000_000);
        assert_eq!(ms("2026-01-01"), 1_767_225_600_000);
        // Seven fraction digits: Python keeps six.
        assert_eq!(ms("2026-12-03T22:13:33.9774659Z"), 1_796_336_013_977);
        // A float product just under a whole millisecond truncates as Python's int() does.
        assert_eq!(ms("2021-03-04T05:06:07.001Z"), 1_614_834_367_001);
        assert_eq!(ms("1969-12-31T23:59:59.999500Z"), 0);
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30T00:00:00Z",
            "2026-02-01T24:00:00Z",
            "2026-02-01T00:00:00.Z",
            "2026-02-01T00:00:00+25:00",
            "2026-02-01T00:00:00 UTC",
            "2026/02/01",
        ] {
            assert_eq!(parse_micros(bad), None, "{bad}");
        }
        assert_eq!(millis(None), None);
        assert_eq!(millis(Some("never")), None);
    }
}
