//! The Tableau stand-in (tests/support/tableau/standin.py) against Tableau's own Python client,
//! tableauserverclient: the ground the Tableau connector's end-to-end tests stand on.

use omrun_tests::python_standin::selftest_passed;

#[test]
fn the_standin_speaks_tableau_s_apis_to_tableau_s_own_client() {
    // Sign-in (token and password), workbooks and projects paged, views with usage, users,
    // OpenMetadata's own Metadata API queries, JSON against XML, refusals, expiry, 429, the node
    // limit: 56 checks when this was written.
    let passed = selftest_passed("tableau");
    assert!(passed >= 56, "only {passed} checks ran");
}
