//! Dates and times of record-level extracts and of the analysis file's events and baselines,
//! parsed by hand (no date crate is a dependency).
//!
//! Accepted forms, with or without a time (`HH:MM`, `HH:MM:SS`, `HH:MM:SS.fff`) after a space
//! or `T`, and an optional `Z` or `±HH:MM` offset that is read and ignored:
//! ISO `YYYY-MM-DD` (or `YYYY/MM/DD`), and British `DD/MM/YYYY` (or `DD-MM-YYYY`, `DD.MM.YYYY`).
//! Day-first is the only reading of `NN/NN/YYYY`: police records systems in England and Wales
//! write dates that way, and a month-first date such as `04/13/2019` is rejected, not guessed.
//!
//! Invariant: a timestamp is whole seconds since 1970-01-01 00:00 on the clock the extract
//! was written in (no time zone arithmetic); every parsed date is a real calendar date.

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Parses a date or date-time; `None` when the text is not one of the accepted forms or
/// names a day that does not exist.
pub fn parse(text: &str) -> Option<i64> {
    let bytes = text.trim().as_bytes();
    let mut cursor = Cursor { bytes, pos: 0 };
    let first = cursor.digits(1, 4)?;
    let (year, month, day) = if first.1 == 4 {
        let sep = cursor.separator(b"-/")?;
        let month = cursor.digits(1, 2)?.0;
        cursor.consume(sep)?;
        let day = cursor.digits(1, 2)?.0;
        (first.0, month, day)
    } else if first.1 <= 2 {
        let sep = cursor.separator(b"/-.")?;
        let month = cursor.digits(1, 2)?.0;
        cursor.consume(sep)?;
        let year = cursor.digits(4, 4)?.0;
        (year, month, first.0)
    } else {
        return None;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = 0;
    if cursor.pos < bytes.len() {
        match bytes[cursor.pos] {
            b' ' | b'T' => cursor.pos += 1,
            _ => return None,
        }
        let hour = cursor.digits(1, 2)?.0;
        cursor.consume(b':')?;
        let minute = cursor.digits(2, 2)?.0;
        let mut second = 0;
        if cursor.peek() == Some(b':') {
            cursor.pos += 1;
            second = cursor.digits(2, 2)?.0;
            if cursor.peek() == Some(b'.') {
                cursor.pos += 1;
                cursor.digits(1, 9)?;
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        seconds = hour * 3600 + minute * 60 + second;
        match cursor.peek() {
            None => {}
            Some(b'Z') => cursor.pos += 1,
            Some(b'+' | b'-') => {
                cursor.pos += 1;
                cursor.digits(2, 2)?;
                if cursor.peek() == Some(b':') {
                    cursor.pos += 1;
                }
                cursor.digits(2, 2)?;
            }
            Some(_) => return None,
        }
        if cursor.pos != bytes.len() {
            return None;
        }
    }
    Some(days_from_civil(year, month, day) * SECONDS_PER_DAY + seconds)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The number of days in a month.
pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD` of a timestamp.
pub fn format_date(timestamp: i64) -> String {
    let (y, m, d) = civil_from_days(timestamp.div_euclid(SECONDS_PER_DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM` of a timestamp.
pub fn format_date_time(timestamp: i64) -> String {
    let seconds = timestamp.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{} {:02}:{:02}",
        format_date(timestamp),
        seconds / 3600,
        (seconds / 60) % 60
    )
}

/// `DD/MM/YYYY HH:MM` of a timestamp (the form a British records system exports).
pub fn format_british(timestamp: i64) -> String {
    let (y, m, d) = civil_from_days(timestamp.div_euclid(SECONDS_PER_DAY));
    let seconds = timestamp.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{d:02}/{m:02}/{y:04} {:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60
    )
}

/// A month as one number, `year · 12 + month − 1`, so consecutive months differ by 1.
pub fn month_index(timestamp: i64) -> i64 {
    let (y, m, _) = civil_from_days(timestamp.div_euclid(SECONDS_PER_DAY));
    y * 12 + m - 1
}

/// `YYYY-MM` of a [`month_index`].
pub fn month_label(index: i64) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// `YYYY-MM-01` of a [`month_index`].
pub fn month_start(index: i64) -> String {
    format!("{}-01", month_label(index))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Between `min` and `max` ASCII digits: (value, how many).
    fn digits(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let start = self.pos;
        let mut value: i64 = 0;
        while self.pos < self.bytes.len() && self.pos - start < max {
            let b = self.bytes[self.pos];
            if !b.is_ascii_digit() {
                break;
            }
            value = value * 10 + i64::from(b - b'0');
            self.pos += 1;
        }
        let count = self.pos - start;
        (count >= min).then_some((value, count))
    }

    fn separator(&mut self, allowed: &[u8]) -> Option<u8> {
        let b = self.peek().filter(|b| allowed.contains(b))?;
        self.pos += 1;
        Some(b)
    }

    fn consume(&mut self, wanted: u8) -> Option<()> {
        (self.peek() == Some(wanted)).then(|| self.pos += 1)
    }
}

#[cfg(test)]
mod tests;
