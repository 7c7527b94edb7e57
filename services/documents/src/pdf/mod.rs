//! The PDFs documents writes (service reports now; quotes and invoices
//! later), on krilla with DejaVu Sans embedded (ADR 0019).
//!
//! A document is laid out as a flow on A4 pages ([`Sheet`]): headings,
//! label/value rows, wrapped paragraphs, rules and images, each placed below
//! the previous one and moved to a new page when it does not fit. Layout is
//! a list of drawing steps per page, computed without krilla, so it can be
//! tested on its own; [`Sheet::finish`] then draws them and adds page
//! numbers. Everything here is pure: no clock, no I/O.
pub mod quote;
pub mod service_report;

use krilla::geom::{PathBuilder, Point, Size};
use krilla::image::Image;
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

pub use service_report::{
    ReportInspection, ReportPhoto, ReportSite, ServiceReport, service_report,
};

/// A4, in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// About 2 cm on every side.
pub const MARGIN: f32 = 56.0;
/// Room kept at the foot of each page for its number.
const FOOTER: f32 = 28.0;
const LINE_SPACING: f32 = 1.35;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the bundled font could not be read")]
    Font,
    #[error("writing the PDF failed: {0}")]
    Write(String),
}

/// Regular or bold DejaVu Sans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// The bundled typefaces: DejaVu Sans covers Latin (é, ß, ł, ő…), Greek
/// and Cyrillic, so any name or note in those scripts prints as written.
fn font_bytes(weight: Weight) -> &'static [u8] {
    match weight {
        Weight::Regular => dejavu::sans::regular(),
        Weight::Bold => dejavu::sans::bold(),
    }
}

/// Advance widths of one typeface, to break lines before drawing them.
struct Measure {
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
}

impl Measure {
    fn new(weight: Weight) -> Result<Self, PdfError> {
        let font = FontRef::new(font_bytes(weight)).map_err(|_| PdfError::Font)?;
        Ok(Self {
            charmap: font.charmap(),
            // One pixel per em: advances come out as fractions of the size.
            metrics: font.glyph_metrics(FontSize::new(1.0), LocationRef::default()),
        })
    }

    /// Width of `text` at `size` points (kerning ignored: a line drawn
    /// with it is never wider than measured).
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| {
                let glyph = self.charmap.map(c).unwrap_or_default();
                self.metrics.advance_width(glyph).unwrap_or(0.5)
            })
            .sum::<f32>()
            * size
    }
}

/// One drawing step on a page; coordinates from the top left, `y` of text
/// is its baseline.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        text: String,
    },
    Rule {
        x: f32,
        y: f32,
        width: f32,
    },
    Image {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        /// Index into the sheet's images.
        image: usize,
    },
}

/// Text as it may be printed: no control or direction-override characters
/// (which could hide or reorder what a customer reads), tabs as spaces;
/// line breaks are kept.
pub fn printable(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\t' || c == '\r' { ' ' } else { c })
        .filter(|c| *c == '\n' || !(c.is_control() || is_bidi_control(*c)))
        .collect()
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One cell of a [`Sheet::row`].
pub struct Cell<'a> {
    pub text: &'a str,
    /// From the left margin.
    pub x: f32,
    pub width: f32,
    pub right: bool,
}

/// A flow of blocks on A4 pages.
pub struct Sheet {
    regular: Measure,
    bold: Measure,
    pages: Vec<Vec<Op>>,
    images: Vec<Image>,
    /// Where the next block starts on the current page.
    y: f32,
}

impl Sheet {
    pub fn new() -> Result<Self, PdfError> {
        Ok(Self {
            regular: Measure::new(Weight::Regular)?,
            bold: Measure::new(Weight::Bold)?,
            pages: vec![Vec::new()],
            images: Vec::new(),
            y: MARGIN,
        })
    }

    fn measure(&self, weight: Weight) -> &Measure {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN - FOOTER
    }

    pub fn content_width() -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN
    }

    /// Starts a new page unless `height` still fits on this one.
    fn room_for(&mut self, height: f32) {
        if self.y + height > Self::bottom() && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Breaks `text` into lines no wider than `width`: at its own line
    /// breaks, then between words, and inside a word only when the word
    /// alone is too wide.
    pub fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let m = self.measure(weight);
        let mut lines = Vec::new();
        for paragraph in printable(text).split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if m.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the line is cut where it overflows.
                for c in word.chars() {
                    line.push(c);
                    if m.width(&line, size) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// Lines of text at `x`, `width` wide, continued on the next page when
    /// they reach the bottom.
    pub fn text(&mut self, text: &str, size: f32, weight: Weight, x: f32, width: f32) {
        let line_height = size * LINE_SPACING;
        for line in self.wrap(text, size, weight, width) {
            self.room_for(line_height);
            self.y += line_height;
            if !line.is_empty() {
                self.push(Op::Text {
                    x,
                    y: self.y - size * 0.3,
                    size,
                    weight,
                    text: line,
                });
            }
        }
    }

    /// A paragraph across the page.
    pub fn paragraph(&mut self, text: &str, size: f32, weight: Weight) {
        self.text(text, size, weight, MARGIN, Self::content_width());
    }

    /// A bold heading, kept with at least two lines of what follows.
    pub fn heading(&mut self, text: &str, size: f32) {
        self.room_for(size * LINE_SPACING + 2.0 * 10.0 * LINE_SPACING);
        self.paragraph(text, size, Weight::Bold);
    }

    /// A label and its value side by side; a long value wraps in its column.
    pub fn field(&mut self, label: &str, value: &str, size: f32, label_width: f32) {
        let value_width = Self::content_width() - label_width;
        let lines = self.wrap(value, size, Weight::Regular, value_width);
        let line_height = size * LINE_SPACING;
        // Short rows stay whole; a long value may run on to the next page.
        self.room_for(line_height * lines.len().min(3) as f32);
        let top = self.y;
        self.text(label, size, Weight::Bold, MARGIN, label_width - 8.0);
        let after_label = self.y;
        let page = self.pages.len();
        self.y = top;
        self.text(
            value,
            size,
            Weight::Regular,
            MARGIN + label_width,
            value_width,
        );
        if self.pages.len() == page {
            self.y = self.y.max(after_label);
        }
    }

    /// A table row: each cell wraps in its column (`x` from the left
    /// margin, `width` wide, right-aligned when `right`), the row as tall as
    /// its tallest cell and kept whole on one page.
    pub fn row(&mut self, cells: &[Cell<'_>], size: f32, weight: Weight) {
        let line_height = size * LINE_SPACING;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .map(|c| self.wrap(c.text, size, weight, c.width))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        self.room_for(line_height * lines as f32);
        let top = self.y;
        for (cell, lines) in cells.iter().zip(wrapped) {
            for (n, line) in lines.into_iter().enumerate() {
                if line.is_empty() {
                    continue;
                }
                let x = if cell.right {
                    MARGIN + cell.x + cell.width - self.measure(weight).width(&line, size)
                } else {
                    MARGIN + cell.x
                };
                self.push(Op::Text {
                    x,
                    y: top + line_height * (n + 1) as f32 - size * 0.3,
                    size,
                    weight,
                    text: line,
                });
            }
        }
        self.y = top + line_height * lines as f32;
    }

    /// Starts a new page (a certificate after the document it certifies).
    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// A thin line across the page.
    pub fn rule(&mut self) {
        self.room_for(8.0);
        self.y += 4.0;
        let y = self.y;
        self.push(Op::Rule {
            x: MARGIN,
            y,
            width: Self::content_width(),
        });
        self.y += 4.0;
    }

    /// An image scaled down (never up) to fit `max_width` by `max_height`,
    /// kept whole on one page.
    pub fn image(&mut self, image: Image, max_width: f32, max_height: f32) {
        let (w, h) = image.size();
        let (w, h) = (w.max(1) as f32, h.max(1) as f32);
        let scale = (max_width / w).min(max_height / h).min(1.0);
        let (width, height) = (w * scale, h * scale);
        self.room_for(height);
        let y = self.y;
        self.images.push(image);
        self.push(Op::Image {
            x: MARGIN,
            y,
            width,
            height,
            image: self.images.len() - 1,
        });
        self.y += height;
    }

    /// Images side by side, each scaled down (never up) into a `cell_width`
    /// by `cell_height` box, the row kept whole on one page.
    pub fn image_row(&mut self, images: Vec<Image>, cell_width: f32, cell_height: f32, gap: f32) {
        let fitted: Vec<(Image, f32, f32)> = images
            .into_iter()
            .map(|image| {
                let (w, h) = image.size();
                let (w, h) = (w.max(1) as f32, h.max(1) as f32);
                let scale = (cell_width / w).min(cell_height / h).min(1.0);
                (image, w * scale, h * scale)
            })
            .collect();
        let height = fitted.iter().map(|(_, _, h)| *h).fold(0.0, f32::max);
        self.room_for(height);
        let y = self.y;
        for (n, (image, width, h)) in fitted.into_iter().enumerate() {
            self.images.push(image);
            self.push(Op::Image {
                x: MARGIN + n as f32 * (cell_width + gap),
                y,
                width,
                height: h,
                image: self.images.len() - 1,
            });
        }
        self.y += height;
    }

    /// The drawing steps so far, page by page.
    pub fn pages(&self) -> &[Vec<Op>] {
        &self.pages
    }

    /// Draws every page with its number ("1 / 2") and returns the PDF.
    pub fn finish(self, meta: Meta) -> Result<Vec<u8>, PdfError> {
        let regular =
            Font::new(Data::from(font_bytes(Weight::Regular)), 0).ok_or(PdfError::Font)?;
        let bold = Font::new(Data::from(font_bytes(Weight::Bold)), 0).ok_or(PdfError::Font)?;
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut document = Document::new();
        let total = self.pages.len();
        for (n, ops) in self.pages.iter().enumerate() {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            surface.set_fill(Some(Fill::default()));
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        weight,
                        text,
                    } => {
                        let font = match weight {
                            Weight::Regular => regular.clone(),
                            Weight::Bold => bold.clone(),
                        };
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            font,
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Op::Rule { x, y, width } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x, *y);
                        pb.line_to(x + width, *y);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                width: 0.5,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill::default()));
                        }
                    }
                    Op::Image {
                        x,
                        y,
                        width,
                        height,
                        image,
                    } => {
                        let (Some(image), Some(size)) =
                            (self.images.get(*image), Size::from_wh(*width, *height))
                        else {
                            continue;
                        };
                        surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                        surface.draw_image(image.clone(), size);
                        surface.pop();
                    }
                }
            }
            let number = format!("{} / {total}", n + 1);
            let size = 8.0;
            let width = self.regular.width(&number, size);
            surface.draw_text(
                Point::from_xy(PAGE_WIDTH - MARGIN - width, PAGE_HEIGHT - MARGIN + 12.0),
                regular.clone(),
                size,
                &number,
                false,
                TextDirection::Auto,
            );
            if !meta.footer.is_empty() {
                surface.draw_text(
                    Point::from_xy(MARGIN, PAGE_HEIGHT - MARGIN + 12.0),
                    regular.clone(),
                    size,
                    &printable(&meta.footer).replace('\n', " "),
                    false,
                    TextDirection::Auto,
                );
            }
            surface.finish();
            page.finish();
        }
        let mut metadata = Metadata::new()
            .title(printable(&meta.title))
            .creator("Portal".to_owned())
            .language(meta.language.clone());
        if let Some(at) = meta.created_at {
            metadata = metadata.creation_date(pdf_date(at));
        }
        document.set_metadata(metadata);
        document
            .finish()
            .map_err(|e| PdfError::Write(format!("{e:?}")))
    }
}

/// Whether krilla can decode `image` (it decodes only when the PDF is
/// written, where one bad picture would fail the whole document): drawn
/// alone on a page of a throwaway document.
pub fn decodes(image: &Image) -> bool {
    let Some(size) = Size::from_wh(10.0, 10.0) else {
        return false;
    };
    let Some(settings) = PageSettings::from_wh(20.0, 20.0) else {
        return false;
    };
    let mut document = Document::new();
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    surface.draw_image(image.clone(), size);
    surface.finish();
    page.finish();
    document.finish().is_ok()
}

/// What a PDF says about itself, and the line at the foot of each page.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    /// BCP 47 language of the text (`en`).
    pub language: String,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub footer: String,
}

fn pdf_date(at: chrono::DateTime<chrono::Utc>) -> PdfDateTime {
    use chrono::{Datelike, Timelike};
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    PdfDateTime::new(u16::try_from(at.year()).unwrap_or(1970))
        .month(narrow(at.month()))
        .day(narrow(at.day()))
        .hour(narrow(at.hour()))
        .minute(narrow(at.minute()))
        .second(narrow(at.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The text lopdf reads back from a PDF, pages joined.
    pub(crate) fn text_of(pdf: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(pdf).expect("a PDF lopdf can read");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages).expect("text")
    }

    #[test]
    fn printable_drops_controls_and_overrides_but_keeps_lines() {
        assert_eq!(
            printable("a\tb\r\nc\u{0}d\u{202E}e\u{7}"),
            "a b\ncde".to_owned()
        );
        assert_eq!(printable("Zażółć gęślą"), "Zażółć gęślą");
    }

    #[test]
    fn lines_break_between_words_and_inside_only_too_long_words() {
        let sheet = Sheet::new().expect("fonts");
        let lines = sheet.wrap("one two three four five six", 10.0, Weight::Regular, 60.0);
        assert!(lines.len() > 1, "{lines:?}");
        for line in &lines {
            assert!(sheet.regular.width(line, 10.0) <= 60.0, "{line}");
        }
        assert_eq!(lines.join(" "), "one two three four five six");
        let long = "x".repeat(200);
        let cut = sheet.wrap(&long, 10.0, Weight::Regular, 100.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), long);
        assert_eq!(
            sheet.wrap("first\n\nthird", 10.0, Weight::Regular, 300.0),
            vec!["first", "", "third"]
        );
    }

    #[test]
    fn text_runs_on_to_new_pages() {
        let mut sheet = Sheet::new().expect("fonts");
        let long = "A line of notes.\n".repeat(120);
        sheet.paragraph(&long, 10.0, Weight::Regular);
        assert!(sheet.pages().len() >= 2, "{}", sheet.pages().len());
        for page in sheet.pages() {
            for op in page {
                if let Op::Text { y, .. } = op {
                    assert!(*y <= Sheet::bottom() && *y >= MARGIN, "{y}");
                }
            }
        }
        let pdf = sheet.finish(Meta::default()).expect("pdf");
        let text = text_of(&pdf);
        assert!(text.contains("1 / 2") || text.contains("1 / 3"), "{text}");
    }
}
