"""Registers the MLflow connector tests' models in a real MLflow tracking server, with MLflow's own
Python client, and prints what it made as JSON (the tests' expectations come from here, never
from the connector).

    python seed.py TRACKING_URI LOCAL_ARTIFACT_DIR BULK OUT_JSON

(JSON into a file: MLflow's client prints links to the runs on standard output.)

Models (registered model names):
- churn-classifier: three versions, each from its own run with its own hyper-parameters (C,
  max_iter, solver); a scikit-learn pipeline on numeric, boolean and string inputs, logged with a
  signature; version 3 moved to the (deprecated, still served) Production stage, so the listing's
  `latest_versions` holds version 2 (the newest in stage None) before version 3; a description.
- house-prices: one version, a linear regression on numeric inputs, a Markdown description.
- raw-model: logged without a signature (no features), with parameters.
- tensor-model: a signature over an unnamed numpy tensor (no named columns: no features).
- legacy-2x: a run as MLflow 2.x left it: the signature in its `mlflow.log-model.history` tag
  (with an unnamed column), the version's source `runs:/<run>/model`, no MLmodel file.
- local-store-model: its experiment keeps artifacts in a local folder, not behind the server.
- tmp-scratch: a plain model the filter tests leave out.
- no-run-model: a version whose source is in S3 and has no run: cannot be described.
- empty-model: no version at all: cannot be described.
- bulk-000 … : BULK models sharing one run whose `model/` artifacts hold an MLmodel file, each
  version sourced `runs:/<run>/model`: enough models for the listing to take several pages.
"""

import json
import os
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder  # noqa: E402

tracking_uri, local_artifacts, bulk, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
mlflow.set_tracking_uri(tracking_uri)
client = MlflowClient(tracking_uri)
made = {}
# Given, so that logging a model does not work them out (seconds per model).
REQUIREMENTS = ["scikit-learn"]


def record(name, version, run_id=None, params=None, features=None, description=None):
    """What a model's latest version holds, as the tests expect to read it."""
    run = client.get_run(run_id) if run_id else None
    made[name] = {
        "version": str(version),
        "run_id": run_id,
        "artifact_uri": run.info.artifact_uri if run else None,
        "params": params or {},
        # [name, "numerical" | "categorical"] in signature order.
        "features": features,
        "description": description,
    }


def latest(name):
    return max(int(v.version) for v in client.search_model_versions(f"name='{name}'"))


# --- churn-classifier: three versions, numeric, boolean and string inputs -----------------------
churn = pd.DataFrame(
    {
        "age": np.array([23, 45, 31, 52, 38, 27], dtype="int64"),
        "monthly_spend": [19.5, 80.0, 35.2, 99.9, 45.0, 22.1],
        "is_active": [True, False, True, True, False, True],
        "plan": ["basic", "premium", "basic", "premium", "standard", "basic"],
    }
)
churned = [0, 1, 0, 1, 1, 0]
mlflow.set_experiment("churn")
for c, max_iter, solver in [(0.1, 100, "lbfgs"), (1.0, 200, "lbfgs"), (10.0, 300, "liblinear")]:
    pipeline = Pipeline(
        [
            ("encode", ColumnTransformer([("plan", OneHotEncoder(), ["plan"])], remainder="passthrough")),
            ("classify", LogisticRegression(C=c, max_iter=max_iter, solver=solver)),
        ]
    )
    pipeline.fit(churn, churned)
    params = {"C": str(c), "max_iter": str(max_iter), "solver": solver}
    with mlflow.start_run() as run:
        mlflow.log_params(params)
        mlflow.sklearn.log_model(
            pipeline,
            name="model",
            signature=infer_signature(churn, pipeline.predict(churn)),
            pip_requirements=REQUIREMENTS,
            registered_model_name="churn-classifier",
        )
    churn_run, churn_params = run.info.run_id, params
client.update_registered_model("churn-classifier", description="Predicts which customers leave.")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    client.transition_model_version_stage("churn-classifier", "3", "Production")
record(
    "churn-classifier",
    latest("churn-classifier"),
    churn_run,
    churn_params,
    [["age", "numerical"], ["monthly_spend", "numerical"], ["is_active", "numerical"], ["plan", "categorical"]],
    "Predicts which customers leave.",
)

# --- house-prices: numeric inputs, a Markdown description ---------------------------------------
houses = pd.DataFrame({"sqft": [50.0, 80.0, 120.0, 65.0], "rooms": np.array([2, 3, 5, 2], dtype="int64")})
prices = [150.0, 240.0, 390.0, 180.0]
description = "Estimates a **house's price**.\n\nTrained on the 2024 listings."
mlflow.set_experiment("houses")
with mlflow.start_run() as run:
    regression = LinearRegression(fit_intercept=True).fit(houses, prices)
    mlflow.log_param("fit_intercept", "True")
    mlflow.sklearn.log_model(
        regression,
        name="model",
        signature=infer_signature(houses, regression.predict(houses)),
        pip_requirements=REQUIREMENTS,
            registered_model_name="house-prices",
    )
client.update_registered_model("house-prices", description=description)
record(
    "house-prices",
    1,
    run.info.run_id,
    {"fit_intercept": "True"},
    [["sqft", "numerical"], ["rooms", "numerical"]],
    description,
)

# --- raw-model: no signature ---------------------------------------------------------------------
with mlflow.start_run() as run:
    ridge = Ridge(alpha=0.25).fit(houses, prices)
    mlflow.log_params({"alpha": "0.25", "solver": "auto"})
    mlflow.sklearn.log_model(
        ridge, name="model", pip_requirements=REQUIREMENTS, registered_model_name="raw-model"
    )
record("raw-model", 1, run.info.run_id, {"alpha": "0.25", "solver": "auto"}, None)

# --- tensor-model: a signature without column names ---------------------------------------------
with mlflow.start_run() as run:
    matrix = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    tensor = LinearRegression().fit(matrix, [1.0, 2.0, 3.0])
    mlflow.sklearn.log_model(
        tensor,
        name="model",
        signature=infer_signature(matrix, tensor.predict(matrix)),
        pip_requirements=REQUIREMENTS,
            registered_model_name="tensor-model",
    )
record("tensor-model", 1, run.info.run_id, {}, None)

# --- legacy-2x: the signature in the run tag MLflow 2.x wrote -----------------------------------
with mlflow.start_run() as run:
    mlflow.log_param("alpha", "0.5")
inputs = [
    {"type": "string", "name": "city"},
    {"type": "double", "name": "distance_km"},
    # A column without a name (a tensor's): not a feature.
    {"type": "long"},
]
history = [
    {
        "run_id": "0123456789abcdef0123456789abcdef",
        "artifact_path": "older",
        "utc_time_created": "2024-01-01 00:00:00.000000",
        "flavors": {},
        "signature": {"inputs": json.dumps([{"type": "double", "name": "not_this_run"}])},
    },
    {
        "run_id": run.info.run_id,
        "artifact_path": "model",
        "utc_time_created": "2024-01-02 00:00:00.000000",
        "flavors": {"python_function": {"loader_module": "mlflow.sklearn"}},
        "model_uuid": "5c1d0f0e6d8a4d1b9c3e2f1a0b9c8d7e",
        "mlflow_version": "2.9.2",
        "signature": {
            "inputs": json.dumps(inputs),
            "outputs": json.dumps([{"type": "double"}]),
        },
    },
]
client.set_tag(run.info.run_id, "mlflow.log-model.history", json.dumps(history))
client.create_registered_model("legacy-2x")
client.create_model_version("legacy-2x", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
record(
    "legacy-2x",
    1,
    run.info.run_id,
    {"alpha": "0.5"},
    [["city", "categorical"], ["distance_km", "numerical"]],
)

# --- local-store-model: artifacts in a local folder the server does not serve -------------------
local_experiment = client.create_experiment("local-store", artifact_location=f"file://{local_artifacts}")
with mlflow.start_run(experiment_id=local_experiment) as run:
    local = LinearRegression().fit(houses, prices)
    mlflow.log_param("fit_intercept", "True")
    mlflow.sklearn.log_model(
        local,
        name="model",
        signature=infer_signature(houses, local.predict(houses)),
        pip_requirements=REQUIREMENTS,
            registered_model_name="local-store-model",
    )
record(
    "local-store-model",
    1,
    run.info.run_id,
    {"fit_intercept": "True"},
    [["sqft", "numerical"], ["rooms", "numerical"]],
)

# --- tmp-scratch: left out by the filter tests --------------------------------------------------
mlflow.set_experiment("scratch")
with mlflow.start_run() as run:
    mlflow.log_param("seed", "42")
client.create_registered_model("tmp-scratch")
client.create_model_version("tmp-scratch", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
record("tmp-scratch", 1, run.info.run_id, {"seed": "42"}, None)

# --- models that cannot be described -------------------------------------------------------------
client.create_registered_model("no-run-model", description="Registered from a bucket.")
client.create_model_version("no-run-model", source="s3://models-bucket/no-run-model/1")
client.create_registered_model("empty-model")
cannot = ["empty-model", "no-run-model"]

# --- bulk: many models on one run, sourced runs:/<run>/model ------------------------------------
mlflow.set_experiment("bulk")
with mlflow.start_run() as run, tempfile.TemporaryDirectory() as saved:
    mlflow.log_param("shared", "yes")
    mlflow.sklearn.save_model(
        regression,
        f"{saved}/model",
        signature=infer_signature(houses, regression.predict(houses)),
        pip_requirements=REQUIREMENTS,
    )
    mlflow.log_artifacts(f"{saved}/model", artifact_path="model")
for i in range(bulk):
    name = f"bulk-{i:03d}"
    client.create_registered_model(name)
    client.create_model_version(name, source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    record(name, 1, run.info.run_id, {"shared": "yes"}, [["sqft", "numerical"], ["rooms", "numerical"]])

with open(out, "w", encoding="utf-8") as f:
    json.dump({"models": made, "cannot_describe": cannot}, f, indent=1, sort_keys=True)
