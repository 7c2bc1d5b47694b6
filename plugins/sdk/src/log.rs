//! Leveled logging through the host, which prefixes each line with the plugin's name.
//!
//! ```no_run
//! # let (db, tables) = ("shop", vec!["orders", "customers"]);
//! omrun_sdk::log::info!("found {} tables in {db}", tables.len());
//! ```
//!
//! The `log` crate's macros work too, from the connector and from any library it uses: the export
//! macros install a logger ([`init`]) that forwards every record to the host. So do `tracing`'s
//! events when `tracing` is built with its `log` feature and no subscriber is set (the plugin
//! needs none: the host formats and filters).

use crate::bindings::discoverable::omrun::log::log as raw;

/// A log level, from `Trace` (most verbose) to `Error`.
pub use raw::Level;

/// Logs `message` at `level`. The macros ([`info!`] and friends) format and call this.
pub fn log(level: Level, message: &str) {
    raw::log(level, message);
}

/// Forwards `log` records to the host.
struct HostLogger;

impl ::log::Log for HostLogger {
    fn enabled(&self, _: &::log::Metadata) -> bool {
        true
    }

    fn log(&self, record: &::log::Record) {
        let level = match record.level() {
            ::log::Level::Trace => Level::Trace,
            ::log::Level::Debug => Level::Debug,
            ::log::Level::Info => Level::Info,
            ::log::Level::Warn => Level::Warn,
            ::log::Level::Error => Level::Error,
        };
        raw::log(level, &record.args().to_string());
    }

    fn flush(&self) {}
}

/// Routes the `log` facade (and `tracing` with its `log` feature) to the host. The export macros
/// call it before `open`; calling it again does nothing. Trace records are dropped in the guest:
/// each record crosses into the host, and hot loops log at trace.
pub fn init() {
    static LOGGER: HostLogger = HostLogger;
    if ::log::set_logger(&LOGGER).is_ok() {
        ::log::set_max_level(::log::LevelFilter::Debug);
    }
}

/// Logs a `format!`-style message at `Trace` level.
#[doc(inline)]
pub use crate::__omrun_log_trace as trace;

/// Logs a `format!`-style message at `Debug` level.
#[doc(inline)]
pub use crate::__omrun_log_debug as debug;

/// Logs a `format!`-style message at `Info` level.
#[doc(inline)]
pub use crate::__omrun_log_info as info;

/// Logs a `format!`-style message at `Warn` level.
#[doc(inline)]
pub use crate::__omrun_log_warn as warn;

/// Logs a `format!`-style message at `Error` level.
#[doc(inline)]
pub use crate::__omrun_log_error as error;

// `#[macro_export]` puts macros at the crate root; the `pub use`s above give them their
// `omrun_sdk::log::…` paths.

#[doc(hidden)]
#[macro_export]
macro_rules! __omrun_log_trace {
    ($($arg:tt)+) => { $crate::log::log($crate::log::Level::Trace, &::std::format!($($arg)+)) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __omrun_log_debug {
    ($($arg:tt)+) => { $crate::log::log($crate::log::Level::Debug, &::std::format!($($arg)+)) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __omrun_log_info {
    ($($arg:tt)+) => { $crate::log::log($crate::log::Level::Info, &::std::format!($($arg)+)) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __omrun_log_warn {
    ($($arg:tt)+) => { $crate::log::log($crate::log::Level::Warn, &::std::format!($($arg)+)) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __omrun_log_error {
    ($($arg:tt)+) => { $crate::log::log($crate::log::Level::Error, &::std::format!($($arg)+)) };
}
