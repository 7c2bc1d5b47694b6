//! The OpenMetadata stand-in as a process, for benchmarks (scripts/bench.sh):
//!
//!     om-standin --token TOKEN [--latency-ms 5] [--log]
//!
//! prints its `hostPort` on one line, serves until its standard input closes, then prints how many
//! calls it answered (with `--log`, every call first: method, path and query, status, and
//! `UNEXPECTED` for a call it does not implement). It validates every request like the tests'
//! stand-in does (it is the same one).

use omrun_tests::openmetadata::StandIn;
use std::io::{Read, Write};
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut token, mut latency_ms, mut log) = (None, 0u64, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--token" => token = args.next(),
            "--latency-ms" => {
                latency_ms = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--latency-ms N")
            }
            "--log" => log = true,
            other => {
                panic!(
                    "unknown argument {other}; usage: om-standin --token TOKEN [--latency-ms N] [--log]"
                )
            }
        }
    }
    let om = StandIn::start(&token.expect("--token TOKEN is required"));
    om.set_latency(Duration::from_millis(latency_ms));
    println!("{}", om.host_port());
    std::io::stdout().flush().expect("stdout");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    if log {
        for r in om.requests() {
            let query = r.query.map(|q| format!("?{q}")).unwrap_or_default();
            let flag = if r.routed { "" } else { " UNEXPECTED" };
            eprintln!("{} {}{query} -> {}{flag}", r.method, r.path, r.status);
            if !r.body.is_empty() {
                let cut: String = r.body.chars().take(600).collect();
                eprintln!("    {cut}");
            }
        }
    }
    let unexpected = om.unexpected_requests().len();
    eprintln!(
        "om-standin: answered {} calls ({unexpected} unexpected)",
        om.requests().len()
    );
}
