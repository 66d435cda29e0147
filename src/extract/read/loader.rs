//! Rows into crimes: each field found by its column, parsed (dates, outcomes, flags, offences)
//! through small caches, and each crime reference reduced to one crime.

use super::*;

/// Strings stored once in one buffer, found again by a 64-bit hash (verified by comparing the
/// text, so a hash collision can never merge two references).
#[derive(Debug, Clone, Default)]
pub(super) struct StrIndex {
    pub(super) text: String,
    pub(super) ends: Vec<usize>,
    pub(super) by_hash: FxHashMap<u64, u32>,
    pub(super) collided: FxHashMap<String, u32>,
}

impl StrIndex {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn get(&self, index: usize) -> &str {
        slice(&self.text, &self.ends, index)
    }

    /// Room for `n` keys of about `bytes` bytes each, so the tables grow once.
    pub(super) fn reserve(&mut self, n: usize, bytes: usize) {
        self.text.reserve(n.saturating_mul(bytes));
        self.ends.reserve(n);
        self.by_hash.reserve(n);
    }

    /// The key's number, and whether it is new. One probe of the hash table per key: this is
    /// the hottest loop of a large read.
    pub(super) fn insert(&mut self, key: &str) -> (u32, bool) {
        use std::collections::hash_map::Entry;
        let hash = FxBuildHasher.hash_one(key);
        let next = self.ends.len() as u32;
        match self.by_hash.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(next);
            }
            Entry::Occupied(slot) => {
                let id = *slot.get();
                if slice(&self.text, &self.ends, id as usize) == key {
                    return (id, false);
                }
                match self.collided.get(key) {
                    Some(&id) => return (id, false),
                    None => {
                        self.collided.insert(key.to_string(), next);
                    }
                }
            }
        }
        self.text.push_str(key);
        self.ends.push(self.text.len());
        (next, true)
    }
}

/// Key `index` of a [`StrIndex`]'s buffer.
pub(super) fn slice<'t>(text: &'t str, ends: &[usize], index: usize) -> &'t str {
    let start = if index == 0 { 0 } else { ends[index - 1] };
    &text[start..ends[index]]
}

/// A small dictionary of repeated text values (areas, units, offence codes, age bands, sexes).
#[derive(Debug, Default)]
pub(super) struct Dictionary {
    pub(super) ids: FxHashMap<String, u32>,
    pub(super) names: Vec<String>,
}

impl Dictionary {
    pub(super) fn intern(&mut self, value: &str) -> u32 {
        if let Some(&id) = self.ids.get(value) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(value.to_string(), id);
        self.names.push(value.to_string());
        id
    }
}

/// Column positions of the mapped fields.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Positions {
    pub(super) crime_reference: usize,
    pub(super) recorded_date: usize,
    pub(super) outcome_date: usize,
    pub(super) offence_code: Option<usize>,
    pub(super) offence_description: Option<usize>,
    pub(super) outcome: usize,
    pub(super) domestic_abuse: usize,
    pub(super) area: usize,
    pub(super) victim_reference: Option<usize>,
    pub(super) unit: Option<usize>,
    pub(super) victim_age_band: Option<usize>,
    pub(super) victim_sex: Option<usize>,
    pub(super) quality: [Option<usize>; QUALITY_FIELDS.len()],
    pub(super) withdrawal_date: Option<usize>,
    pub(super) ethnicity: Option<usize>,
    pub(super) officer: Option<usize>,
}

/// Turns rows into crimes.
pub(super) struct Loader<'c> {
    pub(super) config: &'c ExtractConfig,
    pub(super) header: Option<(Vec<String>, Positions)>,
    pub(super) account: ExtractAccount,
    pub(super) quarantine: Vec<QuarantinedRow>,
    pub(super) crimes: Vec<Crime>,
    pub(super) rows_per_crime: Vec<u8>,
    pub(super) references: StrIndex,
    pub(super) victims: StrIndex,
    pub(super) offences: Dictionary,
    pub(super) areas: Dictionary,
    pub(super) units: Dictionary,
    pub(super) age_bands: Dictionary,
    pub(super) sexes: Dictionary,
    pub(super) ethnicities: Dictionary,
    pub(super) officers: Dictionary,
    /// Raw outcome text → type, so labels are normalised once, not once per row.
    pub(super) outcome_cache: FxHashMap<String, u8>,
    pub(super) flag_cache: FxHashMap<String, bool>,
    pub(super) description_cache: FxHashMap<String, u32>,
    /// Raw offence code text → offence index, so codes are normalised once.
    pub(super) code_cache: FxHashMap<String, u32>,
    pub(super) descriptions: FxHashMap<String, u8>,
}

/// A row that is quarantined rather than loaded.
pub(super) struct Quarantine(String);

impl<'c> Loader<'c> {
    pub(super) fn new(config: &'c ExtractConfig) -> Loader<'c> {
        let descriptions = crate::normalise::outcomes::outcome_types()
            .into_iter()
            .map(|t| (match_key(&t.description), t.number))
            .collect();
        Loader {
            config,
            header: None,
            account: ExtractAccount::default(),
            quarantine: Vec::new(),
            crimes: Vec::new(),
            rows_per_crime: Vec::new(),
            references: StrIndex::default(),
            victims: StrIndex::default(),
            offences: Dictionary::default(),
            areas: Dictionary::default(),
            units: Dictionary::default(),
            age_bands: Dictionary::default(),
            sexes: Dictionary::default(),
            ethnicities: Dictionary::default(),
            officers: Dictionary::default(),
            outcome_cache: FxHashMap::default(),
            flag_cache: FxHashMap::default(),
            description_cache: FxHashMap::default(),
            code_cache: FxHashMap::default(),
            descriptions,
        }
    }

    /// Makes room for about `rows` more rows (estimated from the file's size), so the large
    /// tables are allocated once instead of doubling, which also lowers the peak memory.
    pub(super) fn reserve(&mut self, rows: usize) {
        let average_reference = if self.crimes.is_empty() {
            16
        } else {
            self.references.text.len() / self.crimes.len() + 1
        };
        self.crimes.reserve(rows);
        self.rows_per_crime.reserve(rows);
        self.references.reserve(rows, average_reference);
    }

    /// The header positions of the mapped columns (for Parquet, which converts only these).
    pub(super) fn wanted_columns(&self) -> Vec<usize> {
        let Some((_, p)) = &self.header else {
            return Vec::new();
        };
        let mut wanted = vec![
            p.crime_reference,
            p.recorded_date,
            p.outcome_date,
            p.outcome,
            p.domestic_abuse,
            p.area,
        ];
        wanted.extend(
            [
                p.offence_code,
                p.offence_description,
                p.victim_reference,
                p.unit,
                p.victim_age_band,
                p.victim_sex,
                p.withdrawal_date,
                p.ethnicity,
                p.officer,
            ]
            .into_iter()
            .chain(p.quality)
            .flatten(),
        );
        wanted.sort_unstable();
        wanted.dedup();
        wanted
    }

    /// One CSV record: the header first, then data rows.
    pub(super) fn record<S: AsRef<str>>(
        &mut self,
        path: &std::path::Path,
        line: u64,
        cells: &[S],
    ) -> Result<(), ExtractError> {
        let blank = cells.iter().all(|c| c.as_ref().trim().is_empty());
        if self.header.is_none() {
            if blank {
                return Ok(());
            }
            let names: Vec<String> = cells.iter().map(|c| c.as_ref().to_string()).collect();
            let positions = self.positions(path, line, &names)?;
            self.account.header_line = line;
            self.header = Some((names, positions));
            return Ok(());
        }
        if blank {
            self.account.blank_rows += 1;
            return Ok(());
        }
        self.account.rows_read += 1;
        let Some((names, positions)) = self.header.take() else {
            return Ok(());
        };
        let outcome = self.row(path, line, cells, &names, positions);
        self.header = Some((names, positions));
        match outcome? {
            Ok(()) => self.account.rows_loaded += 1,
            Err(Quarantine(reason)) => {
                self.account.rows_quarantined += 1;
                let key = reason.split(':').next().unwrap_or(&reason).to_string();
                *self.account.quarantine_reasons.entry(key).or_insert(0) += 1;
                self.quarantine.push(QuarantinedRow {
                    file: self.config.file_label.clone(),
                    line,
                    reason,
                    cells: cells.iter().map(|c| c.as_ref().to_string()).collect(),
                });
            }
        }
        Ok(())
    }

    pub(super) fn positions(
        &self,
        path: &std::path::Path,
        line: u64,
        names: &[String],
    ) -> Result<Positions, ExtractError> {
        let keys: Vec<String> = names.iter().map(|n| match_key(n)).collect();
        let find = |field: &'static str, wanted: &str| -> Result<usize, ExtractError> {
            let key = match_key(wanted);
            keys.iter()
                .position(|k| *k == key)
                .ok_or_else(|| ExtractError::MissingColumn {
                    file: path.to_path_buf(),
                    line,
                    field,
                    value: wanted.to_string(),
                    available: names
                        .iter()
                        .map(|n| one_line(n))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        };
        let optional =
            |field: &'static str, wanted: &Option<String>| -> Result<Option<usize>, ExtractError> {
                wanted.as_deref().map(|w| find(field, w)).transpose()
            };
        let c = &self.config.columns;
        Ok(Positions {
            crime_reference: find("crime_reference", &c.crime_reference)?,
            recorded_date: find("recorded_date", &c.recorded_date)?,
            outcome_date: find("outcome_date", &c.outcome_date)?,
            offence_code: optional("offence_code", &c.offence_code)?,
            offence_description: optional("offence_description", &c.offence_description)?,
            outcome: find("outcome", &c.outcome)?,
            domestic_abuse: find("domestic_abuse", &c.domestic_abuse)?,
            area: find("area", &c.area)?,
            victim_reference: optional("victim_reference", &c.victim_reference)?,
            unit: optional("unit", &c.unit)?,
            victim_age_band: optional("victim_age_band", &c.victim_age_band)?,
            victim_sex: optional("victim_sex", &c.victim_sex)?,
            quality: {
                let mut quality = [None; QUALITY_FIELDS.len()];
                for (k, field) in QUALITY_FIELDS.iter().enumerate() {
                    quality[k] = optional(field.key, &c.quality[k])?;
                }
                quality
            },
            withdrawal_date: optional("withdrawal_date", &c.withdrawal_date)?,
            ethnicity: optional("ethnicity", &c.ethnicity)?,
            officer: optional("officer", &c.officer)?,
        })
    }

    /// One data row: `Ok(Ok(()))` loaded, `Ok(Err(_))` quarantined, `Err(_)` fatal.
    pub(super) fn row<S: AsRef<str>>(
        &mut self,
        path: &std::path::Path,
        line: u64,
        cells: &[S],
        names: &[String],
        p: Positions,
    ) -> Result<Result<(), Quarantine>, ExtractError> {
        if cells.len() != names.len() {
            return Ok(Err(Quarantine(format!(
                "wrong number of fields: {} fields, the header has {}",
                cells.len(),
                names.len()
            ))));
        }
        let cell = |i: usize| cells[i].as_ref().trim();
        let column = |i: usize| names[i].clone();
        let reference = cell(p.crime_reference);
        if reference.is_empty() {
            return Ok(Err(Quarantine("no crime reference".into())));
        }
        let recorded_text = cell(p.recorded_date);
        if recorded_text.is_empty() {
            return Ok(Err(Quarantine("no recorded date".into())));
        }
        let bad_date = |i: usize, value: &str| ExtractError::BadDate {
            file: path.to_path_buf(),
            line,
            column: column(i),
            value: value.to_string(),
        };
        let recorded =
            dates::parse(recorded_text).ok_or_else(|| bad_date(p.recorded_date, recorded_text))?;
        let outcome_text = cell(p.outcome);
        let outcome = self
            .outcome(outcome_text)
            .ok_or_else(|| ExtractError::UnknownOutcome {
                file: path.to_path_buf(),
                line,
                column: column(p.outcome),
                value: outcome_text.to_string(),
            })?;
        let outcome_date_text = cell(p.outcome_date);
        let mut outcome_at = if outcome_date_text.is_empty() {
            NO_DATE
        } else {
            dates::parse(outcome_date_text)
                .ok_or_else(|| bad_date(p.outcome_date, outcome_date_text))?
        };
        let flag_text = cell(p.domestic_abuse);
        let domestic_abuse = self.flag(flag_text).ok_or_else(|| ExtractError::BadFlag {
            file: path.to_path_buf(),
            line,
            column: column(p.domestic_abuse),
            value: flag_text.to_string(),
        })?;
        let code_text = p.offence_code.map(cell).unwrap_or("");
        let offence = if !code_text.is_empty() {
            match self.code_cache.get(code_text) {
                Some(&id) => id,
                None => {
                    let id = self.offences.intern(&normalise_code(code_text));
                    self.code_cache.insert(code_text.to_string(), id);
                    id
                }
            }
        } else {
            let description = p.offence_description.map(cell).unwrap_or("");
            if description.is_empty() {
                return Ok(Err(Quarantine("no offence code".into())));
            }
            match self.description(description) {
                Some(id) => id,
                None => {
                    return Err(ExtractError::UnknownOffence {
                        file: path.to_path_buf(),
                        line,
                        column: p.offence_description.map(column).unwrap_or_default(),
                        value: description.to_string(),
                    })
                }
            }
        };
        let area_text = clean(cell(p.area));
        if area_text.is_empty() {
            return Ok(Err(Quarantine("no area".into())));
        }
        if outcome == 0 {
            // A crime without an outcome has no outcome date; a stray date is not a decision.
            outcome_at = NO_DATE;
        } else if outcome_at == NO_DATE {
            return Ok(Err(Quarantine(format!(
                "no outcome date: outcome {outcome} has no date"
            ))));
        } else if outcome_at.div_euclid(dates::SECONDS_PER_DAY)
            < recorded.div_euclid(dates::SECONDS_PER_DAY)
        {
            return Ok(Err(Quarantine(format!(
                "outcome date before recorded date: {} is before {}",
                outcome_date_text, recorded_text
            ))));
        }
        let area = self.areas.intern(&area_text);
        let optional = |i: Option<usize>| i.map(cell).filter(|v| !v.is_empty());
        let unit = optional(p.unit).map_or(NONE, |v| self.units.intern(&clean(v)));
        let age_band = optional(p.victim_age_band).map_or(NONE, |v| self.age_bands.intern(v));
        let sex = optional(p.victim_sex).map_or(NONE, |v| self.sexes.intern(v));
        let victim = optional(p.victim_reference).map_or(NONE, |v| self.victims.insert(v).0);
        let mut quality = [0u8; QUALITY_FIELDS.len()];
        for (k, field) in QUALITY_FIELDS.iter().enumerate() {
            let Some(i) = p.quality[k] else {
                continue;
            };
            let text = cell(i);
            if text.is_empty() {
                continue;
            }
            quality[k] = if field.yes_no() {
                match self.flag(text) {
                    Some(true) => 1,
                    Some(false) => 2,
                    None => {
                        return Err(ExtractError::BadYesNo {
                            file: path.to_path_buf(),
                            line,
                            column: column(i),
                            value: one_line(text).into_owned(),
                        })
                    }
                }
            } else {
                match self.config.quality_values[k].get(&match_key(text)) {
                    Some(&code) => code,
                    None => {
                        return Err(ExtractError::BadLevel {
                            file: path.to_path_buf(),
                            line,
                            column: column(i),
                            value: one_line(text).into_owned(),
                            levels: field.levels,
                            key: field.key,
                        })
                    }
                }
            };
        }
        let withdrawn_at = match p.withdrawal_date.map(cell).filter(|v| !v.is_empty()) {
            None => NO_DATE,
            Some(text) => {
                let at = dates::parse(text)
                    .ok_or_else(|| bad_date(p.withdrawal_date.unwrap_or_default(), text))?;
                if at.div_euclid(dates::SECONDS_PER_DAY)
                    < recorded.div_euclid(dates::SECONDS_PER_DAY)
                {
                    return Err(ExtractError::WithdrawalBeforeRecorded {
                        file: path.to_path_buf(),
                        line,
                        column: column(p.withdrawal_date.unwrap_or_default()),
                        value: one_line(text).into_owned(),
                        recorded: recorded_text.to_string(),
                    });
                }
                at
            }
        };
        let ethnicity = optional(p.ethnicity).map_or(NONE, |v| self.ethnicities.intern(&clean(v)));
        let officer = optional(p.officer).map_or(NONE, |v| self.officers.intern(&clean(v)));
        let crime = Crime {
            quality,
            withdrawn_at,
            ethnicity,
            officer,
            recorded,
            outcome_at,
            outcome,
            domestic_abuse,
            offence,
            area,
            unit,
            victim,
            age_band,
            sex,
        };
        let (id, new) = self.references.insert(reference);
        if new {
            self.crimes.push(crime);
            self.rows_per_crime.push(1);
        } else {
            let id = id as usize;
            self.account.duplicate_rows_reduced += 1;
            if self.rows_per_crime[id] == 1 {
                self.account.crimes_with_several_rows += 1;
            }
            self.rows_per_crime[id] = self.rows_per_crime[id].saturating_add(1);
            let kept = &mut self.crimes[id];
            if kept.domestic_abuse != crime.domestic_abuse
                || kept.area != crime.area
                || kept.offence != crime.offence
            {
                self.account.duplicates_with_conflicting_fields += 1;
            }
            if crime.outcome_at >= kept.outcome_at {
                *kept = crime;
            }
        }
        Ok(Ok(()))
    }

    /// The outcome type of a cell: empty → 0, a number 0–22, a mapped label, or a Home Office
    /// description (compared without case, spaces or dash variants).
    pub(super) fn outcome(&mut self, text: &str) -> Option<u8> {
        if text.is_empty() {
            return Some(0);
        }
        if let Some(&t) = self.outcome_cache.get(text) {
            return Some(t);
        }
        let found = match text.parse::<u8>() {
            Ok(t) if t <= OutcomeType::MAX => Some(t),
            Ok(_) => None,
            Err(_) => {
                let key = match_key(text);
                self.config
                    .outcome_labels
                    .get(&key)
                    .or_else(|| self.descriptions.get(&key))
                    .copied()
            }
        }?;
        self.outcome_cache.insert(text.to_string(), found);
        Some(found)
    }

    pub(super) fn flag(&mut self, text: &str) -> Option<bool> {
        if let Some(&f) = self.flag_cache.get(text) {
            return Some(f);
        }
        let key = match_key(text);
        let found = crate::normalise::values::parse_yes_no(&key)
            .or_else(|| self.config.flag_yes.contains(&key).then_some(true))
            .or_else(|| self.config.flag_no.contains(&key).then_some(false))?;
        self.flag_cache.insert(text.to_string(), found);
        Some(found)
    }

    pub(super) fn description(&mut self, text: &str) -> Option<u32> {
        if let Some(&id) = self.description_cache.get(text) {
            return Some(id);
        }
        let code = self.config.offence_codes.get(&match_key(text))?.clone();
        let id = self.offences.intern(&code);
        self.description_cache.insert(text.to_string(), id);
        Some(id)
    }

    pub(super) fn finish(
        mut self,
        path: &std::path::Path,
        sha256: String,
    ) -> Result<Extract, ExtractError> {
        if self.header.is_none() {
            return Err(ExtractError::Empty {
                file: path.to_path_buf(),
            });
        }
        let a = &mut self.account;
        a.crimes = self.crimes.len() as u64;
        a.crimes_without_outcome = self.crimes.iter().filter(|c| c.outcome == 0).count() as u64;
        if a.rows_read != a.rows_loaded + a.rows_quarantined
            || a.rows_loaded != a.crimes + a.duplicate_rows_reduced
        {
            return Err(ExtractError::Accounting {
                file: path.to_path_buf(),
                read: a.rows_read,
                loaded: a.rows_loaded,
                quarantined: a.rows_quarantined,
            });
        }
        Ok(Extract {
            file_label: self.config.file_label.clone(),
            sha256,
            crimes: self.crimes,
            offences: self.offences.names,
            areas: self.areas.names,
            units: self.units.names,
            age_bands: self.age_bands.names,
            sexes: self.sexes.names,
            ethnicities: self.ethnicities.names,
            officers: self.officers.names,
            account: self.account,
            quarantine: self.quarantine,
            references: self.references,
            victims: self.victims,
        })
    }
}
