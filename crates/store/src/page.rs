/// Which slice of a list to return.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct PageRequest {
    /// How many items to skip.
    pub offset: u64,
    /// How many items to return at most; clamped to [`PageRequest::MAX_LIMIT`].
    pub limit: u32,
}

impl PageRequest {
    /// The page size when none is asked for.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// The largest page the store returns.
    pub const MAX_LIMIT: u32 = 1000;

    /// The first `limit` items.
    pub fn first(limit: u32) -> Self {
        Self { offset: 0, limit }
    }

    /// The limit actually applied: at least one, at most [`PageRequest::MAX_LIMIT`].
    pub fn effective_limit(self) -> u32 {
        self.limit.clamp(1, Self::MAX_LIMIT)
    }

    /// Offset and limit as the integers SQL binds.
    pub(crate) fn sql(self) -> (i64, i64) {
        (
            i64::try_from(self.offset).unwrap_or(i64::MAX),
            i64::from(self.effective_limit()),
        )
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(Self::DEFAULT_LIMIT)
    }
}

/// One page of a list, with the total number of items that match.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Page<T> {
    /// The items of this page, in the list's order.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
    /// The offset this page starts at.
    pub offset: u64,
    /// The limit that was applied.
    pub limit: u32,
}

impl<T> Page<T> {
    /// Whether items follow this page.
    pub fn has_more(&self) -> bool {
        self.offset + (self.items.len() as u64) < self.total
    }
}

/// A value bound to a [`Where`] placeholder.
pub(crate) enum Arg {
    Text(String),
    Time(chrono::DateTime<chrono::Utc>),
}

/// Builds a `WHERE` clause with numbered placeholders, which both dialects accept.
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl Where {
    /// Adds a text value and returns its placeholder (`$n`).
    pub(crate) fn arg(&mut self, value: impl Into<String>) -> String {
        self.args.push(Arg::Text(value.into()));
        format!("${}", self.args.len())
    }

    /// Adds a time (at the store's precision, so it compares as stored times do) and
    /// returns its placeholder.
    pub(crate) fn time(&mut self, value: chrono::DateTime<chrono::Utc>) -> String {
        self.args.push(Arg::Time(crate::stored_time(value)));
        format!("${}", self.args.len())
    }

    /// Adds a condition, `AND`ed with the others.
    pub(crate) fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// The next free placeholder number.
    pub(crate) fn next_index(&self) -> usize {
        self.args.len() + 1
    }

    /// ` WHERE …` or nothing.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
