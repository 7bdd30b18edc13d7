package dev.wsgateway.gateway.http;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class HandshakeKeysTest {
    @Test
    void acceptIsTheOneOfRfc6455() {
        // RFC 6455 section 1.3
        assertThat(HandshakeKeys.accept("dGhlIHNhbXBsZSBub25jZQ=="), is("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        assertThat(HandshakeKeys.accept("dGhlIHNhbXBsZSBub25jZQ=="), is("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    @Test
    void acceptsComputedAtOnceOnManyThreadsAreEachRight() throws Exception {
        Set<String> wrong = ConcurrentHashMap.newKeySet();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2_000; i++) {
                threads.submit(() -> {
                    if (!HandshakeKeys.accept("dGhlIHNhbXBsZSBub25jZQ==").equals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")) {
                        wrong.add("wrong");
                    }
                });
            }
        }
        assertThat(wrong.isEmpty(), is(true));
    }

    @Test
    void newKeysAreValidAndDifferent() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String key = HandshakeKeys.newKey();
            assertThat(HandshakeKeys.isValid(key), is(true));
            assertThat(Base64.getDecoder().decode(key).length, is(16));
            keys.add(key);
        }
        assertThat(keys.size(), is(100));
    }

    @Test
    void keysThatAreNotSixteenBytesAreInvalid() {
        assertThat(HandshakeKeys.isValid(null), is(false));
        assertThat(HandshakeKeys.isValid("not base64!"), is(false));
        assertThat(HandshakeKeys.isValid(Base64.getEncoder().encodeToString(new byte[15])), is(false));
    }
}
