//! Filter patterns that are not regular expressions, text that is not a config, YAML bombs.

use super::*;

const FILTERS: &str = "source.sourceConfig.config";

/// Filter patterns that are not regular expressions, in each filter and list.
pub(super) fn bad_patterns() -> Vec<Case> {
    vec![
        edit(
            "database include unclosed group",
            "includes: ['^postgres$']",
            "includes: ['^post(gres$']",
        )
        .at("^post(gres$")
        .says(&[
            &format!("{FILTERS}.databaseFilterPattern.includes[0]: "),
            "`^post(gres$` is not a valid regular expression",
            "unclosed group",
        ]),
        edit(
            "schema exclude unclosed class",
            "excludes: ['^pg_']",
            "excludes: ['^pg_[']",
        )
        .at("^pg_[")
        .says(&[
            &format!("{FILTERS}.schemaFilterPattern.excludes[0]: "),
            "`^pg_[`",
            "unclosed character class",
        ]),
        edit(
            "table include bare star",
            "includes: ['.*']",
            "includes: ['*']",
        )
        .at("includes: ['*']")
        .says(&[
            &format!("{FILTERS}.tableFilterPattern.includes[0]: "),
            "`*`",
        ]),
        edit(
            "table exclude second entry",
            "includes: ['.*']",
            "includes: ['.*']\n        excludes: ['ok', 'a{2,1}']",
        )
        .at("a{2,1}")
        .says(&[
            &format!("{FILTERS}.tableFilterPattern.excludes[1]: "),
            "`a{2,1}`",
        ]),
        edit(
            "stored procedure pattern",
            "includes: ['.*']",
            "includes: ['.*']\n      storedProcedureFilterPattern:\n        includes: ['(?P<x']",
        )
        .at("(?P<x")
        .says(&["storedProcedureFilterPattern.includes[0]: ", "`(?P<x`"]),
        edit(
            "pattern too big to compile",
            "includes: ['.*']",
            "includes: ['((((a{100}){100}){100}){100})']",
        )
        .at("{100}")
        .says(&["tableFilterPattern.includes[0]: ", "size limit"]),
        edit("includes a string", "includes: ['.*']", "includes: '.*'")
            .at("includes: '.*'")
            .says(&[
                &format!("{FILTERS}.tableFilterPattern.includes: "),
                "expected a list",
            ]),
        edit(
            "filter pattern a string",
            "      tableFilterPattern:\n        includes: ['.*']",
            "      tableFilterPattern: '.*'",
        )
        .at("tableFilterPattern")
        .says(&[
            &format!("{FILTERS}.tableFilterPattern: "),
            "expected a mapping",
        ]),
        edit(
            "pattern a mapping",
            "includes: ['.*']",
            "includes: [{a: b}]",
        )
        .at("includes: [{a: b}]")
        .says(&["tableFilterPattern.includes[0]: ", "expected a string"]),
    ]
}

/// Text that is not YAML, YAML that is not a mapping, and YAML mistakes.
pub(super) fn not_a_config() -> Vec<Case> {
    let top = "a workflow config is a mapping with `source`, `sink` and `workflowConfig`";
    vec![
        case("empty file", "").says(&["config.yaml: the config is empty"]),
        case("only comments", "# nothing here\n\n# at all\n").says(&["the config is empty"]),
        case("a YAML list", "- source\n- sink\n")
            .at_line(1)
            .says(&[top, "a list"]),
        case("a JSON array", "[\"source\", \"sink\"]\n")
            .at_line(1)
            .says(&[top, "a list"]),
        case("a JSON string", "\"source\"\n")
            .at_line(1)
            .says(&[top, "`source`"]),
        case("a JSON number", "42\n")
            .at_line(1)
            .says(&[top, "`42`"]),
        case(
            "a JSON object of the wrong shape",
            "{\"source\": [1, 2], \"sink\": {}}\n",
        )
        .at_line(1)
        .says(&["source: ", "expected a mapping", "a list"]),
        edit("a tab in the indentation", "      username:", "\tusername:")
            .at("username")
            .says(&["a tab in the indentation"]),
        edit(
            "a key indented one space short",
            "      includeViews: true",
            "     includeViews: true",
        )
        .at("includeViews"),
        edit(
            "a duplicate key",
            "    parallelism: 4",
            "    parallelism: 4\n    parallelism: 8",
        )
        .at("parallelism: 8")
        .says(&[&format!("{DISTRIBUTED}: "), "duplicate key `parallelism`"]),
        case("a duplicate section", format!("{BASE}{FILE_SINK}"))
            .at_line(BASE.lines().count() + 1)
            .says(&["duplicate key `sink`"]),
        edit("an unclosed list", "includes: ['.*']", "includes: ['.*'").says(&["config.yaml:"]),
        edit(
            "an unclosed quote",
            "serviceName: malformed_svc",
            "serviceName: 'malformed_svc",
        )
        .says(&["config.yaml:"]),
        case("two documents", format!("{BASE}---\n{BASE}"))
            .at_line(BASE.lines().count() + 1)
            .says(&["second YAML document"]),
        edit(
            "an undefined alias",
            "parallelism: 4",
            "parallelism: *workers",
        )
        .at("*workers")
        .says(&["`*workers`", "anchor"]),
        edit(
            "a byte order mark inside",
            "serviceName: malformed_svc",
            "serviceName: \u{feff}svc",
        )
        .at("serviceName")
        .says(&["BOM"]),
        case("binary bytes", {
            let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            png.extend(0..=255u8);
            png
        })
        .at_line(1)
        .says(&["not UTF-8", "0x89"]),
        case(
            "Latin-1 text",
            edited(BASE, "serviceName: malformed_svc", "serviceName: caf\u{e9}")
                .chars()
                .map(|c| c as u32 as u8)
                .collect::<Vec<u8>>(),
        )
        .at_line(3)
        .says(&["not UTF-8", "0xe9"]),
    ]
}

/// Alias bombs, huge and deeply nested documents: refused quickly, by the parser's budget.
pub(super) fn bombs() -> Vec<Case> {
    // Billion laughs: nine levels of ten aliases each, 10^9 strings if expanded.
    let mut laughs =
        String::from("lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*lol{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("lol{i}: &lol{i} [{refs}]\n"));
    }
    let billion = format!(
        "{laughs}{}",
        edited(
            BASE,
            "      type: Postgres\n",
            "      type: Postgres\n      bomb: *lol9\n"
        )
    );
    // Nested anchors: each mapping holds the previous one, 200 deep.
    let mut chain = String::from("anchors:\n  - &d0 {k: v}\n");
    for i in 1..200 {
        chain.push_str(&format!("  - &d{i} {{k: *d{}}}\n", i - 1));
    }
    let chain = format!(
        "{chain}{}",
        edited(
            BASE,
            "      type: Postgres\n",
            "      type: Postgres\n      extra: *d199\n"
        )
    );
    // One string of 900 kB, aliased a thousand times: 900 MB if each alias were a copy.
    let big = "x".repeat(900 * 1024);
    let aliases = vec!["*big"; 1000].join(", ");
    let string_bomb = format!(
        "big: &big {big}\n{}",
        edited(
            BASE,
            "      type: Postgres\n",
            &format!("      type: Postgres\n      copies: [{aliases}]\n")
        )
    );
    // Block nesting costs its indentation: 1,000 levels are 500 kB (10,000 would be 50 MB, which
    // the size limit refuses), except for lists, which nest on one line.
    let deep_block: String = (1..=1_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    vec![
        case("billion laughs", billion).says(&["config.yaml:", "alias"]),
        case("nested anchors 200 deep", chain).says(&["config.yaml:", "nested more than 64"]),
        case("a 900 kB string aliased 1000 times", string_bomb).says(&["config.yaml:", "YAML"]),
        edit(
            "a 10 MB string",
            "serviceName: malformed_svc",
            &format!("serviceName: '{}'", "x".repeat(10 * 1024 * 1024)),
        )
        .says(&["config.yaml: the config is larger than 1024 KiB"]),
        case(
            "1,000 nested block mappings",
            format!("{BASE}extra:\n{deep_block}"),
        )
        .says(&["config.yaml:", "nested more than 64 levels"]),
        case(
            "10,000 nested block lists",
            format!("{BASE}extra:\n  {}x\n", "- ".repeat(10_000)),
        )
        .at_line(BASE.lines().count() + 2)
        .says(&["nested more than 64 levels"]),
        case(
            "10,000 nested flow lists",
            format!(
                "{BASE}extra: {}{}\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
        )
        .at_line(BASE.lines().count() + 1)
        .says(&["nested more than 64 levels"]),
        edit(
            "10,000 nested flow mappings in the connection",
            "      type: Postgres\n",
            &format!(
                "      type: Postgres\n      extra: {}1{}\n",
                "{a: ".repeat(10_000),
                "}".repeat(10_000)
            ),
        )
        .at("extra:")
        .says(&["nested more than 64 levels"]),
        case(
            "a list of 60,000 values",
            format!("{BASE}extra: [{}]\n", vec!["1"; 60_000].join(",")),
        )
        .says(&["config.yaml:", "too large"]),
    ]
}
