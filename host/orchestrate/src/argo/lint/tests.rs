use super::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A pod template as render makes it (discover, worker or finalize).
fn pod(name: &str, args: Value, inputs: Value, output: &str, file: &str) -> Value {
    json!({
        "name": name,
        "inputs": inputs,
        "retryStrategy": {"limit": "2", "retryPolicy": "Always",
                          "backoff": {"duration": "10s", "factor": "2", "cap": "300s"}},
        "container": {
            "image": "omrun:0.1.0",
            "command": ["omrun"],
            "args": args,
            "env": [
                {"name": "PG_PASSWORD", "valueFrom":
                    {"secretKeyRef": {"name": "omrun-secrets", "key": "PG_PASSWORD"}}},
                {"name": "OM_JWT", "valueFrom":
                    {"secretKeyRef": {"name": "omrun-secrets", "key": "OM_JWT", "optional": true}}}
            ],
            "resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                          "limits": {"memory": "1Gi"}},
            "volumeMounts": [{"name": "config", "mountPath": "/etc/omrun", "readOnly": true},
                             {"name": "work", "mountPath": "/tmp/omrun"}]
        },
        "outputs": {"parameters": [{"name": output, "valueFrom": {"path": file}}]}
    })
}

/// A workflow in the shape of notes/argo-shape.md.
fn clean() -> Value {
    let (c, config) = ("-c", "/etc/omrun/config.yaml");
    let (shards, report) = ("/tmp/omrun/shards.json", "/tmp/omrun/report.json");
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "omrun-pg-", "namespace": "argo", "labels":
                     {"app.kubernetes.io/name": "omrun", "app.kubernetes.io/instance": "pg"}},
        "spec": {
            "entrypoint": "ingest",
            "serviceAccountName": "omrun-workflow",
            "parallelism": 8,
            "activeDeadlineSeconds": 3600,
            "podGC": {"strategy": "OnPodSuccess"},
            "ttlStrategy": {"secondsAfterSuccess": 86400, "secondsAfterFailure": 604800},
            "volumes": [{"name": "config", "configMap": {"name": "omrun-pg-config"}},
                        {"name": "work", "emptyDir": {}}],
            "templates": [
                {"name": "ingest", "dag": {"failFast": false, "tasks": [
                    {"name": "discover", "template": "discover"},
                    {"name": "worker", "template": "worker", "depends": "discover",
                     "withParam": "{{tasks.discover.outputs.parameters.shards}}",
                     "arguments": {"parameters": [{"name": "shard", "value": "{{item.shard}}"}]}},
                    {"name": "finalize", "template": "finalize",
                     "depends": "worker.Succeeded || worker.Failed",
                     "arguments": {"parameters": [{"name": "reports",
                         "value": "{{tasks.worker.outputs.parameters.report}}"}]}}
                ]}},
                pod("discover",
                    json!(["discover", c, config, "--shards", "8", "--out", shards]),
                    json!({}), "shards", shards),
                pod("worker",
                    json!(["worker", c, config, "--shard", "{{inputs.parameters.shard}}"]),
                    json!({"parameters": [{"name": "shard"}]}), "report", report),
                pod("finalize",
                    json!(["finalize", c, config, "--reports", "{{inputs.parameters.reports}}"]),
                    json!({"parameters": [{"name": "reports"}]}), "report", report),
            ]
        }
    })
}

/// Lints `clean()` changed by `edit`; expects exactly one problem, at `path`, saying `fragment`.
fn one_problem(edit: impl FnOnce(&mut Value), path: &str, fragment: &str) {
    let mut doc = clean();
    edit(&mut doc);
    let problems = lint(&doc);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].path, path, "{problems:#?}");
    assert!(
        problems[0].message.contains(fragment),
        "{:?} lacks {fragment:?}",
        problems[0].message
    );
}

fn at_mut<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}"))
}

#[test]
fn the_rendered_shape_is_clean() {
    assert_eq!(lint(&clean()), []);
    let mut template = clean();
    template["kind"] = json!("WorkflowTemplate");
    template["metadata"] = json!({"name": "omrun-pg", "namespace": "argo"});
    assert_eq!(lint(&template), []);
}

#[test]
fn kind_and_api_version() {
    one_problem(
        |doc| doc["kind"] = json!("CronWorkflow"),
        "/kind",
        "Workflow or WorkflowTemplate",
    );
    one_problem(
        |doc| doc["apiVersion"] = json!("argoproj.io/v1"),
        "/apiVersion",
        "argoproj.io/v1alpha1",
    );
}

#[test]
fn unknown_fields_are_reported_with_a_suggestion() {
    one_problem(
        |doc| {
            let retry = at_mut(doc, "/spec/templates/1/retryStrategy")
                .as_object_mut()
                .unwrap();
            let policy = retry.remove("retryPolicy").unwrap();
            retry.insert("retrypolicy".into(), policy);
        },
        "/spec/templates/1/retryStrategy/retrypolicy",
        r#"unknown field "retrypolicy" in retryStrategy (did you mean "retryPolicy"?)"#,
    );
    one_problem(
        |doc| doc["spec"]["entrypiont"] = json!("x"),
        "/spec/entrypiont",
        r#"did you mean "entrypoint"?"#,
    );
    one_problem(
        |doc| doc["metadata"]["lables"] = json!({}),
        "/metadata/lables",
        r#"in metadata (did you mean "labels"?)"#,
    );
    one_problem(
        |doc| at_mut(doc, "/spec/templates/2/container")["imagePulPolicy"] = json!("Always"),
        "/spec/templates/2/container/imagePulPolicy",
        r#"did you mean "imagePullPolicy"?"#,
    );
    one_problem(
        |doc| at_mut(doc, "/spec/volumes/1")["emptydir"] = json!({}),
        "/spec/volumes/1/emptydir",
        "in volume",
    );
    one_problem(
        |doc| {
            at_mut(
                doc,
                "/spec/templates/1/container/env/0/valueFrom/secretKeyRef",
            )["optinal"] = json!(true)
        },
        "/spec/templates/1/container/env/0/valueFrom/secretKeyRef/optinal",
        r#"did you mean "optional"?"#,
    );
    one_problem(
        |doc| at_mut(doc, "/spec/templates/1/outputs/parameters/0/valueFrom")["file"] = json!("/x"),
        "/spec/templates/1/outputs/parameters/0/valueFrom/file",
        "in valueFrom",
    );
    one_problem(
        |doc| doc["spec"]["podGC"]["a/b"] = json!(1),
        "/spec/podGC/a~1b",
        "in podGC",
    );
}

#[test]
fn enum_values_argo_only_checks_at_run_time() {
    one_problem(
        |doc| at_mut(doc, "/spec/templates/1/retryStrategy")["retryPolicy"] = json!("Sometimes"),
        "/spec/templates/1/retryStrategy/retryPolicy",
        "retryPolicy \"Sometimes\" is not one of Always, OnFailure",
    );
    one_problem(
        |doc| doc["spec"]["podGC"]["strategy"] = json!("OnPodSucces"),
        "/spec/podGC/strategy",
        r#"(did you mean "OnPodSuccess"?)"#,
    );
    one_problem(
        |doc| at_mut(doc, "/spec/templates/3/container")["imagePullPolicy"] = json!("always"),
        "/spec/templates/3/container/imagePullPolicy",
        r#"(did you mean "Always"?)"#,
    );
    one_problem(
        |doc| doc["spec"]["podGC"]["deleteDelayDuration"] = json!("30"),
        "/spec/podGC/deleteDelayDuration",
        "Go duration",
    );
}

#[test]
fn tasks_and_entrypoint_name_what_exists() {
    let depends = "/spec/templates/0/dag/tasks/2/depends";
    one_problem(
        |doc| at_mut(doc, depends).clone_from(&json!("worker.Succeeded || workers.Failed")),
        depends,
        r#"task "workers", which is not in this DAG"#,
    );
    one_problem(
        |doc| at_mut(doc, depends).clone_from(&json!("(worker.Succeeded || !discover) && disco")),
        depends,
        r#"task "disco""#,
    );
    one_problem(
        |doc| at_mut(doc, depends).clone_from(&json!("worker.Succeded")),
        depends,
        r#""worker.Succeded" tests "Succeded", which is not a task result"#,
    );
    let mut doc = clean();
    at_mut(&mut doc, depends).clone_from(&json!(
        "(worker.AnySucceeded || !discover.Failed) && worker.AllFailed"
    ));
    at_mut(&mut doc, "/spec/templates/0/dag/tasks/1")["dependencies"] = json!(["discover"]);
    assert_eq!(lint(&doc), []);
    one_problem(
        |doc| {
            at_mut(doc, "/spec/templates/0/dag/tasks/1")["dependencies"] =
                json!(["discover", "list"])
        },
        "/spec/templates/0/dag/tasks/1/dependencies/1",
        r#""list", which is not a task"#,
    );
    one_problem(
        |doc| at_mut(doc, "/spec/templates/0/dag/tasks/0")["template"] = json!("discovery"),
        "/spec/templates/0/dag/tasks/0/template",
        r#"template "discovery", which is not in spec.templates"#,
    );
    one_problem(
        |doc| doc["spec"]["entrypoint"] = json!("main"),
        "/spec/entrypoint",
        r#"entrypoint names template "main""#,
    );
    one_problem(
        |doc| at_mut(doc, "/spec/templates/0/dag/tasks/2")["name"] = json!("worker"),
        "/spec/templates/0/dag/tasks/2/name",
        r#"duplicate task name "worker""#,
    );
}

#[test]
fn int_or_string_fields_and_backoff_durations() {
    let retry = "/spec/templates/1/retryStrategy";
    one_problem(
        |doc| at_mut(doc, retry)["limit"] = json!({"max": 3}),
        &format!("{retry}/limit"),
        "limit must be an integer or a string",
    );
    one_problem(
        |doc| at_mut(doc, retry)["backoff"]["factor"] = json!(1.5),
        &format!("{retry}/backoff/factor"),
        "factor must be",
    );
    one_problem(
        |doc| at_mut(doc, "/spec/templates/2")["activeDeadlineSeconds"] = json!([60]),
        "/spec/templates/2/activeDeadlineSeconds",
        "must be an integer or a string",
    );
    let mut doc = clean();
    at_mut(&mut doc, retry)["limit"] = json!(3);
    for good in [
        "10s",
        "1m30s",
        "2h",
        "30",
        "1.5h",
        "0",
        "{{inputs.parameters.backoff}}",
    ] {
        at_mut(&mut doc, retry)["backoff"]["duration"] = json!(good);
        assert_eq!(lint(&doc), [], "{good}");
    }
    for bad in [
        json!("10 s"),
        json!("ten"),
        json!("1.5"),
        json!("10sec"),
        json!(10),
        json!(""),
    ] {
        one_problem(
            |doc| at_mut(doc, retry)["backoff"]["cap"] = bad.clone(),
            &format!("{retry}/backoff/cap"),
            "Go duration",
        );
    }
    one_problem(
        |doc| at_mut(doc, retry)["backoff"]["maxDuration"] = json!("1d"),
        &format!("{retry}/backoff/maxDuration"),
        "backoff.maxDuration",
    );
}

#[test]
fn parallelism_belongs_on_the_spec_or_the_template() {
    one_problem(
        |doc| at_mut(doc, "/spec/templates/0/dag/tasks/1")["parallelism"] = json!(4),
        "/spec/templates/0/dag/tasks/1/parallelism",
        "parallelism on a DAG task is ignored by Argo: put it on spec.parallelism or on the template",
    );
    one_problem(
        |doc| {
            let step = json!({"name": "d", "template": "discover", "parallelism": 2});
            doc["spec"]["templates"][0] = json!({"name": "ingest", "steps": [[step]]});
        },
        "/spec/templates/0/steps/0/0/parallelism",
        "parallelism on a step is ignored",
    );
    one_problem(
        |doc| doc["spec"]["parallelism"] = json!(0),
        "/spec/parallelism",
        "positive integer, not 0",
    );
    one_problem(
        |doc| doc["spec"]["parallelism"] = json!(-2),
        "/spec/parallelism",
        "positive integer, not -2",
    );
    let mut doc = clean();
    at_mut(&mut doc, "/spec/templates/0")["parallelism"] = json!(4);
    assert_eq!(lint(&doc), []);
}

#[test]
fn parameter_and_document_sizes() {
    let big = "x".repeat(MAX_PARAMETER_BYTES + 1);
    one_problem(
        |doc| {
            doc["spec"]["arguments"] = json!({"parameters": [{"name": "entities", "value": big}]})
        },
        "/spec/arguments/parameters/0/value",
        "Argo cuts parameters at 256 KiB",
    );
    let mut doc = clean();
    doc["spec"]["arguments"] =
        json!({"parameters": [{"name": "ok", "value": "x".repeat(MAX_PARAMETER_BYTES)}]});
    assert_eq!(lint(&doc), []);
    let chunk = "x".repeat(200 * 1024);
    let huge: Vec<Value> = (0..6)
        .map(|i| json!({"name": format!("p{i}"), "value": chunk}))
        .collect();
    one_problem(
        |doc| doc["spec"]["arguments"] = json!({"parameters": huge}),
        "",
        "over 1 MiB",
    );
}

#[test]
fn literal_secrets_are_refused() {
    one_problem(
        |doc| {
            at_mut(doc, "/spec/templates/2/container/env/1")
                .clone_from(&json!({"name": "OM_JWT", "value": "eyJhbGciOi"}))
        },
        "/spec/templates/2/container/env/1/value",
        "credentials must come from a Kubernetes Secret",
    );
    one_problem(
        |doc| {
            at_mut(doc, "/spec/templates/1/container/env")
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "snowflake_private_key", "value": "-----BEGIN"}))
        },
        "/spec/templates/1/container/env/2/value",
        "env var snowflake_private_key has a literal value",
    );
    let mut doc = clean();
    let env = at_mut(&mut doc, "/spec/templates/1/container/env")
        .as_array_mut()
        .unwrap();
    env.push(json!({"name": "RUST_LOG", "value": "info"}));
    env.push(json!({"name": "API_TOKEN", "value": ""}));
    assert_eq!(lint(&doc), []);
}

#[test]
fn go_durations_and_depends_operands() {
    for good in ["0", "300ms", "-1.5h", "1h2m3s", "2us", "4µs", ".5s", "5.s"] {
        assert!(is_go_duration(good), "{good}");
    }
    for bad in ["", "s", "1", "1d", "1h 2m", "1..5s", "+", "h1"] {
        assert!(!is_go_duration(bad), "{bad}");
    }
    assert_eq!(edit_distance("lables", "labels"), 1);
    assert_eq!(edit_distance("retrypolicy", "retryPolicy"), 1);
    assert_eq!(edit_distance("parralelism", "parallelism"), 2);
    let operands: Vec<_> = depends_operands("(a.Succeeded||!b)&& c").collect();
    assert_eq!(operands, ["a.Succeeded", "b", "c"]);
}

fn schema_path() -> PathBuf {
    match std::env::var_os("OMRUN_ARGO_SCHEMA") {
        Some(path) => path.into(),
        // Where scripts/argo-schema.py derives it (scripts/test.sh sets the variable).
        None => std::env::home_dir()
            .unwrap_or_default()
            .join(".cache/omrun/argo-schema/schema.json"),
    }
}

/// Each list lint knows is exactly the definition's properties in Argo's schema: lint never
/// calls a real field unknown, and misses none. Against a schema derived from an older Argo
/// (scripts/argo-schema.py, for machines without Argo's file) only the first half holds: lint
/// also knows the fields added since.
#[test]
fn known_fields_are_the_schema_properties() {
    let path = schema_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read Argo's JSON Schema at {} ({error}); set OMRUN_ARGO_SCHEMA to its path",
            path.display()
        )
    });
    let schema: Value = serde_json::from_str(&text).expect("Argo's schema is JSON");
    let derived = schema["$comment"]
        .as_str()
        .is_some_and(|c| c.starts_with("DERIVED"));
    assert!(!known_fields().is_empty());
    for (definition, fields) in known_fields() {
        let properties = schema["definitions"][definition]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{definition} has no properties in {}", path.display()));
        let expected: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
        let ours: BTreeSet<&str> = fields.iter().copied().collect();
        assert_eq!(ours.len(), fields.len(), "{definition} lists a field twice");
        if derived {
            let unknown: Vec<_> = expected.difference(&ours).collect();
            assert!(
                unknown.is_empty(),
                "{definition}: lint does not know {unknown:?}"
            );
        } else {
            assert_eq!(ours, expected, "{definition}");
        }
    }
}
