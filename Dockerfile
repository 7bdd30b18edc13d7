# Multi-stage build: Maven builds the same jar (and libs/) that ./run.sh runs; the runtime is a JRE only.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package -pl app -am

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 gateway && useradd --system --uid 10001 --gid gateway --no-create-home gateway
WORKDIR /opt/gateway
COPY --from=build /src/app/target/wsgateway.jar ./wsgateway.jar
COPY --from=build /src/app/target/libs ./libs
USER 10001:10001
# Every configuration key can be overridden by an environment variable (SERVER_PORT, DISCOVERY_TYPE, ...);
# a whole file can be mounted and named by GATEWAY_CONFIG. The demo echo service is off in the image.
ENV DEMO_ECHO_ENABLED=false \
    SERVER_PORT=10010 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -Xmn32m -XX:+ExitOnOutOfMemoryError"
EXPOSE 10010
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${GATEWAY_MANAGEMENT_PORT:-${SERVER_PORT}} && printf "GET /application/health/ready HTTP/1.0\r\n\r\n" >&3 && head -n1 <&3 | grep -q " 200 "'
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/gateway/wsgateway.jar"]
