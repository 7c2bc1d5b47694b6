//! The `log` capability: a plugin's messages become host log lines prefixed with its name.
//! `wit` is its host side, written once for every contract (see `sql::wit` for how).

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

pub mod wit {
    use super::Level;
    use wasmtime::component::{HasData, Linker};

    wasmtime::component::bindgen!({
        path: "../../wit/log/v0.1.0",
        world: "capability",
        imports: { default: async | trappable },
    });

    pub use self::omrun::log::log;

    /// The interface's name in its own package.
    pub const INTERFACE: &str = "omrun:log/log@0.1.0";

    /// What one instance's `log` calls reach: the plugin's name, which prefixes its lines.
    pub struct LogCtx<'a> {
        pub plugin: &'a str,
    }

    /// A Store's data that can grant `log`.
    pub trait LogView: Send {
        fn log(&mut self) -> LogCtx<'_>;
    }

    struct HasLog;

    impl HasData for HasLog {
        type Data<'a> = LogCtx<'a>;
    }

    /// Adds `log` to `linker` under the interface name `name`.
    pub fn add_to_linker<T: LogView + 'static>(
        linker: &mut Linker<T>,
        name: &str,
    ) -> wasmtime::Result<()> {
        fn ctx<T: LogView>(data: &mut T) -> LogCtx<'_> {
            data.log()
        }
        log::add_to_linker_instance::<T, HasLog>(&mut linker.instance(name)?, ctx::<T>)
    }

    impl log::Host for LogCtx<'_> {
        async fn log(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
            let level = match level {
                log::Level::Trace => Level::Trace,
                log::Level::Debug => Level::Debug,
                log::Level::Info => Level::Info,
                log::Level::Warn => Level::Warn,
                log::Level::Error => Level::Error,
            };
            super::log(self.plugin, level, &message);
            Ok(())
        }
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
