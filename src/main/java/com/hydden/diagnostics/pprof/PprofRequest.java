package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.grid.NodeIds;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import jakarta.json.JsonException;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /pprof}, checked field by field. Parsing is done here, on the raw bytes, so
 * every refusal can say which field is wrong and why, and so nothing the body does (size, encoding,
 * nesting, duplicate keys, numbers of any size) gets past with a vague answer.
 */
public record PprofRequest(String client, String module, ProfileType profile, int seconds, boolean waitIfBusy) {

    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final String DEFAULT_MODULE = "grid.client";
    public static final int DEFAULT_CPU_SECONDS = 30;
    /** Unknown fields may hold structures; none the portal sends is anywhere near this deep. */
    static final int MAX_DEPTH = 64;
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    // Json.createParser looks the provider up on every call (a service-loader scan of the class path).
    private static final JsonProvider JSON = JsonProvider.provider();

    /** A request that does not wait for a busy cpu profiler. */
    public PprofRequest(String client, String module, ProfileType profile, int seconds) {
        this(client, module, profile, seconds, false);
    }

    /**
     * Reads and checks a body; seconds, when given, must lie in 1..maxSeconds. For cpu they are the sampling
     * time (default 30); for the other profiles the time between the two snapshots of a delta profile (none:
     * one snapshot, {@code seconds} 0).
     */
    public static PprofRequest read(InputStream body, int maxSeconds) throws IOException {
        return read(body, json -> fromObject(json, maxSeconds));
    }

    static PprofRequest parse(byte[] body, int maxSeconds) {
        return parse(body, json -> fromObject(json, maxSeconds));
    }

    /**
     * Reads at most {@link #MAX_BODY_BYTES} of {@code body} and parses them with {@code reader}: the body
     * rules every endpoint shares (size, UTF-8, one JSON object, malformed JSON as a 400).
     */
    public static <T> T read(InputStream body, Function<JsonParser, T> reader) throws IOException {
        byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
        if (bytes.length > MAX_BODY_BYTES) {
            throw bad("the request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        return parse(bytes, reader);
    }

    static <T> T parse(byte[] body, Function<JsonParser, T> reader) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad("the request body is not valid UTF-8");
        }
        if (text.isBlank()) {
            throw bad("the request body is empty; expected a JSON object");
        }
        try (JsonParser json = JSON.createParser(new StringReader(text))) {
            return reader.apply(json);
        } catch (JsonParsingException e) {
            throw bad("malformed JSON" + where(e.getLocation()));
        } catch (JsonException | IllegalStateException | NoSuchElementException | ArithmeticException
                 | NumberFormatException | UnsupportedOperationException e) {
            throw bad("malformed JSON");
        }
    }

    private static PprofRequest fromObject(JsonParser json, int maxSeconds) {
        if (json.next() != JsonParser.Event.START_OBJECT) {
            throw bad("the request body must be a JSON object");
        }
        String client = null;
        String module = null;
        String profile = null;
        BigDecimal seconds = null;
        Boolean wait = null;
        Set<String> seen = new HashSet<>();
        JsonParser.Event event;
        while ((event = json.next()) == JsonParser.Event.KEY_NAME) {
            String field = json.getString();
            if (!seen.add(field)) {
                throw bad("field '" + printable(field) + "' appears more than once");
            }
            JsonParser.Event value = json.next();
            switch (field) {
                case "client" -> client = string(json, value, "client");
                case "module" -> module = string(json, value, "module");
                case "profile" -> profile = string(json, value, "profile");
                case "seconds" -> seconds = integer(json, value, "seconds");
                case "wait" -> wait = bool(value, "wait");
                default -> skip(json, value); // the portal may send more than we read
            }
        }
        if (event != JsonParser.Event.END_OBJECT || json.hasNext()) {
            throw bad("the request body must be a single JSON object");
        }
        PprofRequest request = validated(client, module, profile, seconds, maxSeconds);
        if (wait != null && request.profile() != ProfileType.CPU) {
            throw bad("wait applies only to the cpu profile");
        }
        return wait == null ? request : new PprofRequest(request.client(), request.module(), request.profile(),
                request.seconds(), wait);
    }

    private static boolean bool(JsonParser.Event value, String field) {
        return switch (value) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw bad(field + " must be true or false");
        };
    }

    private static PprofRequest validated(String client, String module, String profileName, BigDecimal seconds,
                                          int maxSeconds) {
        if (client == null) {
            throw bad("client is required");
        }
        if (!NodeIds.isValid(client)) {
            throw bad("client must be " + NodeIds.RULE);
        }
        if (module == null) {
            module = DEFAULT_MODULE;
        } else if (!NodeIds.isValid(module)) {
            throw bad("module must be " + NodeIds.RULE);
        }
        if (profileName == null) {
            throw bad("profile is required: one of " + ProfileType.NAMES);
        }
        ProfileType profile = ProfileType.fromWireName(profileName)
                .orElseThrow(() -> bad("profile must be one of " + ProfileType.NAMES));
        if (seconds == null) {
            // cpu samples for a default time; the others are a snapshot
            return new PprofRequest(client, module, profile,
                    profile == ProfileType.CPU ? Math.min(DEFAULT_CPU_SECONDS, maxSeconds) : 0);
        }
        if (seconds.compareTo(BigDecimal.ONE) < 0 || seconds.compareTo(BigDecimal.valueOf(maxSeconds)) > 0) {
            throw bad("seconds must be an integer from 1 to " + maxSeconds);
        }
        return new PprofRequest(client, module, profile, seconds.intValueExact());
    }

    public static String string(JsonParser json, JsonParser.Event value, String field) {
        if (value != JsonParser.Event.VALUE_STRING) {
            throw bad(field + " must be a string");
        }
        return json.getString();
    }

    /**
     * An integer literal, judged on its text: the parser's own number conversion refuses long numbers with
     * an exception of its own, and a long one is out of range anyway.
     */
    public static BigDecimal integer(JsonParser json, JsonParser.Event value, String field) {
        if (value != JsonParser.Event.VALUE_NUMBER) {
            throw bad(field + " must be an integer");
        }
        String text = json.getString();
        if (!INTEGER.matcher(text).matches()) {
            throw bad(field + " must be an integer");
        }
        // Longer than any int: keep it out of range without converting all of it.
        return text.length() > 12 ? new BigDecimal(text.startsWith("-") ? "-1e12" : "1e12") : new BigDecimal(text);
    }

    /**
     * Skips the value that began with {@code value}. By hand rather than with the parser's skipArray and
     * skipObject, which never return on a body that ends inside the structure.
     */
    public static void skip(JsonParser json, JsonParser.Event value) {
        int depth = value == JsonParser.Event.START_OBJECT || value == JsonParser.Event.START_ARRAY ? 1 : 0;
        while (depth > 0) {
            switch (json.next()) {
                case START_OBJECT, START_ARRAY -> {
                    if (++depth > MAX_DEPTH) {
                        throw bad("the request body nests deeper than " + MAX_DEPTH + " levels");
                    }
                }
                case END_OBJECT, END_ARRAY -> depth--;
                default -> { }
            }
        }
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNumber() < 0 ? ""
                : " at line " + location.getLineNumber() + ", column " + location.getColumnNumber();
    }

    /** Field names are echoed in details; keep them short and free of control characters. */
    public static String printable(String s) {
        String clean = s.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .limit(64)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return s.length() > 64 ? clean + "..." : clean;
    }

    /** A delta profile: {@code seconds} between two snapshots of a profile other than cpu. */
    public boolean delta() {
        return profile != ProfileType.CPU && seconds > 0;
    }

    public static ProblemException bad(String detail) {
        return Problem.of(Response.Status.BAD_REQUEST, "invalid-request", detail).exception();
    }
}
