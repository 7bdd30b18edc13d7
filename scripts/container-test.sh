#!/usr/bin/env bash
# Builds the gateway's container image with podman from base images made on this machine, runs it, and checks it:
#   - the gateway process runs as the non-root user 10001;
#   - the Dockerfile names its base images fully (docker.io/library/...) and its default runtime image has the Java
#     major version CI tests with (scripts/java-env.sh);
#   - the image's HEALTHCHECK reports healthy once discovery is ready (`podman healthcheck run`), probing the port the
#     gateway really listens on (here the management port of the mounted file);
#   - a Node `ws` client on the host echoes through the containerised gateway to a Node `ws` service on the host
#     (config file mounted and named by GATEWAY_CONFIG; the port is the file's: the image sets none);
#   - `podman stop` (SIGTERM) drains: the open session keeps running for the drain period, then gets 1001, and the
#     container exits 0;
#   - prints the image size.
# Public registries are unreachable here, so the base image is made locally: `debootstrap --variant=minbase` of the
# Debian release apt is configured with (cached as a tarball and as a podman image), plus a JRE linked with jlink
# from this machine's JDK (scripts/java-env.sh). The image packages the jar built on the host (`--target prebuilt`);
# CONTAINER_TEST_MAVEN_BUILD=1 builds the default target instead (./mvnw inside the image; slow: downloads Maven
# and every dependency).
# Needs root, podman, runc, debootstrap, Node.js (`npm ci --prefix app/src/test/node`). Exit status 3: this machine
# cannot run containers (said in one line); any other non-zero status: a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh
started=$(date +%s)
say() { echo "container-test: $*"; }
cannot() { echo "container-test: this machine cannot run containers: $*" >&2; exit 3; }
fail() { echo "container-test: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || cannot "needs root (debootstrap, rootful podman)"
export PATH="$PATH:/usr/sbin:/sbin"
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || cannot "'$tool' is not installed (Debian: apt-get install podman runc debootstrap)"
done
command -v node >/dev/null 2>&1 || fail "needs Node.js for the WebSocket peers"
[ -d app/src/test/node/node_modules ] || npm ci --no-audit --no-fund --prefix app/src/test/node >/dev/null

# crun's and runc's setrlimit is refused in some sandboxes: podman must not set default ulimits.
if [ ! -f /etc/containers/containers.conf ]; then
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = []\n' >/etc/containers/containers.conf
elif ! grep -q '^ *default_ulimits' /etc/containers/containers.conf; then
  say "note: /etc/containers/containers.conf has no default_ulimits = [] (needed where setrlimit is refused)"
fi
podman=(podman --runtime runc)

# ---- the Dockerfile's defaults: fully named base images, the JRE major version CI tests with -----------------------
jdk_major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
for arg in BUILD_IMAGE RUNTIME_IMAGE; do
  default=$(sed -n "s/^ARG $arg=//p" Dockerfile)
  case "$default" in
    docker.io/library/*|*.*/*) ;;
    *) fail "Dockerfile: $arg=$default is not fully named (docker.io/library/...)" ;;
  esac
  [ "${default##*:}" = "$jdk_major-jdk" ] || [ "${default##*:}" = "$jdk_major-jre" ] \
    || fail "Dockerfile: $arg=$default is not Java $jdk_major, the version CI tests with ($JAVA_HOME)"
done
say "Dockerfile defaults: $(sed -n 's/^ARG RUNTIME_IMAGE=//p' Dockerfile) (Java $jdk_major, as CI)"

# ---- base image: Debian minbase + a JRE from this machine's JDK -------------------------------------------------
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$release" ] || cannot "no Debian release in /etc/os-release to debootstrap"
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v rel="$release" '
  /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == rel) { print uri; exit } }')
[ -n "$mirror" ] || mirror=$(awk -v rel="$release" '$1 == "deb" && $3 == rel { print $2; exit }' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
jdk_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$JAVA_HOME/release")
base_image="localhost/wsgateway-base:$release-jre$jdk_version"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/wsgateway-container"
work=$(mktemp -d)
container=
pids=()
cleanup() {
  [ -z "$container" ] || "${podman[@]}" rm -f -t 0 "$container" >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  exec 7>&- 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if "${podman[@]}" image exists "$base_image"; then
  say "base image $base_image (cached)"
else
  t0=$(date +%s)
  mkdir -p "$cache"
  rootfs_tar="$cache/debian-$release-minbase.tar"
  if [ ! -f "$rootfs_tar" ]; then
    say "debootstrap --variant=minbase $release from $mirror (about a minute)"
    debootstrap --variant=minbase "$release" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$work/rootfs"
  fi
  # a JRE: every module of the JDK except development tools (what a JRE image carries)
  modules=$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//' | grep -Ev \
    '^jdk\.(compiler|javadoc|jshell|jdeps|jlink|jpackage|jartool|editpad|jconsole|jdi|jstatd|hotspot\.agent|internal\.(ed|le|opt)|graal\..*|incubator\..*)$' \
    | paste -sd, -)
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$work/jre/opt/java/jre" >/dev/null
  cp "$rootfs_tar" "$work/base.tar"
  tar -C "$work/jre" -rf "$work/base.tar" ./opt/java/jre
  "${podman[@]}" import --change 'ENV JAVA_HOME=/opt/java/jre' \
    --change 'ENV PATH=/opt/java/jre/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' "$work/base.tar" "$base_image" >/dev/null
  rm -rf "$work/base.tar" "$work/jre"
  say "base image $base_image made in $(( $(date +%s) - t0 )) s"
fi
"${podman[@]}" run --rm --network host "$base_image" java -version >"$work/preflight.log" 2>&1 \
  || cannot "podman run of the base image failed: $(tail -n 1 "$work/preflight.log")"

# ---- the gateway image -------------------------------------------------------------------------------------------
image=localhost/wsgateway:container-test${CONTAINER_TEST_MAVEN_BUILD:+-maven}
t0=$(date +%s)
if [ "${CONTAINER_TEST_MAVEN_BUILD:-}" = 1 ]; then
  say "building the image with ./mvnw inside (BUILD_IMAGE: this machine's JDK on $release)"
  build_image="localhost/wsgateway-build:$release-jdk$jdk_version"
  if ! "${podman[@]}" image exists "$build_image"; then
    cp "$cache/debian-$release-minbase.tar" "$work/build.tar"
    mkdir -p "$work/jdk/opt/java" && cp -rL "$JAVA_HOME" "$work/jdk/opt/java/jdk"   # -L: Debian-style cacerts is a link into /etc
    tar -C "$work/jdk" -rf "$work/build.tar" ./opt/java/jdk
    "${podman[@]}" import --change 'ENV JAVA_HOME=/opt/java/jdk' \
      --change 'ENV PATH=/opt/java/jdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      "$work/build.tar" "$build_image" >/dev/null
    rm -rf "$work/build.tar" "$work/jdk"
  fi
  "${podman[@]}" build --format docker --network host --build-arg BUILD_IMAGE="$build_image" \
    --build-arg RUNTIME_IMAGE="$base_image" -t "$image" . >"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" >&2; fail "podman build failed"; }
else
  jar=app/target/wsgateway.jar
  if [ ! -f "$jar" ] || [ -n "$(find pom.xml */pom.xml */src/main -newer "$jar" -type f 2>/dev/null | head -n1)" ]; then
    say "building the jar: ./mvnw -DskipTests package -pl app -am"
    ./mvnw -q -B -DskipTests package -pl app -am
  fi
  "${podman[@]}" build --format docker --network host --target prebuilt --build-arg RUNTIME_IMAGE="$base_image" \
    -t "$image" . >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; fail "podman build failed"; }
fi
say "image built in $(( $(date +%s) - t0 )) s"

# ---- run it: a Node ws service on the host, the gateway in the container (host network) ---------------------------
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
node app/src/test/node/upstream.js 0 >"$work/upstream.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '"port"' "$work/upstream.out" 2>/dev/null && break; sleep 0.1; done
upstream_port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/upstream.out")
[ -n "$upstream_port" ] || fail "the Node upstream did not start: $(cat "$work/upstream.out")"
port=$(free_port)
management_port=$(free_port)
drain=3
cat >"$work/gateway.yaml" <<EOF
server:
  port: $port             # the only place the port is set: the image sets none
gateway:
  management:
    port: $management_port    # the HEALTHCHECK must find it (gateway.ports-file), not assume the gateway port
  shutdown:
    drain-period: PT${drain}S
discovery:
  type: static
  static:
    services:
      - serviceId: hostecho
        instances:
          - host: 127.0.0.1
            port: $upstream_port
            metadata-map:
              apiml:
                routes:
                  ws_v1:
                    gatewayUrl: "ws/v1"
                    serviceUrl: /echo
EOF
chmod 644 "$work/gateway.yaml"
chmod 755 "$work"
container=wsgateway-container-test-$$
t_run=$(date +%s)
"${podman[@]}" run -d --name "$container" --network host -v "$work/gateway.yaml:/etc/wsgateway/gateway.yaml:ro" \
  -e GATEWAY_CONFIG=/etc/wsgateway/gateway.yaml "$image" >/dev/null 2>"$work/run.log" \
  || { cat "$work/run.log" >&2; fail "podman run failed"; }
# (without systemd podman logs that it cannot add the healthcheck timer: `podman healthcheck run` below runs it)

# HEALTHCHECK: unhealthy until the gateway listens and discovery is ready, then healthy
healthy=
for _ in $(seq 60); do
  if "${podman[@]}" healthcheck run "$container" >/dev/null 2>&1; then healthy=yes; break; fi
  [ "$("${podman[@]}" inspect --format '{{.State.Running}}' "$container")" = true ] \
    || { "${podman[@]}" logs "$container" >&2; fail "the container exited"; }
  sleep 1
done
[ -n "$healthy" ] || { "${podman[@]}" logs "$container" >&2; fail "HEALTHCHECK never reported healthy"; }
status=$("${podman[@]}" inspect --format '{{.State.Health.Status}}' "$container")
[ "$status" = healthy ] || fail "podman inspect says the container is $status"
say "HEALTHCHECK healthy $(( $(date +%s) - t_run )) s after podman run"
curl -sf "http://127.0.0.1:$management_port/application/health/ready" >/dev/null \
  || fail "the management port $management_port of the mounted file is not served"
! curl -sf -o /dev/null "http://127.0.0.1:$port/application/health/ready" \
  || fail "health is served on the gateway port $port although the file moved it to the management port"
say "the mounted GATEWAY_CONFIG file's ports are honoured (gateway $port, management $management_port)"

# non-root: the gateway's JVM as the host sees it (rootful podman, no user namespace: container uid = host uid)
pid=$("${podman[@]}" inspect --format '{{.State.Pid}}' "$container")
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
comm=$(cat "/proc/$pid/comm")
[ "$uid" = 10001 ] || fail "the gateway process ($comm) runs as uid $uid, not 10001"
say "process $comm runs as uid $uid (non-root)"

# echo through the gateway; the session stays open for the drain check
mkfifo "$work/client.in"
node app/src/test/node/client.js "ws://127.0.0.1:$port/ws/v1/hostecho/container" <"$work/client.in" >"$work/client.out" 2>&1 &
pids+=($!)
exec 7>"$work/client.in"
for _ in $(seq 300); do [ -s "$work/client.out" ] && break; sleep 0.1; done
grep -q '"echoes":\["hello ☃","fragmented ☃","binary:102400:ok"\]' "$work/client.out" \
  || fail "no echo through the container: $(cat "$work/client.out")"
say "echo through the containerised gateway: $(head -n1 "$work/client.out")"

# SIGTERM: the session runs on for the drain period, then gets 1001
t_stop=$(date +%s%N)
"${podman[@]}" stop -t 30 "$container" >/dev/null 2>>"$work/run.log" &
stopper=$!
for _ in $(seq 200); do grep -q closeCode "$work/client.out" && break; sleep 0.1; done
t_close=$(date +%s%N)
wait "$stopper" || fail "podman stop failed"
close=$(grep closeCode "$work/client.out" || true)
grep -q '"closeCode":1001' <<<"$close" || fail "the session did not get 1001 on SIGTERM: ${close:-no close}"
waited_ms=$(( (t_close - t_stop) / 1000000 ))
[ "$waited_ms" -ge $(( drain * 1000 - 300 )) ] || fail "1001 after ${waited_ms} ms, before the ${drain} s drain period"
# the stopped container's log, read once; to a file, since `podman logs | grep -q` fails under pipefail when grep's
# early exit makes podman's next write fail
"${podman[@]}" logs "$container" >"$work/container.log" 2>&1 || fail "podman logs failed"
exit_code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$container")
[ "$exit_code" = 0 ] || { tail -n 20 "$work/container.log" >&2; fail "exit code $exit_code after a drained SIGTERM, not 0"; }
say "podman stop: the session got $close after ${waited_ms} ms (drain period ${drain} s); exit code $exit_code"
grep -q 'session .* opened' "$work/container.log" \
  || { tail -n 20 "$work/container.log" >&2; fail "no session log line in the container's log"; }

size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
base_size=$("${podman[@]}" image inspect --format '{{.Size}}' "$base_image")
say "image $image: $(( size / 1024 / 1024 )) MiB (base $base_image: $(( base_size / 1024 / 1024 )) MiB, gateway layers $(( (size - base_size) / 1024 / 1024 )) MiB)"
say "PASSED in $(( $(date +%s) - started )) s"
