#!/usr/bin/env bash
# Runs the demo project against a local moto that this script starts on a
# free 127.0.0.1 port and stops when it ends. Called by `make demo`.
# moto runs through the project's launcher, which makes ECS deployments move
# as AWS's do; the demo works on a copy of the project whose Terraform state
# names the network moto made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
TAMP=${TAMP:-tamp}

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$here/../../internal/e2e/motoserver.py" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || { echo "moto did not start:"; cat "$work/moto.log"; exit 1; }
  sleep 0.1
done

# Only the local emulator is ever contacted.
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo
export AWS_RESPONSE_CHECKSUM_VALIDATION=when_required AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export IMAGE_TAG=v1

cp -R "$here/." "$work/demo"
cd "$work/demo"
python3 seed_moto.py "$AWS_ENDPOINT_URL" terraform.tfstate

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() {
  printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"
  "$@"
}

echo "tamp demo: a web service and a worker sharing one image, and a batch task,"
echo "with subnets, roles and the target group read from terraform.tfstate."
echo "moto (local AWS emulator) is listening on 127.0.0.1:$port."

step "$TAMP" version
step "$TAMP" render config
step "$TAMP" render taskdefs --only web
echo "# everything the definitions point at, checked against AWS before any change"
step "$TAMP" verify
echo "# an image tag never pushed: verify says so, and deploy --verify would stop there"
IMAGE_TAG=v9 step "$TAMP" verify --only web || echo "(exit $?)"
step "$TAMP" register --dry-run --only batch
step "$TAMP" register
echo "# again, nothing changed: every revision is reused"
step "$TAMP" register
echo "# the services do not exist yet: diff shows what deploy will create"
step "$TAMP" diff --format markdown
step "$TAMP" deploy
echo "# after the deploy, nothing differs"
step "$TAMP" diff --exit-code
export IMAGE_TAG=v2
echo "# a new image tag: the diff a pull request would show, then the deploy"
step "$TAMP" diff --only web
step "$TAMP" deploy --debug
step "$TAMP" status --only web --events 3
echo "# the batches run the revision deploy registered"
step "$TAMP" scheduled list
echo "# maintenance: every batch off, then back as the config says"
step "$TAMP" scheduled sync --disable-all
step "$TAMP" scheduled sync
echo "# and back"
step "$TAMP" rollback
step "$TAMP" status --only web --events 2
echo
echo "# blue/green: api is a CODE_DEPLOY service (bluegreen.yaml); CodeDeploy moves its revisions"
export IMAGE_TAG=v1
step "$TAMP" deploy --config bluegreen.yaml
export IMAGE_TAG=v2
echo "# the diff says which changes go through CodeDeploy"
step "$TAMP" diff --config bluegreen.yaml
step "$TAMP" appspec --config bluegreen.yaml
step "$TAMP" deploy --config bluegreen.yaml
step "$TAMP" status --config bluegreen.yaml --events 1
echo "# and back, through a CodeDeploy deployment of the revision before"
step "$TAMP" rollback --config bluegreen.yaml
step "$TAMP" status --config bluegreen.yaml --events 1
echo
echo "demo finished; moto is stopped."
