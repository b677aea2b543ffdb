package io.slirp4j.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * The one Jackson factory of the module: streaming parser and generator only (jackson-core), because databind's
 * ObjectMapper would add 100+ ms to the helper's start-up for messages of a few fields.
 */
final class Json {
    /**
     * Duplicate keys are refused: which of two {@code "host_port"}s counts would otherwise depend on the reader,
     * and slirp4netns's parser refuses them too.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();

    private Json() {
    }
}
