//! The `log` capability: a plugin's messages become host log lines prefixed with its name.

/// Longer messages are cut: a plugin must not be able to flood the host's log with one call.
const MAX_MESSAGE_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

pub fn log(plugin: &str, level: Level, message: &str) {
    let message = truncate(message, MAX_MESSAGE_BYTES);
    match level {
        Level::Trace => tracing::trace!("{plugin}: {message}"),
        Level::Debug => tracing::debug!("{plugin}: {message}"),
        Level::Info => tracing::info!("{plugin}: {message}"),
        Level::Warn => tracing::warn!("{plugin}: {message}"),
        Level::Error => tracing::error!("{plugin}: {message}"),
    }
}

/// `text` cut to at most `max` bytes on a character boundary, marked when cut.
pub fn truncate(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes cut)", &text[..end], text.len() - end).into()
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncates_on_a_char_boundary() {
        assert_eq!(truncate("héllo", 2), "h… (5 bytes cut)");
        assert_eq!(truncate("short", 10), "short");
    }
}
