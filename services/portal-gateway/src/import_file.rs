//! An import file read into rows (G1): CSV (UTF-8) or Excel (the first
//! sheet), a header row naming the columns, then one record per row. What
//! makes the whole file unusable is an error here (unknown or missing
//! column, too many rows, a formula, not text); each row's own faults are
//! for the owning service to report. Pure functions.
use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

/// Rows one file may hold (the services hold the same limit).
pub const MAX_ROWS: usize = 10_000;

/// What an import holds, and its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Customers,
    Sites,
    Contacts,
    Equipment,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customers" => Some(Self::Customers),
            "sites" => Some(Self::Sites),
            "contacts" => Some(Self::Contacts),
            "equipment" => Some(Self::Equipment),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customers => "customers",
            Self::Sites => "sites",
            Self::Contacts => "contacts",
            Self::Equipment => "equipment",
        }
    }

    /// `(required, optional)` columns; equipment also takes `field:<key>`.
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Self::Customers => (&["number", "name"], &["address", "info"]),
            Self::Sites => (
                &["customer_number", "name"],
                &["address", "latitude", "longitude"],
            ),
            Self::Contacts => (
                &["customer_number", "name", "email"],
                &["language", "sites"],
            ),
            Self::Equipment => (
                &["customer_number", "site_name", "kind", "name"],
                &["make", "model", "serial_number", "location", "installed_on"],
            ),
        }
    }
}

/// One data row: its line in the file (the header is line 1) and cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: i32,
    pub cells: HashMap<String, String>,
}

/// Reads `bytes` (Excel when it is a zip, else CSV) as rows of `kind`.
pub fn read(kind: Kind, bytes: &[u8]) -> Result<Vec<Row>, String> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        excel(bytes)?
    } else {
        csv_table(bytes)?
    };
    rows(kind, table)
}

/// A grid of text: the header then the records.
type Table = Vec<Vec<String>>;

fn csv_table(bytes: &[u8]) -> Result<Table, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        "the file is neither an Excel workbook (.xlsx) nor CSV text in UTF-8".to_owned()
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Excel in many countries saves CSV with semicolons.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i > MAX_ROWS {
            return Err(format!("the file has more than {MAX_ROWS} rows: split it"));
        }
        let record = record.map_err(|e| format!("line {}: {e}", i + 1))?;
        table.push(record.iter().map(str::to_owned).collect());
    }
    Ok(table)
}

fn excel(bytes: &[u8]) -> Result<Table, String> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("the Excel workbook cannot be read: {e}"))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "the workbook has no sheet".to_owned())?;
    let formulas = book
        .worksheet_formula(&sheet)
        .map_err(|e| format!("the sheet cannot be read: {e}"))?;
    if let Some((row, col, f)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty()) {
        let (start_row, start_col) = formulas.start().unwrap_or((0, 0));
        return Err(format!(
            "line {}, column {}: a formula (={f}) — paste values instead",
            start_row as usize + row + 1,
            start_col as usize + col + 1
        ));
    }
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| format!("the sheet cannot be read: {e}"))?;
    if range.height() > MAX_ROWS + 1 {
        return Err(format!("the file has more than {MAX_ROWS} rows: split it"));
    }
    Ok(range
        .rows()
        .map(|r| r.iter().map(text_of).collect())
        .collect())
}

/// A cell as text: whole numbers without `.0`, dates as YYYY-MM-DD.
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel counts days from 1899-12-30.
        Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| {
                let days = d.as_f64().floor();
                (days.abs() < 1e7).then(|| epoch + chrono::Duration::days(days as i64))
            })
            .map(|day| day.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The header checked against `kind`'s columns; every other row a record.
fn rows(kind: Kind, table: Table) -> Result<Vec<Row>, String> {
    let mut lines = table.into_iter();
    let header: Vec<String> = lines
        .next()
        .ok_or_else(|| "the file is empty: the first row names the columns".to_owned())?
        .into_iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let (required, optional) = kind.columns();
    for (i, h) in header.iter().enumerate() {
        let known = required.contains(&h.as_str())
            || optional.contains(&h.as_str())
            || (kind == Kind::Equipment && h.starts_with("field:") && h.len() > 6);
        if !known && !h.is_empty() {
            return Err(format!(
                "column {} '{h}' is not one of: {}",
                i + 1,
                required
                    .iter()
                    .chain(optional)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if header[..i].contains(h) && !h.is_empty() {
            return Err(format!("column '{h}' is there twice"));
        }
    }
    if let Some(missing) = required.iter().find(|r| !header.iter().any(|h| h == *r)) {
        return Err(format!("the column '{missing}' is missing"));
    }
    let mut out = Vec::new();
    for (i, record) in lines.enumerate() {
        let line = i32::try_from(i + 2).unwrap_or(i32::MAX);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if out.len() >= MAX_ROWS {
            return Err(format!("the file has more than {MAX_ROWS} rows: split it"));
        }
        let mut cells = HashMap::new();
        for (h, value) in header.iter().zip(record) {
            if h.is_empty() {
                continue;
            }
            let value = value.trim().to_owned();
            // A spreadsheet would run this as a formula when opened again.
            if value.starts_with(['=', '+', '@']) {
                return Err(format!(
                    "line {line}, column '{h}': '{value}' looks like a formula — remove the leading '{}'",
                    &value[..1]
                ));
            }
            cells.insert(h.clone(), value);
        }
        out.push(Row { line, cells });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_file_becomes_rows_with_their_lines() {
        let csv = "\u{feff}Number,Name,Address\nC-1,Boulangerie,\"12 rue, Lyon\"\n,,\nC-2,Hotel,\n";
        let rows = read(Kind::Customers, csv.as_bytes()).unwrap_or_default();
        assert_eq!(rows.len(), 2, "the empty line is skipped");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].cells["address"], "12 rue, Lyon");
        assert_eq!(rows[1].line, 4);
        let semicolons = "number;name\nC-3;Garage\n";
        assert_eq!(
            read(Kind::Customers, semicolons.as_bytes()).map(|r| r.len()),
            Ok(1)
        );
    }

    #[test]
    fn what_spoils_a_whole_file_is_said() {
        for (kind, text, why) in [
            (
                Kind::Customers,
                "number,nom\nC-1,x\n",
                "'nom' is not one of",
            ),
            (Kind::Customers, "number\nC-1\n", "'name' is missing"),
            (Kind::Customers, "number,name,name\nC-1,x,y\n", "twice"),
            (
                Kind::Customers,
                "number,name\nC-1,=HYPERLINK(\"x\")\n",
                "looks like a formula",
            ),
            (Kind::Customers, "", "empty"),
        ] {
            let e = read(kind, text.as_bytes()).err().unwrap_or_default();
            assert!(e.contains(why), "{why}: {e}");
        }
        assert!(read(Kind::Customers, &[0xff, 0xfe, 0x00]).is_err());
        let negative = "customer_number,name,latitude,longitude\nC-1,Brest,48.39,-4.49\n";
        assert_eq!(
            read(Kind::Sites, negative.as_bytes()).map(|r| r.len()),
            Ok(1)
        );
        let fields =
            "customer_number,site_name,kind,name,field:refrigerant\nC-1,Shop,Fridge,F1,R32\n";
        let rows = read(Kind::Equipment, fields.as_bytes()).unwrap_or_default();
        assert_eq!(rows[0].cells["field:refrigerant"], "R32");
    }

    #[test]
    fn more_rows_than_allowed_are_refused_without_reading_them_all() {
        let mut csv = String::from("number,name\n");
        for i in 0..=MAX_ROWS {
            csv.push_str(&format!("C-{i},x\n"));
        }
        let e = read(Kind::Customers, csv.as_bytes())
            .err()
            .unwrap_or_default();
        assert!(e.contains("more than 10000 rows"), "{e}");
    }

    #[test]
    fn an_excel_sheet_is_read_and_its_formulas_refused() -> anyhow::Result<()> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "number")?;
        sheet.write_string(0, 1, "name")?;
        sheet.write_string(1, 0, "C-7")?;
        sheet.write_string(1, 1, "Garage")?;
        sheet.write_number(2, 0, 42.0)?;
        sheet.write_string(2, 1, "Answer")?;
        let bytes = book.save_to_buffer()?;
        let rows = read(Kind::Customers, &bytes).map_err(anyhow::Error::msg)?;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].cells["number"], "42");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "number")?;
        sheet.write_string(0, 1, "name")?;
        sheet.write_string(1, 0, "C-8")?;
        sheet.write_formula(1, 1, "=UPPER(\"x\")")?;
        let bytes = book.save_to_buffer()?;
        let e = read(Kind::Customers, &bytes).err().unwrap_or_default();
        assert!(e.contains("formula"), "{e}");
        Ok(())
    }
}
