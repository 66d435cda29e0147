//! The canonical outcome table: one schema, defined once.
//!
//! Every reader produces this table and every later stage reads it. Invariant: the column
//! names, their order and their types live only here (`col`, [`schema`]), and a unit test
//! checks that [`OutcomeRecord`] and the schema agree. The two count bases are alternatives
//! for the same outcomes (DATA.md §2.6): a row carries exactly one basis and sums must
//! never add the two.

use std::fmt;

use polars::prelude::*;

/// Column names of the canonical outcome table, in schema order.
pub mod col {
    /// Financial year as written by the Home Office, e.g. `2018/19`.
    pub const FINANCIAL_YEAR: &str = "financial_year";
    /// Financial quarter, 1 (April–June) to 4 (January–March).
    pub const QUARTER: &str = "quarter";
    /// First day of the quarter (a date), for ordering and plotting.
    pub const PERIOD_START: &str = "period_start";
    /// Canonical force name (the Home Office spelling, e.g. `London, City of`).
    pub const FORCE: &str = "force";
    /// ONS police force area code (null for British Transport Police).
    pub const FORCE_CODE: &str = "force_code";
    /// Home Office offence code: a string, never a number (`8N`, `105A`, `4.10`).
    pub const OFFENCE_CODE: &str = "offence_code";
    /// Offence description, dash variants normalised.
    pub const OFFENCE_DESCRIPTION: &str = "offence_description";
    /// Offence group, in its canonical spelling.
    pub const OFFENCE_GROUP: &str = "offence_group";
    /// Offence subgroup.
    pub const OFFENCE_SUBGROUP: &str = "offence_subgroup";
    /// Whether the offence code had expired (`x` in the source).
    pub const OFFENCE_CODE_EXPIRED: &str = "offence_code_expired";
    /// Home Office outcome type, 0–22.
    pub const OUTCOME_TYPE: &str = "outcome_type";
    /// Count basis: `recorded_in_period` or `assigned_in_period`.
    pub const BASIS: &str = "basis";
    /// The count; null where the source held a missing-value token.
    pub const COUNT: &str = "count";
}

/// The polars schema of the canonical outcome table.
pub fn schema() -> Schema {
    Schema::from_iter([
        Field::new(col::FINANCIAL_YEAR.into(), DataType::String),
        Field::new(col::QUARTER.into(), DataType::Int32),
        Field::new(col::PERIOD_START.into(), DataType::Date),
        Field::new(col::FORCE.into(), DataType::String),
        Field::new(col::FORCE_CODE.into(), DataType::String),
        Field::new(col::OFFENCE_CODE.into(), DataType::String),
        Field::new(col::OFFENCE_DESCRIPTION.into(), DataType::String),
        Field::new(col::OFFENCE_GROUP.into(), DataType::String),
        Field::new(col::OFFENCE_SUBGROUP.into(), DataType::String),
        Field::new(col::OFFENCE_CODE_EXPIRED.into(), DataType::Boolean),
        Field::new(col::OUTCOME_TYPE.into(), DataType::Int32),
        Field::new(col::BASIS.into(), DataType::String),
        Field::new(col::COUNT.into(), DataType::Int64),
    ])
}

/// The text columns of the canonical outcome table. [`schema`] gives them as `String`; a table
/// built by the ingest holds them as dictionary (`Enum`) columns, which Parquet stores as
/// dictionary pages and readers (polars, pyarrow, pandas) see as categorical text. Both forms
/// are canonical ([`conforms`]); [`as_text`] turns one into the other.
pub const TEXT_COLUMNS: [&str; 8] = [
    col::FINANCIAL_YEAR,
    col::FORCE,
    col::FORCE_CODE,
    col::OFFENCE_CODE,
    col::OFFENCE_DESCRIPTION,
    col::OFFENCE_GROUP,
    col::OFFENCE_SUBGROUP,
    col::BASIS,
];

/// Whether `schema` is the canonical schema: the names, order and types of [`schema`], with
/// each text column either `String` or a dictionary (`Enum` or `Categorical`) of text.
pub fn conforms(schema: &Schema) -> bool {
    let canonical = self::schema();
    schema.len() == canonical.len()
        && schema
            .iter()
            .zip(canonical.iter())
            .all(|((name, dtype), (want_name, want))| {
                name == want_name
                    && (dtype == want
                        || (TEXT_COLUMNS.contains(&name.as_str())
                            && matches!(dtype, DataType::Enum(..) | DataType::Categorical(..))))
            })
}

/// The table with its dictionary text columns turned into plain `String` columns.
pub fn as_text(df: &DataFrame) -> PolarsResult<DataFrame> {
    let columns = df
        .columns()
        .iter()
        .map(|c| match c.dtype() {
            DataType::Enum(..) | DataType::Categorical(..) => c.cast(&DataType::String),
            _ => Ok(c.clone()),
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(df.height(), columns)
}

/// The rows of `parts` one after another, in order, as one table of the same schema: the
/// text columns that are dictionaries in every part become one dictionary holding each part's
/// values in the order first met (each part's ids mapped through a table of its few values,
/// never its rows' text); any other column is appended as it is. Used to join canonical tables
/// read or cached one input at a time.
pub fn concat(parts: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    let Some(first) = parts.first() else {
        return Ok(DataFrame::empty_with_schema(&schema()));
    };
    let height: usize = parts.iter().map(DataFrame::height).sum();
    let names: Vec<PlSmallStr> = first.get_column_names_owned();
    // Each part's columns are taken out as they are joined, so that a column is held twice
    // (in the parts and joined) only while it is being joined.
    let mut parts: Vec<Vec<Column>> = parts.into_iter().map(DataFrame::into_columns).collect();
    let mut columns = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        let same: Vec<Column> = parts
            .iter_mut()
            .map(|p| {
                p.get_mut(index)
                    .filter(|c| c.name() == name)
                    .map(|c| std::mem::replace(c, Column::new_empty(name.clone(), &DataType::Null)))
            })
            .collect::<Option<_>>()
            .ok_or_else(|| polars_err!(SchemaMismatch: "the parts differ in column {name}"))?;
        let is_dictionary =
            |c: &Column| matches!(c.dtype(), DataType::Enum(..) | DataType::Categorical(..));
        if same.iter().all(is_dictionary) {
            let mut values: Vec<String> = Vec::new();
            let mut known: std::collections::HashMap<String, u32> = Default::default();
            let nulls = same.iter().any(|c| c.null_count() > 0);
            let mut ids: Vec<Option<u32>> = Vec::with_capacity(if nulls { height } else { 0 });
            let mut dense: Vec<u32> = Vec::with_capacity(if nulls { 0 } else { height });
            for part in &same {
                let (DataType::Enum(_, mapping) | DataType::Categorical(_, mapping)) = part.dtype()
                else {
                    unreachable!("checked above");
                };
                let map: Vec<u32> = dictionary_values(mapping)
                    .into_iter()
                    .map(|text| {
                        *known.entry(text.clone()).or_insert_with(|| {
                            values.push(text);
                            (values.len() - 1) as u32
                        })
                    })
                    .collect();
                let physical = part
                    .as_materialized_series()
                    .to_physical_repr()
                    .cast(&DataType::UInt32)?;
                let physical = physical.u32()?;
                if nulls {
                    ids.extend(
                        physical
                            .iter()
                            .map(|id| id.and_then(|id| map.get(id as usize).copied())),
                    );
                } else {
                    for id in physical.into_no_null_iter() {
                        let Some(&id) = map.get(id as usize) else {
                            polars_bail!(ComputeError: "category id {id} past the categories of {name}");
                        };
                        dense.push(id);
                    }
                }
            }
            drop(same);
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            columns.push(if nulls {
                enum_column_nullable(name, &values, ids)?
            } else {
                enum_column(name, &values, dense)?
            });
        } else {
            // Dictionaries in some parts only are joined as text.
            let target = if same.iter().any(is_dictionary) {
                DataType::String
            } else {
                same[0].dtype().clone()
            };
            let mut joined = Series::new_empty(name.clone(), &target);
            for part in same {
                joined.append(&part.as_materialized_series().cast(&target)?)?;
            }
            columns.push(joined.into_column());
        }
    }
    DataFrame::new(height, columns)
}

/// The values of a dictionary column's categories, by id (an id without a value, which
/// polars does not make, is empty text).
pub fn dictionary_values(mapping: &CategoricalMapping) -> Vec<String> {
    (0..mapping.num_cats_upper_bound())
        .map(|id| {
            u32::try_from(id)
                .ok()
                .and_then(|id| mapping.cat_to_str(id))
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// A table's dictionary columns as their ids (`UInt32`), with each one's values: the form
/// the ingest cache keeps a table in, which [`from_ids`] turns back. polars reads a
/// dictionary column from Parquet by looking up every row's text, which for a year's table
/// cost more than the rest of a cached run; ids read as plain integers.
pub type Dictionaries = Vec<(String, Vec<String>)>;

/// See [`Dictionaries`].
pub fn to_ids(df: &DataFrame) -> PolarsResult<(DataFrame, Dictionaries)> {
    let mut dictionaries = Vec::new();
    let mut columns = Vec::with_capacity(df.width());
    for column in df.columns() {
        match column.dtype() {
            DataType::Enum(_, mapping) | DataType::Categorical(_, mapping) => {
                let values = dictionary_values(mapping);
                dictionaries.push((column.name().to_string(), values));
                let ids = column
                    .as_materialized_series()
                    .to_physical_repr()
                    .cast(&DataType::UInt32)?;
                columns.push(ids.into_column());
            }
            _ => columns.push(column.clone()),
        }
    }
    Ok((DataFrame::new(df.height(), columns)?, dictionaries))
}

/// The table [`to_ids`] took apart, whole again.
pub fn from_ids(df: DataFrame, dictionaries: &Dictionaries) -> PolarsResult<DataFrame> {
    let height = df.height();
    let mut columns = df.into_columns();
    for (name, values) in dictionaries {
        let Some(column) = columns.iter_mut().find(|c| c.name().as_str() == name) else {
            polars_bail!(ColumnNotFound: "{name}");
        };
        let ids = column.u32()?;
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        *column = if ids.null_count() == 0 {
            enum_column(name, &values, ids.into_no_null_iter().collect())?
        } else {
            enum_column_nullable(name, &values, ids.iter().collect())?
        };
    }
    DataFrame::new(height, columns)
}

/// A dictionary (`Enum`) column named `name` holding `values[ids[i]]`; the categories are
/// `values`, in order, and must be distinct. An id past the end of `values` is an error.
pub fn enum_column(name: &str, values: &[&str], ids: Vec<u32>) -> PolarsResult<Column> {
    let max = ids.iter().copied().max();
    enum_from_ids(name, values, max, IdxCa::from_vec(name.into(), ids))
}

/// [`enum_column`] with nulls where an id is `None`.
pub fn enum_column_nullable(
    name: &str,
    values: &[&str],
    ids: Vec<Option<u32>>,
) -> PolarsResult<Column> {
    let max = ids.iter().flatten().copied().max();
    enum_from_ids(
        name,
        values,
        max,
        IdxCa::from_iter_options(name.into(), ids.into_iter()),
    )
}

/// The column is gathered from the categories themselves, each held once: polars checks
/// those few ids, and a gather of valid values needs no check per row (checking a million
/// ids one by one against the categories cost more than building the column).
fn enum_from_ids(
    name: &str,
    values: &[&str],
    max_id: Option<u32>,
    ids: IdxCa,
) -> PolarsResult<Column> {
    if let Some(id) = max_id.filter(|&id| id as usize >= values.len()) {
        polars_bail!(ComputeError: "category id {id} past the {} categories of {name}", values.len());
    }
    let categories = FrozenCategories::new(values.iter().copied())?;
    let physical_type = categories.physical();
    let dtype = DataType::from_frozen_categories(categories);
    let name = PlSmallStr::from(name);
    // Ids in the categories' own integer type (eight bits up to 255 values, sixteen up to
    // 65,535): the gathered column needs no cast pass.
    let each = match physical_type {
        CategoricalPhysical::U8 => {
            UInt8Chunked::from_iter_values(name, (0..values.len()).map(|i| i as u8)).into_series()
        }
        CategoricalPhysical::U16 => {
            UInt16Chunked::from_iter_values(name, (0..values.len()).map(|i| i as u16)).into_series()
        }
        CategoricalPhysical::U32 => {
            UInt32Chunked::from_iter_values(name, (0..values.len()).map(|i| i as u32)).into_series()
        }
    };
    let each = Series::from_cats_and_dtype(&each, &dtype, true)?;
    Ok(each.take(&ids)?.into_column())
}

/// One row of the canonical outcome table, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRecord {
    /// Financial year and quarter.
    pub period: Period,
    /// Canonical force name.
    pub force: String,
    /// ONS force code, if the force has one.
    pub force_code: Option<String>,
    /// Home Office offence code.
    pub offence_code: String,
    /// Offence description.
    pub offence_description: String,
    /// Offence group.
    pub offence_group: String,
    /// Offence subgroup.
    pub offence_subgroup: String,
    /// Whether the offence code had expired.
    pub offence_code_expired: bool,
    /// Outcome type 0–22.
    pub outcome_type: OutcomeType,
    /// Which of the two alternative counts this is.
    pub basis: Basis,
    /// The count; `None` where the source held a missing-value token.
    pub count: Option<i64>,
}

/// The two alternative count bases of the Home Office outcomes tables (DATA.md §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basis {
    /// Outcomes for offences recorded in the quarter, whatever the outcome date.
    RecordedInPeriod,
    /// Outcomes recorded (investigations closed) in the quarter, whenever the offence was recorded.
    AssignedInPeriod,
}

impl Basis {
    /// Both bases, in canonical order.
    pub const ALL: [Basis; 2] = [Basis::RecordedInPeriod, Basis::AssignedInPeriod];

    /// The canonical name written in the `basis` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::RecordedInPeriod => "recorded_in_period",
            Basis::AssignedInPeriod => "assigned_in_period",
        }
    }

    /// Parses a canonical basis name.
    pub fn parse(s: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Home Office outcome type number, 0–22 (DATA.md §3). Select on this, never on group text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutcomeType(u8);

impl OutcomeType {
    /// The largest outcome type number defined.
    pub const MAX: u8 = 22;

    /// Validates an outcome type number.
    pub fn new(number: u8) -> Option<OutcomeType> {
        (number <= Self::MAX).then_some(OutcomeType(number))
    }

    /// The outcome type number.
    pub fn number(self) -> u8 {
        self.0
    }
}

/// A financial year (April to March) and quarter, e.g. 2018/19 Q1 = April–June 2018.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    fy_start: u16,
    quarter: u8,
}

impl Period {
    /// Builds a period from the calendar year in which the financial year starts and a quarter 1–4.
    pub fn new(fy_start: u16, quarter: u8) -> Option<Period> {
        ((1..=4).contains(&quarter) && (1990..=2200).contains(&fy_start))
            .then_some(Period { fy_start, quarter })
    }

    /// The calendar year in which the financial year starts (2018 for 2018/19).
    pub fn fy_start(self) -> u16 {
        self.fy_start
    }

    /// The quarter, 1–4.
    pub fn quarter(self) -> u8 {
        self.quarter
    }

    /// The financial year as the Home Office writes it, e.g. `2018/19`.
    pub fn financial_year(self) -> String {
        format!("{}/{:02}", self.fy_start, (self.fy_start + 1) % 100)
    }

    /// Days from 1970-01-01 to the first day of the quarter (the polars `Date` encoding).
    pub fn start_days_since_epoch(self) -> i32 {
        let (year, month) = match self.quarter {
            1 => (self.fy_start, 4),
            2 => (self.fy_start, 7),
            3 => (self.fy_start, 10),
            _ => (self.fy_start + 1, 1),
        };
        days_from_civil(i32::from(year), month, 1)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Q{}", self.financial_year(), self.quarter)
    }
}

/// Parses a financial year written `2018/19` or `2018-19` into its starting calendar year.
/// The two-digit suffix must be the following year.
pub fn parse_financial_year(text: &str) -> Option<u16> {
    let text = text.trim();
    let (start, end) = text.split_once(['/', '-', '–'])?;
    let start: u16 = start.trim().parse().ok()?;
    let end: u16 = end.trim().parse().ok()?;
    let expected_end = start.checked_add(1)?;
    let ok = match end {
        0..=99 => end == expected_end % 100,
        _ => end == expected_end,
    };
    (ok && (1990..=2200).contains(&start)).then_some(start)
}

/// Parses a quarter written `1`–`4` or `Q1`–`Q4` (other Home Office files use the latter).
pub fn parse_quarter(text: &str) -> Option<u8> {
    let text = text.trim();
    let digits = text.strip_prefix(['Q', 'q']).unwrap_or(text);
    let digits = digits.strip_suffix(".0").unwrap_or(digits);
    match digits.parse::<u8>() {
        Ok(q @ 1..=4) => Some(q),
        _ => None,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests;
