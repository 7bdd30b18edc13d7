# Sourced by run.sh and bench/run.sh: the JVM flags the gateway starts with.
#   GATEWAY_HEAP_FLAGS     heap sizing
#   GATEWAY_CARRIER_FLAGS  on 2 CPUs or fewer, one carrier thread for the virtual threads: half the CPU per relayed
#                          1 KiB message and 1.4x the throughput, at a higher p99 with 50 ping-pong connections and a
#                          longer failover gap (bench/RESULTS.md, 2026-12-02); empty on larger machines (not measured)
GATEWAY_HEAP_FLAGS="-Xms128m -Xmx1g -Xmn32m"
GATEWAY_CARRIER_FLAGS=""
if [ "$(nproc)" -le 2 ]; then GATEWAY_CARRIER_FLAGS="-Djdk.virtualThreadScheduler.parallelism=1"; fi
