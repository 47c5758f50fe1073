//! Queries on connector resources: the platform's query language (`where`), ordering and
//! paging.

use std::borrow::Cow;
use std::fmt;

use crate::transport::Request;

/// Quotes a text as a string literal of the platform's query language: wrapped in single
/// quotes, with each single quote inside doubled.
///
/// ```
/// use open_connectors::quote_literal;
///
/// assert_eq!(quote_literal("Edge Communications"), "'Edge Communications'");
/// assert_eq!(quote_literal("O'Brien"), "'O''Brien'");
/// ```
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A value on the right of a comparison: quoted when it is text, bare when it is a number or a
/// boolean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal(String);

impl From<&str> for Literal {
    fn from(value: &str) -> Self {
        Literal(quote_literal(value))
    }
}

impl From<String> for Literal {
    fn from(value: String) -> Self {
        Literal::from(value.as_str())
    }
}

macro_rules! bare_literal {
    ($($t:ty),*) => {$(
        impl From<$t> for Literal {
            fn from(value: $t) -> Self {
                Literal(value.to_string())
            }
        }
    )*};
}

bare_literal!(bool, i32, i64, u32, u64, f64);

/// A `where` expression of the platform's query language, built so that values are always
/// quoted safely.
///
/// Field names are sent as given. Comparisons joined with [`and`](Self::and) and
/// [`or`](Self::or) keep their meaning: an `OR` expression is put in parentheses before it is
/// joined with `AND`.
///
/// ```
/// use open_connectors::Where;
///
/// let filter = Where::eq("ScheduleState", "Completed").and(Where::ge("Rank", 10));
/// assert_eq!(filter.to_string(), "ScheduleState = 'Completed' AND Rank >= 10");
///
/// let either = Where::eq("State", "Open").or(Where::eq("Owner", "O'Brien"));
/// assert_eq!(either.to_string(), "State = 'Open' OR Owner = 'O''Brien'");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Where {
    text: String,
    has_or: bool,
}

impl Where {
    /// An expression written by hand, sent as given. It is put in parentheses when joined
    /// with another one, as its operators are unknown.
    pub fn raw(expression: impl Into<String>) -> Self {
        Where {
            text: expression.into(),
            has_or: true,
        }
    }

    /// `field = value`.
    pub fn eq(field: &str, value: impl Into<Literal>) -> Self {
        Where::compare(field, "=", value)
    }

    /// `field != value`.
    pub fn ne(field: &str, value: impl Into<Literal>) -> Self {
        Where::compare(field, "!=", value)
    }

    /// `field > value`.
    pub fn gt(field: &str, value: impl Into<Literal>) -> Self {
        Where::compare(field, ">", value)
    }

    /// `field >= value`.
    pub fn ge(field: &str, value: impl Into<Literal>) -> Self {
        Where::compare(field, ">=", value)
    }

    /// `field < value`.
    pub fn lt(field: &str, value: impl Into<Literal>) -> Self {
        Where::compare(field, "<", value)
    }

    /// `field <= value`.
    pub fn le(field: &str, value: impl Into<Literal>) -> Self {
        Where::compare(field, "<=", value)
    }

    /// `field LIKE value`, where `%` in the value matches any text.
    pub fn like(field: &str, value: &str) -> Self {
        Where::compare(field, "LIKE", value)
    }

    fn compare(field: &str, operator: &str, value: impl Into<Literal>) -> Self {
        Where {
            text: format!("{field} {operator} {}", value.into().0),
            has_or: false,
        }
    }

    /// Both expressions must hold.
    pub fn and(self, other: Where) -> Self {
        Where {
            text: format!("{} AND {}", self.grouped(), other.grouped()),
            has_or: false,
        }
    }

    /// Either expression must hold.
    pub fn or(self, other: Where) -> Self {
        Where {
            text: format!("{} OR {}", self.text, other.text),
            has_or: true,
        }
    }

    fn grouped(&self) -> Cow<'_, str> {
        if self.has_or {
            Cow::Owned(format!("({})", self.text))
        } else {
            Cow::Borrowed(&self.text)
        }
    }
}

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<Where> for String {
    fn from(value: Where) -> Self {
        value.text
    }
}

/// What to list from a connector resource: a filter, an order, a page size, and a page
/// number or cursor.
///
/// ```
/// use open_connectors::{HubQuery, Where};
///
/// let query = HubQuery::new()
///     .filter(Where::eq("ScheduleState", "Completed"))
///     .order_by("CreationDate desc")
///     .page_size(100);
/// # let _ = query;
/// ```
#[derive(Debug, Clone, Default)]
pub struct HubQuery {
    filter: Option<String>,
    order_by: Option<String>,
    fields: Option<String>,
    page_size: Option<u32>,
    page: Option<u32>,
    next_page: Option<String>,
    params: Vec<(String, String)>,
}

impl HubQuery {
    /// Everything, in the vendor's default order and page size.
    pub fn new() -> Self {
        HubQuery::default()
    }

    /// The `where` expression, from a [`Where`] or a string written by hand.
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    /// The order (`orderBy`), such as `CreationDate desc`.
    pub fn order_by(mut self, order: impl Into<String>) -> Self {
        self.order_by = Some(order.into());
        self
    }

    /// The fields each item should carry (`fields`), comma-separated.
    pub fn fields(mut self, fields: impl Into<String>) -> Self {
        self.fields = Some(fields.into());
        self
    }

    /// How many items per page (`pageSize`).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Which page, by number (`page`), on resources that count pages.
    pub fn page(mut self, number: u32) -> Self {
        self.page = Some(number);
        self
    }

    /// The cursor of the page to fetch (`nextPage`), from [`Page::next_page`](crate::Page).
    pub fn next_page(mut self, token: Option<String>) -> Self {
        self.next_page = token;
        self
    }

    /// Any other query parameter the connector takes.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Adds the query to a request; the transport percent-encodes every value.
    pub(crate) fn apply(&self, call: Request) -> Request {
        let mut call = call
            .query_opt("where", self.filter.as_ref())
            .query_opt("orderBy", self.order_by.as_ref())
            .query_opt("fields", self.fields.as_ref())
            .query_opt("pageSize", self.page_size)
            .query_opt("page", self.page)
            .query_opt("nextPage", self.next_page.as_ref());
        for (name, value) in &self.params {
            call = call.query(name.clone(), value);
        }
        call
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_single_quotes() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("''"), "''''''");
        assert_eq!(quote_literal(""), "''");
    }

    #[test]
    fn numbers_and_booleans_are_bare() {
        assert_eq!(Where::gt("Rank", 3).to_string(), "Rank > 3");
        assert_eq!(Where::eq("Blocked", false).to_string(), "Blocked = false");
        assert_eq!(Where::eq("Id", "3").to_string(), "Id = '3'");
    }

    #[test]
    fn or_is_grouped_inside_and() {
        let either = Where::eq("A", "1").or(Where::eq("B", "2"));

        let both = Where::eq("C", "3").and(either);

        assert_eq!(both.to_string(), "C = '3' AND (A = '1' OR B = '2')");
    }

    #[test]
    fn raw_expressions_are_grouped_when_joined() {
        let joined = Where::raw("A = 1 or B = 2").and(Where::lt("C", 4));

        assert_eq!(joined.to_string(), "(A = 1 or B = 2) AND C < 4");
        assert_eq!(Where::raw("A = 1").to_string(), "A = 1");
    }
}
