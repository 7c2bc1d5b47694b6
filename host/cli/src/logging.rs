//! Log lines on stderr, written around the progress bar: `2026-12-03T10:05:28.123Z [INFO] message`
//! (UTC, sortable, the level in the brackets OpenMetadata's ingestion prints), or with
//! `--log-format json` one JSON object per line — `time`, `level`, `message`, `fields` (the
//! event's other fields), `target` — for a log shipper.
//!
//! The level: `OMRUN_LOG` (an env-filter, e.g. `debug` or `omrun_pipeline=trace`) wins; then the
//! command line (`--log-level`, `-v`/`-q`); then the config's `workflowConfig.loggerLevel`.

use omrun_config::LoggerLevel;
use serde_json::{Map, Value};
use std::fmt;
use std::io::Write;
use std::sync::OnceLock;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `TIME [LEVEL] message`, for people.
    #[default]
    Text,
    /// One JSON object per line, for machines.
    Json,
}

/// What the command line says about logging; the config's level applies where it says nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub level: Option<Level>,
    pub format: Format,
}

static OVERRIDES: OnceLock<Overrides> = OnceLock::new();

/// Records the command line's choices, before any command starts logging.
pub fn set_overrides(overrides: Overrides) {
    let _ = OVERRIDES.set(overrides);
}

/// The level `-v`/`-q` counts or `--log-level` give: each `-v` one level more verbose than INFO,
/// each `-q` one less; `--log-level` wins.
pub fn level_from(flag: Option<LoggerLevel>, verbose: u8, quiet: u8) -> Option<Level> {
    if let Some(level) = flag {
        return Some(tracing_level(level));
    }
    match (verbose, quiet) {
        (0, 0) => None,
        (v, q) if v >= q => Some(if v - q >= 2 {
            Level::TRACE
        } else if v - q == 1 {
            Level::DEBUG
        } else {
            Level::INFO
        }),
        (v, q) => Some(if q - v >= 2 {
            Level::ERROR
        } else {
            Level::WARN
        }),
    }
}

fn tracing_level(level: LoggerLevel) -> Level {
    match level {
        LoggerLevel::Debug => Level::DEBUG,
        LoggerLevel::Info => Level::INFO,
        LoggerLevel::Warn => Level::WARN,
        LoggerLevel::Error => Level::ERROR,
    }
}

/// Installs the subscriber at the config's `level`, unless the command line or `OMRUN_LOG` say
/// otherwise.
pub fn init(level: LoggerLevel) {
    let overrides = OVERRIDES.get().copied().unwrap_or_default();
    let level = overrides.level.unwrap_or(tracing_level(level));
    let default = level.as_str().to_ascii_lowercase();
    // Dependencies' own logs are noise at the user's level; they remain reachable through
    // OMRUN_LOG. The targets of omrun's crates (omrun, omrun_config, omrun_pipeline, …) all start
    // with `omrun`, which an env-filter directive matches as a prefix.
    let filter = EnvFilter::try_from_env("OMRUN_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("warn,omrun={default}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(Lines(overrides.format))
        .with_writer(Stderr)
        .try_init();
}

struct Lines(Format);

impl<S, N> FormatEvent<S, N> for Lines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        match self.0 {
            Format::Text => {
                SystemTime.format_time(&mut writer)?;
                write!(writer, " [{}] ", event.metadata().level())?;
                ctx.field_format().format_fields(writer.by_ref(), event)?;
                writeln!(writer)
            }
            Format::Json => {
                let mut time = String::new();
                SystemTime.format_time(&mut Writer::new(&mut time))?;
                let mut fields = JsonFields::default();
                event.record(&mut fields);
                let line = serde_json::json!({
                    "time": time,
                    "level": event.metadata().level().as_str(),
                    "message": fields.message,
                    "fields": fields.others,
                    "target": event.metadata().target(),
                });
                writeln!(writer, "{line}")
            }
        }
    }
}

/// An event's fields as JSON: the message apart, the rest by name.
#[derive(Default)]
struct JsonFields {
    message: String,
    others: Map<String, Value>,
}

impl JsonFields {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
        } else {
            self.others.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for JsonFields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::String(value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
}

/// Stderr, one whole line per write, with the progress bar hidden while it is written.
struct Stderr;

struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let line = std::mem::take(&mut self.0);
        omrun_pipeline::report::with_bar_suspended(|| {
            let _ = std::io::stderr().lock().write_all(&line);
        });
    }
}

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = Line;

    fn make_writer(&'a self) -> Self::Writer {
        Line(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_choose_the_level() {
        assert_eq!(level_from(None, 0, 0), None);
        assert_eq!(level_from(None, 1, 0), Some(Level::DEBUG));
        assert_eq!(level_from(None, 2, 0), Some(Level::TRACE));
        assert_eq!(level_from(None, 0, 1), Some(Level::WARN));
        assert_eq!(level_from(None, 0, 3), Some(Level::ERROR));
        assert_eq!(level_from(None, 1, 1), Some(Level::INFO));
        assert_eq!(
            level_from(Some(LoggerLevel::Error), 2, 0),
            Some(Level::ERROR),
            "--log-level wins"
        );
    }
}
