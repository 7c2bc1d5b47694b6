//! OpenMetadata's `ColumnTypeParser._parse_datatype_string` (openmetadata-ingestion 2.0.7.0,
//! `column_type_parser.py`), ported: a Hive/Spark-style type string (`decimal(10,2)`,
//! `array<string>`, `map<string,int>`, `struct<a:int,b:array<struct<c:string>>>`) to the column
//! fields OpenMetadata's connectors make of it, a struct's fields as `children` at any depth.
//! Its Unity Catalog, Databricks, Hive, Glue, Athena and Trino connectors all type complex columns
//! with it, so a connector that must write what theirs write parses as it does, quirks included:
//!
//! - the whole string is lower-cased and its spaces removed first, field names with it (`City` →
//!   `city`, `` `a b` `` → `ab`);
//! - a struct's `children` are its fields; an array's are its elements' fields when the elements
//!   are structs (`array<struct<…>>`); an array of arrays of structs, and a map whatever its values,
//!   have none;
//! - a field name may be in backquotes (dropped) and may hold a `:` (the last `:` outside brackets
//!   ends it); backquotes do not protect a `,` or a bracket;
//! - anything else is a primitive: a spelling OpenMetadata's table knows is shown as written; a
//!   decimal keeps its precision and scale; the rest is typed by its family (the spelling before
//!   any `(` or `<`, `UNKNOWN` when the table lacks it), shown as that type's name, with the number
//!   in its last `(…)` as `dataLength` (1 when there is none);
//! - where OpenMetadata's parser raises (brackets that close what was not opened, a field without
//!   a type, a map without exactly two types, a struct or array without its closing `>`) or returns
//!   no column (a union, anywhere), [`parse`] says [`Unparsable`]: OpenMetadata's connectors drop
//!   such a column.
//!
//! Checked against OpenMetadata's own parser: `type_parser/openmetadata.jsonl` holds what
//! tests/support/om_type_parser.py printed for 80 type strings, and the tests parse each.

mod columns;
mod source_types;
#[cfg(test)]
mod tests;

use std::fmt;

use omrun_sdk::types::DataType;

use source_types::source_type;

/// OpenMetadata's column fields for a type string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedType {
    /// `dataType`.
    pub data_type: DataType,
    /// `dataTypeDisplay`: the (lower-cased, space-less) spelling, or for a primitive typed by its
    /// family, the type's name (`varchar(20)` → `VARCHAR`).
    pub display: String,
    /// `arrayDataType`, for an array.
    pub array_data_type: Option<DataType>,
    /// `dataLength`: only for a primitive typed by its family (1 when its spelling has no `(n)`).
    pub data_length: Option<u32>,
    /// `precision` of a `decimal(p…)`/`numeric(p…)`.
    pub precision: Option<u32>,
    /// `scale` of a `decimal(p,s)`/`numeric(p,s)`.
    pub scale: Option<u32>,
    /// `children`: `Some` exactly where OpenMetadata's parser gives them (a struct, an array of
    /// structs), possibly empty (`struct<>`).
    pub children: Option<Vec<Field>>,
}

/// A field of a struct: a child column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field's name, as OpenMetadata's parser leaves it (lower case, no spaces, no backquotes).
    pub name: String,
    /// Its type, children included.
    pub field_type: ParsedType,
}

/// A type string OpenMetadata's parser makes no column of, and why (its own message where it
/// raises one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsable(pub String);

impl fmt::Display for Unparsable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unparsable {}

impl ParsedType {
    /// A type with only its `dataType` and `dataTypeDisplay`.
    pub fn of(data_type: DataType, display: impl Into<String>) -> Self {
        Self {
            data_type,
            display: display.into(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
            children: None,
        }
    }

    /// Its children, none when it has none.
    pub fn fields(&self) -> &[Field] {
        self.children.as_deref().unwrap_or_default()
    }
}

fn unparsable<T>(why: String) -> Result<T, Unparsable> {
    Err(Unparsable(why))
}

/// `_parse_datatype_string`: a type string, any case, to OpenMetadata's column fields.
pub fn parse(type_string: &str) -> Result<ParsedType, Unparsable> {
    let d = py_strip(&type_string.to_lowercase()).replace(' ', "");
    if let Some(rest) = d.strip_prefix("array<") {
        let Some(element) = rest.strip_suffix('>') else {
            return unparsable(format!("expected '>' found: {d}"));
        };
        let element_type = primitive(element).data_type;
        // As OpenMetadata does: the element's fields are read from it less its first 7 and its
        // last character, which is right for `struct<…>` (and `record<…>`), whatever it holds.
        let children = if element_type == DataType::Struct {
            Some(
                struct_fields(&py_slice(element, 7, 1))?
                    .children
                    .unwrap_or_default(),
            )
        } else {
            None
        };
        return Ok(ParsedType {
            array_data_type: Some(element_type),
            children,
            ..ParsedType::of(DataType::Array, d)
        });
    }
    if let Some(rest) = d.strip_prefix("map<") {
        let Some(inner) = rest.strip_suffix('>') else {
            return unparsable(format!("expected '>' found: {d}"));
        };
        if split_outside_brackets(inner, ',', false)?.len() != 2 {
            return unparsable(format!(
                "The map type string format is: 'map<key_type,value_type>', but got: {d}"
            ));
        }
        return Ok(ParsedType::of(DataType::Map, d));
    }
    if d.starts_with("uniontype<") || d.starts_with("union<") {
        // OpenMetadata's parser returns a list of the members' types: no column.
        return unparsable(format!("a union is no column: {d}"));
    }
    if let Some(rest) = d.strip_prefix("struct<") {
        let Some(fields) = rest.strip_suffix('>') else {
            return unparsable(format!("expected '>', found: {d}"));
        };
        return struct_fields(fields);
    }
    if d.contains(':') {
        return struct_fields(&d);
    }
    Ok(primitive(&d))
}

/// `_parse_struct_fields_string`: `a:int,b:string` (what is inside `struct<…>`).
fn struct_fields(s: &str) -> Result<ParsedType, Unparsable> {
    let mut children = Vec::new();
    for part in split_outside_brackets(s, ',', true)? {
        let name_and_type = split_outside_brackets(&part, ':', false)?;
        let Some((field_type, name)) = name_and_type.split_last().filter(|(_, n)| !n.is_empty())
        else {
            return unparsable(format!(
                "expected format is: 'field_name:field_type', but got: {part}"
            ));
        };
        let mut name = py_strip(&name.join(":")).to_owned();
        if name.starts_with('`') {
            if !name.ends_with('`') {
                return unparsable(format!("'`' should be the last char, but got: {s}"));
            }
            name = py_slice(&name, 1, 1);
        }
        children.push(Field {
            name,
            field_type: parse(field_type)?,
        });
    }
    let shown = if s.is_empty() { "unknown" } else { s };
    Ok(ParsedType {
        children: Some(children),
        ..ParsedType::of(DataType::Struct, format!("struct<{shown}>"))
    })
}

/// `_ignore_brackets_split`: `s` split at `separator` where no bracket (`(`, `[`, `{`, `<`) is
/// open. A closing bracket with none open is an error, and so is an empty last part unless
/// `empty_last` allows it (then it is left out).
fn split_outside_brackets(
    s: &str,
    separator: char,
    empty_last: bool,
) -> Result<Vec<String>, Unparsable> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut open = 0usize;
    for c in s.chars() {
        if matches!(c, '(' | '[' | '{' | '<') {
            open += 1;
        } else if matches!(c, ')' | ']' | '}' | '>') {
            let Some(still) = open.checked_sub(1) else {
                return unparsable(format!("Brackets are not correctly paired: {s}"));
            };
            open = still;
        } else if c == separator && open == 0 {
            parts.push(std::mem::take(&mut part));
            continue;
        }
        part.push(c);
    }
    if part.is_empty() && !empty_last {
        return unparsable(format!("The {separator} cannot be the last char: {s}"));
    }
    if !part.is_empty() {
        parts.push(part);
    }
    Ok(parts)
}

/// `_parse_primitive_datatype_string` (`d`: lower case, no spaces).
fn primitive(d: &str) -> ParsedType {
    if let Some((data_type, _)) = source_type(&d.to_uppercase()) {
        return ParsedType::of(data_type, d);
    }
    if let Some((matched, precision, scale)) = fixed_decimal(d) {
        return ParsedType {
            precision,
            scale,
            ..ParsedType::of(family(matched).0, d)
        };
    }
    let (data_type, name) = family(d);
    ParsedType {
        data_length: Some(data_length(d)),
        ..ParsedType::of(data_type, name)
    }
}

/// `ColumnTypeParser.get_column_type` of a spelling: the type OpenMetadata's table gives the
/// spelling itself, else its family (before any `(`, then any `<`, upper-cased), else `UNKNOWN`;
/// with that type's name.
pub fn family(spelling: &str) -> (DataType, &'static str) {
    let family = spelling.split('(').next().unwrap_or_default();
    let family = family.split('<').next().unwrap_or_default();
    source_type(spelling)
        .or_else(|| source_type(&family.to_uppercase()))
        .unwrap_or((DataType::Unknown, "UNKNOWN"))
}

/// `(decimal|numeric)(\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?` matched at the start of `d`: the
/// matched text, the precision and the scale.
fn fixed_decimal(d: &str) -> Option<(&str, Option<u32>, Option<u32>)> {
    let family = ["decimal", "numeric"]
        .into_iter()
        .find(|f| d.starts_with(f))?;
    let after = &d[family.len()..];
    Some(match decimal_arguments(after) {
        Some((length, precision, scale)) => (&d[..family.len() + length], precision, scale),
        None => (family, None, None),
    })
}

/// `\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)` at the start of `s`: its length in bytes and its numbers.
fn decimal_arguments(s: &str) -> Option<(usize, Option<u32>, Option<u32>)> {
    let mut at = s.strip_prefix('(').map(|_| 1)?;
    let skip_spaces = |at: &mut usize| {
        while let Some(c) = s[*at..].chars().next().filter(|c| c.is_whitespace()) {
            *at += c.len_utf8();
        }
    };
    let number = |at: &mut usize| -> Option<Option<u32>> {
        let digits = s[*at..].bytes().take_while(u8::is_ascii_digit).count();
        let n = (digits > 0).then(|| s[*at..*at + digits].parse().ok())?;
        *at += digits;
        Some(n)
    };
    skip_spaces(&mut at);
    let precision = number(&mut at)?;
    skip_spaces(&mut at);
    let mut scale = None;
    if s[at..].starts_with(',') {
        at += 1;
        skip_spaces(&mut at);
        scale = number(&mut at)?;
        skip_spaces(&mut at);
    }
    s[at..]
        .starts_with(')')
        .then_some((at + 1, precision, scale))
}

/// `re.match(r".*\(([\w]*)\)", d)`'s group as a number, else 1: the word in the last `(…)` of the
/// first line that holds only word characters (`.` stops at a newline).
fn data_length(d: &str) -> u32 {
    let line = d.split('\n').next().unwrap_or_default();
    for (open, _) in line
        .match_indices('(')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        let rest = &line[open + 1..];
        let word = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if rest[word..].starts_with(')') {
            return rest[..word].parse().unwrap_or(1);
        }
    }
    1
}

/// Python's `str.strip()`: whitespace as `str.isspace` has it (which counts the separators
/// U+001C to U+001F too).
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Python's `s[start:-from_end]`, in characters.
fn py_slice(s: &str, start: usize, from_end: usize) -> String {
    let count = s.chars().count();
    let end = count.saturating_sub(from_end);
    s.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}
