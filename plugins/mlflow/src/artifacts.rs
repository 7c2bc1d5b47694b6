//! Where a model version's files are, and whether omrun can read them. OpenMetadata downloads the
//! `MLmodel` file with MLflow's client, which reads any artifact store its machine can: the
//! tracking server's proxy, a local folder, S3, GCS… omrun's plugin reaches only the tracking
//! server's host, so it reads the files that server serves (`mlflow-artifacts:` locations, from
//! `mlflow server --serve-artifacts`) or that are at an http(s) URL on that host, and says why
//! it cannot read any other.

use crate::uri::{self, Authority};

/// The prefix of MLflow 3.x's sources that name a logged model, `models:/<model id>`.
pub const LOGGED_MODEL_PREFIX: &str = "models:/";
/// The prefix of sources inside a run's artifacts, `runs:/<run id>/<path>`.
pub const RUN_PREFIX: &str = "runs:/";
/// The file of a model that holds its signature.
pub const MLMODEL_FILE: &str = "MLmodel";

/// How to fetch a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetch {
    /// A path in the tracking server's artifact store, fetched through its proxy.
    Served(String),
    /// An http(s) URL on the tracking server's host.
    Url(String),
    /// Inside run `run_id`'s artifacts, at `path`: the run says where those are.
    InRun { run_id: String, path: String },
    /// Nowhere omrun can reach; why.
    Unreadable(String),
}

/// How to fetch `file` in the folder `location` (an artifact URI), for the tracking server at
/// `tracking_url`.
pub fn fetch(location: &str, file: &str, tracking_url: &str) -> Fetch {
    let location = location.trim_end_matches('/');
    let tracking = uri::http_authority(tracking_url);
    if let Some(rest) = location.strip_prefix(RUN_PREFIX) {
        let (run_id, path) = rest.split_once('/').unwrap_or((rest, ""));
        let path = [path, file]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        return Fetch::InRun {
            run_id: run_id.to_owned(),
            path,
        };
    }
    if let Some(rest) = location.strip_prefix("mlflow-artifacts:") {
        // `mlflow-artifacts:/path`, or `mlflow-artifacts://host:port/path` naming the server.
        let path = match rest.strip_prefix("//") {
            Some(with_server) => {
                let server = uri::authority(with_server, default_port(tracking.as_ref()));
                let same = matches!((&server, &tracking), (Some(s), Some(t)) if s.same_server(t));
                if !same {
                    let shown = server.map(|s| s.shown).unwrap_or_default();
                    return Fetch::Unreadable(format!(
                        "its artifacts are served by another MLflow server ({shown}) than \
                         trackingUri's, which omrun cannot reach"
                    ));
                }
                with_server.find('/').map_or("", |at| &with_server[at..])
            }
            None => rest,
        };
        return Fetch::Served(format!("{}/{file}", path.trim_matches('/')));
    }
    if let Some(server) = uri::http_authority(location) {
        return match &tracking {
            Some(t) if server.same_server(t) => Fetch::Url(format!("{location}/{file}")),
            _ => Fetch::Unreadable(format!(
                "its artifacts are at {}, another host than trackingUri's, which omrun cannot \
                 reach",
                server.shown
            )),
        };
    }
    let scheme = uri::scheme(location);
    let kind = match scheme {
        "file" | "plain" => "in a local folder of the machine that logged it".to_owned(),
        other => format!("in `{other}` storage"),
    };
    Fetch::Unreadable(format!(
        "its artifacts ({location}) are {kind}, which omrun cannot read: it reads them only \
         through the tracking server (`mlflow-artifacts:` locations: `mlflow server \
         --serve-artifacts`)"
    ))
}

fn default_port(tracking: Option<&Authority>) -> u16 {
    tracking.map_or(80, Authority::port)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACKING: &str = "http://mlflow:5000";

    #[test]
    fn served_by_the_tracking_server() {
        assert_eq!(
            fetch(
                "mlflow-artifacts:/1/models/m-1/artifacts",
                MLMODEL_FILE,
                TRACKING
            ),
            Fetch::Served("1/models/m-1/artifacts/MLmodel".into())
        );
        assert_eq!(
            fetch(
                "mlflow-artifacts://MLflow:5000/1/r/artifacts/",
                MLMODEL_FILE,
                TRACKING
            ),
            Fetch::Served("1/r/artifacts/MLmodel".into())
        );
        assert_eq!(
            fetch("http://mlflow:5000/files/m", MLMODEL_FILE, TRACKING),
            Fetch::Url("http://mlflow:5000/files/m/MLmodel".into())
        );
    }

    #[test]
    fn inside_a_run() {
        assert_eq!(
            fetch("runs:/abc/model", MLMODEL_FILE, TRACKING),
            Fetch::InRun {
                run_id: "abc".into(),
                path: "model/MLmodel".into()
            }
        );
        assert_eq!(
            fetch("runs:/abc", MLMODEL_FILE, TRACKING),
            Fetch::InRun {
                run_id: "abc".into(),
                path: "MLmodel".into()
            }
        );
    }

    #[test]
    fn out_of_reach() {
        let why = |location: &str| match fetch(location, MLMODEL_FILE, TRACKING) {
            Fetch::Unreadable(why) => why,
            other => panic!("{location}: {other:?}"),
        };
        assert!(why("file:///tmp/mlruns/1/m").contains("local folder"));
        assert!(why("/tmp/mlruns/1/m").contains("local folder"));
        assert!(why("s3://bucket/m").contains("`s3` storage"));
        assert!(
            why("mlflow-artifacts://other:5000/1/m").contains("another MLflow server (other:5000)")
        );
        assert!(why("mlflow-artifacts://mlflow:5001/1/m").contains("(mlflow:5001)"));
        assert!(
            why("https://u:pw@files.example.com/m").contains("at files.example.com, another host")
        );
        assert!(!why("https://u:pw@files.example.com/m").contains("pw"));
    }
}
