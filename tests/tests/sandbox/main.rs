//! The sandbox and the plugin kit: finding and loading plugins, hostile plugins contained, HTTP
//! only to granted hosts, and the kit a third party builds with.

mod discovery_pages;
mod hostile;
mod http_capability;
mod plugin_kit;
mod plugins;
mod registry;
