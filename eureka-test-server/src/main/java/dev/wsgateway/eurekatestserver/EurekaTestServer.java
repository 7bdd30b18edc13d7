package dev.wsgateway.eurekatestserver;

import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.netflix.eureka.server.EnableEurekaServer;
import org.springframework.context.annotation.Bean;

/**
 * Standalone Eureka server for integration tests. Start with {@code --server.port=N}.
 */
@SpringBootApplication
@EnableEurekaServer
public class EurekaTestServer {

    public static void main(String[] args) {
        SpringApplication.run(EurekaTestServer.class, args);
    }

    /**
     * Without this, a heartbeat for an unknown instance is answered with a 404 whose body the Netflix client cannot
     * parse, and the client never re-registers (for example after the server restarted). Letting Jersey set the
     * status itself instead of calling {@code sendError} keeps the plain 404 the client expects.
     *
     * @return post processor that sets the Jersey property on every {@link ResourceConfig}
     */
    @Bean
    static BeanPostProcessor jerseyStatusOverSendError() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof ResourceConfig rc) {
                    rc.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
                }
                return bean;
            }
        };
    }
}
