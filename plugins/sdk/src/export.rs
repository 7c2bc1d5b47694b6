//! Registration: the worlds' exported interfaces are implemented by free functions, so the macros
//! below keep the opened connector in a per-instance static and forward each export to it.

/// Registers a [`DiscoverableSource`](crate::DiscoverableSource) as the plugin's export
/// (world `discoverable-source`). Invoke it once, in the plugin crate:
///
/// ```text
/// omrun_sdk::export_discoverable_source!(MyConnector);
/// ```
///
/// `discover-page` and `process` before a successful `open` return an error rather than trap. The
/// exports exist only when building for WebAssembly, so the plugin crate's native unit tests link.
#[macro_export]
macro_rules! export_discoverable_source {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            ::std::thread_local! {
                static INSTANCE: $crate::__private::Slot<$ty> =
                    const { $crate::__private::Slot::<$ty>::new(::core::option::Option::None) };
            }

            $crate::__omrun_contract_stamp!();

            struct Export;

            impl $crate::bindings::discoverable::exports::omrun::connector::discovery::Guest
                for Export
            {
                fn info() -> $crate::types::PluginInfo {
                    <$ty as $crate::DiscoverableSource>::info()
                }

                fn open(
                    config: $crate::types::SourceConfig,
                ) -> ::core::result::Result<(), ::std::string::String> {
                    $crate::__private::open(&INSTANCE, || {
                        <$ty as $crate::DiscoverableSource>::open(config)
                    })
                }

                fn discover_page(
                    cursor: ::core::option::Option<::std::string::String>,
                ) -> ::core::result::Result<$crate::types::Page, ::std::string::String> {
                    $crate::__private::with(&INSTANCE, |c| {
                        $crate::__private::discover_page(c, cursor.as_deref())
                    })?
                }

                fn process(
                    batch: ::std::vec::Vec<$crate::types::EntityRef>,
                ) -> ::std::vec::Vec<
                    ::core::result::Result<
                        ::std::vec::Vec<$crate::types::Entity>,
                        ::std::string::String,
                    >,
                > {
                    $crate::__private::process(&INSTANCE, batch)
                }
            }

            $crate::bindings::discoverable::export_discoverable_source_world!(Export);
        };
    };
}

/// Registers a [`Source`](crate::Source) as the plugin's export (world `source`). Invoke it once,
/// in the plugin crate:
///
/// ```text
/// omrun_sdk::export_source!(MyConnector);
/// ```
///
/// `next-batch` before a successful `open` returns an error rather than trap. The exports exist
/// only when building for WebAssembly, so the plugin crate's native unit tests link.
#[macro_export]
macro_rules! export_source {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            ::std::thread_local! {
                static INSTANCE: $crate::__private::Slot<$ty> =
                    const { $crate::__private::Slot::<$ty>::new(::core::option::Option::None) };
            }

            $crate::__omrun_contract_stamp!();

            struct Export;

            impl $crate::bindings::source::exports::omrun::connector::streaming::Guest for Export {
                fn info() -> $crate::types::PluginInfo {
                    <$ty as $crate::Source>::info()
                }

                fn open(
                    config: $crate::types::SourceConfig,
                ) -> ::core::result::Result<(), ::std::string::String> {
                    $crate::__private::open(&INSTANCE, || <$ty as $crate::Source>::open(config))
                }

                fn next_batch() -> ::core::result::Result<
                    ::core::option::Option<::std::vec::Vec<$crate::types::Entity>>,
                    ::std::string::String,
                > {
                    $crate::__private::with(&INSTANCE, <$ty as $crate::Source>::next_batch)?
                }
            }

            $crate::bindings::source::export_source_world!(Export);
        };
    };
}

/// How many refs a page of a listed discovery holds (see
/// [`DiscoverableSource::discover_page`](crate::DiscoverableSource::discover_page)): about a
/// megabyte of names on each side of the boundary.
pub const DISCOVERY_PAGE: usize = 10_000;

/// A connector's `discover` list, handed over a page at a time. The cursor is how many refs
/// were handed over before: a fresh instance asked to resume lists again and skips them.
mod listed {
    use super::DISCOVERY_PAGE;
    use crate::DiscoverableSource;
    use crate::types::{EntityRef, Page};
    use std::cell::RefCell;

    /// The rest of the list, and how many refs went before it.
    struct Listed {
        rest: std::vec::IntoIter<EntityRef>,
        at: usize,
    }

    std::thread_local! {
        // One instance, one thread, one connector: the list of the discovery under way.
        static LISTED: RefCell<Option<Listed>> = const { RefCell::new(None) };
    }

    pub fn page<T: DiscoverableSource>(
        connector: &mut T,
        cursor: Option<&str>,
    ) -> Result<Page, String> {
        let from = match cursor {
            None => 0,
            Some(text) => text
                .parse()
                .map_err(|_| format!("discovery cursor {text:?} is not one this plugin gave"))?,
        };
        LISTED.with(|listed| {
            let mut listed = listed.borrow_mut();
            if from == 0 || listed.as_ref().map(|l| l.at) != Some(from) {
                let mut rest = connector.discover()?.into_iter();
                if from > 0 {
                    rest.nth(from - 1);
                }
                *listed = Some(Listed { rest, at: from });
            }
            let list = listed.as_mut().expect("listed just above");
            let refs: Vec<EntityRef> = list.rest.by_ref().take(DISCOVERY_PAGE).collect();
            list.at += refs.len();
            let next = (list.rest.len() > 0).then(|| list.at.to_string());
            if next.is_none() {
                // The last page: the list is given back now, not at the next discovery.
                *listed = None;
            }
            Ok(Page { refs, next })
        })
    }
}

/// What the export macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    use std::cell::RefCell;
    use std::thread::LocalKey;

    use crate::DiscoverableSource;
    use crate::types::{Entity, EntityRef, Page};

    pub use wit_bindgen;

    /// Where the opened connector lives. WebAssembly instances are single-threaded, so a
    /// thread-local is the instance's one and only copy.
    pub type Slot<T> = RefCell<Option<T>>;

    const NOT_OPEN: &str = "the plugin is not open: `open` was not called or it failed";

    /// Replaces the connector with a newly opened one.
    pub fn open<T>(
        slot: &'static LocalKey<Slot<T>>,
        open: impl FnOnce() -> Result<T, String>,
    ) -> Result<(), String> {
        crate::log::init();
        // Drop the previous connector first, so its connections close before new ones open.
        slot.with(|s| drop(s.borrow_mut().take()));
        let connector = open()?;
        slot.with(|s| *s.borrow_mut() = Some(connector));
        Ok(())
    }

    /// Runs `f` on the opened connector.
    pub fn with<T, R>(
        slot: &'static LocalKey<Slot<T>>,
        f: impl FnOnce(&mut T) -> R,
    ) -> Result<R, String> {
        slot.with(|s| {
            s.borrow_mut()
                .as_mut()
                .map(f)
                .ok_or_else(|| NOT_OPEN.to_owned())
        })
    }

    /// The page `cursor` names: the connector's own, or else a page of its `discover` list.
    pub fn discover_page<T: DiscoverableSource>(
        connector: &mut T,
        cursor: Option<&str>,
    ) -> Result<Page, String> {
        match connector.discover_page(cursor) {
            Some(page) => page,
            None => super::listed::page(connector, cursor),
        }
    }

    /// `process`, holding the connector to the contract: exactly one result per ref.
    pub fn process<T: DiscoverableSource>(
        slot: &'static LocalKey<Slot<T>>,
        batch: Vec<EntityRef>,
    ) -> Vec<Result<Vec<Entity>, String>> {
        let refs = batch.len();
        match with(slot, |c| c.process(batch)) {
            Ok(results) if results.len() == refs => results,
            Ok(results) => {
                let e = format!(
                    "the plugin returned {} results for {refs} refs",
                    results.len()
                );
                vec![Err(e); refs]
            }
            Err(e) => vec![Err(e); refs],
        }
    }
}
