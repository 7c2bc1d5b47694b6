//! Log lines on stderr as `[INFO] message`, the shape OpenMetadata's ingestion prints, written
//! around the progress bar.

use omrun_config::LoggerLevel;
use std::fmt;
use std::io::Write;
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// Installs the subscriber. `OMRUN_LOG` (an env-filter, e.g. `debug`) overrides the config's level.
pub fn init(level: LoggerLevel) {
    let default = match level {
        LoggerLevel::Debug => "debug",
        LoggerLevel::Info => "info",
        LoggerLevel::Warn => "warn",
        LoggerLevel::Error => "error",
    };
    // Dependencies' own logs are noise at the user's level; they remain reachable through OMRUN_LOG.
    // A target matches by prefix, so `omrun` covers every crate of the host (`omrun_runtime::…`,
    // `omrun_pipeline::…`) as well as this one.
    let filter = EnvFilter::try_from_env("OMRUN_LOG")
        .unwrap_or_else(|_| EnvFilter::new(format!("warn,omrun={default}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(BracketedLevel)
        .with_writer(Stderr)
        .try_init();
}

struct BracketedLevel;

impl<S, N> FormatEvent<S, N> for BracketedLevel
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
        write!(writer, "[{}] ", event.metadata().level())?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
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
