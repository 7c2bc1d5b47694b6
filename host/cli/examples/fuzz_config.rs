//! A bounded fuzzer for the config loader (not part of CI; see docs/reliability.md):
//!
//!     cargo run -p omrun --example fuzz_config --release -- --seconds 60
//!
//! It mutates valid seed configs (the examples/ folder and a built-in one that uses every
//! section) — byte flips, line deletions and duplications, values swapped for awkward scalars,
//! anchors and aliases, indentation changes, splices, truncations — with a seeded RNG, and feeds
//! each input to `omrun_config::parse_str`. A finding is an input that
//!
//! - panics (caught, with its message),
//! - takes longer than `--slow-ms` (default 1000) to parse, or hangs (a watchdog ends the run),
//! - gets an error that is not one line, or that shows a variable's value (every variable is set
//!   to a canary the messages must never contain: a `${VAR}` may hold a secret).
//!
//! Each finding is saved under `--out` (default `$CARGO_TARGET_DIR/fuzz_config/`, else
//! `target/fuzz_config/`) as the input that caused it; the exit status is 1 when there was any.
//! `--seed N` replays a run (the same seed mutates the same way).

use omrun_config::parse_str;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every variable the seeds use reads as this (plus its name): no message may contain it.
const CANARY: &str = "canary-7d41e9";

/// A config with every section the loader checks, and anchors, for mutations to break.
const BUILT_IN_SEED: &str = "\
source:
  type: postgres
  serviceName: fuzz_svc
  serviceConnection:
    config:
      type: Postgres
      username: ${POSTGRES_USER}
      authType:
        password: ${POSTGRES_PASSWORD}
      hostPort: ${POSTGRES_HOST}:${POSTGRES_PORT:-5432}
      database: postgres
      sslMode: disable
  sourceConfig:
    config:
      type: DatabaseMetadata
      includeViews: true
      includeTables: true
      markDeletedTables: false
      databaseFilterPattern:
        includes: ['^postgres$']
      schemaFilterPattern:
        excludes: &skip ['^pg_', '^information_schema$']
      tableFilterPattern:
        includes: ['.*']
        excludes: *skip
sink:
  type: metadata-rest
  config:
    bulk_sink_batch_size: 100
    concurrency: 4
    timeoutSeconds: 30
workflowConfig:
  loggerLevel: DEBUG
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    verifySSL: no-ssl
    securityConfig:
      jwtToken: ${OM_JWT_TOKEN}
  distributedExecution:
    enabled: true
    orchestrator: argo
    parallelism: 8
    batchSize: 50
    namespace: argo
    resourceRequests: {cpu: 500m, memory: 256Mi}
    timeoutSeconds: 3600
    argoServer:
      url: https://argo.example.com:2746
      pollSeconds: 2.5
    retryPolicy:
      maxAttempts: 3
      backoffSeconds: 1
      backoffFactor: 2
      maxBackoffSeconds: 30
";

/// What a value may be swapped for.
const SCALARS: &[&str] = &[
    "",
    "~",
    "null",
    "0",
    "-1",
    "1.5",
    "99999999999999999999",
    "1e308",
    "-1e308",
    ".nan",
    ".inf",
    "-.inf",
    "0x1F",
    "0o17",
    "yes",
    "off",
    "true",
    "\"\"",
    "''",
    "[]",
    "{}",
    "[a, [b, {c: d}]]",
    "{a: b, c: [d]}",
    "'unterminated",
    "\"unterminated",
    "${FUZZ_UNSET}",
    "${",
    "${}",
    "${POSTGRES_PASSWORD",
    "$POSTGRES_PASSWORD",
    "${POSTGRES_PASSWORD:-x}",
    "$${POSTGRES_PASSWORD}",
    "*undefined",
    "&a",
    "!!binary aGVsbG8=",
    "!!str",
    "!!int x",
    "!!float",
    "!custom tag",
    "\"\\u0000\"",
    "\"\\uD800\"",
    "|",
    ">-",
    "- x",
    "? x",
    "'*'",
    "'('",
    "'[a-'",
    "'(?P<x'",
    "'((((a{100}){100}){100}){100})'",
    "kubernetes",
    "metadata-rest",
    "file",
    "argo",
    "sequential",
    "http://",
    "localhost:",
    ":5432",
    "localhost:99999",
    "\u{feff}",
    "é",
    "\t",
    "#",
    "<<: *a",
    "---",
    "...",
    "%YAML 1.2",
];

struct Args {
    seconds: u64,
    seed: u64,
    out: PathBuf,
    slow: Duration,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 60,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
        out: std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(
                || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
                PathBuf::from,
            )
            .join("fuzz_config"),
        slow: Duration::from_millis(1000),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => args.out = PathBuf::from(value()?),
            "--slow-ms" => {
                args.slow =
                    Duration::from_millis(value()?.parse().map_err(|e| format!("--slow-ms: {e}"))?)
            }
            "-h" | "--help" => {
                return Err("usage: fuzz_config [--seconds N] [--seed N] [--out DIR] \
                            [--slow-ms N]"
                    .into());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn seeds() -> Vec<(String, String)> {
    let mut seeds = vec![("built-in".to_owned(), BUILT_IN_SEED.to_owned())];
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut stack = vec![examples];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                seeds.push((path.display().to_string(), text));
            }
        }
    }
    seeds.sort();
    seeds
}

/// Every `${NAME` / `$NAME` of the seeds, set to a canary value.
fn environment(seeds: &[(String, String)]) -> HashMap<String, String> {
    let pattern = regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("static pattern");
    let mut environment = HashMap::new();
    for (_, text) in seeds {
        for name in pattern.captures_iter(text).map(|c| c[1].to_owned()) {
            let value = if name.ends_with("HOST_PORT") || name.ends_with("URL") {
                format!("http://{CANARY}.example:8585/api")
            } else if name.ends_with("PORT") {
                "5432".to_owned()
            } else {
                format!("{CANARY}-{}", name.to_ascii_lowercase())
            };
            environment.insert(name, value);
        }
    }
    environment
}

/// One to four mutations of `seed` (others supply lines to splice in).
fn mutate(rng: &mut fastrand::Rng, seed: &str, others: &[(String, String)]) -> String {
    let mut text = seed.to_owned();
    for _ in 0..rng.usize(1..=4) {
        text = match rng.usize(0..12) {
            0 => flip_bytes(rng, &text),
            1 => edit_lines(rng, &text, |rng, lines, i| {
                lines.remove(i);
                let _ = rng;
            }),
            2 => edit_lines(rng, &text, |rng, lines, i| {
                let line = lines[i].clone();
                let at = rng.usize(0..=lines.len());
                lines.insert(at, line);
            }),
            3 | 4 => swap_value(rng, &text),
            5 => anchor(rng, &text),
            6 => edit_lines(rng, &text, |rng, lines, i| {
                let line = &mut lines[i];
                match rng.usize(0..3) {
                    0 => line.insert_str(0, &" ".repeat(rng.usize(1..4))),
                    1 => *line = line.trim_start_matches(' ').to_owned(),
                    _ => line.insert(0, '\t'),
                }
            }),
            7 => {
                let (_, other) = &others[rng.usize(0..others.len())];
                let donor: Vec<&str> = other.lines().collect();
                let line = donor[rng.usize(0..donor.len())].to_owned();
                edit_lines(rng, &text, move |_, lines, i| lines.insert(i, line.clone()))
            }
            8 => {
                let cut = rng.usize(0..=text.len());
                String::from_utf8_lossy(&text.as_bytes()[..cut]).into_owned()
            }
            9 => {
                let depth = rng.usize(1..2_000);
                let (open, close) = match rng.usize(0..3) {
                    0 => ("[".repeat(depth), "]".repeat(depth)),
                    1 => ("{a: ".repeat(depth), "}".repeat(depth)),
                    _ => ("- ".repeat(depth), String::new()),
                };
                let nested = format!("{open}x{close}");
                edit_lines(rng, &text, move |_, lines, i| {
                    lines.insert(i, format!("deep:\n  {nested}"))
                })
            }
            10 => bomb(rng, &text),
            _ => edit_lines(rng, &text, |rng, lines, i| {
                // A key renamed: a section goes missing, or turns unknown.
                if let Some(colon) = lines[i].find(':') {
                    let name: String = (0..rng.usize(1..8)).map(|_| rng.alphanumeric()).collect();
                    let indent = lines[i].len() - lines[i].trim_start().len();
                    lines[i].replace_range(indent..colon, &name);
                }
            }),
        };
    }
    text
}

fn flip_bytes(rng: &mut fastrand::Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.is_empty() {
        return text.to_owned();
    }
    for _ in 0..rng.usize(1..8) {
        let i = rng.usize(0..bytes.len());
        bytes[i] = match rng.usize(0..4) {
            0 => rng.u8(..),
            1 => b"{}[]:,-&*!|>'\"#%@`?\t\n "[rng.usize(0..22)],
            _ => rng.u8(0x20..0x7f),
        };
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn edit_lines(
    rng: &mut fastrand::Rng,
    text: &str,
    edit: impl FnOnce(&mut fastrand::Rng, &mut Vec<String>, usize),
) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = rng.usize(0..lines.len());
    edit(rng, &mut lines, i);
    lines.join("\n") + "\n"
}

/// The lines holding `key: value`, by index.
fn value_lines(lines: &[String]) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.split_once(": ")
                .is_some_and(|(k, v)| !k.trim_start().starts_with('#') && !v.trim().is_empty())
        })
        .map(|(i, _)| i)
        .collect()
}

fn swap_value(rng: &mut fastrand::Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let candidates = value_lines(&lines);
    if candidates.is_empty() {
        return text.to_owned();
    }
    let i = candidates[rng.usize(0..candidates.len())];
    let (key, _) = lines[i].split_once(": ").expect("a value line");
    let value = SCALARS[rng.usize(0..SCALARS.len())];
    lines[i] = format!("{key}: {value}");
    lines.join("\n") + "\n"
}

/// An anchor on one value and an alias (or a merge key) to it elsewhere.
fn anchor(rng: &mut fastrand::Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let candidates = value_lines(&lines);
    if candidates.len() < 2 {
        return text.to_owned();
    }
    let from = candidates[rng.usize(0..candidates.len())];
    let to = candidates[rng.usize(0..candidates.len())];
    let name = format!("a{}", rng.u16(..));
    let (key, value) = lines[from].split_once(": ").expect("a value line");
    lines[from] = format!("{key}: &{name} {value}");
    let (key, _) = lines[to].split_once(": ").expect("a value line");
    lines[to] = if rng.bool() {
        format!("{key}: *{name}")
    } else {
        let indent = key.len() - key.trim_start().len();
        format!("{}<<: *{name}", " ".repeat(indent))
    };
    lines.join("\n") + "\n"
}

/// A billion-laughs style bomb prepended, and its top alias used at a random value.
fn bomb(rng: &mut fastrand::Rng, text: &str) -> String {
    let levels = rng.usize(2..12);
    let width = rng.usize(2..12);
    let mut out = String::from("b0: &b0 [lol, lol]\n");
    for level in 1..levels {
        let refs = vec![format!("*b{}", level - 1); width].join(", ");
        out.push_str(&format!("b{level}: &b{level} [{refs}]\n"));
    }
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let candidates = value_lines(&lines);
    if let Some(&i) = candidates.get(rng.usize(0..candidates.len().max(1))) {
        let (key, _) = lines[i].split_once(": ").expect("a value line");
        lines[i] = format!("{key}: *b{}", levels - 1);
    }
    out + &lines.join("\n") + "\n"
}

#[derive(Default)]
struct Tally {
    inputs: u64,
    accepted: u64,
    refused: u64,
    findings: u64,
    slowest: Duration,
    slowest_input: String,
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("fuzz_config: {e}");
            return ExitCode::from(2);
        }
    };
    let seeds = seeds();
    let environment = environment(&seeds);
    let path = Path::new("fuzz.yaml");
    for (name, text) in &seeds {
        if let Err(e) = parse_str(text, path, environment.clone()) {
            eprintln!("fuzz_config: seed {name} does not load: {e}");
            return ExitCode::from(2);
        }
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("fuzz_config: cannot create {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    println!(
        "fuzz_config: {} seeds, {} s, seed {} (replay with --seed {}), findings to {}",
        seeds.len(),
        args.seconds,
        args.seed,
        args.seed,
        args.out.display()
    );

    // Panics are findings, caught and reported below; the default hook would print each one.
    let last_panic = Arc::new(Mutex::new(String::new()));
    {
        let last_panic = last_panic.clone();
        std::panic::set_hook(Box::new(move |info| {
            *last_panic.lock().unwrap() = info.to_string();
        }));
    }

    // The watchdog: a parse that hangs cannot be caught, so the input is saved and the run ends.
    let current = Arc::new(Mutex::new(String::new()));
    let started_at = Arc::new(AtomicU64::new(u64::MAX));
    let epoch = Instant::now();
    {
        let (current, started_at, out) = (current.clone(), started_at.clone(), args.out.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let started = started_at.load(Ordering::Relaxed);
                let now = epoch.elapsed().as_millis() as u64;
                if started != u64::MAX && now.saturating_sub(started) > 30_000 {
                    let file = out.join("hang.yaml");
                    let _ = std::fs::write(&file, current.lock().unwrap().as_bytes());
                    eprintln!(
                        "fuzz_config: FINDING: a parse still running after 30 s; input in {}",
                        file.display()
                    );
                    std::process::exit(1);
                }
            }
        });
    }

    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut tally = Tally::default();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let report = |kind: &str, input: &str, detail: &str, tally: &mut Tally| {
        tally.findings += 1;
        let file = args.out.join(format!("{kind}-{}.yaml", tally.findings));
        let _ = std::fs::write(&file, input);
        println!("FINDING {kind}: {detail}\n  input: {}", file.display());
    };
    let mut next_progress = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let (_, seed) = &seeds[rng.usize(0..seeds.len())];
        let input = mutate(&mut rng, seed, &seeds);
        current.lock().unwrap().clone_from(&input);
        let begun = Instant::now();
        started_at.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        let result = catch_unwind(AssertUnwindSafe(|| {
            parse_str(&input, path, environment.clone())
        }));
        started_at.store(u64::MAX, Ordering::Relaxed);
        let took = begun.elapsed();
        tally.inputs += 1;
        if took > tally.slowest {
            tally.slowest = took;
            tally.slowest_input.clone_from(&input);
        }
        match result {
            Err(_) => {
                let message = last_panic.lock().unwrap().clone();
                report("panic", &input, &message, &mut tally);
            }
            Ok(Ok(_)) => tally.accepted += 1,
            Ok(Err(error)) => {
                tally.refused += 1;
                let message = error.to_string();
                if message.contains(CANARY) {
                    report("leak", &input, &message, &mut tally);
                } else if message.contains('\n') || message.trim().is_empty() {
                    report("message", &input, &format!("{message:?}"), &mut tally);
                }
            }
        }
        if took > args.slow {
            report(
                "slow",
                &input,
                &format!("{} ms to parse", took.as_millis()),
                &mut tally,
            );
        }
        if Instant::now() >= next_progress {
            next_progress += Duration::from_secs(10);
            println!(
                "  {} inputs, {} accepted, {} refused, {} findings",
                tally.inputs, tally.accepted, tally.refused, tally.findings
            );
        }
    }
    let _ = std::fs::write(args.out.join("slowest.yaml"), &tally.slowest_input);
    let elapsed = args.seconds.max(1) as f64;
    println!(
        "fuzz_config: {} inputs in {} s ({:.0}/s): {} accepted, {} refused with one error; \
         {} findings; slowest parse {:.1} ms (input in {})",
        tally.inputs,
        args.seconds,
        tally.inputs as f64 / elapsed,
        tally.accepted,
        tally.refused,
        tally.findings,
        tally.slowest.as_secs_f64() * 1000.0,
        args.out.join("slowest.yaml").display()
    );
    if tally.findings > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
