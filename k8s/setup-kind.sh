#!/usr/bin/env bash
# A local Kubernetes cluster ready for omrun's Argo mode: a kind cluster (or an existing cluster,
# e.g. Docker Desktop's), Argo Workflows from its quick-start manifest, the omrun image built from
# k8s/Dockerfile and loaded into the cluster, and omrun's ServiceAccounts and Roles (k8s/rbac.yaml).
# Running it again reuses what is already there.
#
#   k8s/setup-kind.sh                            a kind cluster named `omrun`
#   k8s/setup-kind.sh --context docker-desktop   an existing cluster; kind is not used
#
# Options:
#   --context CONTEXT     use this kubectl context instead of a kind cluster
#   --cluster NAME        the kind cluster's name (default: omrun)
#   --argo-version VER    the Argo Workflows release to install (default: $ARGO_VERSION, else v4.1.2);
#                         an Argo already installed in namespace `argo` is left as it is
#   --skip-build          do not build the image; use the omrun:<version> already in Docker
#   -h, --help            this text
#
# Needs docker (with BuildKit, the default builder since Docker 23), kubectl, and kind unless
# --context is given. Nothing here needs the omrun binary; the walk-through in k8s/README.md does.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
argo_version="${ARGO_VERSION:-v4.1.2}"
cluster=omrun
context=""
build=1

usage() { sed -n '2,/^set -euo pipefail/{/^set -euo pipefail/d;s/^# \{0,1\}//;p;}' "${BASH_SOURCE[0]}"; }
die() { printf 'setup-kind.sh: %s\n' "$*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*" >&2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --context) [[ $# -ge 2 ]] || die "--context needs a kubectl context"; context="$2"; shift 2 ;;
        --cluster) [[ $# -ge 2 ]] || die "--cluster needs a name"; cluster="$2"; shift 2 ;;
        --argo-version) [[ $# -ge 2 ]] || die "--argo-version needs a release, e.g. v4.1.2"; argo_version="$2"; shift 2 ;;
        --skip-build) build=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument \`$1\` (see --help)" ;;
    esac
done

need() {
    command -v "$1" >/dev/null 2>&1 || die "\`$1\` is not installed (or not on PATH); install it: $2"
}
need docker "https://docs.docker.com/get-docker/"
need kubectl "https://kubernetes.io/docs/tasks/tools/"
use_kind=0
if [[ -z $context ]]; then
    use_kind=1
    need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
fi
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer (\`docker info\` failed): start Docker first"

# The image tag is the workspace version, as `omrun argo render` defaults to omrun:<version>.
version="$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$repo/Cargo.toml")"
[[ -n $version ]] || die "cannot read [workspace.package] version from $repo/Cargo.toml"
image="omrun:$version"

if [[ $use_kind == 1 ]]; then
    if kind get clusters 2>/dev/null | grep -qx -- "$cluster"; then
        step "Using the existing kind cluster \`$cluster\`"
    else
        step "Creating the kind cluster \`$cluster\`"
        kind create cluster --name "$cluster" --wait 180s
    fi
    context="kind-$cluster"
else
    kubectl config get-contexts "$context" >/dev/null 2>&1 ||
        die "no kubectl context named \`$context\` (\`kubectl config get-contexts\` lists them)"
fi
k() { kubectl --context "$context" "$@"; }
k cluster-info >/dev/null || die "the cluster of context \`$context\` does not answer"

step "Namespace argo (k8s/namespace.yaml)"
k apply -f "$repo/k8s/namespace.yaml"

if k -n argo get deployment workflow-controller >/dev/null 2>&1; then
    step "Argo Workflows is already installed in namespace argo; leaving it as it is"
else
    step "Installing Argo Workflows $argo_version (quick-start-minimal.yaml)"
    # Server-side apply: Argo's CRDs are too large for the annotation client-side apply writes.
    k apply --server-side -n argo \
        -f "https://github.com/argoproj/argo-workflows/releases/download/$argo_version/quick-start-minimal.yaml"
fi
k -n argo rollout status deployment/workflow-controller --timeout=300s
k -n argo rollout status deployment/argo-server --timeout=300s

step "ServiceAccounts, Roles and the submitter's token Secret (k8s/rbac.yaml)"
k apply -f "$repo/k8s/rbac.yaml"

if [[ $build == 1 ]]; then
    step "Building $image from k8s/Dockerfile (the first build compiles wasmtime: several minutes)"
    DOCKER_BUILDKIT=1 docker build -f "$repo/k8s/Dockerfile" -t "$image" "$repo"
fi
docker image inspect "$image" >/dev/null 2>&1 || die "there is no image $image in Docker: run without --skip-build"

if [[ $use_kind == 1 ]]; then
    step "Loading $image into the kind cluster \`$cluster\`"
    if ! kind load docker-image "$image" --name "$cluster"; then
        # With Docker's containerd image store, kind cannot always import what `docker save` writes
        # ("content digest ... not found"); an archive of the one platform the nodes run works.
        step "Retrying with a single-platform image archive"
        archive_dir="$(mktemp -d)"
        trap 'rm -rf "$archive_dir"' EXIT
        platform="$(docker version --format '{{.Server.Os}}/{{.Server.Arch}}')"
        docker image save --platform "$platform" -o "$archive_dir/omrun.tar" "$image"
        kind load image-archive "$archive_dir/omrun.tar" --name "$cluster"
    fi
else
    step "Not loading $image anywhere: it is in the local Docker engine only"
    printf '%s\n' \
        "Docker Desktop's built-in cluster runs images from that engine. Any other cluster must pull it:" \
        "push it to a registry the nodes can reach and set workflowConfig.distributedExecution.image." >&2
fi

cat <<EOF

Ready: Argo Workflows in namespace argo (context $context), image $image, omrun's RBAC.

Next (k8s/README.md has the whole walk-through):

  1. The Secret holding your config's \${VAR}s (keys named like the variables):
       kubectl --context $context -n argo create secret generic omrun-secrets \\
         --from-literal=PG_PASSWORD='...' --from-literal=OM_JWT_TOKEN='...'

  2. The ConfigMap holding your config (orchestrator: argo):
       omrun argo render -c config.yaml --config-map | kubectl --context $context apply -f -

  3. The Argo Server, in another terminal (UI at https://localhost:2746, self-signed certificate):
       kubectl --context $context -n argo port-forward svc/argo-server 2746:2746

  4. A token for the Argo Server, as omrun-submitter (this one expires after an hour; the
     "Bearer " prefix is what the argo CLI wants, omrun takes the token with or without it):
       export ARGO_TOKEN="Bearer \$(kubectl --context $context -n argo create token omrun-submitter)"
     or the long-lived one from the Secret k8s/rbac.yaml created:
       export ARGO_TOKEN="Bearer \$(kubectl --context $context -n argo get secret omrun-submitter.service-account-token \\
         -o jsonpath='{.data.token}' | base64 --decode)"

  5. Run it (argoServer.url: https://localhost:2746, insecureSkipVerify: true in the config):
       omrun ingest -c config.yaml
EOF
