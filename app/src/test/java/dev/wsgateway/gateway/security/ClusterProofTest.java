package dev.wsgateway.gateway.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The signatures between the gateways of a cluster: a request is accepted once, by the gateway it was signed for,
 * within the replay window, unchanged; an answer counts only when signed for that request.
 */
class ClusterProofTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final String TARGET = ClusterProof.target("/application/websockets", Map.of("scope", List.of("local")));

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final ClusterProof proof = new ClusterProof(SECRET, Duration.ofSeconds(30), now::get);

    @Test
    void aSignedRequestIsAcceptedOnceByTheGatewayItIsFor() {
        ClusterProof.Signed signed = proof.sign("GET", TARGET, "a#1", "b#2");
        assertThat(verify("GET", TARGET, signed.headers(), "b#2"), is(""));
        assertThat(verify("GET", TARGET, signed.headers(), "b#2"), is("nonce already used (replay)"));
    }

    @Test
    void anotherGatewayAChangedRequestOrAnotherSecretIsRefused() {
        ClusterProof.Signed signed = proof.sign("GET", TARGET, "a#1", "rogue#9");
        assertThat(verify("GET", TARGET, signed.headers(), "b#2"), is("signed for another gateway"));
        Map<String, String> retargeted = new HashMap<>(signed.headers());
        retargeted.put(ClusterProof.TO, "b#2");
        assertThat(verify("GET", TARGET, retargeted, "b#2"), is("signature does not match the cluster secret"));
        ClusterProof.Signed forB = proof.sign("GET", TARGET, "a#1", "b#2");
        assertThat(verify("DELETE", TARGET, forB.headers(), "b#2"), is("signature does not match the cluster secret"));
        String other = ClusterProof.target("/application/websockets", Map.of("scope", List.of("cluster")));
        assertThat(verify("GET", other, forB.headers(), "b#2"), is("signature does not match the cluster secret"));
        ClusterProof stranger = new ClusterProof("another secret of 32 bytes or more.".getBytes(StandardCharsets.UTF_8),
                                                 Duration.ofSeconds(30), now::get);
        assertThat(stranger.verify("GET", TARGET, h(forB.headers()), Optional.of("b#2")).reason(),
                   is("signature does not match the cluster secret"));
        assertThat(verify("GET", TARGET, Map.of(), "b#2"), is("incomplete or malformed cluster headers"));
        assertThat(verify("GET", TARGET, forB.headers(), null), is("signed for another gateway"));
    }

    @Test
    void aRequestOutsideTheReplayWindowIsRefused() {
        ClusterProof.Signed old = proof.sign("GET", TARGET, "a#1", "b#2");
        now.addAndGet(30_001);
        assertThat(verify("GET", TARGET, old.headers(), "b#2"), is("time outside the replay window"));
        ClusterProof.Signed early = proof.sign("GET", TARGET, "a#1", "b#2");
        now.addAndGet(-60_002);
        assertThat(verify("GET", TARGET, early.headers(), "b#2"), is("time outside the replay window"));
    }

    @Test
    void anAnswerCountsOnlyWhenSignedForThatRequest() {
        ClusterProof.Signed signed = proof.sign("GET", TARGET, "a#1", "b#2");
        byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
        Optional<String> signature = proof.signAnswer(h(signed.headers()), 200, body);
        assertThat(proof.answerIsSigned(signed, 200, body, signature), is(true));
        assertThat(proof.answerIsSigned(signed, 404, body, signature), is(false));
        assertThat(proof.answerIsSigned(signed, 200, "[{}]".getBytes(StandardCharsets.UTF_8), signature), is(false));
        assertThat(proof.answerIsSigned(proof.sign("GET", TARGET, "a#1", "b#2"), 200, body, signature), is(false));
        assertThat(proof.answerIsSigned(signed, 200, body, Optional.empty()), is(false));
        assertThat(proof.signAnswer(h(Map.of()), 200, body).isPresent(), is(false));
    }

    @Test
    void theTargetIsTheSameWhateverTheOrderAndEncodingOfTheQuery() {
        Map<String, List<String>> one = new java.util.LinkedHashMap<>();
        one.put("scope", List.of("local"));
        one.put("serviceId", List.of("a b&c=d"));
        Map<String, List<String>> two = new java.util.LinkedHashMap<>();
        two.put("serviceId", List.of("a b&c=d"));
        two.put("scope", List.of("local"));
        assertThat(ClusterProof.target("/p", one), is(ClusterProof.target("/p", two)));
        assertThat(ClusterProof.target("/p", one), is("/p?scope=local&serviceId=a+b%26c%3Dd"));
    }

    private String verify(String method, String target, Map<String, String> headers, String self) {
        return proof.verify(method, target, h(headers), Optional.ofNullable(self)).reason();
    }

    private static java.util.function.Function<String, Optional<String>> h(Map<String, String> headers) {
        return name -> Optional.ofNullable(headers.get(name));
    }
}
