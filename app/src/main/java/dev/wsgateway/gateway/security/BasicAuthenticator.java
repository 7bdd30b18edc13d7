package dev.wsgateway.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.wsgateway.gateway.config.SecuritySettings;

import io.helidon.security.AuthenticationResponse;
import io.helidon.security.Security;
import io.helidon.security.SecurityContext;
import io.helidon.security.SecurityEnvironment;
import io.helidon.security.SecurityResponse;
import io.helidon.security.Subject;
import io.helidon.security.providers.httpauth.HttpBasicAuthProvider;
import io.helidon.security.providers.httpauth.SecureUserStore;

/**
 * Checks HTTP Basic credentials with Helidon's {@code http-basic-auth} provider against the users of
 * {@code gateway.security.users}. Passwords and the {@code Authorization} value are never logged or kept.
 */
public final class BasicAuthenticator {
    private final Security security;
    private final String realm;

    /**
     * The outcome of a check.
     *
     * @param status 0 when authenticated, else 401 (no or wrong credentials) or 403 (no required role)
     * @param user   authenticated user name, empty when none
     */
    public record Result(int status, String user) {
        /**
         * Whether the user is authenticated and has a required role.
         *
         * @return whether accepted
         */
        public boolean ok() {
            return status == 0;
        }
    }

    BasicAuthenticator(String realm, List<SecuritySettings.User> users) {
        this.realm = realm;
        Map<String, SecuritySettings.User> byLogin = users.stream()
                .collect(Collectors.toUnmodifiableMap(SecuritySettings.User::login, Function.identity()));
        SecureUserStore store = login -> Optional.ofNullable(byLogin.get(login)).map(StoredUser::new);
        this.security = Security.builder()
                .addAuthenticationProvider(HttpBasicAuthProvider.builder()
                                                   .realm(realm)
                                                   .userStore(store)
                                                   .build(), "http-basic-auth")
                .build();
    }

    /**
     * The challenge a 401 carries.
     *
     * @return header value
     */
    public String challenge() {
        return "Basic realm=\"" + realm.replace("\"", "") + "\"";
    }

    /**
     * Authenticate the {@code Authorization} header of a request.
     *
     * @param method        HTTP method
     * @param path          request path (for the security environment only)
     * @param authorization the header values (may be empty)
     * @param requiredRoles at least one of these (empty: any authenticated user)
     * @return the result
     */
    public Result authenticate(String method, String path, List<String> authorization, Set<String> requiredRoles) {
        if (authorization.isEmpty()) {
            return new Result(401, "");
        }
        SecurityEnvironment env = SecurityEnvironment.builder()
                .method(method)
                .path(path)
                .transport("http")
                .header("Authorization", authorization)
                .build();
        SecurityContext context = security.contextBuilder(UUID.randomUUID().toString())
                .env(env)
                .build();
        AuthenticationResponse response;
        try {
            response = context.atnClientBuilder().submit();
        } catch (RuntimeException e) {
            // a malformed header the provider could not parse: same answer as wrong credentials
            return new Result(401, "");
        }
        if (response.status() != SecurityResponse.SecurityStatus.SUCCESS
                && response.status() != SecurityResponse.SecurityStatus.SUCCESS_FINISH) {
            return new Result(401, "");
        }
        Optional<Subject> subject = response.user();
        if (subject.isEmpty()) {
            return new Result(401, "");
        }
        String user = subject.get().principal().getName();
        if (!requiredRoles.isEmpty()) {
            Set<String> roles = Security.getRoles(subject.get());
            if (requiredRoles.stream().noneMatch(roles::contains)) {
                return new Result(403, user);
            }
        }
        return new Result(0, user);
    }

    /**
     * A configured user as Helidon's provider sees it; the password is compared in constant time.
     */
    private record StoredUser(SecuritySettings.User user) implements SecureUserStore.User {
        @Override
        public String login() {
            return user.login();
        }

        @Override
        public boolean isPasswordValid(char[] password) {
            return MessageDigest.isEqual(new String(password).getBytes(StandardCharsets.UTF_8),
                                         new String(user.password()).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Collection<String> roles() {
            return user.roles();
        }

        @Override
        public String toString() {
            return "User[" + user.login() + "]";
        }
    }
}
