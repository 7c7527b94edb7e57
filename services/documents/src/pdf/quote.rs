//! A quote (E3) or an invoice (E4) as a PDF: the provider, the customer and
//! site, the lines with their totals, its dates; once a quote is accepted,
//! the same pages and an acceptance certificate (who, when, from where, the
//! hash of the PDF they accepted, their drawn signature).
use chrono::{DateTime, NaiveDate, Utc};
use krilla::Data;
use krilla::image::Image;
use portal_platform::zone::Zone;

use super::service_report::when;
use super::{Cell, Meta, PdfError, Sheet, Weight};
use crate::quotes::domain::{PricedLine, Totals, money, quantity, rate};

const BODY: f32 = 10.0;
const LABEL_WIDTH: f32 = 120.0;
/// A drawn signature larger than this is not printed.
const MAX_SIGNATURE_PIXELS: u64 = 4_000_000;

/// Everything a quote's or an invoice's pages print.
#[derive(Debug, Clone)]
pub struct QuotePdf {
    /// "Quote", "Invoice".
    pub heading: String,
    pub reference: String,
    pub provider: String,
    pub provider_details: String,
    pub customer: String,
    pub site: String,
    pub title: String,
    pub currency: String,
    pub lines: Vec<PricedLine>,
    pub totals: Totals,
    pub issued_at: DateTime<Utc>,
    /// Labelled dates under the parties ("Valid until", "Due").
    pub dates: Vec<(String, String)>,
    /// The sentence after the totals.
    pub closing: String,
    pub zone: Zone,
}

impl QuotePdf {
    /// The texts of a quote: valid until its last day, signed in the portal.
    pub fn quote_texts(&mut self, valid_until: NaiveDate) {
        self.heading = "Quote".into();
        self.dates = vec![("Valid until".into(), format!("{valid_until} (included)"))];
        self.closing =
            format!("To accept, sign this quote in the customer portal by {valid_until}.");
    }
}

/// The acceptance the certificate page records.
#[derive(Debug, Clone)]
pub struct Acceptance {
    pub signer_name: String,
    pub contact_id: String,
    pub at: DateTime<Utc>,
    pub address: String,
    /// Hex SHA-256 of the PDF as sent.
    pub pdf_sha256: String,
    pub signature_png: Vec<u8>,
}

/// The quote as sent.
pub fn quote(q: &QuotePdf) -> Result<Vec<u8>, PdfError> {
    layout(q)?.finish(meta(q))
}

/// The quote as accepted: its pages and a certificate page.
pub fn signed_quote(q: &QuotePdf, a: &Acceptance) -> Result<Vec<u8>, PdfError> {
    let signature = signature_image(&a.signature_png);
    let drawn = signature.is_some();
    let mut sheet = layout(q)?;
    certificate(&mut sheet, q, a, signature);
    match sheet.finish(meta(q)) {
        Ok(pdf) => Ok(pdf),
        // The image is only decoded when written: try once more without it.
        Err(_) if drawn => {
            let mut sheet = layout(q)?;
            certificate(&mut sheet, q, a, None);
            sheet.finish(meta(q))
        }
        Err(e) => Err(e),
    }
}

fn meta(q: &QuotePdf) -> Meta {
    Meta {
        title: format!("{} {}: {}", q.heading, q.reference, q.title),
        language: "en".into(),
        created_at: Some(q.issued_at),
        footer: format!("{} {} · {}", q.heading, q.reference, q.title),
    }
}

fn signature_image(png: &[u8]) -> Option<Image> {
    if png.is_empty() {
        return None;
    }
    let image = Image::from_png(Data::from(png.to_vec()), true).ok()?;
    let (w, h) = image.size();
    (u64::from(w) * u64::from(h) <= MAX_SIGNATURE_PIXELS).then_some(image)
}

fn field(sheet: &mut Sheet, label: &str, value: &str) {
    if !value.trim().is_empty() {
        sheet.field(label, value, BODY, LABEL_WIDTH);
        sheet.space(2.0);
    }
}

// Columns of the lines table, from the left margin (content is ~483 pt).
const DESCRIPTION: (f32, f32) = (0.0, 200.0);
const QUANTITY: (f32, f32) = (205.0, 45.0);
const UNIT_PRICE: (f32, f32) = (255.0, 80.0);
const TAX: (f32, f32) = (340.0, 45.0);
const AMOUNT: (f32, f32) = (390.0, 93.0);

fn cells<'a>(texts: [&'a str; 5]) -> [Cell<'a>; 5] {
    let cell = |text, (x, width): (f32, f32), right| Cell {
        text,
        x,
        width,
        right,
    };
    [
        cell(texts[0], DESCRIPTION, false),
        cell(texts[1], QUANTITY, true),
        cell(texts[2], UNIT_PRICE, true),
        cell(texts[3], TAX, true),
        cell(texts[4], AMOUNT, true),
    ]
}

fn layout(q: &QuotePdf) -> Result<Sheet, PdfError> {
    let mut sheet = Sheet::new()?;
    sheet.paragraph(
        &format!("{} {}", q.heading, q.reference),
        20.0,
        Weight::Bold,
    );
    sheet.space(4.0);
    sheet.paragraph(&q.title, 14.0, Weight::Bold);
    sheet.rule();
    sheet.space(4.0);
    field(&mut sheet, "From", &q.provider);
    field(&mut sheet, "", &q.provider_details);
    field(&mut sheet, "Customer", &q.customer);
    field(&mut sheet, "Site", &q.site);
    field(&mut sheet, "Issued", &q.zone.date(q.issued_at).to_string());
    for (label, value) in &q.dates {
        field(&mut sheet, label, value);
    }
    sheet.space(8.0);
    sheet.row(
        &cells([
            "Description",
            "Qty",
            &format!("Unit price ({})", q.currency),
            "Tax",
            &format!("Amount ({})", q.currency),
        ]),
        BODY,
        Weight::Bold,
    );
    sheet.rule();
    for l in &q.lines {
        let qty = quantity(l.line.quantity_milli);
        let unit = amount(l.line.unit_price_minor);
        let tax = rate(l.line.tax_rate_bp);
        let net = amount(l.net_minor);
        sheet.row(
            &cells([&l.line.description, &qty, &unit, &tax, &net]),
            BODY,
            Weight::Regular,
        );
        sheet.space(3.0);
    }
    sheet.rule();
    let total_row = |sheet: &mut Sheet, label: &str, minor: i64, weight: Weight| {
        let value = money(minor, &q.currency);
        sheet.row(
            &[
                Cell {
                    text: label,
                    x: UNIT_PRICE.0,
                    width: TAX.0 + TAX.1 - UNIT_PRICE.0,
                    right: true,
                },
                Cell {
                    text: &value,
                    x: AMOUNT.0,
                    width: AMOUNT.1,
                    right: true,
                },
            ],
            BODY,
            weight,
        );
    };
    total_row(&mut sheet, "Net", q.totals.net_minor, Weight::Regular);
    total_row(&mut sheet, "Tax", q.totals.tax_minor, Weight::Regular);
    total_row(&mut sheet, "Total", q.totals.total_minor, Weight::Bold);
    sheet.space(12.0);
    sheet.paragraph(&q.closing, BODY, Weight::Regular);
    Ok(sheet)
}

/// An amount without its currency (the column heading names it).
fn amount(minor: i64) -> String {
    let m = money(minor, "");
    m.trim_end().to_owned()
}

fn certificate(sheet: &mut Sheet, q: &QuotePdf, a: &Acceptance, signature: Option<Image>) {
    sheet.new_page();
    sheet.paragraph("Acceptance certificate", 18.0, Weight::Bold);
    sheet.space(4.0);
    sheet.paragraph(
        &format!("Quote {}: {}", q.reference, q.title),
        12.0,
        Weight::Bold,
    );
    sheet.rule();
    sheet.space(4.0);
    field(sheet, "Accepted by", &a.signer_name);
    field(sheet, "Contact id", &a.contact_id);
    field(sheet, "Accepted on", &when(a.at, q.zone));
    field(sheet, "From address", &a.address);
    field(
        sheet,
        "Total accepted",
        &money(q.totals.total_minor, &q.currency),
    );
    sheet.space(4.0);
    sheet.paragraph("SHA-256 of the quote as sent", BODY, Weight::Bold);
    // Small enough to stay on one line, so it can be copied and compared.
    sheet.paragraph(&a.pdf_sha256, 8.0, Weight::Regular);
    sheet.space(10.0);
    sheet.heading("Signature", 12.0);
    sheet.space(4.0);
    match signature {
        Some(image) => sheet.image(image, 260.0, 110.0),
        None => sheet.paragraph(
            "(The signature was recorded but cannot be shown here.)",
            BODY,
            Weight::Regular,
        ),
    }
    sheet.space(10.0);
    sheet.paragraph(
        "The pages before this one are the quote exactly as it was sent; its \
         SHA-256 above is the hash of that PDF.",
        BODY,
        Weight::Regular,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::tests::text_of;
    use crate::quotes::domain::{Line, price};

    fn sample() -> QuotePdf {
        let (lines, totals) = price(vec![
            Line {
                description: "Replace the condenser fan motor".into(),
                quantity_milli: 1_000,
                unit_price_minor: 34_000,
                tax_rate_bp: 2_000,
            },
            Line {
                description: "Labour".into(),
                quantity_milli: 2_500,
                unit_price_minor: 6_000,
                tax_rate_bp: 2_000,
            },
        ]);
        let mut q = QuotePdf {
            heading: String::new(),
            reference: "Q-1A2B3C".into(),
            provider: "Froid Services".into(),
            provider_details: "1 rue du Port, Lyon".into(),
            customer: "Brasserie du Port".into(),
            site: "Quai kitchen".into(),
            title: "Cold room repair".into(),
            currency: "EUR".into(),
            lines,
            totals,
            issued_at: Utc::now(),
            dates: Vec::new(),
            closing: String::new(),
            zone: Zone::UTC,
        };
        q.quote_texts(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default());
        q
    }

    #[test]
    fn a_quote_prints_its_lines_and_totals() -> Result<(), PdfError> {
        let text = text_of(&quote(&sample())?);
        for expected in [
            "Quote Q-1A2B3C",
            "Brasserie du Port",
            "Replace the condenser fan motor",
            "340.00",
            "150.00",
            // 490.00 net + 98.00 tax.
            "588.00 EUR",
            "2027-03-31",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        assert!(!text.contains("Acceptance certificate"));
        Ok(())
    }

    #[test]
    fn an_accepted_quote_ends_with_its_certificate() -> Result<(), PdfError> {
        let q = sample();
        let a = Acceptance {
            signer_name: "Jean Dupont".into(),
            contact_id: "c-1".into(),
            at: Utc::now(),
            address: "203.0.113.9".into(),
            pdf_sha256: "ab".repeat(32),
            signature_png: Vec::new(),
        };
        let text = text_of(&signed_quote(&q, &a)?);
        for expected in [
            "Acceptance certificate",
            "Jean Dupont",
            "203.0.113.9",
            &"ab".repeat(32),
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        assert!(
            text.contains("Replace the condenser fan motor"),
            "the quote's pages first"
        );
        Ok(())
    }
}
