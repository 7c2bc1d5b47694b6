//! The Looker API stand-in as a process, for benchmarks (scripts/bench-looker.sh):
//!
//!     LOOKER_CLIENT_SECRET=… looker-standin --client-id ID [--dashboards 2000] [--models 20]
//!         [--latency-ms 200] [--rate-limit CALLS/SECONDS] [--token-ttl-secs 3600]
//!
//! The secret comes from the environment, never the command line (which `ps` shows). Prints its
//! `hostPort` on one line, serves until its standard input closes, then prints what it answered.

use omrun_tests::looker::{LookerStandIn, Settings};
use std::io::{Read, Write};
use std::time::Duration;

fn main() {
    let usage = "usage: looker-standin --client-id ID [--dashboards N] [--models N] \
                 [--latency-ms N] [--rate-limit CALLS/SECONDS] [--token-ttl-secs N] \
                 (secret in $LOOKER_CLIENT_SECRET)";
    let secret = std::env::var("LOOKER_CLIENT_SECRET").expect(usage);
    let mut settings = Settings::new(2000, 20, "", &secret);
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>| -> u64 { v.and_then(|v| v.parse().ok()).expect(usage) };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--client-id" => settings.client_id = args.next().expect(usage),
            "--dashboards" => settings.dashboards = number(args.next()) as usize,
            "--models" => settings.models = number(args.next()) as usize,
            "--latency-ms" => settings.latency = Duration::from_millis(number(args.next())),
            "--token-ttl-secs" => settings.token_ttl = Duration::from_secs(number(args.next())),
            "--rate-limit" => {
                let v = args.next().expect(usage);
                let (calls, secs) = v.split_once('/').expect(usage);
                settings.rate_limit = Some((
                    calls.parse().expect(usage),
                    Duration::from_secs(secs.parse().expect(usage)),
                ));
            }
            other => panic!("unknown argument {other}; {usage}"),
        }
    }
    assert!(!settings.client_id.is_empty(), "{usage}");
    let looker = LookerStandIn::start(settings);
    println!("{}", looker.host_port());
    std::io::stdout().flush().expect("stdout");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    let requests = looker.requests();
    let count = |status: u16| requests.iter().filter(|r| r.status == status).count();
    eprintln!(
        "looker-standin: answered {} calls ({} logins, {} 401, {} 429, {} unexpected)",
        requests.len(),
        requests
            .iter()
            .filter(|r| r.path == "/api/4.0/login")
            .count(),
        count(401),
        count(429),
        looker.unexpected_requests().len()
    );
}
