//! Faults a test scripts into the stand-in: whole requests answered with 429, 500 or late, and
//! single items of bulk calls failing.

use std::time::Duration;

/// What a scripted request fault does instead of (or before) answering normally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: <secs>`; the request is not processed.
    TooManyRequests { retry_after_secs: u64 },
    /// 500 in OpenMetadata's error shape; the request is not processed.
    ServerError,
    /// Sleep this long, then process and answer normally: a client with a shorter timeout gives
    /// up, yet the write happens, as on a slow real server.
    Stall(Duration),
}

/// How many times an item fault fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempts {
    /// The first N times a matching item is seen; then the item is processed normally.
    First(usize),
    Always,
}

struct RequestFault {
    method: String,
    path_prefix: String,
    left: usize,
    fault: Fault,
}

struct ItemFault {
    name: String,
    status: u16,
    left: Attempts,
}

#[derive(Default)]
pub struct Faults {
    pub latency: Duration,
    requests: Vec<RequestFault>,
    items: Vec<ItemFault>,
}

impl Faults {
    pub fn add_request_fault(&mut self, method: &str, path_prefix: &str, times: usize, f: Fault) {
        self.requests.push(RequestFault {
            method: method.to_ascii_uppercase(),
            path_prefix: path_prefix.to_string(),
            left: times,
            fault: f,
        });
    }

    pub fn add_item_fault(&mut self, name: &str, status: u16, attempts: Attempts) {
        self.items.push(ItemFault {
            name: name.to_string(),
            status,
            left: attempts,
        });
    }

    pub fn clear(&mut self) {
        *self = Faults::default();
    }

    /// The fault for this request, if one is scripted: the first still-armed one, in the order
    /// they were added, is used up by one.
    pub fn take_request_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let f = self
            .requests
            .iter_mut()
            .find(|f| f.left > 0 && f.method == method && path.starts_with(&f.path_prefix))?;
        f.left -= 1;
        Some(f.fault)
    }

    /// The status a bulk item named `name` fails with, if one is scripted (used up by one).
    pub fn take_item_fault(&mut self, name: &str) -> Option<u16> {
        let f = self
            .items
            .iter_mut()
            .find(|f| f.name == name && f.left != Attempts::First(0))?;
        if let Attempts::First(n) = &mut f.left {
            *n -= 1;
        }
        Some(f.status)
    }
}
