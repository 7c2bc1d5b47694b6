//! Users: found by e-mail through the search endpoint OpenMetadata's client uses, read back by
//! name, and named by id in a dashboard's owners, which must name a held user.

use crate::openmetadata::StandIn;
use serde_json::json;

use super::api::{Api, TOKEN};

#[test]
fn a_user_is_found_by_email_and_owners_must_name_one() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let id = om.add_user("ann", "ann@example.com");
    let search =
        "/v1/search/query?q=email.keyword:ann@example.com&from=0&size=1&index=user_search_index";
    let (status, found) = api.call("GET", search, None);
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["hits"]["total"]["value"], 1);
    assert_eq!(
        found["hits"]["hits"][0]["_source"]["fullyQualifiedName"],
        "ann"
    );
    let (status, none) = api.call("GET", &search.replace("ann@", "bob@"), None);
    assert_eq!((status, &none["hits"]["hits"]), (200, &json!([])));
    let (status, ann) = api.call("GET", "/v1/users/name/ann", None);
    assert_eq!((status, &ann["id"]), (200, &json!(id)));
    let (status, _) = api.call("GET", "/v1/users/name/bob", None);
    assert_eq!(status, 404);

    let service = json!({"name": "lk", "serviceType": "Looker"});
    assert_eq!(
        api.call("PUT", "/v1/services/dashboardServices", Some(&service))
            .0,
        201
    );
    let dashboard = |owner: &str| json!({"name": "d", "service": "lk", "owners": [{"id": owner, "type": "user"}]});
    let stranger = "00000000-0000-4000-8000-000000000000";
    let (status, refused) = api.call("PUT", "/v1/dashboards", Some(&dashboard(stranger)));
    assert_eq!(
        (status, refused["message"].as_str()),
        (
            404,
            Some(format!("user instance for {stranger} not found").as_str())
        )
    );
    let (status, written) = api.call("PUT", "/v1/dashboards", Some(&dashboard(&id)));
    assert_eq!(status, 201, "{written}");
    assert_eq!(written["owners"][0]["id"], json!(id));
}

#[test]
fn a_team_is_found_in_the_team_index_and_owns_as_a_team() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let id = om.add_team("data", "data@example.com");
    let search = |index: &str| {
        format!("/v1/search/query?q=email.keyword:data@example.com&from=0&size=1&index={index}")
    };
    let (status, none) = api.call("GET", &search("user_search_index"), None);
    assert_eq!((status, &none["hits"]["hits"]), (200, &json!([])));
    let (status, found) = api.call("GET", &search("team_search_index"), None);
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["hits"]["hits"][0]["_source"]["name"], "data");
    let (status, team) = api.call("GET", "/v1/teams/name/data", None);
    assert_eq!(
        (status, &team["id"], &team["teamType"]),
        (200, &json!(id), &json!("Group"))
    );

    let service = json!({"name": "lk", "serviceType": "Looker"});
    api.call("PUT", "/v1/services/dashboardServices", Some(&service));
    let dashboard =
        |kind: &str| json!({"name": "d", "service": "lk", "owners": [{"id": id, "type": kind}]});
    // The id is a team's: as a user it is nobody.
    let (status, refused) = api.call("PUT", "/v1/dashboards", Some(&dashboard("user")));
    assert_eq!(
        (status, refused["message"].as_str()),
        (
            404,
            Some(format!("user instance for {id} not found").as_str())
        )
    );
    let (status, written) = api.call("PUT", "/v1/dashboards", Some(&dashboard("team")));
    assert_eq!(status, 201, "{written}");
    assert_eq!(written["owners"][0]["type"], "team");
}

#[test]
fn only_a_group_owns() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let id = om.add_team_of_type("engineering", "eng@example.com", "Department");
    let (status, team) = api.call("GET", "/v1/teams/name/engineering", None);
    assert_eq!((status, &team["teamType"]), (200, &json!("Department")));
    let service = json!({"name": "af", "serviceType": "Airflow"});
    api.call("PUT", "/v1/services/pipelineServices", Some(&service));
    let pipeline = json!({"name": "etl", "service": "af", "owners": [{"id": id, "type": "team"}]});
    let (status, refused) = api.call("PUT", "/v1/pipelines", Some(&pipeline));
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Team of type Department can't own entities")),
        "{refused}"
    );
}
