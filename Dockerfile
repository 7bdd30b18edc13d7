# The gateway's image: the same jar (and libs/) that ./run.sh runs, on a JRE, as a non-root user.
#
#   docker build -t wsgateway .                       builds the jar with ./mvnw in a JDK stage, then the image
#   docker build --target prebuilt -t wsgateway .     packages app/target/wsgateway.jar + app/target/libs as built
#                                                     on the host (./mvnw -DskipTests package -pl app -am): no Maven
#                                                     in the image
# Base images are build arguments (defaults: the public Eclipse Temurin images, fully named so that podman and Docker
# resolve them alike; Java 25, the JDK ./test.sh and CI test with, see scripts/java-env.sh), e.g. for images made
# locally:
#   --build-arg BUILD_IMAGE=localhost/my-jdk --build-arg RUNTIME_IMAGE=localhost/my-jre
# The runtime image needs java on the PATH, bash (HEALTHCHECK), groupadd/useradd; the build image a JDK 21+.
ARG BUILD_IMAGE=docker.io/library/eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=docker.io/library/eclipse-temurin:25-jre

FROM ${RUNTIME_IMAGE} AS runtime
RUN groupadd --system --gid 10001 gateway && useradd --system --uid 10001 --gid gateway --no-create-home gateway
WORKDIR /opt/gateway
USER 10001:10001
# Every configuration key can be overridden by an environment variable (SERVER_PORT, DISCOVERY_TYPE, ...); a whole
# file can be mounted and named by GATEWAY_CONFIG. The image sets no port: it comes from one place, the bundled
# default (10010), the mounted file or a variable the operator sets. The demo echo service is off in the image.
ENV DEMO_ECHO_ENABLED=false \
    GATEWAY_PORTS_DASH_FILE=/tmp/wsgateway.ports \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -Xmn32m -XX:+ExitOnOutOfMemoryError"
EXPOSE 10010
# The gateway writes where its observe endpoints listen (gateway.ports-file: "http 127.0.0.1 10010", the management
# port when set) once it listens; the check probes exactly that. HTTP/1.1: Helidon closes an HTTP/1.0 request
# without an answer. An https observe port cannot be probed from bash: give a TLS gateway a plain management port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD bash -c 'read -r scheme host port < "$GATEWAY_PORTS_DASH_FILE" && [ "$scheme" = http ] && exec 3<>"/dev/tcp/$host/$port" && printf "GET /application/health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" >&3 && head -n1 <&3 | grep -q " 200 "'
# On 2 CPUs or fewer, one carrier thread for the virtual threads (measured: bench/RESULTS.md, 2026-12-02); a
# -Djdk.virtualThreadScheduler.parallelism in JAVA_OPTS comes later on the command line and wins.
ENTRYPOINT ["sh", "-c", "c=; [ \"$(nproc)\" -le 2 ] && c=-Djdk.virtualThreadScheduler.parallelism=1; exec java $c $JAVA_OPTS -jar /opt/gateway/wsgateway.jar"]

# --target prebuilt: the jar and libs/ from the build context (see .dockerignore: only these two of target/ are sent)
FROM runtime AS prebuilt
COPY app/target/wsgateway.jar ./wsgateway.jar
COPY app/target/libs ./libs

# The Maven Wrapper downloads Maven (the version in .mvn/wrapper/maven-wrapper.properties) from Maven Central.
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY . .
RUN rm -rf app/target && ./mvnw -B -q -DskipTests package -pl app -am

# Default target: the jar built above.
FROM runtime
COPY --from=build /src/app/target/wsgateway.jar ./wsgateway.jar
COPY --from=build /src/app/target/libs ./libs
