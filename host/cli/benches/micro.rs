//! Micro-benchmarks of the plugin runtime (docs/performance.md), with the synthetic test plugin
//! (tests/plugins/synthetic: tables made up in memory, so no database is timed):
//!
//!     scripts/build-plugins.sh tests/plugins build/test-plugins && cargo bench -p omrun --bench micro
//!
//! Prints the median of many repetitions of each: loading a plugin with the compiled-component cache
//! cold and warm, instantiating a worker's instance, one call across the host↔guest boundary, and
//! moving table records across it.

use omrun_model::{EntityKind, EntityRef};
use omrun_runtime::capability::Grants;
use omrun_runtime::plugin::{ComponentCache, Instance, Limits, Plugin, SourceConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let wasm =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../build/test-plugins/synthetic.wasm");
    assert!(
        wasm.is_file(),
        "{} is missing: scripts/build-plugins.sh tests/plugins build/test-plugins",
        wasm.display()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(&wasm));
}

/// The median time of `$times` runs of `$body`.
macro_rules! median_of {
    ($times:expr, $body:expr) => {{
        let mut samples = Vec::with_capacity($times);
        for _ in 0..$times {
            let started = Instant::now();
            $body;
            samples.push(started.elapsed());
        }
        samples.sort();
        samples[samples.len() / 2]
    }};
}

async fn run(wasm: &Path) {
    let grants = Arc::new(Grants::default());
    let load = |cache: ComponentCache| {
        let grants = grants.clone();
        async move { Plugin::load(wasm, &cache, Limits::default(), grants).await }
    };

    // Cold: every load compiles into an empty cache. Warm: loads from the cache filled by the first.
    let cold = median_of!(5, {
        let dir = tempfile::tempdir().unwrap();
        load(ComponentCache::at(dir.path())).await.expect("load")
    });
    let warm_dir = tempfile::tempdir().unwrap();
    let plugin = load(ComponentCache::at(warm_dir.path()))
        .await
        .expect("load");
    let warm = median_of!(
        50,
        load(ComponentCache::at(warm_dir.path()))
            .await
            .expect("load")
    );
    report("plugin load, compiled-component cache miss", cold);
    report("plugin load, compiled-component cache hit", warm);

    let instantiate = median_of!(2000, plugin.instantiate().await.expect("instantiate"));
    report("instantiate one worker's instance", instantiate);

    let mut instance = opened(&plugin).await;
    let empty = median_of!(20_000, instance.process(&[]).await.expect("call"));
    report("one boundary call (process of an empty batch)", empty);

    let one = vec![table_ref(1)];
    let single = median_of!(5_000, instance.process(&one).await.expect("call"));
    report(
        "process of 1 table (20 columns) across the boundary",
        single,
    );

    let hundred: Vec<EntityRef> = (1..=100).map(table_ref).collect();
    let batch = median_of!(500, instance.process(&hundred).await.expect("call"));
    report("process of 100 tables, per table", batch / 100);
}

async fn opened(plugin: &Plugin) -> Instance {
    let mut instance = plugin.instantiate().await.expect("instantiate");
    let config = SourceConfig {
        service_name: "bench".into(),
        service_connection: serde_json::json!({"type": "CustomDatabase"}),
        secrets: Vec::new(),
        source_config: serde_json::json!({}),
    };
    instance.open(&config).await.expect("open");
    instance
}

fn table_ref(n: usize) -> EntityRef {
    EntityRef::new(
        EntityKind::Table,
        vec!["db".into(), "s".into(), format!("t{n}")],
    )
}

fn report(what: &str, median: Duration) {
    let shown = if median >= Duration::from_millis(1) {
        format!("{:.2} ms", median.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} µs", median.as_secs_f64() * 1e6)
    };
    println!("{what:<55} {shown:>12}");
}
