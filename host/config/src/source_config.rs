//! The filter patterns of `source.sourceConfig.config` (`tableFilterPattern`, …) must compile as
//! the plugins compile them — Python-style regular expressions, look-arounds and backreferences
//! included (fancy-regex) — or the run stops at once with the pattern's line and key, rather than
//! failing discovery attempt after attempt. The schema check has made sure of their shape.

use super::diagnostics::{ConfigError, Found};
use super::located::{Located, Node};
use std::path::PathBuf;

/// Every `*FilterPattern`'s `includes` and `excludes` must compile. `text` is the config as
/// written: a pattern is quoted from it, so a `${VAR}` in one shows as such, never as its value.
pub(super) fn check_patterns(section: &Located, text: &str) -> Result<(), ConfigError> {
    let Node::Map(keys) = &section.value else {
        return Ok(());
    };
    for (name, filter) in keys.iter().filter(|(k, _)| k.ends_with("FilterPattern")) {
        let Node::Map(lists) = &filter.value else {
            continue;
        };
        for (list, patterns) in lists
            .iter()
            .filter(|(k, _)| k == "includes" || k == "excludes")
        {
            let Node::Seq(patterns) = &patterns.value else {
                continue;
            };
            for (i, pattern) in patterns.iter().enumerate() {
                let Node::Str(value) = &pattern.value else {
                    continue;
                };
                if let Err(reason) = compile(value) {
                    let at = pattern.referenced;
                    let written = match Found::at(text, at.line(), at.column(), None) {
                        found @ Found::Scalar(_) => found.to_string(),
                        _ => "the pattern".to_owned(),
                    };
                    return Err(ConfigError {
                        path: PathBuf::new(),
                        line: Some(at.line()),
                        column: Some(at.column()),
                        key: Some(format!("source.sourceConfig.config.{name}.{list}[{i}]")),
                        message: format!("{written} is not a valid regular expression: {reason}"),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Compiles a pattern as the plugins do (Python's `re.match`, ignoring case). The `regex` crate's
/// parser goes first: it is the stricter (`a{2,1}` is an error, as in Python) and its messages are
/// the clearer; fancy-regex has the last word on what `regex` does not know (look-arounds,
/// backreferences, atomic groups, `(?P=name)`, `\Z`).
fn compile(pattern: &str) -> Result<(), String> {
    let anchored = format!("(?i)^(?:{pattern})");
    match regex::Regex::new(&anchored) {
        Ok(_) => Ok(()),
        Err(e)
            if ["not supported", "unrecognized"]
                .iter()
                .any(|w| e.to_string().contains(w)) =>
        {
            fancy_regex::Regex::new(&anchored)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(first_line(&e)),
    }
}

fn first_line(e: &regex::Error) -> String {
    if let regex::Error::CompiledTooBig(limit) = e {
        return format!("it compiles to more than the size limit of {limit} bytes");
    }
    let text = e.to_string();
    text.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("invalid syntax")
        .trim_start_matches("error: ")
        .to_owned()
}
