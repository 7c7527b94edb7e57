//! The service report (D4: a completed work order has a PDF report the
//! customer sees): for which customer and at which site, what was asked,
//! what was done, by whom, when and for how long, and who signed for it.
//! Times are printed on the tenant's clock, with its abbreviation (`CET`):
//! paper is read away from any page that could say the zone.
use chrono::{DateTime, Utc};
use krilla::Data;
use krilla::image::Image;
use portal_platform::zone::Zone;

use super::{Meta, PdfError, Sheet, Weight};

/// Largest signature drawn, in pixels (a canvas signature is far smaller):
/// a tiny PNG can claim a huge size and would be decoded whole.
const MAX_SIGNATURE_PIXELS: u64 = 4_000_000;
/// Largest photo drawn: a phone's camera stays well below; a small file
/// claiming more would take too much memory to decode.
const MAX_PHOTO_PIXELS: u64 = 50_000_000;
/// Photos per row of the report's grid.
const PHOTOS_PER_ROW: usize = 3;

/// Everything a service report shows; no ids (they mean nothing on paper).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceReport {
    pub title: String,
    /// Whom the work was for: the customer's name in identity's directory.
    pub customer: String,
    /// Where: the site as the directory names it; `None` when the work
    /// order names no site.
    pub site: Option<ReportSite>,
    /// What was asked for (the request's description).
    pub description: String,
    /// What the technician recorded.
    pub notes: String,
    pub technicians: Vec<String>,
    /// Who marked the work as done.
    pub completed_by: String,
    pub planned: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub minutes_spent: i32,
    pub signer_name: String,
    /// The customer's signature as drawn (PNG); empty when not signed.
    pub signature_png: Vec<u8>,
    /// What an inspection found, per equipment (D4).
    pub inspections: Vec<ReportInspection>,
    /// The first photos of the work order (D6), oldest first.
    pub photos: Vec<ReportPhoto>,
    /// How many more photos the work order has than are printed.
    pub more_photos: usize,
    /// When the report is made (stamped in the PDF's metadata).
    pub generated_at: DateTime<Utc>,
    /// The tenant's time zone, which the times are printed in.
    pub zone: Zone,
}

/// The site a report was made for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportSite {
    pub name: String,
    /// As typed into the directory; may span lines.
    pub address: String,
}

impl ReportSite {
    /// The name, then the address on the lines below.
    fn lines(&self) -> String {
        [self.name.trim(), self.address.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One equipment's inspection result, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportInspection {
    pub equipment: String,
    pub conforming: bool,
    pub remarks: String,
    /// `(item, passed)`, in the checklist's order.
    pub checklist: Vec<(String, bool)>,
}

/// One photo of the work order: its name and bytes (JPEG, PNG or WebP).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportPhoto {
    pub name: String,
    pub content: Vec<u8>,
}

const LABEL_WIDTH: f32 = 130.0;
const BODY: f32 = 10.0;

/// The report as a PDF. A signature that cannot be drawn (not a PNG, or
/// too large) leaves a sentence in its place rather than no report.
/// Photos that cannot be drawn are left out (and counted as such).
pub fn service_report(report: &ServiceReport) -> Result<Vec<u8>, PdfError> {
    let signature = signature_image(&report.signature_png);
    let drawn = signature.is_some();
    let photos = photo_images(&report.photos);
    match layout(report, signature, photos.clone())?.finish(meta(report)) {
        Ok(pdf) => Ok(pdf),
        // The image is only decoded when written: try once more without it.
        Err(_) if drawn => layout(report, None, photos)?.finish(meta(report)),
        Err(e) => Err(e),
    }
}

/// The photos krilla can draw; the others are skipped, never failing the
/// report (a photo is the technician's, not the customer's signature).
fn photo_images(photos: &[ReportPhoto]) -> Vec<Image> {
    photos
        .iter()
        .filter_map(|p| {
            let image = photo_image(&p.content);
            if image.is_none() {
                tracing::warn!(photo = %p.name, "a photo cannot be drawn; the report goes without it");
            }
            image
        })
        .collect()
}

fn photo_image(bytes: &[u8]) -> Option<Image> {
    use portal_platform::images::PhotoFormat;
    let data = Data::from(bytes.to_vec());
    let image = match PhotoFormat::sniff(bytes)? {
        PhotoFormat::Jpeg => Image::from_jpeg(data, true),
        PhotoFormat::Png => Image::from_png(data, true),
        PhotoFormat::Webp => Image::from_webp(data, true),
    }
    .ok()?;
    let (w, h) = image.size();
    (u64::from(w) * u64::from(h) <= MAX_PHOTO_PIXELS && super::decodes(&image)).then_some(image)
}

fn meta(report: &ServiceReport) -> Meta {
    Meta {
        title: format!("Service report: {}", report.title),
        language: "en".into(),
        created_at: Some(report.generated_at),
        footer: format!("Service report · {}", report.title),
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

fn layout(
    r: &ServiceReport,
    signature: Option<Image>,
    photos: Vec<Image>,
) -> Result<Sheet, PdfError> {
    let mut sheet = Sheet::new()?;
    sheet.paragraph("Service report", 20.0, Weight::Bold);
    sheet.space(4.0);
    sheet.paragraph(&r.title, 14.0, Weight::Bold);
    sheet.rule();
    sheet.space(4.0);

    let field = |sheet: &mut Sheet, label: &str, value: &str| {
        if !value.trim().is_empty() {
            sheet.field(label, value, BODY, LABEL_WIDTH);
            sheet.space(2.0);
        }
    };
    // For whom and where, before what was done.
    field(&mut sheet, "Customer", r.customer.trim());
    let site = r.site.as_ref().map(ReportSite::lines).unwrap_or_default();
    field(&mut sheet, "Site", &site);
    if !(r.customer.trim().is_empty() && site.is_empty()) {
        sheet.space(4.0);
        sheet.rule();
        sheet.space(4.0);
    }
    let technicians = r.technicians.join(", ");
    let label = if r.technicians.len() > 1 {
        "Technicians"
    } else {
        "Technician"
    };
    field(&mut sheet, label, &technicians);
    if let Some((start, end)) = r.planned {
        field(&mut sheet, "Planned", &window(start, end, r.zone));
    }
    field(
        &mut sheet,
        "Started",
        &r.started_at.map(|t| when(t, r.zone)).unwrap_or_default(),
    );
    field(
        &mut sheet,
        "Completed",
        &r.completed_at.map(|t| when(t, r.zone)).unwrap_or_default(),
    );
    field(&mut sheet, "Time spent", &duration(r.minutes_spent));
    field(&mut sheet, "Completed by", &r.completed_by);

    section(&mut sheet, "Work requested", &r.description);
    section(&mut sheet, "Work done", &r.notes);
    inspections(&mut sheet, &r.inspections);
    photo_grid(&mut sheet, photos, r.photos.len(), r.more_photos);

    sheet.space(10.0);
    sheet.heading("Customer signature", 12.0);
    sheet.space(4.0);
    let signed_by = r.signer_name.trim();
    match signature {
        Some(image) => {
            sheet.image(image, 220.0, 90.0);
            sheet.space(4.0);
        }
        None if !r.signature_png.is_empty() => {
            sheet.paragraph(
                "(The signature was recorded but cannot be shown here.)",
                BODY,
                Weight::Regular,
            );
        }
        None => {}
    }
    if signed_by.is_empty() {
        if r.signature_png.is_empty() {
            sheet.paragraph("Not signed.", BODY, Weight::Regular);
        }
    } else {
        sheet.paragraph(&format!("Signed by {signed_by}"), BODY, Weight::Regular);
    }
    Ok(sheet)
}

/// One block per equipment: its result, what failed, the remarks.
fn inspections(sheet: &mut Sheet, results: &[ReportInspection]) {
    if results.is_empty() {
        return;
    }
    sheet.space(10.0);
    let failed = results.iter().filter(|r| !r.conforming).count();
    sheet.heading(
        &format!(
            "Inspection: {} conforming, {failed} non-conforming",
            results.len() - failed
        ),
        12.0,
    );
    for r in results {
        sheet.space(4.0);
        let verdict = if r.conforming {
            "Conforming"
        } else {
            "Non-conforming"
        };
        let mut lines = vec![verdict.to_owned()];
        lines.extend(r.checklist.iter().map(|(item, passed)| {
            format!("{item}: {}", if *passed { "passed" } else { "failed" })
        }));
        if !r.remarks.trim().is_empty() {
            lines.push(r.remarks.trim().to_owned());
        }
        sheet.field(r.equipment.trim(), &lines.join("\n"), BODY, LABEL_WIDTH);
    }
}

/// The photos in rows of three, each scaled into its cell; a line says how
/// many are not shown (beyond the first ones, or unreadable).
fn photo_grid(sheet: &mut Sheet, photos: Vec<Image>, given: usize, more: usize) {
    let missing = given.saturating_sub(photos.len()) + more;
    if photos.is_empty() && missing == 0 {
        return;
    }
    sheet.space(10.0);
    sheet.heading("Photos", 12.0);
    sheet.space(4.0);
    let gap = 8.0;
    let cell =
        (Sheet::content_width() - gap * (PHOTOS_PER_ROW as f32 - 1.0)) / PHOTOS_PER_ROW as f32;
    let mut photos = photos.into_iter().peekable();
    while photos.peek().is_some() {
        let row: Vec<Image> = photos.by_ref().take(PHOTOS_PER_ROW).collect();
        sheet.image_row(row, cell, cell * 0.75, gap);
        sheet.space(gap);
    }
    match missing {
        0 => {}
        1 => sheet.paragraph("and 1 more photo", BODY, Weight::Regular),
        n => sheet.paragraph(&format!("and {n} more photos"), BODY, Weight::Regular),
    }
}

fn section(sheet: &mut Sheet, heading: &str, body: &str) {
    if body.trim().is_empty() {
        return;
    }
    sheet.space(10.0);
    sheet.heading(heading, 12.0);
    sheet.space(2.0);
    sheet.paragraph(body.trim(), BODY, Weight::Regular);
}

/// `5 Dec 2026, 09:05 CET` on `zone`'s clock.
pub fn when(at: DateTime<Utc>, zone: Zone) -> String {
    format!(
        "{} {}",
        zone.local(at).format("%-d %b %Y, %H:%M"),
        zone.abbreviation(at)
    )
}

/// `5 Dec 2026, 09:00–11:00 CET`, or both ends in full when it ends on
/// another day there (or the clock changes in between, so each end says
/// its own abbreviation).
fn window(start: DateTime<Utc>, end: DateTime<Utc>, zone: Zone) -> String {
    let abbreviation = zone.abbreviation(start);
    if zone.date(start) == zone.date(end) && zone.abbreviation(end) == abbreviation {
        format!(
            "{}–{} {abbreviation}",
            zone.local(start).format("%-d %b %Y, %H:%M"),
            zone.hm(end)
        )
    } else {
        format!("{} – {}", when(start, zone), when(end, zone))
    }
}

/// `1 h 30 min`, `45 min`, `2 h`; nothing for no time.
pub fn duration(minutes: i32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        _ if minutes <= 0 => String::new(),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::tests::text_of;

    /// A 2×1 PNG: one black, one transparent pixel.
    pub(crate) const TINY_PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0xF4,
        0x22, 0x7F, 0x8A, 0x00, 0x00, 0x00, 0x0F, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x60,
        0x60, 0x60, 0xF8, 0x0F, 0xC4, 0x0C, 0x00, 0x05, 0x04, 0x01, 0x00, 0x09, 0x7E, 0xF4, 0xD5,
        0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("date").to_utc()
    }

    fn report() -> ServiceReport {
        ServiceReport {
            title: "Boiler service".into(),
            customer: "Boulangerie Martin — Lyon".into(),
            site: Some(ReportSite {
                name: "Fournil de l'Église".into(),
                address: "3 rue de l'Église\n69002 Lyon".into(),
            }),
            description: "The boiler makes a noise.".into(),
            notes: "Replaced the pump; Zoë checked the pressure. Straße, Łódź.".into(),
            technicians: vec!["Amélie Dubois".into(), "Jürgen Groß".into()],
            completed_by: "Amélie Dubois".into(),
            planned: Some((at("2026-12-04T09:00:00Z"), at("2026-12-04T11:00:00Z"))),
            started_at: Some(at("2026-12-04T09:05:00Z")),
            completed_at: Some(at("2026-12-04T10:35:00Z")),
            minutes_spent: 90,
            signer_name: "Paweł Wiśniewski".into(),
            signature_png: TINY_PNG.to_vec(),
            inspections: Vec::new(),
            photos: Vec::new(),
            more_photos: 0,
            generated_at: at("2026-12-04T10:35:02Z"),
            zone: Zone::UTC,
        }
    }

    fn images_in(pdf: &[u8]) -> usize {
        let doc = lopdf::Document::load_mem(pdf).expect("readable");
        doc.objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| {
                s.dict
                    .get(b"Subtype")
                    .and_then(|v| v.as_name())
                    .is_ok_and(|n| n == b"Image")
            })
            .count()
    }

    fn photo(name: &str, content: &[u8]) -> ReportPhoto {
        ReportPhoto {
            name: name.into(),
            content: content.to_vec(),
        }
    }

    #[test]
    fn photos_are_laid_out_in_rows_and_the_rest_counted() {
        let unsigned = ServiceReport {
            signature_png: Vec::new(),
            ..report()
        };
        let pdf = service_report(&ServiceReport {
            photos: (0..4)
                .map(|i| photo(&format!("p{i}.png"), TINY_PNG))
                .collect(),
            more_photos: 3,
            ..unsigned.clone()
        })
        .expect("pdf");
        let text = text_of(&pdf);
        assert!(text.contains("Photos"), "{text}");
        assert!(text.contains("and 3 more photos"), "{text}");
        // The same bytes are one image object drawn four times, with its mask.
        assert!(images_in(&pdf) >= 1);

        let sheet = layout(
            &unsigned,
            None,
            (0..4).filter_map(|_| photo_image(TINY_PNG)).collect(),
        )
        .expect("layout");
        let placed: Vec<(f32, f32)> = sheet
            .pages()
            .iter()
            .flatten()
            .filter_map(|op| match op {
                crate::pdf::Op::Image { x, y, .. } => Some((*x, *y)),
                _ => None,
            })
            .collect();
        assert_eq!(placed.len(), 4);
        // Three on the first row, the fourth below the first.
        assert_eq!(placed[0].1, placed[2].1);
        assert!(placed[1].0 > placed[0].0 && placed[2].0 > placed[1].0);
        assert_eq!(placed[3].0, placed[0].0);
        assert!(placed[3].1 > placed[0].1);
    }

    #[test]
    fn a_photo_that_fails_to_decode_is_skipped_not_the_report() {
        let mut broken = TINY_PNG.to_vec();
        for byte in &mut broken[41..56] {
            *byte ^= 0x5A;
        }
        let pdf = service_report(&ServiceReport {
            signature_png: Vec::new(),
            photos: vec![
                photo("good.png", TINY_PNG),
                photo("broken.png", &broken),
                photo("not-an-image.jpg", b"%PDF-1.7"),
            ],
            ..report()
        })
        .expect("pdf");
        let text = text_of(&pdf);
        assert!(text.contains("Photos"), "{text}");
        assert!(text.contains("and 2 more photos"), "{text}");
        assert!(images_in(&pdf) >= 1);
    }

    #[test]
    fn the_inspection_lists_each_equipment_with_its_checklist() {
        let pdf = service_report(&ServiceReport {
            inspections: vec![
                ReportInspection {
                    equipment: "Extinguisher, hall".into(),
                    conforming: true,
                    remarks: String::new(),
                    checklist: vec![("Seal intact".into(), true)],
                },
                ReportInspection {
                    equipment: "Extinguisher, kitchen".into(),
                    conforming: false,
                    remarks: "Pressure low: to refill.".into(),
                    checklist: vec![("Pressure in the green".into(), false)],
                },
            ],
            ..report()
        })
        .expect("pdf");
        let text = text_of(&pdf);
        for expected in [
            "Inspection: 1 conforming, 1 non-conforming",
            "Extinguisher, hall",
            "Seal intact: passed",
            "Extinguisher, kitchen",
            "Non-conforming",
            "Pressure in the green: failed",
            "Pressure low: to refill.",
        ] {
            assert!(text.contains(expected), "{expected:?} not in {text:?}");
        }
        let without = text_of(&service_report(&report()).expect("pdf"));
        assert!(!without.contains("Inspection"), "{without}");
    }

    #[test]
    fn no_photos_no_section() {
        let text = text_of(&service_report(&report()).expect("pdf"));
        assert!(!text.contains("Photos"), "{text}");
    }

    #[test]
    fn the_report_is_a_pdf_whose_text_says_what_was_done() {
        let pdf = service_report(&report()).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"), "{:?}", &pdf[..8]);
        let text = text_of(&pdf);
        for expected in [
            "Service report",
            "Boiler service",
            "Customer",
            "Boulangerie Martin — Lyon",
            "Site",
            "Fournil de l'Église",
            "3 rue de l'Église",
            "69002 Lyon",
            "The boiler makes a noise.",
            "Replaced the pump; Zoë checked the pressure. Straße, Łódź.",
            "Technicians",
            "Amélie Dubois, Jürgen Groß",
            "4 Dec 2026, 09:05 UTC",
            "4 Dec 2026, 10:35 UTC",
            "1 h 30 min",
            "Signed by Paweł Wiśniewski",
        ] {
            assert!(text.contains(expected), "{expected:?} not in {text:?}");
        }
        assert!(!text.contains("cannot be shown"), "{text}");
    }

    #[test]
    fn customer_and_site_come_before_the_work() {
        let sheet = layout(&report(), None, Vec::new()).expect("layout");
        let texts: Vec<&str> = sheet.pages()[0]
            .iter()
            .filter_map(|op| match op {
                crate::pdf::Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let at = |wanted: &str| {
            texts
                .iter()
                .position(|t| *t == wanted)
                .unwrap_or_else(|| panic!("{wanted:?} not in {texts:?}"))
        };
        assert!(at("Customer") < at("Site"));
        assert!(at("Boulangerie Martin — Lyon") < at("Fournil de l'Église"));
        assert!(at("Fournil de l'Église") < at("3 rue de l'Église"));
        assert!(at("3 rue de l'Église") < at("69002 Lyon"));
        assert!(at("69002 Lyon") < at("Technicians"));
        assert!(at("Boiler service") < at("Customer"));
    }

    #[test]
    fn without_a_site_the_customer_still_shows() {
        let pdf = service_report(&ServiceReport {
            site: None,
            ..report()
        })
        .expect("pdf");
        let text = text_of(&pdf);
        assert!(text.contains("Boulangerie Martin — Lyon"), "{text}");
        assert!(!text.contains("Site"), "{text}");
        assert!(!text.contains("Église"), "{text}");
    }

    #[test]
    fn the_signature_is_embedded_as_an_image() {
        let with = service_report(&report()).expect("pdf");
        let doc = lopdf::Document::load_mem(&with).expect("readable");
        let images = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| {
                s.dict
                    .get(b"Subtype")
                    .and_then(|v| v.as_name())
                    .is_ok_and(|n| n == b"Image")
            })
            .count();
        // The picture, and its transparency as a soft mask.
        assert!(images >= 1, "no image in the PDF");
        let without = service_report(&ServiceReport {
            signature_png: Vec::new(),
            signer_name: String::new(),
            ..report()
        })
        .expect("pdf");
        assert!(text_of(&without).contains("Not signed."));
    }

    #[test]
    fn a_broken_signature_still_gives_a_report() {
        let pdf = service_report(&ServiceReport {
            signature_png: b"\x89PNG\r\n\x1a\nnot really".to_vec(),
            ..report()
        })
        .expect("pdf");
        let text = text_of(&pdf);
        assert!(text.contains("cannot be shown"), "{text}");
        assert!(text.contains("Signed by Paweł Wiśniewski"), "{text}");
    }

    #[test]
    fn a_signature_that_fails_to_decode_still_gives_a_report() {
        // A sound header (so it is taken as a PNG) over damaged pixel data.
        let mut png = TINY_PNG.to_vec();
        for byte in &mut png[41..56] {
            *byte ^= 0x5A;
        }
        let pdf = service_report(&ServiceReport {
            signature_png: png,
            ..report()
        })
        .expect("pdf");
        let text = text_of(&pdf);
        assert!(text.contains("cannot be shown"), "{text}");
    }

    #[test]
    fn long_notes_run_over_pages_and_keep_every_word() {
        let notes: Vec<String> = (1..=400).map(|i| format!("step{i}")).collect();
        let pdf = service_report(&ServiceReport {
            notes: notes.join(" "),
            ..report()
        })
        .expect("pdf");
        let text = text_of(&pdf);
        assert!(
            text.contains("step1 ") && text.contains("step400"),
            "{text}"
        );
        assert!(text.contains("2 / 2") || text.contains("/ 3"), "{text}");
    }

    #[test]
    fn durations_and_windows_read_naturally() {
        assert_eq!(duration(0), "");
        assert_eq!(duration(45), "45 min");
        assert_eq!(duration(120), "2 h");
        assert_eq!(duration(95), "1 h 35 min");
        assert_eq!(
            window(
                at("2026-12-04T09:00:00Z"),
                at("2026-12-04T11:00:00Z"),
                Zone::UTC
            ),
            "4 Dec 2026, 09:00–11:00 UTC"
        );
        assert_eq!(
            window(
                at("2026-12-04T22:00:00Z"),
                at("2026-12-05T01:00:00Z"),
                Zone::UTC
            ),
            "4 Dec 2026, 22:00 UTC – 5 Dec 2026, 01:00 UTC"
        );
    }

    #[test]
    fn times_are_printed_on_the_tenants_clock() {
        let paris = Zone::or_utc("Europe/Paris");
        assert_eq!(
            when(at("2026-12-05T08:00:00Z"), paris),
            "5 Dec 2026, 09:00 CET"
        );
        assert_eq!(
            when(at("2026-07-06T07:00:00Z"), paris),
            "6 Jul 2026, 09:00 CEST"
        );
        assert_eq!(
            window(
                at("2026-12-05T08:00:00Z"),
                at("2026-12-05T10:00:00Z"),
                paris
            ),
            "5 Dec 2026, 09:00–11:00 CET"
        );
        // 23:30Z is already the next day in Paris.
        assert_eq!(
            window(
                at("2026-12-05T22:00:00Z"),
                at("2026-12-05T23:30:00Z"),
                paris
            ),
            "5 Dec 2026, 23:00 CET – 6 Dec 2026, 00:30 CET"
        );
        // Over the autumn change each end names its own time.
        assert_eq!(
            window(
                at("2026-10-25T00:00:00Z"),
                at("2026-10-25T02:00:00Z"),
                paris
            ),
            "25 Oct 2026, 02:00 CEST – 25 Oct 2026, 03:00 CET"
        );
        let report = ServiceReport {
            zone: paris,
            planned: Some((at("2026-12-05T08:00:00Z"), at("2026-12-05T10:00:00Z"))),
            started_at: Some(at("2026-12-05T08:05:00Z")),
            completed_at: Some(at("2026-12-05T09:35:00Z")),
            ..report()
        };
        let text = text_of(&service_report(&report).expect("pdf"));
        for expected in [
            "5 Dec 2026, 09:00–11:00 CET",
            "5 Dec 2026, 09:05 CET",
            "5 Dec 2026, 10:35 CET",
        ] {
            assert!(text.contains(expected), "{expected:?} not in {text:?}");
        }
        assert!(!text.contains("UTC"), "{text}");
    }
}
