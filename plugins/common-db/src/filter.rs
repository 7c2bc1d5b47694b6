//! OpenMetadata's filter patterns (`databaseFilterPattern`, `schemaFilterPattern`,
//! `tableFilterPattern`) and the fully qualified names they can be matched against.

use fancy_regex::Regex;

/// A compiled `{includes: [regex], excludes: [regex]}` pattern. A name is kept when (there are no
/// includes or one of them matches) and no exclude matches. A pattern matches like Python's
/// `re.match(pattern, name, re.IGNORECASE)`, as in OpenMetadata: anchored at the start of the name
/// but not at its end, ignoring case.
///
/// Since OpenMetadata 1.5 excludes apply after includes too, so `excludes` can carve exceptions out
/// of an include.
///
/// Patterns may use what Python's `re` has beyond plain regular expressions: look-ahead and
/// look-behind (`^(?!tmp_)`), backreferences, atomic groups. A pattern that gives up on a name
/// (fancy-regex's backtracking limit, where Python would run on) counts as matching an exclude and
/// not matching an include: a name the filter cannot decide on is left out rather than let in.
#[derive(Debug, Clone, Default)]
pub struct FilterPattern {
    includes: Vec<Regex>,
    excludes: Vec<Regex>,
}

/// A filter pattern as a config writes it: `{includes: [regex], excludes: [regex]}`, either list
/// optional (or `null`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PatternConfig {
    /// Regexes of names to keep; none means all.
    pub includes: Option<Vec<String>>,
    /// Regexes of names to leave out.
    pub excludes: Option<Vec<String>>,
}

impl FilterPattern {
    /// Compiles the pattern a config wrote under `key`; none keeps every name.
    pub fn from_config(key: &str, config: Option<PatternConfig>) -> Result<Self, String> {
        let config = config.unwrap_or_default();
        Self::new(
            key,
            &config.includes.unwrap_or_default(),
            &config.excludes.unwrap_or_default(),
        )
    }

    /// Compiles the patterns. `key` names the setting (e.g. `tableFilterPattern`) in the error,
    /// which also quotes the offending pattern.
    pub fn new(key: &str, includes: &[String], excludes: &[String]) -> Result<Self, String> {
        let compile = |list: &str, patterns: &[String]| {
            patterns
                .iter()
                .map(|p| {
                    // `(?:…)` keeps a top-level `a|b` anchored as a whole, as `re.match` does.
                    Regex::new(&format!("(?i)^(?:{p})"))
                        .map_err(|e| format!("invalid regex in {key}.{list}: `{p}`: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            includes: compile("includes", includes)?,
            excludes: compile("excludes", excludes)?,
        })
    }

    /// Whether `name` passes the filter.
    pub fn keeps(&self, name: &str) -> bool {
        (self.includes.is_empty()
            || self
                .includes
                .iter()
                .any(|r| r.is_match(name).unwrap_or(false)))
            && !self
                .excludes
                .iter()
                .any(|r| r.is_match(name).unwrap_or(true))
    }
}

/// Joins name parts into an OpenMetadata fully qualified name (`fqn.build`): parts are separated
/// by `.`, and a part that itself contains `.` is wrapped in double quotes.
///
/// This is the FQN OpenMetadata's filters match (`useFqnForFiltering`: its `_build` of the raw
/// names, metadata/utils/fqn.py in openmetadata-ingestion 2.0.7), not the FQN an entity is stored
/// under, where reserved characters (`::`, `>`, quotes…) are replaced first (the host's
/// `model::fqn`). The two differ on purpose, as OpenMetadata's do.
pub fn fqn(parts: &[&str]) -> String {
    let quoted: Vec<String> = parts
        .iter()
        .map(|p| {
            if p.contains('.') {
                format!("\"{p}\"")
            } else {
                (*p).to_owned()
            }
        })
        .collect();
    quoted.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(includes: &[&str], excludes: &[&str]) -> FilterPattern {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        FilterPattern::new("tableFilterPattern", &own(includes), &own(excludes)).unwrap()
    }

    #[test]
    fn empty_pattern_keeps_everything() {
        let p = FilterPattern::default();
        assert!(p.keeps("anything"));
        assert!(p.keeps(""));
    }

    #[test]
    fn includes_keep_only_matches() {
        let p = pattern(&["orders", "cust.*"], &[]);
        assert!(p.keeps("orders"));
        assert!(p.keeps("customers"));
        assert!(!p.keeps("products"));
    }

    #[test]
    fn excludes_drop_matches() {
        let p = pattern(&[], &["tmp_", "^audit$"]);
        assert!(!p.keeps("tmp_load"));
        assert!(!p.keeps("audit"));
        assert!(
            p.keeps("audit_log"),
            "`$` anchors the end when the pattern says so"
        );
        assert!(p.keeps("orders"));
    }

    #[test]
    fn excludes_apply_to_included_names() {
        let p = pattern(&["sales_.*"], &["sales_tmp"]);
        assert!(!p.keeps("sales_tmp"));
        assert!(p.keeps("sales_eu"));
        assert!(!p.keeps("hr_people"));
    }

    #[test]
    fn matching_ignores_case() {
        let p = pattern(&["ORDERS"], &[]);
        assert!(p.keeps("orders"));
        assert!(p.keeps("Orders_2024"));
        let p = pattern(&[], &["Tmp"]);
        assert!(!p.keeps("TMP_x"));
        assert!(
            pattern(&["é"], &[]).keeps("École"),
            "Unicode case folding, as in Python 3"
        );
    }

    #[test]
    fn matching_is_anchored_at_the_start_only() {
        let p = pattern(&["order"], &[]);
        assert!(p.keeps("orders"), "not anchored at the end");
        assert!(!p.keeps("big_orders"), "anchored at the start");
        let p = pattern(&[".*order"], &[]);
        assert!(p.keeps("big_orders"));
        // A top-level alternation is anchored as a whole.
        let p = pattern(&["a|b"], &[]);
        assert!(p.keeps("b_table"));
        assert!(!p.keeps("xb"));
    }

    #[test]
    fn python_style_classes_are_unicode() {
        let p = pattern(&[r"\w+_\d{4}$"], &[]);
        assert!(p.keeps("ventes_été_2024"));
        assert!(!p.keeps("sales_24"));
    }

    #[test]
    fn python_look_arounds_and_backreferences() {
        // OpenMetadata's documented way to leave out a prefix.
        let p = pattern(&["^(?!tmp_).*"], &[]);
        assert!(p.keeps("orders") && !p.keeps("tmp_orders") && !p.keeps("TMP_x"));
        let p = pattern(&[], &[r".*(?<=_bak)$"]);
        assert!(!p.keeps("orders_bak") && p.keeps("orders"));
        let p = pattern(&[r"(\w)\1"], &[]);
        assert!(p.keeps("aab") && !p.keeps("abc"));
    }

    #[test]
    fn a_pattern_that_gives_up_leaves_the_name_out() {
        // Catastrophic backtracking: fancy-regex stops at its limit where Python would run on.
        let evil = r"(a|aa)+\1c";
        let name = "a".repeat(40) + "!";
        assert!(!pattern(&[evil], &[]).keeps(&name), "undecided include");
        assert!(!pattern(&[], &[evil]).keeps(&name), "undecided exclude");
    }

    #[test]
    fn bad_regex_names_the_key_and_pattern() {
        let e = FilterPattern::new("schemaFilterPattern", &[], &["(unclosed".into()]).unwrap_err();
        assert!(e.contains("schemaFilterPattern.excludes"), "{e}");
        assert!(e.contains("`(unclosed`"), "{e}");
    }

    #[test]
    fn fqn_quotes_dotted_parts() {
        assert_eq!(fqn(&["svc", "shop"]), "svc.shop");
        assert_eq!(
            fqn(&["svc", "shop", "public", "orders"]),
            "svc.shop.public.orders"
        );
        assert_eq!(
            fqn(&["svc", "shop", "public", "my.table"]),
            "svc.shop.public.\"my.table\""
        );
    }

    #[test]
    fn fqn_filtering_matches_the_whole_name() {
        let p = pattern(&[r"svc\.shop\.public\."], &[]);
        assert!(p.keeps(&fqn(&["svc", "shop", "public", "orders"])));
        assert!(!p.keeps(&fqn(&["svc", "shop", "sales", "orders"])));
        let p = pattern(&[], &[r".*\.public\.my\.table"]);
        assert!(
            p.keeps(&fqn(&["svc", "shop", "public", "my.table"])),
            "quoted part"
        );
        let p = pattern(&[], &[r#".*\."my\.table"$"#]);
        assert!(!p.keeps(&fqn(&["svc", "shop", "public", "my.table"])));
    }
}
