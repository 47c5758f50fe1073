//! The parts of CEQL the Rally hub understands: `where` with equality clauses joined by `AND`,
//! and `orderBy=<field> [asc|desc]`.
//!
//! `Name = 'it''s'` is a clause (spaces around `=` optional, `''` escapes a quote); numbers and
//! `true`/`false` may go unquoted. Anything else is refused with "Error parsing query", as the
//! platform answers a query it cannot read.

use std::cmp::Ordering;

use serde_json::Value;

use super::Object;
use crate::error::ApiError;

/// One `Field = value` clause.
#[derive(Debug, Clone, PartialEq)]
struct Clause {
    field: String,
    value: String,
}

/// A parsed `where` expression: every clause must hold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter(Vec<Clause>);

fn parse_error(detail: &str) -> ApiError {
    ApiError::bad_request(format!("Error parsing query: {detail}"))
}

/// Parses a `where` expression.
pub(crate) fn parse_where(text: &str) -> Result<Filter, ApiError> {
    let mut rest = text.trim_start();
    let mut clauses = Vec::new();
    loop {
        let (clause, after) = parse_clause(rest)?;
        clauses.push(clause);
        rest = after.trim_start();
        if rest.is_empty() {
            return Ok(Filter(clauses));
        }
        rest = strip_and(rest).ok_or_else(|| parse_error("expected AND between clauses"))?;
    }
}

/// Takes a leading `AND` (any case) that is followed by whitespace.
fn strip_and(text: &str) -> Option<&str> {
    let keyword = text.get(..3)?;
    let after = &text[3..];
    let spaced = after.starts_with(char::is_whitespace);
    (keyword.eq_ignore_ascii_case("and") && spaced).then(|| after.trim_start())
}

fn parse_clause(text: &str) -> Result<(Clause, &str), ApiError> {
    let field_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(text.len());
    let field = &text[..field_end];
    if field.is_empty() || field.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(parse_error("expected a field name"));
    }
    let rest = text[field_end..].trim_start();
    let rest = rest
        .strip_prefix('=')
        .ok_or_else(|| parse_error("only '=' comparisons are supported"))?;
    let (value, rest) = parse_value(rest.trim_start())?;
    Ok((
        Clause {
            field: field.to_owned(),
            value,
        },
        rest,
    ))
}

/// A quoted string, a number, or `true`/`false`.
fn parse_value(text: &str) -> Result<(String, &str), ApiError> {
    if let Some(quoted) = text.strip_prefix('\'') {
        return parse_quoted(quoted);
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let word = &text[..end];
    let literal = word.parse::<f64>().is_ok() || word == "true" || word == "false";
    if !literal {
        return Err(parse_error(
            "values must be quoted strings, numbers, true or false",
        ));
    }
    Ok((word.to_owned(), &text[end..]))
}

/// The rest of a quoted string, where `''` stands for one quote.
fn parse_quoted(text: &str) -> Result<(String, &str), ApiError> {
    let mut value = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        if c != '\'' {
            value.push(c);
        } else if chars.peek().is_some_and(|(_, next)| *next == '\'') {
            value.push('\'');
            chars.next();
        } else {
            return Ok((value, &text[index + 1..]));
        }
    }
    Err(parse_error("unterminated string"))
}

impl Filter {
    /// Whether an object meets every clause.
    pub(crate) fn matches(&self, object: &Object) -> bool {
        self.0.iter().all(|clause| {
            field(object, &clause.field).is_some_and(|value| equals(value, &clause.value))
        })
    }
}

/// A field by name; dots reach into nested objects (`Project.Name`).
fn field<'a>(object: &'a Object, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = object.get(parts.next()?)?;
    parts.try_fold(first, |value, part| value.get(part))
}

fn equals(value: &Value, literal: &str) -> bool {
    match value {
        Value::String(text) => text == literal,
        Value::Number(number) => {
            let wanted = literal.parse::<f64>().ok();
            number.as_f64().is_some_and(|number| Some(number) == wanted)
        }
        Value::Bool(flag) => flag.to_string() == literal,
        Value::Null | Value::Array(_) | Value::Object(_) => false,
    }
}

/// A parsed `orderBy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Order {
    field: String,
    descending: bool,
}

/// Parses `orderBy=<field> [asc|desc]`.
pub(crate) fn parse_order(text: &str) -> Result<Order, ApiError> {
    let mut words = text.split_whitespace();
    let field = words
        .next()
        .ok_or_else(|| parse_error("orderBy needs a field"))?;
    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(parse_error("orderBy direction must be asc or desc")),
    };
    if words.next().is_some() {
        return Err(parse_error("orderBy takes one field"));
    }
    Ok(Order {
        field: field.to_owned(),
        descending,
    })
}

impl Order {
    /// Sorts objects by the field; objects without it come last.
    pub(crate) fn sort(&self, objects: &mut [Object]) {
        objects.sort_by(|left, right| {
            let ordering = compare(field(left, &self.field), field(right, &self.field));
            if self.descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
    }
}

fn compare(left: Option<&Value>, right: Option<&Value>) -> Ordering {
    match (left, right) {
        (Some(Value::Number(a)), Some(Value::Number(b))) => {
            let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            a.partial_cmp(&b).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(a)), Some(Value::String(b))) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn parses_the_documented_clauses() {
        let filter = parse_where("ScheduleState = 'Completed'").expect("a valid clause");

        assert!(filter.matches(&object(json!({"ScheduleState": "Completed"}))));
        assert!(!filter.matches(&object(json!({"ScheduleState": "Defined"}))));
    }

    #[test]
    fn joins_clauses_with_and_and_unescapes_quotes() {
        let filter =
            parse_where("Name='it''s ünïcode' and ScheduleState='Defined'").expect("valid");

        let hit = object(json!({"Name": "it's ünïcode", "ScheduleState": "Defined"}));
        let miss = object(json!({"Name": "it's ünïcode", "ScheduleState": "Completed"}));
        assert!(filter.matches(&hit));
        assert!(!filter.matches(&miss));
    }

    #[test]
    fn an_and_inside_quotes_is_part_of_the_value() {
        let filter = parse_where("Name = 'Salt AND pepper'").expect("valid");

        assert!(filter.matches(&object(json!({"Name": "Salt AND pepper"}))));
    }

    #[test]
    fn numbers_match_numeric_fields() {
        let filter = parse_where("ObjectID = 42").expect("valid");

        assert!(filter.matches(&object(json!({"ObjectID": 42}))));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "",
            "Name",
            "Name = ",
            "Name = 'open",
            "Name > 'a'",
            "Name = a",
            "A = 'x' B = 'y'",
            "A = 'x' OR B = 'y'",
        ] {
            let error = parse_where(bad).expect_err(bad);
            assert!(
                format!("{error:?}").contains("Error parsing query"),
                "{bad}"
            );
        }
    }

    #[test]
    fn orders_by_a_field_either_way() {
        let mut objects = vec![object(json!({"Name": "b"})), object(json!({"Name": "a"}))];

        parse_order("Name desc").expect("valid").sort(&mut objects);

        assert_eq!(objects[0]["Name"], "b");
        assert!(parse_order("Name sideways").is_err());
    }
}
