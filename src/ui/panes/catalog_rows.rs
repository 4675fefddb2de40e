//! The catalog's rows, by where they come from: a Distribution catalog's names, the
//! repositories offered for a registry without a catalog (and why each is offered),
//! Harbor's projects and repositories, a Docker Hub namespace, Docker Hub search results.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::model::tags::{CatalogSource, CatalogState};
use crate::registry::OfferSource;
use crate::ui::View;
use crate::ui::widgets::{CellText, Column, LazyTable, RowText};

/// `1.2M`, `3.4k`, `12`: counts of pulls and stars.
fn short_count(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 => format!("{:.1}B", n as f64 / 1e9),
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{}k", n / 1000),
        n if n >= 1_000 => format!("{:.1}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

pub fn render(frame: &mut Frame, area: Rect, catalog: &CatalogState, view: &View, focused: bool) {
    let theme = view.theme;
    let wide = area.width >= 70;
    let columns = match &catalog.source {
        CatalogSource::Distribution => vec![Column::name("REPOSITORY", 1)],
        CatalogSource::Offered { .. } => {
            vec![Column::name("REPOSITORY", 10), Column::whole("OFFERED")]
        }
        CatalogSource::HarborProjects(_) => vec![
            Column::name("PROJECT", 10),
            Column::whole("ACCESS"),
            Column::whole("REPOSITORIES").right(),
        ],
        CatalogSource::HarborRepositories { .. } => vec![
            Column::name("REPOSITORY", 10),
            Column::whole("ARTIFACTS").right(),
            Column::whole("PULLS").right(),
            Column::whole("UPDATED"),
        ],
        CatalogSource::HubNamespace { .. } if wide => vec![
            Column::name("REPOSITORY", 10),
            Column::whole("STARS").right(),
            Column::whole("PULLS").right(),
            Column::whole("UPDATED"),
            Column::text("DESCRIPTION", 10),
        ],
        CatalogSource::HubNamespace { .. } => vec![
            Column::name("REPOSITORY", 10),
            Column::whole("STARS").right(),
            Column::whole("UPDATED"),
        ],
        CatalogSource::HubSearch { .. } if wide => vec![
            Column::name("NAME", 10),
            Column::whole("OFFICIAL"),
            Column::whole("STARS").right(),
            Column::text("DESCRIPTION", 10),
        ],
        CatalogSource::HubSearch { .. } => vec![
            Column::name("NAME", 10),
            Column::whole("OFFICIAL"),
            Column::whole("STARS").right(),
        ],
    };
    let age = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| view.age(t.timestamp())).unwrap_or_default()
    };
    LazyTable {
        columns,
        len: catalog.view.len(),
        cursor: &catalog.view.cursor,
        focused,
    }
    .render(frame, area, theme, |i| {
        let Some(index) = catalog.view.get(i) else {
            return RowText::default();
        };
        let name = || {
            catalog
                .repositories
                .get(index)
                .map(|r| r.familiar())
                .unwrap_or_default()
        };
        match &catalog.source {
            CatalogSource::Distribution => RowText::new([name()]),
            CatalogSource::Offered { sources, .. } => {
                let source = match sources.get(index) {
                    Some(OfferSource::Configured) => "configured",
                    Some(OfferSource::OpenedBefore) => "opened before",
                    None => "",
                };
                RowText::new([CellText::from(name()), CellText::styled(source, theme.dim)])
            }
            CatalogSource::HarborProjects(projects) => match projects.get(index) {
                Some(p) => RowText::new([
                    CellText::from(p.name.clone()),
                    CellText::styled(if p.public { "public" } else { "private" }, theme.dim),
                    CellText::from(p.repo_count.to_string()),
                ]),
                None => RowText::default(),
            },
            CatalogSource::HarborRepositories { details, .. } => match details.get(index) {
                Some(r) => RowText::new([
                    CellText::from(name()),
                    CellText::from(r.artifact_count.to_string()),
                    CellText::from(short_count(r.pull_count)),
                    CellText::from(age(r.updated)),
                ]),
                None => RowText::default(),
            },
            CatalogSource::HubNamespace { details, .. } => match details.get(index) {
                Some(r) if wide => RowText::new([
                    CellText::from(name()),
                    CellText::from(short_count(r.stars)),
                    CellText::from(short_count(r.pulls)),
                    CellText::from(age(r.last_updated)),
                    CellText::styled(r.description.clone(), theme.dim),
                ]),
                Some(r) => RowText::new([
                    CellText::from(name()),
                    CellText::from(short_count(r.stars)),
                    CellText::from(age(r.last_updated)),
                ]),
                None => RowText::default(),
            },
            CatalogSource::HubSearch { results, .. } => match results.get(index) {
                Some(r) => {
                    let mut cells = vec![
                        CellText::from(name()),
                        CellText::styled(if r.official { "official" } else { "" }, theme.ok),
                        CellText::from(short_count(r.stars)),
                    ];
                    if wide {
                        cells.push(CellText::styled(r.description.clone(), theme.dim));
                    }
                    RowText::new(cells)
                }
                None => RowText::default(),
            },
        }
    });
}
