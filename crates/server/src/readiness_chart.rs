//! The migration's progress as an SVG line chart: configurations migrated so far (green) and
//! JWT configurations left (amber) per day, with the end-of-life date marked when it falls in
//! the range. Drawn by an askama template (`templates/readiness_chart.svg`), so every word in
//! it is escaped; the readiness page includes the same template, and
//! `imsbridge migrate status --chart` writes it as a standalone file.

use askama::Template;
use chrono::{Duration, NaiveDate};
use imsbridge_service::readiness::Readiness;

const W: f64 = 640.0;
const H: f64 = 260.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

/// The chart's words, in the reader's language.
#[derive(Debug, Clone, Copy)]
pub struct ChartLabels<'a> {
    /// Its title ("Migration progress").
    pub title: &'a str,
    /// The green series ("Migrated").
    pub migrated: &'a str,
    /// The amber series ("JWT configurations left").
    pub remaining: &'a str,
    /// The end-of-life marker ("JWT end of life").
    pub eol: &'a str,
}

impl ChartLabels<'static> {
    /// The words in `lang`, from the catalogues (the page's language, or the command line's).
    pub fn in_lang(lang: imsbridge_i18n::Lang) -> Self {
        Self {
            title: lang.get("readiness_progress"),
            migrated: lang.get("readiness_migrated"),
            remaining: lang.get("readiness_remaining"),
            eol: lang.get("readiness_eol"),
        }
    }
}

/// Where everything goes: the numbers the template draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The frame's width and height.
    pub w: f64,
    /// The frame's height.
    pub h: f64,
    /// The plot's left edge (the y axis).
    pub left: f64,
    /// The plot's top edge.
    pub top: f64,
    /// The plot's right edge.
    pub right: f64,
    /// The plot's bottom edge (the x axis).
    pub bottom: f64,
    /// `x,y` pairs of the migrated series.
    pub migrated_points: String,
    /// `x,y` pairs of the JWT-left series.
    pub remaining_points: String,
    /// The top of the y axis.
    pub max_y: u64,
    /// The first day shown.
    pub first: NaiveDate,
    /// The last day shown.
    pub last: NaiveDate,
    /// The end-of-life marker's x, when the date is in range.
    pub eol_x: Option<String>,
    /// The end-of-life date.
    pub eol: NaiveDate,
    /// Migrated so far.
    pub migrated_total: u64,
    /// JWT configurations left now.
    pub jwt_now: u64,
}

impl Chart {
    /// The layout of `r`'s progress: each recorded day, and today, so the lines reach the
    /// present.
    pub fn of(r: &Readiness) -> Self {
        let today = r.generated_at.date_naive();
        let jwt_now = r.remaining.len() as u64;
        let mut points: Vec<(NaiveDate, u64, u64)> = r
            .progress
            .iter()
            .map(|p| (p.date, p.cumulative, p.remaining_jwt))
            .collect();
        let migrated_total = points.last().map_or(0, |p| p.1);
        match points.first() {
            None => points.push((today - Duration::days(1), 0, jwt_now)),
            Some(first) => {
                let before = first.0 - Duration::days(1);
                let start_left = first.2 + first.1;
                points.insert(0, (before, 0, start_left));
            }
        }
        if points.last().is_some_and(|p| p.0 < today) {
            points.push((today, migrated_total, jwt_now));
        }
        let first = points[0].0;
        let last = points[points.len() - 1].0.max(first + Duration::days(1));
        let span = (last - first).num_days().max(1) as f64;
        let max_y = points
            .iter()
            .map(|p| p.1.max(p.2))
            .max()
            .unwrap_or(0)
            .max(1);
        let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / span * (W - LEFT - RIGHT);
        let y = |v: u64| TOP + (1.0 - v as f64 / max_y as f64) * (H - TOP - BOTTOM);
        let line = |pick: fn(&(NaiveDate, u64, u64)) -> u64| {
            points
                .iter()
                .map(|p| format!("{:.1},{:.1}", x(p.0), y(pick(p))))
                .collect::<Vec<_>>()
                .join(" ")
        };
        Self {
            w: W,
            h: H,
            left: LEFT,
            top: TOP,
            right: W - RIGHT,
            bottom: H - BOTTOM,
            migrated_points: line(|p| p.1),
            remaining_points: line(|p| p.2),
            max_y,
            first,
            last,
            eol_x: (r.jwt_eol >= first && r.jwt_eol <= last)
                .then(|| format!("{:.1}", x(r.jwt_eol))),
            eol: r.jwt_eol,
            migrated_total,
            jwt_now,
        }
    }
}

/// The chart as a standalone SVG document; needs no script or stylesheet.
#[derive(Template)]
#[template(path = "readiness_chart.svg")]
pub struct ChartSvg<'a> {
    /// The layout.
    pub chart: Chart,
    /// The words.
    pub chart_l: ChartLabels<'a>,
}

/// `r`'s progress as an SVG document with `labels`.
pub fn svg(r: &Readiness, labels: ChartLabels<'_>) -> String {
    ChartSvg {
        chart: Chart::of(r),
        chart_l: labels,
    }
    .render()
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use imsbridge_service::readiness::ProgressPoint;

    use super::*;

    fn sample(progress: Vec<ProgressPoint>) -> Readiness {
        Readiness {
            generated_at: "2026-11-26T12:00:00Z".parse().unwrap(),
            total: 3,
            by_auth_type: vec![],
            by_origin: vec![],
            by_cloud_solution: vec![],
            by_health: vec![],
            remaining: vec![],
            jwt_eol: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            days_to_eol: -1,
            progress,
        }
    }

    #[test]
    fn the_chart_is_one_svg_element_with_both_series_and_the_end_of_life_marker() {
        let svg = svg(
            &sample(vec![ProgressPoint {
                date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                migrated: 3,
                cumulative: 3,
                remaining_jwt: 0,
            }]),
            ChartLabels::in_lang(imsbridge_i18n::Lang::En),
        );
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("class=\"migrated\"") && svg.contains("class=\"remaining\""));
        assert!(svg.contains("JWT end of life 2026-11-25"));
    }

    #[test]
    fn a_chart_without_any_migration_still_draws() {
        let svg = svg(
            &sample(vec![]),
            ChartLabels::in_lang(imsbridge_i18n::Lang::En),
        );
        assert!(svg.contains("Migrated (0)"));
    }

    #[test]
    fn the_charts_words_are_escaped() {
        let svg = svg(
            &sample(vec![]),
            ChartLabels {
                title: "<script>alert(1)</script>",
                migrated: "a & b",
                remaining: "\"q\"",
                eol: "<",
            },
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains("&#60;script&#62;") && svg.contains("a &#38; b"),
            "{svg}"
        );
    }
}
