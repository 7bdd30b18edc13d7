package dev.wsgateway.eurekatestserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.netflix.eureka.server.EnableEurekaServer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Standalone Eureka server for integration tests. Start with {@code --server.port=N}; {@code --test.basic-auth=user:pw}
 * makes every request need those Basic credentials (as Zowe's Discovery Service in HTTP mode); the {@code server.ssl.*}
 * properties of Spring Boot give HTTPS and client certificates.
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

    /**
     * Basic authentication on every request when {@code test.basic-auth} is set (else nothing is checked); ordered
     * first, before the Jersey filter that serves Eureka's API.
     *
     * @param credentials {@code user:password}, empty for none
     * @return servlet filter
     */
    @Bean
    static Filter basicAuthentication(@Value("${test.basic-auth:}") String credentials) {
        return new BasicAuthFilter(credentials);
    }

    private static final class BasicAuthFilter implements Filter, Ordered {
        private final String expected;

        BasicAuthFilter(String credentials) {
            expected = credentials.isEmpty() ? null
                    : "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (expected != null && !expected.equals(((HttpServletRequest) request).getHeader("Authorization"))) {
                HttpServletResponse http = (HttpServletResponse) response;
                http.setHeader("WWW-Authenticate", "Basic realm=\"eureka\"");
                http.setStatus(401);
                return;
            }
            chain.doFilter(request, response);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }
}
