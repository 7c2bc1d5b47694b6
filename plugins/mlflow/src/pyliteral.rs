//! Python literals (what `repr` writes and `ast.literal_eval` reads) as JSON values: the form
//! runs written by older MLflow clients keep a signature in (`[{'name': 'x', 'type':
//! 'double'}]`), which OpenMetadata reads with `ast.literal_eval` when the text is not JSON.
//! Only what such a repr holds: dicts, lists, tuples, strings, numbers, `True`, `False`, `None`.

use serde_json::{Map, Number, Value};

/// The value `text` spells, or why it is not one.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    let value = p.value()?;
    p.blank();
    if p.at < p.chars.len() {
        return Err(format!("unexpected `{}` after the value", p.chars[p.at]));
    }
    Ok(value)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn blank(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.blank();
        match self.peek() {
            Some('[') => self.sequence(']').map(Value::Array),
            Some('(') => self.sequence(')').map(Value::Array),
            Some('{') => self.dict(),
            Some(q @ ('\'' | '"')) => self.string(q).map(Value::String),
            Some(c) if c == '-' || c == '+' || c == '.' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_alphabetic() => {
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.at += 1;
                }
                let word: String = self.chars[start..self.at].iter().collect();
                match word.as_str() {
                    "True" => Ok(Value::Bool(true)),
                    "False" => Ok(Value::Bool(false)),
                    "None" => Ok(Value::Null),
                    other => Err(format!("`{other}` is not a Python literal")),
                }
            }
            Some(c) => Err(format!("unexpected `{c}`")),
            None => Err("the text ends before a value".into()),
        }
    }

    /// Items up to `close`, a trailing comma allowed.
    fn sequence(&mut self, close: char) -> Result<Vec<Value>, String> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.blank();
            if self.peek() == Some(close) {
                self.at += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            self.blank();
            match self.peek() {
                Some(',') => self.at += 1,
                Some(c) if c == close => {}
                _ => return Err(format!("expected `,` or `{close}`")),
            }
        }
    }

    fn dict(&mut self) -> Result<Value, String> {
        self.at += 1;
        let mut map = Map::new();
        loop {
            self.blank();
            if self.peek() == Some('}') {
                self.at += 1;
                return Ok(Value::Object(map));
            }
            let key = match self.value()? {
                Value::String(s) => s,
                other => other.to_string(),
            };
            self.blank();
            if self.peek() != Some(':') {
                return Err("expected `:` after a key".into());
            }
            self.at += 1;
            let value = self.value()?;
            map.insert(key, value);
            self.blank();
            match self.peek() {
                Some(',') => self.at += 1,
                Some('}') => {}
                _ => return Err("expected `,` or `}`".into()),
            }
        }
    }

    fn string(&mut self, quote: char) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let c = self.peek().ok_or("a string is not closed")?;
            self.at += 1;
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let e = self.peek().ok_or("a string is not closed")?;
                    self.at += 1;
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        '0' => out.push('\0'),
                        'x' => out.push(self.code_point(2)?),
                        'u' => out.push(self.code_point(4)?),
                        'U' => out.push(self.code_point(8)?),
                        '\n' => {}
                        // `\\`, `\'`, `\"`; Python keeps an unknown escape's backslash.
                        '\\' | '\'' | '"' => out.push(e),
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn code_point(&mut self, digits: usize) -> Result<char, String> {
        let hex: String = self
            .chars
            .get(self.at..self.at + digits)
            .ok_or("a string escape is cut off")?
            .iter()
            .collect();
        self.at += digits;
        u32::from_str_radix(&hex, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("`{hex}` is no character"))
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "+-._".contains(c))
        {
            self.at += 1;
        }
        let text: String = self.chars[start..self.at]
            .iter()
            .filter(|c| **c != '_')
            .collect();
        if let Ok(int) = text.parse::<i64>() {
            return Ok(Value::Number(int.into()));
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("`{text}` is not a number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_signature_repr() {
        let v = parse(
            "[{'name': 'city', 'type': 'string', 'required': True}, \
             {'type': \"double\", 'name': 'it\\'s', 'optional': None}, ({'x': -1.5e3},), ]",
        )
        .unwrap();
        assert_eq!(
            v,
            json!([
                {"name": "city", "type": "string", "required": true},
                {"type": "double", "name": "it's", "optional": null},
                [{"x": -1500.0}]
            ])
        );
        assert_eq!(
            parse("{1: 'a\\x41\\u00e9\\q'}").unwrap(),
            json!({"1": "aAé\\q"})
        );
    }

    #[test]
    fn not_a_literal() {
        for bad in ["", "[1, 2", "{'a' 1}", "os.system('x')", "[1] 2", "'open"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
