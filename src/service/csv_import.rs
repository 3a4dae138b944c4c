//! Reading a CSV import (members, a vote's subjects): a header naming the columns, one item
//! per line, every bad line reported at once by its number (the header is line 1), and all
//! lines or none.

use crate::error::{AppError, AppResult, FieldError, Problem};

/// What an import holds, to read it and to word its errors.
pub struct CsvImport<'a, const N: usize> {
    /// The columns the header must name, in the order the check receives them.
    pub columns: [&'a str; N],
    /// One item, e.g. "member".
    pub one: &'a str,
    /// Several, e.g. "members".
    pub many: &'a str,
    /// More lines than this are refused (413) before any is kept.
    pub max_rows: usize,
}

impl<const N: usize> CsvImport<'_, N> {
    /// Every line's item as `check` makes it from the line's number and its fields (in the
    /// order of `columns`), or one `validation-failed` naming every line `check` refused.
    pub fn read<T>(
        &self,
        body: &[u8],
        mut check: impl FnMut(usize, [&str; N]) -> AppResult<T>,
    ) -> AppResult<Vec<(usize, T)>> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::Headers)
            .from_reader(body);
        let headers = reader.headers().map_err(|e| {
            AppError::malformed(format!(
                "The CSV header could not be read ({e}); send UTF-8 CSV."
            ))
        })?;
        let mut at = [0usize; N];
        for (slot, name) in at.iter_mut().zip(self.columns) {
            *slot = headers.iter().position(|h| h == name).ok_or_else(|| {
                AppError::malformed(format!(
                    "The first line must be the header {}.",
                    self.columns.join(",")
                ))
            })?;
        }

        let mut items = Vec::new();
        let mut errors = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize);
                    errors.push(FieldError {
                        line,
                        message: format!("not a well-formed CSV row: {}", csv_error_kind(&e)),
                    });
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line() as usize);
            if items.len() + errors.len() >= self.max_rows {
                return Err(AppError::new(
                    Problem::PayloadTooLarge,
                    format!(
                        "An import holds at most {} {}; split the file.",
                        self.max_rows, self.many
                    ),
                ));
            }
            let fields = at.map(|i| record.get(i).unwrap_or(""));
            match check(line, fields) {
                Ok(item) => items.push((line, item)),
                Err(e) => errors.push(FieldError {
                    line: Some(line),
                    message: e.detail,
                }),
            }
        }
        if items.is_empty() && errors.is_empty() {
            return Err(AppError::validation(format!(
                "The file has a header but no {}; add one line per {}.",
                self.many, self.one
            )));
        }
        if !errors.is_empty() {
            return Err(rejected(errors));
        }
        Ok(items)
    }
}

fn csv_error_kind(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("it has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "it is not valid UTF-8".to_owned(),
        _ => "it could not be parsed".to_owned(),
    }
}

fn rejected(errors: Vec<FieldError>) -> AppError {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| match e.line {
            Some(l) => format!("line {l}: {}", e.message),
            None => e.message.clone(),
        })
        .collect();
    AppError::validation(format!(
        "Nothing was imported; fix these lines and send the whole file again. {}",
        lines.join("; ")
    ))
    .with_errors(errors)
}
