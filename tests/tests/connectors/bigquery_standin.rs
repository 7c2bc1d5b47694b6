//! The BigQuery stand-in (tests/support/bigquery/standin.py) against Google's own Python clients:
//! the ground a BigQuery connector's end-to-end tests stand on. Its harness is tested beside it
//! (tests/support/bigquery/tests.rs).

use omrun_tests::python_standin::selftest_passed;

#[test]
fn the_standin_speaks_google_s_apis_to_google_s_own_clients() {
    // google-auth's token exchange, google-cloud-bigquery, the Data Catalog discovery client,
    // every answer against Google's discovery documents: 76 checks when this was written.
    let passed = selftest_passed("bigquery");
    assert!(passed >= 70, "only {passed} checks ran");
}
